"""Ranking within a tier and change against a previous period or snapshot."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

import pandas as pd

from chiso766.core.decimals import to_decimal

__all__ = ["competition_rank", "rank_within", "changes"]


def competition_rank(values: Sequence[object]) -> list[int | None]:
    """Rank descending with ties sharing the best rank (1, 2, 2, 4); missing gets no rank.

    Examples
    --------
    >>> competition_rank([Decimal("84.6"), None, Decimal("90"), Decimal("84.6"), Decimal("70")])
    [2, None, 1, 2, 4]
    """
    numbers = [to_decimal(v) for v in values]
    present = sorted((n for n in numbers if n is not None), reverse=True)
    first_position: dict[Decimal, int] = {}
    for position, number in enumerate(present, start=1):
        first_position.setdefault(number, position)
    return [None if n is None else first_position[n] for n in numbers]


def rank_within(
    values: Sequence[object], tiers: Sequence[object], unranked: Sequence[str] = ("tinh",)
) -> list[int | None]:
    """Competition rank of each value among the values of its tier; tiers in ``unranked`` get none.

    The province itself (tier ``tinh``) is not ranked against its own units.

    Examples
    --------
    >>> rank_within([Decimal("70"), Decimal("90"), Decimal("80"), Decimal("60")], ["xa", "so", "xa", "tinh"])
    [2, 1, 1, None]
    """
    rows_of: dict[object, list[int]] = defaultdict(list)
    for row, tier in enumerate(tiers):
        if tier not in unranked:
            rows_of[tier].append(row)
    ranks: list[int | None] = [None] * len(values)
    for rows in rows_of.values():
        for row, rank in zip(rows, competition_rank([values[r] for r in rows]), strict=True):
            ranks[row] = rank
    return ranks


def changes(
    current: pd.DataFrame, previous: pd.DataFrame, key: str = "unit_key", columns: Sequence[str] = ("total",)
) -> pd.DataFrame:
    """Points and rank change of each unit against a previous table, matched on ``key``.

    Adds ``<column>_prev`` and ``<column>_change`` for each of ``columns`` and ``rank``;
    a unit absent from the previous table gets empty changes, never 0. A rank change is positive
    when the unit moved up (rank 5 → 3 is +2).
    """
    wanted = [c for c in (*columns, "rank") if c in previous.columns]
    prev = previous.set_index(key)[wanted]
    out = current.copy()
    for column in wanted:
        before = out[key].map(prev[column])
        out[f"{column}_prev"] = before
        now = out[column].map(to_decimal)
        then = before.map(to_decimal)
        diff = [None if a is None or b is None else a - b for a, b in zip(now, then, strict=True)]
        if column == "rank":
            diff = [None if d is None else -d for d in diff]
        out[f"{column}_change"] = diff
    return out
