"""Points at stake: for every unit and component that lost points, what winning them back takes.

``points_at_stake.csv`` (CONTRACT.md) says, for each lost point, who owns it (the province, when the
portal repeats the province's own value on every unit, or the unit), how many of the period's dossiers
would have had to meet the criterion for full points (``fix_existing``), how many new dossiers, all
meeting it, would give full points by themselves (``future_only``), and the points one dossier wins.
The arithmetic is exact (fractions), never floats: a threshold of 80 % of 1.065.150 dossiers is
852.120, not 852.119,99….
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from math import ceil
from typing import Any

import pandas as pd

from chiso766.compute.scorecard import ScoreCard
from chiso766.compute.scoring import component_points
from chiso766.core.decimals import round_half_up, to_decimal
from chiso766.core.methodology import Component, Methodology

__all__ = [
    "STAKE_COLUMNS",
    "fix_existing",
    "future_only",
    "points_at_stake",
    "province_holders",
    "unit_actions",
    "systemic",
]

STAKE_COLUMNS = [
    "unit_code",
    "unit_name",
    "tier",
    "group",
    "component",
    "numerator",
    "denominator",
    "threshold",
    "points",
    "max",
    "points_lost",
    "owner",
    "fix_existing",
    "future_only",
    "points_per_dossier",
]
_HUNDRED = Decimal(100)
_PER_DOSSIER_PLACES = 6  # a point spread over a million dossiers is still visible
_TIER_ORDER = {"tinh": 0, "so": 1, "xa": 2}


def _share(threshold: Decimal) -> Fraction:
    return Fraction(threshold) / 100


def fix_existing(numerator: int, denominator: int, threshold: Decimal = _HUNDRED) -> int:
    """How many more of the period's dossiers must meet the criterion, the denominator unchanged:
    ⌈T/100 × denominator⌉ − numerator (never below 0).

    Examples
    --------
    >>> fix_existing(0, 79), fix_existing(344455, 1065150, Decimal(80)), fix_existing(9, 10, Decimal(90))
    (79, 507665, 0)
    """
    return max(0, ceil(_share(threshold) * denominator) - numerator)


def future_only(numerator: int, denominator: int, threshold: Decimal = _HUNDRED) -> int | None:
    """The least x of new dossiers, all meeting the criterion, with (numerator + x)/(denominator + x) ≥
    T/100; ``None`` when T is 100 (new dossiers alone never reach 100 % while one fails).

    Examples
    --------
    >>> future_only(344455, 1065150, Decimal(80)), future_only(0, 0, Decimal(50)), future_only(3, 4)
    (2538325, 0, None)
    """
    share = _share(threshold)
    if share >= 1:
        return None if numerator < denominator else 0
    return max(0, ceil((share * denominator - numerator) / (1 - share)))


def _owner(component: Component, pair: tuple[object, object], province_pairs: dict[str, tuple[object, object]]) -> str:
    """``province`` where the unit shows the province's own value of a province-computed component."""
    if component.scope != "province":
        return "unit"
    given = province_pairs.get(component.id)
    return "province" if given is None or given == pair else "unit"


def points_at_stake(card: ScoreCard) -> pd.DataFrame:
    """One row per unit (the province first) and component whose points are below its maximum.

    A component with no data is left out (missing is not a loss); one scored 0 because its
    denominator is 0 keeps its lost points with ``fix_existing`` empty (there is nothing to fix) and
    ``future_only`` the new dossiers that would score it.
    """
    comp = card.components
    if comp.empty:
        return pd.DataFrame(columns=STAKE_COLUMNS)
    method = card.method
    province = comp[comp["tier"] == "tinh"]
    province_pairs = {
        str(c): (n, d)
        for c, n, d in zip(province["component"], province["numerator"], province["denominator"], strict=True)
    }
    position = {key: i for i, key in enumerate(card.units["unit_key"])}
    rows = []
    for r in comp.itertuples(index=False):
        component = method.component(str(r.component))
        points = to_decimal(r.points)
        if component.max == 0 or points is None or points >= component.max:
            continue
        row = _stake_row(r, component, points, _owner(component, (r.numerator, r.denominator), province_pairs))
        row["_order"] = (
            _TIER_ORDER.get(str(r.tier), 3),
            position.get(r.unit_key, 0),
            _component_order(method, component),
        )
        rows.append(row)
    frame = pd.DataFrame(rows, columns=[*STAKE_COLUMNS, "_order"], dtype=object)
    frame = frame.sort_values("_order", kind="stable")
    return frame[STAKE_COLUMNS].reset_index(drop=True)


def _stake_row(r: Any, component: Component, points: Decimal, owner: str) -> dict[str, object]:
    numerator, denominator = r.numerator, r.denominator
    threshold = component.threshold if component.threshold is not None else _HUNDRED
    points = round_half_up(points, 2)
    lost = component.max - points
    fix: int | None = None
    future: int | None = None
    if numerator is not None and denominator is not None:
        fix = fix_existing(int(numerator), int(denominator), threshold) if denominator else None
        future = future_only(int(numerator), int(denominator), threshold)
        future = 1 if future == 0 and not denominator else future  # 0/0 scored 0: one good dossier scores it
    return {
        "unit_code": r.unit_code,
        "unit_name": r.unit_name,
        "tier": r.tier,
        "group": component.group,
        "component": component.id,
        "numerator": numerator,
        "denominator": denominator,
        "threshold": threshold,
        "points": points,
        "max": component.max,
        "points_lost": lost,
        "owner": "province" if r.tier == "tinh" else owner,
        "fix_existing": fix,
        "future_only": future,
        "points_per_dossier": round_half_up(lost / fix, _PER_DOSSIER_PLACES) if fix else None,
    }


def _component_order(method: Methodology, component: Component) -> tuple[int, int]:
    return method.group(component.group).order, component.order


def systemic(stakes: pd.DataFrame) -> set[str]:
    """Components no unit of the province meets at all (the province's numerator is 0 of a positive
    denominator): a gap of the province's systems, not a task for each unit.

    Examples
    --------
    >>> rows = [{"tier": "tinh", "component": "4.4", "numerator": 0, "denominator": 9},
    ...         {"tier": "tinh", "component": "2.1", "numerator": 5, "denominator": 9}]
    >>> systemic(pd.DataFrame(rows))
    {'4.4'}
    """
    own = stakes[stakes["tier"] == "tinh"]
    return {
        str(c) for c, n, d in zip(own["component"], own["numerator"], own["denominator"], strict=True) if n == 0 and d
    }


def unit_actions(stakes: pd.DataFrame, count: int = 3) -> dict[str, pd.DataFrame]:
    """Each unit's own lost points that its dossiers can win back, most points first (at most ``count``
    a unit), by unit code: not the province's values, not what nothing happened to count, not a gap
    every unit shares. A unit with none has no entry.

    Examples
    --------
    >>> rows = [{"unit_code": "A", "tier": "so", "component": c, "owner": "unit", "numerator": 1,
    ...          "denominator": 9, "points_lost": p, "fix_existing": f}
    ...         for c, p, f in (("2.1", 1, 3), ("2.2", 2, 5), ("4.4", 2, None))]
    >>> list(unit_actions(pd.DataFrame(rows))["A"]["component"])
    ['2.2', '2.1']
    """
    mine = stakes[
        (stakes["owner"] == "unit") & stakes["fix_existing"].notna() & ~stakes["component"].isin(systemic(stakes))
    ]
    ordered = mine.sort_values(["points_lost", "fix_existing"], ascending=[False, True], kind="stable")
    # each unit's first rows cut in one pass, then split (a head for each of 164 units takes twice the time)
    return {
        str(code): rows
        for code, rows in ordered.groupby("unit_code", sort=False).head(count).groupby("unit_code", sort=False)
    }


def province_holders(card: ScoreCard, stakes: pd.DataFrame, components: int = 3, units: int = 3) -> pd.DataFrame:
    """For the province's components that lost most points, the units holding most of its failing
    dossiers: ``failing`` (denominator − numerator) and ``share`` of the province's failing dossiers.

    Only components whose province counts are the sum of the units' (``pooling`` = sum) are split,
    and ``gain`` is what the province's own points would rise by if that unit's failing dossiers met
    the criterion (the province's other counts unchanged).
    """
    method: Methodology = card.method
    own = stakes[(stakes["tier"] == "tinh")]
    own = own[[method.component(str(c)).pooling == "sum" for c in own["component"]]]
    top = own.sort_values("points_lost", ascending=False, kind="stable").head(components)
    comp = card.components
    rows = []
    for p in top.to_dict("records"):
        component = method.component(str(p["component"]))
        members = comp[(comp["component"] == component.id) & (comp["tier"] != "tinh")]
        failing_total = int(p["denominator"]) - int(p["numerator"])
        ranked = [
            (int(m["denominator"]) - int(m["numerator"]), m)
            for m in members.to_dict("records")
            if m["numerator"] is not None and m["denominator"] is not None and m["denominator"] > m["numerator"]
        ]
        ranked.sort(key=lambda t: -t[0])
        for failing, m in ranked[:units]:
            after = component_points(component, int(p["numerator"]) + failing, p["denominator"]).points
            rows.append(
                {
                    "component": component.id,
                    "province_points_lost": p["points_lost"],
                    "unit_code": m["unit_code"],
                    "unit_name": m["unit_name"],
                    "tier": m["tier"],
                    "failing": failing,
                    "share": round_half_up(Decimal(failing) * _HUNDRED / Decimal(failing_total), 2),
                    "gain": None if after is None else after - Decimal(str(p["points"])),
                }
            )
    columns = ["component", "province_points_lost", "unit_code", "unit_name", "tier", "failing", "share", "gain"]
    return pd.DataFrame(rows, columns=columns, dtype=object)
