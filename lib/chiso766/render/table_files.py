"""A report's table files (``tables/*.csv``, ``tables.xlsx``, ``tables/*.xlsx``), made by the
run's second process (:mod:`~chiso766.render.worker`) while the kernel shows the document.

Writing them is pure Python (0,7 s of a month's bulletin). Once the document is outlined its tables
are final, so :func:`begin` (called by the notebook's first displayed step when a run saves files)
hands them to the worker, which encodes them on the other core while the kernel lays out the
sections; :func:`take` (in ``save``) gets the bytes, or encodes them in place when no worker has
them, or not as they are now. Either way they are :func:`encode`'s bytes: the worker runs the same
function, and any error they hold is raised here, as without a worker.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from chiso766.core.files import write_atomic, write_files
from chiso766.render import worker
from chiso766.render.tables import csv_files
from chiso766.render.workbooks import all_workbooks

__all__ = ["TableFiles", "begin", "encode", "take"]

_ENCODE = "chiso766.render.table_files:encode"


@dataclass(frozen=True)
class TableFiles:
    """The bytes of every table file: ``tables/<name>.csv`` and ``tables/<name>.xlsx`` by file name,
    and ``tables.xlsx``."""

    tables: dict[str, bytes]
    workbook: bytes

    def write(self, folder: Path) -> list[Path]:
        """Write them into ``folder`` (the tables folder all or none); returns the paths written."""
        written = write_files(self.tables, folder / "tables")
        write_atomic(folder / "tables.xlsx", self.workbook)
        return [*written, folder / "tables.xlsx"]


def encode(frames: Mapping[str, pd.DataFrame]) -> TableFiles:
    """The table files of ``frames``: each as CSV (:func:`~chiso766.render.tables.to_csv_text`) and
    as a workbook of its own, and all of them in ``tables.xlsx``.

    Examples
    --------
    >>> files = encode({"units": pd.DataFrame({"unit_code": ["H44"]})})
    >>> sorted(files.tables), files.tables["units.csv"], files.workbook[:2]
    (['units.csv', 'units.xlsx'], b'\\xef\\xbb\\xbfunit_code\\nH44\\n', b'PK')
    """
    whole, each = all_workbooks(frames)
    return TableFiles(csv_files(frames) | {f"{name}.xlsx": data for name, data in each.items()}, whole)


def begin(frames: Mapping[str, pd.DataFrame]) -> None:
    """Hand ``frames`` to the worker; :func:`take` gets their files."""
    worker.ask(_ENCODE, dict(frames))


def take(frames: Mapping[str, pd.DataFrame]) -> TableFiles:
    """The files of ``frames``: the worker's, when :func:`begin` gave it these tables as they are now;
    else :func:`encode`'s, made here."""
    made = worker.answer(_ENCODE, dict(frames))
    return made if isinstance(made, TableFiles) else encode(frames)
