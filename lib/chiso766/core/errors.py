"""Errors and warnings about inputs, each naming the file, row and column concerned."""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["InputError", "ParamsError", "Warning766", "Diagnostics", "where"]


def where(path: str | Path | None, row: int | None = None, column: str | None = None) -> str:
    """Format a location the way an analyst finds it in a spreadsheet: file, row, column.

    Rows are numbered as the spreadsheet shows them (the header is row 1).
    """
    parts = []
    if path is not None:
        parts.append(str(path))
    if row is not None:
        parts.append(f"dòng {row}")
    if column is not None:
        parts.append(f'cột "{column}"')
    return ", ".join(parts)


class InputError(Exception):
    """An input that cannot be used as it is. The message says where and why."""

    def __init__(
        self, message: str, path: str | Path | None = None, row: int | None = None, column: str | None = None
    ) -> None:
        self.path, self.row, self.column, self.reason = path, row, column, message
        loc = where(path, row, column)
        super().__init__(f"{loc}: {message}" if loc else message)


class ParamsError(InputError):
    """A params file (or a ``-p key=value`` override) that cannot be run."""


@dataclass(frozen=True)
class Warning766:
    """Something a bulletin must say about its data, though the data is still usable."""

    kind: str
    message: str
    path: str = ""
    row: int | None = None
    column: str = ""
    unit: str = ""

    def as_row(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "unit": self.unit,
            "file": self.path,
            "row": "" if self.row is None else self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class Diagnostics:
    """Warnings collected along a run, in the order they were found."""

    items: list[Warning766] = field(default_factory=list)

    def warn(
        self,
        kind: str,
        message: str,
        path: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
        unit: str = "",
    ) -> None:
        self.items.append(Warning766(kind, message, "" if path is None else str(path), row, column or "", unit))

    def extend(self, other: Diagnostics) -> None:
        self.items.extend(other.items)

    def interleaved(self, later: Diagnostics) -> Diagnostics:
        """These warnings and ``later``'s merged by row, as one pass down a file would have found them.

        For a file read by one stage and checked by the next: each list keeps its own order, and on
        the same row (a warning without one counts as row 0) this list's warnings come first.
        """
        return Diagnostics(list(heapq.merge(self.items, later.items, key=lambda w: w.row or 0)))

    def __len__(self) -> int:
        return len(self.items)

    def of_kind(self, kind: str) -> list[Warning766]:
        return [w for w in self.items if w.kind == kind]
