"""Write tables as the CONTRACT fixes them: UTF-8 CSV, ``.`` decimals, no thousands separator.

Each file is written beside its target and renamed into place, so a reader never sees half a table.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from chiso766.core.decimals import fmt_plain
from chiso766.core.files import write_atomic

__all__ = ["cell_text", "csv_safe", "to_csv_text", "write_csv", "write_tables", "write_xlsx"]

_UMASK = os.umask(0)
os.umask(_UMASK)

# A spreadsheet reads a cell starting with one of these as a formula (tab and CR: OWASP's list too).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# …except a number alone with its sign or comparison ("-0.01", "=100", ">= 60%"): a constant, no code.
_CONSTANT = re.compile(r"(?:[=+-]|[<>]=?)? ?[+-]?[0-9]+(?:\.[0-9]+)? ?%?")


def cell_text(value: object) -> str:
    """One cell in machine format: exact decimals, ISO dates, '' for missing.

    Examples
    --------
    >>> cell_text(Decimal("17.20")), cell_text(None), cell_text(date(2025, 10, 9)), cell_text(True)
    ('17.2', '', '2025-10-09', 'true')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return fmt_plain(value)
    if isinstance(value, float):
        return "" if value != value else fmt_plain(Decimal(repr(value)))
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if value is pd.NA or value is pd.NaT:
        return ""
    return str(value)


def csv_safe(text: str) -> str:
    """Text a spreadsheet would run as a formula, neutralised with a leading ``'`` (OWASP, CSV injection).

    Only text is passed here; numbers keep their machine format.

    Examples
    --------
    >>> csv_safe("=HYPERLINK(A1)"), csv_safe("@SUM(A1)"), csv_safe("-1+2"), csv_safe("Xã Tân Lập")
    ("'=HYPERLINK(A1)", "'@SUM(A1)", "'-1+2", 'Xã Tân Lập')
    >>> csv_safe("=100"), csv_safe("-0.01"), csv_safe(">=60")
    ('=100', '-0.01', '>=60')
    """
    if text.startswith(_FORMULA_START) and not _CONSTANT.fullmatch(text):
        return "'" + text
    return text


def _csv_cell(value: object) -> str:
    text = cell_text(value)
    return csv_safe(text) if isinstance(value, str) else text


def to_csv_text(frame: pd.DataFrame) -> str:
    """The table as CSV text; text cells that would run as a formula are neutralised (:func:`csv_safe`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    # csv quotes a cell holding "\n" but not one holding a lone "\r", which readers take for a line
    # break: such a row is written with every cell quoted (the values read back the same).
    quoted = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    for cells in (
        [_csv_cell(c) for c in frame.columns],
        *([_csv_cell(v) for v in row] for row in frame.itertuples(index=False)),
    ):
        (quoted if any("\r" in c for c in cells) else writer).writerow(cells)
    return buffer.getvalue()


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    write_atomic(path, to_csv_text(frame).encode("utf-8"))
    return path


def write_tables(tables: Mapping[str, pd.DataFrame], folder: Path) -> list[Path]:
    """Each table as ``<folder>/<name>.csv``, all or none: every file is written beside its target
    first, and renamed into place only when all were written (a full disk replaces no table, so the
    folder never mixes tables of two runs)."""
    folder.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[str, Path]] = []
    try:
        for name, frame in tables.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.csv.", dir=folder)
            staged.append((tmp, folder / f"{name}.csv"))
            with os.fdopen(fd, "wb") as handle:
                handle.write(to_csv_text(frame).encode("utf-8"))
            os.chmod(tmp, 0o666 & ~_UMASK)  # as write_atomic: outputs are served and shared
    except BaseException:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise
    for tmp, target in staged:
        os.replace(tmp, target)
    return [target for _, target in staged]


def write_xlsx(tables: Mapping[str, pd.DataFrame], path: Path) -> Path:
    """All tables in one workbook, one sheet each, numbers as numbers and text as NFC text."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    for name, frame in tables.items():
        sheet = book.create_sheet(title=name[:31])
        for index, column in enumerate(frame.columns, start=1):
            longest = max([len(str(column)), *(len(cell_text(v)) for v in frame[column].head(200))])
            sheet.column_dimensions[get_column_letter(index)].width = min(60, max(8, longest + 2))
        sheet.append([_xlsx_value(str(c)) for c in frame.columns])
        for row in frame.itertuples(index=False):
            sheet.append([_xlsx_cell(sheet, v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    write_atomic(path, _fixed_zip_times(buffer.getvalue()))
    return path


def _xlsx_cell(sheet: Any, value: object) -> object:
    """A cell value; text that looks like a formula stays text (a unit name is data, never code)."""
    from openpyxl.cell import WriteOnlyCell

    cell_value = _xlsx_value(value)
    if isinstance(cell_value, str) and cell_value.startswith(("=", "+", "-", "@")):
        cell = WriteOnlyCell(sheet, value=cell_value)
        cell.data_type = "s"
        return cell
    return cell_value


_XLSX_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")  # as openpyxl's ILLEGAL_CHARACTERS_RE


def _xlsx_value(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)  # points and rates have at most a few decimals: a float holds them
    text = cell_text(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value if text else None
    text = _XLSX_ILLEGAL.sub("", text)  # C0 controls cannot be stored in a workbook: a unit name
    return text if text else None  # holding one must not fail the whole run


def _fixed_zip_times(data: bytes) -> bytes:
    """Rewrite the workbook's zip with fixed timestamps so the same tables give the same bytes."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _strip_times(content)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, content)
    return out.getvalue()


def _strip_times(core: bytes) -> bytes:
    import re

    return re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)", rb"\g<1>2000-01-01T00:00:00Z\g<3>", core)
