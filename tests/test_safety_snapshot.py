"""Adversarial cases for ``chiso766 snapshot``: a hostile or broken portal on 127.0.0.1, and bad arguments.

Every failure must be a named :class:`SnapshotError` (exit 2 from the command line), one line without
raw control characters, without the token or a password, and must leave no folder behind. Nothing
here touches the network beyond 127.0.0.1; every case is bounded to a few seconds.
"""

from __future__ import annotations

import contextlib
import gzip
import http.server
import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

from chiso766.cli import main
from chiso766.ingest.portal import ENDPOINTS
from chiso766.ingest.snapshot import MAX_RETRY_AFTER, TOKEN_ENV, SnapshotError, snapshot
from tests.conftest import PORTAL_REF, json_setter

TOKEN = "tok-S3cret-766"
ROOT_ID = "019d2be3-6a88-732b-8b17-b68020c8553a"
NOW = datetime(2026, 9, 26, 3, 0, tzinfo=UTC)
RAW_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

Action = Callable[[http.server.BaseHTTPRequestHandler, bytes], None]


# a local portal --------------------------------------------------------------------------------


class Portal:
    """Serves the reference August responses, unless a test scripts other answers for an endpoint."""

    def __init__(self) -> None:
        self.script: dict[str, list[Action]] = {}
        self.seen: list[tuple[str, str, str]] = []  # (path, endpoint, Authorization header)
        handler = type("Handler", (_Handler,), {"portal": self})
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def requests(self, endpoint: str) -> int:
        return sum(1 for _, e, _ in self.seen if e == endpoint)


class _Handler(http.server.BaseHTTPRequestHandler):
    portal: Portal
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        endpoint = self.path.rsplit("/", 1)[-1]
        self.portal.seen.append((self.path, endpoint, self.headers.get("Authorization", "")))
        queue = self.portal.script.get(endpoint) or self.portal.script.get("*") or []
        action = queue.pop(0) if queue else respond()
        source = PORTAL_REF / endpoint / "month-all.json"
        raw = source.read_bytes() if source.is_file() else b"{}"
        with contextlib.suppress(OSError):  # the client hung up, as it should once its deadline passed
            action(self, raw)
        self.close_connection = True

    do_GET = do_PUT = do_DELETE = do_POST  # a redirect followed as a GET is recorded too


def send(
    handler: http.server.BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    headers: dict[str, str],
    reason: str | None = None,
) -> None:
    handler.send_response(status, reason)
    headers = {"Content-Type": "application/json", "Content-Length": str(len(body))} | headers
    for key, value in headers.items():
        if value is not None:
            handler.send_header(key, value)
    handler.send_header("Connection", "close")
    handler.end_headers()
    handler.wfile.write(body)


def respond(status: int = 200, body: bytes | None = None, reason: str | None = None, **headers: Any) -> Action:
    def action(handler: http.server.BaseHTTPRequestHandler, raw: bytes) -> None:
        fields = {k.replace("_", "-"): v for k, v in headers.items()}
        send(handler, status, raw if body is None else body, fields, reason)

    return action


def literal(text: str) -> str:
    """A value written into the JSON as is (NaN, 10^5000, deep brackets), not as a string."""
    return f"@@{text}@@"


def edited(change: Callable[[dict[str, Any]], Any], whole: bool = False) -> Action:
    """The reference response with ``change`` applied to its ``data`` (or the whole document)."""

    def action(handler: http.server.BaseHTTPRequestHandler, raw: bytes) -> None:
        document = json.loads(raw)
        change(document if whole else document["data"])
        text = re.sub(r'"@@(.*?)@@"', lambda m: m[1], json.dumps(document, ensure_ascii=False), flags=re.S)
        send(handler, 200, text.encode("utf-8"), {})

    return action


def raw_body(transform: Callable[[bytes], bytes], **headers: Any) -> Action:
    def action(handler: http.server.BaseHTTPRequestHandler, raw: bytes) -> None:
        send(handler, 200, transform(raw), {k.replace("_", "-"): v for k, v in headers.items()})

    return action


def short_body(handler: http.server.BaseHTTPRequestHandler, raw: bytes) -> None:
    """Promises the whole response, sends a tenth of it and hangs up."""
    handler.send_response(200)
    handler.send_header("Content-Length", str(len(raw)))
    handler.end_headers()
    handler.wfile.write(raw[: len(raw) // 10])
    handler.wfile.flush()


def drip_body(handler: http.server.BaseHTTPRequestHandler, raw: bytes) -> None:
    """Headers at once, then one byte every half second (at most 20, so a regression ends in 10 s)."""
    handler.send_response(200)
    handler.send_header("Content-Length", str(len(raw)))
    handler.end_headers()
    handler.wfile.flush()
    for byte in raw[:20]:
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()
        time.sleep(0.5)


def drip_headers(handler: http.server.BaseHTTPRequestHandler, raw: bytes) -> None:
    for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"[:20]:
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()
        time.sleep(0.5)


def streamed(size: int) -> Action:
    """A body of ``size`` bytes without Content-Length, ended by closing the connection."""

    def action(handler: http.server.BaseHTTPRequestHandler, raw: bytes) -> None:
        handler.send_response(200)
        handler.send_header("Connection", "close")
        handler.end_headers()
        for _ in range(size // 65536 + 1):
            handler.wfile.write(b" " * 65536)

    return action


def chunked(size: int) -> Action:
    def action(handler: http.server.BaseHTTPRequestHandler, raw: bytes) -> None:
        handler.send_response(200)
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        for _ in range(size // 65536 + 1):
            handler.wfile.write(b"10000\r\n" + b" " * 65536 + b"\r\n")
        handler.wfile.write(b"0\r\n\r\n")

    return action


def redirect(location: str, status: int = 307) -> Action:
    return respond(status, b"", Location=location)


@pytest.fixture
def portal() -> Iterator[Portal]:
    server = Portal()
    yield server
    server.close()


@pytest.fixture
def other() -> Iterator[Portal]:
    """Another origin on the same machine: it must never see a request."""
    server = Portal()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)


def take(portal: Portal, tmp_path: Path, sleeps: list[float] | None = None, **options: Any) -> Path:
    root = options.pop("root", ROOT_ID)
    period = options.pop("period", "2026-08")
    settings: dict[str, Any] = {
        "name": "phu-tho",
        "base_url": portal.url,
        "timeout": 2,
        "retries": 1,
        "backoff": 0.01,
        "sleep": (sleeps if sleeps is not None else []).append,
        "now": NOW,
    }
    return snapshot(root, period, tmp_path / "snaps", **(settings | options))


def refused(portal: Portal, tmp_path: Path, words: str, **options: Any) -> SnapshotError:
    """The named error of a failed snapshot, checked to be safe to print and to have left nothing."""
    with pytest.raises(SnapshotError, match=words) as info:
        take(portal, tmp_path, **options)
    message = str(info.value)
    assert not RAW_CONTROL.search(message), message
    assert TOKEN not in message and "partial" not in message and "\n" not in message
    out = tmp_path / "snaps"
    assert not out.exists() or not list(out.iterdir()), "a failed snapshot left something behind"
    return info.value




TREE_COUNT = "children.3.totalReceived"  # dvc-progress-tree, Sở Giáo dục và Đào tạo
METRIC_COUNT = "evaluation.5.metrics.2.numerator"  # transparency


# hostile responses: each one a named error, nothing kept -----------------------------------------

RESPONSE_CASES: list[tuple[str, dict[str, list[Action]], dict[str, Any], str]] = [
    # transport
    ("drip-body-beyond-timeout", {"transparency": [drip_body]}, {"timeout": 1, "retries": 0}, "quá thời hạn"),
    ("drip-headers-beyond-timeout", {"transparency": [drip_headers]}, {"timeout": 1, "retries": 0}, "quá thời hạn"),
    ("declared-oversized-body", {}, {"max_bytes": 20_000}, r"quá giới hạn 20000 byte"),
    ("streamed-oversized-body", {"transparency": [streamed(300_000)]}, {"max_bytes": 100_000}, "vượt quá giới hạn"),
    ("chunked-oversized-body", {"transparency": [chunked(300_000)]}, {"max_bytes": 100_000}, "vượt quá giới hạn"),
    ("short-body-every-time", {"transparency": [short_body, short_body]}, {}, "sau 2 lần thử.*bị cắt"),
    ("500-every-time", {"transparency": [respond(500, b"")] * 2}, {}, "sau 2 lần thử.*HTTP 500"),
    # a server that echoes the request's Authorization header: refused() checks the token is not said
    ("500-echoing-the-token", {"transparency": [respond(500, f"error for Bearer {TOKEN}".encode())] * 2}, {},
     r"HTTP 500.*error for Bearer \*\*\*"),
    ("403-echoing-the-token", {"transparency": [respond(403, f'{{"message": "bad token {TOKEN}"}}'.encode())]}, {},
     r"HTTP 403.*bad token \*\*\*"),
    (
        "redirect-loop-same-origin",
        {"transparency": [redirect("/api/v1/reporting/evaluation/transparency")] * 9},
        {},
        "chuyển hướng quá 5 lần",
    ),
    ("redirect-without-location", {"transparency": [respond(302, b"")]}, {}, "không nói tới đâu"),
    # body
    ("truncated-json", {"transparency": [raw_body(lambda r: r[: len(r) // 2])]}, {}, "không phải JSON hợp lệ"),
    ("empty-body", {"transparency": [raw_body(lambda r: b"")]}, {}, "phản hồi rỗng"),
    (
        "html-error-page",
        {"transparency": [raw_body(lambda r: b"<html><body>Bad gateway</body></html>")]},
        {},
        "không phải JSON hợp lệ",
    ),
    (
        "not-utf8",
        {"transparency": [raw_body(lambda r: r.replace("Phú Thọ".encode(), b"Ph\xfa Th\xf4", 1))]},
        {},
        "không phải UTF-8",
    ),
    (
        "gzip-without-asking",
        {"transparency": [raw_body(gzip.compress, Content_Encoding="gzip")]},
        {},
        "không phải UTF-8",
    ),
    ("top-level-array", {"transparency": [raw_body(lambda r: b"[1, 2, 3]")]}, {}, "thiếu khối 'data'"),
    ("no-data-block", {"transparency": [edited(lambda d: d.pop("data"), whole=True)]}, {}, "thiếu khối 'data'"),
    ("empty-unit-list", {"dvc-progress-tree": [edited(json_setter("children", []))]}, {}, "danh sách đơn vị rỗng"),
    ("unit-list-not-a-list", {"transparency": [edited(json_setter("evaluation", {"a": 1}))]}, {}, "danh sách đơn vị rỗng"),
    ("unit-not-an-object", {"transparency": [edited(json_setter("evaluation.0", "x"))]}, {}, "không phải đối tượng"),
    (
        "deep-nesting-100000",
        {"transparency": [edited(json_setter("source", literal("[" * 100_000 + "]" * 100_000)))]},
        {},
        "lồng quá sâu",
    ),
    ("deep-nesting-60", {"transparency": [edited(json_setter("source", literal("[" * 60 + "]" * 60)))]}, {}, "lồng quá sâu"),
    ("nan-count", {"dvc-progress-tree": [edited(json_setter(TREE_COUNT, literal("NaN")))]}, {}, "NaN không phải số hữu hạn"),
    ("infinity-count", {"transparency": [edited(json_setter(METRIC_COUNT, literal("Infinity")))]}, {}, "Infinity"),
    ("minus-infinity-count", {"transparency": [edited(json_setter(METRIC_COUNT, literal("-Infinity")))]}, {}, "-Infinity"),
    (
        "1e400-overflows-to-inf",
        {"dvc-progress-tree": [edited(json_setter(TREE_COUNT, literal("1e400")))]},
        {},
        "không hữu hạn",
    ),
    ("count-10^30", {"dvc-progress-tree": [edited(json_setter(TREE_COUNT, 10**30))]}, {}, "số quá lớn"),
    ("count-10^13", {"dvc-progress-tree": [edited(json_setter(TREE_COUNT, 10**13))]}, {}, "ngoài khoảng 0..1e\\+12"),
    (
        "count-5001-digits",
        {"dvc-progress-tree": [edited(json_setter(TREE_COUNT, literal("9" * 5001)))]},
        {},
        "số nguyên quá dài",
    ),
    ("negative-count", {"dvc-progress-tree": [edited(json_setter(TREE_COUNT, -5))]}, {}, "ngoài khoảng 0"),
    ("string-count", {"transparency": [edited(json_setter(METRIC_COUNT, "87"))]}, {}, "không phải số nguyên"),
    ("boolean-count", {"dvc-progress-tree": [edited(json_setter(TREE_COUNT, True))]}, {}, "không phải số nguyên"),
    ("fractional-count", {"dvc-progress-tree": [edited(json_setter(TREE_COUNT, 3.5))]}, {}, "không phải số nguyên"),
    ("score-minus-50", {"transparency": [edited(json_setter("evaluation.0.totalScore", -50))]}, {}, "ngoài khoảng 0..18"),
    ("score-10^9", {"transparency": [edited(json_setter("evaluation.0.metrics.2.score", 10**9))]}, {}, "ngoài khoảng 0..18"),
    (
        "score-above-group-max",
        {"dvc-progress-tree": [edited(json_setter("children.1.score", 20.01))]},
        {},
        "ngoài khoảng 0..20",
    ),
    ("string-score", {"dvc-progress-tree": [edited(json_setter("children.1.score", "16.53"))]}, {}, "không phải số"),
    ("ratio-250", {"dvc-progress-tree": [edited(json_setter("children.1.ratio", 250))]}, {}, "ngoài khoảng 0..100"),
    (
        "duplicate-departmentId",
        {
            "dvc-progress-tree": [
                edited(lambda d: d["children"][3].update(departmentId=d["children"][2]["departmentId"]))
            ]
        },
        {},
        "lặp lại",
    ),
    (
        "province-repeated-as-unit",
        {"transparency": [edited(lambda d: d["evaluation"][0].update(departmentId=d["overview"]["departmentId"]))]},
        {},
        "lặp lại",
    ),
    (
        "duplicate-json-key",
        {"transparency": [raw_body(lambda r: r.replace(b'{"code":"OK"', b'{"code":"OK","code":"OK"', 1))]},
        {},
        "khóa «code» lặp lại",
    ),
    (
        "another-province",
        {"transparency": [edited(json_setter("overview.departmentId", "019d2be3-0000-0000-0000-000000000000"))]},
        {},
        "không phải .* đã hỏi",
    ),
    ("only-the-first-page", {"transparency": [edited(json_setter("pagination.totalPages", 2))]}, {}, "nhiều trang"),
    (
        "numerator-above-denominator-found-by-the-ingest-reader",
        {"transparency": [edited(json_setter(METRIC_COUNT, 999_999))]},
        {},
        "lớn hơn mẫu số",
    ),
    (
        "last-endpoint-invalid-after-five-kept",
        {"dossier-digitized": [raw_body(lambda r: r[:100])]},
        {},
        "không phải JSON hợp lệ",
    ),
    # what the server says is shown, escaped
    (
        "ansi-in-error-message",
        {"transparency": [respond(401, json.dumps({"message": "\x1b[2J\x1b[31mPWNED\x07 \u202egnp.exe"}).encode())]},
        {},
        r"HTTP 401.*\\x1b",
    ),
    (
        "ansi-in-reason-phrase",
        {"transparency": [respond(403, b"", reason="No\x1b]0;owned\x07")]},
        {},
        r"HTTP 403 No\\x1b",
    ),
    (
        "ansi-in-portal-code",
        {"transparency": [edited(lambda d: d.update(code="ERR", message="\x1b[31mboom\x1b[0m"), whole=True)]},
        {},
        r"mã 'ERR': \\x1b\[31mboom",
    ),
    (
        "ansi-in-unit-name",
        {
            "dvc-progress-tree": [
                edited(lambda d: d["children"][3].update(departmentName="\x1b[1mSở\x1b[0m\r\nGiả", totalReceived=-1))
            ]
        },
        {},
        r"\\x1b\[1mSở\\x1b\[0m",
    ),
]


@pytest.mark.parametrize("script, options, words", [pytest.param(s, o, w, id=i) for i, s, o, w in RESPONSE_CASES])
def test_a_hostile_or_broken_response_is_a_named_error_and_nothing_is_kept(portal, tmp_path, script, options, words):
    portal.script = {endpoint: list(actions) for endpoint, actions in script.items()}
    started = time.monotonic()
    refused(portal, tmp_path, words, **options)
    assert time.monotonic() - started < 4.5


def test_the_deadline_is_total_not_per_read(portal, tmp_path):
    portal.script = {"transparency": [drip_body, drip_body]}
    started = time.monotonic()
    refused(portal, tmp_path, "sau 2 lần thử.*quá thời hạn", timeout=1, retries=1)
    assert 1.9 < time.monotonic() - started < 3.5  # two attempts of one second each, not 20 bytes × 0.5 s


def test_an_oversized_declared_body_is_not_even_retried(portal, tmp_path):
    refused(portal, tmp_path, "quá giới hạn", max_bytes=20_000, retries=3)
    assert portal.requests("transparency") == 1


# redirects and the token --------------------------------------------------------------------------


OTHER_PORT = "http://127.0.0.1:{other}/api/v1/reporting/evaluation/transparency"


@pytest.mark.parametrize(
    "location, status",
    [
        (OTHER_PORT, 302),  # the reported hole: urllib followed it as a GET, Authorization included
        (OTHER_PORT, 303),
        (OTHER_PORT, 307),
        (OTHER_PORT, 308),
        ("//127.0.0.1:{other}/api/v1/reporting/evaluation/transparency", 302),  # scheme-relative
        ("http://localhost:{port}/api/v1/reporting/evaluation/transparency", 302),  # another host name
        ("https://127.0.0.1:{port}/api/v1/reporting/evaluation/transparency", 302),  # another scheme
        ("http://127.0.0.1:{port}@127.0.0.1:{other}/api/v1/reporting/evaluation/transparency", 302),  # userinfo
    ],
    ids=[
        "other-port-302",
        "other-port-303",
        "other-port-307",
        "other-port-308",
        "scheme-relative",
        "other-host-name",
        "other-scheme",
        "userinfo-trick",
    ],
)
def test_a_redirect_to_another_origin_is_refused_and_the_token_never_leaves(portal, other, tmp_path, location, status):
    portal.script = {"transparency": [redirect(location.format(port=portal.port, other=other.port), status)]}
    err = refused(portal, tmp_path, "chuyển hướng sang nguồn khác")
    assert other.seen == []  # the other server never saw a request, let alone an Authorization header
    assert [auth for _, _, auth in portal.seen] == [f"Bearer {TOKEN}"]
    assert portal.requests("transparency") == 1  # not retried either
    assert str(portal.port) in str(err)


@pytest.mark.parametrize(
    "status, location",
    [
        (307, "/moved/transparency"),
        (308, "/moved/transparency"),
        (302, "moved/transparency"),
        (301, "{url}/moved/transparency"),
    ],
)
def test_a_same_origin_redirect_is_followed(portal, tmp_path, status, location):
    portal.script = {"transparency": [redirect(location.format(url=portal.url), status)]}
    folder = take(portal, tmp_path)
    meta = json.loads((folder / "snapshot.json").read_text(encoding="utf-8"))
    first = meta["captures"][0]
    assert first["redirectedTo"].endswith("/transparency") and "moved" in first["redirectedTo"]
    assert (folder / "transparency.json").read_bytes() == (PORTAL_REF / "transparency" / "month-all.json").read_bytes()
    assert all(auth == f"Bearer {TOKEN}" for _, _, auth in portal.seen)
    assert TOKEN not in "".join(p.read_text(encoding="utf-8") for p in folder.iterdir())


# retries ------------------------------------------------------------------------------------------


def _http_date(seconds: float) -> str:
    return format_datetime(datetime.now(UTC) + timedelta(seconds=seconds), usegmt=True)


@pytest.mark.parametrize(
    "answers, sleeps_expected",
    [
        ([respond(429, b"", Retry_After="7")], [7.0]),
        ([respond(503, b"", Retry_After="100000")], [MAX_RETRY_AFTER]),
        ([respond(429, b"", Retry_After=_http_date(-3600))], [0.0]),
        ([respond(429, b"", Retry_After="soon")], [0.01]),
        ([respond(500, b""), respond(502, b"")], [0.01, 0.02]),
        ([respond(500, b"", Retry_After="30")], [0.01]),  # Retry-After counts on 429 and 503 only
    ],
    ids=["429-seconds", "503-capped", "429-past-date", "429-bad-header-backs-off", "5xx-exponential", "500-ignored"],
)
def test_retry_after_is_honoured_and_capped_and_backoff_is_exponential(portal, tmp_path, answers, sleeps_expected):
    portal.script = {"transparency": list(answers)}
    sleeps: list[float] = []
    take(portal, tmp_path, sleeps=sleeps, retries=2)
    assert sleeps == pytest.approx(sleeps_expected, abs=0.01)
    assert portal.requests("transparency") == len(answers) + 1


def test_a_404_stops_at_once(portal, tmp_path):
    portal.script = {"transparency": [respond(404, b'{"message": "not found"}')]}
    sleeps: list[float] = []
    refused(portal, tmp_path, r"HTTP 404.*not found", sleeps=sleeps, retries=3)
    assert portal.requests("transparency") == 1 and sleeps == []


def test_a_500_then_200_is_retried(portal, tmp_path):
    portal.script = {"dvc-progress-tree": [respond(500, b"")]}
    folder = take(portal, tmp_path, retries=1)
    assert (folder / "dvc-progress-tree.json").is_file()
    assert portal.requests("dvc-progress-tree") == 2


def test_a_closed_port_is_named_quickly(portal, tmp_path):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    refused(portal, tmp_path, "sau 2 lần thử", base_url=f"http://127.0.0.1:{port}")
    assert time.monotonic() - started < 3


# the folder: complete or nothing ------------------------------------------------------------------


def test_an_interrupt_mid_snapshot_leaves_nothing(portal, tmp_path):
    portal.script = {"formality-online-payment-tree": [respond(503, b"")]}

    def interrupt(_seconds: float) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        take(portal, tmp_path, sleep=interrupt)
    assert list((tmp_path / "snaps").iterdir()) == []


def test_an_existing_snapshot_is_never_replaced(portal, tmp_path):
    folder = take(portal, tmp_path)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    with pytest.raises(SnapshotError, match="đã có"):
        take(portal, tmp_path)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert [p.name for p in (tmp_path / "snaps").iterdir()] == [folder.name]


def test_a_complete_snapshot_keeps_the_six_responses_byte_for_byte(portal, tmp_path):
    folder = take(portal, tmp_path)
    assert sorted(p.name for p in folder.iterdir()) == sorted([f"{e}.json" for e in ENDPOINTS] + ["snapshot.json"])
    for endpoint in ENDPOINTS:
        assert (folder / f"{endpoint}.json").read_bytes() == (PORTAL_REF / endpoint / "month-all.json").read_bytes()


# arguments: refused before anything is sent -------------------------------------------------------

ARGUMENT_CASES: list[tuple[str, dict[str, Any], str]] = [
    ("name-dot-dot", {"name": "../../x"}, "--name"),
    ("name-slash", {"name": "a/b"}, "--name"),
    ("name-upper-case", {"name": "Phu-Tho"}, "--name"),
    ("name-newline", {"name": "phu-tho\n"}, "--name"),
    ("name-too-long", {"name": "x" * 41}, "--name"),
    ("root-id-slash", {"root": "a/b"}, "--root-department-id"),
    ("root-id-empty", {"root": ""}, "--root-department-id"),
    ("root-id-escape", {"root": "\x1b[31m019d2be3-6a88-732b-8b17-b68020c8553a"}, r"--root-department-id «\\x1b"),
    ("root-id-dot-dot", {"root": "../../../etc"}, "--root-department-id"),
    ("period-month-13", {"period": "2026-13"}, "tháng 13 không hợp lệ"),
    ("period-impossible-date", {"period": "2025-02-30..2025-03-01"}, "ngày không hợp lệ"),
    ("period-full-width-digits", {"period": "２０２６-08"}, "--period"),
    ("period-path", {"period": "../../etc"}, "--period"),
    ("period-range-for-all-endpoints", {"period": "2026-08-01..2026-08-31"}, "theo tháng, quý, năm"),
    ("base-url-password", {"base_url": "https://user:secret@127.0.0.1:1"}, r"https://\*\*\*@127.0.0.1:1"),
    ("base-url-password-with-slash", {"base_url": "https://user:se/cret@127.0.0.1:1"}, "--base-url"),
    ("base-url-ftp", {"base_url": "ftp://127.0.0.1"}, "--base-url"),
    ("base-url-no-host", {"base_url": "http://"}, "--base-url"),
    ("base-url-bad-port", {"base_url": "http://127.0.0.1:99999"}, "--base-url"),
    ("base-url-broken-ipv6", {"base_url": "http://[::1"}, "--base-url"),
    ("base-url-query", {"base_url": "http://127.0.0.1:1/?token=secret"}, "--base-url"),
    ("base-url-newline", {"base_url": "http://127.0.0.1:1/\r\nX-Evil: 1"}, "--base-url"),
    ("timeout-zero", {"timeout": 0}, "--timeout"),
    ("timeout-nan", {"timeout": float("nan")}, "--timeout"),
    ("retries-negative", {"retries": -1}, "--retries"),
    ("max-bytes-zero", {"max_bytes": 0}, "--max-bytes"),
]


@pytest.mark.parametrize("options, words", [pytest.param(o, w, id=i) for i, o, w in ARGUMENT_CASES])
def test_a_bad_argument_is_refused_before_anything_is_sent(portal, tmp_path, options, words):
    err = refused(portal, tmp_path, words, **options)
    assert portal.seen == []
    assert "secret" not in str(err)
    assert not (tmp_path / "snaps").exists()
    assert not (tmp_path.parent / "x").exists()


@pytest.mark.parametrize("value", ["tok\r\nX-Evil: 1", "tok en", "tók"])
def test_a_token_that_cannot_be_a_header_is_refused_without_printing_it(portal, tmp_path, monkeypatch, value):
    monkeypatch.setenv(TOKEN_ENV, value)
    err = refused(portal, tmp_path, TOKEN_ENV)
    assert value not in str(err) and "X-Evil" not in str(err) and "tók" not in str(err)
    assert portal.seen == []


# the command line -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra, words",
    [
        (["--name", "../../x"], "--name"),
        (["--root-department-id", "a/b"], "--root-department-id"),
        (["--period", "2026-13"], "tháng 13"),
        (["--base-url", "https://user:secret@127.0.0.1:1"], "mật khẩu"),
        (["--max-bytes", "20000"], "quá giới hạn"),
    ],
    ids=["name", "root-id", "period", "password", "max-bytes"],
)
def test_the_command_names_the_error_in_one_line(portal, tmp_path, capsys, extra, words):
    argv = [
        "snapshot",
        "--root-department-id",
        ROOT_ID,
        "--period",
        "2026-08",
        "--out",
        str(tmp_path / "snaps"),
        "--name",
        "phu-tho",
        "--base-url",
        portal.url,
        "--timeout",
        "2",
        "--retries",
        "0",
        *extra,
    ]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and err.startswith("Lỗi:") and err.count("\n") == 1
    assert "Traceback" not in err and "secret" not in err and TOKEN not in err
    assert not (tmp_path / "snaps").exists() or not list((tmp_path / "snaps").iterdir())


def test_the_command_keeps_a_snapshot(portal, tmp_path, capsys):
    argv = [
        "snapshot",
        "--root-department-id",
        ROOT_ID,
        "--period",
        "2026-08",
        "--out",
        str(tmp_path / "snaps"),
        "--name",
        "phu-tho",
        "--base-url",
        portal.url + "/",
        "--timeout",
        "5",
        "--max-bytes",
        "1000000",
        "--no-national",  # this portal serves the six groups only (tests/test_snapshot_national.py has the rest)
    ]
    assert main(argv) == 0
    folder = Path(capsys.readouterr().out.strip())
    assert folder.parent == tmp_path / "snaps" and folder.name.startswith("phu-tho-2026-08-")
    assert (folder / "snapshot.json").is_file()
