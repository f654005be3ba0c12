"""Ingest dossiers (hồ sơ) and complaints (phản ánh, kiến nghị) into DuckDB, quarantining bad rows.

Every row read is either used or quarantined with its line number and reason, never dropped:
``read == used + quarantined``; a row of empty cells only is a blank line, not read (a warning
counts them). Dates are local time (Asia/Ho_Chi_Minh); a date without a time
means the whole day (a due date runs to the day's end).

A CSV file is read by DuckDB with an explicit dialect (the delimiter of its header line, ``"``
quotes) in strict mode. If that fails, or rows and lines do not match one to one, the file is read
record by record (:func:`chiso766.ingest.tabular.csv_records`): a quote never closed is an
:class:`InputError` naming its line, a row with more or fewer cells than the header is quarantined
by its line (its cells are not guessed). Quarantine lines are the lines an editor shows, also after
a cell spanning several lines or a blank line. A header-only dossier file is refused; an empty
channel counts as direct (METHODOLOGY §2.3) with a warning that counts such dossiers.

How it stays at the speed of the engine (issue 15): the file is read twice by DuckDB, in parallel
and without keeping its text. The first pass reads only the unit columns: their distinct spellings,
resolved once each in Python, and the count of rows. The second makes the table ``_dossiers_rows``
(read through the view ``dossiers``, which adds each row's unit from its number in the lists of
resolved units), every cell read once into its typed column and every row with the reason it is
refused for (the common spellings are read as they are; only the other cells are trimmed and read
by the full rule, which gives them what it gave before). Repeated identifiers are found by sorting
4-byte hashes, and only rows sharing one are compared by their text. The refused rows are then read
from the table and deleted. A typed Parquet column (timestamp, boolean, integer) is used as it is
where reading it back from its text would give the same value, and read from its text otherwise:
every value is judged as before, and ``tests/test_ingest_parity.py`` holds the quarantine to the byte.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import re
import tempfile
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import duckdb
import numpy as np
import pandas as pd

from chiso766.core.errors import Diagnostics, InputError
from chiso766.core.textvi import fmt_count, fold, name_key, nfc
from chiso766.ingest.tabular import csv_records, decode_text, read_table, sniff_delimiter, undecodable
from chiso766.ingest.units import Registry, params_registry, tier_from_name

if TYPE_CHECKING:
    from chiso766.core.params import Params

__all__ = [
    "Loaded",
    "load_dossiers",
    "load_complaints",
    "ingest",
    "require_usable",
    "DOSSIER_COLUMNS",
    "COMPLAINT_COLUMNS",
    "register_units",
    "dossier_glob",
]

DOSSIER_COLUMNS = {
    "dossier_id": ("mã hồ sơ", "số hồ sơ", "mã HS", "id"),
    "unit_code": ("mã đơn vị", "mã cơ quan"),
    "unit_name": ("đơn vị", "tên đơn vị", "cơ quan", "cơ quan giải quyết", "đơn vị tiếp nhận", "địa phương"),
    "procedure_code": ("mã thủ tục", "mã TTHC", "thủ tục", "mã thủ tục hành chính"),
    "channel": ("kênh thực hiện", "kênh nộp", "hình thức nộp", "kênh"),
    "received_at": ("ngày tiếp nhận", "ngày nhận", "thời gian tiếp nhận"),
    "due_at": ("ngày hẹn trả", "hạn xử lý", "ngày hẹn", "hạn giải quyết"),
    "finished_at": ("ngày hoàn thành", "ngày trả kết quả", "ngày kết thúc", "ngày xử lý xong", "ngày có kết quả"),
    "fee_required": ("có phí", "có phí, lệ phí", "phí, lệ phí", "thu phí"),
    "paid_online": ("thanh toán trực tuyến", "đã thanh toán trực tuyến"),
    "updated_on_system": ("cập nhật trên hệ thống", "cập nhật hệ thống", "đã cập nhật"),
    "digitized": ("số hóa", "đã số hóa", "số hóa hồ sơ"),
    "reused_data": ("tái sử dụng", "sử dụng lại dữ liệu", "khai thác dữ liệu số hóa"),
    "supplement_count": ("số lần bổ sung",),
    "supplement_requested_at": ("ngày yêu cầu bổ sung",),
    "supplement_completed_at": ("ngày hoàn thành bổ sung", "ngày bổ sung"),
}
COMPLAINT_COLUMNS = {
    "complaint_id": ("mã phản ánh", "mã PAKN", "id"),
    "unit_code": ("mã đơn vị", "mã cơ quan"),
    "unit_name": ("đơn vị", "tên đơn vị", "cơ quan", "địa phương"),
    "received_at": ("ngày tiếp nhận", "ngày nhận"),
    "due_at": ("hạn xử lý", "ngày hẹn", "hạn trả lời"),
    "handled_at": ("ngày xử lý", "ngày trả lời", "ngày hoàn thành"),
    "satisfied": ("hài lòng", "mức độ hài lòng"),
}
_REQUIRED = {"dossiers": ("dossier_id", "received_at"), "complaints": ("complaint_id", "received_at")}
_DATES = {"received_at", "due_at", "finished_at", "handled_at", "supplement_requested_at", "supplement_completed_at"}
_BOOLS = {"fee_required", "paid_online", "updated_on_system", "digitized", "reused_data", "satisfied"}
_TRUE = ("1", "true", "t", "yes", "y", "x", "có", "co", "đúng", "dung", "đã", "da")
_FALSE = ("0", "false", "f", "no", "n", "không", "khong", "chưa", "chua")
# Every listed spelling, the ones exports use most first (a cell is compared until one matches);
# Python's and pandas' True and False among them, read by the full rule's lower() otherwise.
_FIRST = ("1", "0", "true", "false", "True", "False", "có", "không", "x")
_SPELLINGS = (*_FIRST, *(v for v in _TRUE + _FALSE if v not in _FIRST))
_COMMON = "%Y-%m-%d %H:%M:%S"  # how nearly every export writes a time: tried first
_FORMATS = [
    _COMMON,
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%Y-%m-%d %H:%M:%S.%f",
]
_ZONED = ["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S%z"]
_UNIT_CELL = {"unit_code": "_code", "unit_name": "_name"}
_UNIT_AND_ID = {k: (_REQUIRED[k][0], "unit_code", "unit_name") for k in _REQUIRED}
# Typed Parquet columns used as they are (the text of every such value reads back to the value itself).
_INTEGERS = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT"}
# The years a TIMESTAMP's text has four digits in: the only ones whose text the date formats read back.
_YEARS_READ_BACK = "TIMESTAMP '0001-01-01 00:00:00' AND TIMESTAMP '9999-12-31 23:59:59.999999'"


@dataclass
class Loaded:
    """The result of one ingest: ``table`` holds the clean rows in DuckDB."""

    table: str
    source: Path
    read: int
    used: int
    quarantine: pd.DataFrame  # line, id, column, value, reason
    columns: tuple[str, ...] = ()  # the canonical columns the file has (an absent one reads as empty)

    @property
    def quarantined(self) -> int:
        return len(self.quarantine)


def dossier_glob(path: Path) -> str:
    """A Parquet file, or every Parquet file of a partitioned folder (``province=…/month=…/``)."""
    return str(path / "**" / "*.parquet") if path.is_dir() else str(path)


def _sql_list(values: tuple[str, ...]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def _one_of(value: str, values: tuple[str, ...]) -> str:
    """``value IN (values)`` written as equalities: DuckDB turns a long IN list into a join over every
    row, evaluated even where a CASE would not need it."""
    return "(" + " OR ".join(f"{value} = '{v.replace(chr(39), chr(39) * 2)}'" for v in values) + ")"


def _q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    (row,) = con.execute(f"SELECT count(*) FROM {table}").fetchall()  # fetched to the end: no pending result
    return int(row[0])


def _error(column: str | None, reason_sql: str) -> str:
    """An error cell: the column and the reason, separated by a unit separator."""
    return f"{_lit((column or '') + chr(31))} || {reason_sql}"


# --- Which of the file's columns feeds each canonical column ----------------------------------------------


@dataclass
class _Plan:
    """The file's columns and the canonical column each feeds; a mapping error and the warnings that
    come before it wait for :meth:`commit`, so that a broken file is named for its structure first."""

    names: list[str]
    mapping: dict[str, str] = field(default_factory=dict)
    warnings: Diagnostics = field(default_factory=Diagnostics)
    error: InputError | None = None

    def commit(self, diagnostics: Diagnostics) -> dict[str, str]:
        diagnostics.extend(self.warnings)
        if self.error is not None:
            raise self.error
        return self.mapping


def _plan(names: list[str], known: dict[str, tuple[str, ...]], extra: dict[str, str], kind: str, path: Path) -> _Plan:
    plan = _Plan(names)
    try:
        _check_extra(extra, known, names, kind, path, plan.warnings)
        mapping = _mapping(names, known, extra)
        for required in _REQUIRED[kind]:
            if required not in mapping:
                raise InputError(f"thiếu cột bắt buộc {required}", path, 1, required)
    except InputError as exc:
        plan.error = exc
        return plan
    plan.mapping = mapping
    return plan


def _mapping(columns: list[str], known: dict[str, tuple[str, ...]], extra: dict[str, str]) -> dict[str, str]:
    """canonical name → source column, from params' mapping first, then the usual headers."""
    found: dict[str, str] = {}
    for source, target in extra.items():
        if source in columns:
            found[target] = source
    for column in columns:
        key = fold(column)
        for canonical, words in known.items():
            if canonical in found:
                continue
            if key == fold(canonical) or key in {fold(word) for word in words}:
                found[canonical] = column
                break
    return found


def _check_extra(
    extra: dict[str, str],
    known: dict[str, tuple[str, ...]],
    columns: list[str],
    kind: str,
    path: Path,
    diagnostics: Diagnostics,
) -> None:
    """``options.columns.<kind>`` maps a header to a canonical name: an unknown name is an error (the
    column would be dropped without a word), a header the file does not have a warning."""
    for source, target in extra.items():
        if target not in known:
            close = difflib.get_close_matches(str(target), list(known), n=1)
            hint = f"; có phải «{close[0]}»?" if close else f" (dùng: {', '.join(known)})"
            raise InputError(
                f"options.columns.{kind}: «{source}» được ánh xạ tới «{target}», không phải tên cột chuẩn{hint}",
                path,
                column=str(source),
            )
        if source not in columns:
            diagnostics.warn(
                "ignored_column",
                f"options.columns.{kind} nêu cột «{source}» nhưng tệp không có cột này",
                path,
                1,
                str(source),
            )


# --- Each cell parsed once: texts, then values, then reasons --------------------------------------------


def _text_of(value: str) -> str:
    """A cell as trimmed text, NULL when empty.

    ``trim`` removes the Unicode space separators (not tabs) at both ends and copies every string.
    A text whose first byte is printable ASCII (a comparison DuckDB makes on the string's inlined
    prefix), that does not end with a space and is all ASCII (as many bytes as characters) has
    nothing to remove and is not empty: it is taken as it is."""
    text = f"CAST({value} AS VARCHAR)"
    return (
        f"CASE WHEN {text} >= '!' AND {text} < chr(127) AND NOT ends_with({text}, ' ') "
        f"AND strlen({text}) = length({text}) THEN {text} ELSE nullif(trim({text}), '') END"
    )


def _starts_with_digit(text: str) -> str:
    return f"({text} >= '0' AND {text} < ':')"  # compared on the inlined prefix: no copy, no scan


def _date_from_text(text: str, end_of_day: bool) -> str:
    """Local timestamp from (trimmed) text; an offset (``+07:00``, ``Z``) is converted to Vietnam time.

    A text with an offset is read as such first (DuckDB reads ``infinity`` and ``epoch`` in every
    format, differently with and without a zone), then by the plain formats in order. A text that
    starts with a digit is tried in the common form first and alone: a text that form reads has no
    offset and is no such word, so the order changes no value, only the work (``coalesce`` reads
    the next form only for the rows the previous one left empty)."""
    formats = "[" + ", ".join(_lit(f) for f in _FORMATS) + "]"
    zoned = "[" + ", ".join(_lit(f) for f in _ZONED) + "]"
    with_zone = f"try_strptime(replace({text}, 'Z', '+00:00'), {zoned}) AT TIME ZONE 'Asia/Ho_Chi_Minh'"
    plain = f"try_strptime({text}, {formats})"
    common = f"try_strptime({text}, {_lit(_COMMON)})"
    read = (
        f"CASE WHEN {_starts_with_digit(text)} THEN coalesce({common}, {with_zone}, {plain}) "
        f"ELSE coalesce({with_zone}, {plain}) END"
    )
    if end_of_day:
        # a due date without a time is due at the end of that day
        return f"CASE WHEN length({text}) <= 10 THEN {plain} + INTERVAL 1 DAY - INTERVAL 1 MICROSECOND ELSE {read} END"
    return read


@dataclass(frozen=True)
class _Cell:
    """How one canonical column is read: its source column (None: absent), whether the source's own
    type is kept (``native``), and whether every value of it is known to read (``in_range``)."""

    canonical: str
    source: str | None
    native: bool
    slot: int
    in_range: bool = False
    varchar: bool = True  # the source column is text (else a type read from its text)

    @property
    def raw(self) -> str:  # the cell as it is in the file
        return f"_t{self.slot}"

    @property
    def value(self) -> str:
        return f"_v{self.slot}"

    @property
    def text(self) -> str:  # its trimmed text: what the value is read from, and what a reason shows
        return _text_of(self.raw)

    @property
    def category(self) -> str:
        return _category(self.canonical)


def _is_native(canonical: str, column_type: str | None) -> bool:
    """Whether a typed column's values are their own reading: every TIMESTAMP (µs) of years 1–9999,
    BOOLEAN and integer reads back from its text to itself (TIMESTAMP_NS, WITH TIME ZONE, DATE and
    the rest are read from their text, as before)."""
    if column_type is None:
        return False
    category = _category(canonical)
    if category == "date":
        return column_type == "TIMESTAMP"
    if category == "bool":
        return column_type == "BOOLEAN"
    if category in ("channel", "supplement_count"):
        return column_type in _INTEGERS
    return False


def _value(cell: _Cell) -> str:
    """The canonical value of a cell.

    A text cell is first read as it is in the file by the spelling nearly every row uses (a time
    ``YYYY-MM-DD HH:MM:SS``, a flag or a channel as listed); only a cell this leaves empty is
    trimmed and read by the full rule. Each fast reading is one the full rule gives the same cell:
    a cell it reads has no space to trim, and is read first (or only) by the same form there."""
    raw, text, category = cell.raw, cell.text, cell.category
    if category == "date":
        full = _date_from_text(text, end_of_day=cell.canonical == "due_at")
        if cell.in_range:
            return raw
        if cell.native:
            return f"CASE WHEN {raw} BETWEEN {_YEARS_READ_BACK} THEN {raw} WHEN {raw} IS NULL THEN NULL ELSE {full} END"
        if not cell.varchar:
            return full
        # a text the common form reads starts and ends with a digit (nothing to trim) and is longer than a date
        fast = f"CASE WHEN {_starts_with_digit(raw)} THEN try_strptime({raw}, {_lit(_COMMON)}) END"
        return f"CASE WHEN {raw} IS NULL THEN NULL ELSE coalesce({fast}, {full}) END"
    if category == "bool":
        if cell.native:
            return raw
        # a lookup computes the trimmed, lowered cell once; equalities joined by OR, once for each
        # spelling (list_contains or IN would be made a join, and the rows would lose the file's order)
        words = ", ".join(f"{_lit(v)}: {'true' if v in _TRUE else 'false'}" for v in _TRUE + _FALSE)
        full = f"ELSE MAP {{{words}}}[lower({text})]"
        # the spellings have no spaces: as they are, they need no trim(), and lower() gives a listed one
        fast = " ".join(f"WHEN {raw} = {_lit(v)} THEN {'true' if v.lower() in _TRUE else 'false'}" for v in _SPELLINGS)
        # an empty cell is no flag: said first, so that it does not go through every spelling
        return f"CASE WHEN {raw} IS NULL THEN NULL {fast + ' ' if cell.varchar else ''}{full} END"
    if category == "channel":
        if cell.in_range:  # every value is 1, 2 or 3
            return f"CAST(coalesce({raw}, 1) AS INTEGER)"
        if cell.native:
            return f"CASE WHEN {raw} IS NULL OR {raw} = 1 THEN 1 WHEN {raw} = 2 THEN 2 WHEN {raw} = 3 THEN 3 END"
        lower = f"lower({text})"
        fast = f"WHEN {raw} = '1' THEN 1 WHEN {raw} = '2' THEN 2 WHEN {raw} = '3' THEN 3 " if cell.varchar else ""
        return (
            f"CASE WHEN {raw} IS NULL THEN 1 {fast}"  # empty: direct, said before any spelling is tried
            f"WHEN {lower} IS NULL OR {_one_of(lower, ('1', 'trực tiếp', 'truc tiep'))} THEN 1 "
            f"WHEN {_one_of(lower, ('2', 'trực tuyến', 'truc tuyen'))} THEN 2 "
            f"WHEN {_one_of(lower, ('3', 'bưu chính', 'buu chinh'))} THEN 3 END"
        )
    if category == "supplement_count":
        if cell.native:
            return f"CAST({raw} AS INTEGER)" if cell.in_range else f"try_cast({raw} AS INTEGER)"
        return f"try_cast({text} AS INTEGER)"
    return text


def _empty(cell: _Cell) -> str:
    """Whether the cell has no text (its trimmed text is NULL); a listed channel is not empty."""
    if cell.native:
        return f"{cell.raw} IS NULL"
    if not cell.varchar:
        return f"{cell.text} IS NULL"
    return f"({cell.raw} IS NULL OR (NOT {_one_of(cell.raw, ('1', '2', '3'))} AND {cell.text} IS NULL))"


# The bounds within which every value of a typed column reads as itself: checked once for the whole
# column on its smallest and largest values (from Parquet's statistics: no row is read).
_BOUNDS = {
    "date": ("TIMESTAMP '0001-01-01 00:00:00'", "TIMESTAMP '9999-12-31 23:59:59.999999'"),
    "channel": ("1", "3"),
    "supplement_count": ("-2147483648", "2147483647"),
}


def _in_range(con: duckdb.DuckDBPyConnection, source: str, mapping: dict[str, str], types: dict[str, str]) -> set[str]:
    """The canonical columns of ``source`` (typed) whose every value lies within :data:`_BOUNDS`."""
    tests = {
        canonical: f"coalesce(min({_q(column)}) >= {low} AND max({_q(column)}) <= {high}, true)"
        for canonical, column in mapping.items()
        if _is_native(canonical, types.get(column)) and (low_high := _BOUNDS.get(_category(canonical)))
        for low, high in [low_high]
    }
    if not tests:
        return set()
    row = con.execute(f"SELECT {', '.join(tests.values())} FROM {source}").fetchone()
    assert row is not None
    return {canonical for canonical, ok in zip(tests, row, strict=True) if ok}


_WHY = {
    "date": "ngày «' || {v} || '» không đọc được",
    "bool": "giá trị «' || {v} || '» không phải có/không",
    "channel": "kênh «' || {v} || '» không hợp lệ (1 trực tiếp, 2 trực tuyến, 3 bưu chính)",
    "supplement_count": "số lần bổ sung «' || {v} || '» không phải số nguyên",
}


def _category(canonical: str) -> str:
    if canonical in _DATES:
        return "date"
    if canonical in _BOOLS:
        return "bool"
    return canonical if canonical in ("channel", "supplement_count") else "text"


# What an absent column reads as: no date, no flag, no count; the channel is direct (METHODOLOGY §2.3).
_ABSENT = {
    "date": "NULL::TIMESTAMP",
    "bool": "NULL::BOOLEAN",
    "channel": "1",
    "supplement_count": "NULL::INTEGER",
    "text": "NULL::VARCHAR",
}


def _parse_sql(
    relation: str,
    mapping: dict[str, str],
    types: dict[str, str],
    kind: str,
    in_range: set[str] | None = None,
    blank: tuple[str, ...] | None = None,
) -> str:
    """A query over ``relation`` (``_line``, ``_ragged`` and the file's columns): one typed row per row.

    Its columns: ``_line``, ``_ragged``, the identifier, ``_code`` and ``_name`` (the unit's cells as
    they are), every other canonical column, ``_channel_empty`` (dossiers) and ``_text_error``: the
    first cell, in the order of the columns, that has a text but no reading (NULL when every cell
    reads), and ``_blank`` (:func:`_blank_sql` over the columns ``blank``, every column of the file
    when not given). Three levels, so that each cell is read once: the cells, their values, then the
    reasons."""
    known = DOSSIER_COLUMNS if kind == "dossiers" else COMPLAINT_COLUMNS
    cells = []
    for slot, canonical in enumerate(known):
        source = mapping.get(canonical)
        native = source is not None and _is_native(canonical, types.get(source))
        varchar = source is None or types.get(source) == "VARCHAR"
        cells.append(_Cell(canonical, source, native, slot, native and canonical in (in_range or set()), varchar))
    by_name = {c.canonical: c for c in cells}
    raw = [f"r.{_q(c.source)} AS {c.raw}" for c in cells if c.source is not None]
    # an absent column is a constant of its type, not a NULL parsed on every row
    values = [
        f"{_value(c) if c.source is not None else _ABSENT[c.category]} AS {c.value}"
        for c in cells
        if c.canonical not in _UNIT_CELL
    ]
    id_col = _REQUIRED[kind][0]
    out = ["_line", _RAGGED, "_blank", f"{by_name[id_col].value} AS {id_col}"]
    # the unit's cells as they are: their text is made once for each distinct value (_unit_map)
    out += [f"{by_name[c].raw} AS {_UNIT_CELL[c]}" for c in _UNIT_CELL if c in mapping]
    checks = []
    for cell in cells:
        if cell.canonical in _UNIT_AND_ID[kind]:
            continue
        out.append(f"{cell.value} AS {cell.canonical}")
        if cell.canonical == "channel":
            out.append(f"{'true' if cell.source is None else _empty(cell)} AS _channel_empty")
        why = _WHY.get(cell.category)
        # a typed flag, or a typed column within its bounds, is its own reading: it cannot fail to read
        if cell.source is None or not why or cell.in_range or (cell.native and cell.category == "bool"):
            continue
        reason = "'" + why.replace("{v}", cell.text) + "'"
        # the value first, then the cell: the text is made only for a cell that has one but no value
        unread = f"{cell.value} IS NULL AND {cell.raw} IS NOT NULL AND {cell.text} IS NOT NULL"
        checks.append(f"WHEN {unread} THEN {_error(cell.source, reason)}")
    out.append(f"CASE {' '.join(checks)} END AS _text_error" if checks else "NULL::VARCHAR AS _text_error")
    return (
        f"SELECT {', '.join(out)}\n"
        f"FROM (SELECT *, {', '.join(values)}\n"
        f"      FROM (SELECT r._line, r.{_RAGGED}, {', '.join(raw)}, "
        f"{_blank_sql(mapping[id_col], blank or tuple(c for c in types if c not in ('_line', _RAGGED)))} AS _blank "
        f"FROM {relation} r))"
    )


# Empty as a person sees it: spaces, tabs, no-break and ideographic spaces, a stray byte-order mark
_EMPTY = r"[\s\x{00A0}\x{3000}\x{FEFF}]*"


def _blank_sql(id_source: str, columns: tuple[str, ...]) -> str:
    """Whether a row (alias ``r``) has no text in any of ``columns`` (A49). Only a row whose identifier
    may be empty is looked at: one that starts with a visible ASCII character is not."""
    ident = f"CAST(r.{_q(id_source)} AS VARCHAR)"
    empty = [f"coalesce(regexp_full_match(CAST(r.{_q(c)} AS VARCHAR), '{_EMPTY}'), true)" for c in columns]
    return f"CASE WHEN {ident} >= '!' AND {ident} < chr(127) THEN false ELSE {' AND '.join(empty)} END"


# --- Reading each kind of file into parsed rows ---------------------------------------------------------


@dataclass
class _Scratch:
    """Temporary files and tables of one ingest, removed at its end whatever happens."""

    files: list[Path] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)

    def clean(self, con: duckdb.DuckDBPyConnection) -> None:
        for table in self.tables:
            con.execute(f"DROP TABLE IF EXISTS {table}")
        for kind in self.types:
            con.execute(f"DROP TYPE IF EXISTS {kind}")
        for path in self.files:
            path.unlink(missing_ok=True)


@dataclass
class _Rows:
    """A file's rows: ``cells`` as they are (``_line``, ``_ragged`` and the file's columns), ``relation``
    parsed (:func:`_parse_sql`'s columns), how many, and the column mapping.

    ``numbering``: the rows carry no line yet (a window numbering them would read the file on one
    thread); the table made from them is in their order, its lines are numbered in it from 2 (the
    header is line 1), and that order is checked against the file (:func:`_number_lines`)."""

    cells: str
    relation: str
    names: list[str]
    mapping: dict[str, str]
    read: int | None = None
    numbering: _LineCheck | None = None
    pairs_made: bool = False  # the table of distinct unit cells is made (with the count of rows)
    ragged: bool = False  # rows may be ragged (a CSV file read record by record)

    @property
    def text_checks(self) -> bool:
        """Whether a cell can fail to read (``_text_error`` is not NULL on every row)."""
        return "NULL::VARCHAR AS _text_error" not in self.relation


@dataclass(frozen=True)
class _LineCheck:
    """Where to check the lines numbered in the table's order: the file (UTF-8), its delimiter, the
    identifier's column, and sample lines (line, byte offset) of :func:`_lines_of_header_width`."""

    path: Path
    delimiter: str
    id_index: int
    samples: list[tuple[int, int]]


def _describe(con: duckdb.DuckDBPyConnection, relation: str) -> tuple[list[str], dict[str, str]]:
    rows = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    return [str(r[0]) for r in rows], {str(r[0]): str(r[1]) for r in rows}


def _unit_key(cells: list[str], alias: str) -> str:
    """One text per distinct (code, name) pair of unit cells, NULL only when the one cell is NULL:
    the cell itself, or both cells each prefixed by its length (so that no two pairs share a key)."""
    texts = [f"CAST({alias}.{c} AS VARCHAR)" for c in cells]
    if len(texts) == 1:
        return texts[0]
    return " || '|' || ".join(f"coalesce(CAST(length({t}) AS VARCHAR), 'n') || ':' || coalesce({t}, '')" for t in texts)


def _pairs(con: duckdb.DuckDBPyConnection, cells: str, mapping: dict[str, str], table: str) -> int | None:
    """The distinct (code, name) cells of the unit columns, as text, into ``table`` with ``_key`` (see
    :func:`_unit_key`), ``_rows`` (how many rows have them) and ``_whole`` (how many of those rows are
    read as the header says: a ragged row's cells are not a unit's); the count of rows. None without
    unit columns.

    One pass over the unit columns only: DuckDB reads no other column of a Parquet file, and converts
    no other cell of a CSV file."""
    columns = [f"CAST(r.{_q(mapping[c])} AS VARCHAR) AS {_UNIT_CELL[c]}" for c in _UNIT_CELL if c in mapping]
    if not columns:
        return None
    present = [_UNIT_CELL[c] for c in _UNIT_CELL if c in mapping]
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT *, {_unit_key(present, 'p')} AS _key FROM "
        f"(SELECT {', '.join(columns)}, count(*) AS _rows, count_if(r.{_RAGGED} IS NULL) AS _whole "
        f"FROM {cells} r GROUP BY ALL) p"
    )
    (row,) = con.execute(f"SELECT coalesce(sum(_rows), 0)::BIGINT FROM {table}").fetchall()
    return int(row[0])


def _parsed_rows(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    kind: str,
    extra: dict[str, str],
    diagnostics: Diagnostics,
    scratch: _Scratch,
    pairs: str,
) -> _Rows:
    """The file's rows, parsed, with ``_line`` the spreadsheet line of each."""
    known = DOSSIER_COLUMNS if kind == "dossiers" else COMPLAINT_COLUMNS
    if path.is_dir():  # Parquet partitioned by province and month
        return _parquet_rows(con, path, kind, known, extra, diagnostics)
    if not path.is_file():
        raise InputError("không tìm thấy tệp", path)
    if path.stat().st_size == 0:
        raise InputError("tệp rỗng (0 byte)", path)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return _parquet_rows(con, path, kind, known, extra, diagnostics)
    if suffix in {".xlsx", ".xlsm"}:
        table = read_table(path, diagnostics)
        frame = table.frame.copy()
        frame.insert(0, "_line", table.lines)
        raw = f"raw_{kind}"
        scratch.tables.append(raw)
        con.register("_xlsx_frame", frame)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {raw} AS SELECT * FROM _xlsx_frame")
        con.unregister("_xlsx_frame")
        names, types = _describe(con, raw)
        names = [n for n in names if n != "_line"]
        mapping = _plan(names, known, extra, kind, path).commit(diagnostics)
        cells = f"(SELECT _line, NULL::VARCHAR AS {_RAGGED}, * EXCLUDE (_line) FROM {raw})"
        return _Rows(cells, f"({_parse_sql(cells, mapping, types, kind)})", names, mapping)
    return _csv_rows(con, path, kind, known, extra, diagnostics, scratch, pairs)


def _parquet_rows(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    kind: str,
    known: dict[str, tuple[str, ...]],
    extra: dict[str, str],
    diagnostics: Diagnostics,
) -> _Rows:
    """Typed Parquet is parsed where it lies: each query below reads only the columns it needs."""
    if path.is_dir():
        source = f"read_parquet({_lit(dossier_glob(path))}, hive_partitioning = true)"
    else:
        source = f"read_parquet({_lit(str(path))})"
    try:
        names, types = _describe(con, source)
    except duckdb.Error:  # not Parquet, or cut short ("No magic bytes found at end of file")
        raise InputError(
            "tệp Parquet hỏng (bị cắt ngắn) hoặc không phải tệp Parquet: xuất lại tệp từ hệ thống nguồn", path
        ) from None
    if path.is_dir() or "file_row_number" in names:
        # rows numbered in the order of the files and of the rows in each, as DuckDB reads them
        cells = f"(SELECT row_number() OVER () AS _line, NULL::VARCHAR AS {_RAGGED}, * FROM {source})"
    else:  # the row's place in the file, without a window over the rows
        cells = (
            f"(SELECT file_row_number + 1 AS _line, NULL::VARCHAR AS {_RAGGED}, * EXCLUDE (file_row_number) "
            f"FROM read_parquet({_lit(str(path))}, file_row_number = true))"
        )
    mapping = _plan(names, known, extra, kind, path).commit(diagnostics)
    # a Parquet file's blank rows are judged by the columns read (its others are never read)
    read = tuple(dict.fromkeys(mapping.values()))
    parsed = f"({_parse_sql(cells, mapping, types, kind, _in_range(con, source, mapping, types), read)})"
    return _Rows(cells, parsed, names, mapping)


_RAGGED = "_ragged"  # why a row was not read as the header says (its cells are quarantined, not guessed)


# The reader's buffer, set: on 10M rows (1.1 GB) an explicit 32 MiB took about a third less CPU
# than the reader's default over the whole ingest, for a peak within some 100 MiB of it (measured).
# A file within one buffer is parsed by one thread, so a smaller file gets buffers of an eighth of
# its size, at least 2 MiB: every core takes part (a month of Phú Thọ, 22 MB: 0,71 s → 0,47 s).
_CSV_BUFFER = 32 << 20


def _csv_buffer(path: Path) -> int:
    return min(_CSV_BUFFER, max(2 << 20, path.stat().st_size // 8))


def _read_csv_sql(path: Path, delimiter: str) -> str:
    return (
        f"read_csv({_lit(str(path))}, all_varchar = true, header = true, delim = {_lit(delimiter)}, quote = '\"', "
        f"escape = '\"', strict_mode = true, null_padding = false, auto_detect = true, "
        f"buffer_size = {_csv_buffer(path)})"
    )


def _csv_rows(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    kind: str,
    known: dict[str, tuple[str, ...]],
    extra: dict[str, str],
    diagnostics: Diagnostics,
    scratch: _Scratch,
    pairs: str,
) -> _Rows:
    """A CSV file parsed, with the line an editor shows for every row.

    DuckDB reads it first, strictly. When that fails (a row of the wrong width, a quote) or when rows
    and lines do not match one to one (a cell over several lines, a blank line), Python's reader
    goes through the file: a broken quote is an :class:`InputError` naming its line; a row of the
    wrong width is kept with the reason it will be quarantined for; the rows are then read again
    from a normalised copy that carries each one's line. A mapping error waits until the file's
    structure is known to be sound (a broken file is named for that first).

    The rows are counted by the pass that finds the units' distinct cells (:func:`_pairs`); they are
    parsed by the pass that makes the table.
    """
    source = _utf8_copy(path, diagnostics)
    if source != path:
        scratch.files.append(source)
    with source.open("rb") as handle:
        head = handle.read(1 << 16).decode("utf-8", "replace").lstrip("\ufeff")
    if not head.strip() and source.stat().st_size <= 1 << 16:
        raise InputError("tệp rỗng (chỉ có dòng trống)", path)
    delimiter = sniff_delimiter(head)
    # The lines are measured while DuckDB reads the file: the two read it at once (each waits on
    # the disk while the other works), and neither holds the interpreter's lock meanwhile.
    with ThreadPoolExecutor(1) as pool:
        measured = pool.submit(_lines_of_header_width, source, delimiter)
        read_csv = _read_csv_sql(source, delimiter)
        rows, plan = None, None
        try:
            names, types = _describe(con, read_csv)
            plan = _plan(names, known, extra, kind, path)
            # each row is one line (checked below): line = row + 2, numbered once the table is made
            cells = f"(SELECT NULL::BIGINT AS _line, NULL::VARCHAR AS {_RAGGED}, * FROM {read_csv})"
            if plan.error is None:
                rows = _pairs(con, cells, plan.mapping, pairs)
            if rows is None:
                rows = _count(con, read_csv)
        except duckdb.Error:
            pass
        lines = measured.result()
    if lines is not None and plan is not None and rows is not None and rows + 1 == lines.count:
        mapping = plan.commit(diagnostics)
        relation = f"({_parse_sql(cells, mapping, types, kind)})"
        check = _LineCheck(source, delimiter, names.index(mapping[_REQUIRED[kind][0]]), lines.samples)
        return _Rows(cells, relation, names, mapping, rows, check, "unit_code" in mapping or "unit_name" in mapping)
    normalised = _normalised_copy(source, path, delimiter)
    scratch.files.append(normalised)
    read_csv = _read_csv_sql(normalised, ",")
    try:
        names, types = _describe(con, read_csv)
        names = [n for n in names if n not in ("_line", _RAGGED)]
        mapping = _plan(names, known, extra, kind, path).commit(diagnostics)
        cells = (
            f"(SELECT CAST(_line AS BIGINT) AS _line, nullif({_RAGGED}, '') AS {_RAGGED}, "
            f"* EXCLUDE (_line, {_RAGGED}) FROM {read_csv})"
        )
        rows = _pairs(con, cells, mapping, pairs)
        if rows is None:
            rows = _count(con, read_csv)
    except duckdb.Error as exc:
        raise InputError(f"không đọc được tệp CSV ({str(exc).splitlines()[0]})", path) from exc
    relation = f"({_parse_sql(cells, mapping, types, kind)})"
    units = "unit_code" in mapping or "unit_name" in mapping
    return _Rows(cells, relation, names, mapping, rows, None, units, ragged=True)


_QUOTED = re.compile(rb'"[^"]*"')
_BLOCK = 1 << 24  # bytes read at a time by the line check


@dataclass(frozen=True)
class _Lines:
    """How many lines the file has, and where some of them start: (line, byte offset), to check the
    order of the rows read from it (:func:`_check_lines`)."""

    count: int
    samples: list[tuple[int, int]]


def _lines_of_header_width(path: Path, delimiter: str) -> _Lines | None:
    """The file's lines when each has the header line's width, else None.

    DuckDB numbers rows, not lines, lets a row end with one delimiter too many and skips blank
    lines; only when every line is one row of the header's width (and the count of lines is one
    more than DuckDB's rows) are its row numbers the lines and its rows the file's. A line holding
    quotes is measured with its quoted parts removed, quotes paired on the line (a cell over several
    lines fails the check, and the file is then read record by record).

    The lines are measured a block at a time with arrays: the positions of the line ends and of the
    delimiters outside quotes; with ``w`` delimiters a line, the ``k``-th line holds delimiters
    ``k·w`` to ``k·w + w - 1`` exactly when their count is ``w`` times the lines and each line's first
    and last of them fall between its line ends. A whitespace delimiter (a line of tabs only is blank)
    or a header without delimiters is measured line by line.
    """
    mark = delimiter.encode()
    if len(mark) != 1 or mark.isspace():
        return _lines_one_by_one(path, mark)
    buffer = bytearray(_BLOCK)
    count, width, kept, offset = 0, -1, 0, 0
    samples: list[tuple[int, int]] = []
    with path.open("rb") as handle:
        while True:
            if kept >= len(buffer) - 1:  # a line longer than the buffer (and room for a last line end)
                buffer.extend(bytes(len(buffer)))
            with memoryview(buffer) as view, view[kept:] as free:
                read = handle.readinto(free)
            size = kept + read
            if not read:
                if not kept:
                    break
                buffer[kept] = 10  # the last line, without a line end
                size += 1
            data = np.frombuffer(buffer, dtype=np.uint8, count=size)
            ends = np.flatnonzero(data == 10)
            if not len(ends):
                del data
                kept = size
                continue
            end = int(ends[-1]) + 1
            delimiters = _outside_quotes(data[:end], ends, mark[0])
            if delimiters is None:
                return None
            if width < 0:
                width = int(np.count_nonzero(delimiters < ends[0]))
                if width == 0:
                    return _lines_one_by_one(path, mark)
            if len(delimiters) != len(ends) * width:
                return None
            if not (delimiters[::width][1:] > ends[:-1]).all() or not (delimiters[width - 1 :: width] < ends).all():
                return None
            # a sample of lines to check the table's order by: the first line of every block (and line 2)
            samples.append((count + 1, offset))
            if count == 0 and len(ends) > 1:
                samples.append((2, int(ends[0]) + 1))
            count += len(ends)
            offset += end
            del data  # the buffer may grow: no array may still view it
            kept = size - end
            buffer[:kept] = buffer[end:size]
            if not read:
                break
    return _Lines(count, samples)


def _outside_quotes(data: np.ndarray, ends: np.ndarray, mark: int) -> np.ndarray | None:
    """Positions of the delimiters of ``data`` (whole lines ending at ``ends``) outside quoted parts;
    None if a line leaves a quote unpaired. Quotes pair in order on a line, as ``"[^"]*"`` removes
    them: a delimiter is inside a quoted part when an odd number of quotes come before it."""
    delimiters = np.flatnonzero(data == mark)
    quotes = np.flatnonzero(data == 34)
    if not len(quotes):
        return delimiters
    if (np.bincount(np.searchsorted(ends, quotes), minlength=len(ends)) & 1).any():
        return None
    outside: np.ndarray = delimiters[(np.searchsorted(quotes, delimiters) & 1) == 0]
    return outside


def _lines_one_by_one(path: Path, mark: bytes) -> _Lines | None:
    count = offset = 0
    width = -1
    samples: list[tuple[int, int]] = []
    with path.open("rb") as handle:
        for line in handle:
            count += 1
            if count == 2 or count % (1 << 20) == 0:
                samples.append((count, offset))
            offset += len(line)
            if b'"' in line:
                line = _QUOTED.sub(b"", line)
                if b'"' in line:
                    return None
            cells = line.count(mark)
            if width < 0:
                width = cells
            elif cells != width or not line.strip():
                return None
    return _Lines(count, samples)


_WIDE_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _normalised_copy(source: Path, path: Path, delimiter: str) -> Path:
    """A temporary comma-separated copy: ``_line`` and ``_ragged`` first, then the header's columns.

    A row with more cells than the header (an unquoted delimiter shifted its cells, even when the
    extra cell is empty) or fewer is written with the reason in ``_ragged``.
    """
    text = source.read_bytes().decode("utf-8-sig", "replace")
    width = 0
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8", newline="") as handle:
        copy = Path(handle.name)
        try:
            writer = csv.writer(handle)
            for first, _, row in csv_records(text, path, delimiter):
                if not width:
                    width = len(row)
                    writer.writerow(["_line", _RAGGED, *row])
                    continue
                why = ""
                # a row with no text in any cell, however many, is blank (A49), neither cut nor split
                texts = bool("".join(row).replace("\ufeff", "").strip())
                if texts and len(row) > width:
                    why = f"dòng có {len(row)} ô, nhiều hơn {width} cột của tiêu đề (có thể một ô chứa dấu phân cách)"
                elif texts and len(row) < width:
                    why = f"dòng chỉ có {len(row)} ô, ít hơn {width} cột của tiêu đề (dòng bị cắt?)"
                cells = (row + [""] * width)[:width]
                writer.writerow([first, why, *cells])
        except BaseException:
            handle.close()
            copy.unlink(missing_ok=True)
            raise
    return copy


_HEAD = 1 << 20  # bytes of a file looked at for its encoding


def _utf8_copy(path: Path, diagnostics: Diagnostics) -> Path:
    """``path`` itself if it is UTF-8; else a temporary UTF-8 (NFC) copy of a Windows-1258 or
    UTF-16/UTF-32 (with BOM) file. Bytes 0 without a BOM are refused by name."""
    with path.open("rb") as handle:
        head = handle.read(_HEAD)
    if head.startswith(_WIDE_BOMS):
        text, _ = decode_text(path.read_bytes(), path, diagnostics)
        with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8", newline="") as out:
            out.write(unicodedata.normalize("NFC", text))
        return Path(out.name)
    if b"\x00" in head:
        decode_text(head, path, diagnostics)  # raises: NUL without a BOM
    try:
        head.decode("utf-8")
        return path
    except UnicodeDecodeError as exc:
        if len(head) == _HEAD and exc.start > _HEAD - 4:  # a character cut by the 1 MiB boundary
            return path
        not_utf8 = exc
    with (
        path.open("r", encoding="cp1258", newline="") as source,
        tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8", newline="") as handle_out,
    ):
        copy = Path(handle_out.name)
        try:
            for line in source:
                handle_out.write(unicodedata.normalize("NFC", line))
        except UnicodeDecodeError:
            handle_out.close()
            copy.unlink(missing_ok=True)
            raise undecodable(head, not_utf8, path) from None
        except BaseException:
            handle_out.close()
            copy.unlink(missing_ok=True)
            raise
    diagnostics.warn("encoding", "tệp dùng bảng mã Windows-1258 (CP1258), đã chuyển sang Unicode NFC", path)
    return copy


# --- Units, repeated identifiers, the table and its quarantine ----------------------------------------


def register_units(con: duckdb.DuckDBPyConnection, registry: Registry) -> None:
    rows = [(u.code, u.name, u.tier) for u in registry.units]
    frame = pd.DataFrame(rows, columns=["unit_code", "unit_name", "tier"])
    con.register("_units_frame", frame)
    con.execute("CREATE OR REPLACE TEMP TABLE units AS SELECT * FROM _units_frame")
    con.unregister("_units_frame")


class _Units(NamedTuple):
    """The (code, name) pairs of a file worth a word, as their text with how many rows have them."""

    unknown: list[tuple[str, int]]  # in no unit of the registry: their rows are quarantined
    mixed: list[tuple[str, int]]  # a code and a name of two units: counted for the code's unit


def _unit_columns(
    con: duckdb.DuckDBPyConnection,
    pairs: str,
    kind: str,
    mapping: dict[str, str],
    registry: Registry,
    scratch: _Scratch,
) -> tuple[dict[str, str], _Units]:
    """Resolve each distinct (code, name) pair once in Python (spellings, aliases, NFC) and return, for
    ``_unit`` (the row's pair: its place in the lists, on a row of alias ``r``), then ``unit_code``,
    ``unit_name`` and ``tier``, each an expression of ``_unit`` giving the row's resolved value; and
    the pairs the registry does not know, or that name two of its units (:class:`_Units`).

    Each pair is resolved from its trimmed text, as a row would be. A row finds its pair without a
    join (a hash join gives its rows in no set order, and the rows of a CSV file are numbered by
    their order): its cells' key is cast to an ENUM of every pair's key, a hash lookup, and the
    ENUM's number picks the pair's values from constant lists."""
    cells = [_UNIT_CELL[c] for c in _UNIT_CELL if c in mapping]
    texts = {c: (_text_of(c) if c in cells else "NULL::VARCHAR") for c in _UNIT_CELL.values()}
    found = con.execute(
        f"SELECT _key, {texts['_code']}, {texts['_name']}, _whole FROM {pairs} WHERE _key IS NOT NULL"
    ).fetchall()
    keys: list[str] = []
    values: dict[str, list[str | None]] = {"unit_code": [], "unit_name": [], "tier": []}
    unknown: list[tuple[str, int]] = []
    mixed: list[tuple[str, int]] = []
    for key, raw_code, raw_name, whole in found:
        unit = registry.resolve(raw_name, raw_code) if registry else None
        resolved: tuple[str | None, str | None, str | None]
        if unit is not None:
            resolved = (unit.code, unit.name, unit.tier)
            differ = registry.code_and_name_differ(raw_name, raw_code)
            if differ is not None and whole:
                mixed.append((differ, int(whole)))
        elif not registry and (raw_code or raw_name):
            resolved = (raw_code or name_key(raw_name), raw_name or raw_code, tier_from_name(raw_name or ""))
        else:
            resolved = (None, None, None)
            if (raw_code or raw_name) and whole:  # only ragged rows: quarantined for that, not named a unit
                unknown.append((nfc(f"«{' – '.join(t for t in (raw_code, raw_name) if t)}»"), int(whole)))
        keys.append(key)
        for column, value in zip(values, resolved, strict=True):
            values[column].append(value)
    enum = f"_{kind}_unit_keys"
    con.execute(f"DROP TYPE IF EXISTS {enum}")
    con.execute(f"CREATE TEMP TYPE {enum} AS ENUM ({', '.join(_lit(k) for k in keys)})")
    scratch.types.append(enum)
    # a row whose key is NULL (its one unit cell empty) has no unit, as the pair of empty cells resolves
    return {
        "_unit": f"enum_code(TRY_CAST({_unit_key(cells, 'r')} AS {enum})) + 1",  # the pair's place, once a row
        **{
            column: f"CAST([{', '.join('NULL' if v is None else _lit(v) for v in column_values)}] AS VARCHAR[])[_unit]"
            for column, column_values in values.items()
        },
    }, _Units(unknown, mixed)


def _warn_units(units: _Units, path: Path, diagnostics: Diagnostics) -> None:
    """Name the units the registry does not know, and the pairs of a code and a name of two units,
    most rows first: the quarantine says only "đơn vị không có trong danh mục" row by row, and a unit
    missing from the registry is one fix; a row counted for the unit its code names, not its name,
    would otherwise move between units unseen."""
    if units.unknown:
        count, shown = _most_rows(units.unknown, "đơn vị", " (mỗi dòng của chúng có trong bảng cách ly)")
        diagnostics.warn(
            "unknown_units",
            f"{count} đơn vị không có trong danh mục đơn vị, các dòng của chúng bị cách ly: {shown}. "
            "Bổ sung vào danh mục (units) hoặc sửa mã, tên trong tệp",
            path,
        )
    if units.mixed:
        count, shown = _most_rows(units.mixed, "cặp")
        diagnostics.warn(
            "unit_code_name_mismatch",
            f"{count} cặp mã và tên đơn vị không cùng một đơn vị trong danh mục, các dòng được tính cho đơn vị "
            f"theo mã: {shown}. Sửa mã hoặc tên trong tệp nếu mã sai",
            path,
        )


def _most_rows(texts: list[tuple[str, int]], what: str, rest: str = "") -> tuple[str, str]:
    """How many distinct texts, and the first ten with their rows, most rows first (one text in two
    Unicode forms is one)."""
    rows_of: dict[str, int] = {}
    for text, rows in texts:
        rows_of[text] = rows_of.get(text, 0) + rows
    ranked = sorted(rows_of.items(), key=lambda pair: (-pair[1], pair[0]))
    shown = "; ".join(f"{text} ({fmt_count(rows)} dòng)" for text, rows in ranked[:10])
    if len(ranked) > 10:
        shown += f"; và {fmt_count(len(ranked) - 10)} {what} khác{rest}"
    return fmt_count(len(ranked)), shown


def _number_lines(con: duckdb.DuckDBPyConnection, kind: str, id_col: str, check: _LineCheck) -> None:
    """Fill ``_line`` with 2, 3, … in the table's order, and check that order against the file.

    A window numbering the rows would have read the file on one thread. DuckDB keeps the order of
    the rows it reads through scans and projections (the table is made with no join for this), and
    a sequence numbers them in the table's order. The order is then checked, not assumed: the
    identifier of each sample line, read from the file where the line check found the line to
    begin, must be the identifier of the row given that line."""
    sequence = f"_{kind}_lines"
    con.execute(f"CREATE OR REPLACE TEMP SEQUENCE {sequence} START 2")
    try:
        con.execute(f"ALTER TABLE {kind} ALTER _line SET DATA TYPE BIGINT USING nextval('{sequence}')")
    finally:
        con.execute(f"DROP SEQUENCE IF EXISTS {sequence}")
    samples = [(line, offset) for line, offset in check.samples if line >= 2]
    if not samples:
        return
    cells: list[str | None] = []
    with check.path.open("rb") as handle:
        for _, offset in samples:
            handle.seek(offset)
            text = handle.readline().decode("utf-8", "replace").rstrip("\r\n")
            row = next(csv.reader([text], delimiter=check.delimiter, quotechar='"'), [])
            cells.append(row[check.id_index] if check.id_index < len(row) else None)
    texts = ", ".join(_text_of(f"${i}") for i in range(1, len(cells) + 1))  # each cell as a row's id is read
    expected = con.execute(f"SELECT {texts}", cells).fetchone()
    found = dict(
        con.execute(
            f"SELECT _line, {id_col} FROM {kind} WHERE _line IN ({', '.join(str(line) for line, _ in samples)})"
        ).fetchall()
    )
    for (line, _), identifier in zip(samples, expected or (), strict=True):
        if found.get(line) != identifier:
            raise AssertionError(f"{kind}: line {line} of the file is not the row numbered {line} (rows out of order)")


def _repeated_in(hashes: np.ndarray) -> np.ndarray:
    hashes.sort()  # NumPy sorts without the interpreter's lock: the two halves are sorted at once
    repeated: np.ndarray = hashes[1:][hashes[1:] == hashes[:-1]]
    return repeated


def _repeated_hashes(con: duckdb.DuckDBPyConnection, kind: str) -> np.ndarray:
    """The 4-byte hashes (``_h``) that occur more than once in the table, found by sorting.

    A repeated hash stays within its half of their range: each half (20 MB for 10M rows) is read
    by its own scan and sorted on a thread of its own, the first while the second is read."""
    with ThreadPoolExecutor(2) as pool:
        halves = []
        for half in (f"< {1 << 31}", f">= {1 << 31}"):
            hashes = con.execute(f"SELECT _h FROM {kind} WHERE _h {half}").fetchnumpy()["_h"]
            halves.append(pool.submit(_repeated_in, np.asarray(hashes, dtype=np.uint32)))
        return np.unique(np.concatenate([half.result() for half in halves]))


def _mark_repeated(con: duckdb.DuckDBPyConnection, kind: str, id_col: str, id_source: str) -> None:
    """Refuse each row whose identifier an earlier row (read as the header says) already has.

    A window over every identifier sorts or hashes all their texts. Instead each row of the table
    carries ``_h``, a 4-byte hash of its identifier (NULL for a ragged row or no identifier); the
    hashes that occur twice are found by sorting them, and only the rows with one of them are
    grouped by their text (two identifiers that share a hash are told apart there: some 12,000
    pairs of 10M distinct identifiers share 4 bytes, a few thousandths of the rows). The check is
    the last of all: only a row not refused for another reason is marked."""
    twice = _repeated_hashes(con, kind)
    if not len(twice):
        return
    con.register("_twice_frame", pd.DataFrame({"h": twice}))
    try:
        con.execute(f"""
            UPDATE {kind} SET _error = {_error(id_source, "'trùng mã với dòng ' || d._first_line")}
            FROM (
                SELECT {id_col}, min(_line) AS _first_line
                FROM {kind}
                WHERE _h IN (SELECT h FROM _twice_frame)
                GROUP BY {id_col}
                HAVING count(*) > 1
            ) d
            WHERE {kind}.{id_col} = d.{id_col} AND {kind}._h IS NOT NULL AND {kind}._line > d._first_line
              AND {kind}._error IS NULL
        """)
    finally:
        con.unregister("_twice_frame")


def _load(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    kind: str,
    registry: Registry,
    extra: dict[str, str] | None,
    diagnostics: Diagnostics,
) -> Loaded:
    path = Path(path)
    known = DOSSIER_COLUMNS if kind == "dossiers" else COMPLAINT_COLUMNS
    scratch = _Scratch()
    try:
        pairs = f"_{kind}_pairs"
        scratch.tables.append(pairs)
        rows = _parsed_rows(con, path, kind, extra or {}, diagnostics, scratch, pairs)
        mapping, columns = rows.mapping, rows.names
        if rows.read is None:
            counted = _pairs(con, rows.cells, mapping, pairs)
            rows.read, rows.pairs_made = (_count(con, rows.cells), False) if counted is None else (counted, True)
        if rows.read == 0:
            _no_rows(kind, path, diagnostics, "")
        if "unit_code" not in mapping and "unit_name" not in mapping:
            raise InputError("thiếu cột đơn vị (unit_code hoặc unit_name)", path, 1, "unit_name")
        for column in columns:
            if column not in mapping.values():
                diagnostics.warn("ignored_column", f"cột «{column}» không được nhận ra, đã bỏ qua", path, 1, column)
        assert rows.pairs_made
        units, said = _unit_columns(con, pairs, kind, mapping, registry, scratch)
        _warn_units(said, path, diagnostics)
        id_col, end_col = _REQUIRED[kind][0], ("finished_at" if kind == "dossiers" else "handled_at")
        unit_source = mapping.get("unit_name") or mapping.get("unit_code")
        values = [f"r.{c}" for c in known if c not in _UNIT_AND_ID[kind]]
        helpers = ["_error", "_h", *(["_channel_empty"] if kind == "dossiers" else [])]
        # One pass makes the table, every row with the reason it is refused for (NULL: used). The
        # order of the WHENs is the order of the checks: a row is refused for its first fault; the
        # last check, a repeated identifier, is made on the table (_mark_repeated).
        # Rows in the file's order: scans and projections only (no join), so that the order of the
        # table is the order of the file (the CSV fast path numbers its lines by it).
        table = f"_{kind}_rows"
        _drop_relation(con, kind)
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE {table} AS
            SELECT r._line, r.{id_col}, r._unit, {", ".join(values)},
              CASE
                {f"WHEN r.{_RAGGED} IS NOT NULL THEN {_error(None, f'r.{_RAGGED}')}" if rows.ragged else ""}
                WHEN r._blank THEN {_lit(_BLANK)}
                WHEN r.{id_col} IS NULL THEN {_error(mapping[id_col], "'thiếu mã'")}
                {"WHEN r._text_error IS NOT NULL THEN r._text_error" if rows.text_checks else ""}
                WHEN r.received_at IS NULL THEN {_error(mapping["received_at"], "'thiếu ngày tiếp nhận'")}
                WHEN r.unit_code IS NULL THEN {_error(unit_source, "'đơn vị không có trong danh mục'")}
                WHEN r.{end_col} IS NOT NULL AND r.{end_col} < r.received_at
                  THEN {_error(mapping.get(end_col), "'kết thúc trước ngày tiếp nhận'")}
                WHEN r.due_at IS NOT NULL AND r.due_at < r.received_at
                  THEN {_error(mapping.get("due_at"), "'hạn trả trước ngày tiếp nhận'")}
              END AS _error,
              CASE WHEN {f"r.{_RAGGED} IS NULL AND " if rows.ragged else ""}r.{id_col} IS NOT NULL
                THEN CAST(hash(r.{id_col}) >> 32 AS UINTEGER) END AS _h
              {", r._channel_empty" if kind == "dossiers" else ""}
            FROM (
                -- the unit's code for the check that the registry knows it; the table keeps _unit
                SELECT *, {units["unit_code"]} AS unit_code
                FROM (SELECT *, {units["_unit"]} AS _unit FROM {rows.relation} r)
            ) r
        """)
        if rows.numbering is not None:
            _number_lines(con, table, id_col, rows.numbering)
        _mark_repeated(con, table, id_col, mapping[id_col])
        if kind == "dossiers":
            _warn_channel(con, table, mapping, path, diagnostics)
        blank = _skip_blank_rows(con, table, path, diagnostics)
        if blank and blank == rows.read:
            _no_rows(kind, path, diagnostics, " và dòng trống")
        quarantine = con.execute(f"""
            SELECT _line AS line, {id_col} AS id, split_part(_error, chr(31), 1) AS "column",
                   split_part(_error, chr(31), 2) AS reason
            FROM {table} WHERE _error IS NOT NULL ORDER BY _line
        """).fetchdf()
        if len(quarantine):  # the refused rows leave the table; its helper columns go too
            con.execute(f"DELETE FROM {table} WHERE _error IS NOT NULL")
        for helper in helpers:
            con.execute(f"ALTER TABLE {table} DROP COLUMN {helper}")
        # Each row's unit is its pair's place in the lists, looked up as it is read: written out into
        # the table, 10M units' names were a quarter of a Parquet ingest (long texts are copied).
        unit = ", ".join(f"{units[column]} AS {column}" for column in ("unit_code", "unit_name", "tier"))
        con.execute(
            f"CREATE TEMP VIEW {kind} AS SELECT _line, {id_col}, {unit}, * EXCLUDE (_line, {id_col}, _unit) "
            f"FROM {table}"
        )
        read, used = rows.read - blank, _count(con, kind)
    finally:
        scratch.clean(con)
    if used + len(quarantine) != read:
        raise AssertionError(f"{path}: {read} rows read, {used} used, {len(quarantine)} quarantined")
    if len(quarantine):
        diagnostics.warn(
            "quarantine",
            f"{fmt_count(len(quarantine))}/{fmt_count(read)} dòng bị cách ly (xem tables/quarantine_{kind}.csv)",
            path,
        )
    return Loaded(kind, path, int(read), int(used), quarantine, tuple(mapping))


def _drop_relation(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Make way for the view ``name``: an earlier ingest's view on this connection, or a temporary
    table of that name (a view cannot replace a table)."""
    # asked by dropping (the catalog's listing costs some 15 ms on a fresh connection)
    try:
        con.execute(f"DROP VIEW IF EXISTS temp.{name}")
    except duckdb.CatalogException:  # a table of that name
        con.execute(f"DROP TABLE temp.{name}")


# What a row whose every cell is empty is marked with: it is left out like a blank line, not quarantined
_BLANK = chr(30)


def _no_rows(kind: str, path: Path, diagnostics: Diagnostics, besides: str) -> None:
    """A file with no row but its header (``besides`` it: its blank rows): refused for dossiers (a
    notice saying nothing happened would go out), a warning for complaints (a week may have none)."""
    if kind == "dossiers":
        raise InputError(f"tệp hồ sơ chỉ có dòng tiêu đề{besides}, không có hồ sơ nào", path, 2)
    diagnostics.warn("empty_file", "tệp phản ánh, kiến nghị không có dòng nào: tính như không có phản ánh", path)


def _skip_blank_rows(con: duckdb.DuckDBPyConnection, kind: str, path: Path, diagnostics: Diagnostics) -> int:
    """Drop the rows :func:`_blank_row` found, saying how many and where; return how many."""
    (count, first, last), *_ = con.execute(
        f"SELECT count(*), min(_line), max(_line) FROM {kind} WHERE _error = {_lit(_BLANK)}"
    ).fetchall()
    if count:
        con.execute(f"DELETE FROM {kind} WHERE _error = {_lit(_BLANK)}")
        where = f"dòng {fmt_count(first)}" if count == 1 else f"từ dòng {fmt_count(first)} đến {fmt_count(last)}"
        diagnostics.warn(
            "blank_rows",
            f"{fmt_count(count)} dòng có mọi ô để trống ({where}): đã bỏ qua, như dòng trống",
            path,
            int(first),
        )
    return int(count)


def _warn_channel(
    con: duckdb.DuckDBPyConnection, kind: str, mapping: dict[str, str], path: Path, diagnostics: Diagnostics
) -> None:
    """METHODOLOGY §2.3: direct = 1 or empty. The rule is kept, and the bulletin says how often it applied."""
    source = mapping.get("channel")
    if source is None:  # a report refuses such a file (require_usable); load_dossiers alone reads it so
        diagnostics.warn(
            "empty_channel",
            "không có cột kênh thực hiện (channel): mọi hồ sơ được tính là nộp trực tiếp (kênh 1)",
            path,
            1,
        )
        return
    (row,) = con.execute(f"SELECT count(*), min(_line) FROM {kind} WHERE _error IS NULL AND _channel_empty").fetchall()
    if row[0]:
        diagnostics.warn(
            "empty_channel",
            f"{row[0]} hồ sơ để trống kênh thực hiện (dòng đầu tiên: {row[1]}): được tính là nộp trực tiếp "
            "(kênh 1), theo quy tắc của Cổng",
            path,
            int(row[1]),
            source,
        )


def load_dossiers(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    registry: Registry,
    mapping: dict[str, str] | None = None,
    diagnostics: Diagnostics | None = None,
) -> Loaded:
    """Read dossiers into ``dossiers`` (a view over table ``_dossiers_rows``); bad rows go to the quarantine
    with their reason."""
    return _load(con, path, "dossiers", registry, mapping, diagnostics if diagnostics is not None else Diagnostics())


def load_complaints(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    registry: Registry,
    mapping: dict[str, str] | None = None,
    diagnostics: Diagnostics | None = None,
) -> Loaded:
    """Read complaints (phản ánh, kiến nghị) into ``complaints`` (a view, as for dossiers)."""
    return _load(con, path, "complaints", registry, mapping, diagnostics if diagnostics is not None else Diagnostics())


def ingest(params: Params, con: duckdb.DuckDBPyConnection, diagnostics: Diagnostics) -> tuple[Registry, list[Loaded]]:
    """Load the params' dossiers (and complaints) into ``con``; header mappings from ``options.columns``."""
    registry = params_registry(params)
    mappings = (params.get("options") or {}).get("columns") or {}
    loaded = [load_dossiers(con, params.inputs["dossiers"], registry, mappings.get("dossiers"), diagnostics)]
    if "complaints" in params.inputs:
        loaded.append(
            load_complaints(con, params.inputs["complaints"], registry, mappings.get("complaints"), diagnostics)
        )
    for one in loaded:
        require_usable(one)
    return registry, loaded


def require_usable(loaded: Loaded) -> None:
    """Refuse what a report cannot be made from: a file without a column it counts, or most of whose
    rows were set aside (every engine's ingest checks it)."""
    _require_counted(loaded)
    _require_mostly_read(loaded)


# The columns a report's indicators count, by table: one absent from the file would read as empty in
# every row, and its indicators as 0% (or "không phát sinh") in a document someone signs.
_COUNTED = {
    "dossiers": {
        "channel": "tỷ lệ nộp hồ sơ trực tuyến",
        "due_at": "tỷ lệ giải quyết trước hạn, đúng hạn",
        "finished_at": "tỷ lệ giải quyết trước hạn, đúng hạn",
        "fee_required": "tỷ lệ thanh toán trực tuyến",
        "paid_online": "tỷ lệ thanh toán trực tuyến",
        "updated_on_system": "tỷ lệ hồ sơ được cập nhật trên hệ thống",
        "digitized": "tỷ lệ số hóa hồ sơ",
        "reused_data": "tỷ lệ khai thác, sử dụng lại dữ liệu số hóa",
    },
    "complaints": {
        "due_at": "tỷ lệ phản ánh, kiến nghị được xử lý đúng hạn",
        "handled_at": "tỷ lệ phản ánh, kiến nghị được xử lý đúng hạn",
    },
}


def _require_mostly_read(loaded: Loaded) -> None:
    """Refuse a file most of whose rows were set aside: a report on the few left would be a report on
    an accident (dates written month first: only the days up to the 12th read, as other dates)."""
    if loaded.quarantined * 2 <= loaded.read:
        return
    quarantine = loaded.quarantine
    columns = quarantine["column"].fillna("").value_counts(sort=True)
    column, count = str(columns.index[0]), int(columns.iloc[0])
    first = quarantine[quarantine["column"].fillna("") == column].sort_values("line").iloc[0]
    raise InputError(
        f"{fmt_count(loaded.quarantined)}/{fmt_count(loaded.read)} dòng không đọc được, quá một nửa tệp; "
        f"{fmt_count(count)} dòng vì {'cột ' + column if column else 'cả dòng'}, đầu tiên ở dòng "
        f"{int(first['line'])}: {first['reason']}. Kiểm tra định dạng cột này (ngày viết dd/mm/yyyy hoặc "
        "yyyy-mm-dd) trước khi chạy lại",
        loaded.source,
        int(first["line"]),
        column or None,
    )


def _require_counted(loaded: Loaded) -> None:
    """Refuse a file without a column that a report counts, naming each absent one and what it is for."""
    absent = [column for column in _COUNTED[loaded.table] if column not in loaded.columns]
    if absent:
        known = DOSSIER_COLUMNS if loaded.table == "dossiers" else COMPLAINT_COLUMNS
        named = "; ".join(
            f"{c} (cần cho {_COUNTED[loaded.table][c]}; tên khác được nhận: {', '.join(known[c])})" for c in absent
        )
        raise InputError(
            f"thiếu cột {named}. Nếu tệp có cột này dưới tên khác, khai báo trong options.columns.{loaded.table} "
            "của tệp tham số",
            loaded.source,
            1,
            absent[0],
        )
