"""The province bulletin (``bulletin_766``): model, text and document, from one score card.

Numbers come from :mod:`chiso766.compute.scorecard`; this module ranks, selects and phrases them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from chiso766.render import charts
from chiso766.report.outline import Bullets, Details, Document, Heading, Paragraph, Section
from chiso766.ingest.dossiers import Loaded, ingest
from chiso766.compute.indicators import backlog_table, local_components
from chiso766.core.methodology import GROUP_KEYS, Methodology, methodology_table, province_count
from chiso766.report.narrative import fill, headline, join_names, phrasings, tier_plural
from chiso766.core.params import Params, load_params
from chiso766.compute.pipeline import build_previous, build_scorecard, score_tables
from chiso766.compute.reconcile import reconcile, stake_total
from chiso766.report.model import Col, ScoredReport, TableSet, format_table, new_document
from chiso766.compute.scorecard import ScoreCard
from chiso766.compute.scoring import grade, group_ratio
from chiso766.core.targets import Target, parse_target
from chiso766.core.textvi import fmt_date, fmt_number, fmt_points

__all__ = ["Bulletin", "build", "LETTERS"]

LETTERS = ("a", "b", "c", "d", "đ", "e", "g", "h")
_HUNDRED = Decimal(100)


@dataclass
class DossierFacts:
    """What the province's own dossier data adds: backlog, local components, reconciliation."""

    loaded: list[Loaded]
    backlog: pd.DataFrame
    local: pd.DataFrame
    reconciliation: pd.DataFrame | None


def _dossier_facts(params: Params, card: ScoreCard) -> DossierFacts | None:
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
class Bulletin(ScoredReport):
    params: Params
    card: ScoreCard
    previous: ScoreCard | None
    units: pd.DataFrame  # the latest as-of date, with ratios and bottom group
    province: pd.Series | None
    targets: dict[str, Target]
    text: dict[str, Any]
    tables: TableSet = field(default_factory=TableSet)
    document: Document | None = None
    dossiers: DossierFacts | None = None

    def tier(self, tier: str) -> pd.DataFrame:
        part = self.units[self.units["tier"] == tier]
        return part.sort_values(["_rank_sort", "unit_name"], kind="stable")


def _latest(units: pd.DataFrame) -> pd.DataFrame:
    if units["as_of"].notna().any():
        return units[units["as_of"] == units["as_of"].dropna().max()].copy()
    return units.copy()


def _enrich(units: pd.DataFrame, method: Methodology) -> pd.DataFrame:
    out = units.copy()
    for group in method.groups:
        given = out[f"{group.key}_rate"] if f"{group.key}_rate" in out.columns else pd.Series([None] * len(out), index=out.index)
        out[f"{group.key}_ratio"] = [r if r is not None else group_ratio(p, group)
                                     for r, p in zip(given, out[group.key])]
    bottoms = []
    for _, row in out.iterrows():
        known = [(row[f"{g.key}_ratio"], g.order, g) for g in method.groups if row[f"{g.key}_ratio"] is not None]
        bottoms.append(min(known, key=lambda t: (t[0], t[1]))[2] if known else None)
    out["bottom_group"] = [g.name_vi if g else None for g in bottoms]
    out["bottom_short"] = [g.short_vi if g else None for g in bottoms]
    out["bottom_ratio"] = [row[f"{g.key}_ratio"] if g else None for g, (_, row) in zip(bottoms, out.iterrows())]
    out["_rank_sort"] = out["rank"].map(lambda r: 10**9 if r is None or r != r else int(r))
    return out


def _targets(params: Params, text: dict[str, Any]) -> dict[str, Target]:
    raw = params.get("targets") or {}
    targets = {g: parse_target(raw.get(g, f">={text['default_group_target']}")) for g in GROUP_KEYS}
    if "total" in raw:
        targets["total"] = parse_target(raw["total"])
    return targets


def build(params_path: str | Path, overrides: list[str] | None = None, out_dir: str | Path | None = None) -> Bulletin:
    """Score the params' inputs and build the bulletin; with ``out_dir``, save charts there too.

    ``b.text["headline"]`` is then the bulletin's first sentence, e.g. "Tính đến ngày 07/10/2025,
    Thành phố Hải Phòng đạt 84,63 điểm, xếp hạng 26/34 tỉnh, thành phố."
    """
    params = load_params(params_path, overrides)
    card = build_scorecard(params)
    previous = build_previous(params)
    text = dict(phrasings(params.get("options", {}).get("phrasings") if params.get("options") else None))
    units = _enrich(_latest(card.units), card.method)
    provinces = units[units["tier"] == "tinh"]
    bulletin = Bulletin(params, card, previous, units, provinces.iloc[0] if len(provinces) else None,
                        _targets(params, text), text, dossiers=_dossier_facts(params, card))
    bulletin.document = _document(bulletin, Path(out_dir) if out_dir else None)
    return bulletin


# Text ---------------------------------------------------------------------------------------


def _province_name(b: Bulletin) -> str:
    if b.province is not None:
        return str(b.province["unit_name"])
    return f"tỉnh {b.params.get('province', '')}".strip()


def _headline(b: Bulletin) -> str:
    change, label = None, ""
    if b.previous is not None and b.province is not None:
        prev = _latest(b.previous.units)
        prev = prev[prev["tier"] == "tinh"]
        if len(prev) and prev.iloc[0]["total"] is not None and b.province["total"] is not None:
            change = b.province["total"] - prev.iloc[0]["total"]
            label = "kỳ trước"
    total = None if b.province is None else b.province["total"]
    rank = None if b.province is None or b.province.get("portal_rank") is None else int(b.province["portal_rank"])
    return headline(_province_name(b), b.params.as_of, total, rank, province_count(b.params.as_of), change, label)


def _below(b: Bulletin, tier: str, group: str) -> pd.DataFrame:
    part = b.tier(tier)
    ratio = part[f"{group}_ratio"]
    mask = pd.Series([r is not None and b.targets[group].meets(r) is False for r in ratio], index=part.index, dtype=bool)
    return part[mask].sort_values(f"{group}_ratio", kind="stable")


def _unit_rate(name: str, rate: Decimal, target: Target, text: dict[str, Any]) -> str:
    return fill(text["unit_below"], name=name, rate=fmt_number(rate, 2) + "%", gap=fmt_number(target.gap(rate), 2))


def _weaknesses(b: Bulletin, tier: str) -> list[str]:
    members = b.tier(tier)
    if members.empty:
        return []
    lines = []
    for group in b.method.groups:
        below = _below(b, tier, group.key)
        known = members[f"{group.key}_ratio"].notna().sum()
        target = b.targets[group.key]
        if below.empty:
            lines.append(fill(b.text["group_all_meet"], group=group.name_vi, of=known,
                              tier_plural=tier_plural(tier), target=target.label()))
            continue
        names = [_unit_rate(r.unit_name, getattr(r, f"{group.key}_ratio"), target, b.text)
                 for r in below.head(b.text["lowest_listed"]).itertuples()]
        lines.append(fill(b.text["group_weakness"], group=group.name_vi, count=len(below), of=known,
                          tier_plural=tier_plural(tier), target=target.label(), units=join_names(names, "; ")))
    return lines


def _recommendations(b: Bulletin) -> list[str]:
    scored = []
    for group in b.method.groups:
        below = pd.concat([_below(b, "so", group.key), _below(b, "xa", group.key)])
        province_ratio = None if b.province is None else b.province[f"{group.key}_ratio"]
        if len(below):
            scored.append((-len(below), province_ratio if province_ratio is not None else _HUNDRED, group, below))
    scored.sort(key=lambda t: (t[0], t[1], t[2].order))
    items = []
    for _, _, group, below in scored[: b.text["weak_groups"]]:
        names = below.sort_values(f"{group.key}_ratio", kind="stable")["unit_name"].head(b.text["lowest_listed"])
        items.append(fill(b.text["recommendations"][group.key], units=join_names(list(names))))
    differing = b.card.differences
    components = differing[differing["level"] == "component"] if len(differing) else differing
    if len(differing):
        items.append(fill(b.text["data_quality"], count=len(components) or len(differing)))
    items.append(b.text["closing"])
    return items


def _main_points(b: Bulletin) -> list[str]:
    points = [b.text["headline"]]
    if b.province is not None:
        known = [(b.province[f"{g.key}_ratio"], g) for g in b.method.groups if b.province[f"{g.key}_ratio"] is not None]
        if known:
            low, high = min(known, key=lambda t: t[0]), max(known, key=lambda t: t[0])
            lost = max(((b.province[g.key] is not None and g.max - b.province[g.key]), g) for g in b.method.groups)
            points.append(f"Nhóm đạt tỷ lệ cao nhất: {high[1].name_vi} ({fmt_number(high[0], 2)}%); thấp nhất: "
                          f"{low[1].name_vi} ({fmt_number(low[0], 2)}%). Nhóm mất nhiều điểm nhất: "
                          f"{lost[1].name_vi} ({fmt_points(lost[0])} điểm).")
    for tier in ("so", "xa"):
        members = b.tier(tier)
        ranked = members[members["rank"].notna()]
        if ranked.empty:
            continue
        first, last = ranked.iloc[0], ranked.iloc[-1]
        sentence = (f"{len(ranked)} {tier_plural(tier)} được xếp hạng: cao nhất {first['unit_name']} "
                    f"({fmt_points(first['total'])} điểm), thấp nhất {last['unit_name']} ({fmt_points(last['total'])} điểm)")
        if "total" in b.targets:
            short = sum(1 for t in ranked["total"] if b.targets["total"].meets(t) is False)
            sentence += f"; {short}/{len(ranked)} đơn vị dưới chỉ tiêu {b.targets['total'].label(' điểm')}"
        points.append(sentence + ".")
    missing = b.units[b.units["total"].isna() & (b.units["tier"] != "tinh")]
    notes = []
    if len(b.card.differences):
        notes.append(f"{len(b.card.differences)} chênh lệch giữa điểm tính lại và điểm của Cổng (xem Phụ lục)")
    else:
        notes.append("điểm tính lại khớp với điểm của Cổng" if not b.card.components.empty else
                     "điểm lấy theo bảng điểm đã cho")
    if len(missing):
        notes.append(f"{len(missing)} đơn vị chưa đủ dữ liệu để tính tổng điểm")
    points.append("Chất lượng dữ liệu: " + "; ".join(notes) + ".")
    if b.dossiers is not None and b.dossiers.reconciliation is not None:
        table = b.dossiers.reconciliation
        differing = [s for c, s in zip(table["unit_code"], table["points_at_stake"]) if c and s is not None and s > 0]
        points.append(f"Đối chiếu dữ liệu hồ sơ của tỉnh với Cổng: {len(differing)} chỉ số thành phần của đơn vị có điểm "
                      f"chênh lệch, tổng {fmt_points(stake_total(table) or 0)} điểm (xem mục II)."
                      if differing else "Đối chiếu dữ liệu hồ sơ của tỉnh với Cổng: không có chênh lệch điểm.")
    return points[:6]


# Document -----------------------------------------------------------------------------------


def _rank_cols(method: Methodology) -> list[Col]:
    return [Col("unit_name", "Đơn vị"), *(Col(g.key, f"{g.short_vi} ({fmt_number(g.max)})", "points") for g in method.groups),
            Col("total", "Tổng (100)", "points"), Col("rank", "Hạng", "rank"), Col("bottom_short", "Nhóm thấp nhất")]


def _machine(frame: pd.DataFrame, method: Methodology) -> pd.DataFrame:
    cols = ["unit_code", "unit_name", "tier", *GROUP_KEYS, "total", "rank", "bottom_group", "bottom_short", "bottom_ratio"]
    return frame[cols]


def _document(b: Bulletin, out_dir: Path | None) -> Document:
    method, params, tables, text = b.method, b.params, b.tables, b.text
    for name, frame in score_tables(b.card, b.previous).items():
        tables.add(name, frame)
    text["headline"] = _headline(b)
    province = _province_name(b)
    doc = new_document(params, "bulletin_766", "BÁO CÁO",
                       "Kết quả đánh giá, xếp hạng Bộ chỉ số phục vụ người dân và doanh nghiệp "
                       "trên Cổng Dịch vụ công quốc gia (Bộ chỉ số 766)",
                       f"(Tính đến ngày {fmt_date(params.as_of)})")
    doc.sections.append(Section("diem-chinh", "Những điểm chính", [Bullets(_main_points(b))]))

    # I. Results ---------------------------------------------------------------------------
    part1 = Section("ket-qua", "I. KẾT QUẢ ĐÁNH GIÁ, XẾP HẠNG")
    part1.blocks.append(Heading(f"1. Kết quả đánh giá, xếp hạng của {province}"))
    part1.blocks.append(Paragraph(text["headline"], "lead"))
    if b.province is not None:
        rows = []
        for g in method.groups:
            p = b.province[g.key]
            rows.append({"group": g.key, "group_name": g.name_vi, "max": g.max, "points": p,
                         "ratio": b.province[f"{g.key}_ratio"], "lost": None if p is None else g.max - p})
        rows.append({"group": "total", "group_name": "Tổng điểm", "max": method.max_total,
                     "points": b.province["total"], "ratio": b.province["total"],
                     "lost": None if b.province["total"] is None else method.max_total - b.province["total"]})
        frame = pd.DataFrame(rows, dtype=object)
        part1.blocks.append(tables.block(
            "province_groups", f"Điểm của {province} theo nhóm chỉ số", frame,
            [Col("group_name", "Nhóm chỉ số"), Col("max", "Điểm tối đa", "points"), Col("points", "Điểm đạt", "points"),
             Col("ratio", "Tỷ lệ (%)", "rate"), Col("lost", "Điểm bị mất", "points")]))
        if out_dir is not None and all(r["points"] is not None for r in rows[:-1]):
            labels = [g.name_vi for g in method.groups]
            fig = charts.group_points_chart(labels, [b.province[g.key] for g in method.groups],
                                            [g.max for g in method.groups], f"{province}: điểm theo nhóm chỉ số")
            alt = (f"Biểu đồ thanh ngang: điểm đạt của {province} so với điểm tối đa ở sáu nhóm chỉ số. "
                   + "; ".join(f"{g.name_vi} {fmt_points(b.province[g.key])}/{fmt_number(g.max)}" for g in method.groups) + ".")
            part1.blocks.append(charts.save(fig, out_dir, "province_groups", "Điểm đạt so với điểm tối đa theo nhóm",
                                            alt, frame[["group", "max", "points", "ratio"]]))

    departments = b.tier("so")
    if len(departments):
        part1.blocks.append(Heading("2. Kết quả đánh giá, xếp hạng của các sở, ban, ngành"))
        for letter, g in zip(LETTERS, method.groups):
            frame = departments[["unit_code", "unit_name", f"{g.key}_ratio", g.key]].rename(
                columns={f"{g.key}_ratio": "rate", g.key: "points"})
            frame = frame.sort_values(["points", "unit_name"], ascending=[False, True], key=_none_last, kind="stable")
            part1.blocks.append(Heading(f"{letter}) Nhóm chỉ số {g.name_vi}", 4))
            part1.blocks.append(tables.block(f"so_{g.key}", f"{g.name_vi}: tỷ lệ và điểm của các sở, ban, ngành", frame,
                                             [Col("unit_name", "Sở, ban, ngành"), Col("rate", "Tỷ lệ (%)", "rate"),
                                              Col("points", f"Điểm ({fmt_number(g.max)})", "points")]))
    part1.blocks.append(Heading(f"{3 if len(departments) else 2}. Xếp hạng theo tổng điểm"))
    for tier in ("so", "xa"):
        members = b.tier(tier)
        if members.empty:
            continue
        ranked = members[members["rank"].notna()]
        last = list(range(max(0, len(ranked) - 5), len(ranked)))
        label = "Sở, ban, ngành" if tier == "so" else "Xã, phường, đặc khu"
        if tier == "so":
            part1.blocks.append(tables.block("rank_so", "Xếp hạng các sở, ban, ngành theo tổng điểm",
                                             _machine(members, method), _rank_cols(method), highlight=last))
        lowest = ranked.tail(5).iloc[::-1]
        lines = [f"{r.unit_name} đạt: {fmt_points(r.total)}/100 điểm, xếp thứ {int(r.rank)}/{len(ranked)} đơn vị; "
                 f"nhóm thấp nhất: {r.bottom_group} ({fmt_number(r.bottom_ratio, 2)}%)." for r in lowest.itertuples()]
        part1.blocks.append(Paragraph(f"Các {tier_plural(tier)} có điểm thấp nhất:"))
        part1.blocks.append(Bullets(lines))
        if out_dir is not None and len(ranked):
            if tier == "so":
                fig = charts.ranking_chart(list(ranked["unit_name"]), list(ranked["total"]), min(5, len(ranked)),
                                           f"{label}: tổng điểm Bộ chỉ số 766")
                alt = (f"Biểu đồ thanh ngang xếp hạng {len(ranked)} sở, ban, ngành theo tổng điểm, từ "
                       f"{ranked.iloc[0]['unit_name']} ({fmt_points(ranked.iloc[0]['total'])} điểm) đến "
                       f"{ranked.iloc[-1]['unit_name']} ({fmt_points(ranked.iloc[-1]['total'])} điểm); "
                       "năm đơn vị thấp nhất tô màu đỏ.")
                part1.blocks.append(charts.save(fig, out_dir, "rank_so", "Xếp hạng sở, ban, ngành (5 đơn vị thấp nhất tô đỏ)",
                                                alt, ranked[["unit_code", "unit_name", "total", "rank"]]))
            else:
                bands = [(90.0, "xuất sắc"), (80.0, "tốt"), (70.0, "khá"), (50.0, "trung bình")]
                fig = charts.distribution_chart(list(ranked["total"]), bands, f"{label}: phân bố tổng điểm")
                counts = ranked["total"].map(lambda t: grade(t, [(Decimal(m), n) for m, n in bands + [(0.0, 'yếu')]]))
                summary = "; ".join(f"{n}: {int((counts == n).sum())}" for _, n in bands + [(0.0, "yếu")])
                alt = (f"Biểu đồ cột phân bố tổng điểm của {len(ranked)} xã, phường, đặc khu, từ "
                       f"{fmt_points(ranked['total'].min())} đến {fmt_points(ranked['total'].max())} điểm. Số đơn vị theo mức: {summary}.")
                part1.blocks.append(charts.save(fig, out_dir, "distribution_xa", "Phân bố tổng điểm của xã, phường, đặc khu",
                                                alt, ranked[["unit_code", "unit_name", "total", "rank"]]))
    doc.sections.append(part1)

    # II. Shortcomings ---------------------------------------------------------------------
    part2 = Section("ton-tai", "II. TỒN TẠI, HẠN CHẾ")
    for tier, heading in (("so", "Các sở, ban, ngành"), ("xa", "Các xã, phường, đặc khu")):
        lines = _weaknesses(b, tier)
        if lines:
            part2.blocks.append(Heading(heading, 3))
            part2.blocks.append(Bullets(lines))
    below_rows = []
    for tier in ("so", "xa"):
        for g in method.groups:
            for r in _below(b, tier, g.key).itertuples():
                rate = getattr(r, f"{g.key}_ratio")
                below_rows.append({"unit_code": r.unit_code, "unit_name": r.unit_name, "tier": tier, "group": g.key,
                                   "group_name": g.name_vi, "rate": rate, "target": str(b.targets[g.key]),
                                   "gap": b.targets[g.key].gap(rate)})
    below = pd.DataFrame(below_rows, columns=["unit_code", "unit_name", "tier", "group", "group_name", "rate",
                                              "target", "gap"], dtype=object)
    tables.add("below_target", below)
    part2.blocks.append(Paragraph(f"Danh sách đầy đủ {len(below)} trường hợp chưa đạt chỉ tiêu: bảng below_target "
                                  "(tải CSV/XLSX)."))
    if b.dossiers is not None:
        part2.blocks.extend(_overdue_blocks(b))
    part2.blocks.append(Heading("Chất lượng dữ liệu", 3))
    part2.blocks.append(Bullets(_data_quality(b)))
    if b.dossiers is not None and b.dossiers.reconciliation is not None:
        part2.blocks.extend(_reconciliation_blocks(b))
    doc.sections.append(part2)

    part3 = Section("de-xuat", "III. ĐỀ XUẤT, KIẾN NGHỊ")
    part3.blocks.append(Bullets(_recommendations(b), numbered=True))
    doc.sections.append(part3)

    # Appendices ---------------------------------------------------------------------------
    for index, (tier, title) in enumerate((("so", "sở, ban, ngành"), ("xa", "xã, phường, đặc khu")), start=1):
        members = b.tier(tier)
        if members.empty:
            continue
        appendix = Section(f"phu-luc-{tier}", f"Phụ lục {index}. Điểm và xếp hạng các {title}", appendix=True)
        appendix.blocks.append(tables.block(f"appendix_{tier}", f"Điểm sáu nhóm chỉ số, tổng điểm và xếp hạng các {title}",
                                            _machine(members, method), _rank_cols(method)))
        doc.sections.append(appendix)
    doc.sections.append(_methodology_section(b))
    if not b.card.components.empty:
        doc.sections.append(_audit_section(b))
    if len(b.card.differences):
        diffs = b.card.differences
        appendix = Section("phu-luc-chenh-lech", "Phụ lục. Chênh lệch giữa điểm tính lại và điểm của Cổng", appendix=True)
        appendix.blocks.append(tables.block(
            "differences_shown", "Các chênh lệch (đầy đủ trong tables/differences.csv)", diffs,
            [Col("unit_name", "Đơn vị"), Col("level", "Cấp"), Col("group", "Nhóm"), Col("component", "Chỉ số"),
             Col("portal", "Cổng", "points"), Col("recomputed", "Tính lại", "points"),
             Col("difference", "Chênh lệch", "points")]))
        doc.sections.append(appendix)
    return doc


def _overdue_blocks(b: Bulletin) -> list:
    assert b.dossiers is not None
    backlog = b.dossiers.backlog
    units = backlog[(backlog["level"] == "unit") & (backlog["tier"] == "so")].copy()
    units["total"] = units["overdue_in_process"] + units["finished_late"]
    units = units[units["total"] > 0].sort_values(["total", "unit_name"], ascending=[False, True], kind="stable")
    period = b.params.period
    blocks: list = [Heading(f"Hồ sơ quá hạn (từ ngày {fmt_date(period.start)} đến ngày {fmt_date(b.params.as_of)})", 3)]
    blocks.append(b.tables.block("overdue_so", "Hồ sơ quá hạn của các sở, ban, ngành", units,
                                 [Col("unit_name", "Cơ quan"), Col("overdue_in_process", "Quá hạn đang xử lý", "count"),
                                  Col("finished_late", "Quá hạn đã xử lý", "count")],
                                 machine=units.drop(columns=["total"])))
    for level, label in (("so", "các sở, ban, ngành"), ("xa", "các xã, phường, đặc khu")):
        row = backlog[backlog["level"] == level]
        if len(row):
            r = row.iloc[0]
            blocks.append(Paragraph(f"Tổng số của {label}: {fmt_number(r['overdue_in_process'])} hồ sơ quá hạn đang xử lý, "
                                    f"{fmt_number(r['finished_late'])} hồ sơ quá hạn đã xử lý."))
    return blocks


def _reconciliation_blocks(b: Bulletin) -> list:
    assert b.dossiers is not None and b.dossiers.reconciliation is not None
    table = b.dossiers.reconciliation
    b.tables.add("reconciliation", table)
    differing = table[[s is not None and s > 0 for s in table["points_at_stake"]]]
    units = sorted({c for c in differing["unit_code"] if c})
    total = stake_total(table)
    blocks: list = [Heading("Đối chiếu dữ liệu hồ sơ của tỉnh với Cổng Dịch vụ công quốc gia", 3)]
    if differing.empty:
        blocks.append(Paragraph("Số liệu hồ sơ của tỉnh khớp với Cổng ở mọi chỉ số thành phần đối chiếu được."))
        return blocks
    unit_rows = sum(1 for c in differing["unit_code"] if c)
    blocks.append(Paragraph(
        f"{unit_rows} chỉ số thành phần của {len(units)} đơn vị có điểm tính từ dữ liệu hồ sơ của tỉnh khác với "
        f"điểm tính từ số liệu của Cổng; tổng số điểm chênh lệch của các đơn vị là {fmt_points(total)} điểm. "
        "Bảng dưới đây liệt kê các chênh lệch lớn nhất (đầy đủ trong tables/reconciliation.csv)."))
    shown = differing.head(15).copy()
    shown["local"] = [f"{fmt_number(n)}/{fmt_number(d)}" for n, d in zip(shown["local_numerator"], shown["local_denominator"])]
    shown["portal"] = [f"{fmt_number(n)}/{fmt_number(d)}" for n, d in zip(shown["portal_numerator"], shown["portal_denominator"])]
    blocks.append(b.tables.block("reconciliation_top", "Chênh lệch lớn nhất giữa dữ liệu của tỉnh và Cổng", shown,
                                 [Col("unit_name", "Đơn vị"), Col("component", "Chỉ số"), Col("local", "Tỉnh (tử/mẫu)"),
                                  Col("portal", "Cổng (tử/mẫu)"), Col("local_points", "Điểm (tỉnh)", "points"),
                                  Col("portal_points", "Điểm (Cổng)", "points"),
                                  Col("points_at_stake", "Chênh lệch", "points")],
                                 machine=differing.head(15)))
    return blocks


def _none_last(column: pd.Series) -> pd.Series:
    if column.name == "points":
        return column.map(lambda v: Decimal(-1) if v is None else v)
    return column


def _data_quality(b: Bulletin) -> list[str]:
    lines = []
    card = b.card
    if not card.components.empty:
        compared = card.components[card.components["portal_points"].notna()]
        same = int((compared["portal_points"] == compared["points"]).sum())
        lines.append(f"Điểm tính lại từ tử số, mẫu số khớp với điểm của Cổng ở {same}/{len(compared)} chỉ số thành phần; "
                     f"{len(card.differences)} chênh lệch được liệt kê ở Phụ lục.")
        given = card.groups[card.groups["source"] != "recomputed"]
        if len(given):
            names = sorted({b.method.group(g).name_vi for g in given["group"]})
            lines.append(f"Nhóm {', '.join(names)}: Cổng không công bố tử số, mẫu số của từng đơn vị, điểm của "
                         f"{len(given)} đơn vị được lấy theo Cổng.")
        no_data = card.components[card.components["points"].isna() & (card.components["max"] > 0)]
        if len(no_data):
            lines.append(f"{len(no_data)} chỉ số thành phần không có dữ liệu hoặc có mẫu số bằng 0 (không tính điểm, "
                         "không coi là 0): xem cột reason trong tables/components.csv.")
    missing = b.units[b.units["total"].isna()]
    if len(missing):
        lines.append(f"{len(missing)} đơn vị chưa có tổng điểm vì thiếu dữ liệu nhóm: "
                     + join_names(list(missing["unit_name"].head(10))) + ".")
    if b.dossiers is not None:
        for loaded in b.dossiers.loaded:
            b.tables.add(f"quarantine_{loaded.table}", loaded.quarantine)
            lines.append(f"Dữ liệu {loaded.source.name}: đọc {fmt_number(loaded.read)} dòng, dùng {fmt_number(loaded.used)}, "
                         f"cách ly {fmt_number(loaded.quarantined)} dòng có lỗi (tables/quarantine_{loaded.table}.csv).")
    for warning in card.diagnostics.items:
        lines.append(f"Cảnh báo: {warning.message}.")
    if not lines:
        lines.append("Không có cảnh báo về dữ liệu.")
    return lines


_AUDIT_COLS = [Col("component", "Chỉ số"), Col("numerator", "Tử số", "count"), Col("denominator", "Mẫu số", "count"),
               Col("rate", "Tỷ lệ (%)", "rate"), Col("threshold", "Ngưỡng", "points"), Col("max", "Tối đa", "points"),
               Col("points", "Điểm", "points"), Col("portal_points", "Cổng", "points"), Col("formula", "Công thức")]


def _audit_section(b: Bulletin) -> Section:
    """Each unit's score traced to its components: counts, rate, threshold, max, points, formula."""
    comp = b.card.components
    audit = comp[["unit_code", "unit_name", "tier", "group", "component", "numerator", "denominator", "rate",
                  "threshold", "max", "points", "portal_points", "formula", "reason"]]
    b.tables.add("audit", audit)
    groups = b.card.groups
    section = Section("truy-vet", "Phụ lục. Truy vết điểm của từng đơn vị", appendix=True,
                      pdf=bool((b.params.get("options") or {}).get("audit_pdf", False)))
    section.blocks.append(Paragraph(
        "Mỗi đơn vị: điểm từng chỉ số thành phần từ tử số, mẫu số, ngưỡng và điểm tối đa, công thức áp dụng "
        "(F1 tuyến tính; F2 có ngưỡng; Z0, ZF, ZM mẫu số bằng 0: 0 điểm, điểm tối đa, không tính điểm; M chỉ theo dõi) "
        "và điểm của Cổng. Dữ liệu đầy đủ: tables/audit.csv.", "note"))
    order = pd.concat([b.units[b.units["tier"] == "tinh"], b.tier("so"), b.tier("xa")])
    by_unit = dict(tuple(audit.groupby("unit_code", sort=False)))
    given_by_unit = dict(tuple(groups[groups["source"] != "recomputed"].groupby("unit_code", sort=False)))
    for unit in order.itertuples():
        mine = by_unit.get(unit.unit_code, audit.iloc[0:0])
        given = given_by_unit.get(unit.unit_code, groups.iloc[0:0])
        blocks: list = [format_table("audit", f"{unit.unit_name}: các chỉ số thành phần", mine, _AUDIT_COLS)]
        for g in given.itertuples():
            blocks.append(Paragraph(f"Nhóm {b.method.group(g.group).name_vi}: {fmt_points(g.points)} điểm theo Cổng "
                                    "(Cổng không công bố tử số, mẫu số của đơn vị).", "note"))
        summary = f"{unit.unit_name} — {fmt_points(unit.total)} điểm" + (f", hạng {int(unit.rank)}" if unit.rank == unit.rank and unit.rank is not None else "")
        section.blocks.append(Details(summary, blocks))
    return section


def _methodology_section(b: Bulletin) -> Section:
    method = b.method
    section = Section("phuong-phap", "Phụ lục. Phương pháp tính điểm", appendix=True)
    version_note = ("quy tắc 2025: điểm của bốn nhóm Công khai, minh bạch; Tiến độ giải quyết; Mức độ hài lòng; "
                    "Số hóa hồ sơ được làm tròn đến 1 chữ số thập phân" if any(g.display_decimals == 1 for g in method.groups)
                    else "quy tắc 2026: điểm làm tròn đến 2 chữ số thập phân")
    section.blocks.append(Paragraph(
        f"Phiên bản quy tắc áp dụng: {method.version} ({version_note}). Điểm chỉ số thành phần = điểm tối đa × "
        "min(1, tỷ lệ / ngưỡng), làm tròn nửa lên đến 2 chữ số thập phân trên giá trị chính xác; điểm nhóm = tổng "
        "điểm các chỉ số thành phần đã làm tròn; tổng điểm = tổng sáu nhóm. Giá trị thiếu không được coi là 0."))
    table = methodology_table(method.version)
    section.blocks.append(b.tables.block(
        "methodology", "Các chỉ số thành phần", table,
        [Col("id", "Mã"), Col("group", "Nhóm"), Col("name", "Chỉ số"), Col("max", "Điểm tối đa", "points"),
         Col("threshold", "Ngưỡng (%)", "points"), Col("zero_rule_vi", "Mẫu số bằng 0"), Col("evidence", "Căn cứ")],
        numbered=False))
    section.blocks.append(Paragraph("Căn cứ: [doc] tài liệu hướng dẫn công thức; [api] tính lại khớp với dữ liệu của Cổng; "
                                    "[inferred] suy ra, khớp mọi quan sát nhưng chưa có văn bản; [open] chưa xác định.", "note"))
    return section
