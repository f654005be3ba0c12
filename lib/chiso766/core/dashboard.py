"""Conventions of provincial dashboards that are not the official methodology: the grade bands of
``data/grades.csv`` (a document that uses them says so).
"""

from __future__ import annotations

import csv
from decimal import Decimal
from functools import lru_cache
from importlib import resources

__all__ = ["grade_bands"]


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("chiso766.core").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@lru_cache(maxsize=1)
def grade_bands() -> tuple[tuple[Decimal, str], ...]:
    """``(minimum total, grade)`` from the highest band down.

    Examples
    --------
    >>> grade_bands()[0]
    (Decimal('90'), 'xuất sắc')
    """
    bands = ((Decimal(r["min"]), r["grade"]) for r in _rows("grades.csv"))
    return tuple(sorted(bands, reverse=True))
