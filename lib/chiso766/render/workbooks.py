"""Workbooks for people: ``tables.xlsx`` (every table, one sheet each) and ``tables/<name>.xlsx``.

The CSV files are the machine format (CONTRACT.md); a workbook is what an officer opens in Excel:
Vietnamese sheet names, headers and words for codes, numbers as numbers in the documents' formats,
dates as dates, a bold frozen header row with a filter. What a column is called and what it holds,
and what a table is called, are data in ``templates/common/``:

``columns.csv`` (``key, header_vi, kind``)
    One row per column key. ``{group}`` in a key stands for each group key of the methodology
    (``rank_{group}`` → ``rank_cong_khai`` …); ``{group_name}`` and ``{group_short}`` in its header
    for that group's name and short name. A key of no row keeps its key as header, kind ``text``.
``tables.csv`` (``name, title_vi``)
    The sheet name of each table (≤ 31 characters), ``{group}`` as above; by default the table's name.
``values.csv`` (``kind, code, label_vi``)
    The words for the codes of the kinds ``tier``, ``level``, ``owner`` and ``bool``.

Kinds: ``points`` and ``rate`` (number, ``0.00``), ``count`` (``#,##0``), ``integer`` (``0``: ranks,
years, line numbers), ``decimal`` (number, General format), ``date`` (``dd/mm/yyyy``), ``text`` and
``code`` (text as given), ``group`` (a group key → the group's name), ``tier``, ``level``, ``owner``,
``bool`` (a code → its words in ``values.csv``). A cell that does not read as its kind (a number
column holding a word, a code without words) is written as the text the CSV holds, never dropped;
a missing value is an empty cell, never 0. Text is always a string cell, never a formula; text that
:func:`~chiso766.render.tables.csv_safe` would neutralise keeps its characters and carries Excel's
"quote prefix", so that it stays text even when someone edits the cell.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter

from chiso766.core.files import write_atomic
from chiso766.core.methodology import Group
from chiso766.core.methodology import load as load_methodology
from chiso766.render.tables import FORMULA_START, cell_text

__all__ = ["NUMBER_FORMATS", "Column", "Layout", "layout", "sheet_names", "cell", "write_xlsx", "write_workbooks"]

# Number formats by kind. Excel shows them with the reader's separators: 84,63 and 50.133 in Vietnamese.
NUMBER_FORMATS = {
    "points": "0.00",
    "rate": "0.00",
    "count": "#,##0",
    "integer": "0",
    "decimal": "General",
    "date": "dd/mm/yyyy",
}
_DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")  # the machine format of cell_text, nothing looser
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_SHEET_MAX = 31
_WIDTH_MIN, _WIDTH_MAX = 6, 60
# A fixed creation time: the same tables give the same bytes (verify and the manifest compare them).
_CREATED = datetime(2000, 1, 1)
_GROUP = "{group}"


@dataclass(frozen=True)
class Column:
    """How a column appears in a workbook: its Vietnamese header and the kind of its cells."""

    header: str
    kind: str


@dataclass(frozen=True)
class Layout:
    """The headers, kinds, sheet titles and code words of ``templates/common/*.csv``."""

    columns: Mapping[str, Column]
    titles: Mapping[str, str]
    words: Mapping[str, Mapping[str, str]]

    def column(self, key: str) -> Column:
        """The column ``key``; one not in the data keeps its key as header and is text.

        Examples
        --------
        >>> layout().column("unit_code"), layout().column("rank_tien_do").header
        (Column(header='Mã đơn vị', kind='code'), 'Xếp hạng Tiến độ')
        >>> layout().column("no_such_column")
        Column(header='no_such_column', kind='text')
        """
        return self.columns.get(key) or Column(key, "text")

    def title(self, name: str) -> str:
        """The sheet title of table ``name`` (its name when the data has none).

        Examples
        --------
        >>> layout().title("units"), layout().title("so_hai_long"), layout().title("new_table")
        ('Điểm các đơn vị', 'Sở – Hài lòng', 'new_table')
        """
        return self.titles.get(name, name)


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("chiso766.render").joinpath("templates", "common", name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _expand(key: str, text: str, groups: Iterable[Group]) -> list[tuple[str, str]]:
    """A data row for each group when its key holds ``{group}``; else the row itself."""
    if _GROUP not in key:
        return [(key, text)]
    return [
        (key.replace(_GROUP, g.key), text.replace("{group_name}", g.name_vi).replace("{group_short}", g.short_vi))
        for g in groups
    ]


@cache
def layout() -> Layout:
    """The workbook layout read from ``templates/common/`` (exact keys win over ``{group}`` rows)."""
    groups = load_methodology().groups
    columns: dict[str, Column] = {}
    for row in sorted(_rows("columns.csv"), key=lambda r: _GROUP not in r["key"]):
        for key, header in _expand(row["key"], row["header_vi"], groups):
            columns[key] = Column(header, row["kind"])
    titles: dict[str, str] = {}
    for row in sorted(_rows("tables.csv"), key=lambda r: _GROUP not in r["name"]):
        titles.update(_expand(row["name"], row["title_vi"], groups))
    words: dict[str, dict[str, str]] = {"group": {g.key: g.name_vi for g in groups}}
    for row in _rows("values.csv"):
        words.setdefault(row["kind"], {})[row["code"]] = row["label_vi"]
    return Layout(columns, titles, words)


def sheet_names(titles: Iterable[str]) -> list[str]:
    """Excel-valid sheet names for ``titles``, in order: no ``[]:*?/\\``, no ``'`` at either end,
    at most 31 characters, unique (Excel ignores case when comparing names).

    Examples
    --------
    >>> sheet_names(["Điểm: các đơn vị", "điểm các  đơn vị", "'?'", "x" * 40])
    ['Điểm các đơn vị', 'điểm các đơn vị (2)', 'Bảng', 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx']
    """
    names: list[str] = []
    taken: set[str] = set()
    for title in titles:
        base = " ".join(_SHEET_FORBIDDEN.sub(" ", title).split()).strip("'")[:_SHEET_MAX].strip(" '") or "Bảng"
        name, number = base, 1
        while name.casefold() in taken:
            number += 1
            suffix = f" ({number})"
            name = base[: _SHEET_MAX - len(suffix)].rstrip(" '") + suffix
        taken.add(name.casefold())
        names.append(name)
    return names


# cells ---------------------------------------------------------------------------------------------

Cell = float | datetime | str | None


def _number(text: str) -> float | str:
    """A number cell from machine text; text that is no number stays text.

    Examples
    --------
    >>> _number("84.63"), _number("-2"), _number("n/a")
    (84.63, -2.0, 'n/a')
    """
    if _NUMBER.fullmatch(text):
        value = float(text)
        if math.isfinite(value):
            return value
    return text


def _date(value: object, text: str) -> datetime | str:
    """A date cell from a date, a datetime or ISO text (time zone dropped: the time as written)."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return text
    # Excel counts days from 1900: an earlier date can only be shown as the text it is
    return moment.replace(tzinfo=None) if moment.year >= 1900 else text


def cell(value: object, kind: str, words: Mapping[str, Mapping[str, str]]) -> Cell:
    """The workbook value of one table cell: a number, a datetime, text or ``None`` (empty).

    Examples
    --------
    >>> from decimal import Decimal
    >>> w = layout().words
    >>> cell(Decimal("84.63"), "points", w), cell("50133", "count", w), cell(None, "points", w)
    (84.63, 50133.0, None)
    >>> cell("xa", "tier", w), cell(True, "bool", w), cell("tien_do", "group", w), cell("?", "tier", w)
    ('Xã, phường, đặc khu', 'Có', 'Tiến độ giải quyết', '?')
    >>> cell("2026-09-26", "date", w)
    datetime.datetime(2026, 9, 26, 0, 0)
    """
    text = cell_text(value)
    if not text:
        return None
    if kind in NUMBER_FORMATS and kind != "date":
        return _number(text)
    if kind == "date":
        return _date(value, text)
    return words.get(kind, {}).get(text, text)


def _shown_length(value: Cell, kind: str) -> int:
    r"""About how many characters the cell shows, for the column width.

    Examples
    --------
    >>> _shown_length(50133.0, "count"), _shown_length(84.6, "points"), _shown_length("Xã A\nXã Bình", "text")
    (6, 5, 7)
    """
    if isinstance(value, float):
        shown = {"count": f"{value:,.0f}", "integer": f"{value:.0f}", "decimal": f"{value:g}"}
        return len(shown.get(kind, f"{value:.2f}"))
    if isinstance(value, datetime):
        return 16 if value.time() != datetime.min.time() else 10
    if value is None:
        return 0
    return max(len(line) for line in value.splitlines()) if "\n" in value or "\r" in value else len(value)


def _width(header: str, values: list[Cell], kind: str) -> int:
    """The column's width in characters: its longest cell or header, from 6 to 60 (a longer text is
    cut at the column's edge and read whole in the formula bar; the next columns stay in view)."""
    numbers = [v for v in values if isinstance(v, float)]
    # a number's shown length grows with its size: the largest and the most negative are the longest
    # (General-format decimals are measured one by one, they are few)
    measured = numbers if kind == "decimal" else [max(numbers), min(numbers)] if numbers else []
    longest = max(
        [
            len(header),
            *(_shown_length(v, kind) for v in measured),
            *(_shown_length(v, kind) for v in values if not isinstance(v, float)),
        ]
    )
    return min(_WIDTH_MAX, max(_WIDTH_MIN, longest + 2))


# writing -------------------------------------------------------------------------------------------


class _Formats:
    """The workbook's cell formats, made once per workbook (XlsxWriter keeps one per combination)."""

    def __init__(self, book: Any) -> None:
        self.header = book.add_format({"bold": True, "bottom": 1})
        # "quote prefix" is Excel's own mark of a text that must never be read as a formula, even
        # after the cell is edited: what the CSV's leading ' does, without changing the text.
        self.quoted = book.add_format({"quote_prefix": True})
        self.numbers = {kind: book.add_format({"num_format": fmt}) for kind, fmt in NUMBER_FORMATS.items()}
        self.datetime = book.add_format({"num_format": _DATETIME_FORMAT})


def _write_text(sheet: Any, row: int, col: int, text: str, formats: _Formats, fmt: Any = None) -> None:
    # write_string: text is never taken for a formula, a number or a link, whatever it starts with;
    # what csv_safe neutralises in a CSV is marked in the workbook (the text itself unchanged). Control
    # characters and a literal "_xHHHH_" are escaped by XlsxWriter as Excel does (ECMA-376 ST_Xstring).
    sheet.write_string(row, col, text, formats.quoted if text.startswith(FORMULA_START) else fmt)


def _write_cell(sheet: Any, row: int, col: int, value: Cell, kind: str, formats: _Formats) -> None:
    if value is None:
        return  # missing stays an empty cell, never 0
    if isinstance(value, float):
        sheet.write_number(row, col, value, formats.numbers[kind])
    elif isinstance(value, datetime):
        timed = value.time() != datetime.min.time()
        sheet.write_datetime(row, col, value, formats.datetime if timed else formats.numbers["date"])
    else:
        _write_text(sheet, row, col, value, formats)


def _write_sheet(book: Any, name: str, frame: pd.DataFrame, formats: _Formats, plan: Layout) -> None:
    """One table as a sheet: Vietnamese header row (bold, frozen, filtered), then its rows."""
    sheet = book.add_worksheet(name)
    columns = [plan.column(str(key)) for key in frame.columns]
    for col, column in enumerate(columns):
        values = [cell(v, column.kind, plan.words) for v in frame.iloc[:, col].tolist()]
        for row, value in enumerate(values, start=1):
            _write_cell(sheet, row, col, value, column.kind, formats)
        _write_text(sheet, 0, col, column.header, formats, formats.header)
        sheet.set_column(col, col, _width(column.header, values, column.kind))
    if columns:
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, len(frame), len(columns) - 1)


def _workbook_bytes(sheets: Iterable[tuple[str, pd.DataFrame]], title: str = "") -> bytes:
    buffer = io.BytesIO()
    # no guessing from the text: every cell is written by its kind (write_string, write_number …)
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    book = xlsxwriter.Workbook(buffer, options)
    book.set_properties({"title": title, "created": _CREATED})
    formats = _Formats(book)
    plan = layout()
    for name, frame in sheets:
        _write_sheet(book, name, frame, formats, plan)
    book.close()
    return buffer.getvalue()


def write_xlsx(tables: Mapping[str, pd.DataFrame], path: Path) -> Path:
    """All tables in one workbook, one sheet each, named by its Vietnamese title (``tables.csv``).

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> from decimal import Decimal
    >>> frame = pd.DataFrame({"unit_name": ["Xã A"], "tier": ["xa"], "total": [Decimal("84.63")]})
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     sheet = openpyxl.load_workbook(write_xlsx({"units": frame}, Path(tmp) / "t.xlsx"))["Điểm các đơn vị"]
    ...     [[c.value for c in row] for row in sheet.iter_rows()], sheet["C2"].number_format
    ([['Tên đơn vị', 'Khối', 'Tổng điểm'], ['Xã A', 'Xã, phường, đặc khu', 84.63]], '0.00')
    """
    plan = layout()
    names = sheet_names(plan.title(name) for name in tables)
    write_atomic(path, _workbook_bytes(zip(names, tables.values(), strict=True), "Các bảng số liệu"))
    return path


def write_workbooks(tables: Mapping[str, pd.DataFrame], folder: Path) -> list[Path]:
    """Each table as its own workbook ``<folder>/<name>.xlsx`` (what a table's "XLSX" link downloads)."""
    plan = layout()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in tables.items():
        title = plan.title(name)
        target = folder / f"{name}.xlsx"
        write_atomic(target, _workbook_bytes([(sheet_names([title])[0], frame)], title))
        written.append(target)
    return written
