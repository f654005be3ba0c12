"""Conventions of provincial dashboards that are not the official methodology: the grade bands of
``data/grades.csv`` (a document that uses them says so).
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from chiso766.core.datafiles import data_rows

__all__ = ["grade_bands"]


@lru_cache(maxsize=1)
def grade_bands() -> tuple[tuple[Decimal, str], ...]:
    """``(minimum total, grade)`` from the highest band down.

    Examples
    --------
    >>> grade_bands()[0]
    (Decimal('90'), 'xuất sắc')
    """
    bands = ((Decimal(r["min"]), r["grade"]) for r in data_rows("grades.csv"))
    return tuple(sorted(bands, reverse=True))
