"""Facts a report states, computed once from the score card: ratios, weakest groups, points lost,
units below a target, and what the province's own dossier data adds.

Report kinds phrase these facts; they never compute them again.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb
import pandas as pd

from chiso766.compute.engines import DuckDBEngine, Engine, SparkEngine
from chiso766.compute.indicators import backlog_table, indicator_table, local_components
from chiso766.compute.reconcile import reconcile
from chiso766.compute.scorecard import ScoreCard
from chiso766.compute.scoring import STATUS_ZERO_DENOMINATOR, grade, group_ratio
from chiso766.core.dashboard import grade_bands
from chiso766.core.errors import Diagnostics, InputError
from chiso766.core.methodology import Group, Methodology, version_for
from chiso766.core.methodology import load as load_methodology
from chiso766.core.params import BottomRule, Params
from chiso766.core.targets import Target, parse_target
from chiso766.core.textvi import fmt_count
from chiso766.ingest.dossiers import DOSSIER_COLUMNS, Loaded, ingest, require_usable
from chiso766.ingest.units import Registry, params_registry

__all__ = [
    "DossierFacts",
    "GroupExtremes",
    "latest",
    "with_ratios",
    "group_targets",
    "below_target",
    "province_extremes",
    "grades",
    "dossier_facts",
    "tier_members",
    "WeeklyFacts",
    "weekly_facts",
    "readings",
]

_NO_RANK = 10**9
_COUNTS_DOSSIERS = ("online_submission", "resolved_on_time")  # their denominators: received, finished


def latest(units: pd.DataFrame) -> pd.DataFrame:
    """The rows of the latest as-of date (all rows when the table gives none)."""
    rows: pd.DataFrame = (
        units[units["as_of"] == units["as_of"].dropna().max()] if units["as_of"].notna().any() else units
    )
    return rows.copy()


def with_ratios(
    units: pd.DataFrame, method: Methodology, idle: Collection[tuple[str, str]] = frozenset()
) -> pd.DataFrame:
    """Each group's ratio in % (the given rate where the table gives one), and the group where each
    unit lost most points (``most_lost_key``, its names ``most_lost_group`` and ``most_lost_short``,
    and ``most_lost_points``).

    ``idle`` holds ``(unit_key, group)`` where the unit had nothing to count (:func:`no_data_groups`):
    points lost there are not a task, so such a group is never the one a unit lost most in. A tie goes
    to the group that comes first in the methodology; a unit that lost nothing has none. The body of a
    bulletin and its appendix both name this group, so the two always agree.
    """
    out = units.copy()
    for group in method.groups:
        given = (
            out[f"{group.key}_rate"]
            if f"{group.key}_rate" in out.columns
            else pd.Series([None] * len(out), index=out.index)
        )
        ratios = [r if r is not None else group_ratio(p, group) for r, p in zip(given, out[group.key], strict=True)]
        out[f"{group.key}_ratio"] = pd.Series(ratios, index=out.index, dtype=object)
    rows = out.to_dict("records")  # plain dicts: a Series a row costs more than the work on it
    idle_groups: dict[str, set[str]] = {}
    for key, group_key in idle:
        idle_groups.setdefault(key, set()).add(group_key)
    lost = [_most_lost(row, method, idle_groups.get(str(row["unit_key"]), set())) for row in rows]
    out["most_lost_key"] = [g.key if g else None for g, _ in lost]
    out["most_lost_group"] = [g.name_vi if g else None for g, _ in lost]
    out["most_lost_short"] = [g.short_vi if g else None for g, _ in lost]
    out["most_lost_points"] = pd.Series([points for _, points in lost], index=out.index, dtype=object)
    out["_rank_sort"] = out["rank"].map(lambda r: _NO_RANK if r is None or r != r else int(r))
    # ties keep the input's order (its STT, or the portal's order of units)
    out["_order"] = range(len(out))
    return out


def _most_lost(
    row: Mapping[Hashable, Any], method: Methodology, idle: Collection[str]
) -> tuple[Group | None, Decimal | None]:
    """The group where the unit lost most points, ``idle`` groups aside; none lost: (None, None)."""
    lost = [
        (group.max - row[group.key], group)
        for group in method.groups
        if row[group.key] is not None and group.key not in idle
    ]
    if not lost:
        return None, None
    points, group = max(lost, key=lambda t: t[0])
    return (group, points) if points > 0 else (None, None)


def tier_members(units: pd.DataFrame, tier: str) -> pd.DataFrame:
    """The units of one tier, best rank first, unranked last, then by name."""
    part = units[units["tier"] == tier]
    return part.sort_values(["_rank_sort", "_order"], kind="stable")


def group_targets(raw: Mapping[str, object] | None, method: Methodology) -> dict[str, Target]:
    """The targets params set for groups and ``total``, and none other: a document never judges a unit
    against a target nobody set."""
    raw = raw or {}
    return {key: parse_target(raw[key]) for key in (*(g.key for g in method.groups), "total") if key in raw}


def bottom_group(members: pd.DataFrame, rule: BottomRule) -> pd.DataFrame:
    """The bottom group of a tier, worst first: every ranked unit whose total is below ``rule.below``, or
    the last ``rule.count`` by rank with the units tied with the last of them."""
    ranked = members[members["total"].notna() & members["rank"].notna()]

    def where(test: Callable[[Any], bool]) -> pd.DataFrame:
        # a mask with the frame's index: a bare empty list (no unit ranked) would select no columns
        return ranked[pd.Series([test(t) for t in ranked["total"]], index=ranked.index, dtype=bool)]

    if rule.below is not None:
        below = rule.below
        chosen = where(lambda t: t < below)
    else:
        count = rule.count or 0
        if len(ranked) <= count:
            chosen = ranked
        else:
            cut = ranked.iloc[len(ranked) - count]["total"]
            chosen = where(lambda t: t <= cut)
    return chosen.sort_values(["_rank_sort", "_order"], ascending=[False, True], kind="stable")


def lowest(members: pd.DataFrame, column: str, count: int) -> pd.DataFrame:
    """The ``count`` lowest values of ``column`` and every unit tied with the last of them (input order
    on ties: a list cut through a tie would name some of equals and not the others), never one that
    equals the best: naming the "lowest" of equals would name the best as well.

    Examples
    --------
    >>> frame = pd.DataFrame({"v": [0, 5, 0, 0, 9], "_order": range(5)})
    >>> lowest(frame, "v", 2).index.tolist(), lowest(frame, "v", 4).index.tolist()
    ([0, 2, 3], [0, 2, 3, 1])
    """
    # positions in plain Python, one selection at the end: a bulletin asks this two dozen times of
    # frames of a few dozen rows, where each pandas step cost more than the comparisons themselves
    values = members[column].tolist()
    known = [i for i, present in enumerate(members[column].notna().tolist()) if present]
    if not known:
        return members.iloc[known]
    best = max(values[i] for i in known)
    orders = members["_order"].tolist()
    below = sorted((i for i in known if values[i] < best), key=lambda i: (values[i], orders[i]))
    if len(below) > count:
        below = [i for i in below if count > 0 and values[i] <= values[below[count - 1]]]
    return members.iloc[below]


def below_target(members: pd.DataFrame, group: str, target: Target) -> pd.DataFrame:
    """The members whose ratio in ``group`` misses ``target``, lowest first (a missing ratio misses nothing)."""
    ratio = members[f"{group}_ratio"]
    mask = pd.Series([r is not None and target.meets(r) is False for r in ratio], index=members.index, dtype=bool)
    return members[mask].sort_values(f"{group}_ratio", kind="stable")


@dataclass(frozen=True)
class GroupExtremes:
    """A unit's best and worst group by ratio, and the group where it lost most points."""

    high: tuple[Decimal, Group]
    low: tuple[Decimal, Group]
    most_lost: tuple[Decimal, Group] | None  # none when no point was lost


def province_extremes(row: pd.Series, method: Methodology) -> GroupExtremes | None:
    """Best and worst ratio and most points lost (the units' rule, :func:`_most_lost`); ties go to the
    group first in the methodology."""
    known = [(row[f"{g.key}_ratio"], g) for g in method.groups if row[f"{g.key}_ratio"] is not None]
    if not known:
        return None
    group, points = _most_lost(row.to_dict(), method, ())
    return GroupExtremes(
        high=max(known, key=lambda t: t[0]),
        low=min(known, key=lambda t: t[0]),
        most_lost=None if group is None or points is None else (points, group),
    )


def grades(totals: pd.Series) -> pd.Series:
    """Each total's dashboard grade band (``data/grades.csv``; not official)."""
    bands = grade_bands()
    return totals.map(lambda t: grade(t, bands))


@dataclass
class DossierFacts:
    """What the province's own dossier data adds: backlog, local components, reconciliation."""

    loaded: list[Loaded]
    backlog: pd.DataFrame
    local: pd.DataFrame
    reconciliation: pd.DataFrame | None


def dossier_facts(params: Params, card: ScoreCard) -> DossierFacts | None:
    """Ingest the params' dossiers into DuckDB and compute backlog, local components and reconciliation."""
    if "dossiers" not in params.inputs:
        return None
    con = duckdb.connect()
    try:
        _, loaded = ingest(params, con, card.diagnostics)
        local = local_components(con, params.period, params.as_of, card.method)
        backlog = backlog_table(con, params.period, params.as_of)
    finally:
        con.close()
    return DossierFacts(loaded, backlog, local, reconcile(card, local) if not card.components.empty else None)


@dataclass
class WeeklyFacts:
    """The weekly notice's figures: every indicator per unit, tier and province, the backlog, the 766
    components the dossiers determine, and what was read."""

    indicators: pd.DataFrame
    backlog: pd.DataFrame
    components: pd.DataFrame
    loaded: list[Loaded]
    diagnostics: Diagnostics
    province_name: str


def _engine(params: Params, diagnostics: Diagnostics) -> tuple[Engine, Registry, list[Loaded]]:
    """DuckDB with full validation (default), or Spark over typed, partitioned Parquet (``engine: spark``)."""
    if params.get("engine", "duckdb") == "duckdb":
        con = duckdb.connect()
        registry, loaded = ingest(params, con, diagnostics)
        return DuckDBEngine(con), registry, loaded
    settings = params.get("spark") or {}
    engine = SparkEngine.start(settings.get("master", "local[2]"), settings.get("remote"))
    registry = params_registry(params)
    units = pd.DataFrame([(u.code, u.name, u.tier) for u in registry.units], columns=["unit_code", "unit_name", "tier"])
    engine.load(params.inputs["dossiers"], units, params.inputs.get("complaints"))
    rows = int(engine.query("SELECT count(*) AS n FROM dossiers", {})["n"].iloc[0])
    empty = pd.DataFrame(columns=["line", "id", "column", "reason"])
    # the typed Parquet's own columns: one a report counts must be there, as DuckDB's ingest requires
    columns = tuple(c for c in engine.query("SELECT * FROM dossiers LIMIT 0", {}).columns if c in DOSSIER_COLUMNS)
    read = Loaded("dossiers", params.inputs["dossiers"], rows, rows, empty, columns)
    require_usable(read)
    return engine, registry, [read]


def weekly_facts(params: Params) -> WeeklyFacts:
    """Ingest the dossiers (and complaints) and compute every indicator, the backlog and the components."""
    diagnostics = Diagnostics()
    diagnostics.items.extend(params.warnings)  # an unknown province, say: told with the data's own
    engine, registry, loaded = _engine(params, diagnostics)
    indicators = indicator_table(engine, params.period, params.as_of, params.get("targets") or {})
    _require_in_period(engine, indicators, loaded, params)
    method = load_methodology(str(params.get("methodology_version") or version_for(params.as_of)))
    province = next((u.name for u in registry.units if u.tier == "tinh"), f"tỉnh {params.get('province', '')}".strip())
    return WeeklyFacts(
        indicators,
        backlog_table(engine, params.period, params.as_of),
        local_components(engine, params.period, params.as_of, method),
        loaded,
        diagnostics,
        province,
    )


def _require_in_period(engine: Engine, indicators: pd.DataFrame, loaded: list[Loaded], params: Params) -> None:
    """Refuse dossiers none of which was received or finished in the period: a notice saying nothing
    happened in a province's week means a wrong period, or dates read wrong (written month first,
    "09/01/2025" for 1 September reads as 9 January, and only the days after the 12th are set aside)."""
    dossiers = next((part for part in loaded if part.table == "dossiers"), None)
    province = indicators[(indicators["level"] == "province") & indicators["indicator"].isin(_COUNTS_DOSSIERS)]
    if dossiers is None or not dossiers.used or int(province["denominator"].sum()) > 0:
        return
    first, last = engine.rows("SELECT min(received_at), max(received_at) FROM dossiers", {})[0]
    period = params.period
    raise InputError(
        f"không hồ sơ nào trong {fmt_count(dossiers.used)} hồ sơ được tiếp nhận hoặc giải quyết trong kỳ, từ ngày "
        f"{period.start:%d/%m/%Y} đến ngày {period.end:%d/%m/%Y}; ngày tiếp nhận trong tệp từ {first:%d/%m/%Y} "
        f"đến {last:%d/%m/%Y}. Kiểm tra kỳ (period) của tệp tham số, và cách viết ngày của tệp: ngày trước, "
        "tháng sau (dd/mm/yyyy) hoặc yyyy-mm-dd",
        dossiers.source,
        column="received_at",
    )


def readings(card: ScoreCard | None, loaded: list[Loaded]) -> pd.DataFrame:
    """What each input gave: rows read, used and quarantined (read = used + quarantined, always)."""
    rows = []
    if card is not None:
        rows.append({"input": "đơn vị", "read": len(card.units), "used": len(card.units), "quarantined": 0})
        if not card.components.empty:
            rows.append(
                {
                    "input": "chỉ số thành phần",
                    "read": len(card.components),
                    "used": len(card.components),
                    "quarantined": 0,
                }
            )
    for part in loaded:
        rows.append(
            {
                "input": f"{part.table} ({part.source.name})",
                "read": part.read,
                "used": part.used,
                "quarantined": part.quarantined,
            }
        )
    return pd.DataFrame(rows, columns=["input", "read", "used", "quarantined"])


def idle_losses(card: ScoreCard) -> dict[tuple[str, str], list[str]]:
    """``(unit_key, group)`` → the components (ids, in the card's order) where the unit lost points
    for having nothing to count: denominator 0 and the portal's rule gives 0 or no points. A list of
    the lowest units says so beside the unit, and a task to raise the group does not name it."""
    components = card.components
    losses: dict[tuple[str, str], list[str]] = {}
    if components.empty:
        return losses
    rows = zip(
        components["unit_key"],
        components["group"],
        components["component"],
        components["status"],
        components["points"],
        components["max"],
        strict=True,
    )
    for unit, group, component, status, points, most in rows:
        if status == STATUS_ZERO_DENOMINATOR and most > 0 and (points is None or points < most):
            losses.setdefault((str(unit), str(group)), []).append(str(component))
    return losses


def no_data_groups(card: ScoreCard) -> set[tuple[str, str]]:
    """``(unit_key, group)`` where no scored component had anything to count (every denominator 0 or
    absent): the document says "không phát sinh", never "đạt 0%"."""
    components = card.components
    if components.empty:
        return set()
    scored = components[components["max"] > 0]
    active = {
        (str(u), str(g))
        for u, g, s in zip(scored["unit_key"], scored["group"], scored["status"], strict=True)
        if s == "scored"
    }
    every = {(str(u), str(g)) for u, g in zip(scored["unit_key"], scored["group"], strict=True)}
    return every - active
