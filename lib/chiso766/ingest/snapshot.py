"""``chiso766 snapshot``: fetch the six evaluation responses for a province and period, and keep them.

A bulletin is only defensible if the exact responses it used are kept: each raw response is saved
byte for byte with its URL, request body, time and SHA-256. The folder appears complete or not at
all. The token, if any, comes from the environment (``CHISO766_PORTAL_TOKEN``) and is never saved.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chiso766.core.errors import InputError
from chiso766.core.periods import Period, parse_period
from chiso766.ingest.portal import ENDPOINTS

__all__ = ["SnapshotError", "snapshot", "request_body", "TOKEN_ENV", "DEFAULT_BASE_URL"]

TOKEN_ENV = "CHISO766_PORTAL_TOKEN"
DEFAULT_BASE_URL = "https://dichvucong.gov.vn"
_PATH = "/api/v1/reporting/evaluation/"


class SnapshotError(InputError):
    """The portal could not give a complete, valid snapshot; nothing was kept."""


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


def _fetch(
    url: str,
    body: dict[str, Any],
    token: str | None,
    timeout: float,
    retries: int,
    backoff: float,
    sleep: Callable[[float], None],
) -> tuple[int, bytes]:
    data = json.dumps(body).encode("utf-8")
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    last = ""
    for attempt in range(retries + 1):
        request = urllib.request.Request(url, data=data, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code} {exc.reason}"
            if exc.code < 500 and exc.code != 429:
                raise SnapshotError(f"Cổng từ chối yêu cầu {url}: {last}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            last = f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"
        if attempt < retries:
            sleep(backoff * 2**attempt)
    raise SnapshotError(f"không lấy được {url} sau {retries + 1} lần thử ({last})")


def _check(endpoint: str, raw: bytes, url: str) -> None:
    try:
        document = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SnapshotError(f"phản hồi của {url} không phải JSON hợp lệ hoặc bị cắt ({exc})") from None
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, dict):
        raise SnapshotError(f"phản hồi của {url} thiếu khối 'data'")
    units = data.get("evaluation") if "evaluation" in data else data.get("children")
    if not units:
        raise SnapshotError(f"phản hồi của {url} có danh sách đơn vị rỗng")


def snapshot(
    root_department_id: str,
    period: str,
    out_root: str | Path,
    *,
    name: str = "",
    base_url: str = DEFAULT_BASE_URL,
    timeout: float = 30,
    retries: int = 3,
    backoff: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
    now: datetime | None = None,
) -> Path:
    """Fetch the six endpoints and write ``<out_root>/<name>-<period>-<UTC time>/``; return it."""
    parsed = parse_period(period)
    now = now or datetime.now(UTC)
    token = os.environ.get(TOKEN_ENV) or None
    out_root = Path(out_root)
    final = out_root / f"{name or root_department_id}-{parsed.slug}-{now:%Y%m%dT%H%M%SZ}"
    if final.exists():
        raise SnapshotError("thư mục ảnh chụp đã có", final)
    out_root.mkdir(parents=True, exist_ok=True)
    partial = out_root / f".{final.name}.partial-{os.getpid()}"
    partial.mkdir()
    try:
        captures = []
        for endpoint in ENDPOINTS:
            url = base_url.rstrip("/") + _PATH + endpoint
            body = request_body(endpoint, root_department_id, parsed)
            status, raw = _fetch(url, body, token, timeout, retries, backoff, sleep)
            _check(endpoint, raw, url)
            (partial / f"{endpoint}.json").write_bytes(raw)
            captures.append(
                {
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
            )
        meta = {
            "rootDepartmentId": root_department_id,
            "period": parsed.label,
            "name": name,
            "authenticated": token is not None,
            "captures": captures,
        }
        (partial / "snapshot.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return final
