"""Compute: from tidy inputs to the scored tables every report shows.

A :class:`ScoreCard` holds four tables (components, groups, units, differences) built by pure
functions from a portal snapshot or a score table; nothing here reads files or formats text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd

from chiso766.core.decimals import round_half_up, to_decimal
from chiso766.core.errors import Diagnostics
from chiso766.ingest.portal import Snapshot
from chiso766.core.methodology import GROUP_KEYS, Methodology
from chiso766.compute.ranking import rank_within
from chiso766.compute.scoring import component_points, group_points, group_ratio, total_points
from chiso766.core.textvi import name_key
from chiso766.ingest.units import Registry, tier_from_name

__all__ = ["ScoreCard", "score_snapshot", "from_unit_table", "pooled_province", "UNIT_COLUMNS",
           "COMPONENT_COLUMNS"]

UNIT_COLUMNS = ["unit_code", "unit_name", "tier", *GROUP_KEYS, "total", "rank"]
COMPONENT_COLUMNS = ["unit_code", "unit_name", "group", "component", "numerator", "denominator",
                     "rate", "threshold", "max", "points", "portal_points"]


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
        hits = self.units[(self.units["unit_code"].str.casefold() == key.casefold())
                          | (self.units["unit_name"].map(name_key) == wanted)]
        if hits.empty:
            raise KeyError(key)
        return hits.iloc[0]


def _identify(units: pd.DataFrame, registry: Registry, diagnostics: Diagnostics,
              source: str) -> pd.DataFrame:
    """Attach registry codes, names and tiers; an unknown unit is kept and reported."""
    out = units.copy()
    codes, names, tiers = [], [], []
    for row in out.itertuples(index=False):
        unit = registry.resolve(row.unit_name, row.unit_code) if registry else None
        if registry and unit is None and row.tier != "tinh":
            diagnostics.warn("unknown_unit", f"đơn vị «{row.unit_name}» không có trong danh mục đơn vị",
                             source, unit=row.unit_name)
        codes.append(unit.code if unit else row.unit_code)
        names.append(unit.name if unit else row.unit_name)
        tiers.append(unit.tier if unit else (row.tier or tier_from_name(row.unit_name)))
    out["unit_code"], out["unit_name"], out["tier"] = codes, names, tiers
    out["unit_key"] = [c if c else name_key(n) for c, n in zip(codes, names)]
    return out


def score_snapshot(snapshot: Snapshot, method: Methodology, registry: Registry | None = None,
                   as_of: object = None) -> ScoreCard:
    """Recompute every component, group and total of a snapshot and list each difference."""
    diagnostics = Diagnostics()
    units = _identify(snapshot.units, registry or Registry(), diagnostics, str(snapshot.folder))
    info = units.set_index("unit_id")

    comp = snapshot.components.copy()
    scored = [component_points(method.component(c), n, d)
              for c, n, d in zip(comp["component"], comp["numerator"], comp["denominator"])]
    comp["rate"] = [None if s.rate is None else round_half_up(s.rate, 2) for s in scored]
    comp["points"] = [s.points for s in scored]
    comp["status"] = [s.status for s in scored]
    comp["reason"] = [s.reason for s in scored]
    comp["formula"] = [s.formula for s in scored]
    comp["threshold"] = [method.component(c).threshold for c in comp["component"]]
    comp["max"] = [method.component(c).max for c in comp["component"]]
    comp["portal_points"] = comp["portal_points"].map(to_decimal)
    for column in ("unit_code", "unit_name", "tier", "unit_key"):
        comp[column] = comp["unit_id"].map(info[column])

    recomputed = {(u, g): group_points(part["points"], method.group(g))
                  for (u, g), part in comp.groupby(["unit_id", "group"], sort=False)}
    groups = snapshot.groups.copy()
    groups["portal_points"] = groups["portal_points"].map(to_decimal)
    groups["points"] = [recomputed.get((u, g)) if given else p for u, g, given, p in
                        zip(groups["unit_id"], groups["group"], groups["counts_given"], groups["portal_points"])]
    groups["source"] = ["recomputed" if given else "portal (no counts)" for given in groups["counts_given"]]
    for column in ("unit_code", "unit_name", "tier", "unit_key"):
        groups[column] = groups["unit_id"].map(info[column])
    groups = _finish_groups(groups, method)
    wide = _wide(groups, units[["unit_key", "unit_code", "unit_name", "tier"]], method)
    portal_total = _portal_totals(groups, method)
    wide["portal_total"] = wide["unit_key"].map(portal_total)
    wide["portal_rank"] = None
    wide["as_of"] = as_of
    wide["rank"] = rank_within(wide)
    differences = _differences(comp, groups, wide, method)
    diagnostics.extend(snapshot.diagnostics)
    return ScoreCard(method, wide, groups, comp[["unit_key", *COMPONENT_COLUMNS, "tier", "formula", "status",
                                                  "reason", "data_quality"]],
                     differences, diagnostics)


def _finish_groups(groups: pd.DataFrame, method: Methodology) -> pd.DataFrame:
    groups["max"] = [method.group(g).max for g in groups["group"]]
    groups["ratio"] = [group_ratio(p, method.group(g)) for p, g in zip(groups["points"], groups["group"])]
    groups["lost"] = [None if p is None else m - p for p, m in zip(groups["points"], groups["max"])]
    order = {g.key: g.order for g in method.groups}
    groups["_order"] = groups["group"].map(order)
    if "given_rate" not in groups.columns:
        groups["given_rate"] = None
    columns = ["unit_key", "unit_code", "unit_name", "tier", "group", "max", "points", "ratio",
               "lost", "portal_points", "given_rate", "source"]
    return groups.sort_values(["_order"], kind="stable")[columns].reset_index(drop=True)


def _wide(groups: pd.DataFrame, units: pd.DataFrame, method: Methodology) -> pd.DataFrame:
    by_unit = {k: dict(zip(part["group"], part["points"])) for k, part in groups.groupby("unit_key", sort=False)}
    rows = []
    for unit in units.drop_duplicates("unit_key").itertuples(index=False):
        points = by_unit.get(unit.unit_key, {})
        row = {"unit_key": unit.unit_key, "unit_code": unit.unit_code, "unit_name": unit.unit_name,
               "tier": unit.tier}
        row.update({g.key: points.get(g.key) for g in method.groups})
        row["total"] = total_points(points, method)
        rows.append(row)
    return pd.DataFrame(rows, columns=["unit_key", "unit_code", "unit_name", "tier", *GROUP_KEYS, "total"],
                        dtype=object)


def _portal_totals(groups: pd.DataFrame, method: Methodology) -> dict[str, Decimal | None]:
    return {k: total_points(dict(zip(part["group"], part["portal_points"])), method)
            for k, part in groups.groupby("unit_key", sort=False)}


def _suspected_rule(method: Methodology, group: str, component: str | None) -> str:
    members = [method.component(component)] if component else list(method.components_of(group))
    flagged = [c for c in members if c.evidence in {"open", "inferred"} or "[open]" in c.note]
    if flagged:
        return "; ".join(f"{c.id} [{c.evidence}]: {c.note}" for c in flagged)
    return "rounding or counts differ from the documented rule"


def _differences(comp: pd.DataFrame, groups: pd.DataFrame, units: pd.DataFrame,
                 method: Methodology) -> pd.DataFrame:
    rows = []

    def add(row: pd.Series | tuple, level: str, group: str, component: str, portal: object,
            mine: object, rule: str) -> None:
        if portal is None and mine is None:
            return
        if portal is not None and mine is not None and portal == mine:
            return
        diff = None if portal is None or mine is None else mine - portal
        rows.append({"unit_code": row.unit_code, "unit_name": row.unit_name, "level": level,
                     "group": group, "component": component, "portal": portal, "recomputed": mine,
                     "difference": diff, "rule": rule})

    for row in comp.itertuples(index=False):
        if not row.portal_reports_points:
            continue
        add(row, "component", row.group, row.component, row.portal_points, row.points,
            _suspected_rule(method, row.group, row.component))
    for row in groups.itertuples(index=False):
        if row.source == "recomputed":
            add(row, "group", row.group, "", row.portal_points, row.points, _suspected_rule(method, row.group, None))
    for row in units.itertuples(index=False):
        if row.total is not None and row.portal_total is not None:
            add(row, "total", "", "", row.portal_total, row.total, "sum of the group differences above")
    return pd.DataFrame(rows, columns=["unit_code", "unit_name", "level", "group", "component",
                                       "portal", "recomputed", "difference", "rule"], dtype=object)


def from_unit_table(table: pd.DataFrame, method_for: Callable[[object], Methodology]) -> ScoreCard:
    """A score card from a score table (group points or rates per unit; see ``ingest.scores``).

    ``table`` is wide, one row per unit and as-of date, with the six group keys (``None`` where the
    table has no value), ``total`` and ``total_source``; ranking is done per ``as_of``.
    """
    method = method_for(table["as_of"].iloc[0] if len(table) else None)
    records = []
    for row in table.itertuples(index=False):
        for group in method.groups:
            points = getattr(row, group.key)
            records.append({"unit_key": row.unit_key, "unit_code": row.unit_code,
                            "unit_name": row.unit_name, "tier": row.tier, "group": group.key,
                            "points": points, "portal_points": points, "given_rate": getattr(row, f"{group.key}_rate"),
                            "source": getattr(row, f"{group.key}_source") or "missing"})
    groups = _finish_groups(pd.DataFrame(records), method)
    units = table.copy()
    units["portal_total"] = None  # a score table is the source itself: nothing to compare with
    units["rank"] = None
    for _, part in units.groupby("as_of", sort=False, dropna=False):
        units.loc[part.index, "rank"] = rank_within(part)
    empty_comp = pd.DataFrame(columns=["unit_key", *COMPONENT_COLUMNS, "tier", "formula", "status", "reason",
                                       "data_quality"])
    empty_diff = pd.DataFrame(columns=["unit_code", "unit_name", "level", "group", "component",
                                       "portal", "recomputed", "difference", "rule"])
    return ScoreCard(method, units, groups, empty_comp, empty_diff)


def pooled_province(card: ScoreCard) -> pd.DataFrame:
    """The province's components recomputed from the pooled counts of its units.

    Only components whose counts add up across units (``pooling = sum``: dossier counts) can be
    pooled; counts of distinct procedures cannot, and are listed with status ``not_poolable``.
    """
    method = card.method
    members = card.components[card.components["tier"] != "tinh"]
    rows = []
    for component in method.components:
        part = members[members["component"] == component.id]
        if part.empty:
            continue
        if component.pooling != "sum":
            rows.append({"component": component.id, "group": component.group, "numerator": None,
                         "denominator": None, "points": None, "status": "not_poolable"})
            continue
        numerator = sum(int(n) for n in part["numerator"] if n is not None)
        denominator = sum(int(d) for d in part["denominator"] if d is not None)
        scored = component_points(component, numerator, denominator)
        rows.append({"component": component.id, "group": component.group, "numerator": numerator,
                     "denominator": denominator, "points": scored.points, "status": scored.status})
    return pd.DataFrame(rows, dtype=object)
