"""Read the yearly indices table (``inputs.indices``, CONTRACT.md): one row per index, year, province
and component, typed by an office from the published reports.

Values keep the digits they were typed with (``91,10`` stays 91.10, ``42,7037`` stays 42.7037): the
document repeats a published figure exactly. Every problem names the file, row and column: an index
that is not one of ``data/indices.csv``, a year that is not a year, a value above its maximum or
below 0, a rank above the number ranked, the same index, year, province and component twice.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pandas as pd

from chiso766.core.errors import Diagnostics, InputError
from chiso766.core.indices import INDEX_KEYS, index_info, indices
from chiso766.core.provinces import province_loosely
from chiso766.core.textvi import fold, nfc
from chiso766.ingest.scores import parse_number
from chiso766.ingest.tabular import read_table

__all__ = ["INDEX_COLUMNS", "read_indices"]

INDEX_COLUMNS = [
    "index",
    "year",
    "province",
    "component",
    "value",
    "max",
    "rank",
    "of",
    "national_mean",
    "group",
    "group_size",
    "source",
    "line",
]

# Each field's header: the contract's name, or the Vietnamese an office types.
_HEADERS = {
    "index": ("index", "chi so", "ten chi so"),
    "year": ("year", "nam"),
    "province": ("province", "tinh", "tinh thanh pho", "dia phuong"),
    "component": ("component", "thanh phan", "linh vuc", "noi dung", "yeu to", "tru cot", "chi so thanh phan"),
    "value": ("value", "gia tri", "diem", "ket qua"),
    "max": ("max", "toi da", "diem toi da"),
    "rank": ("rank", "xep hang", "thu hang", "hang"),
    "of": ("of", "tren", "so tinh xep hang", "tong so tinh"),
    "national_mean": ("national mean", "national_mean", "trung binh ca nuoc", "binh quan ca nuoc"),
    "group": ("group", "nhom", "nhom xep hang"),
    "group_size": ("group size", "group_size", "so tinh trong nhom"),
    "source": ("source", "nguon"),
}
_REQUIRED = ("index", "year", "province", "value")
_NUMBERS = ("value", "max", "national_mean")
_WHOLE = ("rank", "of", "group_size")


def _index_key(text: str) -> str | None:
    """``par`` for "par", "PAR Index", "Chỉ số Cải cách hành chính" …; ``None`` when none matches."""
    key = fold(text)
    for info in indices():
        if key in (info.key, fold(info.abbr), fold(info.name_vi), fold(info.title)):
            return info.key
    return None


def _fields(headers: list[str], path: Path, diagnostics: Diagnostics) -> dict[str, str]:
    found: dict[str, str] = {}
    for header in headers:
        key = fold(header)
        field = next((f for f, words in _HEADERS.items() if key in words), None)
        if field is None:
            if key not in ("stt", "ghi chu", "note", "notes"):
                diagnostics.warn("ignored_column", f"cột «{header}» không được nhận ra, đã bỏ qua", path, 1, header)
            continue
        if field in found:
            raise InputError(f"hai cột cùng là «{field}»: «{found[field]}» và «{header}»", path, 1, header)
        found[field] = header
    for field in _REQUIRED:
        if field not in found:
            raise InputError(f"thiếu cột «{field}» ({', '.join(_HEADERS[field][1:3])})", path, 1, field)
    return found


def read_indices(path: str | Path, diagnostics: Diagnostics | None = None) -> pd.DataFrame:
    """The table's rows (:data:`INDEX_COLUMNS`), values as typed (``Decimal``), ``None`` where empty.

    A row without ``max`` takes the index's own maximum when it is the index itself (no component);
    a component's maximum is whatever the table gives.
    """
    path = Path(path)
    diagnostics = diagnostics if diagnostics is not None else Diagnostics()
    table = read_table(path, diagnostics)
    fields = _fields(list(table.frame.columns), path, diagnostics)
    rows = []
    seen: dict[tuple[object, ...], int] = {}
    for position, cells in enumerate(table.frame.to_dict("records")):
        line = table.line(position)
        get = {f: str(cells[h]).strip() for f, h in fields.items()}
        if not any(get.values()):
            continue
        rows.append(_row(get, fields, path, line))
        row = rows[-1]
        key = (row["index"], row["year"], fold(row["province"]), fold(row["component"]))
        if key in seen:
            raise InputError(
                f"dòng này lặp lại chỉ số, năm, tỉnh và thành phần của dòng {seen[key]}", path, line, fields["index"]
            )
        seen[key] = line
    if not rows:
        raise InputError("bảng không có dòng số liệu nào", path)
    return pd.DataFrame(rows, columns=INDEX_COLUMNS, dtype=object)


def _spelled(name: str) -> str:
    """A province as the list of the 34 spells it ("Hai Phong", "TP Hải Phòng": "Hải Phòng"), so that
    its rows are one province's in the table; another (a province before the 2025 mergers) as given."""
    known = province_loosely(name)
    return known.name if known is not None else nfc(name)


def _row(get: dict[str, str], fields: dict[str, str], path: Path, line: int) -> dict[str, object]:
    def fail(field: str, message: str) -> InputError:
        return InputError(message, path, line, fields.get(field, field))

    index = _index_key(get["index"])
    if index is None:
        raise fail("index", f"chỉ số «{get['index']}» không có trong danh mục ({', '.join(INDEX_KEYS)})")
    year_text = get["year"]
    if not year_text.isdigit() or not 1990 <= int(year_text) <= 2100:
        raise fail("year", f"năm «{year_text}» không hợp lệ (ví dụ 2024)")
    if not get["province"]:
        raise fail("province", "thiếu tên tỉnh, thành phố")
    row: dict[str, object] = {
        "index": index,
        "year": int(year_text),
        "province": _spelled(get["province"]),
        "component": nfc(get.get("component", "")),
        "group": nfc(get.get("group", "")),
        "source": nfc(get.get("source", "")),
        "line": line,
    }
    for field in _NUMBERS:
        text = get.get(field, "")
        try:
            row[field] = parse_number(text)
        except ValueError:
            raise fail(field, f"«{text}» không phải là số") from None
    for field in _WHOLE:
        number = row[field] = _whole(get.get(field, ""), fail, field)
        if number is not None and number < 1:
            raise fail(field, f"{field} = {number}: phải từ 1 trở lên")
    value, top = row["value"], row["max"]
    if value is None:
        raise fail("value", "thiếu giá trị (một chỉ số không có giá trị thì không ghi dòng đó)")
    if top is None and not row["component"]:
        top = row["max"] = index_info(index).max
    assert isinstance(value, Decimal)
    if value < 0:
        raise fail("value", f"giá trị {value} là số âm")
    if isinstance(top, Decimal) and value > top:
        raise fail("value", f"giá trị {value} lớn hơn điểm tối đa {top}")
    mean = row["national_mean"]
    if isinstance(mean, Decimal) and isinstance(top, Decimal) and not 0 <= mean <= top:
        raise fail("national_mean", f"trung bình cả nước {mean} nằm ngoài khoảng 0–{top}")
    rank, of = row["rank"], row["of"]
    if isinstance(rank, int) and isinstance(of, int) and rank > of:
        raise fail("rank", f"xếp hạng {rank} lớn hơn số tỉnh được xếp hạng ({of})")
    return row


def _whole(text: str, fail: Callable[[str, str], InputError], field: str) -> int | None:
    if not text:
        return None
    cleaned = text.removesuffix(".0")
    if not cleaned.isdigit():
        raise fail(field, f"«{text}» không phải là số nguyên")
    return int(cleaned)
