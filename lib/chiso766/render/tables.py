"""Write tables as the CONTRACT fixes them: UTF-8 CSV, ``.`` decimals, no thousands separator.

Each file is written beside its target and renamed into place, so a reader never sees half a table.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from chiso766.core.decimals import fmt_plain
from chiso766.core.files import write_atomic

__all__ = ["cell_text", "to_csv_text", "write_csv", "write_tables", "write_xlsx"]


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


def to_csv_text(frame: pd.DataFrame) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(frame.columns)
    for row in frame.itertuples(index=False):
        writer.writerow([cell_text(v) for v in row])
    return buffer.getvalue()


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    write_atomic(path, to_csv_text(frame).encode("utf-8"))
    return path


def write_tables(tables: Mapping[str, pd.DataFrame], folder: Path) -> list[Path]:
    """Each table as ``<folder>/<name>.csv``."""
    return [write_csv(frame, folder / f"{name}.csv") for name, frame in tables.items()]


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
        sheet.append(list(frame.columns))
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


def _xlsx_value(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)  # points and rates have at most a few decimals: a float holds them
    text = cell_text(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value if text else None
    return text if text else None


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
