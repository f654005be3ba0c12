"""Read a score table (CSV or XLSX): group points, group rates in %, or totals only, per unit.

Headers may be the CONTRACT's keys (``cong_khai``, ``cong_khai_rate``) or the Vietnamese ones the
reference bulletins print ("Công khai, minh bạch – Điểm (18)", "Tiến độ giải quyết – Tỷ lệ (%)").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from chiso766.core.decimals import to_decimal
from chiso766.core.errors import Diagnostics, InputError
from chiso766.core.methodology import GROUP_KEYS, Methodology
from chiso766.core.textvi import fold, name_key, nfc
from chiso766.ingest.tabular import read_table
from chiso766.ingest.units import TIERS, Registry, tier_from_name

__all__ = ["read_scores", "SCORE_TABLE_COLUMNS", "parse_number", "parse_date"]

_FIELDS = {
    "unit_name": (
        "unit name",
        "ten don vi",
        "don vi",
        "co quan",
        "so nganh",
        "ten co quan",
        "dia phuong",
        "ten dia phuong",
        "ten",
    ),
    "unit_code": ("unit code", "ma don vi", "ma co quan", "ma"),
    "tier": ("tier", "cap", "loai don vi", "cap don vi"),
    "as_of": ("as of", "tinh den ngay", "ngay du lieu", "ngay"),
    "total": ("total", "tong diem", "tong"),
    "rank": ("rank", "xep hang", "thu hang", "hang"),
    "rank_of": ("rank of", "tong so don vi", "so don vi xep hang", "so don vi duoc xep hang", "tong so"),
}
_IGNORED = ("stt", "ghi chu", "notes", "note", "so thu tu")
_GROUP_ALIASES = {
    "cong_khai": ("cong khai minh bach", "cong khai"),
    "tien_do": ("tien do giai quyet", "tien do"),
    "truc_tuyen": ("dich vu cong truc tuyen", "truc tuyen"),
    "thanh_toan": ("thanh toan truc tuyen", "thanh toan"),
    "hai_long": ("muc do hai long", "hai long"),
    "so_hoa": ("so hoa ho so ket qua", "so hoa ho so", "so hoa"),
}
_RANK_WORDS = re.compile(r"\b(xep hang|thu hang|rank)\b")
_RATE_WORDS = re.compile(r"\b(ty le|rate|pct|phan tram)\b")
_TIER_WORDS = {
    "so": "so",
    "sở": "so",
    "ban": "so",
    "nganh": "so",
    "so ban nganh": "so",
    "xa": "xa",
    "xã": "xa",
    "phuong": "xa",
    "phường": "xa",
    "dac khu": "xa",
    "xa phuong dac khu": "xa",
    "tinh": "tinh",
    "tỉnh": "tinh",
    "thanh pho": "tinh",
}

SCORE_TABLE_COLUMNS = [
    "unit_key",
    "unit_code",
    "unit_name",
    "tier",
    "as_of",
    *GROUP_KEYS,
    *(f"{g}_rate" for g in GROUP_KEYS),
    "total",
    "portal_rank",
    "portal_rank_of",
    *(f"portal_rank_{g}" for g in GROUP_KEYS),
    "file",
    "line",
    *(f"{g}_column" for g in GROUP_KEYS),
    *(f"{g}_rate_column" for g in GROUP_KEYS),
    "total_column",
    "rank_column",
]
"""The columns :func:`read_scores` returns, in order."""


def _column_role(header: str) -> tuple[str, str] | None:
    """``(field, kind)`` for a header: ``("tien_do", "rate")``, ``("unit_name", "")`` or ``None``."""
    key = fold(header)
    if key in _IGNORED:
        return ("", "ignored")
    for name, words in _FIELDS.items():
        if key in words or key == fold(name):
            return (name, "")
    candidates = sorted(
        ((alias, g) for g, aliases in _GROUP_ALIASES.items() for alias in aliases), key=lambda pair: -len(pair[0])
    )
    if _RANK_WORDS.search(key):  # "Xếp hạng Công khai, minh bạch", rank_cong_khai: a group's rank, not its points
        for alias, group in candidates:
            if re.search(rf"\b{alias}\b", key) or fold(group) in key:
                return (f"rank_{group}", "")
    for alias, group in candidates:
        if re.search(rf"\b{alias}\b", key) or key.startswith(fold(group)):
            is_rate = bool(_RATE_WORDS.search(key)) or "%" in header or key.endswith(" rate")
            return (group, "rate" if is_rate else "points")
    return None


def parse_number(text: str) -> Decimal | None:
    """Parse ``84,63``, ``84.63``, ``1.234,5``, ``50.133`` (thousands) or ``87,62%``; '' is ``None``.

    Examples
    --------
    >>> parse_number("84,63"), parse_number("1.234,5"), parse_number("87,62%"), parse_number("")
    (Decimal('84.63'), Decimal('1234.5'), Decimal('87.62'), None)
    """
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "").rstrip("%")
    if not cleaned:
        return None
    if "," in cleaned and "." in cleaned:
        if cleaned.rfind(",") > cleaned.rfind("."):
            cleaned = cleaned.replace(".", "").replace(",", ".")
        else:
            cleaned = cleaned.replace(",", "")
    elif "," in cleaned:
        cleaned = cleaned.replace(",", ".")
    if not re.fullmatch(r"-?\d+(\.\d+)?", cleaned):
        raise ValueError(text)
    return to_decimal(cleaned)


def parse_date(text: str) -> date | None:
    """Parse ``2025-10-09``, ``09/10/2025`` or ``9/10/2025``; '' is ``None``."""
    text = text.strip()
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def read_scores(
    path: str | Path,
    method_for: Callable[[date | None], Methodology],
    registry: Registry | None = None,
    default_as_of: date | None = None,
    diagnostics: Diagnostics | None = None,
) -> pd.DataFrame:
    """Read a score table into one row per unit and as-of date, values as the table gives them.

    Returns columns ``unit_key, unit_code, unit_name, tier, as_of``, the six group keys (points as
    given, ``None`` where the cell is empty or the table has no such column), ``<group>_rate`` (the
    group's rate in % as given), ``total`` and ``portal_rank`` as given, and where each came from:
    ``file``, ``line`` and the header of each value's column (``<group>_column``,
    ``<group>_rate_column``, ``total_column``, ``rank_column``; ``None`` when the table has none).
    Values are checked against the methodology's ranges here; turning rates into points, summing
    groups into a total and comparing them is compute's (``compute.scorecard.points_from_table``).
    """
    diagnostics = diagnostics if diagnostics is not None else Diagnostics()
    table = read_table(path, diagnostics)
    roles: dict[str, tuple[str, str]] = {}
    for header in table.frame.columns:
        role = _column_role(header)
        if role is None:
            diagnostics.warn("ignored_column", f"cột «{header}» không được nhận ra, đã bỏ qua", path, 1, header)
        elif role[1] != "ignored":
            roles[header] = role
    fields = {f for f, _ in roles.values()}
    if not fields & {"unit_name", "unit_code"}:
        raise InputError("thiếu cột tên đơn vị (unit_name hoặc «Tên đơn vị»)", path, 1, "unit_name")
    if not fields & {*GROUP_KEYS, "total"}:
        raise InputError("không có cột điểm nào: cần ít nhất một nhóm chỉ số hoặc cột total", path, 1)

    origin: dict[str, object] = {"file": str(path)}
    for group in GROUP_KEYS:
        origin[f"{group}_column"] = _header_of(roles, group, "points")
        origin[f"{group}_rate_column"] = _header_of(roles, group, "rate")
    origin["total_column"] = _header_of(roles, "total")
    origin["rank_column"] = _header_of(roles, "rank")

    rows: list[dict[str, object]] = []
    seen: dict[tuple[object, object], int] = {}
    for position, raw in enumerate(table.frame.to_dict("records")):  # in the file's order
        line = table.line(position)
        row = _parse_row(raw, roles, path, line, method_for, default_as_of, registry, diagnostics)
        ident = (row["unit_key"], row["as_of"])
        if ident in seen:
            as_of = row["as_of"]
            raise InputError(
                f"đơn vị «{row['unit_name']}» xuất hiện hai lần (dòng {seen[ident]} và dòng {line})"
                + (f" cho ngày {as_of:%d/%m/%Y}" if isinstance(as_of, date) else ""),
                path,
                line,
                _header_of(roles, "unit_name") or _header_of(roles, "unit_code"),
            )
        seen[ident] = line
        rows.append(row | origin)
    return pd.DataFrame(rows, columns=SCORE_TABLE_COLUMNS, dtype=object)


def _header_of(roles: dict[str, tuple[str, str]], field: str, kind: str = "") -> str | None:
    return next((h for h, (f, k) in roles.items() if f == field and (not kind or k == kind)), None)


def _parse_row(
    raw: Mapping[Hashable, Any],
    roles: dict[str, tuple[str, str]],
    path: str | Path,
    line: int,
    method_for: Callable[[date | None], Methodology],
    default_as_of: date | None,
    registry: Registry | None,
    diagnostics: Diagnostics,
) -> dict[str, object]:
    cell: dict[str, str] = {}
    values: dict[tuple[str, str], Decimal | None] = {}
    for header, (field, kind) in roles.items():
        text = nfc(raw[header])
        if field in GROUP_KEYS or field in {"total", "rank"} or field.startswith("rank_"):
            try:
                values[(field, kind)] = parse_number(text)
            except ValueError:
                raise InputError(f"giá trị «{text}» không phải là số", path, line, header) from None
        else:
            cell[field] = text
    try:
        as_of = parse_date(cell.get("as_of", "")) or default_as_of
    except ValueError:
        raise InputError(
            f"ngày «{cell.get('as_of')}» không đúng dạng (dd/mm/yyyy hoặc yyyy-mm-dd)",
            path,
            line,
            _header_of(roles, "as_of"),
        ) from None
    try:
        method = method_for(as_of)
    except ValueError:  # a date before the first rule version (core.methodology.version_for)
        shown = f"{as_of:%d/%m/%Y}" if isinstance(as_of, date) else "?"
        raise InputError(
            f"ngày {shown}: không có phiên bản quy tắc 766 nào áp dụng (Bộ chỉ số có từ 23/06/2022)",
            path,
            line,
            _header_of(roles, "as_of"),
        ) from None
    name, code = cell.get("unit_name", ""), cell.get("unit_code", "")
    if not name and not code:
        raise InputError("thiếu tên đơn vị", path, line, _header_of(roles, "unit_name"))
    unit = registry.resolve(name, code) if registry else None
    if registry and unit is None:
        diagnostics.warn(
            "unknown_unit",
            f"đơn vị «{name or code}» không có trong danh mục đơn vị",
            path,
            line,
            _header_of(roles, "unit_name"),
            unit=name or code,
        )
    differ = registry.code_and_name_differ(name, code) if registry and unit else None
    if differ is not None:
        column = _header_of(roles, "unit_code")
        diagnostics.warn(
            "unit_code_name_mismatch",
            f"{differ}: tính cho đơn vị theo mã; sửa mã hoặc tên nếu mã sai",
            path,
            line,
            column,
            unit=name,
        )
    tier_text = fold(cell.get("tier", ""))
    if tier_text and tier_text not in _TIER_WORDS and tier_text not in TIERS:
        raise InputError(
            f"cấp «{cell.get('tier')}» không hợp lệ (dùng: so, xa, tinh)", path, line, _header_of(roles, "tier")
        )
    tier = _TIER_WORDS.get(tier_text) or (unit.tier if unit else "") or tier_from_name(name)
    row: dict[str, object] = {
        "unit_key": unit.code if unit and unit.code else (code or name_key(name)),
        "unit_code": unit.code if unit else code,
        "unit_name": unit.name if unit else name,
        "tier": tier,
        "as_of": as_of,
        "line": line,
    }
    # Input validation against the methodology's ranges; comparing values is compute's.
    for group in method.groups:
        points = values.get((group.key, "points"))
        group_rate = values.get((group.key, "rate"))
        if group_rate is not None and not 0 <= group_rate <= 100:
            raise InputError(
                f"tỷ lệ {group_rate} nằm ngoài khoảng 0–100%", path, line, _header_of(roles, group.key, "rate")
            )
        if points is not None and not 0 <= points <= group.max:
            raise InputError(
                f"điểm {points} nằm ngoài khoảng 0–{group.max} của nhóm «{group.name_vi}»",
                path,
                line,
                _header_of(roles, group.key, "points"),
            )
    total = values.get(("total", ""))
    if total is not None and not 0 <= total <= method.max_total:
        raise InputError(f"tổng điểm {total} nằm ngoài khoảng 0–100", path, line, _header_of(roles, "total"))
    rank = values.get(("rank", ""))
    if rank is not None and (rank != int(rank) or rank < 1):
        raise InputError(f"thứ hạng «{rank}» phải là số nguyên dương", path, line, _header_of(roles, "rank"))
    for key in GROUP_KEYS:
        row[key] = values.get((key, "points"))
        row[f"{key}_rate"] = values.get((key, "rate"))
    row["total"] = total
    row["portal_rank"] = None if rank is None else int(rank)
    for field in ("rank_of", *(f"rank_{g}" for g in GROUP_KEYS)):
        given = values.get((field, ""))
        if given is not None and (given != int(given) or given < 1):
            raise InputError(f"«{given}» phải là số nguyên dương", path, line, _header_of(roles, field))
        row[f"portal_{field}"] = None if given is None else int(given)
    of = values.get(("rank_of", ""))
    if of is not None and rank is not None and rank > of:
        raise InputError(
            f"thứ hạng {int(rank)} lớn hơn tổng số đơn vị {int(of)}", path, line, _header_of(roles, "rank")
        )
    return row
