"""A province among the 34 (or a unit among its province's units): ranks, gaps and changes.

Ranks follow :func:`chiso766.compute.ranking.competition_rank`: descending, ties share the best
rank, a missing score gets none. Every figure stays an exact ``Decimal``; only the group averages,
which are means, are rounded (half-up, 2 decimals).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd

from chiso766.compute.ranking import competition_rank
from chiso766.core.decimals import round_half_up
from chiso766.core.methodology import GROUP_KEYS
from chiso766.core.provinces import province
from chiso766.core.textvi import name_key, nfc
from chiso766.ingest.national import NationalList

__all__ = ["NATIONAL_COLUMNS", "national_table", "Standing", "standing", "National"]

NATIONAL_COLUMNS = (
    "rank",
    "unit_code",
    "unit_name",
    "total",
    *GROUP_KEYS,
    *(f"rank_{key}" for key in GROUP_KEYS),
    "score_delta",
)
"""The columns of ``tables/national.csv``, in order."""

_KIND_PREFIX = re.compile(r"^(thành phố|tỉnh|tp)\s+")


def national_table(nl: NationalList) -> pd.DataFrame:
    """The members ranked overall and in each group, best first.

    Columns: :data:`NATIONAL_COLUMNS`, then ``of`` (how many members have a total, hence a rank),
    ``department_id`` and ``child_group``. Rows are sorted by rank, then by name; members without a
    total come last. Values are ``Decimal``, ranks ``int``, ``None`` where missing (object dtype).

    Examples
    --------
    >>> from pathlib import Path
    >>> from chiso766.ingest.national import MEMBER_COLUMNS
    >>> rows = [dict.fromkeys(MEMBER_COLUMNS) | {"unit_name": n, "total": Decimal(t) if t else None}
    ...         for n, t in [("B", "60"), ("A", "70"), ("C", "60"), ("D", None)]]
    >>> nl = NationalList(Path("service-results.json"), None, "Cả nước", pd.DataFrame(rows, dtype=object))
    >>> national_table(nl)[["rank", "unit_name", "of"]].values.tolist()
    [[1, 'A', 3], [2, 'B', 3], [2, 'C', 3], [None, 'D', 3]]
    """
    table = nl.members.copy()
    for column, values in (("rank", "total"), *((f"rank_{key}", key) for key in GROUP_KEYS)):
        # object dtype, or pandas would turn the ranks into floats and a missing rank into NaN
        table[column] = pd.Series(competition_rank(table[values].tolist()), index=table.index, dtype=object)
    table["of"] = int(table["rank"].notna().sum())
    order = sorted(
        range(len(table)),
        key=lambda i: (table["rank"].iat[i] is None, table["rank"].iat[i] or 0, _bare_name(table["unit_name"].iat[i])),
    )
    columns = [*NATIONAL_COLUMNS, "of", "department_id", "child_group"]
    return table.iloc[order][columns].reset_index(drop=True).astype(object)


@dataclass(frozen=True)
class National:
    """A bulletin's national context: the province's standing, the list as ``tables/national.csv``, and
    the day the list was captured (``None``: the bulletin's own as-of date)."""

    standing: Standing
    table: pd.DataFrame
    as_of: date | None


@dataclass(frozen=True)
class Standing:
    """Where one member stands in a national (or provincial) list.

    ``gap`` is ``total − average`` exactly; ``rank_change`` is ``previous_rank − rank`` (positive:
    the member climbed); ``total_change`` is ``total − previous_total``; ``differs`` says that a
    total recomputed from the portal's counts was given and is not the portal's own.
    """

    unit_code: str
    unit_name: str
    total: Decimal | None
    rank: int | None
    of: int
    group_points: dict[str, Decimal | None]
    group_ranks: dict[str, int | None]
    average: Decimal | None
    gap: Decimal | None
    group_averages: dict[str, Decimal | None]
    previous_total: Decimal | None
    previous_rank: int | None
    rank_change: int | None
    total_change: Decimal | None
    recomputed_total: Decimal | None
    differs: bool


def standing(
    nl: NationalList,
    *,
    code: str | None = None,
    department_id: str | None = None,
    name: str | None = None,
    recomputed_total: Decimal | None = None,
    previous: NationalList | None = None,
) -> Standing | None:
    """The standing of one member, found by ``department_id``, else ``code``, else ``name``.

    Each key given is tried in that order until one finds the member. A name matches whatever its
    spelling: case, NFC, the "UBND tỉnh " / "UBND Thành phố " prefix and the spellings of
    :mod:`chiso766.core.provinces` do not matter ("Phú Thọ" finds "UBND tỉnh Phú Thọ"). In
    ``previous``, the member found with the same keys gives the previous rank and total.
    ``recomputed_total`` should be rounded as the portal rounds (2 decimals) before it is compared.

    Returns
    -------
    Standing or None
        ``None`` when no member matches.

    Examples
    --------
    >>> from pathlib import Path
    >>> from chiso766.ingest.national import MEMBER_COLUMNS
    >>> rows = [dict.fromkeys(MEMBER_COLUMNS) | {"unit_code": c, "unit_name": n, "total": Decimal(t)}
    ...         for c, n, t in [("H20", "UBND tỉnh Đồng Tháp", "68.8"), ("H44", "UBND tỉnh Phú Thọ", "62.18")]]
    >>> nl = NationalList(Path("service-results.json"), Decimal("62.59"), "Cả nước", pd.DataFrame(rows, dtype=object))
    >>> s = standing(nl, name="Phú Thọ", recomputed_total=Decimal("61.94"))
    >>> s.rank, s.of, s.gap, s.differs
    (2, 2, Decimal('-0.41'), True)
    >>> standing(nl, code="H99") is None
    True
    """
    table = national_table(nl)
    row = _find(table, department_id, code, name)
    if row is None:
        return None
    total: Decimal | None = row["total"]
    rank: int | None = row["rank"]
    previous_total: Decimal | None = None
    previous_rank: int | None = None
    if previous is not None:
        before = _find(national_table(previous), department_id, code, name)
        if before is not None:
            previous_total, previous_rank = before["total"], before["rank"]
    average = nl.average
    return Standing(
        unit_code=row["unit_code"],
        unit_name=row["unit_name"],
        total=total,
        rank=rank,
        of=int(row["of"]),
        group_points={key: row[key] for key in GROUP_KEYS},
        group_ranks={key: row[f"rank_{key}"] for key in GROUP_KEYS},
        average=average,
        gap=None if total is None or average is None else total - average,
        group_averages={key: _mean(table[key].tolist()) for key in GROUP_KEYS},
        previous_total=previous_total,
        previous_rank=previous_rank,
        rank_change=None if rank is None or previous_rank is None else previous_rank - rank,
        total_change=None if total is None or previous_total is None else total - previous_total,
        recomputed_total=recomputed_total,
        differs=recomputed_total is not None and recomputed_total != total,
    )


def _find(table: pd.DataFrame, department_id: str | None, code: str | None, name: str | None) -> dict[str, Any] | None:
    keys = (
        ("department_id", department_id, nfc),
        ("unit_code", code, lambda text: nfc(text).casefold()),
        ("unit_name", name, _name_key),
    )
    rows = [{str(k): v for k, v in record.items()} for record in table.to_dict("records")]
    for column, wanted, key in keys:
        if wanted is None:
            continue
        target = key(wanted)
        for row in rows:
            if key(row[column]) == target:
                return row
    return None


def _name_key(text: object) -> str:
    """One key for every spelling of a name: a known province's code, else its bare name.

    ``#`` cannot survive :func:`name_key`, so a code never equals some unit's bare name.
    """
    known = province(text)
    return f"#{known.code}" if known is not None else _bare_name(text)


def _bare_name(text: object) -> str:
    """The name without "UBND", "tỉnh" or "thành phố", so that ties sort by what the names say."""
    return _KIND_PREFIX.sub("", name_key(text))


def _mean(values: list[Decimal | None]) -> Decimal | None:
    present = [v for v in values if v is not None]
    return round_half_up(sum(present, Decimal(0)) / len(present)) if present else None
