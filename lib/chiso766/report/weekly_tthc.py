"""The weekly TTHC notice (``weekly_tthc``): dossier indicators against targets, from DuckDB."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from chiso766.compute.facts import WeeklyFacts, weekly_facts
from chiso766.compute.indicators import INDICATOR_NAMES, RECEIVED_INDICATORS
from chiso766.core.params import Params, load_params
from chiso766.core.targets import parse_target
from chiso766.core.textvi import fmt_count, fmt_fraction, fmt_percent
from chiso766.report.model import Col, Report, TableSet, close, new_document
from chiso766.report.narrative import phrasings
from chiso766.report.outline import Bullets, Chart, Document, Figure, Heading, Paragraph, Section

__all__ = ["Weekly", "build", "outline"]

_RECEIVED = RECEIVED_INDICATORS
_TIER_WORDS = {"so": ("Các sở, ban, ngành", "đơn vị"), "xa": ("Các xã, phường, đặc khu", "địa phương")}


@dataclass
class Weekly(Report):
    """The model: the params and the week's facts (indicators, backlog, components, what was read)."""

    params: Params
    facts: WeeklyFacts
    tables: TableSet = field(default_factory=TableSet)

    @property
    def indicators(self) -> pd.DataFrame:
        return self.facts.indicators

    @property
    def loaded(self) -> list[Any]:
        return self.facts.loaded

    @property
    def province_name(self) -> str:
        return self.facts.province_name


def build(params: Params | str | Path, overrides: list[str] | None = None) -> Weekly:
    """Compute the week's indicators from the params' dossiers (a params file's path: ``overrides`` apply)."""
    if not isinstance(params, Params):
        params = load_params(params, overrides)
    return Weekly(params, weekly_facts(params))


def _scope_word(name: str) -> str:
    return "thành phố" if name.lower().startswith("thành phố") else "tỉnh"


def _row(frame: pd.DataFrame, level: str, indicator: str) -> Any:
    """The row (a ``pd.Series``) of one level and indicator, or ``None``."""
    rows = frame[(frame["level"] == level) & (frame["indicator"] == indicator)]
    return rows.iloc[0] if len(rows) else None


def _units(frame: pd.DataFrame, tier: str, indicator: str) -> pd.DataFrame:
    rows = frame[(frame["level"] == "unit") & (frame["tier"] == tier) & (frame["indicator"] == indicator)]
    return rows[rows["denominator"] > 0]


def _tier_line(w: Weekly, tier: str, indicator: str, target_label: str) -> str | None:
    row = _row(w.indicators, tier, indicator)
    if row is None or row["denominator"] == 0:
        return None
    who, noun = _TIER_WORDS[tier]
    units = _units(w.indicators, tier, indicator)
    what = " hồ sơ" if indicator.startswith(("online", "updated")) else ""
    text = f"{who}: đạt {fmt_percent(row['rate'])} ({fmt_fraction(row['numerator'], row['denominator'])}{what})."
    if target_label:
        meets = int(units["meets_target"].fillna(False).astype(bool).sum())
        text += f" Số {noun} đạt chỉ tiêu giao: {meets}/{len(units)} {noun}."
        short = units[units["meets_target"] == False].sort_values(["rate", "unit_name"], kind="stable")  # noqa: E712
        if len(short):
            names = "; ".join(f"{r.unit_name} ({fmt_percent(r.rate)})" for r in short.head(5).itertuples())
            lead = f"Các {noun} chưa đạt chỉ tiêu" if len(short) <= 5 else f"Các {noun} có tỷ lệ thấp nhất"
            text += f" {lead}: {names}."
    return text


def _resolution_lines(w: Weekly, tier: str) -> list[str]:
    on_time, late = _row(w.indicators, tier, "resolved_on_time"), _row(w.indicators, tier, "resolved_late")
    if on_time is None or on_time["denominator"] == 0:
        return []
    who, noun = _TIER_WORDS[tier]
    units = _units(w.indicators, tier, "resolved_on_time")
    full = units[units["numerator"] == units["denominator"]].sort_values(
        ["denominator", "unit_name"], ascending=[False, True], kind="stable"
    )
    lines = [
        f"{who}: tỷ lệ hồ sơ đã giải quyết trước hạn, đúng hạn đạt {fmt_percent(on_time['rate'])} "
        f"({fmt_fraction(on_time['numerator'], on_time['denominator'])} hồ sơ). Số {noun} đạt tỷ lệ 100%: "
        f"{len(full)}/{len(units)} {noun}"
        + (f"; {min(5, len(full))} {noun} có nhiều hồ sơ đã giải quyết nhất đạt 100%:" if len(full) else ".")
    ]
    lines += [f"+ {r.unit_name}: {fmt_fraction(r.numerator, r.denominator)} hồ sơ." for r in full.head(5).itertuples()]
    lated = _units(w.indicators, tier, "resolved_late")
    lated = lated[lated["numerator"] > 0].sort_values(["rate", "numerator"], ascending=False, kind="stable")
    lines.append(
        f"{who}: tỷ lệ hồ sơ đã giải quyết quá hạn {fmt_percent(late['rate'])} "
        f"({fmt_fraction(late['numerator'], late['denominator'])} hồ sơ)"
        + (f"; {min(5, len(lated))} {noun} có tỷ lệ quá hạn cao nhất:" if len(lated) else ".")
    )
    lines += [
        f"+ {r.unit_name}: {fmt_fraction(r.numerator, r.denominator)} hồ sơ ({fmt_percent(r.rate)})."
        for r in lated.head(5).itertuples()
    ]
    return lines


def outline(w: Weekly) -> Document:
    """The notice: main points, 1. indicators against targets, 2. resolution, 3. shortcomings, appendix."""
    params, tables = w.params, w.tables
    doc = new_document(
        params,
        "weekly_tthc",
        "Tình hình, kết quả thực hiện một số chỉ tiêu về công tác cải cách, kiểm soát thủ tục hành "
        "chính và giải quyết thủ tục hành chính",
        f"({params.period.describe_vi()})",
        "thong_bao",
        phrasings()["forms"],
    )
    targets = {k: parse_target(v) for k, v in (params.get("targets") or {}).items()}
    scope = _scope_word(w.province_name)
    tables.add("indicators", w.indicators)
    tables.add("backlog", w.facts.backlog)
    tables.add("local_components", w.facts.components)
    for loaded in w.loaded:
        tables.add(f"quarantine_{loaded.table}", loaded.quarantine)

    points = []
    part1 = Section(
        "chi-tieu", "1. Kết quả thực hiện một số chỉ tiêu về công tác cải cách, kiểm soát thủ tục hành chính"
    )
    for number, indicator in enumerate(
        [i for i in _RECEIVED if _row(w.indicators, "province", i) is not None], start=1
    ):
        row = _row(w.indicators, "province", indicator)
        label = f" (chỉ tiêu giao {targets[indicator].label()})" if indicator in targets else ""
        part1.blocks.append(Heading(f"1.{number}. {INDICATOR_NAMES[indicator]}{label}"))
        unit_word = " hồ sơ" if indicator != "complaints_handled" else " phản ánh, kiến nghị"
        sentence = (
            f"{INDICATOR_NAMES[indicator]} của toàn {scope} đạt {fmt_percent(row['rate'])} "
            f"({fmt_fraction(row['numerator'], row['denominator'])}{unit_word}), trong đó:"
        )
        part1.blocks.append(Paragraph(sentence))
        part1.blocks.append(Bullets([t for t in (_tier_line(w, tier, indicator, label) for tier in ("so", "xa")) if t]))
        verdict = (
            "" if indicator not in targets else (" (đạt chỉ tiêu)" if row["meets_target"] else " (chưa đạt chỉ tiêu)")
        )
        points.append(f"{INDICATOR_NAMES[indicator]}: {fmt_percent(row['rate'])}{verdict}.")
    part2 = Section("giai-quyet", f"2. Kết quả giải quyết thủ tục hành chính của {scope}")
    on_time, late = _row(w.indicators, "province", "resolved_on_time"), _row(w.indicators, "province", "resolved_late")
    if on_time is not None and on_time["denominator"]:
        part2.blocks.append(
            Paragraph(
                f"Tỷ lệ hồ sơ đã giải quyết trước hạn, đúng hạn đạt {fmt_percent(on_time['rate'])} (số hồ sơ đã giải "
                "quyết trước hạn, đúng hạn/tổng số hồ sơ đã giải quyết là "
                f"{fmt_fraction(on_time['numerator'], on_time['denominator'])}); "
                f"tỷ lệ hồ sơ đã giải quyết quá hạn {fmt_percent(late['rate'])} "
                f"({fmt_fraction(late['numerator'], late['denominator'])} hồ sơ). "
                "Hồ sơ đã giải quyết được tính theo ngày giải quyết trong kỳ, không kể ngày tiếp nhận."
            )
        )
        for tier in ("so", "xa"):
            part2.blocks.append(Bullets(_resolution_lines(w, tier)))
        points.append(
            f"Hồ sơ giải quyết trước hạn, đúng hạn: {fmt_percent(on_time['rate'])}; quá hạn: "
            f"{fmt_percent(late['rate'])}."
        )
    doc.sections.append(Section("diem-chinh", "Những điểm chính", [Bullets(points[:6])]))
    doc.sections.append(part1)
    doc.sections.append(part2)

    part3 = Section("ton-tai", "3. Tồn tại, hạn chế")
    missed = [(i, _row(w.indicators, "province", i)) for i in _RECEIVED if i in targets]
    missed = [(i, r) for i, r in missed if r is not None and r["meets_target"] is False]
    if missed:
        part3.blocks.append(
            Paragraph(
                "Một số chỉ tiêu chưa đạt tỷ lệ giao: "
                + "; ".join(
                    f"{INDICATOR_NAMES[i]}: {fmt_percent(r['rate'])} (chỉ tiêu giao {targets[i].label()})"
                    for i, r in missed
                )
                + "."
            )
        )
    worst = (
        w.indicators[
            (w.indicators["level"] == "unit")
            & (w.indicators["indicator"] == "resolved_late")
            & (w.indicators["numerator"] > 0)
        ]
        .sort_values("rate", ascending=False, kind="stable")
        .head(2)
    )
    if len(worst):
        part3.blocks.append(
            Paragraph(
                "Tỷ lệ hồ sơ đã giải quyết quá hạn tại một số cơ quan, đơn vị, địa phương còn cao "
                "như: " + ", ".join(f"{r.unit_name} ({fmt_percent(r.rate)})" for r in worst.itertuples()) + "."
            )
        )
    read = sum(x.read for x in w.loaded)
    quarantined = sum(x.quarantined for x in w.loaded)
    part3.blocks.append(
        Paragraph(
            f"Dữ liệu: đọc {fmt_count(read)} dòng, sử dụng {fmt_count(read - quarantined)}, cách ly "
            f"{fmt_count(quarantined)} "
            "dòng có lỗi (danh sách và lý do trong các bảng quarantine_*).",
            "note",
        )
    )
    doc.sections.append(part3)

    appendix = Section("phu-luc", "Phụ lục. Kết quả thực hiện các chỉ tiêu", appendix=True)
    province_rows = w.indicators[w.indicators["level"] != "unit"].copy()
    province_rows["indicator_name"] = province_rows["indicator"].map(INDICATOR_NAMES)
    province_rows["level_name"] = province_rows["level"].map(
        {"province": f"Toàn {scope}", "so": "Sở, ban, ngành", "xa": "Xã, phường, đặc khu"}
    )
    province_rows["target_label"] = [targets[i].label() if i in targets else "" for i in province_rows["indicator"]]
    appendix.blocks.append(
        tables.block(
            "indicators_summary",
            "Các chỉ tiêu theo cấp",
            province_rows,
            [
                Col("indicator_name", "Chỉ tiêu"),
                Col("level_name", "Cấp"),
                Col("numerator", "Tử số", "count"),
                Col("denominator", "Mẫu số", "count"),
                Col("rate", "Tỷ lệ (%)", "rate"),
                Col("target_label", "Chỉ tiêu giao"),
            ],
        )
    )
    appendix.blocks.extend(_charts(w, targets, scope))
    wide = _unit_wide(w.indicators)
    appendix.blocks.append(
        tables.block(
            "units_indicators",
            "Các chỉ tiêu của từng cơ quan, đơn vị, địa phương (%)",
            wide,
            [
                Col("unit_name", "Đơn vị"),
                *(
                    Col(i, f"{INDICATOR_NAMES[i].replace('Tỷ lệ ', '').split(',')[0]}", "rate")
                    for i in (
                        "online_submission",
                        "online_payment",
                        "updated_on_system",
                        "digitized",
                        "data_reuse",
                        "resolved_on_time",
                        "resolved_late",
                    )
                    if i in wide.columns
                ),
            ],
        )
    )
    doc.sections.append(appendix)
    return close(doc, params, phrasings()["forms"])


def _unit_wide(indicators: pd.DataFrame) -> pd.DataFrame:
    units = indicators[indicators["level"] == "unit"]
    wide = units.pivot_table(
        index=["tier", "unit_code", "unit_name"],
        columns="indicator",
        values="rate",
        aggfunc="first",
        observed=True,
        sort=False,
    )
    wide = wide.reset_index()
    wide["_t"] = wide["tier"].map({"so": 0, "xa": 1})
    wide = wide.sort_values(["_t", "unit_name"], kind="stable").drop(columns="_t")
    wide.columns.name = None
    return wide.astype(object).where(wide.notna(), None)


def _charts(w: Weekly, targets: dict[str, Any], scope: str) -> list[Figure]:
    """The indicators against their targets, and on-time against late resolution per level."""
    figures = []
    shown = [i for i in _RECEIVED if _row(w.indicators, "province", i) is not None]
    rows = [_row(w.indicators, "province", i) for i in shown]
    chart = Chart(
        "indicator_chart",
        {
            "labels": [INDICATOR_NAMES[i] for i in shown],
            "rates": [r["rate"] for r in rows],
            "targets": [targets[i].value if i in targets else None for i in shown],
            "title": f"Kết quả các chỉ tiêu của toàn {scope}",
        },
    )
    alt = (
        f"Biểu đồ thanh ngang tỷ lệ đạt của {len(shown)} chỉ tiêu của toàn {scope}, vạch đỏ là chỉ tiêu giao: "
        + "; ".join(f"{INDICATOR_NAMES[i]} {fmt_percent(r['rate'])}" for i, r in zip(shown, rows, strict=False))
        + "."
    )
    data = pd.DataFrame(
        {
            "indicator": shown,
            "rate": [r["rate"] for r in rows],
            "target": [str(targets[i]) if i in targets else "" for i in shown],
        },
        dtype=object,
    )
    figures.append(Figure("indicators", "Kết quả các chỉ tiêu so với chỉ tiêu giao", alt, chart, data))
    levels = [lv for lv in ("province", "so", "xa") if _row(w.indicators, lv, "resolved_on_time") is not None]
    if levels:
        names = {"province": f"Toàn {scope}", "so": "Sở, ban, ngành", "xa": "Xã, phường, đặc khu"}
        good = [_row(w.indicators, lv, "resolved_on_time")["rate"] for lv in levels]
        bad = [_row(w.indicators, lv, "resolved_late")["rate"] for lv in levels]
        chart = Chart(
            "share_chart",
            {
                "labels": [names[lv] for lv in levels],
                "on_time": good,
                "late": bad,
                "title": "Kết quả giải quyết thủ tục hành chính",
            },
        )
        alt = (
            "Biểu đồ thanh ngang tỷ lệ hồ sơ giải quyết trước hạn, đúng hạn và quá hạn: "
            + "; ".join(
                f"{names[lv]} {fmt_percent(g)} đúng hạn, {fmt_percent(b)} quá hạn"
                for lv, g, b in zip(levels, good, bad, strict=False)
            )
            + "."
        )
        data = pd.DataFrame({"level": levels, "on_time": good, "late": bad}, dtype=object)
        figures.append(Figure("resolution", "Tỷ lệ hồ sơ giải quyết đúng hạn và quá hạn", alt, chart, data))
    return figures
