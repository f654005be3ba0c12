"""Lost points turned into actions: the sentences a bulletin and ``chiso766 plan`` say about them.

Each action comes from a row of ``points_at_stake`` (:mod:`chiso766.compute.stakes`) and the
component's wording in ``phrasings.yaml`` (``actions``): "giải quyết trước hạn, đúng hạn thêm 623 hồ
sơ (tăng 4,19 điểm)".
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd

from chiso766.core.decimals import round_half_up, to_decimal
from chiso766.core.methodology import Component, Methodology
from chiso766.core.textvi import fmt_number, fmt_points, in_sentence
from chiso766.report.narrative import fill, join_names

__all__ = ["action", "unit_action_text", "plan_lines"]


def action(row: Any, text: dict[str, Any]) -> str:
    """One row of points at stake as an action: what to do, and the points it wins back."""
    what = fill(text["actions"][str(row.component)], n=fmt_number(int(row.fix_existing)))
    return fill(text["action"], action=what, points=fmt_points(to_decimal(row.points_lost)))


def unit_action_text(chosen: pd.DataFrame | None, text: dict[str, Any]) -> str | None:
    """A unit's actions that win most points (its rows of :func:`~chiso766.compute.stakes.unit_actions`),
    joined for one sentence (``None``: none)."""
    if chosen is None or chosen.empty:
        return None
    return join_names([action(r, text) for r in chosen.itertuples(index=False)], "; ")


def _count(value: object) -> str:
    return "—" if value is None else fmt_number(int(str(value)))


def _lost_line(component: Component, points: object, why: str) -> str:
    return f"- {component.name_vi}: mất {fmt_points(to_decimal(points))} điểm ({why})."


def plan_lines(
    stakes: pd.DataFrame,
    unit: pd.Series,
    method: Methodology,
    text: dict[str, Any],
    when: str,
    uncounted: dict[str, Decimal] | None = None,
    unscored: list[str] | None = None,
    shared: set[str] | None = None,
) -> list[str]:
    """A unit's plan as the lines ``chiso766 plan`` prints: what it can do, most points first, each with
    how many more of this period's dossiers (or procedures, petitions) would have had to meet the
    criterion and, for dossiers, how many new ones alone would do; then, apart, what is not in its hands
    (the province's values, gaps no unit meets, groups the portal scores without the unit's counts),
    what it lost because nothing happened, and what the portal did not score.

    ``stakes`` holds the unit's rows of ``points_at_stake.csv`` (``shared`` lists the components no
    unit of the province meets); ``when`` dates the figures; ``uncounted`` the points lost in groups
    without counts, by group key; ``unscored`` the components without data (not scored, not 0).
    """
    province = str(unit.get("tier")) == "tinh"
    shared = set() if province else set(shared or ())
    lines = [f"Kế hoạch lấy lại điểm Bộ chỉ số 766 của {in_sentence(str(unit['unit_name']))}", when]
    if unit.get("total"):
        rank = f", xếp thứ {unit['rank']}" if unit.get("rank") else ""
        lines.append(f"Tổng điểm: {fmt_points(Decimal(str(unit['total'])))}/100{rank}.")
    workable = stakes["fix_existing"].notna() & ~stakes["component"].isin(shared)
    own = stakes[workable & ((stakes["owner"] == "unit") | province)]
    own = own.sort_values(["points_lost", "fix_existing"], ascending=[False, True], kind="stable")
    lines += ["", "Việc đơn vị làm được, nhiều điểm nhất trước (số cần đạt thêm so với kỳ này, với cùng số phát sinh):"]
    if own.empty:
        lines.append("- Không có: đơn vị không mất điểm ở chỉ số nào mà tự mình cải thiện được.")
    for i, r in enumerate(own.itertuples(index=False), start=1):
        component = method.component(str(r.component))
        noun = component.counts
        lines.append(
            f"{i}. {component.name_vi}: đạt {_count(r.numerator)}/{_count(r.denominator)} {noun}, "
            f"{fmt_points(to_decimal(r.points))}/{fmt_points(to_decimal(r.max))} điểm."
        )
        lines.append(f"   Việc cần làm: {action(r, text)}.")
        detail = f"   Cần thêm {_count(r.fix_existing)} {noun} đạt yêu cầu trên {_count(r.denominator)} {noun} của kỳ"
        if component.pooling == "sum":  # new dossiers can dilute a rate; new procedures are not for a unit to make
            detail += (
                f", hoặc {_count(r.future_only)} {noun} mới đều đạt yêu cầu"
                if r.future_only is not None
                else f"; {noun} mới không bù được (chỉ số tính đủ điểm khi đạt 100%)"
            )
        per = to_decimal(r.points_per_dossier)
        if per is not None:
            detail += f"; mỗi {noun} thêm khoảng {fmt_number(round_half_up(per, 4), 4)} điểm"
        lines.append(detail + ".")
    rest = stakes.drop(own.index)
    theirs = rest[(rest["owner"] == "province") | rest["component"].isin(shared)]
    idle = rest.drop(theirs.index)
    if len(theirs) or uncounted:
        lines += ["", "Điểm bị mất không thuộc phạm vi đơn vị tự khắc phục:"]
    for r in theirs.itertuples(index=False):
        component = method.component(str(r.component))
        why = (
            "giá trị của tỉnh, áp dụng chung cho mọi đơn vị"
            if r.owner == "province"
            else "chưa có đơn vị nào trong tỉnh đạt; cần được khắc phục ở cấp tỉnh (quy trình, hệ thống dùng chung)"
        )
        lines.append(_lost_line(component, r.points_lost, why))
    for key, points in (uncounted or {}).items():
        lines.append(
            f"- Nhóm {method.group(key).name_vi}: mất {fmt_points(points)} điểm (Cổng không công bố tử số, mẫu số "
            "của đơn vị nên không tính được số cần đạt)."
        )
    if len(idle):
        lines += ["", "Điểm bị mất vì kỳ này không phát sinh hồ sơ, thủ tục (Cổng tính 0 điểm):"]
    for r in idle.itertuples(index=False):
        component = method.component(str(r.component))
        lines.append(
            _lost_line(component, r.points_lost, f"chỉ cần {_count(r.future_only)} {component.counts} đạt yêu cầu")
        )
    if unscored:
        names = "; ".join(method.component(c).name_vi for c in unscored)
        lines += ["", f"Chỉ số không có số liệu trong kỳ, Cổng không tính điểm: {names}."]
    return lines
