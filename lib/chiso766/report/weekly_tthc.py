"""The weekly TTHC notice (``weekly_tthc``): dossier indicators against targets, from DuckDB."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from chiso766.render import charts
from chiso766.report.outline import Bullets, Document, Heading, Paragraph, Section
from chiso766.ingest.dossiers import Loaded, ingest
from chiso766.compute.engines import DuckDBEngine, Engine, SparkEngine
from chiso766.core.errors import Diagnostics
from chiso766.compute.indicators import INDICATOR_NAMES, backlog_table, indicator_table, local_components
from chiso766.core.methodology import load as load_methodology, version_for
from chiso766.core.params import Params, load_params
from chiso766.report.model import Col, SavesOutputs, TableSet, new_document
from chiso766.core.targets import parse_target
from chiso766.core.textvi import fmt_count, fmt_fraction, fmt_percent
from chiso766.ingest.units import Registry, load_registry

__all__ = ["Weekly", "build"]

_RECEIVED = ("online_submission", "online_payment", "updated_on_system", "digitized", "data_reuse",
             "complaints_handled")
_TIER_WORDS = {"so": ("Các sở, ban, ngành", "đơn vị"), "xa": ("Các xã, phường, đặc khu", "địa phương")}


@dataclass
class Weekly(SavesOutputs):
    params: Params
    indicators: pd.DataFrame
    backlog: pd.DataFrame
    components: pd.DataFrame
    loaded: list[Loaded]
    diagnostics: Diagnostics
    province_name: str
    tables: TableSet = field(default_factory=TableSet)
    document: Document | None = None



def _engine(params: Params, diagnostics: Diagnostics) -> tuple[Engine, Registry, list[Loaded]]:
    """DuckDB with full validation (default), or Spark over typed, partitioned Parquet (``engine: spark``)."""
    if params.get("engine", "duckdb") == "duckdb":
        con = duckdb.connect()
        registry, loaded = ingest(params, con, diagnostics)
        return DuckDBEngine(con), registry, loaded
    settings = params.get("spark") or {}
    engine = SparkEngine.start(settings.get("master", "local[2]"), settings.get("remote"))
    registry = load_registry(params.inputs["units"])
    units = pd.DataFrame([(u.code, u.name, u.tier) for u in registry.units], columns=["unit_code", "unit_name", "tier"])
    engine.load(params.inputs["dossiers"], units, params.inputs.get("complaints"))
    rows = int(engine.query("SELECT count(*) AS n FROM dossiers", {})["n"].iloc[0])
    empty = pd.DataFrame(columns=["line", "id", "column", "reason"])
    return engine, registry, [Loaded("dossiers", params.inputs["dossiers"], rows, rows, empty)]


def build(params_path: str | Path, overrides: list[str] | None = None, out_dir: str | Path | None = None) -> Weekly:
    params = load_params(params_path, overrides)
    diagnostics = Diagnostics()
    engine, registry, loaded = _engine(params, diagnostics)
    targets = params.get("targets") or {}
    indicators = indicator_table(engine, params.period, params.as_of, targets)
    method = load_methodology(str(params.get("methodology_version") or version_for(params.as_of)))
    province = next((u.name for u in registry.units if u.tier == "tinh"), f"tỉnh {params.get('province', '')}".strip())
    weekly = Weekly(params, indicators, backlog_table(engine, params.period, params.as_of),
                    local_components(engine, params.period, params.as_of, method), loaded, diagnostics, province)
    weekly.document = _document(weekly, Path(out_dir) if out_dir else None)
    return weekly


def _scope_word(name: str) -> str:
    return "thành phố" if name.lower().startswith("thành phố") else "tỉnh"


def _row(frame: pd.DataFrame, level: str, indicator: str) -> pd.Series | None:
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
    full = units[units["numerator"] == units["denominator"]].sort_values(["denominator", "unit_name"],
                                                                        ascending=[False, True], kind="stable")
    lines = [f"{who}: tỷ lệ hồ sơ đã giải quyết trước hạn, đúng hạn đạt {fmt_percent(on_time['rate'])} "
             f"({fmt_fraction(on_time['numerator'], on_time['denominator'])} hồ sơ). Số {noun} đạt tỷ lệ 100%: "
             f"{len(full)}/{len(units)} {noun}" + (f"; {min(5, len(full))} {noun} có nhiều hồ sơ đã giải quyết nhất "
                                                  "đạt 100%:" if len(full) else ".")]
    lines += [f"+ {r.unit_name}: {fmt_fraction(r.numerator, r.denominator)} hồ sơ." for r in full.head(5).itertuples()]
    lated = _units(w.indicators, tier, "resolved_late")
    lated = lated[lated["numerator"] > 0].sort_values(["rate", "numerator"], ascending=False, kind="stable")
    lines.append(f"{who}: tỷ lệ hồ sơ đã giải quyết quá hạn {fmt_percent(late['rate'])} "
                 f"({fmt_fraction(late['numerator'], late['denominator'])} hồ sơ)"
                 + (f"; {min(5, len(lated))} {noun} có tỷ lệ quá hạn cao nhất:" if len(lated) else "."))
    lines += [f"+ {r.unit_name}: {fmt_fraction(r.numerator, r.denominator)} hồ sơ ({fmt_percent(r.rate)})."
              for r in lated.head(5).itertuples()]
    return lines


def _document(w: Weekly, out_dir: Path | None) -> Document:
    params, tables = w.params, w.tables
    doc = new_document(params, "weekly_tthc", "THÔNG BÁO",
                       "Tình hình, kết quả thực hiện một số chỉ tiêu về công tác cải cách, kiểm soát thủ tục hành "
                       "chính và giải quyết thủ tục hành chính", f"({params.period.describe_vi()})")
    targets = {k: parse_target(v) for k, v in (params.get("targets") or {}).items()}
    scope = _scope_word(w.province_name)
    tables.add("indicators", w.indicators)
    tables.add("backlog", w.backlog)
    tables.add("local_components", w.components)
    for loaded in w.loaded:
        tables.add(f"quarantine_{loaded.table}", loaded.quarantine)

    points = []
    part1 = Section("chi-tieu", "1. Kết quả thực hiện một số chỉ tiêu về công tác cải cách, kiểm soát thủ tục hành chính")
    for number, indicator in enumerate([i for i in _RECEIVED if _row(w.indicators, "province", i) is not None], start=1):
        row = _row(w.indicators, "province", indicator)
        label = f" (chỉ tiêu giao {targets[indicator].label()})" if indicator in targets else ""
        part1.blocks.append(Heading(f"1.{number}. {INDICATOR_NAMES[indicator]}{label}"))
        unit_word = " hồ sơ" if indicator != "complaints_handled" else " phản ánh, kiến nghị"
        sentence = (f"{INDICATOR_NAMES[indicator]} của toàn {scope} đạt {fmt_percent(row['rate'])} "
                    f"({fmt_fraction(row['numerator'], row['denominator'])}{unit_word}), trong đó:")
        part1.blocks.append(Paragraph(sentence))
        part1.blocks.append(Bullets([t for t in (_tier_line(w, tier, indicator, label) for tier in ("so", "xa")) if t]))
        verdict = "" if indicator not in targets else (" (đạt chỉ tiêu)" if row["meets_target"] else " (chưa đạt chỉ tiêu)")
        points.append(f"{INDICATOR_NAMES[indicator]}: {fmt_percent(row['rate'])}{verdict}.")
    part2 = Section("giai-quyet", f"2. Kết quả giải quyết thủ tục hành chính của {scope}")
    on_time, late = _row(w.indicators, "province", "resolved_on_time"), _row(w.indicators, "province", "resolved_late")
    if on_time is not None and on_time["denominator"]:
        part2.blocks.append(Paragraph(
            f"Tỷ lệ hồ sơ đã giải quyết trước hạn, đúng hạn đạt {fmt_percent(on_time['rate'])} (số hồ sơ đã giải "
            f"quyết trước hạn, đúng hạn/tổng số hồ sơ đã giải quyết là {fmt_fraction(on_time['numerator'], on_time['denominator'])}); "
            f"tỷ lệ hồ sơ đã giải quyết quá hạn {fmt_percent(late['rate'])} ({fmt_fraction(late['numerator'], late['denominator'])} hồ sơ). "
            "Hồ sơ đã giải quyết được tính theo ngày giải quyết trong kỳ, không kể ngày tiếp nhận."))
        for tier in ("so", "xa"):
            part2.blocks.append(Bullets(_resolution_lines(w, tier)))
        points.append(f"Hồ sơ giải quyết trước hạn, đúng hạn: {fmt_percent(on_time['rate'])}; quá hạn: {fmt_percent(late['rate'])}.")
    doc.sections.append(Section("diem-chinh", "Những điểm chính", [Bullets(points[:6])]))
    doc.sections.append(part1)
    doc.sections.append(part2)

    part3 = Section("ton-tai", "3. Tồn tại, hạn chế")
    missed = [(i, _row(w.indicators, "province", i)) for i in _RECEIVED if i in targets]
    missed = [(i, r) for i, r in missed if r is not None and r["meets_target"] is False]
    if missed:
        part3.blocks.append(Paragraph("Một số chỉ tiêu chưa đạt tỷ lệ giao: " + "; ".join(
            f"{INDICATOR_NAMES[i]}: {fmt_percent(r['rate'])} (chỉ tiêu giao {targets[i].label()})" for i, r in missed) + "."))
    worst = w.indicators[(w.indicators["level"] == "unit") & (w.indicators["indicator"] == "resolved_late")
                         & (w.indicators["numerator"] > 0)].sort_values("rate", ascending=False, kind="stable").head(2)
    if len(worst):
        part3.blocks.append(Paragraph("Tỷ lệ hồ sơ đã giải quyết quá hạn tại một số cơ quan, đơn vị, địa phương còn cao "
                                      "như: " + ", ".join(f"{r.unit_name} ({fmt_percent(r.rate)})" for r in worst.itertuples()) + "."))
    read = sum(x.read for x in w.loaded)
    quarantined = sum(x.quarantined for x in w.loaded)
    part3.blocks.append(Paragraph(
        f"Dữ liệu: đọc {fmt_count(read)} dòng, sử dụng {fmt_count(read - quarantined)}, cách ly {fmt_count(quarantined)} "
        "dòng có lỗi (danh sách và lý do trong các bảng quarantine_*).", "note"))
    doc.sections.append(part3)

    appendix = Section("phu-luc", "Phụ lục. Kết quả thực hiện các chỉ tiêu", appendix=True)
    province_rows = w.indicators[w.indicators["level"] != "unit"].copy()
    province_rows["indicator_name"] = province_rows["indicator"].map(INDICATOR_NAMES)
    province_rows["level_name"] = province_rows["level"].map({"province": f"Toàn {scope}", "so": "Sở, ban, ngành",
                                                              "xa": "Xã, phường, đặc khu"})
    province_rows["target_label"] = [targets[i].label() if i in targets else "" for i in province_rows["indicator"]]
    appendix.blocks.append(tables.block(
        "indicators_summary", "Các chỉ tiêu theo cấp", province_rows,
        [Col("indicator_name", "Chỉ tiêu"), Col("level_name", "Cấp"), Col("numerator", "Tử số", "count"),
         Col("denominator", "Mẫu số", "count"), Col("rate", "Tỷ lệ (%)", "rate"), Col("target_label", "Chỉ tiêu giao")]))
    if out_dir is not None:
        shown = [i for i in _RECEIVED if _row(w.indicators, "province", i) is not None]
        rows = [_row(w.indicators, "province", i) for i in shown]
        fig = charts.indicator_chart([INDICATOR_NAMES[i] for i in shown], [r["rate"] for r in rows],
                                     [targets[i].value if i in targets else None for i in shown],
                                     f"Kết quả các chỉ tiêu của toàn {scope}")
        alt = (f"Biểu đồ thanh ngang tỷ lệ đạt của {len(shown)} chỉ tiêu của toàn {scope}, vạch đỏ là chỉ tiêu giao: "
               + "; ".join(f"{INDICATOR_NAMES[i]} {fmt_percent(r['rate'])}" for i, r in zip(shown, rows)) + ".")
        data = pd.DataFrame({"indicator": shown, "rate": [r["rate"] for r in rows],
                             "target": [str(targets[i]) if i in targets else "" for i in shown]}, dtype=object)
        appendix.blocks.append(charts.save(fig, out_dir, "indicators", "Kết quả các chỉ tiêu so với chỉ tiêu giao", alt, data))
        levels = [lv for lv in ("province", "so", "xa") if _row(w.indicators, lv, "resolved_on_time") is not None]
        if levels:
            names = {"province": f"Toàn {scope}", "so": "Sở, ban, ngành", "xa": "Xã, phường, đặc khu"}
            good = [_row(w.indicators, lv, "resolved_on_time")["rate"] for lv in levels]
            bad = [_row(w.indicators, lv, "resolved_late")["rate"] for lv in levels]
            fig = charts.share_chart([names[lv] for lv in levels], good, bad, "Kết quả giải quyết thủ tục hành chính")
            alt = ("Biểu đồ thanh ngang tỷ lệ hồ sơ giải quyết trước hạn, đúng hạn và quá hạn: "
                   + "; ".join(f"{names[lv]} {fmt_percent(g)} đúng hạn, {fmt_percent(b)} quá hạn"
                               for lv, g, b in zip(levels, good, bad)) + ".")
            data = pd.DataFrame({"level": levels, "on_time": good, "late": bad}, dtype=object)
            appendix.blocks.append(charts.save(fig, out_dir, "resolution", "Tỷ lệ hồ sơ giải quyết đúng hạn và quá hạn",
                                               alt, data))
    wide = _unit_wide(w.indicators)
    appendix.blocks.append(tables.block(
        "units_indicators", "Các chỉ tiêu của từng cơ quan, đơn vị, địa phương (%)", wide,
        [Col("unit_name", "Đơn vị"), *(Col(i, f"{INDICATOR_NAMES[i].replace('Tỷ lệ ', '').split(',')[0]}", "rate")
                                       for i in ("online_submission", "online_payment", "updated_on_system",
                                                 "digitized", "data_reuse", "resolved_on_time", "resolved_late")
                                       if i in wide.columns)]))
    doc.sections.append(appendix)
    return doc


def _unit_wide(indicators: pd.DataFrame) -> pd.DataFrame:
    units = indicators[indicators["level"] == "unit"]
    wide = units.pivot_table(index=["tier", "unit_code", "unit_name"], columns="indicator", values="rate",
                             aggfunc="first", observed=True, sort=False)
    wide = wide.reset_index()
    wide["_t"] = wide["tier"].map({"so": 0, "xa": 1})
    wide = wide.sort_values(["_t", "unit_name"], kind="stable").drop(columns="_t")
    wide.columns.name = None
    return wide.astype(object).where(wide.notna(), None)
