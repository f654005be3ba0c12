"""``chiso766 snapshot``: fetch the six evaluation responses for a province and period, and keep them.

A bulletin is only defensible if the exact responses it used are kept: each raw response is saved
byte for byte with its URL, request body, time and SHA-256. The folder appears complete or not at
all. The token, if any, comes from the environment (``CHISO766_PORTAL_TOKEN``) and is never saved.

Beside the six, a snapshot may keep the national context, the portal's ``service-results`` for the
34 provinces (``service-results.json``) and for the province's own units
(``service-results-units.json``), and, for chosen procedures (thủ tục hành chính), the five group
responses filtered to each (``procedures/<code>/``, with the catalogue item in ``formality.json``).
A portal refusing ``service-results`` (4xx) costs only the national files, with a warning.

The portal is not trusted:

* every request has a total deadline (connection, headers and body together, redirects included),
  and a body larger than ``max_bytes`` is abandoned while it is read;
* redirects are followed only within the configured origin (scheme, host, port): a redirect
  anywhere else is refused before anything is sent there, so the token never leaves that origin;
* 429 and 503 wait as ``Retry-After`` says (capped); other transient faults back off exponentially;
  any other refusal (404, 401, …) stops at once (urllib3's ``Retry`` tells which answers are
  transient and reads ``Retry-After``; tenacity runs the attempts and waits);
* each response is checked (UTF-8 JSON, finite numbers, bounded nesting, counts and scores within
  range, unique units) and the six are read by :func:`chiso766.ingest.portal.read_snapshot`
  before the folder appears;
* every message is one line: control characters and terminal escape sequences sent by the
  server are shown escaped, and credentials in ``--base-url`` are never echoed.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import math
import os
import re
import shutil
import socket
import ssl
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import duckdb
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential
from urllib3.exceptions import InvalidHeader
from urllib3.util.retry import Retry

from chiso766.core.errors import InputError
from chiso766.core.methodology import Methodology, load, version_for
from chiso766.core.periods import Period, parse_period
from chiso766.core.textvi import fmt_count, fmt_number, nfc
from chiso766.ingest.dossiers import load_dossiers
from chiso766.ingest.portal import ENDPOINTS, read_snapshot
from chiso766.ingest.units import Registry

__all__ = [
    "SnapshotError",
    "snapshot",
    "request_body",
    "NATIONAL_ENDPOINTS",
    "FORMALITY_FILTER",
    "MAX_PROCEDURES",
    "clean_text",
    "redact_url",
    "TOKEN_ENV",
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "DEFAULT_MAX_BYTES",
    "MAX_RETRY_AFTER",
]

TOKEN_ENV = "CHISO766_PORTAL_TOKEN"
DEFAULT_BASE_URL = "https://dichvucong.gov.vn"
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
MAX_RETRY_AFTER = 60  # seconds: a longer Retry-After is shortened to this
MAX_BACKOFF = 60.0
MAX_REDIRECTS = 5
MAX_RETRIES = 10
MAX_DEPTH = 32  # the reference responses nest 6 deep
MAX_COUNT = 10**12  # a year of dossiers of the whole country is ~10^8
MAX_NUMBER = 10**15  # any number at all
MAX_PROCEDURES = 50  # five requests each: a larger N is more likely a typo than a wish
NATIONAL_ENDPOINTS = ("service-results", "service-results-units")
# The procedure filter as each group endpoint spells it in the recorded requests; handling-satisfaction
# takes none.
FORMALITY_FILTER = {
    "transparency": "formalityId",
    "dvc-progress-tree": "formalityId",
    "provide-online-tree": "formalityId",
    "formality-online-payment-tree": "formalityId",
    "dossier-digitized": "formalityID",
}
_PATH = "/api/v1/reporting/evaluation/"
_CATALOGUE = "/api/v1/reporting/formalities"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_ERROR_EXCERPT = 4096  # bytes of an error response read for its message

_BEARER = re.compile(r"(?i)(bearer\s+)\S+")  # a token an error body echoes back

_NAME = re.compile(r"[a-z0-9-]{1,40}")
_DEPARTMENT_ID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_PERIOD_TEXT = re.compile(r"[0-9Qq.\-]{4,23}")
# A procedure code names a folder: digits, letters and single dots only (2.000815, 1.001612.000.00.00.H44),
# so no code can be "..", start with a dot or hold a separator.
_PROCEDURE_CODE = re.compile(r"[0-9]{1,3}\.[0-9]{6}(?:\.[0-9A-Za-z]{1,10}){0,5}")
_HOST = re.compile(r"[a-z0-9.\-]{1,253}|[0-9a-f:.]{2,45}")
_TOKEN = re.compile(r"[!-~]{1,8192}")  # visible ASCII: no space, CR or LF can reach a header
# C0 and C1 controls, DEL, and the invisible marks that reorder or hide text on a terminal.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]")

# Fields of a unit (or metric) object with a meaning the snapshot can check cheaply.
_SCORES = frozenset({"score", "totalScore", "averageScore", "maxScore", "totalMaxScore"})
_PERCENTS = frozenset({"ratio", "onTimePct", "overduePct", "onlineDossierPct"})
_COUNT_NAME = re.compile(r"total(?!Score$|MaxScore$|Pages$)[A-Z]\w*|\w+Count|\w+Sum|\w+Total|numerator|denominator")


def clean_text(text: object, limit: int = 300) -> str:
    """``text`` as one safe line: control characters escaped, at most ``limit`` characters.

    Examples
    --------
    >>> clean_text("lỗi \\x1b[31mđỏ\\x1b[0m\\n")
    'lỗi \\\\x1b[31mđỏ\\\\x1b[0m\\\\x0a'
    """

    def escape(match: re.Match[str]) -> str:
        code = ord(match[0])
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    cleaned = _CONTROL.sub(escape, str(text))
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def redact_url(url: str) -> str:
    """``url`` with any user name, password and query hidden, safe to print.

    Examples
    --------
    >>> redact_url("https://user:secret@portal.example/api?token=x")
    'https://***@portal.example/api?***'
    """
    scheme, sep, rest = str(url).partition("://")
    if not sep:
        scheme, rest = "", str(url)
    if "@" in rest:
        rest = "***@" + rest.rpartition("@")[2]
    if "?" in rest:
        rest = rest.partition("?")[0] + "?***"
    return clean_text(f"{scheme}{sep}{rest}")


class SnapshotError(InputError):
    """The portal could not give a complete, valid snapshot; nothing was kept.

    The message, the location and the key are cleaned of control characters: parts of them may
    come from the server.
    """

    def __init__(
        self, message: str, path: str | Path | None = None, row: int | None = None, column: str | None = None
    ) -> None:
        super().__init__(
            clean_text(message, 1000),
            clean_text(path) if isinstance(path, str) else path,
            row,
            None if column is None else clean_text(column, 200),
        )


class _Denied(SnapshotError):
    """The portal refused the request for good (a 4xx other than 429)."""


class _Transient(Exception):
    """A failure worth another attempt (timeout, connection, 5xx, 429)."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason, self.retry_after = reason, retry_after


@dataclass(frozen=True)
class _Origin:
    scheme: str
    host: str
    port: int

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"


def _origin_of(url: str) -> _Origin | None:
    """The (scheme, host, port) a URL connects to, ``None`` if it is not a usable http(s) URL."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if scheme not in ("http", "https") or not _HOST.fullmatch(host):
        return None
    return _Origin(scheme, host, port or (443 if scheme == "https" else 80))


def _period_fields(period: Period) -> dict[str, Any]:
    """The period as every evaluation but handling-satisfaction takes it: a month, a quarter or a year."""
    if period.kind == "range":
        raise SnapshotError(f"Cổng chỉ đánh giá theo tháng, quý, năm: kỳ «{period.label}» không dùng được")
    fields: dict[str, Any] = {"timeType": period.kind, "year": period.start.year}
    if period.kind == "month":
        fields["month"] = period.start.month
    elif period.kind == "quarter":
        fields["quarter"] = (period.start.month - 1) // 3 + 1
    return fields


def request_body(endpoint: str, root_department_id: str, period: Period) -> dict[str, Any]:
    """The POST body the portal expects (as recorded with the reference responses).

    ``service-results`` asks for the 34 provinces, not for one of them; ``service-results-units``
    for the province's units.

    Examples
    --------
    >>> request_body("transparency", "X", parse_period("2026-08"))["month"]
    8
    >>> request_body("service-results", "X", parse_period("2026-Q3"))
    {'timeType': 'quarter', 'year': 2026, 'quarter': 3, 'departmentType': 'ADMINISTRATIVE_UNIT'}
    """
    if endpoint == "service-results":
        return _period_fields(period) | {"departmentType": "ADMINISTRATIVE_UNIT"}
    body: dict[str, Any] = {
        "rootDepartmentId": root_department_id,
        "currentPage": 1,
        "pageSize": 100 if endpoint == "dvc-progress-tree" else 200,
    }
    if endpoint == "handling-satisfaction":
        return body | {"fromDate": period.start.isoformat(), "toDate": period.end.isoformat()}
    return body | _period_fields(period)


# arguments ---------------------------------------------------------------------------------------


def _check_arguments(
    root_department_id: str, period: str, name: str, timeout: float, retries: int, max_bytes: int
) -> Period:
    if not isinstance(name, str) or (name and not _NAME.fullmatch(name)):
        raise SnapshotError(
            f"--name «{clean_text(name, 60)}» không hợp lệ: chỉ chữ thường không dấu, số và '-', tối đa 40 ký tự "
            "(ví dụ phu-tho)"
        )
    if not isinstance(root_department_id, str) or not _DEPARTMENT_ID.fullmatch(root_department_id):
        raise SnapshotError(
            f"--root-department-id «{clean_text(root_department_id, 60)}» không hợp lệ: cần mã dạng "
            "019d2be3-6a88-732b-8b17-b68020c8553a"
        )
    text = period.strip() if isinstance(period, str) else ""
    if not _PERIOD_TEXT.fullmatch(text):
        raise SnapshotError(
            f"--period «{clean_text(period, 40)}» không đúng dạng: dùng 2026-08 (tháng), 2026-Q3 (quý), 2026 (năm) "
            "hoặc 2026-08-01..2026-08-31 (chỉ mức độ hài lòng)"
        )
    try:
        parsed = parse_period(text)
    except (ValueError, InputError) as exc:
        raise SnapshotError(f"--period: {exc}") from None
    if not (isinstance(timeout, int | float) and math.isfinite(timeout) and 0 < timeout <= 3600):
        raise SnapshotError(f"--timeout phải là số giây trong khoảng (0, 3600] (nhận {clean_text(timeout, 40)})")
    if isinstance(retries, bool) or not isinstance(retries, int) or not 0 <= retries <= MAX_RETRIES:
        raise SnapshotError(f"--retries phải là số nguyên từ 0 đến {MAX_RETRIES} (nhận {clean_text(retries, 40)})")
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes <= 0:
        raise SnapshotError(f"--max-bytes phải là số nguyên dương (nhận {clean_text(max_bytes, 40)})")
    return parsed


def _check_base_url(base_url: str) -> tuple[_Origin, str]:
    """The origin requests may go to and the URL prefix of the endpoints; credentials refused."""
    shown = redact_url(base_url)
    if not isinstance(base_url, str) or _CONTROL.search(base_url) or " " in base_url:
        raise SnapshotError(f"--base-url «{shown}» chứa khoảng trắng hoặc ký tự điều khiển")
    try:
        parts = urlsplit(base_url)
    except ValueError:
        raise SnapshotError(f"--base-url «{shown}» không phải địa chỉ hợp lệ") from None
    if "@" in parts.netloc or "@" in base_url.partition("://")[2].partition("/")[0]:
        raise SnapshotError(
            f"--base-url «{shown}» chứa tên người dùng hoặc mật khẩu: bỏ đi, token đặt trong biến môi trường "
            f"{TOKEN_ENV}"
        )
    origin = _origin_of(base_url)
    if origin is None:
        raise SnapshotError(
            f"--base-url «{shown}» không hợp lệ: cần http:// hoặc https:// và tên máy, ví dụ {DEFAULT_BASE_URL}"
        )
    if parts.query or parts.fragment or base_url.endswith(("?", "#")):
        raise SnapshotError(f"--base-url «{shown}» không được có phần truy vấn (?…) hay (#…)")
    return origin, f"{parts.scheme.lower()}://{parts.netloc}{parts.path.rstrip('/')}"


def _choose_procedures(count: int, codes: Sequence[str], dossiers: str | Path | None) -> list[tuple[str, int | None]]:
    """The procedures to fetch, each with its number of dossiers when a dossier table is given.

    The candidates are ``codes`` when given, else every code of the dossier table; with a table they
    are ranked by dossiers (ties by code), without one they keep the order given. ``count`` of them
    are kept (all of ``codes`` when 0).
    """
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_PROCEDURES:
        raise SnapshotError(f"--procedures phải là số nguyên từ 1 đến {MAX_PROCEDURES} (nhận {clean_text(count, 40)})")
    for code in codes:
        if not isinstance(code, str) or not _PROCEDURE_CODE.fullmatch(code):
            raise SnapshotError(
                f"--procedure «{clean_text(code, 60)}» không phải mã thủ tục hành chính (ví dụ 2.000815)"
            )
    if not count and not codes:
        if dossiers is not None:
            raise SnapshotError("--dossiers chỉ dùng cùng --procedures N (số thủ tục có nhiều hồ sơ nhất cần lấy)")
        return []
    if not codes and dossiers is None:
        raise SnapshotError(
            "--procedures cần biết lấy thủ tục nào: cho --dossiers TỆP (tệp hồ sơ của tỉnh, để đếm số hồ sơ theo "
            "mã thủ tục) hoặc --procedure MÃ (ví dụ --procedure 2.000815)"
        )
    tally = None if dossiers is None else _dossier_counts(Path(dossiers))
    candidates = list(dict.fromkeys(codes)) or list(tally or ())
    if tally is not None:
        candidates.sort(key=lambda code: (-tally.get(code, 0), code))
    chosen = candidates[: count or len(candidates)]
    for code in chosen:
        if not _PROCEDURE_CODE.fullmatch(code):
            raise SnapshotError(
                f"mã thủ tục «{clean_text(code, 60)}» không đúng dạng mã thủ tục hành chính (ví dụ 2.000815)",
                dossiers,
                column="procedure_code",
            )
    return [(code, None if tally is None else tally.get(code, 0)) for code in chosen]


def _dossier_counts(path: Path) -> dict[str, int]:
    """Dossiers per procedure code, read as ``run`` reads the table: the same headers, the same rows
    quarantined (and not counted)."""
    with duckdb.connect() as con:
        load_dossiers(con, path, Registry())
        rows = con.execute(
            "SELECT procedure_code, count(*) FROM dossiers WHERE procedure_code IS NOT NULL GROUP BY procedure_code"
        ).fetchall()
    if not rows:
        raise SnapshotError(
            "tệp hồ sơ không có mã thủ tục nào (cột procedure_code, «Mã thủ tục» hoặc «Mã TTHC»)",
            path,
            column="procedure_code",
        )
    return {str(code): int(n) for code, n in rows}


def _token() -> str | None:
    token = os.environ.get(TOKEN_ENV) or None
    if token is not None and not _TOKEN.fullmatch(token):
        raise SnapshotError(
            f"biến môi trường {TOKEN_ENV} chứa khoảng trắng, xuống dòng hoặc ký tự ngoài ASCII: không dùng làm token"
        )
    return token


# transport ---------------------------------------------------------------------------------------
#
# One attempt is http.client under a watchdog, not urllib3: urllib3's timeouts bound each socket
# operation, so a portal sending a byte every half second would hold an attempt forever, and the
# deadline here is for the attempt as a whole (connection, headers, body, redirects); the watchdog
# needs the connection's socket from the start, before any response. The body is read undecoded
# and counted against --max-bytes as it comes, and a redirect is followed only after its target's
# origin is checked. Retrying is left to urllib3's policy and tenacity (:func:`_fetch`).


class _Watchdog:
    """Cuts a connection when its deadline passes, whatever it is blocked on."""

    def __init__(self, connection: http.client.HTTPConnection, seconds: float) -> None:
        self.fired = threading.Event()
        self._connection = connection
        self._timer = threading.Timer(seconds, self._cut)
        self._timer.daemon = True
        self._timer.start()

    def _cut(self) -> None:
        self.fired.set()
        sock = self._connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


def _read_body(
    response: http.client.HTTPResponse, limit: int, deadline: float, watchdog: _Watchdog, strict: bool
) -> bytes:
    """The body, read in chunks; beyond ``limit`` an error (``strict``) or the first ``limit`` bytes."""
    declared = response.getheader("Content-Length")
    length = int(declared) if declared and declared.strip().isascii() and declared.strip().isdigit() else None
    if strict and length is not None and length > limit:
        raise SnapshotError(f"phản hồi {length} byte, quá giới hạn {limit} byte (--max-bytes)")
    chunks: list[bytes] = []
    total = 0
    while True:
        if time.monotonic() >= deadline or watchdog.fired.is_set():
            raise _Transient("quá thời hạn của yêu cầu")
        chunk = response.read1(65536)
        if not chunk:
            break
        total += len(chunk)
        if total > limit:
            if strict:
                raise SnapshotError(f"phản hồi vượt quá giới hạn {limit} byte (--max-bytes), đã bỏ")
            chunks.append(chunk[: len(chunk) - (total - limit)])
            return b"".join(chunks)
        chunks.append(chunk)
    if watchdog.fired.is_set():
        raise _Transient("quá thời hạn của yêu cầu")
    if strict and length is not None and total != length:
        raise _Transient(f"phản hồi bị cắt: nhận {total}/{length} byte")
    return b"".join(chunks)


def _server_message(raw: bytes, secret: str = "") -> str:
    """What an error response says, cleaned: its JSON ``message`` or the start of its text, the token
    (``secret``) masked before it is cut short (a cut token would leave its start)."""
    text = _masked(raw.decode("utf-8", errors="replace").strip(), secret)
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        document = None
    if isinstance(document, dict):
        message = document.get("message") or document.get("error") or ""
        text = message if isinstance(message, str) else ""
    return clean_text(" ".join(_masked(text, secret).split()), 200)


def _exchange(
    origin: _Origin, url: str, data: bytes, headers: Mapping[str, str], deadline: float, max_bytes: int
) -> tuple[int, str, http.client.HTTPMessage, bytes]:
    """One HTTP request to ``origin``, within ``deadline``: status, reason, headers, body."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _Transient("quá thời hạn của yêu cầu")
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if not target.isascii() or re.search(r"[\x00-\x20\x7f]", target):
        raise SnapshotError(f"đường dẫn không hợp lệ: {clean_text(target, 200)}", redact_url(url))
    connection: http.client.HTTPConnection
    if origin.scheme == "https":
        connection = http.client.HTTPSConnection(origin.host, origin.port, timeout=remaining)
    else:
        connection = http.client.HTTPConnection(origin.host, origin.port, timeout=remaining)
    watchdog = _Watchdog(connection, remaining)
    try:
        connection.request("POST", target, body=data, headers=dict(headers))
        response = connection.getresponse()
        ok = 200 <= response.status < 300
        body = _read_body(response, max_bytes if ok else _ERROR_EXCERPT, deadline, watchdog, strict=ok)
        return response.status, clean_text(response.reason, 100), response.headers, body
    except ssl.SSLCertVerificationError as exc:
        raise SnapshotError(
            f"chứng chỉ TLS không hợp lệ ({clean_text(exc.verify_message, 200)})", redact_url(url)
        ) from None
    except (OSError, http.client.HTTPException, ValueError) as exc:
        if watchdog.fired.is_set() or isinstance(exc, TimeoutError):
            raise _Transient("quá thời hạn của yêu cầu") from None
        raise _Transient(f"{type(exc).__name__}: {clean_text(exc, 200)}") from None
    finally:
        watchdog.cancel()
        connection.close()


# Which answers deserve another attempt, and what a Retry-After asks: urllib3's policy, not ours.
# 429 and every 5xx are transient; Retry-After (seconds or an HTTP date, in the past counting as 0,
# capped at MAX_RETRY_AFTER) is read on 429 and 503 (413 is in urllib3's list too, but a 4xx other
# than 429 is a refusal here and never waits).
_POLICY = Retry(
    total=MAX_RETRIES,
    status_forcelist=frozenset({429, *range(500, 600)}),
    allowed_methods=None,  # the portal's evaluation endpoints are POST, and only read
    retry_after_max=MAX_RETRY_AFTER,
)


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header, capped; ``None`` if absent or unusable."""
    if not value:
        return None
    try:
        return float(_POLICY.parse_retry_after(value))
    except (InvalidHeader, ValueError, OverflowError):  # "soon", a date beyond the calendar, 10^5000 seconds
        return None


def _masked(text: str, secret: str) -> str:
    """``text`` with ``secret`` (the token) replaced by ``***``, and its start where the text ends in it
    (a body the client read only so far), and whatever follows a "Bearer " (another token echoed).

    Examples
    --------
    >>> _masked("error for Bearer abc123", "abc123"), _masked("ok", ""), _masked("echo: sk_live_A", "sk_live_ABCDEF")
    ('error for Bearer ***', 'ok', 'echo: ***')
    """
    text = _BEARER.sub(r"\1***", text)
    if not secret:
        return text
    text = text.replace(secret, "***")
    cut = next((n for n in range(len(secret) - 1, 3, -1) if text.endswith(secret[:n])), 0)
    return text[: len(text) - cut] + "***" if cut else text


def _attempt(
    origin: _Origin, url: str, data: bytes, headers: Mapping[str, str], timeout: float, max_bytes: int
) -> tuple[int, bytes, str]:
    """One attempt, same-origin redirects included, within ``timeout`` seconds: status, body, final URL."""
    deadline = time.monotonic() + timeout
    for _hop in range(MAX_REDIRECTS + 1):
        status, reason, response_headers, raw = _exchange(origin, url, data, headers, deadline, max_bytes)
        if status in _REDIRECTS:
            location = response_headers.get("Location")
            if not location:
                raise SnapshotError(f"Cổng chuyển hướng (HTTP {status}) mà không nói tới đâu", redact_url(url))
            target = urljoin(url, location.strip())
            if _origin_of(target) != origin:
                raise SnapshotError(
                    f"Cổng chuyển hướng sang nguồn khác «{redact_url(target)}»: không theo, token chỉ gửi tới {origin}",
                    redact_url(url),
                )
            url = target
            continue
        if 200 <= status < 300:
            return status, raw, url
        # a server may echo the request, its Authorization header with it: the token never reaches a message
        secret = headers.get("Authorization", "").removeprefix("Bearer ")
        last = _masked(f"HTTP {status} {reason}".strip(), secret)
        said = _server_message(raw, secret)
        if _POLICY.is_retry("POST", status):
            wait = (
                _retry_after(response_headers.get("Retry-After"))
                if status in _POLICY.RETRY_AFTER_STATUS_CODES
                else None
            )
            raise _Transient(f"{last}: {said}" if said else last, wait)
        refusal = _Denied if 400 <= status < 500 else SnapshotError
        raise refusal(f"Cổng từ chối yêu cầu: {last}" + (f" ({said})" if said else ""), redact_url(url))
    raise SnapshotError(f"Cổng chuyển hướng quá {MAX_REDIRECTS} lần", redact_url(url))


def _fetch(
    origin: _Origin,
    url: str,
    body: dict[str, Any],
    token: str | None,
    timeout: float,
    retries: int,
    backoff: float,
    max_bytes: int,
    sleep: Callable[[float], None],
    tell: Callable[[str], None] | None = None,
) -> tuple[int, bytes, str]:
    """POST ``body`` to ``url``: up to ``retries`` more attempts after a transient failure, each waiting
    what a 429 or 503 asked for, else ``backoff`` seconds doubled at each attempt (at most MAX_BACKOFF)."""
    data = json.dumps(body).encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "Accept-Encoding": "identity",
        "User-Agent": "chiso766-snapshot",
    }
    if token:
        headers["Authorization"] = f"Bearer {token}"
    exponential = wait_exponential(multiplier=backoff, max=MAX_BACKOFF)

    def wait(state: RetryCallState) -> float:
        failure = state.outcome.exception() if state.outcome is not None else None
        if isinstance(failure, _Transient) and failure.retry_after is not None:
            return failure.retry_after
        return exponential(state)

    def before_sleep(state: RetryCallState) -> None:
        failure = state.outcome.exception() if state.outcome is not None else None
        if tell is not None and isinstance(failure, _Transient) and state.next_action is not None:
            seconds = fmt_number(round(state.next_action.sleep, 1), 1, trim=False)
            tell(
                f"{url.rsplit('/', 1)[-1]}: {failure.reason}; thử lại sau {seconds} s "
                f"(lần {state.attempt_number + 1}/{retries + 1})"
            )

    attempts = Retrying(
        stop=stop_after_attempt(retries + 1),
        wait=wait,
        retry=retry_if_exception_type(_Transient),
        sleep=sleep,
        before_sleep=before_sleep,
        reraise=True,
    )
    try:
        return attempts(_attempt, origin, url, data, headers, timeout, max_bytes)
    except _Transient as exc:
        raise SnapshotError(f"không lấy được {redact_url(url)} sau {retries + 1} lần thử ({exc.reason})") from None


# validation --------------------------------------------------------------------------------------


class _Refused(ValueError):
    """A JSON document the snapshot refuses while parsing it."""


@dataclass(frozen=True)
class _NotFinite:
    """A NaN or ±Infinity as the JSON spells it, kept until :func:`_walk` knows its path."""

    name: str


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise _Refused(f"khóa «{clean_text(key, 60)}» lặp lại trong một đối tượng")
        document[key] = value
    return document


def _walk(document: Any, fail: Callable[[str, str], SnapshotError]) -> None:
    """Bounded nesting and finite, bounded numbers everywhere in the document."""
    stack: list[tuple[Any, int, tuple[Any, ...]]] = [(document, 0, ())]
    while stack:
        node, depth, where = stack.pop()
        if depth > MAX_DEPTH:
            raise fail(f"lồng quá sâu (quá {MAX_DEPTH} tầng)", _json_path(where))
        if isinstance(node, dict):
            stack.extend((value, depth + 1, (where, key)) for key, value in node.items())
        elif isinstance(node, list):
            stack.extend((value, depth + 1, (where, i)) for i, value in enumerate(node))
        elif isinstance(node, _NotFinite):
            raise fail(f"giá trị {node.name} không phải số hữu hạn", _json_path(where))
        elif isinstance(node, float) and not math.isfinite(node):
            raise fail(f"số không hữu hạn ({node})", _json_path(where))
        elif isinstance(node, int | float) and not isinstance(node, bool) and abs(node) > MAX_NUMBER:
            raise fail(f"số quá lớn ({clean_text(f'{node:.3g}', 40)})", _json_path(where))


def _json_path(where: tuple[Any, ...]) -> str:
    keys: list[Any] = []
    while where:
        where, key = where
        keys.append(key)
    keys = keys[:-1] if keys and keys[-1] == "data" else keys  # columns are named from the data block
    text = ""
    for key in reversed(keys):
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else str(key))
    return text


def _check_fields(
    raw: dict[str, Any],
    where: str,
    unit: str,
    group_max: float,
    counts: frozenset[str],
    fail: Callable[[str, str], SnapshotError],
) -> None:
    for key, value in raw.items():
        if value is None:
            continue
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        if key in _SCORES:
            if not is_number:
                raise fail(f"{unit}: điểm {key} = {clean_text(repr(value), 60)} không phải số", f"{where}.{key}")
            if not 0 <= value <= group_max:
                raise fail(f"{unit}: điểm {key} = {value} ngoài khoảng 0..{group_max:g} của nhóm", f"{where}.{key}")
        elif key in _PERCENTS:
            if not is_number or not 0 <= value <= 100:
                raise fail(f"{unit}: tỷ lệ {key} = {clean_text(repr(value), 60)} ngoài khoảng 0..100", f"{where}.{key}")
        elif key in counts or _COUNT_NAME.fullmatch(key):
            if not is_number or value != int(value):
                raise fail(f"{unit}: {key} = {clean_text(repr(value), 60)} không phải số nguyên", f"{where}.{key}")
            if not 0 <= value <= MAX_COUNT:
                raise fail(f"{unit}: {key} = {value:.0f} ngoài khoảng 0..{MAX_COUNT:.0e}", f"{where}.{key}")


@dataclass(frozen=True)
class _ErrorAt:
    """The errors of one response: they name its URL (without credentials) and the JSON path."""

    url: str

    def __call__(self, reason: str, column: str | None = None) -> SnapshotError:
        return SnapshotError(reason, redact_url(self.url), column=column or None)


def _data_block(raw: bytes, fail: _ErrorAt) -> dict[str, Any]:
    """The ``data`` of a response in the portal's envelope, once it is known to be sane JSON."""
    if not raw.strip():
        raise fail("phản hồi rỗng")
    try:
        document = json.loads(raw.decode("utf-8-sig"), parse_constant=_NotFinite, object_pairs_hook=_unique_keys)
    except _Refused as exc:
        raise fail(str(exc)) from None
    except UnicodeDecodeError as exc:
        raise fail(f"phản hồi không phải UTF-8 hợp lệ (byte {exc.start})") from None
    except RecursionError:
        raise fail("không phải JSON hợp lệ: lồng quá sâu") from None
    except ValueError as exc:  # JSONDecodeError, an integer of thousands of digits
        if "digits" in str(exc):
            raise fail("có số nguyên quá dài (hơn 4300 chữ số)") from None
        raise fail(f"không phải JSON hợp lệ hoặc bị cắt ({clean_text(exc, 200)})") from None
    _walk(document, fail)
    if not isinstance(document, dict) or not isinstance(document.get("data"), dict):
        raise fail("thiếu khối 'data' của phản hồi API")
    if document.get("code") not in (None, "OK"):
        said = document.get("message")
        raise fail(f"Cổng trả về mã {clean_text(repr(document.get('code')), 60)}: {clean_text(said, 200)}")
    data: dict[str, Any] = document["data"]
    return data


_UnitCheck = Callable[[dict[str, Any], str, str], None]  # (unit object, its JSON path, its name)


def _group_check(endpoint: str, method: Methodology, fail: _ErrorAt) -> _UnitCheck:
    """A unit of a group response: scores within the group's maximum, counts whole, metrics too."""
    group = next(g for g in method.groups if g.endpoint == endpoint)
    counts = frozenset(
        name
        for c in method.components_of(group.key)
        for name in (*c.numerator_field.split("+"), *c.denominator_field.split("+"))
    )

    def check(unit_raw: dict[str, Any], where: str, unit: str) -> None:
        _check_fields(unit_raw, where, unit, float(group.max), counts, fail)
        metrics = unit_raw.get("metrics")
        if metrics is None:
            return
        if not isinstance(metrics, list):
            raise fail(f"{unit}: metrics không phải danh sách", f"{where}.metrics")
        for i, metric in enumerate(metrics):
            if not isinstance(metric, dict):
                raise fail(f"{unit}: chỉ số không phải đối tượng JSON", f"{where}.metrics[{i}]")
            _check_fields(metric, f"{where}.metrics[{i}]", unit, float(group.max), counts, fail)

    return check


def _results_check(method: Methodology, fail: _ErrorAt) -> _UnitCheck:
    """A member of a ``service-results`` answer: total within 0..100, each group's score within its
    maximum (CKMB 18, TDGQ 20, …)."""
    maxima = {g.code: float(g.max) for g in method.groups}
    total = sum(maxima.values())

    def check(unit_raw: dict[str, Any], where: str, unit: str) -> None:
        _check_fields(unit_raw, where, unit, total, frozenset(), fail)
        scores = unit_raw.get("groupScores")
        if scores is None:
            return
        if not isinstance(scores, dict):
            raise fail(f"{unit}: groupScores không phải đối tượng JSON", f"{where}.groupScores")
        for code, top in maxima.items():  # keys beyond the six are left to the reader of the file
            value = scores.get(code)
            if value is None:
                continue
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise fail(
                    f"{unit}: điểm nhóm {code} = {clean_text(repr(value), 60)} không phải số",
                    f"{where}.groupScores.{code}",
                )
            if not 0 <= value <= top:
                raise fail(f"{unit}: điểm nhóm {code} = {value} ngoài khoảng 0..{top:g}", f"{where}.groupScores.{code}")

    return check


def _check_response(endpoint: str, raw: bytes, url: str, root_department_id: str, method: Methodology) -> None:
    """The checks :func:`read_snapshot` does not make, on one response, before it is kept.

    The ``service-results`` answers (:data:`NATIONAL_ENDPOINTS`) are held to the same rules, with the
    total and group maxima in place of one group's: the national list's ``overview`` is the country,
    without a departmentId, and the list must hold the province asked for.
    """
    fail = _ErrorAt(url)
    data = _data_block(raw, fail)
    results = endpoint in NATIONAL_ENDPOINTS
    national = endpoint == "service-results"
    head, list_name = ("overview", "evaluation") if results or "evaluation" in data else ("parent", "children")
    members = data.get(list_name)
    if not isinstance(members, list) or not members:
        raise fail("danh sách đơn vị rỗng", list_name)
    pages = data.get("pagination")
    if isinstance(pages, dict):
        total, count = pages.get("totalPages"), pages.get("total")
        if (isinstance(total, int) and total > 1) or (isinstance(count, int) and count > len(members)):
            raise fail(
                f"Cổng chia kết quả thành nhiều trang (totalPages = {clean_text(total, 20)}, total = "
                f"{clean_text(count, 20)}) mà chỉ trang đầu được lấy ({len(members)} đơn vị): ảnh chụp sẽ thiếu đơn vị",
                "pagination",
            )
    check = _results_check(method, fail) if results else _group_check(endpoint, method, fail)
    objects: list[tuple[Any, str]] = [(data[head], head)] if data.get(head) is not None else []
    objects += [(m, f"{list_name}[{i}]") for i, m in enumerate(members)]
    seen: dict[str, str] = {}
    for unit_raw, where in objects:
        if not isinstance(unit_raw, dict):
            raise fail("đơn vị không phải đối tượng JSON", where)
        unit_id = nfc(unit_raw.get("departmentId")) if isinstance(unit_raw.get("departmentId"), str) else ""
        if not (national and where == head):  # the country as a whole has no departmentId
            if not unit_id:
                raise fail("đơn vị không có departmentId (chuỗi)", f"{where}.departmentId")
            if unit_id in seen:
                raise fail(f"departmentId {unit_id} lặp lại (đã có ở {seen[unit_id]})", f"{where}.departmentId")
            seen[unit_id] = where
            if where == head and unit_id.lower() != root_department_id.lower():
                raise fail(
                    f"phản hồi là của đơn vị {unit_id}, không phải {root_department_id} đã hỏi", f"{where}.departmentId"
                )
        check(unit_raw, where, clean_text(nfc(unit_raw.get("departmentName")) or unit_id, 120))
    if national and root_department_id.lower() not in {unit_id.lower() for unit_id in seen}:
        raise fail(
            f"bảng đánh giá cả nước ({len(members)} tỉnh) không có tỉnh {root_department_id} đã hỏi: "
            "kiểm tra --root-department-id",
            list_name,
        )


def _read_back(folder: Path, method: Methodology, urls: Mapping[str, str]) -> None:
    """Read the kept responses as ``run`` will; its refusal names the endpoint's URL, not the folder."""
    try:
        read_snapshot(folder, method)
    except InputError as exc:
        endpoint = Path(exc.path).stem if exc.path is not None else ""
        where = redact_url(urls[endpoint]) if endpoint in urls else None
        raise SnapshotError(exc.reason, where, exc.row, exc.column) from None
    except (ValueError, TypeError, KeyError, AttributeError, ArithmeticError, RecursionError) as exc:
        raise SnapshotError(
            f"phản hồi của Cổng không đọc được ({type(exc).__name__}: {clean_text(exc, 200)})"
        ) from None


# the command -------------------------------------------------------------------------------------


def _methodology(period: Period) -> Methodology:
    try:
        return load(version_for(period.end))
    except ValueError:
        return load()


@dataclass(frozen=True)
class _Session:
    """One snapshot's requests: where they go, how they are retried, what answers are checked against
    and the folder they are kept in."""

    origin: _Origin
    prefix: str
    token: str | None
    timeout: float
    retries: int
    backoff: float
    max_bytes: int
    sleep: Callable[[float], None]
    root: str
    method: Methodology
    folder: Path
    progress: Callable[[str], None] | None = None

    def url(self, endpoint: str) -> str:
        return f"{self.prefix}{_PATH}{endpoint}"

    def post(self, url: str, body: dict[str, Any]) -> tuple[int, bytes, str]:
        return _fetch(
            self.origin,
            url,
            body,
            self.token,
            self.timeout,
            self.retries,
            self.backoff,
            self.max_bytes,
            self.sleep,
            self.progress,
        )

    def tell(self, line: str) -> None:
        if self.progress is not None:
            self.progress(line)

    def keep(self, endpoint: str, body: dict[str, Any], file: str, procedure: str = "") -> dict[str, Any]:
        """Fetch one evaluation response, check it, write it to ``file``: its record in ``captures``."""
        url = self.url(endpoint)
        start = time.monotonic()
        status, raw, final_url = self.post(url, body)
        _check_response(endpoint, raw, url, self.root, self.method)
        _write(self.folder / file, raw)
        seconds = fmt_number(time.monotonic() - start, 1, trim=False)
        self.tell(f"đã lấy {file} (HTTP {status}, {fmt_count(len(raw))} byte, {seconds} s)")
        capture: dict[str, Any] = {
            "endpoint": endpoint,
            **({"procedure": procedure} if procedure else {}),
            "file": file,
            "method": "POST",
            "url": url,
            "payload": body,
            "httpStatus": status,
            "capturedAt": datetime.now(UTC).isoformat(timespec="seconds"),
            "sha256": hashlib.sha256(raw).hexdigest(),
            "bytes": len(raw),
        }
        if final_url != url:
            capture["redirectedTo"] = final_url
        return capture


def _formality(session: _Session, code: str) -> dict[str, str]:
    """The catalogue item of procedure ``code`` (id, code, name): the one whose code is exactly it."""
    url = f"{session.prefix}{_CATALOGUE}"
    fail = _ErrorAt(url)
    _status, raw, _final = session.post(url, {"q": code, "currentPage": 1, "pageSize": 10})
    items = _data_block(raw, fail).get("items")
    if not isinstance(items, list):
        raise fail("thiếu danh sách thủ tục 'items' của danh mục", "items")
    found = [(i, item) for i, item in enumerate(items) if isinstance(item, dict) and item.get("code") == code]
    if not found:
        near = ", ".join(clean_text(item.get("code"), 40) for item in items[:5] if isinstance(item, dict))
        raise fail(f"danh mục thủ tục của Cổng không có thủ tục mã «{code}»" + (f" (tìm thấy: {near})" if near else ""))
    if len(found) > 1:
        raise fail(f"danh mục thủ tục của Cổng có {len(found)} thủ tục cùng mã «{code}»: không biết lấy thủ tục nào")
    i, item = found[0]
    # The id goes into the next requests' bodies: only the portal's UUID form is sent on.
    if not isinstance(item.get("id"), str) or not _DEPARTMENT_ID.fullmatch(item["id"]):
        raise fail(f"thủ tục «{code}» có id {clean_text(repr(item.get('id')), 60)} không hợp lệ", f"items[{i}].id")
    session.tell(f"đã lấy thủ tục {code} trong danh mục của Cổng")
    return {"id": item["id"], "code": code, "name": nfc(item.get("name")) if isinstance(item.get("name"), str) else ""}


def _keep_procedure(
    session: _Session, code: str, dossiers: int | None, period: Period
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The five filtered responses of one procedure in ``procedures/<code>/``: its entry in
    ``procedures`` and its captures."""
    item = _formality(session, code)
    folder = f"procedures/{code}"
    _write(session.folder / folder / "formality.json", (json.dumps(item, ensure_ascii=False, indent=2) + "\n").encode())
    captures = [
        session.keep(
            endpoint,
            request_body(endpoint, session.root, period) | {key: item["id"]},
            f"{folder}/{endpoint}.json",
            code,
        )
        for endpoint, key in FORMALITY_FILTER.items()
    ]
    _read_back(
        session.folder / folder, session.method, {endpoint: session.url(endpoint) for endpoint in FORMALITY_FILTER}
    )
    return {"code": code, "id": item["id"], "name": item["name"], "dossiers": dossiers}, captures


def snapshot(
    root_department_id: str,
    period: str,
    out_root: str | Path,
    *,
    name: str = "",
    base_url: str = DEFAULT_BASE_URL,
    timeout: float = DEFAULT_TIMEOUT,
    retries: int = 3,
    backoff: float = 1.0,
    max_bytes: int = DEFAULT_MAX_BYTES,
    national: bool = False,
    procedures: int = 0,
    procedure_codes: Sequence[str] = (),
    dossiers: str | Path | None = None,
    warn: Callable[[str], None] | None = None,
    progress: Callable[[str], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    now: datetime | None = None,
) -> Path:
    """Fetch the six endpoints and write ``<out_root>/<name>-<period>-<UTC time>/``; return it.

    ``timeout`` bounds each attempt of each request as a whole (connection, headers, body and
    same-origin redirects); ``retries`` more attempts follow a timeout, a lost connection, a 5xx or
    a 429. Arguments are checked before anything is sent: ``name`` is a slug, the department id
    the portal's UUID form, ``base_url`` an http(s) origin without credentials.

    ``national`` also keeps both ``service-results`` answers (the command line asks for them unless
    ``--no-national``); if the portal refuses one with a 4xx, the rest is kept and ``warn`` is told,
    as ``snapshot.json`` is (``warnings``).

    ``procedures`` (N), ``procedure_codes`` and ``dossiers`` (the province's dossier table) choose the
    procedures whose five filtered group responses are kept in ``procedures/<code>/``: the N codes of
    the table with most dossiers, or the codes given (ranked by the table when there is one, cut to N
    when N is given). ``snapshot.json`` lists them under ``procedures`` with their dossier counts.

    ``progress`` is told one line per response kept and per retry (the endpoint, what went wrong,
    how long it waits).
    """
    parsed = _check_arguments(root_department_id, period, name, timeout, retries, max_bytes)
    origin, prefix = _check_base_url(base_url)
    token = _token()
    method = _methodology(parsed)
    bodies = {endpoint: request_body(endpoint, root_department_id, parsed) for endpoint in ENDPOINTS}
    national_bodies = (
        {endpoint: request_body(endpoint, root_department_id, parsed) for endpoint in NATIONAL_ENDPOINTS}
        if national
        else {}
    )
    chosen = _choose_procedures(procedures, procedure_codes, dossiers)
    now = now or datetime.now(UTC)
    out_root = Path(out_root)
    final = out_root / f"{name or root_department_id.lower()}-{parsed.slug}-{now:%Y%m%dT%H%M%SZ}"
    if final.parent != out_root:  # cannot happen with the checks above; kept as the last guard
        raise SnapshotError("tên thư mục ảnh chụp ra ngoài --out", final)
    if final.exists():
        raise SnapshotError("thư mục ảnh chụp đã có", final)
    partial = out_root / f".{final.name}.partial-{os.getpid()}"
    session = _Session(
        origin,
        prefix,
        token,
        timeout,
        retries,
        backoff,
        max_bytes,
        sleep,
        root_department_id,
        method,
        partial,
        progress,
    )
    try:
        out_root.mkdir(parents=True, exist_ok=True)
        partial.mkdir()
    except OSError as exc:
        raise SnapshotError(f"không tạo được thư mục ảnh chụp ({clean_text(exc.strerror or exc)})", out_root) from None
    try:
        captures = [session.keep(endpoint, bodies[endpoint], f"{endpoint}.json") for endpoint in ENDPOINTS]
        _read_back(partial, method, {endpoint: session.url(endpoint) for endpoint in ENDPOINTS})
        warnings: list[str] = []
        for i, (endpoint, body) in enumerate(national_bodies.items()):
            try:
                captures.append(session.keep(endpoint, body, f"{endpoint}.json"))
            except _Denied as exc:
                # Some portals do not offer service-results: the six already fetched are worth keeping.
                missing = ", ".join(f"{e}.json" for e in list(national_bodies)[i:])
                warnings.append(
                    f"{endpoint}: {exc.reason}; ảnh chụp không có {missing} (bối cảnh cả nước). "
                    "Dùng --no-national nếu Cổng không có điểm cuối này"
                )
                break
        kept: list[dict[str, Any]] = []
        for code, count in chosen:
            entry, procedure_captures = _keep_procedure(session, code, count, parsed)
            kept.append(entry)
            captures += procedure_captures
        meta = {
            "rootDepartmentId": root_department_id,
            "period": parsed.label,
            "name": name,
            "authenticated": token is not None,
            "captures": captures,
            "procedures": kept,
            "warnings": warnings,
        }
        text = json.dumps(meta, ensure_ascii=False, indent=2) + "\n"
        _write(partial / "snapshot.json", text.encode("utf-8"))
        try:
            partial.rename(final)
        except OSError as exc:
            raise SnapshotError(
                f"không đổi tên được thư mục ảnh chụp ({clean_text(exc.strerror or exc)})", final
            ) from None
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    if warn is not None:
        for warning in warnings:
            warn(warning)
    return final


def _write(path: Path, raw: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)  # procedures/<code>/
        with path.open("wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        raise SnapshotError(f"không ghi được ({clean_text(exc.strerror or exc)})", path) from None
