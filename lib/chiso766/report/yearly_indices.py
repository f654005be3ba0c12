"""The yearly reform indices report (``yearly_indices``): its model, narrative and outline.

By default a công văn in the register of reference 003: the situation written from the table for
every index present (value, change against the previous year, gap to the national mean, rank and
rank change, band), the components that lost most points, then the numbered tasks: the generated
ones for every agency, the officer's own (``text.instructions``), the deadline. A báo cáo of the
same data when params ask for one. Nothing here reads a file or computes a figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from chiso766.compute.indices import IndexFact, index_facts, indices_table, same_province
from chiso766.core.errors import InputError
from chiso766.core.indices import index_info
from chiso766.core.params import Params, load_params
from chiso766.core.provinces import merger, province, province_scope
from chiso766.core.textvi import capitalized, fmt_date, fmt_number, in_sentence
from chiso766.ingest.indices import read_indices
from chiso766.report.model import (
    Col,
    Report,
    TableSet,
    appendix,
    close,
    document_params,
    new_document,
    officer_tasks,
    officer_text,
    paragraphs,
)
from chiso766.report.narrative import fill, join_names, phrasings, wording_file
from chiso766.report.outline import Block, Bullets, Chart, Document, Figure, Paragraph, Section

__all__ = ["YearlyIndices", "build", "outline", "wording"]


@lru_cache(maxsize=1)
def wording() -> dict[str, Any]:
    """The shared phrasings, then this kind's own (``yearly_indices.yaml``)."""
    return dict(phrasings()) | wording_file("yearly_indices.yaml")


@dataclass
class YearlyIndices(Report):
    """The model: the table as read and as compared (``tables/indices.csv``), the facts of the report
    year for the params' province, and the wording."""

    params: Params
    rows: pd.DataFrame
    table: pd.DataFrame
    facts: list[IndexFact]
    text: dict[str, Any]
    tables: TableSet = field(default_factory=TableSet)

    @property
    def year(self) -> int:
        return self.params.period.start.year

    def document_extra(self) -> dict[str, Any]:
        return {"as_of": self.params.as_of.isoformat(), "year": self.year}


def build(params: Params | str | Path, overrides: list[str] | None = None) -> YearlyIndices:
    """Read the params' indices table and gather what the document states of the province's year."""
    if not isinstance(params, Params):
        params = load_params(params, overrides)
    rows = read_indices(params.inputs["indices"])
    table = indices_table(rows)
    year = params.period.start.year
    facts = index_facts(table, str(params.get("province") or ""), year)
    if not facts:
        raise InputError(
            f"bảng không có giá trị năm {year} của «{params.get('province')}» cho chỉ số nào "
            "(cột index, year, province; dòng của chỉ số để trống cột component)",
            params.inputs["indices"],
        )
    return YearlyIndices(params, rows, table, facts, wording())


# Text ---------------------------------------------------------------------------------------


def _scope(y: YearlyIndices) -> str:
    return province_scope(y.params.get("province", ""))


def _name(y: YearlyIndices) -> str:
    """The province as a caption names it after "của": "thành phố Hải Phòng" (NĐ 30, Phụ lục II)."""
    known = province(y.params.get("province", ""))
    return in_sentence(known.title if known is not None else str(y.params.get("province", "")))


def _amount(value: Decimal, style: dict[str, Any]) -> str:
    return fmt_number(abs(value), int(style["change_places"]), trim=bool(style["trim"]))


def _signed(value: object, style: dict[str, Any]) -> str | None:
    """A change in a table: ``+4,3``, ``−1,20``, ``0``; ``None`` (printed "—") when there is none."""
    if not isinstance(value, Decimal):
        return None
    return ("+" if value > 0 else "−" if value < 0 else "") + _amount(value, style)


def _change(fact: IndexFact, t: dict[str, Any], style: dict[str, Any]) -> str | None:
    """ "cao hơn 4,3% so với năm 2023" (with "và tăng 4 bậc …" when the rank moved in the same list)."""
    row, before = fact.row, fact.previous
    parts = []
    if before is not None and row["change"] is not None:
        change: Decimal = row["change"]
        if change == 0:
            parts.append(fill(t["change_same"], year=before["year"]))
        else:
            word = style["up"] if change > 0 else style["down"]
            parts.append(fill(t["change"], word=word, amount=_amount(change, style), year=before["year"]))
    places = row["rank_change"]
    if places is not None:
        key = "rank_change_same" if places == 0 else "rank_change_up" if places > 0 else "rank_change_down"
        parts.append(fill(t[key], places=abs(places)))
    return " và ".join(parts) or None


def _rank(fact: IndexFact, t: dict[str, Any]) -> str | None:
    row, before = fact.row, fact.previous
    if row["rank"] is None:
        return None
    text = fill(t["rank"], rank=row["rank"], of=row["of"]) if row["of"] else f"xếp hạng thứ {row['rank']}"
    if before is not None and before["rank"] is not None and before["of"] and not fact.same_list:
        text += f" ({fill(t['rank_other_list'], year=before['year'], rank=before['rank'], of=before['of'])})"
    return text


def _clause(fact: IndexFact, y: YearlyIndices) -> str:
    """One index's part of the situation sentence, in the order of reference 003."""
    t, row = y.text, fact.row
    style = t["indices"][fact.info.key]
    value = fill(style["value"], value=fmt_number(row["value"], trim=False), max=fmt_number(row["max"]))
    parts = [_change(fact, t, style)]
    gap = row["gap_to_mean"]
    if gap is not None:
        word = t["gap_up"] if gap > 0 else t["gap_down"]
        parts.append(t["gap_same"] if gap == 0 else fill(t["gap"], word=word, amount=_amount(gap, style)))
    parts.append(_rank(fact, t))
    if row["group"]:
        key = "group_size" if row["group_size"] else "group"
        parts.append(fill(t[key], group=row["group"], size=row["group_size"]))
    head = fill(t["clause"], name=fact.info.title, scope=_scope(y), value=value)
    return ", ".join([head, *(p for p in parts if p)])


def situation(y: YearlyIndices) -> str:
    """ "Năm 2024, Chỉ số Cải cách hành chính (PAR Index) của thành phố đạt 96,17 điểm, …; …."."""
    return fill(y.text["opening_year"], year=y.year) + "; ".join(_clause(f, y) for f in y.facts) + "."


def _document_date(y: YearlyIndices) -> date:
    issuer = y.params.schema.issuer if y.params.schema is not None else None
    return issuer.date if issuer is not None and issuer.date is not None else y.params.as_of


def merger_note(y: YearlyIndices) -> str | None:
    """For a province merged on 01/07/2025, whose values the years before the merger are, once the
    merger has happened (the report is of a later year, or written after it)."""
    found = merger(y.params.get("province", ""))
    if found is None:
        return None
    years = sorted({f.row["year"] for f in y.facts} | {f.previous["year"] for f in y.facts if f.previous is not None})
    before = [year for year in years if year < found.valid_from.year]
    if not before or (y.year < found.valid_from.year and _document_date(y) < found.valid_from):
        return None
    lists = {f.row["of"] for f in y.facts if f.row["year"] in before and f.row["of"]}
    lists |= {f.previous["of"] for f in y.facts if f.previous is not None and f.previous["year"] in before}
    joined = join_names([f"tỉnh {name}" for name in found.joined], ", ")
    known = province(y.params.get("province", ""))
    return fill(
        y.text["merged_before"],
        years=", ".join(str(year) for year in before),
        kind=known.kind if known is not None else _scope(y),
        name=found.former[0],
        joined=joined,
        date=fmt_date(found.valid_from),
        of=", ".join(str(n) for n in sorted(n for n in lists if n)) or "63",
    )


def _components(fact: IndexFact, t: dict[str, Any]) -> list[str]:
    listed = fact.components.head(t["components_listed"])
    return [
        fill(
            t["component_item"],
            word=fact.info.component_word,
            name=r["component"],
            value=fmt_number(r["value"], trim=False),
            max=fmt_number(r["max"]),
            lost=fmt_number(r["points_lost"], trim=False),
        )
        for r in listed.to_dict("records")
        if r["points_lost"] is not None and r["points_lost"] > 0
    ]


def _component_lines(y: YearlyIndices) -> list[str]:
    return [
        fill(y.text["components_line"], index=f.info.abbr, components=join_names(items, "; "))
        for f in y.facts
        if (items := _components(f, y.text))
    ]


def _fixes(y: YearlyIndices) -> list[str]:
    t = y.text
    fixes = [
        fill(
            t["fix_component"],
            word=f.info.component_word,
            name=r["component"],
            index=f.info.abbr,
            lost=fmt_number(r["points_lost"], trim=False),
        )
        for f in y.facts
        for r in f.components.head(t["components_listed"]).to_dict("records")
        if r["points_lost"] is not None and r["points_lost"] > 0
    ]
    return fixes or [t["fix_generic"]]


# Document -----------------------------------------------------------------------------------


def outline(y: YearlyIndices) -> Document:
    """The document in the form params choose: a công văn (default, as reference 003) or a báo cáo."""
    t = y.text
    y.tables.add("indices", y.table)
    doc = new_document(
        y.params,
        "yearly_indices",
        fill(t["title"], year=y.year),
        "",
        "cong_van",
        t["forms"],
        what=fill(t["what"], year=y.year, scope=_scope(y)),
    )
    framing = document_params(y.params)
    if doc.form == "cong_van":
        doc.subject = framing.subject or fill(t["subject"], year=y.year)
        doc.to = doc.to or [fill(line, scope=_scope(y)) for line in t["to_default"]]
        doc.sections.extend(_directive(y))
    else:
        doc.sections.extend(_report(y))
    doc.sections.append(_appendix(y, charts=doc.form == "cong_van"))
    return close(doc, y.params, t["forms"], y.tables)


def _situation_blocks(y: YearlyIndices) -> list[Block]:
    blocks: list[Block] = [Paragraph(situation(y))]
    note = merger_note(y)
    if note:
        blocks.append(Paragraph(note))
    lines = _component_lines(y)
    if lines:
        blocks += [Paragraph(y.text["components_intro"]), Bullets(lines)]
    return blocks + paragraphs(officer_text(y.params).results)


def _directive(y: YearlyIndices) -> list[Section]:
    t = y.text
    body = str((y.params.get("issuer") or {}).get("name") or "")
    close_key = "situation_close" if body else "situation_close_anonymous"
    opening = [*_situation_blocks(y), Paragraph(fill(t[close_key], scope=_scope(y), body=body))]
    fixes = _fixes(y)
    focus = t["all_units_focus"] if fixes else "."
    tasks: list[Block] = [
        Paragraph(f"1. {t['all_units']}"),
        Paragraph(fill(t["all_units_lead"], year=y.year, scope=_scope(y), focus=focus)),
        Bullets(fixes),
    ]
    tasks.extend(officer_tasks(y.params, 1)[0])
    return [Section("tinh-hinh", "", opening), Section("nhiem-vu", "", tasks)]


def _report(y: YearlyIndices) -> list[Section]:
    t = y.text
    results = Section("ket-qua", t["results_heading"], [*_situation_blocks(y), _year_table(y), *_charts(y)])
    lines = _component_lines(y)
    shortcomings = Section(
        "ton-tai",
        t["shortcomings_heading"],
        [Bullets(lines)] if lines else [Paragraph(t["no_components"])],
    )
    shortcomings.blocks.extend(paragraphs(officer_text(y.params).causes))
    fixes = _fixes(y)
    proposals = Section(
        "de-xuat",
        t["proposals_heading"],
        [Paragraph(fill(t["proposals_intro"], scope=_scope(y))), Bullets(fixes, numbered=True)],
    )
    proposals.blocks.extend(officer_tasks(y.params, len(fixes))[0])
    return [results, shortcomings, proposals]


def _rank_text(rank: object, of: object) -> str | None:
    if rank is None:
        return None
    return f"{rank}/{of}" if of else str(rank)


def _shown(frame: pd.DataFrame, y: YearlyIndices) -> pd.DataFrame:
    shown = frame.copy()
    shown["index_vi"] = [index_info(k).abbr for k in shown["index"]]
    shown["value_vi"] = [fmt_number(v, trim=False) for v in shown["value"]]
    shown["rank_vi"] = [_rank_text(r, o) for r, o in zip(shown["rank"], shown["of"], strict=True)]
    styles = [y.text["indices"][k] for k in shown["index"]]
    shown["change_vi"] = [_signed(c, style) for c, style in zip(shown["change"], styles, strict=True)]
    shown["gap_vi"] = [_signed(g, style) for g, style in zip(shown["gap_to_mean"], styles, strict=True)]
    return shown


def _year_table(y: YearlyIndices) -> Block:
    rows = pd.DataFrame([f.row for f in y.facts], dtype=object)
    return y.tables.block(
        "indices_year",
        fill(y.text["table_caption"], province=_name(y), year=y.year),
        _shown(rows, y),
        [
            Col("index_vi", "Chỉ số"),
            Col("value_vi", "Kết quả", "given"),
            Col("max", "Tối đa", "points"),
            Col("change_vi", "So với năm trước", "given"),
            Col("gap_vi", "So với trung bình cả nước", "given"),
            Col("rank_vi", "Xếp hạng", "given"),
            Col("group", "Nhóm"),
        ],
        machine=rows,
    )


def _own_rows(y: YearlyIndices) -> pd.DataFrame:
    """The table's rows of the params' province (others, given for comparison, stay in ``indices.csv``)."""
    return y.table[[same_province(p, y.params.get("province", "")) for p in y.table["province"]]]


def _charts(y: YearlyIndices) -> list[Block]:
    """Each index over the years beside the national mean; the components of the year against their maxima."""
    blocks: list[Block] = []
    name = _name(y)
    mine = _own_rows(y)
    for f in y.facts:
        series = mine[(mine["index"] == f.info.key) & (mine["component"] == "")]
        if len(series) >= 2:
            years = [str(v) for v in series["year"]]
            chart = Chart(
                "trend_chart",
                {
                    "dates": years,
                    # a legend's entry stands alone: "Thành phố Hải Phòng" beside "Trung bình cả nước"
                    "series": {
                        capitalized(name): list(series["value"]),
                        "Trung bình cả nước": list(series["national_mean"]),
                    },
                    "title": f"{f.info.abbr} của {name} qua các năm",
                    "ylabel": f"Điểm (tối đa {fmt_number(f.info.max)})",
                },
            )
            alt = f"Biểu đồ đường {f.info.abbr} của {name} qua các năm " + "; ".join(
                f"{yr}: {fmt_number(v, trim=False)}" for yr, v in zip(years, series["value"], strict=True)
            )
            blocks.append(
                Figure(
                    f"trend_{f.info.key}",
                    f"{f.info.abbr} của {name} qua các năm",
                    alt + ".",
                    chart,
                    series[["year", "value", "national_mean", "rank", "of"]],
                )
            )
        parts = f.components
        if len(parts):
            chart = Chart(
                "group_points_chart",
                {
                    "labels": list(parts["component"]),
                    "points": list(parts["value"]),
                    "maxima": list(parts["max"]),
                    "title": f"{f.info.abbr} năm {y.year}: điểm các {f.info.component_word}",
                },
            )
            alt = (
                f"Biểu đồ thanh ngang điểm đạt so với điểm tối đa của các {f.info.component_word} của {f.info.abbr} "
                f"năm {y.year}: "
                + "; ".join(
                    f"{r['component']} {fmt_number(r['value'], trim=False)}/{fmt_number(r['max'])}"
                    for r in parts.to_dict("records")
                )
            )
            blocks.append(
                Figure(
                    f"components_{f.info.key}",
                    f"Điểm các {f.info.component_word} của {f.info.abbr} năm {y.year}",
                    alt + ".",
                    chart,
                    parts[["component", "value", "max", "points_lost"]],
                )
            )
    return blocks


def _appendix(y: YearlyIndices, charts: bool) -> Section:
    mine = _own_rows(y)
    shown = _shown(mine, y)
    shown["component_vi"] = [c or "Chỉ số chung" for c in shown["component"]]
    blocks: list[Block] = [
        y.tables.block(
            "appendix_indices",
            y.text["appendix_title"],
            shown,
            [
                Col("index_vi", "Chỉ số"),
                Col("year", "Năm"),
                Col("component_vi", "Nội dung"),
                Col("value_vi", "Kết quả", "given"),
                Col("max", "Tối đa", "points"),
                Col("change_vi", "So với năm trước", "given"),
                Col("gap_vi", "So với trung bình cả nước", "given"),
                Col("rank_vi", "Xếp hạng", "given"),
            ],
            machine=mine,
        )
    ]
    if charts:
        blocks.extend(_charts(y))
    return appendix("phu-luc-chi-so", 1, y.text["appendix_title"], blocks)
