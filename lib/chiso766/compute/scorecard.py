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
from typing import Any

import pandas as pd

from chiso766.compute.ranking import rank_within
from chiso766.compute.scoring import component_points, group_points, group_ratio, points_from_rate, total_points
from chiso766.core.decimals import round_half_up, to_decimal
from chiso766.core.errors import Diagnostics
from chiso766.core.methodology import GROUP_KEYS, Methodology
from chiso766.core.textvi import name_key
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


def _identify(units: pd.DataFrame, registry: Registry, diagnostics: Diagnostics, source: str) -> pd.DataFrame:
    """Attach registry codes, names and tiers; an unknown unit is kept and reported."""
    out = units.copy()
    codes: list[str] = []
    names: list[str] = []
    tiers: list[str] = []
    for code, name, tier in _rows(out, ["unit_code", "unit_name", "tier"]):
        unit = registry.resolve(name, code) if registry else None
        if registry and unit is None and tier != "tinh":
            diagnostics.warn("unknown_unit", f"đơn vị «{name}» không có trong danh mục đơn vị", source, unit=name)
        codes.append(unit.code if unit else code)
        names.append(unit.name if unit else name)
        tiers.append(unit.tier if unit else (tier or tier_from_name(name)))
    out["unit_code"], out["unit_name"], out["tier"] = codes, names, tiers
    out["unit_key"] = [c if c else name_key(n) for c, n in zip(codes, names, strict=True)]
    return out


def score_snapshot(
    snapshot: Snapshot, method: Methodology, registry: Registry | None = None, as_of: date | None = None
) -> ScoreCard:
    """Recompute every component, group and total of a snapshot and list each difference."""
    diagnostics = Diagnostics()
    units = _identify(snapshot.units, registry or Registry(), diagnostics, str(snapshot.folder))
    # Python objects, not pandas' Arrow strings: every cell is read below, and each table is built
    # once from plain columns (setting a dozen pandas columns one by one cost more than the scoring)
    units = units.astype(object)
    who = {
        i: (code, name, tier, key)
        for i, code, name, tier, key in _rows(units, ["unit_id", "unit_code", "unit_name", "tier", "unit_key"])
    }
    src = snapshot.components
    ids, names = src["unit_id"].tolist(), src["component"].tolist()
    numerators, denominators = src["numerator"].tolist(), src["denominator"].tolist()
    defined = [method.component(c) for c in names]
    scored = [component_points(c, n, d) for c, n, d in zip(defined, numerators, denominators, strict=True)]
    comp = pd.DataFrame(
        {
            **_identities(ids, who),
            "unit_id": ids,
            "group": src["group"].tolist(),
            "component": names,
            "numerator": numerators,
            "denominator": denominators,
            "rate": [None if s.rate is None else round_half_up(s.rate, 2) for s in scored],
            "threshold": [c.threshold for c in defined],
            "max": [c.max for c in defined],
            "points": [s.points for s in scored],
            "portal_points": [to_decimal(v) for v in src["portal_points"].tolist()],
            "portal_reports_points": src["portal_reports_points"].tolist(),
            "formula": [s.formula for s in scored],
            "status": [s.status for s in scored],
            "reason": [s.reason for s in scored],
            "data_quality": src["data_quality"].tolist(),
        },
        dtype=object,
    )

    gathered: dict[tuple[str, str], list[Decimal | None]] = defaultdict(list)
    for u, g, p in zip(ids, comp["group"].tolist(), comp["points"].tolist(), strict=True):
        gathered[(u, g)].append(p)
    recomputed = {(u, g): group_points(points, method.group(g)) for (u, g), points in gathered.items()}
    given = snapshot.groups
    group_ids, group_keys = given["unit_id"].tolist(), given["group"].tolist()
    counted = given["counts_given"].tolist()
    portal = [to_decimal(v) for v in given["portal_points"].tolist()]
    groups = pd.DataFrame(
        {
            **_identities(group_ids, who),
            "unit_id": group_ids,
            "group": group_keys,
            "portal_points": portal,
            "points": [
                recomputed.get((u, g)) if c else p
                for u, g, c, p in zip(group_ids, group_keys, counted, portal, strict=True)
            ],
            "source": ["recomputed" if c else "portal (no counts)" for c in counted],
        },
        dtype=object,
    )
    groups = _finish_groups(groups, method)
    wide = _wide(groups, units[["unit_key", "unit_code", "unit_name", "tier"]], method)
    portal_total = _portal_totals(groups, method)
    wide["portal_total"] = wide["unit_key"].map(portal_total)
    wide["portal_rank"] = None
    wide["as_of"] = as_of
    wide["rank"] = rank_within(wide)
    differences = _differences(comp, groups, wide, method)
    diagnostics.extend(snapshot.diagnostics)
    return ScoreCard(
        method,
        wide,
        groups,
        comp[["unit_key", *COMPONENT_COLUMNS, "tier", "formula", "status", "reason", "data_quality"]],
        differences,
        diagnostics,
    )


def _identities(ids: list[str], who: dict[str, tuple[str, str, str, str]]) -> dict[str, list[str]]:
    """The unit code, name, tier and key of each row's ``unit_id``, as plain columns."""
    rows = [who[i] for i in ids]
    return {column: [r[n] for r in rows] for n, column in enumerate(("unit_code", "unit_name", "tier", "unit_key"))}


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


def _finish_groups(groups: pd.DataFrame, method: Methodology) -> pd.DataFrame:
    """Each group row with its maximum, ratio and points lost, in the methodology's group order."""
    defined = {g.key: g for g in method.groups}
    keys, points = groups["group"].tolist(), groups["points"].tolist()
    columns: dict[str, list[Any]] = {c: groups[c].tolist() for c in _GROUP_COLUMNS if c in groups.columns}
    columns["max"] = [defined[k].max for k in keys]
    columns["ratio"] = [group_ratio(p, defined[k]) for p, k in zip(points, keys, strict=True)]
    columns["lost"] = [None if p is None else m - p for p, m in zip(points, columns["max"], strict=True)]
    columns.setdefault("given_rate", [None] * len(keys))
    order = sorted(range(len(keys)), key=lambda i: defined[keys[i]].order)  # stable: units keep their order
    return pd.DataFrame({c: [columns[c][i] for i in order] for c in _GROUP_COLUMNS}, dtype=object)


def _rows(frame: pd.DataFrame, columns: list[str]) -> Iterator[tuple[Any, ...]]:
    """The rows of ``columns`` as tuples of Python objects: each column converted once, not cell by
    cell as iterating pandas' Arrow-backed strings does."""
    return zip(*(frame[c].tolist() for c in columns), strict=True)


def _by_unit(groups: pd.DataFrame, column: str) -> dict[str, dict[str, Decimal | None]]:
    """Each unit's ``column`` by group key."""
    out: dict[str, dict[str, Decimal | None]] = defaultdict(dict)
    for key, group, value in _rows(groups, ["unit_key", "group", column]):
        out[key][group] = value
    return out


def _wide(groups: pd.DataFrame, units: pd.DataFrame, method: Methodology) -> pd.DataFrame:
    by_unit = _by_unit(groups, "points")
    rows: list[dict[str, object]] = []
    columns = ["unit_key", "unit_code", "unit_name", "tier"]
    for key, code, name, tier in _rows(units.drop_duplicates("unit_key"), columns):
        points = by_unit.get(key, {})
        row: dict[str, object] = {"unit_key": key, "unit_code": code, "unit_name": name, "tier": tier}
        row.update({g.key: points.get(g.key) for g in method.groups})
        row["total"] = total_points(points, method)
        rows.append(row)
    return pd.DataFrame(
        rows, columns=["unit_key", "unit_code", "unit_name", "tier", *GROUP_KEYS, "total"], dtype=object
    )


def _portal_totals(groups: pd.DataFrame, method: Methodology) -> dict[str, Decimal | None]:
    return {key: total_points(points, method) for key, points in _by_unit(groups, "portal_points").items()}


def _suspected_rule(method: Methodology, group: str, component: str) -> str:
    members = [method.component(component)] if component else list(method.components_of(group))
    flagged = [c for c in members if c.evidence in {"open", "inferred"} or "[open]" in c.note]
    if flagged:
        return "; ".join(f"{c.id} [{c.evidence}]: {c.note}" for c in flagged)
    return "rounding or counts differ from the documented rule"


def _differences(comp: pd.DataFrame, groups: pd.DataFrame, units: pd.DataFrame, method: Methodology) -> pd.DataFrame:
    rows: list[dict[str, object]] = []

    def add(
        code: str,
        name: str,
        level: str,
        group: str,
        component: str,
        portal: Decimal | None,
        mine: Decimal | None,
    ) -> None:
        if portal is None and mine is None:
            return
        if portal is not None and mine is not None and portal == mine:
            return
        diff = None if portal is None or mine is None else mine - portal
        # the suspected rule only for the few rows that differ: it is text work
        rule = "sum of the group differences above" if level == "total" else _suspected_rule(method, group, component)
        rows.append(
            {
                "unit_code": code,
                "unit_name": name,
                "level": level,
                "group": group,
                "component": component,
                "portal": portal,
                "recomputed": mine,
                "difference": diff,
                "rule": rule,
            }
        )

    # Cells of object columns are Python objects: str codes and names, Decimal or None points.
    columns = ["unit_code", "unit_name", "group", "component", "portal_reports_points", "portal_points", "points"]
    for code, name, group, component, reported, portal, mine in _rows(comp, columns):
        if not reported:
            continue
        add(code, name, "component", group, component, portal, mine)
    columns = ["unit_code", "unit_name", "group", "source", "portal_points", "points"]
    for code, name, group, source, portal, mine in _rows(groups, columns):
        if source == "recomputed":
            add(code, name, "group", group, "", portal, mine)
    columns = ["unit_code", "unit_name", "portal_total", "total"]
    for code, name, portal, mine in _rows(units, columns):
        if mine is not None and portal is not None:
            add(code, name, "total", "", "", portal, mine)
    return pd.DataFrame(
        rows,
        columns=["unit_code", "unit_name", "level", "group", "component", "portal", "recomputed", "difference", "rule"],
        dtype=object,
    )


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
                f"tổng điểm {total} khác tổng các nhóm {summed}; giữ tổng đã cho",
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
    records = []
    for row in scored.itertuples(index=False):
        for group in method.groups:
            points = getattr(row, group.key)
            records.append(
                {
                    "unit_key": row.unit_key,
                    "unit_code": row.unit_code,
                    "unit_name": row.unit_name,
                    "tier": row.tier,
                    "group": group.key,
                    "points": points,
                    "portal_points": points,
                    "given_rate": getattr(row, f"{group.key}_rate"),
                    "source": getattr(row, f"{group.key}_source") or "missing",
                }
            )
    groups = _finish_groups(pd.DataFrame(records), method)
    units = scored.copy()
    units["portal_total"] = None  # a score table is the source itself: nothing to compare with
    units["rank"] = None
    for _, part in units.groupby("as_of", sort=False, dropna=False):
        units.loc[part.index, "rank"] = rank_within(part)
    empty_comp = pd.DataFrame(
        columns=["unit_key", *COMPONENT_COLUMNS, "tier", "formula", "status", "reason", "data_quality"]
    )
    empty_diff = pd.DataFrame(
        columns=["unit_code", "unit_name", "level", "group", "component", "portal", "recomputed", "difference", "rule"]
    )
    return ScoreCard(method, units, groups, empty_comp, empty_diff, diagnostics)


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
