"""``chiso766 snapshot``: fetch the six evaluation responses for a province and period, and keep them.

A bulletin is only defensible if the exact responses it used are kept: each raw response is saved
byte for byte with its URL, request body, time and SHA-256. The folder appears complete or not at
all. The token, if any, comes from the environment (``CHISO766_PORTAL_TOKEN``) and is never saved.

The portal is not trusted:

* every request has a total deadline (connection, headers and body together, redirects included),
  and a body larger than ``max_bytes`` is abandoned while it is read;
* redirects are followed only within the configured origin (scheme, host, port): a redirect
  anywhere else is refused before anything is sent there, so the token never leaves that origin;
* 429 and 503 wait as ``Retry-After`` says (capped); other transient faults back off exponentially;
  any other refusal (404, 401, …) stops at once;
* each response is checked (UTF-8 JSON, finite numbers, bounded nesting, counts and scores within
  range, unique units) and the six are read by :func:`chiso766.ingest.portal.read_snapshot`
  before the folder appears;
* every message is one line: control characters and terminal escape sequences sent by the
  server are shown escaped, and credentials in ``--base-url`` are never echoed.
"""

from __future__ import annotations

import contextlib
import email.utils
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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from chiso766.core.errors import InputError
from chiso766.core.methodology import Methodology, load, version_for
from chiso766.core.periods import Period, parse_period
from chiso766.core.textvi import nfc
from chiso766.ingest.portal import ENDPOINTS, read_snapshot

__all__ = [
    "SnapshotError",
    "snapshot",
    "request_body",
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
MAX_RETRY_AFTER = 60.0  # seconds: a longer Retry-After is shortened to this
MAX_BACKOFF = 60.0
MAX_REDIRECTS = 5
MAX_RETRIES = 10
MAX_DEPTH = 32  # the reference responses nest 6 deep
MAX_COUNT = 10**12  # a year of dossiers of the whole country is ~10^8
MAX_NUMBER = 10**15  # any number at all
_PATH = "/api/v1/reporting/evaluation/"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_ERROR_EXCERPT = 4096  # bytes of an error response read for its message

_NAME = re.compile(r"[a-z0-9-]{1,40}")
_DEPARTMENT_ID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_PERIOD_TEXT = re.compile(r"[0-9Qq.\-]{4,23}")
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


def request_body(endpoint: str, root_department_id: str, period: Period) -> dict[str, Any]:
    """The POST body the portal expects (as recorded with the reference responses).

    Examples
    --------
    >>> request_body("transparency", "X", parse_period("2026-08"))["month"]
    8
    """
    body: dict[str, Any] = {
        "rootDepartmentId": root_department_id,
        "currentPage": 1,
        "pageSize": 100 if endpoint == "dvc-progress-tree" else 200,
    }
    if endpoint == "handling-satisfaction" or period.kind == "range":
        if endpoint != "handling-satisfaction":
            raise SnapshotError(f"Cổng chỉ đánh giá theo tháng, quý, năm: kỳ «{period.label}» không dùng được")
        return body | {"fromDate": period.start.isoformat(), "toDate": period.end.isoformat()}
    body |= {"timeType": period.kind, "year": period.start.year}
    if period.kind == "month":
        body["month"] = period.start.month
    elif period.kind == "quarter":
        body["quarter"] = (period.start.month - 1) // 3 + 1
    return body


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


def _token() -> str | None:
    token = os.environ.get(TOKEN_ENV) or None
    if token is not None and not _TOKEN.fullmatch(token):
        raise SnapshotError(
            f"biến môi trường {TOKEN_ENV} chứa khoảng trắng, xuống dòng hoặc ký tự ngoài ASCII: không dùng làm token"
        )
    return token


# transport ---------------------------------------------------------------------------------------


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


def _server_message(raw: bytes) -> str:
    """What an error response says, cleaned: its JSON ``message`` or the start of its text."""
    text = raw.decode("utf-8", errors="replace").strip()
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        document = None
    if isinstance(document, dict):
        message = document.get("message") or document.get("error") or ""
        text = message if isinstance(message, str) else ""
    return clean_text(" ".join(text.split()), 200)


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


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or HTTP date), capped; ``None`` if unusable."""
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"[0-9]{1,12}", value):
        seconds = float(int(value))
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            return None
        seconds = (when - datetime.now(UTC)).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


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
        last = f"HTTP {status} {reason}".strip()
        said = _server_message(raw)
        if status == 429 or status >= 500:
            wait = _retry_after(response_headers.get("Retry-After")) if status in (429, 503) else None
            raise _Transient(f"{last}: {said}" if said else last, wait)
        raise SnapshotError(f"Cổng từ chối yêu cầu: {last}" + (f" ({said})" if said else ""), redact_url(url))
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
) -> tuple[int, bytes, str]:
    data = json.dumps(body).encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "Accept-Encoding": "identity",
        "User-Agent": "chiso766-snapshot",
    }
    if token:
        headers["Authorization"] = f"Bearer {token}"
    last = ""
    for attempt in range(retries + 1):
        try:
            return _attempt(origin, url, data, headers, timeout, max_bytes)
        except _Transient as exc:
            last, wait = exc.reason, exc.retry_after
        if attempt < retries:
            sleep(wait if wait is not None else min(backoff * 2**attempt, MAX_BACKOFF))
    raise SnapshotError(f"không lấy được {redact_url(url)} sau {retries + 1} lần thử ({last})")


# validation --------------------------------------------------------------------------------------


class _Refused(ValueError):
    """A JSON document the snapshot refuses while parsing it."""


def _refuse_constant(name: str) -> Any:
    raise _Refused(f"giá trị {name} không phải số hữu hạn")


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


def _check_response(endpoint: str, raw: bytes, url: str, root_department_id: str, method: Methodology) -> None:
    """The checks :func:`read_snapshot` does not make, on one response, before it is kept."""

    def fail(reason: str, column: str | None = None) -> SnapshotError:
        return SnapshotError(reason, redact_url(url), column=column or None)

    if not raw.strip():
        raise fail("phản hồi rỗng")
    try:
        document = json.loads(raw.decode("utf-8-sig"), parse_constant=_refuse_constant, object_pairs_hook=_unique_keys)
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
    head, list_name = ("overview", "evaluation") if "evaluation" in data else ("parent", "children")
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
    group = next(g for g in method.groups if g.endpoint == endpoint)
    counts = frozenset(
        name
        for c in method.components_of(group.key)
        for name in (*c.numerator_field.split("+"), *c.denominator_field.split("+"))
    )
    objects: list[tuple[Any, str]] = [(data[head], head)] if data.get(head) is not None else []
    objects += [(m, f"{list_name}[{i}]") for i, m in enumerate(members)]
    seen: dict[str, str] = {}
    for unit_raw, where in objects:
        if not isinstance(unit_raw, dict):
            raise fail("đơn vị không phải đối tượng JSON", where)
        unit_id = nfc(unit_raw.get("departmentId")) if isinstance(unit_raw.get("departmentId"), str) else ""
        if not unit_id:
            raise fail("đơn vị không có departmentId (chuỗi)", f"{where}.departmentId")
        if unit_id in seen:
            raise fail(f"departmentId {unit_id} lặp lại (đã có ở {seen[unit_id]})", f"{where}.departmentId")
        seen[unit_id] = where
        if where == head and unit_id.lower() != root_department_id.lower():
            raise fail(
                f"phản hồi là của đơn vị {unit_id}, không phải {root_department_id} đã hỏi", f"{where}.departmentId"
            )
        unit = clean_text(nfc(unit_raw.get("departmentName")) or unit_id, 120)
        _check_fields(unit_raw, where, unit, float(group.max), counts, fail)
        metrics = unit_raw.get("metrics")
        if metrics is None:
            continue
        if not isinstance(metrics, list):
            raise fail(f"{unit}: metrics không phải danh sách", f"{where}.metrics")
        for i, metric in enumerate(metrics):
            if not isinstance(metric, dict):
                raise fail(f"{unit}: chỉ số không phải đối tượng JSON", f"{where}.metrics[{i}]")
            _check_fields(metric, f"{where}.metrics[{i}]", unit, float(group.max), counts, fail)


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
    sleep: Callable[[float], None] = time.sleep,
    now: datetime | None = None,
) -> Path:
    """Fetch the six endpoints and write ``<out_root>/<name>-<period>-<UTC time>/``; return it.

    ``timeout`` bounds each attempt of each request as a whole (connection, headers, body and
    same-origin redirects); ``retries`` more attempts follow a timeout, a lost connection, a 5xx or
    a 429. Arguments are checked before anything is sent: ``name`` is a slug, the department id
    the portal's UUID form, ``base_url`` an http(s) origin without credentials.
    """
    parsed = _check_arguments(root_department_id, period, name, timeout, retries, max_bytes)
    origin, prefix = _check_base_url(base_url)
    token = _token()
    method = _methodology(parsed)
    bodies = {endpoint: request_body(endpoint, root_department_id, parsed) for endpoint in ENDPOINTS}
    urls = {endpoint: f"{prefix}{_PATH}{endpoint}" for endpoint in ENDPOINTS}
    now = now or datetime.now(UTC)
    out_root = Path(out_root)
    final = out_root / f"{name or root_department_id.lower()}-{parsed.slug}-{now:%Y%m%dT%H%M%SZ}"
    if final.parent != out_root:  # cannot happen with the checks above; kept as the last guard
        raise SnapshotError("tên thư mục ảnh chụp ra ngoài --out", final)
    if final.exists():
        raise SnapshotError("thư mục ảnh chụp đã có", final)
    partial = out_root / f".{final.name}.partial-{os.getpid()}"
    try:
        out_root.mkdir(parents=True, exist_ok=True)
        partial.mkdir()
    except OSError as exc:
        raise SnapshotError(f"không tạo được thư mục ảnh chụp ({clean_text(exc.strerror or exc)})", out_root) from None
    try:
        captures = []
        for endpoint in ENDPOINTS:
            url, body = urls[endpoint], bodies[endpoint]
            status, raw, final_url = _fetch(origin, url, body, token, timeout, retries, backoff, max_bytes, sleep)
            _check_response(endpoint, raw, url, root_department_id, method)
            _write(partial / f"{endpoint}.json", raw)
            capture: dict[str, Any] = {
                "endpoint": endpoint,
                "file": f"{endpoint}.json",
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
            captures.append(capture)
        _read_back(partial, method, urls)
        meta = {
            "rootDepartmentId": root_department_id,
            "period": parsed.label,
            "name": name,
            "authenticated": token is not None,
            "captures": captures,
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
    return final


def _write(path: Path, raw: bytes) -> None:
    try:
        with path.open("wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        raise SnapshotError(f"không ghi được ({clean_text(exc.strerror or exc)})", path) from None
