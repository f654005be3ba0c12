"""Lost points turned into actions: the sentences a bulletin and ``chiso766 plan`` say about them.

Each action comes from a row of ``points_at_stake`` (:mod:`chiso766.compute.stakes`) and the
component's wording in ``phrasings.yaml`` (``actions``): "giải quyết trước hạn, đúng hạn thêm 623 hồ
sơ (lấy lại 4,19 điểm)".
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd

from chiso766.compute.stakes import unit_actions
from chiso766.core.decimals import to_decimal
from chiso766.core.methodology import Methodology
from chiso766.core.textvi import fmt_number, fmt_points
from chiso766.report.narrative import fill, join_names

__all__ = ["action", "unit_action_text", "plan_lines"]


def action(row: Any, text: dict[str, Any]) -> str:
    """One row of points at stake as an action: what to do, and the points it wins back."""
    what = fill(text["actions"][str(row.component)], n=fmt_number(int(row.fix_existing)))
    return fill(text["action"], action=what, points=fmt_points(to_decimal(row.points_lost)))


def unit_action_text(stakes: pd.DataFrame, unit_code: str, text: dict[str, Any], count: int = 3) -> str | None:
    """The unit's two or three actions that win most points, joined for one sentence (``None``: none)."""
    chosen = unit_actions(stakes, unit_code, count)
    if chosen.empty:
        return None
    return join_names([action(r, text) for r in chosen.itertuples(index=False)], "; ")


def _count(value: object) -> str:
    return "—" if value is None else fmt_number(int(str(value)))


def plan_lines(
    stakes: pd.DataFrame,
    unit: pd.Series,
    method: Methodology,
    text: dict[str, Any],
    when: str,
    uncounted: dict[str, Decimal] | None = None,
) -> list[str]:
    """A unit's plan as the lines ``chiso766 plan`` prints: its own lost points, most first, each with the
    dossiers needed (fixing this period's, or new ones only) and the points per dossier; then the points
    it cannot win back itself (the province's values, or periods with nothing to count).

    ``stakes`` holds the unit's rows of ``points_at_stake.csv``; ``when`` dates the figures;
    ``uncounted`` the points lost in groups the portal scores without the unit's counts, by group key.
    """
    name = str(unit["unit_name"])
    lost = sum((Decimal(str(v)) for v in stakes["points_lost"]), Decimal(0))
    lines = [f"Kế hoạch lấy lại điểm Bộ chỉ số 766 của {name}", when]
    if unit.get("total"):
        rank = f", xếp thứ {unit['rank']}" if unit.get("rank") else ""
        lines.append(f"Tổng điểm: {fmt_points(Decimal(str(unit['total'])))}/100{rank}.")
    lines.append("")
    if stakes.empty:
        lines.append("Đơn vị không mất điểm ở chỉ số thành phần nào có số liệu.")
    else:
        lines.append(f"Số điểm bị mất ở các chỉ số thành phần có số liệu: {fmt_points(lost)} điểm.")
    for key, points in (uncounted or {}).items():
        lines.append(
            f"Nhóm {method.group(key).name_vi}: mất {fmt_points(points)} điểm; Cổng không công bố tử số, mẫu số "
            "của đơn vị nên không tính được số hồ sơ cần đạt."
        )
    if stakes.empty:
        return lines
    own = stakes[(stakes["owner"] == "unit") & stakes["fix_existing"].notna()]
    own = own.sort_values(["points_lost", "fix_existing"], ascending=[False, True], kind="stable")
    if len(own):
        lines += ["", "Việc đơn vị tự làm được (nhiều điểm nhất trước):"]
    for i, r in enumerate(own.itertuples(index=False), start=1):
        component = method.component(str(r.component))
        lines.append(
            f"{i}. {component.id} {component.name_vi}: đạt {_count(r.numerator)}/{_count(r.denominator)} "
            f"{component.counts}, {fmt_points(to_decimal(r.points))}/{fmt_points(to_decimal(r.max))} điểm."
        )
        lines.append(f"   Việc cần làm: {action(r, text)}.")
        future = (
            f"hoặc {_count(r.future_only)} {component.counts} mới đều đạt yêu cầu"
            if r.future_only is not None
            else f"không thể bù bằng {component.counts} mới (ngưỡng 100%)"
        )
        per = to_decimal(r.points_per_dossier)
        lines.append(
            f"   Cần thêm {_count(r.fix_existing)} {component.counts} đạt trong số {component.counts} của kỳ, "
            f"{future}; mỗi {component.counts} được thêm {fmt_number(per, 6) if per is not None else '—'} điểm."
        )
    others = stakes.drop(own.index)
    if len(others):
        lines += ["", "Điểm bị mất đơn vị không tự lấy lại được bằng hồ sơ của kỳ:"]
    for r in others.itertuples(index=False):
        component = method.component(str(r.component))
        why = (
            "giá trị của tỉnh, áp dụng chung cho mọi đơn vị"
            if r.owner == "province"
            else f"kỳ này không phát sinh {component.counts} nào nên Cổng tính 0 điểm; "
            f"{_count(r.future_only)} {component.counts} đạt yêu cầu là đủ lấy lại"
        )
        lines.append(f"- {component.id} {component.name_vi}: mất {fmt_points(to_decimal(r.points_lost))} điểm ({why}).")
    return lines
