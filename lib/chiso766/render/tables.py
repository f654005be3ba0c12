"""Write tables as the CONTRACT fixes them: UTF-8 CSV, ``.`` decimals, no thousands separator.

Every CSV starts with a UTF-8 byte order mark: without it Excel reads the file in the machine's
legacy code page and shows "Thành phố" as "ThÃ nh phá»‘"; Python (``utf-8-sig``), pandas and the
project's own readers (:func:`chiso766.ingest.tabular.decode_text`) skip it. The workbooks people
open are :mod:`chiso766.render.workbooks`.

Each file is written beside its target and renamed into place, so a reader never sees half a table.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from chiso766.core.decimals import fmt_plain
from chiso766.core.files import write_atomic, write_files

__all__ = [
    "BOM",
    "FORMULA_START",
    "cell_text",
    "csv_files",
    "csv_safe",
    "to_csv_text",
    "write_csv",
    "write_tables",
]

BOM = "\ufeff"
"""The UTF-8 byte order mark every CSV starts with (Excel then reads it as UTF-8)."""
# A spreadsheet reads a cell starting with one of these as a formula (tab and CR: OWASP's list too).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# …except a number alone with its sign or comparison ("-0.01", "=100", ">= 60%"): a constant, no code.
_CONSTANT = re.compile(r"(?:[=+-]|[<>]=?)? ?[+-]?[0-9]+(?:\.[0-9]+)? ?%?")


def cell_text(value: object) -> str:
    """One cell in machine format: exact decimals, ISO dates, '' for missing.

    Examples
    --------
    >>> cell_text(Decimal("17.20")), cell_text(None), cell_text(date(2025, 10, 9)), cell_text(True)
    ('17.2', '', '2025-10-09', 'true')
    >>> cell_text(pd.NaT), cell_text(pd.NA), cell_text(float("nan"))
    ('', '', '')
    >>> cell_text(np.float64(1.5)), cell_text(np.bool_(False))
    ('1.5', 'false')
    """
    # pd.NaT is a datetime too: tested first, or it would print as "NaT"
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return fmt_plain(value)
    if isinstance(value, float):  # numpy's float64 too, whose repr is "np.float64(1.5)": as a float
        return "" if value != value else fmt_plain(Decimal(repr(float(value))))
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
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
    if text.startswith(FORMULA_START) and not _CONSTANT.fullmatch(text):
        return "'" + text
    return text


def _csv_cell(value: object) -> str:
    text = cell_text(value)
    return csv_safe(text) if isinstance(value, str) else text


# The commonest cells, by exact type, straight to their text (what _csv_cell gives them): a table of
# the month holds hundreds of thousands, and cell_text's tests in turn cost half its time.
_CSV_BY_TYPE: dict[type, Callable[[Any], str]] = {str: csv_safe, Decimal: fmt_plain, int: str}


def _csv_column(values: Iterable[object]) -> list[str]:
    by_type = _CSV_BY_TYPE
    return [(by_type.get(type(v)) or _csv_cell)(v) for v in values]


def to_csv_text(frame: pd.DataFrame) -> str:
    r"""The table as CSV text, starting with the :data:`BOM`; text cells that would run as a formula are
    neutralised (:func:`csv_safe`).

    Examples
    --------
    >>> to_csv_text(pd.DataFrame({"unit_name": ["Thành phố"], "total": [Decimal("84.63")]}))
    '\ufeffunit_name,total\nThành phố,84.63\n'
    """
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\n")
    # csv quotes a cell holding "\n" but not one holding a lone "\r", which readers take for a line
    # break: such a row is written with every cell quoted (the values read back the same).
    quoted = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    # column by column, as itertuples reads them (each column's own iterator)
    columns = [_csv_column(frame.iloc[:, i]) for i in range(frame.shape[1])]
    rows = zip(*columns, strict=True) if columns else ((),) * len(frame)  # no column: a row is empty
    for cells in ([_csv_cell(c) for c in frame.columns], *map(list, rows)):
        (quoted if any("\r" in c for c in cells) else writer).writerow(cells)
    return buffer.getvalue()


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """The table as one CSV file (:func:`to_csv_text`, so with the :data:`BOM`), written atomically."""
    write_atomic(path, to_csv_text(frame).encode("utf-8"))
    return path


def csv_files(tables: Mapping[str, pd.DataFrame]) -> dict[str, bytes]:
    """Each table's ``<name>.csv`` file (:func:`to_csv_text`) as bytes."""
    return {f"{name}.csv": to_csv_text(frame).encode("utf-8") for name, frame in tables.items()}


def write_tables(tables: Mapping[str, pd.DataFrame], folder: Path) -> list[Path]:
    """Each table as ``<folder>/<name>.csv`` (:func:`to_csv_text`), all or none (:func:`write_files`)."""
    return write_files(csv_files(tables), folder)
