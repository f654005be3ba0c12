"""Compute: from tidy inputs to the scored tables every report shows.

A :class:`ScoreCard` holds four tables (components, groups, units, differences) built by pure
functions from a portal snapshot or a score table; nothing here reads files or formats text.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any, NamedTuple

import pandas as pd

from chiso766.compute.ranking import rank_within
from chiso766.compute.scoring import Scored, component_points, group_points, group_ratio, points_from_rate, total_points
from chiso766.core.decimals import round_half_up, to_decimal
from chiso766.core.errors import Diagnostics
from chiso766.core.methodology import EVIDENCE_VI, GROUP_KEYS, Component, Methodology
from chiso766.core.textvi import fmt_points, name_key
from chiso766.ingest.portal import Snapshot
from chiso766.ingest.units import Registry, tier_from_name

__all__ = [
    "ScoreCard",
    "score_snapshot",
    "points_from_table",
    "from_unit_table",
    "pooled_province",
    "UNIT_COLUMNS",
    "COMPONENT_COLUMNS",
]

UNIT_COLUMNS = ["unit_code", "unit_name", "tier", *GROUP_KEYS, "total", "rank"]
COMPONENT_COLUMNS = [
    "unit_code",
    "unit_name",
    "group",
    "component",
    "numerator",
    "denominator",
    "rate",
    "threshold",
    "max",
    "points",
    "portal_points",
]


def _objects(values: Iterable[object], index: pd.Index) -> pd.Series[Any]:
    """A column of Python objects (exact decimals, ``None``) as pandas would hold the same list."""
    return pd.Series(list(values), index=index, dtype=object)


@dataclass
class ScoreCard:
    """Scored tables for one as-of date.

    ``units`` has the CONTRACT's columns plus ``unit_key``, ``portal_total``, ``portal_rank`` and
    ``as_of``; ``groups`` is long (unit × group) with ``source`` saying where the points came from;
    ``components`` is empty when the input carries no counts.
    """

    method: Methodology
    units: pd.DataFrame
    groups: pd.DataFrame
    components: pd.DataFrame
    differences: pd.DataFrame
    diagnostics: Diagnostics = field(default_factory=Diagnostics)

    def unit(self, key: str) -> pd.Series:
        """One unit's row, found by code, name or any spelling of it."""
        wanted = name_key(key)
        hits = self.units[
            (self.units["unit_code"].str.casefold() == key.casefold())
            | (self.units["unit_name"].map(name_key) == wanted)
        ]
        if hits.empty:
            raise KeyError(key)
        return hits.iloc[0]


class _Who(NamedTuple):
    """A unit as the tables show it: registry code, name and tier, and its key (the code, else the
    name's key)."""

    code: str
    name: str
    tier: str
    key: str


def _identify(units: pd.DataFrame, registry: Registry, diagnostics: Diagnostics, source: str) -> dict[str, _Who]:
    """Each ``unit_id``'s registry code, name, tier and key; an unknown unit is kept and reported."""
    who: dict[str, _Who] = {}
    columns = (units[c].tolist() for c in ("unit_id", "unit_code", "unit_name", "tier"))
    for unit_id, code, name, tier in zip(*columns, strict=True):
        unit = registry.resolve(name, code) if registry else None
        if registry and unit is None and tier != "tinh":
            diagnostics.warn("unknown_unit", f"đơn vị «{name}» không có trong danh mục đơn vị", source, unit=name)
        if unit is not None:
            differ = registry.code_and_name_differ(name, code)
            if differ is not None:
                diagnostics.warn(
                    "unit_code_name_mismatch",
                    f"{differ}: tính cho đơn vị theo mã; sửa mã hoặc tên nếu mã sai",
                    source,
                    unit=name,
                )
            code, name, tier = unit.code, unit.name, unit.tier
        else:
            tier = tier or tier_from_name(name)
        who[unit_id] = _Who(code, name, tier, code if code else name_key(name))
    return who


def score_snapshot(
    snapshot: Snapshot, method: Methodology, registry: Registry | None = None, as_of: date | None = None
) -> ScoreCard:
    """Recompute every component, group and total of a snapshot and list each difference."""
    diagnostics = Diagnostics()
    who = _identify(snapshot.units, registry or Registry(), diagnostics, str(snapshot.folder))
    # All the work is done on plain columns of Python objects and each table is built once at the
    # end: reading pandas cells, or setting pandas columns one by one, cost more than the scoring.
    src = snapshot.components
    ids, group_of, names = src["unit_id"].tolist(), src["group"].tolist(), src["component"].tolist()
    numerators, denominators = src["numerator"].tolist(), src["denominator"].tolist()

    # About half the rows repeat another's counts (province-wide components, 0 of 0, no data): each
    # distinct count pair of a component is scored once. Typed, so that True, 1 and 1.0 do not
    # share a result.
    @lru_cache(maxsize=None, typed=True)
    def score(component_id: str, numerator: object, denominator: object) -> tuple[Component, Scored, Decimal | None]:
        """The component, its result, and its rate as shown (2 decimals)."""
        component = method.component(component_id)
        scored = component_points(component, numerator, denominator)
        return component, scored, None if scored.rate is None else round_half_up(scored.rate, 2)

    results = [score(c, n, d) for c, n, d in zip(names, numerators, denominators, strict=True)]
    decimal = lru_cache(maxsize=None, typed=True)(to_decimal)  # portal scores repeat too (full marks, 0)
    scored = [r[1] for r in results]
    points = [s.points for s in scored]
    comp = {
        **_identities(ids, who),
        "group": group_of,
        "component": names,
        "numerator": numerators,
        "denominator": denominators,
        "rate": [r[2] for r in results],
        "threshold": [r[0].threshold for r in results],
        "max": [r[0].max for r in results],
        "points": points,
        "portal_points": [decimal(v) for v in src["portal_points"].tolist()],
        "portal_reports_points": src["portal_reports_points"].tolist(),
        "formula": [s.formula for s in scored],
        "status": [s.status for s in scored],
        "reason": [s.reason for s in scored],
        "data_quality": src["data_quality"].tolist(),
    }

    gathered: dict[tuple[str, str], list[Decimal | None]] = defaultdict(list)
    for u, g, p in zip(ids, group_of, points, strict=True):
        gathered[(u, g)].append(p)
    recomputed = {(u, g): group_points(part, method.group(g)) for (u, g), part in gathered.items()}
    given = snapshot.groups
    group_ids, group_keys = given["unit_id"].tolist(), given["group"].tolist()
    counted = given["counts_given"].tolist()
    portal = [decimal(v) for v in given["portal_points"].tolist()]
    groups = _finish_groups(
        {
            **_identities(group_ids, who),
            "group": group_keys,
            "portal_points": portal,
            "points": [
                recomputed.get((u, g)) if c else p
                for u, g, c, p in zip(group_ids, group_keys, counted, portal, strict=True)
            ],
            "source": ["recomputed" if c else "portal (no counts)" for c in counted],
        },
        method,
    )
    units = _units(groups, who, method, as_of)
    diagnostics.extend(snapshot.diagnostics)
    return ScoreCard(
        method,
        pd.DataFrame(units, dtype=object),
        pd.DataFrame(groups, dtype=object),
        pd.DataFrame(comp, columns=_COMPONENT_TABLE, dtype=object),
        _differences(comp, groups, units, method),
        diagnostics,
    )


def _identities(ids: list[str], who: dict[str, _Who]) -> dict[str, list[str]]:
    """The unit key, code, name and tier of each row's ``unit_id``, as plain columns."""
    units = [who[i] for i in ids]
    return {
        "unit_key": [u.key for u in units],
        "unit_code": [u.code for u in units],
        "unit_name": [u.name for u in units],
        "tier": [u.tier for u in units],
    }


_COMPONENT_TABLE = ["unit_key", *COMPONENT_COLUMNS, "tier", "formula", "status", "reason", "data_quality"]
_DIFFERENCE_COLUMNS = [
    "unit_code",
    "unit_name",
    "level",
    "group",
    "component",
    "portal",
    "recomputed",
    "difference",
    "rule",
]
_GROUP_COLUMNS = [
    "unit_key",
    "unit_code",
    "unit_name",
    "tier",
    "group",
    "max",
    "points",
    "ratio",
    "lost",
    "portal_points",
    "given_rate",
    "source",
]


def _finish_groups(columns: dict[str, list[Any]], method: Methodology) -> dict[str, list[Any]]:
    """The group table's columns (``_GROUP_COLUMNS``): each group row with its maximum, ratio and
    points lost, in the methodology's group order."""
    defined = {g.key: g for g in method.groups}
    keys, points = columns["group"], columns["points"]
    maxima = [defined[k].max for k in keys]
    columns = {
        "given_rate": [None] * len(keys),  # unless given: a score table has rates, a snapshot none
        **columns,
        "max": maxima,
        "ratio": [group_ratio(p, defined[k]) for p, k in zip(points, keys, strict=True)],
        "lost": [None if p is None else m - p for p, m in zip(points, maxima, strict=True)],
    }
    ranks = [defined[k].order for k in keys]
    if ranks == sorted(ranks):  # already in order, as a snapshot is read: group by group
        return {c: columns[c] for c in _GROUP_COLUMNS}
    order = sorted(range(len(keys)), key=ranks.__getitem__)  # stable: units keep their order
    return {c: [columns[c][i] for i in order] for c in _GROUP_COLUMNS}


def _rows(table: dict[str, list[Any]], columns: list[str]) -> Iterator[tuple[Any, ...]]:
    """The rows of ``columns`` of a table held as plain columns."""
    return zip(*(table[c] for c in columns), strict=True)


def _by_unit(groups: dict[str, list[Any]], column: str) -> dict[str, dict[str, Decimal | None]]:
    """Each unit's ``column`` by group key."""
    out: dict[str, dict[str, Decimal | None]] = defaultdict(dict)
    for key, group, value in _rows(groups, ["unit_key", "group", column]):
        out[key][group] = value
    return out


def _units(
    groups: dict[str, list[Any]], who: dict[str, _Who], method: Methodology, as_of: date | None
) -> dict[str, list[Any]]:
    """The units table's columns: one row per unit key, in the order units first appear."""
    first: dict[str, _Who] = {}
    for unit in who.values():
        first.setdefault(unit.key, unit)
    points = _by_unit(groups, "points")
    portal = _by_unit(groups, "portal_points")
    of_unit = [points.get(key, {}) for key in first]
    totals = [total_points(p, method) for p in of_unit]
    tiers = [unit.tier for unit in first.values()]
    return {
        "unit_key": list(first),
        "unit_code": [unit.code for unit in first.values()],
        "unit_name": [unit.name for unit in first.values()],
        "tier": tiers,
        **{g: [p.get(g) for p in of_unit] for g in GROUP_KEYS},
        "total": totals,
        "portal_total": [total_points(portal.get(key, {}), method) for key in first],
        "portal_rank": [None] * len(first),
        "as_of": [as_of] * len(first),
        "rank": rank_within(totals, tiers),
    }


def _suspected_rule(method: Methodology, group: str, component: str) -> str:
    members = [method.component(component)] if component else list(method.components_of(group))
    flagged = [c for c in members if c.evidence in {"open", "inferred"} or "[open]" in c.note]
    if flagged:
        # a rule the note marks [open] is not settled, whatever evidence its figures have
        return "; ".join(
            f"{c.id} ({EVIDENCE_VI['open' if '[open]' in c.note else c.evidence]}): {c.note_vi}" for c in flagged
        )
    return "làm tròn hoặc số đếm khác với quy tắc đã công bố"


def _differences(
    comp: dict[str, list[Any]], groups: dict[str, list[Any]], units: dict[str, list[Any]], method: Methodology
) -> pd.DataFrame:
    """Each component, group and total whose recomputed points are not the portal's.

    ``portal != mine`` is the whole test (two ``None`` are equal, a ``None`` and a number are not):
    it is made thousands of times a province, and only the few rows that differ are written out."""
    found: list[tuple[str, str, str, str, str, Decimal | None, Decimal | None]] = []
    columns = ["unit_code", "unit_name", "group", "component", "portal_reports_points", "portal_points", "points"]
    found += [
        (code, name, "component", group, component, portal, mine)
        for code, name, group, component, reported, portal, mine in _rows(comp, columns)
        if reported and portal != mine
    ]
    columns = ["unit_code", "unit_name", "group", "source", "portal_points", "points"]
    found += [
        (code, name, "group", group, "", portal, mine)
        for code, name, group, source, portal, mine in _rows(groups, columns)
        if source == "recomputed" and portal != mine
    ]
    columns = ["unit_code", "unit_name", "portal_total", "total"]
    found += [
        (code, name, "total", "", "", portal, mine)
        for code, name, portal, mine in _rows(units, columns)
        if mine is not None and portal is not None and portal != mine
    ]
    rows = [
        {
            "unit_code": code,
            "unit_name": name,
            "level": level,
            "group": group,
            "component": component,
            "portal": portal,
            "recomputed": mine,
            "difference": None if portal is None or mine is None else mine - portal,
            "rule": (
                "tổng chênh lệch của các nhóm ở trên" if level == "total" else _suspected_rule(method, group, component)
            ),
        }
        for code, name, level, group, component, portal, mine in found
    ]
    return pd.DataFrame(rows, columns=_DIFFERENCE_COLUMNS, dtype=object)


# The ranks a score table gives as the portal published them: overall, out of how many, per group.
_GIVEN_RANKS = ("portal_rank", "portal_rank_of", *(f"portal_rank_{g}" for g in GROUP_KEYS))


def points_from_table(
    table: pd.DataFrame, method_for: Callable[[date | None], Methodology]
) -> tuple[pd.DataFrame, Diagnostics]:
    """Each unit's group points and total from a score table as read (``ingest.scores.read_scores``).

    A group given only as a rate in % gets the points the rate gives (:func:`points_from_rate`);
    where both are given and disagree the given points are kept, with a ``rate_points_mismatch``
    warning. A table without a total gets the sum of the groups (when none is missing); a given
    total that differs from that sum is kept, with a ``total_mismatch`` warning. Returns one row
    per unit and as-of date: ``unit_key, unit_code, unit_name, tier, as_of``, the six group keys,
    ``<group>_rate``, ``<group>_source`` (``points``, ``rate`` or ``None``), ``total``,
    ``total_source`` (``given``, ``sum`` or ``None``), ``portal_rank``, ``line``; and the warnings,
    in the table's row order, each naming the file, line and column it is about.
    """
    diagnostics = Diagnostics()
    rows: list[dict[str, object]] = []
    for given in table.to_dict("records"):
        as_of = given["as_of"]
        method = method_for(as_of)
        unit = str(given["unit_name"])
        row: dict[str, object] = {key: given[key] for key in ("unit_key", "unit_code", "unit_name", "tier")}
        row |= {"as_of": as_of, "line": given["line"]}
        points_of: dict[str, Decimal | None] = {}
        for group in method.groups:
            points: Decimal | None = given[group.key]
            group_rate: Decimal | None = given[f"{group.key}_rate"]
            from_rate = None if group_rate is None else points_from_rate(group_rate, group)
            if points is not None and from_rate is not None and points != from_rate:
                diagnostics.warn(
                    "rate_points_mismatch",
                    f"nhóm «{group.name_vi}»: điểm {points} khác điểm tính từ tỷ lệ "
                    f"{group_rate}% ({from_rate}); giữ điểm đã cho",
                    given["file"],
                    given["line"],
                    given[f"{group.key}_column"],
                    unit=unit,
                )
            points_of[group.key] = points if points is not None else from_rate
            row[group.key] = points_of[group.key]
            row[f"{group.key}_rate"] = group_rate
            row[f"{group.key}_source"] = (
                "points" if points is not None else ("rate" if group_rate is not None else None)
            )
        total: Decimal | None = given["total"]
        summed = total_points(points_of, method)
        if total is not None and summed is not None and total != summed:
            diagnostics.warn(
                "total_mismatch",
                f"{unit}: tổng điểm {fmt_points(total)} khác tổng các nhóm {fmt_points(summed)}; giữ tổng đã cho",
                given["file"],
                given["line"],
                given["total_column"],
                unit=unit,
            )
        row["total"] = total if total is not None else summed
        row["total_source"] = "given" if total is not None else ("sum" if summed is not None else None)
        for column in _GIVEN_RANKS:
            row[column] = given.get(column)
        rows.append(row)
    columns = [
        "unit_key",
        "unit_code",
        "unit_name",
        "tier",
        "as_of",
        *GROUP_KEYS,
        *(f"{g}_rate" for g in GROUP_KEYS),
        *(f"{g}_source" for g in GROUP_KEYS),
        "total",
        "total_source",
        *_GIVEN_RANKS,
        "line",
    ]
    return pd.DataFrame(rows, columns=columns, dtype=object), diagnostics


def from_unit_table(table: pd.DataFrame, method_for: Callable[[date | None], Methodology]) -> ScoreCard:
    """A score card from a score table as read (``ingest.scores.read_scores``); see :func:`points_from_table`.

    The card's diagnostics are the warnings of comparing rates, points and totals; ranking is done
    per ``as_of``.
    """
    scored, diagnostics = points_from_table(table, method_for)
    method = method_for(scored["as_of"].iloc[0] if len(scored) else None)
    pairs = [(row, group.key) for row in scored.itertuples(index=False) for group in method.groups]
    points = [getattr(row, key) for row, key in pairs]
    groups = _finish_groups(
        {
            **{c: [getattr(row, c) for row, _ in pairs] for c in ("unit_key", "unit_code", "unit_name", "tier")},
            "group": [key for _, key in pairs],
            "points": points,
            "portal_points": points,
            "given_rate": [getattr(row, f"{key}_rate") for row, key in pairs],
            "source": [getattr(row, f"{key}_source") or "missing" for row, key in pairs],
        },
        method,
    )
    units = scored.copy()
    units["portal_total"] = None  # a score table is the source itself: nothing to compare with
    units["rank"] = None
    for _, part in units.groupby("as_of", sort=False, dropna=False):
        units.loc[part.index, "rank"] = rank_within(part["total"].tolist(), part["tier"].tolist())
    empty_comp = pd.DataFrame(columns=_COMPONENT_TABLE)
    empty_diff = pd.DataFrame(columns=_DIFFERENCE_COLUMNS)
    return ScoreCard(method, units, pd.DataFrame(groups, dtype=object), empty_comp, empty_diff, diagnostics)


def pooled_province(card: ScoreCard) -> pd.DataFrame:
    """The province's components recomputed from the pooled counts of its units.

    Only components whose counts add up across units (``pooling = sum``: dossier counts) can be
    pooled; counts of distinct procedures cannot, and are listed with status ``not_poolable``.
    """
    method = card.method
    members = card.components[card.components["tier"] != "tinh"]
    rows: list[dict[str, object]] = []
    for component in method.components:
        part = members[members["component"] == component.id]
        if part.empty:
            continue
        if component.pooling != "sum":
            rows.append(
                {
                    "component": component.id,
                    "group": component.group,
                    "numerator": None,
                    "denominator": None,
                    "points": None,
                    "status": "not_poolable",
                }
            )
            continue
        numerator = sum(int(n) for n in part["numerator"] if n is not None)
        denominator = sum(int(d) for d in part["denominator"] if d is not None)
        scored = component_points(component, numerator, denominator)
        rows.append(
            {
                "component": component.id,
                "group": component.group,
                "numerator": numerator,
                "denominator": denominator,
                "points": scored.points,
                "status": scored.status,
            }
        )
    return pd.DataFrame(rows, dtype=object)
