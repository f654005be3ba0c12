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
    The words for the codes of the kinds that have them: ``tier``, ``level``, ``owner``, ``bool``,
    ``status``, ``source``, ``rank_source``, ``data_quality``, ``zero_rule``, ``evidence``, ``index``
    and ``indicator`` (a person reads "Tính điểm", never ``scored``).

Kinds: ``points`` and ``rate`` (number, ``0.00``), ``count`` (``#,##0``), ``integer`` (``0``: ranks,
years, line numbers), ``decimal`` (number, ``0.00########``), ``date`` (``dd/mm/yyyy``), ``text`` and
``code`` (text as given), ``group`` (a group key → the group's name), ``target`` (``>=60`` →
``≥ 60%``), the kinds of ``values.csv`` (a code → its words), and ``omit``: a column the CSV keeps for
programs and the page, which the workbook leaves out because another column says it (the words of
a code the workbook already writes as words, a group's short name beside its name). A cell that does
not read as its kind (a number column holding a word, a code without words) is written as the text
the CSV holds, never dropped;
a missing value is an empty cell, never 0. Text is always a string cell, never a formula; text that
:func:`~chiso766.render.tables.csv_safe` would neutralise keeps its characters and carries Excel's
"quote prefix", so that it stays text even when someone edits the cell.

The files are written as their SpreadsheetML parts (ECMA-376), with no library: a bulletin writes
each table twice (in ``tables.xlsx`` and alone), and each sheet is built once for both
(:func:`sheet_maker`, then :func:`own_workbook` and :func:`tables_workbook`; :func:`all_workbooks`
does the three for a set of tables). The same tables give the same bytes.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

import pandas as pd

from chiso766.core.datafiles import data_rows
from chiso766.core.files import write_atomic, write_files
from chiso766.core.methodology import Group
from chiso766.core.methodology import load as load_methodology
from chiso766.core.targets import parse_target
from chiso766.render.tables import FORMULA_START, cell_text

__all__ = [
    "NUMBER_FORMATS",
    "Column",
    "Layout",
    "layout",
    "sheet_names",
    "cell",
    "write_xlsx",
    "write_workbooks",
    "all_workbooks",
    "Sheet",
    "sheet_maker",
    "own_workbook",
    "tables_workbook",
]

# Number formats by kind. Excel shows them with the reader's separators: 84,63 and 50.133 in Vietnamese.
NUMBER_FORMATS = {
    "points": "0.00",
    "rate": "0.00",
    "count": "#,##0",
    "integer": "0",
    "decimal": "0.00########",  # a share of a point per dossier (0.000022), never in scientific notation
    "date": "dd/mm/yyyy",
}
_DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")  # the machine format of cell_text, nothing looser
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_SHEET_MAX = 31
_WIDTH_MIN, _WIDTH_MAX = 6, 60
_GROUP = "{group}"
_OMIT = "omit"  # a column kind: left out of the workbook


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


def _rows(name: str) -> tuple[dict[str, str], ...]:
    return data_rows(name, "render/templates/common")


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
    if kind == "target":
        return _target(text)
    return words.get(kind, {}).get(text, text)


def _target(text: str) -> str:
    """``>=60`` as the documents write it, ``≥ 60%``; text that is no target stays as it is."""
    try:
        return parse_target(text).label()
    except ValueError:
        return text


def _decimal_shown(value: float) -> str:
    """How ``0.00########`` shows ``value``: two decimal places at least, ten at most.

    Examples
    --------
    >>> _decimal_shown(2.2e-05), _decimal_shown(0.5), _decimal_shown(12.0)
    ('0.000022', '0.50', '12.00')
    """
    whole, _, places = f"{value:.10f}".partition(".")
    return f"{whole}.{places.rstrip('0').ljust(2, '0')}"


def _shown_length(value: Cell, kind: str) -> int:
    r"""About how many characters the cell shows, for the column width.

    Examples
    --------
    >>> _shown_length(50133.0, "count"), _shown_length(84.6, "points"), _shown_length("Xã A\nXã Bình", "text")
    (6, 5, 7)
    """
    if isinstance(value, float):
        shown = {"count": f"{value:,.0f}", "integer": f"{value:.0f}", "decimal": _decimal_shown(value)}
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
    # (decimals, shown with as many places as they have, are measured one by one: they are few)
    measured = numbers if kind == "decimal" else [max(numbers), min(numbers)] if numbers else []
    longest = max(
        [
            len(header),
            *(_shown_length(v, kind) for v in measured),
            *(_shown_length(v, kind) for v in values if not isinstance(v, float)),
        ]
    )
    return min(_WIDTH_MAX, max(_WIDTH_MIN, longest + 2))


# SpreadsheetML --------------------------------------------------------------------------------------
# The workbook is written as its XML parts (ECMA-376), not through a library: each table's sheet is
# built once, from its columns, and goes into both ``tables.xlsx`` and the table's own workbook; only
# the numbers of its strings in the workbook's shared-string table differ between the two.

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE = "http://schemas.openxmlformats.org/package/2006"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# A fixed time in the zip entries and the document properties: the same tables give the same bytes
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_CREATED = "2000-01-01T00:00:00Z"
_EXCEL_EPOCH = datetime(1899, 12, 31)
_TEXT_MAX = 32767  # Excel's longest cell text, in UTF-16 units
_WIDTH_PADDING_PX, _DIGIT_PX = 5, 7  # Calibri 11: a digit is 7 pixels, a column has 5 more

# Cell styles (the cellXfs of styles.xml), by index: plain, the header row, the quoted text of either,
# then one per number format; "General" is the plain style.
_HEADER, _HEADER_QUOTED, _QUOTED = 1, 2, 3
_FORMAT_IDS = {  # custom number formats are numbered from 164, the first id Excel leaves to files
    code: 164 + i
    for i, code in enumerate(c for c in dict.fromkeys([*NUMBER_FORMATS.values(), _DATETIME_FORMAT]) if c != "General")
}
_STYLES = {"General": 0} | {code: 4 + i for i, code in enumerate(_FORMAT_IDS)}

# Marks where a string cell's number in the shared-string table goes: never in a sheet's own XML,
# whose text is all in the shared strings (and a control character there is written _xHHHH_).
_SLOT = "\x00"

# The types of values that are one cell when equal (see _Cells)
_CACHED_TYPES: frozenset[type] = frozenset({str, int, float, Decimal, bool, date, type(None)})

_ESCAPE_ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _xml_attribute(text: str) -> str:
    return _xml_text(text).replace('"', "&quot;")


def _excel_text(text: str) -> str:
    r"""A text as the shared-string table holds it: control characters, which XML cannot hold, as
    ``_xHHHH_``, and the ``_`` of a literal ``_xHHHH_`` as ``_x005F_`` (ECMA-376 ST_Xstring).

    Examples
    --------
    >>> _excel_text("a\x00b"), _excel_text("_x0041_x0042_"), _excel_text("<&>")
    ('a_x0000_b', '_x005F_x0041_x005F_x0042_', '&lt;&amp;&gt;')
    """
    # every "_" that starts an escape is escaped, also the second of two sharing an "_" (which
    # XlsxWriter missed): Excel reads "_x005F_x0041_x005F_x0042_" back as "_x0041_x0042_"
    text = _ESCAPE_ESCAPE.sub("_x005F_", text)
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    return _xml_text(text)


def _shared_string(text: str) -> str:
    """The ``<si>`` of one text; spaces at either end kept (Excel trims them otherwise)."""
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f"<si><t{space}>{_excel_text(text)}</t></si>"


def _cut(text: str) -> str:
    """``text`` cut to what one cell holds (32,767 UTF-16 units: a character beyond U+FFFF counts 2)."""
    if len(text) <= _TEXT_MAX // 2:
        return text
    units = text.encode("utf-16-le")
    return units[: 2 * _TEXT_MAX].decode("utf-16-le", errors="ignore") if len(units) > 2 * _TEXT_MAX else text


def _number_text(value: float) -> str:
    """A number as the sheet stores it: the shortest text that reads back as the same float, a whole
    number without ``.0`` (read back as an integer).

    Examples
    --------
    >>> _number_text(84.63), _number_text(50133.0), _number_text(1e-05)
    ('84.63', '50133', '1e-05')
    """
    text = repr(float(value))  # numpy's float64 writes itself "np.float64(…)"
    return text[:-2] if text.endswith(".0") else text


def _serial(moment: datetime) -> float:
    """Excel's number for a date and time: days since 31 December 1899, the time a fraction of a day.

    Examples
    --------
    >>> _serial(datetime(2026, 9, 26)), _serial(datetime(1900, 2, 28, 12)), _serial(datetime(1900, 3, 1))
    (46291.0, 59.5, 61.0)
    """
    delta = moment - _EXCEL_EPOCH
    # Excel counts a 29 February 1900 that never was (Lotus 1-2-3's leap year): one day more from March
    return delta.days + (delta.days >= 60) + (delta.seconds + delta.microseconds / 1e6) / 86400


def _column_letters(index: int) -> str:
    """The letters of the column at 0-based ``index``: ``A`` … ``Z``, ``AA`` …

    Examples
    --------
    >>> _column_letters(0), _column_letters(25), _column_letters(26), _column_letters(16383)
    ('A', 'Z', 'AA', 'XFD')
    """
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_width(characters: int) -> str:
    """The ``width`` Excel stores for a column of ``characters`` digits (their pixels and the padding)."""
    return f"{(characters * _DIGIT_PX + _WIDTH_PADDING_PX) * 256 // _DIGIT_PX / 256:.16g}"


def _text_end(text: str, style: int) -> tuple[str, str]:
    """A string cell's XML after its reference, and its text as the shared strings hold it."""
    # a string cell never becomes a formula, a number or a link, whatever it starts with; what csv_safe
    # neutralises in a CSV is marked with Excel's "quote prefix", the text itself unchanged
    if text.startswith(FORMULA_START):
        style = _HEADER_QUOTED if style == _HEADER else _QUOTED
    styled = f' s="{style}"' if style else ""
    return f'{styled} t="s"><v>{_SLOT}</v></c>', _cut(text)


# A body cell made ready: the cell, its XML after its reference (empty for a missing value: no cell,
# never 0), and its text for the shared strings (None for a number, a date or nothing).
_Ready = tuple[Cell, str, str | None]
_EMPTY: _Ready = (None, "", None)


def _ready(value: object, kind: str, words: Mapping[str, Mapping[str, str]]) -> _Ready:
    converted = cell(value, kind, words)
    if converted is None:
        return _EMPTY
    if isinstance(converted, float):
        style = _STYLES[NUMBER_FORMATS[kind]]
        styled = f' s="{style}"' if style else ""
        return converted, f"{styled}><v>{_number_text(converted)}</v></c>", None
    if isinstance(converted, datetime):
        timed = converted.time() != datetime.min.time()
        style = _STYLES[_DATETIME_FORMAT if timed else NUMBER_FORMATS["date"]]
        return converted, f' s="{style}"><v>{_number_text(_serial(converted))}</v></c>', None
    return converted, *_text_end(converted, 0)


class _Cells:
    """The body cells of every table of one write, each distinct value of a kind made ready once (the
    bulletin's 164,000 cells hold 7,000 distinct values).

    Values are the same cell when equal and of one type (1, 1.0 and True are equal but three cells),
    of the types in ``_CACHED_TYPES`` only: two equal datetimes in two time zones are two wall-clock
    times, each converted on its own.
    """

    def __init__(self, words: Mapping[str, Mapping[str, str]]) -> None:
        self._words = words
        self._done: dict[str, dict[tuple[type, object], _Ready]] = {}

    def column(self, values: list[object], kind: str) -> tuple[list[_Ready], list[_Ready]]:
        """Each value of a column made ready, and the column's distinct ones."""
        keys = list(zip(map(type, values), values, strict=True))
        try:
            column = dict.fromkeys(keys, _EMPTY) if set(map(type, values)) <= _CACHED_TYPES else None
        except TypeError:  # a signalling NaN cannot be a key
            column = None
        if column is None:
            ready = [_ready(v, kind, self._words) for v in values]
            return ready, ready
        done = self._done.setdefault(kind, {})
        for key in column:
            column[key] = done.get(key) or done.setdefault(key, _ready(key[1], kind, self._words))
        return list(map(column.__getitem__, keys)), list(column.values())


@dataclass(frozen=True)
class Sheet:
    """One table's sheet, built once for every workbook it goes into.

    ``xml`` is its ``<sheetData>`` split where the string cells' numbers go; ``indices`` are those
    numbers in the sheet's own ``strings`` (whose ``<si>`` are ``shared``), in the order they go.
    """

    columns: int
    rows: int
    cols: str
    xml: list[str]
    indices: list[int]
    strings: list[str]
    shared: list[str]

    @property
    def ref(self) -> str:
        """The sheet's cells: its header row and the rows below (``A1`` when it has no column)."""
        return f"A1:{_column_letters(self.columns - 1)}{self.rows + 1}" if self.columns else "A1"


def _sheet(frame: pd.DataFrame, plan: Layout, cells: _Cells) -> Sheet:
    """One table as a sheet: the Vietnamese header row (bold, underlined), then its rows."""
    pieces: list[list[str]] = []
    texts: list[list[str | None]] = []
    widths: list[str] = []
    shown = [(i, plan.column(str(key))) for i, key in enumerate(frame.columns)]
    shown = [(i, column) for i, column in shown if column.kind != _OMIT]
    for col, (source, column) in enumerate(shown):
        letters = _column_letters(col)
        ready, distinct = cells.column(frame.iloc[:, source].tolist(), column.kind)
        header, header_text = _text_end(column.header, _HEADER)
        body = [f'<c r="{letters}{row}"{end}' if end else "" for row, (_, end, _) in enumerate(ready, start=2)]
        pieces.append([f'<c r="{letters}1"{header}', *body])
        texts.append([header_text, *(text for _, _, text in ready)])
        width = _column_width(_width(column.header, [c for c, _, _ in distinct], column.kind))
        widths.append(f'<col min="{col + 1}" max="{col + 1}" width="{width}" customWidth="1"/>')
    rows = "".join(f'<row r="{r}">{"".join(row)}</row>' for r, row in enumerate(zip(*pieces, strict=True), start=1))
    # the sheet's own strings, numbered in the order their cells come in the XML
    strings: dict[str, int] = {}
    indices = [strings.setdefault(t, len(strings)) for row in zip(*texts, strict=True) for t in row if t is not None]
    return Sheet(
        columns=len(shown),
        rows=len(frame),
        cols=f"<cols>{''.join(widths)}</cols>" if widths else "",
        xml=rows.split(_SLOT),
        indices=indices,
        strings=list(strings),
        shared=[_shared_string(s) for s in strings],
    )


def _sheet_xml(sheet: Sheet, selected: bool, numbers: list[int] | None) -> bytes:
    """The worksheet part; ``numbers`` maps the sheet's strings to the workbook's (``None``: the same)."""
    # the header row frozen and filtered: it stays in view and sorts and filters the rows below it
    frozen = '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"/>'
    selection = ' tabSelected="1"' if selected else ""
    head = (
        f'{_DECLARATION}<worksheet xmlns="{_MAIN}" xmlns:r="{_RELATIONS}"><dimension ref="{sheet.ref}"/>'
        f'<sheetViews><sheetView{selection} workbookViewId="0">{frozen if sheet.columns else ""}</sheetView>'
        f'</sheetViews><sheetFormatPr defaultRowHeight="15"/>{sheet.cols}<sheetData>'
    )
    autofilter = f'<autoFilter ref="{sheet.ref}"/>' if sheet.columns else ""
    tail = f"</sheetData>{autofilter}</worksheet>"
    indices = sheet.indices if numbers is None else [numbers[i] for i in sheet.indices]
    data: list[str] = [""] * (2 * len(indices) + 1)
    data[0::2] = sheet.xml
    data[1::2] = map(str, indices)
    return "".join([head, *data, tail]).encode("utf-8")


def _xf(number_format: int = 0, font: int = 0, border: int = 0, extra: str = "") -> str:
    applied = "".join(
        f' apply{what}="1"'
        for what, used in (("NumberFormat", number_format), ("Font", font), ("Border", border))
        if used
    )
    return f'<xf numFmtId="{number_format}" fontId="{font}" fillId="0" borderId="{border}" xfId="0"{applied}{extra}/>'


@cache
def _styles_xml() -> bytes:
    """The styles part: the fonts, borders and number formats of ``_STYLES``, in its order."""
    font = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
    quoted = ' quotePrefix="1"'
    styles = [_xf(), _xf(font=1, border=1), _xf(font=1, border=1, extra=quoted), _xf(extra=quoted)]
    styles += [_xf(number_format=i) for i in _FORMAT_IDS.values()]
    formats = "".join(f'<numFmt numFmtId="{i}" formatCode="{_xml_attribute(c)}"/>' for c, i in _FORMAT_IDS.items())
    return (
        f'{_DECLARATION}<styleSheet xmlns="{_MAIN}"><numFmts count="{len(_FORMAT_IDS)}">{formats}</numFmts>'
        f'<fonts count="2"><font>{font}</font><font><b/>{font}</font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
        '<border><left/><right/><top/><bottom style="thin"><color auto="1"/></bottom><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{len(styles)}">{"".join(styles)}</cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
    ).encode()


def _shared_strings(sheets: list[Sheet]) -> tuple[bytes, list[list[int] | None]]:
    """The workbook's shared-string table (each text once), and for each sheet the numbers of its
    strings in it (``None`` for a workbook of one sheet: its own table, in its own order)."""
    count = sum(len(sheet.indices) for sheet in sheets)
    if len(sheets) == 1:
        return _sst_xml(sheets[0].shared, count), [None]
    numbered: dict[str, int] = {}
    shared: list[str] = []
    numbers: list[list[int] | None] = []
    for sheet in sheets:
        for text, si in zip(sheet.strings, sheet.shared, strict=True):
            if text not in numbered:
                numbered[text] = len(numbered)
                shared.append(si)
        numbers.append([numbered[text] for text in sheet.strings])
    return _sst_xml(shared, count), numbers


def _sst_xml(shared: list[str], count: int) -> bytes:
    """The shared-string part: its ``<si>`` and how many cells use them."""
    return (
        f'{_DECLARATION}<sst xmlns="{_MAIN}" count="{count}" uniqueCount="{len(shared)}">{"".join(shared)}</sst>'
    ).encode()


def _relationships(targets: list[tuple[str, str]]) -> bytes:
    """A relationships part: (type, target) each, numbered rId1 …"""
    items = "".join(
        f'<Relationship Id="rId{i}" Type="{kind}" Target="{target}"/>' for i, (kind, target) in enumerate(targets, 1)
    )
    return f'{_DECLARATION}<Relationships xmlns="{_PACKAGE}/relationships">{items}</Relationships>'.encode()


def _workbook_xml(names: list[str], sheets: list[Sheet]) -> bytes:
    entries = "".join(
        f'<sheet name="{_xml_attribute(name)}" sheetId="{i}" r:id="rId{i}"/>' for i, name in enumerate(names, 1)
    )
    # the name Excel gives each sheet's filtered range: without it Excel drops the filter
    filters = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"{_xml_text(_quoted_sheet(name))}!{_absolute(sheet.ref)}</definedName>"
        for i, (name, sheet) in enumerate(zip(names, sheets, strict=True))
        if sheet.columns
    )
    return (
        f'{_DECLARATION}<workbook xmlns="{_MAIN}" xmlns:r="{_RELATIONS}"><bookViews><workbookView/></bookViews>'
        f"<sheets>{entries}</sheets>{f'<definedNames>{filters}</definedNames>' if filters else ''}</workbook>"
    ).encode()


def _quoted_sheet(name: str) -> str:
    """A sheet name as a formula refers to it: ``'Điểm các đơn vị'`` (an inner ``'`` doubled)."""
    return "'" + name.replace("'", "''") + "'"


def _absolute(ref: str) -> str:
    """``A1:L4`` as ``$A$1:$L$4``."""
    return re.sub(r"([A-Z]+)([0-9]+)", r"$\1$\2", ref)


def _core_xml(title: str) -> bytes:
    return (
        f'{_DECLARATION}<cp:coreProperties xmlns:cp="{_PACKAGE}/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{_xml_text(title)}</dc:title>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{_CREATED}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{_CREATED}</dcterms:modified></cp:coreProperties>'
    ).encode()


def _content_types(sheets: int) -> bytes:
    office = "application/vnd.openxmlformats-officedocument"
    parts = [
        ("/xl/workbook.xml", f"{office}.spreadsheetml.sheet.main+xml"),
        *((f"/xl/worksheets/sheet{i}.xml", f"{office}.spreadsheetml.worksheet+xml") for i in range(1, sheets + 1)),
        ("/xl/styles.xml", f"{office}.spreadsheetml.styles+xml"),
        ("/xl/sharedStrings.xml", f"{office}.spreadsheetml.sharedStrings+xml"),
        ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
    ]
    overrides = "".join(f'<Override PartName="{name}" ContentType="{kind}"/>' for name, kind in parts)
    return (
        f'{_DECLARATION}<Types xmlns="{_PACKAGE}/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Default Extension="xml" ContentType="application/xml"/>{overrides}</Types>'
    ).encode()


def _workbook_bytes(sheets: list[tuple[str, Sheet]], title: str) -> bytes:
    """The ``.xlsx`` file of ``sheets`` (name, sheet), the first one selected."""
    names = [name for name, _ in sheets]
    built = [sheet for _, sheet in sheets]
    shared, numbers = _shared_strings(built)
    relation = f"{_RELATIONS}/"
    parts = [
        ("[Content_Types].xml", _content_types(len(built))),
        (
            "_rels/.rels",
            _relationships(
                [
                    (f"{relation}officeDocument", "xl/workbook.xml"),
                    (f"{_PACKAGE}/relationships/metadata/core-properties", "docProps/core.xml"),
                ]
            ),
        ),
        ("docProps/core.xml", _core_xml(title)),
        ("xl/workbook.xml", _workbook_xml(names, built)),
        (
            "xl/_rels/workbook.xml.rels",
            _relationships(
                [
                    *((f"{relation}worksheet", f"worksheets/sheet{i}.xml") for i in range(1, len(built) + 1)),
                    (f"{relation}styles", "styles.xml"),
                    (f"{relation}sharedStrings", "sharedStrings.xml"),
                ]
            ),
        ),
        ("xl/styles.xml", _styles_xml()),
        ("xl/sharedStrings.xml", shared),
        *(
            (f"xl/worksheets/sheet{i}.xml", _sheet_xml(sheet, i == 1, mapping))
            for i, (sheet, mapping) in enumerate(zip(built, numbers, strict=True), 1)
        ),
    ]
    return _zip(parts)


def _zip(parts: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, data in parts:
            entry = zipfile.ZipInfo(name, _ZIP_TIME)
            # the same bytes on any system: Unix, read and write for the owner
            entry.create_system, entry.external_attr = 3, 0o600 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            # level 3, not zlib's 6: a bulletin's workbooks compress in 0,09 s instead of 0,22 s, and
            # weigh 1,46 MB instead of 1,26 MB
            package.writestr(entry, data, compresslevel=3)
    return buffer.getvalue()


# writing -------------------------------------------------------------------------------------------


def sheet_maker() -> Callable[[pd.DataFrame], Sheet]:
    """What makes tables into sheets, each distinct value made ready once for all the sheets it makes."""
    plan = layout()
    cells = _Cells(plan.words)
    return lambda frame: _sheet(frame, plan, cells)


def _sheets(tables: Mapping[str, pd.DataFrame]) -> dict[str, Sheet]:
    make = sheet_maker()
    return {name: make(frame) for name, frame in tables.items()}


def tables_workbook(sheets: Mapping[str, Sheet]) -> bytes:
    """``tables.xlsx``: every table's sheet (by table name), named by its Vietnamese title."""
    names = sheet_names(layout().title(name) for name in sheets)
    named = list(zip(names, sheets.values(), strict=True))
    # a workbook has at least one sheet (Excel opens no other): an empty one when there is no table
    empty = [(sheet_names([""])[0], _sheet(pd.DataFrame(), layout(), _Cells({})))]
    return _workbook_bytes(named or empty, "Các bảng số liệu")


def own_workbook(name: str, sheet: Sheet) -> bytes:
    """Table ``name``'s own workbook (``<name>.xlsx``), its one sheet ``sheet``."""
    title = layout().title(name)
    return _workbook_bytes([(sheet_names([title])[0], sheet)], title)


def _each(sheets: Mapping[str, Sheet]) -> dict[str, bytes]:
    return {name: own_workbook(name, sheet) for name, sheet in sheets.items()}


def _write_each(files: Mapping[str, bytes], folder: Path) -> list[Path]:
    return write_files({f"{name}.xlsx": data for name, data in files.items()}, folder)


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
    write_atomic(path, tables_workbook(_sheets(tables)))
    return path


def write_workbooks(tables: Mapping[str, pd.DataFrame], folder: Path) -> list[Path]:
    """Each table as its own workbook ``<folder>/<name>.xlsx`` (what a table's "XLSX" link downloads).

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     (path,) = write_workbooks({"units": pd.DataFrame({"unit_code": ["H44"]})}, Path(tmp))
    ...     path.name, openpyxl.load_workbook(path).sheetnames
    ('units.xlsx', ['Điểm các đơn vị'])
    """
    return _write_each(_each(_sheets(tables)), folder)


def all_workbooks(tables: Mapping[str, pd.DataFrame]) -> tuple[bytes, dict[str, bytes]]:
    """The bytes of :func:`write_xlsx`'s workbook and of each table's own (:func:`write_workbooks`),
    each table's sheet built once for both.

    Examples
    --------
    >>> whole, each = all_workbooks({"units": pd.DataFrame({"unit_code": ["H44"]})})
    >>> whole[:2], list(each)
    (b'PK', ['units'])
    """
    sheets = _sheets(tables)
    return tables_workbook(sheets), _each(sheets)
