"""A report's table files (``tables/*.csv``, ``tables.xlsx``, ``tables/*.xlsx``), made by the
run's second process (:mod:`~chiso766.render.worker`) while the kernel outlines and shows the document.

Writing them is pure Python (0,4-0,7 s of a month's bulletin). Each table is handed to the worker as
the report registers it (:func:`ahead`, told by :class:`~chiso766.report.model.TableSet`), and its own
files (CSV, workbook, and its sheet of ``tables.xlsx``) are made there while the kernel goes on. Once
the document is outlined its tables are final: :func:`begin` (called by the notebook's first displayed
step when a run saves files) hands over any table not handed over as it is now, and :func:`take` (in
``save``) gathers the files, making here those the worker has not begun (it goes on meanwhile), or
has not been given as they are now, or could not make; and puts ``tables.xlsx`` together. Either way
they are :func:`encode`'s bytes: the worker makes each table's files with the same function, and any
error they hold is raised here, as without a worker.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from chiso766.core.files import write_atomic, write_files
from chiso766.render import worker
from chiso766.render.tables import to_csv_text
from chiso766.render.workbooks import Sheet, own_workbook, sheet_maker, tables_workbook

__all__ = ["TableFiles", "ahead", "begin", "encode", "take"]

_FILES = "chiso766.render.table_files:files_of"


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


@dataclass(frozen=True)
class _Files:
    """One table's own files, and its sheet for ``tables.xlsx``."""

    csv: bytes
    sheet: Sheet
    workbook: bytes


def _files(name: str, frame: pd.DataFrame, make: Callable[[pd.DataFrame], Sheet]) -> _Files:
    sheet = make(frame)
    return _Files(to_csv_text(frame).encode("utf-8"), sheet, own_workbook(name, sheet))


def _together(files: Mapping[str, _Files]) -> TableFiles:
    return TableFiles(
        {f"{name}.csv": f.csv for name, f in files.items()} | {f"{name}.xlsx": f.workbook for name, f in files.items()},
        tables_workbook({name: f.sheet for name, f in files.items()}),
    )


def encode(frames: Mapping[str, pd.DataFrame]) -> TableFiles:
    """The table files of ``frames``: each as CSV (:func:`~chiso766.render.tables.to_csv_text`) and
    as a workbook of its own, and all of them in ``tables.xlsx``.

    Examples
    --------
    >>> files = encode({"units": pd.DataFrame({"unit_code": ["H44"]})})
    >>> sorted(files.tables), files.tables["units.csv"], files.workbook[:2]
    (['units.csv', 'units.xlsx'], b'\\xef\\xbb\\xbfunit_code\\nH44\\n', b'PK')
    """
    make = sheet_maker()
    return _together({name: _files(name, frame, make) for name, frame in frames.items()})


# What a cell may hold that nothing changes in place: a cell still the very object it was holds
# what it held.
_IMMUTABLE = frozenset({str, int, float, bool, Decimal, date, datetime, pd.Timestamp, type(None)})


@dataclass(frozen=True)
class _Handed:
    """A table as it was pickled for the worker: what its files are made of then, and its bytes."""

    columns: tuple[tuple[object, np.dtype[Any]], ...]  # each column's label and dtype
    # a copy, compared by its memory (the objects' addresses, or the numbers themselves): its objects
    # are kept alive, so that no other takes their addresses
    cells: np.ndarray[Any, Any]
    data: bytes


# Each table handed over, by name. A table is given to the worker as the report registers it and
# asked for again as the document is shown and saved: pickled each time, a month's tables cost the
# kernel 0,1-0,3 s. A table whose labels, dtypes and cells are still those it had has the same files:
# that is known from its cells' memory, some thirty times sooner than by pickling it again.
_HANDED: dict[str, _Handed] = {}


def _columns(frame: pd.DataFrame) -> tuple[tuple[object, Any], ...]:
    return tuple(zip(frame.columns, frame.dtypes, strict=True))


def _handed(frame: pd.DataFrame, data: bytes) -> _Handed | None:
    """``frame`` pickled as ``data``, kept to be known again; ``None`` for one that cannot be known by
    its cells: of several dtypes or one of pandas' own (whose values are made anew as they are read),
    or a cell holding what changes in place."""
    dtypes = set(frame.dtypes)
    if len(dtypes) != 1 or not isinstance(dtype := dtypes.pop(), np.dtype):
        return None
    cells = frame.to_numpy().copy()
    if dtype.kind == "O" and not set(map(type, cells.flat)) <= _IMMUTABLE:
        return None
    return _Handed(_columns(frame), cells, data)


def _unchanged(handed: _Handed, frame: pd.DataFrame) -> bool:
    """Whether ``frame``'s files are those of the table handed over: the same labels, dtypes and cells."""
    return handed.columns == _columns(frame) and frame.to_numpy().tobytes() == handed.cells.tobytes()


def _pickled(name: str, frame: pd.DataFrame) -> bytes:
    handed = _HANDED.get(name)
    if handed is not None and _unchanged(handed, frame):
        return handed.data
    data = pickle.dumps(frame, protocol=pickle.HIGHEST_PROTOCOL)
    kept = _handed(frame, data)
    if kept is None:
        _HANDED.pop(name, None)
    else:
        _HANDED[name] = kept
    return data


def _sent(frames: Mapping[str, pd.DataFrame]) -> dict[str, bytes] | None:
    """Each table pickled, as the worker is given it; ``None`` when one cannot travel."""
    try:
        return {name: _pickled(name, frame) for name, frame in frames.items()}
    except Exception:  # a value that cannot travel (pickle raises more than PicklingError): done here
        return None


def ahead(name: str, frame: pd.DataFrame) -> None:
    """Have the worker make table ``name``'s files now (after any chart), for :func:`take` to find."""
    begin({name: frame})


def begin(frames: Mapping[str, pd.DataFrame]) -> None:
    """Hand ``frames`` to the worker, each table one job (one handed over already, as it is now, is
    not asked again); :func:`take` gets their files. With no worker running, nothing is done."""
    if not worker.running():
        return
    for name, data in (_sent(frames) or {}).items():
        worker.ask(_FILES, (name, data), first=False)


def take(frames: Mapping[str, pd.DataFrame]) -> TableFiles:
    """The files of ``frames``: of each table, the worker's when it was handed over as it is now;
    else made here, as are the ones it has not begun yet, from the last, while it goes on with the
    first (what :func:`encode` makes, the same bytes)."""
    sent = _sent(frames) if worker.running() else None
    if sent is None:
        return encode(frames)
    make = sheet_maker()
    files = {}
    try:
        for name in reversed(list(sent)):
            if worker.steal(_FILES, (name, sent[name])):
                files[name] = _files(name, frames[name], make)
        for name in sent:
            if name not in files:
                made = worker.answer(_FILES, (name, sent[name]))
                files[name] = made if isinstance(made, _Files) else _files(name, frames[name], make)
    except Exception:  # raised as without a worker: the first table's error, in the document's order
        return encode(frames)
    return _together({name: files[name] for name in sent})


# the worker's job, with what makes its sheets (each distinct value made ready once for many tables;
# renewed now and then, so that a kept kernel's worker does not keep every value it ever saw)
_MAKER: list[tuple[Callable[[pd.DataFrame], Sheet], int]] = []
_RENEW = 500


def files_of(table: tuple[str, bytes]) -> _Files:
    """One table's files (its name, and its frame pickled by the kernel that started this worker)."""
    name, data = table
    if not _MAKER or _MAKER[0][1] >= _RENEW:
        _MAKER[:] = [(sheet_maker(), 0)]
    make, made = _MAKER[0]
    _MAKER[0] = (make, made + 1)
    return _files(name, pickle.loads(data), make)
