"""Reconciliation: the province's own dossier data against the portal, component by component.

Reference bulletin 000 names a cause of lost points that nobody could locate: the province's
dossier system and the national portal disagree. This table says where, and how many points ride
on each disagreement.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, SupportsInt

import pandas as pd

from chiso766.compute.scorecard import ScoreCard
from chiso766.core.decimals import round_half_up

__all__ = ["reconcile", "stake_total", "COLUMNS"]

COLUMNS = [
    "unit_code",
    "unit_name",
    "group",
    "component",
    "local_numerator",
    "local_denominator",
    "local_rate",
    "local_points",
    "portal_numerator",
    "portal_denominator",
    "portal_rate",
    "portal_points",
    "points_at_stake",
    "note",
]


def reconcile(card: ScoreCard, local: pd.DataFrame) -> pd.DataFrame:
    """Per unit and component, local vs portal counts and points, largest points at stake first.

    ``local`` is :func:`chiso766.compute.indicators.local_components` (unit and province rows); units are
    matched on ``unit_code``, the province on its tier. A count the portal does not publish per
    unit (3.3) is compared at province level only.
    """
    portal = card.components.copy()
    portal["key"] = [
        ("province" if t == "tinh" else c) for t, c in zip(portal["tier"], portal["unit_code"], strict=True)
    ]
    mine = local[local["level"].isin(["unit", "province"])].copy()
    mine["key"] = [
        ("province" if lv == "province" else c) for lv, c in zip(mine["level"], mine["unit_code"], strict=True)
    ]
    wanted = set(mine["component"])
    portal = portal[portal["component"].isin(wanted)]
    merged = mine.merge(portal, on=["key", "component"], how="outer", suffixes=("_local", "_portal"))
    names = dict(zip(card.units["unit_code"], card.units["unit_name"], strict=True))
    province = card.units[card.units["tier"] == "tinh"]
    rows = []
    for r in merged.itertuples(index=False):
        local_points = _get(r, "points_local")
        portal_points = _get(r, "points_portal")
        has_local, has_portal = _get(r, "numerator_local") is not None, _get(r, "numerator_portal") is not None
        note = ""
        if has_local and not has_portal:
            note = "Cổng không công bố tử số, mẫu số của đơn vị" if r.key in names else "chỉ có trong dữ liệu hồ sơ"
        elif has_portal and not has_local:
            note = "không có hồ sơ trong dữ liệu của tỉnh"
        stake = abs(local_points - portal_points) if local_points is not None and portal_points is not None else None
        code = "" if r.key == "province" else r.key
        name = (
            province.iloc[0]["unit_name"]
            if r.key == "province" and len(province)
            else names.get(r.key, _get(r, "unit_name_local") or "")
        )
        rows.append(
            {
                "unit_code": code,
                "unit_name": name,
                "group": _get(r, "group_local") or _get(r, "group_portal"),
                "component": r.component,
                "local_numerator": _int(_get(r, "numerator_local")),
                "local_denominator": _int(_get(r, "denominator_local")),
                "local_rate": _get(r, "rate_local"),
                "local_points": local_points,
                "portal_numerator": _int(_get(r, "numerator_portal")),
                "portal_denominator": _int(_get(r, "denominator_portal")),
                "portal_rate": _get(r, "rate_portal"),
                "portal_points": portal_points,
                "points_at_stake": stake,
                "note": note,
            }
        )
    frame = pd.DataFrame(rows, columns=COLUMNS, dtype=object)
    frame["_stake"] = [-(s if s is not None else -1) for s in frame["points_at_stake"]]
    frame["_province"] = [0 if c == "" else 1 for c in frame["unit_code"]]
    frame = frame.sort_values(["_stake", "_province", "unit_code", "component"], kind="stable")
    return frame.drop(columns=["_stake", "_province"]).reset_index(drop=True)


def _get(row: object, name: str) -> Any:
    """A cell of an ``itertuples`` row (any type), ``None`` where missing."""
    value = getattr(row, name, None)
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return None
    return value


def _int(value: SupportsInt | str | None) -> int | None:
    return None if value is None else int(value)


def stake_total(frame: pd.DataFrame) -> object:
    """Sum of points at stake over unit rows (for a headline sentence)."""
    stakes = [s for c, s in zip(frame["unit_code"], frame["points_at_stake"], strict=True) if c != "" and s is not None]
    return round_half_up(sum(stakes, Decimal(0)), 2) if stakes else None
