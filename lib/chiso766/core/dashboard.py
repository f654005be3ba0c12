"""Conventions of provincial dashboards that are not the official methodology: grade bands
(``data/grades.csv``) and the group targets used when params set none (``data/targets.csv``).
"""

from __future__ import annotations

import csv
from decimal import Decimal
from functools import lru_cache
from importlib import resources

__all__ = ["grade_bands", "default_targets"]


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


@lru_cache(maxsize=1)
def default_targets() -> dict[str, str]:
    """Each group's target when params set none, as written in params (``">=80"``)."""
    return {r["group"]: r["target"] for r in _rows("targets.csv")}
