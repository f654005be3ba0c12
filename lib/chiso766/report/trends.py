"""Where the province stands over time: its history across periods and the portal's monthly chart,
as blocks any report kind places in its outline."""

from __future__ import annotations

from calendar import monthrange
from datetime import date
from decimal import Decimal

import pandas as pd

from chiso766.compute.history import Point
from chiso766.core.periods import parse_period
from chiso766.core.textvi import capitalized, fmt_date, fmt_number, fmt_points, in_sentence
from chiso766.report.model import Col, TableSet
from chiso766.report.outline import Block, Chart, Figure, Paragraph

__all__ = ["point_words", "history_blocks", "monthly_blocks", "change_words"]


def point_words(point: Point) -> str:
    """A history point as a reader names it: ``tháng 07/2026``, ``quý III/2026``, or ``ngày 31/07/2026``."""
    if point.period is not None:
        return point.period.describe_vi()
    try:
        return parse_period(point.label).describe_vi()
    except ValueError:
        return f"ngày {fmt_date(point.as_of)}"


def change_words(change: object, unit: str = "điểm") -> str:
    """``tăng 0,80 điểm``, ``giảm 1,20 điểm``, ``không đổi``; a rank change counts places (``tăng 2 bậc``)."""
    if change is None:
        return ""
    value = Decimal(str(change))
    if value == 0:
        return "không đổi"
    amount = fmt_points(abs(value)) if unit == "điểm" else fmt_number(abs(value))
    return f"{'tăng' if value > 0 else 'giảm'} {amount} {unit}"


def history_blocks(
    tables: TableSet,
    history: pd.DataFrame,
    points: list[Point],
    unit_key: str,
    name: str,
    rank_label: str = "Xếp hạng",
) -> list[Block]:
    """The unit's (the province's) total and rank at each point, with the change, and its trend chart."""
    rows = history[history["unit_key"] == unit_key].copy()
    if len(rows) < 2:
        return []
    words = {p.label: point_words(p) for p in points}
    rows["period_vi"] = [capitalized(words.get(str(label), str(label))) for label in rows["period"]]
    rows["change_vi"] = [capitalized(change_words(c)) or "—" for c in rows["total_change"]]
    blocks: list[Block] = [
        tables.block(
            "history_province",
            f"{name}: tổng điểm qua các kỳ",
            rows,
            [
                Col("period_vi", "Kỳ"),
                Col("total", "Tổng điểm", "points"),
                Col("change_vi", "So với kỳ trước"),
                Col("rank", rank_label, "rank"),
            ],
            machine=rows[["period", "as_of", "unit_code", "unit_name", "total", "total_change", "rank", "rank_change"]],
            numbered=False,
        )
    ]
    known = rows[rows["total"].notna()]
    if len(known) < 2:
        return blocks
    labels = list(known["period_vi"])
    chart = Chart(
        "trend_chart",
        {
            "dates": labels,
            "series": {"Tổng điểm": list(known["total"])},
            "title": f"{name}: tổng điểm Bộ chỉ số 766 qua các kỳ",
            "ylabel": "Tổng điểm",
        },
    )
    alt = f"Biểu đồ đường tổng điểm của {in_sentence(name)} qua {len(labels)} kỳ: " + "; ".join(
        f"{label} {fmt_points(total)} điểm" for label, total in zip(labels, known["total"], strict=True)
    )
    blocks.append(
        Figure(
            "province_trend",
            f"Tổng điểm của {in_sentence(name)} qua các kỳ",
            alt + ".",
            chart,
            known[["period", "as_of", "total", "rank"]],
        )
    )
    return blocks


def _running(year: int, month: int, as_of: date) -> bool:
    return (year, month) == (as_of.year, as_of.month) and as_of.day < monthrange(year, month)[1]


def monthly_blocks(monthly: pd.DataFrame | None, name: str, year: int, as_of: date) -> list[Block]:
    """The portal's monthly on-time and overdue shares of the province (``name`` as a sentence writes
    it), when it gives two months or more; the month of the as-of date, not yet over, says so."""
    if monthly is None or len(monthly) < 2:
        return []
    labels = [
        f"Tháng {m:02d}/{year}" + (f" (đến {as_of:%d/%m})" if _running(year, m, as_of) else "")
        for m in monthly["month"]
    ]
    chart = Chart(
        "share_chart",
        {
            "labels": labels,
            "on_time": list(monthly["on_time_pct"]),
            "late": list(monthly["overdue_pct"]),
            "title": "",
            "xlabel": "Tỷ lệ hồ sơ (%), theo số liệu tháng của Cổng Dịch vụ công quốc gia",
        },
    )
    worst = max(monthly.to_dict("records"), key=lambda r: r["overdue_pct"] if r["overdue_pct"] is not None else -1)
    alt = (
        f"Biểu đồ thanh ngang tỷ lệ hồ sơ trước hạn, đúng hạn và quá hạn của {name} theo {len(labels)} tháng; "
        f"tỷ lệ quá hạn cao nhất ở tháng {int(worst['month']):02d}/{year} ({fmt_number(worst['overdue_pct'], 2)}%)."
    )
    return [
        Paragraph(
            f"Tỷ lệ hồ sơ giải quyết trước hạn, đúng hạn và quá hạn của {name} trong từng tháng do Cổng Dịch vụ "
            "công quốc gia công bố (tỷ lệ riêng của mỗi tháng, không cộng dồn thành tỷ lệ của cả kỳ):"
        ),
        Figure(
            "monthly_progress",
            "Tỷ lệ hồ sơ trước hạn, đúng hạn và quá hạn theo tháng",
            alt,
            chart,
            monthly.assign(year=year)[["year", "month", "on_time_pct", "overdue_pct"]],
        ),
    ]
