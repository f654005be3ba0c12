"""The province bulletin (``bulletin_766``): its model, narrative and outline.

The model holds the score card and the facts of :mod:`chiso766.compute.facts`; the narrative
phrases them with the wording of ``phrasings.yaml``; the outline lays out sections, tables and
charts. Nothing here computes a score or touches a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from chiso766.compute.facts import (
    DossierFacts,
    below_target,
    dossier_facts,
    grades,
    group_targets,
    latest,
    province_extremes,
    tier_members,
    with_ratios,
)
from chiso766.compute.pipeline import build_previous, build_scorecard, score_tables
from chiso766.compute.reconcile import stake_total
from chiso766.compute.scorecard import COMPONENT_COLUMNS, ScoreCard
from chiso766.core.dashboard import grade_bands
from chiso766.core.methodology import GROUP_KEYS, Methodology, methodology_table, province_count
from chiso766.core.params import Params, load_params
from chiso766.core.targets import Target
from chiso766.core.textvi import fmt_date, fmt_number, fmt_points
from chiso766.report.model import Col, ScoredReport, TableSet, close, format_table, new_document
from chiso766.report.narrative import fill, headline, join_names, phrasings, tier_plural
from chiso766.report.outline import Block, Bullets, Chart, Details, Document, Figure, Heading, Paragraph, Section

__all__ = ["Bulletin", "build", "outline", "LETTERS"]

LETTERS = ("a", "b", "c", "d", "đ", "e", "g", "h")
_HUNDRED = Decimal(100)


@dataclass
class Bulletin(ScoredReport):
    """The model: the score card (and the previous period's), the units with their facts, the targets."""

    params: Params
    card: ScoreCard
    previous: ScoreCard | None
    units: pd.DataFrame  # the latest as-of date, with ratios and bottom group
    province: pd.Series | None
    targets: dict[str, Target]
    text: dict[str, Any]
    tables: TableSet = field(default_factory=TableSet)
    dossiers: DossierFacts | None = None

    def tier(self, tier: str) -> pd.DataFrame:
        return tier_members(self.units, tier)


def build(params: Params | str | Path, overrides: list[str] | None = None) -> Bulletin:
    """Score the params' inputs and gather the facts the bulletin states.

    ``params`` is validated params or the path of a params file (then ``overrides`` apply).
    """
    if not isinstance(params, Params):
        params = load_params(params, overrides)
    card = build_scorecard(params)
    previous = build_previous(params)
    text = dict(phrasings(params.get("options", {}).get("phrasings") if params.get("options") else None))
    units = with_ratios(latest(card.units), card.method)
    provinces = units[units["tier"] == "tinh"]
    return Bulletin(
        params,
        card,
        previous,
        units,
        provinces.iloc[0] if len(provinces) else None,
        group_targets(params.get("targets"), card.method),
        text,
        dossiers=dossier_facts(params, card),
    )


# Text ---------------------------------------------------------------------------------------


def _province_name(b: Bulletin) -> str:
    if b.province is not None:
        return str(b.province["unit_name"])
    return f"tỉnh {b.params.get('province', '')}".strip()


def _headline(b: Bulletin) -> str:
    change, label = None, ""
    if b.previous is not None and b.province is not None:
        prev = latest(b.previous.units)
        prev = prev[prev["tier"] == "tinh"]
        if len(prev) and prev.iloc[0]["total"] is not None and b.province["total"] is not None:
            change = b.province["total"] - prev.iloc[0]["total"]
            label = "kỳ trước"
    total = None if b.province is None else b.province["total"]
    rank = None if b.province is None or b.province.get("portal_rank") is None else int(b.province["portal_rank"])
    return headline(_province_name(b), b.params.as_of, total, rank, province_count(b.params.as_of), change, label)


def _below(b: Bulletin, tier: str, group: str) -> pd.DataFrame:
    return below_target(b.tier(tier), group, b.targets[group])


def _ranked(value: object) -> bool:
    """Whether a rank is there (pandas gives ``None`` or NaN when it is not)."""
    return value is not None and value == value


def _whole(value: object) -> int:
    """A rank as an integer (ranks travel through pandas as objects or floats)."""
    return int(str(value).split(".")[0])


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
            lines.append(
                fill(
                    b.text["group_all_meet"],
                    group=group.name_vi,
                    of=known,
                    tier_plural=tier_plural(tier),
                    target=target.label(),
                )
            )
            continue
        names = [
            _unit_rate(str(r.unit_name), getattr(r, f"{group.key}_ratio"), target, b.text)
            for r in below.head(b.text["lowest_listed"]).itertuples()
        ]
        lines.append(
            fill(
                b.text["group_weakness"],
                group=group.name_vi,
                count=len(below),
                of=known,
                tier_plural=tier_plural(tier),
                target=target.label(),
                units=join_names(names, "; "),
            )
        )
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
    extremes = None if b.province is None else province_extremes(b.province, b.method)
    if extremes is not None:
        (high, best), (low, worst), (lost, most) = extremes.high, extremes.low, extremes.most_lost
        points.append(
            f"Nhóm đạt tỷ lệ cao nhất: {best.name_vi} ({fmt_number(high, 2)}%); thấp nhất: "
            f"{worst.name_vi} ({fmt_number(low, 2)}%). Nhóm mất nhiều điểm nhất: "
            f"{most.name_vi} ({fmt_points(lost)} điểm)."
        )
    for tier in ("so", "xa"):
        members = b.tier(tier)
        ranked = members[members["rank"].notna()]
        if ranked.empty:
            continue
        first, last = ranked.iloc[0], ranked.iloc[-1]
        sentence = (
            f"{len(ranked)} {tier_plural(tier)} được xếp hạng: cao nhất {first['unit_name']} "
            f"({fmt_points(first['total'])} điểm), thấp nhất {last['unit_name']} ({fmt_points(last['total'])} điểm)"
        )
        if "total" in b.targets:
            short = sum(1 for t in ranked["total"] if b.targets["total"].meets(t) is False)
            sentence += f"; {short}/{len(ranked)} đơn vị dưới chỉ tiêu {b.targets['total'].label(' điểm')}"
        points.append(sentence + ".")
    missing = b.units[b.units["total"].isna() & (b.units["tier"] != "tinh")]
    notes = []
    if len(b.card.differences):
        notes.append(f"{len(b.card.differences)} chênh lệch giữa điểm tính lại và điểm của Cổng (xem Phụ lục)")
    else:
        notes.append(
            "điểm tính lại khớp với điểm của Cổng" if not b.card.components.empty else "điểm lấy theo bảng điểm đã cho"
        )
    if len(missing):
        notes.append(f"{len(missing)} đơn vị chưa đủ dữ liệu để tính tổng điểm")
    points.append("Chất lượng dữ liệu: " + "; ".join(notes) + ".")
    if b.dossiers is not None and b.dossiers.reconciliation is not None:
        table = b.dossiers.reconciliation
        differing = [
            s
            for c, s in zip(table["unit_code"], table["points_at_stake"], strict=False)
            if c and s is not None and s > 0
        ]
        points.append(
            f"Đối chiếu dữ liệu hồ sơ của tỉnh với Cổng: {len(differing)} chỉ số thành phần của đơn vị có điểm "
            f"chênh lệch, tổng {fmt_points(stake_total(table) or 0)} điểm (xem mục II)."
            if differing
            else "Đối chiếu dữ liệu hồ sơ của tỉnh với Cổng: không có chênh lệch điểm."
        )
    return points[:6]


# Document -----------------------------------------------------------------------------------


def _rank_cols(method: Methodology) -> list[Col]:
    return [
        Col("unit_name", "Đơn vị"),
        *(Col(g.key, f"{g.short_vi} ({fmt_number(g.max)})", "points") for g in method.groups),
        Col("total", "Tổng (100)", "points"),
        Col("rank", "Hạng", "rank"),
        Col("bottom_short", "Nhóm thấp nhất"),
    ]


def _machine(frame: pd.DataFrame, method: Methodology) -> pd.DataFrame:
    cols = [
        "unit_code",
        "unit_name",
        "tier",
        *GROUP_KEYS,
        "total",
        "rank",
        "bottom_group",
        "bottom_short",
        "bottom_ratio",
    ]
    return frame[cols]


def outline(b: Bulletin) -> Document:
    """The bulletin's document: main points, I. results, II. shortcomings, III. recommendations, appendices.

    Building it registers every table the bulletin shows (``b.tables``), in the order they appear.
    """
    for name, frame in score_tables(b.card, b.previous).items():
        b.tables.add(name, frame)
    b.text["headline"] = _headline(b)
    doc = new_document(
        b.params,
        "bulletin_766",
        "Kết quả đánh giá, xếp hạng Bộ chỉ số phục vụ người dân và doanh nghiệp "
        "trên Cổng Dịch vụ công quốc gia (Bộ chỉ số 766)",
        f"(Tính đến ngày {fmt_date(b.params.as_of)})",
        "bao_cao",
        b.text["forms"],
    )
    doc.sections.append(Section("diem-chinh", "Những điểm chính", [Bullets(_main_points(b))]))
    doc.sections.append(_results_section(b))
    doc.sections.append(_shortcomings_section(b))
    doc.sections.append(Section("de-xuat", "III. ĐỀ XUẤT, KIẾN NGHỊ", [Bullets(_recommendations(b), numbered=True)]))
    doc.sections.extend(_appendices(b))
    return close(doc, b.params, b.text["forms"])


def _province_block(b: Bulletin, province: str) -> list[Block]:
    assert b.province is not None
    method = b.method
    rows = []
    for g in method.groups:
        p = b.province[g.key]
        rows.append(
            {
                "group": g.key,
                "group_name": g.name_vi,
                "max": g.max,
                "points": p,
                "ratio": b.province[f"{g.key}_ratio"],
                "lost": None if p is None else g.max - p,
            }
        )
    rows.append(
        {
            "group": "total",
            "group_name": "Tổng điểm",
            "max": method.max_total,
            "points": b.province["total"],
            "ratio": b.province["total"],
            "lost": None if b.province["total"] is None else method.max_total - b.province["total"],
        }
    )
    frame = pd.DataFrame(rows, dtype=object)
    blocks: list[Block] = [
        b.tables.block(
            "province_groups",
            f"Điểm của {province} theo nhóm chỉ số",
            frame,
            [
                Col("group_name", "Nhóm chỉ số"),
                Col("max", "Điểm tối đa", "points"),
                Col("points", "Điểm đạt", "points"),
                Col("ratio", "Tỷ lệ (%)", "rate"),
                Col("lost", "Điểm bị mất", "points"),
            ],
        )
    ]
    if all(r["points"] is not None for r in rows[:-1]):
        chart = Chart(
            "group_points_chart",
            {
                "labels": [g.name_vi for g in method.groups],
                "points": [b.province[g.key] for g in method.groups],
                "maxima": [g.max for g in method.groups],
                "title": f"{province}: điểm theo nhóm chỉ số",
            },
        )
        alt = (
            f"Biểu đồ thanh ngang: điểm đạt của {province} so với điểm tối đa ở sáu nhóm chỉ số. "
            + "; ".join(f"{g.name_vi} {fmt_points(b.province[g.key])}/{fmt_number(g.max)}" for g in method.groups)
            + "."
        )
        blocks.append(
            Figure(
                "province_groups",
                "Điểm đạt so với điểm tối đa theo nhóm",
                alt,
                chart,
                frame[["group", "max", "points", "ratio"]],
            )
        )
    return blocks


def _department_group_blocks(b: Bulletin, departments: pd.DataFrame) -> list[Block]:
    blocks: list[Block] = [Heading("2. Kết quả đánh giá, xếp hạng của các sở, ban, ngành")]
    for letter, g in zip(LETTERS, b.method.groups, strict=False):
        frame = departments[["unit_code", "unit_name", f"{g.key}_ratio", g.key]].rename(
            columns={f"{g.key}_ratio": "rate", g.key: "points"}
        )
        frame = frame.sort_values(["points", "unit_name"], ascending=[False, True], key=_none_last, kind="stable")
        blocks.append(Heading(f"{letter}) Nhóm chỉ số {g.name_vi}", 4))
        blocks.append(
            b.tables.block(
                f"so_{g.key}",
                f"{g.name_vi}: tỷ lệ và điểm của các sở, ban, ngành",
                frame,
                [
                    Col("unit_name", "Sở, ban, ngành"),
                    Col("rate", "Tỷ lệ (%)", "rate"),
                    Col("points", f"Điểm ({fmt_number(g.max)})", "points"),
                ],
            )
        )
    return blocks


def _ranking_chart(ranked: pd.DataFrame) -> Figure:
    chart = Chart(
        "ranking_chart",
        {
            "labels": list(ranked["unit_name"]),
            "values": list(ranked["total"]),
            "highlight": min(5, len(ranked)),
            "title": "Sở, ban, ngành: tổng điểm Bộ chỉ số 766",
        },
    )
    alt = (
        f"Biểu đồ thanh ngang xếp hạng {len(ranked)} sở, ban, ngành theo tổng điểm, từ "
        f"{ranked.iloc[0]['unit_name']} ({fmt_points(ranked.iloc[0]['total'])} điểm) đến "
        f"{ranked.iloc[-1]['unit_name']} ({fmt_points(ranked.iloc[-1]['total'])} điểm); "
        "năm đơn vị thấp nhất tô màu đỏ."
    )
    return Figure(
        "rank_so",
        "Xếp hạng sở, ban, ngành (5 đơn vị thấp nhất tô đỏ)",
        alt,
        chart,
        ranked[["unit_code", "unit_name", "total", "rank"]],
    )


def _distribution_chart(ranked: pd.DataFrame) -> Figure:
    bands = grade_bands()
    lines = [(float(minimum), name) for minimum, name in bands if minimum > 0]
    chart = Chart(
        "distribution_chart",
        {"values": list(ranked["total"]), "bands": lines, "title": "Xã, phường, đặc khu: phân bố tổng điểm"},
    )
    counts = grades(ranked["total"])
    summary = "; ".join(f"{name}: {int((counts == name).sum())}" for _, name in bands)
    alt = (
        f"Biểu đồ cột phân bố tổng điểm của {len(ranked)} xã, phường, đặc khu, từ "
        f"{fmt_points(ranked['total'].min())} đến {fmt_points(ranked['total'].max())} điểm. Số đơn vị theo "
        f"mức: {summary}."
    )
    return Figure(
        "distribution_xa",
        "Phân bố tổng điểm của xã, phường, đặc khu",
        alt,
        chart,
        ranked[["unit_code", "unit_name", "total", "rank"]],
    )


def _ranking_blocks(b: Bulletin, tier: str, members: pd.DataFrame) -> list[Block]:
    ranked = members[members["rank"].notna()]
    blocks: list[Block] = []
    if tier == "so":
        last = list(range(max(0, len(ranked) - 5), len(ranked)))
        blocks.append(
            b.tables.block(
                "rank_so",
                "Xếp hạng các sở, ban, ngành theo tổng điểm",
                _machine(members, b.method),
                _rank_cols(b.method),
                highlight=last,
            )
        )
    lowest = ranked.tail(5).iloc[::-1]
    lines = [
        f"{r.unit_name} đạt: {fmt_points(r.total)}/100 điểm, xếp thứ {_whole(r.rank)}/{len(ranked)} đơn vị; "
        f"nhóm thấp nhất: {r.bottom_group} ({fmt_number(r.bottom_ratio, 2)}%)."
        for r in lowest.itertuples()
    ]
    blocks.append(Paragraph(f"Các {tier_plural(tier)} có điểm thấp nhất:"))
    blocks.append(Bullets(lines))
    if len(ranked):
        blocks.append(_ranking_chart(ranked) if tier == "so" else _distribution_chart(ranked))
    return blocks


def _results_section(b: Bulletin) -> Section:
    province = _province_name(b)
    part = Section("ket-qua", "I. KẾT QUẢ ĐÁNH GIÁ, XẾP HẠNG")
    part.blocks.append(Heading(f"1. Kết quả đánh giá, xếp hạng của {province}"))
    part.blocks.append(Paragraph(b.text["headline"], "lead"))
    if b.province is not None:
        part.blocks.extend(_province_block(b, province))
    departments = b.tier("so")
    if len(departments):
        part.blocks.extend(_department_group_blocks(b, departments))
    part.blocks.append(Heading(f"{3 if len(departments) else 2}. Xếp hạng theo tổng điểm"))
    for tier in ("so", "xa"):
        members = b.tier(tier)
        if not members.empty:
            part.blocks.extend(_ranking_blocks(b, tier, members))
    return part


def _below_table(b: Bulletin) -> pd.DataFrame:
    rows = []
    for tier in ("so", "xa"):
        for g in b.method.groups:
            for r in _below(b, tier, g.key).itertuples():
                rate = getattr(r, f"{g.key}_ratio")
                rows.append(
                    {
                        "unit_code": r.unit_code,
                        "unit_name": r.unit_name,
                        "tier": tier,
                        "group": g.key,
                        "group_name": g.name_vi,
                        "rate": rate,
                        "target": str(b.targets[g.key]),
                        "gap": b.targets[g.key].gap(rate),
                    }
                )
    return pd.DataFrame(
        rows, columns=["unit_code", "unit_name", "tier", "group", "group_name", "rate", "target", "gap"], dtype=object
    )


def _shortcomings_section(b: Bulletin) -> Section:
    part = Section("ton-tai", "II. TỒN TẠI, HẠN CHẾ")
    for tier, heading in (("so", "Các sở, ban, ngành"), ("xa", "Các xã, phường, đặc khu")):
        lines = _weaknesses(b, tier)
        if lines:
            part.blocks.append(Heading(heading, 3))
            part.blocks.append(Bullets(lines))
    below = b.tables.add("below_target", _below_table(b))
    part.blocks.append(
        Paragraph(f"Danh sách đầy đủ {len(below)} trường hợp chưa đạt chỉ tiêu: bảng below_target (tải CSV/XLSX).")
    )
    if b.dossiers is not None:
        part.blocks.extend(_overdue_blocks(b))
    part.blocks.append(Heading("Chất lượng dữ liệu", 3))
    part.blocks.append(Bullets(_data_quality(b)))
    if b.dossiers is not None and b.dossiers.reconciliation is not None:
        part.blocks.extend(_reconciliation_blocks(b))
    return part


def _appendices(b: Bulletin) -> list[Section]:
    sections = []
    for index, (tier, title) in enumerate((("so", "sở, ban, ngành"), ("xa", "xã, phường, đặc khu")), start=1):
        members = b.tier(tier)
        if members.empty:
            continue
        appendix = Section(f"phu-luc-{tier}", f"Phụ lục {index}. Điểm và xếp hạng các {title}", appendix=True)
        appendix.blocks.append(
            b.tables.block(
                f"appendix_{tier}",
                f"Điểm sáu nhóm chỉ số, tổng điểm và xếp hạng các {title}",
                _machine(members, b.method),
                _rank_cols(b.method),
            )
        )
        sections.append(appendix)
    sections.append(_methodology_section(b))
    if not b.card.components.empty:
        sections.append(_audit_section(b))
    if len(b.card.differences):
        diffs = b.card.differences
        appendix = Section(
            "phu-luc-chenh-lech", "Phụ lục. Chênh lệch giữa điểm tính lại và điểm của Cổng", appendix=True
        )
        appendix.blocks.append(
            b.tables.block(
                "differences_shown",
                "Các chênh lệch (đầy đủ trong tables/differences.csv)",
                diffs,
                [
                    Col("unit_name", "Đơn vị"),
                    Col("level", "Cấp"),
                    Col("group", "Nhóm"),
                    Col("component", "Chỉ số"),
                    Col("portal", "Cổng", "points"),
                    Col("recomputed", "Tính lại", "points"),
                    Col("difference", "Chênh lệch", "points"),
                ],
            )
        )
        sections.append(appendix)
    return sections


def _overdue_blocks(b: Bulletin) -> list[Block]:
    assert b.dossiers is not None
    backlog = b.dossiers.backlog
    units = backlog[(backlog["level"] == "unit") & (backlog["tier"] == "so")].copy()
    units["total"] = units["overdue_in_process"] + units["finished_late"]
    units = units[units["total"] > 0].sort_values(["total", "unit_name"], ascending=[False, True], kind="stable")
    period = b.params.period
    blocks: list[Block] = [
        Heading(f"Hồ sơ quá hạn (từ ngày {fmt_date(period.start)} đến ngày {fmt_date(b.params.as_of)})", 3)
    ]
    blocks.append(
        b.tables.block(
            "overdue_so",
            "Hồ sơ quá hạn của các sở, ban, ngành",
            units,
            [
                Col("unit_name", "Cơ quan"),
                Col("overdue_in_process", "Quá hạn đang xử lý", "count"),
                Col("finished_late", "Quá hạn đã xử lý", "count"),
            ],
            machine=units.drop(columns=["total"]),
        )
    )
    for level, label in (("so", "các sở, ban, ngành"), ("xa", "các xã, phường, đặc khu")):
        row = backlog[backlog["level"] == level]
        if len(row):
            r = row.iloc[0]
            blocks.append(
                Paragraph(
                    f"Tổng số của {label}: {fmt_number(r['overdue_in_process'])} hồ sơ quá hạn đang xử lý, "
                    f"{fmt_number(r['finished_late'])} hồ sơ quá hạn đã xử lý."
                )
            )
    return blocks


def _reconciliation_blocks(b: Bulletin) -> list[Block]:
    assert b.dossiers is not None and b.dossiers.reconciliation is not None
    table = b.dossiers.reconciliation
    b.tables.add("reconciliation", table)
    differing = table[[s is not None and s > 0 for s in table["points_at_stake"]]]
    units = sorted({c for c in differing["unit_code"] if c})
    total = stake_total(table)
    blocks: list[Block] = [Heading("Đối chiếu dữ liệu hồ sơ của tỉnh với Cổng Dịch vụ công quốc gia", 3)]
    if differing.empty:
        blocks.append(Paragraph("Số liệu hồ sơ của tỉnh khớp với Cổng ở mọi chỉ số thành phần đối chiếu được."))
        return blocks
    unit_rows = sum(1 for c in differing["unit_code"] if c)
    blocks.append(
        Paragraph(
            f"{unit_rows} chỉ số thành phần của {len(units)} đơn vị có điểm tính từ dữ liệu hồ sơ của tỉnh khác với "
            f"điểm tính từ số liệu của Cổng; tổng số điểm chênh lệch của các đơn vị là {fmt_points(total)} điểm. "
            "Bảng dưới đây liệt kê các chênh lệch lớn nhất (đầy đủ trong tables/reconciliation.csv)."
        )
    )
    shown = differing.head(15).copy()
    shown["local"] = [
        f"{fmt_number(n)}/{fmt_number(d)}"
        for n, d in zip(shown["local_numerator"], shown["local_denominator"], strict=False)
    ]
    shown["portal"] = [
        f"{fmt_number(n)}/{fmt_number(d)}"
        for n, d in zip(shown["portal_numerator"], shown["portal_denominator"], strict=False)
    ]
    blocks.append(
        b.tables.block(
            "reconciliation_top",
            "Chênh lệch lớn nhất giữa dữ liệu của tỉnh và Cổng",
            shown,
            [
                Col("unit_name", "Đơn vị"),
                Col("component", "Chỉ số"),
                Col("local", "Tỉnh (tử/mẫu)"),
                Col("portal", "Cổng (tử/mẫu)"),
                Col("local_points", "Điểm (tỉnh)", "points"),
                Col("portal_points", "Điểm (Cổng)", "points"),
                Col("points_at_stake", "Chênh lệch", "points"),
            ],
            machine=differing.head(15),
        )
    )
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
        lines.append(
            f"Điểm tính lại từ tử số, mẫu số khớp với điểm của Cổng ở {same}/{len(compared)} chỉ số thành phần; "
            f"{len(card.differences)} chênh lệch được liệt kê ở Phụ lục."
        )
        given = card.groups[card.groups["source"] != "recomputed"]
        if len(given):
            names = sorted({b.method.group(g).name_vi for g in given["group"]})
            lines.append(
                f"Nhóm {', '.join(names)}: Cổng không công bố tử số, mẫu số của từng đơn vị, điểm của "
                f"{len(given)} đơn vị được lấy theo Cổng."
            )
        no_data = card.components[card.components["points"].isna() & (card.components["max"] > 0)]
        if len(no_data):
            lines.append(
                f"{len(no_data)} chỉ số thành phần không có dữ liệu hoặc có mẫu số bằng 0 (không tính điểm, "
                "không coi là 0): xem cột reason trong tables/components.csv."
            )
    missing = b.units[b.units["total"].isna()]
    if len(missing):
        lines.append(
            f"{len(missing)} đơn vị chưa có tổng điểm vì thiếu dữ liệu nhóm: "
            + join_names(list(missing["unit_name"].head(10)))
            + "."
        )
    if b.dossiers is not None:
        for loaded in b.dossiers.loaded:
            b.tables.add(f"quarantine_{loaded.table}", loaded.quarantine)
            lines.append(
                f"Dữ liệu {loaded.source.name}: đọc {fmt_number(loaded.read)} dòng, dùng {fmt_number(loaded.used)}, "
                f"cách ly {fmt_number(loaded.quarantined)} dòng có lỗi (tables/quarantine_{loaded.table}.csv)."
            )
    for warning in card.diagnostics.items:
        lines.append(f"Cảnh báo: {warning.message}.")
    if not lines:
        lines.append("Không có cảnh báo về dữ liệu.")
    return lines


_AUDIT_COLS = [
    Col("component", "Chỉ số"),
    Col("numerator", "Tử số", "count"),
    Col("denominator", "Mẫu số", "count"),
    Col("rate", "Tỷ lệ (%)", "rate"),
    Col("threshold", "Ngưỡng", "points"),
    Col("max", "Tối đa", "points"),
    Col("points", "Điểm", "points"),
    Col("portal_points", "Cổng", "points"),
    Col("formula", "Công thức"),
]


def _audit_section(b: Bulletin) -> Section:
    """Each unit's score traced to its components: counts, rate, threshold, max, points, formula."""
    comp = b.card.components
    # the contract's component columns, with the tier after the name and the formula and reason last
    audit = comp[["unit_code", "unit_name", "tier", *COMPONENT_COLUMNS[2:], "formula", "reason"]]
    b.tables.add("audit", audit)
    groups = b.card.groups
    section = Section(
        "truy-vet",
        "Phụ lục. Truy vết điểm của từng đơn vị",
        appendix=True,
        pdf=bool((b.params.get("options") or {}).get("audit_pdf", False)),
    )
    section.blocks.append(
        Paragraph(
            "Mỗi đơn vị: điểm từng chỉ số thành phần từ tử số, mẫu số, ngưỡng và điểm tối đa, công thức áp dụng "
            "(F1 tuyến tính; F2 có ngưỡng; Z0, ZF, ZM mẫu số bằng 0: 0 điểm, điểm tối đa, không tính "
            "điểm; M chỉ theo dõi) "
            "và điểm của Cổng. Dữ liệu đầy đủ: tables/audit.csv.",
            "note",
        )
    )
    order = pd.concat([b.units[b.units["tier"] == "tinh"], b.tier("so"), b.tier("xa")])
    by_unit = dict(tuple(audit.groupby("unit_code", sort=False)))
    given_by_unit = dict(tuple(groups[groups["source"] != "recomputed"].groupby("unit_code", sort=False)))
    for unit in order.itertuples():
        mine = by_unit.get(str(unit.unit_code), audit.iloc[0:0])
        given = given_by_unit.get(str(unit.unit_code), groups.iloc[0:0])
        blocks: list[Block] = [format_table("audit", f"{unit.unit_name}: các chỉ số thành phần", mine, _AUDIT_COLS)]
        for g in given.itertuples():
            blocks.append(
                Paragraph(
                    f"Nhóm {b.method.group(g.group).name_vi}: {fmt_points(g.points)} điểm theo Cổng "
                    "(Cổng không công bố tử số, mẫu số của đơn vị).",
                    "note",
                )
            )
        summary = f"{unit.unit_name} — {fmt_points(unit.total)} điểm" + (
            f", hạng {_whole(unit.rank)}" if _ranked(unit.rank) else ""
        )
        section.blocks.append(Details(summary, blocks))
    return section


def _methodology_section(b: Bulletin) -> Section:
    method = b.method
    section = Section("phuong-phap", "Phụ lục. Phương pháp tính điểm", appendix=True)
    version_note = (
        "quy tắc 2025: điểm của bốn nhóm Công khai, minh bạch; Tiến độ giải quyết; Mức độ hài lòng; "
        "Số hóa hồ sơ được làm tròn đến 1 chữ số thập phân"
        if any(g.display_decimals == 1 for g in method.groups)
        else "quy tắc 2026: điểm làm tròn đến 2 chữ số thập phân"
    )
    section.blocks.append(
        Paragraph(
            f"Phiên bản quy tắc áp dụng: {method.version} ({version_note}). Điểm chỉ số thành phần = điểm tối đa × "
            "min(1, tỷ lệ / ngưỡng), làm tròn nửa lên đến 2 chữ số thập phân trên giá trị chính xác; điểm nhóm = tổng "
            "điểm các chỉ số thành phần đã làm tròn; tổng điểm = tổng sáu nhóm. Giá trị thiếu không được coi là 0."
        )
    )
    table = methodology_table(method.version)
    section.blocks.append(
        b.tables.block(
            "methodology",
            "Các chỉ số thành phần",
            table,
            [
                Col("id", "Mã"),
                Col("group", "Nhóm"),
                Col("name", "Chỉ số"),
                Col("max", "Điểm tối đa", "points"),
                Col("threshold", "Ngưỡng (%)", "points"),
                Col("zero_rule_vi", "Mẫu số bằng 0"),
                Col("evidence", "Căn cứ"),
            ],
            numbered=False,
        )
    )
    section.blocks.append(
        Paragraph(
            "Căn cứ: [doc] tài liệu hướng dẫn công thức; [api] tính lại khớp với dữ liệu của Cổng; "
            "[inferred] suy ra, khớp mọi quan sát nhưng chưa có văn bản; [open] chưa xác định.",
            "note",
        )
    )
    return section
