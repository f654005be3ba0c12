"""One unit's period report (``unit_report``): its groups, ranks and points lost at each as-of date."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from chiso766.compute.pipeline import build_scorecard
from chiso766.compute.ranking import competition_rank
from chiso766.compute.scorecard import ScoreCard
from chiso766.compute.scoring import group_ratio
from chiso766.core.errors import InputError
from chiso766.core.methodology import GROUP_KEYS
from chiso766.core.params import Params, load_params
from chiso766.core.textvi import fmt_date, fmt_number, fmt_points, name_key
from chiso766.report.model import Col, ScoredReport, TableSet, close, new_document
from chiso766.report.narrative import fill, phrasings, tier_plural
from chiso766.report.outline import Bullets, Chart, Document, Figure, Paragraph, Section

__all__ = ["UnitReport", "build", "outline"]


@dataclass
class UnitReport(ScoredReport):
    params: Params
    card: ScoreCard
    unit: pd.Series
    history: pd.DataFrame  # one row per as-of date: groups, total, rank, group ranks, lost_<group>
    text: dict[str, Any]
    tables: TableSet = field(default_factory=TableSet)


def _find(units: pd.DataFrame, wanted: str, source: Path | None) -> pd.Series:
    key = name_key(wanted)
    hits = units[
        (units["unit_code"].fillna("").str.casefold() == wanted.casefold()) | (units["unit_name"].map(name_key) == key)
    ]
    if hits.empty:
        raise InputError(f"không tìm thấy đơn vị «{wanted}» trong dữ liệu", source, column="unit")
    return hits.iloc[0]


def _history(card: ScoreCard, unit: pd.Series) -> pd.DataFrame:
    units = card.units
    peers = units[units["tier"] == unit["tier"]]
    rows = []
    for as_of, part in peers.groupby("as_of", sort=True, dropna=False):
        mine = part[part["unit_key"] == unit["unit_key"]]
        if mine.empty:
            continue
        index = list(part.index).index(mine.index[0])
        row = {"as_of": as_of, "of": int(part["total"].notna().sum())}
        for group in card.method.groups:
            row[group.key] = mine.iloc[0][group.key]
            row[f"rank_{group.key}"] = competition_rank(list(part[group.key]))[index]
        row["total"] = mine.iloc[0]["total"]
        row["rank"] = mine.iloc[0]["rank"]
        for group in card.method.groups:
            row[f"lost_{group.key}"] = None if row[group.key] is None else group.max - row[group.key]
        rows.append(row)
    return pd.DataFrame(rows, dtype=object)


def build(params: Params | str | Path, overrides: list[str] | None = None) -> UnitReport:
    """One unit's history from a score table with several as-of dates (or one snapshot)."""
    if not isinstance(params, Params):
        params = load_params(params, overrides)
    card = build_scorecard(params)
    unit = _find(card.units, str(params.get("unit")), params.path)
    return UnitReport(params, card, unit, _history(card, unit), dict(phrasings()))


def _analysis(report: UnitReport, latest: pd.Series) -> list[str]:
    lines = []
    tier = tier_plural(str(report.unit["tier"]))
    for group in sorted(report.method.groups, key=lambda g: -(latest[f"lost_{g.key}"] or 0)):
        points = latest[group.key]
        if points is None:
            lines.append(fill(report.text["unit_analysis"]["missing"], group=group.name_vi))
        elif points == group.max:
            lines.append(fill(report.text["unit_analysis"]["full"], group=group.name_vi, max=fmt_number(group.max)))
        else:
            lines.append(
                fill(
                    report.text["unit_analysis"]["lost"],
                    group=group.name_vi,
                    points=fmt_points(points),
                    max=fmt_number(group.max),
                    ratio=fmt_number(group_ratio(points, group), 2) + "%",
                    lost=fmt_points(latest[f"lost_{group.key}"]),
                    rank=latest[f"rank_{group.key}"],
                    of=latest["of"],
                    tier_plural=tier,
                )
            )
    return lines


def outline(report: UnitReport) -> Document:
    """The report: I. results over the dates, II. analysis per group, III. measures."""
    params, unit, history, tables, method = report.params, report.unit, report.history, report.tables, report.method
    doc = new_document(
        params,
        "unit_report",
        f"Kết quả Bộ chỉ số 766 của {unit['unit_name']} {params.period.describe_vi()}",
        f"(Tính đến ngày {fmt_date(params.as_of)})",
        "bao_cao",
        report.text["forms"],
    )
    latest = history.iloc[-1]
    tier = tier_plural(str(unit["tier"]))
    lead = (
        (
            f"Tính đến ngày {fmt_date(latest['as_of'])}, {unit['unit_name']} đạt {fmt_points(latest['total'])} điểm, "
            f"xếp thứ {latest['rank']}/{latest['of']} {tier}."
        )
        if latest["total"] is not None
        else (f"Tính đến ngày {fmt_date(latest['as_of'])}, {unit['unit_name']} chưa đủ dữ liệu để tính tổng điểm.")
    )
    if len(history) > 1 and history.iloc[0]["total"] is not None and latest["total"] is not None:
        change = latest["total"] - history.iloc[0]["total"]
        word = "tăng" if change > 0 else ("giảm" if change < 0 else "không đổi")
        lead += f" So với ngày {fmt_date(history.iloc[0]['as_of'])}, tổng điểm {word} {fmt_points(abs(change))} điểm."
    part1 = Section("ket-qua", "I. KẾT QUẢ ĐÁNH GIÁ", [Paragraph(lead, "lead")])
    scores = history[["as_of", *GROUP_KEYS, "total", "rank", *(f"lost_{g}" for g in GROUP_KEYS)]]
    cols = [
        Col("as_of_vi", "Tính đến ngày"),
        *(Col(g.key, f"{g.short_vi} ({fmt_number(g.max)})", "points") for g in method.groups),
        Col("total", "Tổng (100)", "points"),
        Col("rank", "Hạng", "rank"),
    ]
    shown = scores.assign(as_of_vi=[fmt_date(d) for d in scores["as_of"]])
    part1.blocks.append(
        tables.block("unit_scores", "Điểm các nhóm chỉ số và thứ hạng tại mỗi thời điểm", shown, cols, machine=scores)
    )
    ranks = history[["as_of", *(f"rank_{g}" for g in GROUP_KEYS), "of"]]
    part1.blocks.append(
        tables.block(
            "unit_group_ranks",
            f"Thứ hạng theo từng nhóm trong các {tier}",
            ranks.assign(as_of_vi=[fmt_date(d) for d in ranks["as_of"]]),
            [
                Col("as_of_vi", "Tính đến ngày"),
                *(Col(f"rank_{g.key}", g.short_vi, "rank") for g in method.groups),
                Col("of", "Số đơn vị", "count"),
            ],
        )
    )
    lost = pd.DataFrame(
        [
            {
                "group": g.key,
                "group_name": g.name_vi,
                "max": g.max,
                "points": latest[g.key],
                "lost": latest[f"lost_{g.key}"],
            }
            for g in method.groups
        ],
        dtype=object,
    )
    part1.blocks.append(
        tables.block(
            "unit_points_lost",
            f"Điểm bị mất theo nhóm (tính đến ngày {fmt_date(latest['as_of'])})",
            lost,
            [
                Col("group_name", "Nhóm chỉ số"),
                Col("max", "Điểm tối đa", "points"),
                Col("points", "Điểm đạt", "points"),
                Col("lost", "Điểm bị mất", "points"),
            ],
        )
    )
    if len(history) > 1:
        dates = [fmt_date(d) for d in history["as_of"]]
        series = {g.name_vi: [None if p is None else group_ratio(p, g) for p in history[g.key]] for g in method.groups}
        chart = Chart(
            "trend_chart",
            {
                "dates": dates,
                "series": series,
                "title": f"{unit['unit_name']}: tỷ lệ đạt theo nhóm (%)",
                "ylabel": "Tỷ lệ (%)",
            },
        )
        alt = (
            f"Biểu đồ đường tỷ lệ đạt của sáu nhóm chỉ số của {unit['unit_name']} tại {len(dates)} thời điểm từ "
            f"{dates[0]} đến {dates[-1]}; tổng điểm từ {fmt_points(history.iloc[0]['total'])} đến "
            f"{fmt_points(latest['total'])}."
        )
        data = pd.DataFrame(
            {
                "as_of": list(history["as_of"]),
                **{g.key: list(history[g.key]) for g in method.groups},
                "total": list(history["total"]),
            },
            dtype=object,
        )
        part1.blocks.append(Figure("unit_trend", "Tỷ lệ đạt theo nhóm qua các thời điểm", alt, chart, data))
    doc.sections.append(part1)
    doc.sections.append(Section("phan-tich", "II. PHÂN TÍCH THEO NHÓM CHỈ SỐ", [Bullets(_analysis(report, latest))]))
    measures = [
        report.text["unit_measures"][g.key]
        for g in sorted(method.groups, key=lambda g: -(latest[f"lost_{g.key}"] or 0))
        if (latest[f"lost_{g.key}"] or 0) > 0
    ]
    doc.sections.append(Section("giai-phap", "III. NHIỆM VỤ, GIẢI PHÁP", [Bullets(measures, numbered=True)]))
    return close(doc, params, report.text["forms"])
