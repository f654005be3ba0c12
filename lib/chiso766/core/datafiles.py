"""The methodology and calendar tables shipped in ``core/data/`` (CSV), read one way for every module."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

__all__ = ["data_rows"]


@cache
def data_rows(name: str, folder: str = "core/data") -> tuple[dict[str, str], ...]:
    """The rows of the package's ``<folder>/<name>`` as mappings from header to cell text.

    Examples
    --------
    >>> data_rows("groups.csv")[0]["key"], data_rows("tables.csv", "render/templates/common")[0]["name"]
    ('cong_khai', 'units')
    """
    text = resources.files("chiso766").joinpath(*folder.split("/"), name).read_text(encoding="utf-8")
    reader = csv.DictReader(text.splitlines())
    rows = tuple(reader)
    # a comma left unquoted in a cell shifts the rest of its row: a page or workbook would show the
    # pieces (a cell cut short, a list in a column of its own), so the file is refused instead
    for line, row in enumerate(rows, start=2):
        if None in row or None in row.values():
            raise ValueError(f"{folder}/{name}, dòng {line}: số ô khác số cột của dòng tiêu đề ({reader.fieldnames})")
    return rows
