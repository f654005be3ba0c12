"""One unit's period report (``unit_report``): its groups, ranks and points lost at each as-of date.

Ranks follow CONTRACT.md: the portal's own rank (the score table's ``rank`` column) is kept as given.
A rank is computed here only from every unit the portal ranks: a portal snapshot (the portal's own list
of the province's units) or a score table holding, at that date, a total for every unit of the tier in
the unit registry. A rank is written "46/148" only when that number of units is known, else "46"; a
rank nobody gave and that cannot be computed from every unit is not stated at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from chiso766.compute.pipeline import build_history, build_scorecard
from chiso766.compute.ranking import competition_rank
from chiso766.compute.scorecard import ScoreCard
from chiso766.compute.scoring import group_ratio
from chiso766.core.errors import InputError
from chiso766.core.methodology import GROUP_KEYS, Group
from chiso766.core.params import Params, load_params
from chiso766.core.provinces import province_scope
from chiso766.core.textvi import fmt_count, fmt_date, fmt_number, fmt_points, in_sentence, name_key
from chiso766.ingest.units import Registry, params_registry
from chiso766.report.model import Col, ScoredReport, TableSet, close, new_document, officer_text, paragraphs
from chiso766.report.narrative import fill, phrasings, tier_plural, wording_file
from chiso766.report.outline import Block, Bullets, Chart, Document, Figure, Heading, Paragraph, Section

__all__ = ["UnitReport", "build", "outline", "wording", "lead"]


def wording() -> dict[str, Any]:
    """The unit report's sentences (``report/unit_report.yaml``) with the document forms of phrasings.yaml."""
    return {"forms": phrasings()["forms"], **wording_file("unit_report.yaml")}


@dataclass
class UnitReport(ScoredReport):
    params: Params
    card: ScoreCard
    unit: pd.Series
    # one row per as-of date: groups, total, rank (``rank_of``, ``rank_source``), group ranks, lost points
    history: pd.DataFrame
    text: dict[str, Any]
    components: pd.DataFrame = field(default_factory=pd.DataFrame)  # the unit's components (snapshot)
    from_snapshot: bool = False  # a portal snapshot: the portal's own list of the province's units
    tables: TableSet = field(default_factory=TableSet)

    def document_extra(self) -> dict[str, Any]:
        # the figures are "tính đến" the last date of the data, not the period's end
        return {**super().document_extra(), "as_of": _last_date(self).isoformat()}


def _find(units: pd.DataFrame, wanted: str, source: Path | None) -> pd.Series:
    key = name_key(wanted)
    hits = units[
        (units["unit_code"].fillna("").str.casefold() == wanted.casefold()) | (units["unit_name"].map(name_key) == key)
    ]
    if hits.empty:
        raise InputError(f"không tìm thấy đơn vị «{wanted}» trong dữ liệu", source, column="unit")
    return hits.iloc[0]


def _given(row: pd.Series, column: str) -> int | None:
    """A rank the input gave (a positive whole number), ``None`` when absent or empty."""
    value = row.get(column)
    if value is None or (isinstance(value, float) and value != value):
        return None
    return int(value)


def _tier_keys(registry: Registry, tier: str) -> set[str]:
    """The registry's units of one tier, keyed as the score card keys them."""
    return {u.code or name_key(u.name) for u in registry.units if u.tier == tier}


def _history(
    card: ScoreCard, unit: pd.Series, registry: Registry, from_snapshot: bool, until: date | None
) -> pd.DataFrame:
    """The unit's row at each as-of date, with every rank that is known (see the module's docstring)."""
    units = card.units
    tier = str(unit["tier"])
    peers = units[units["tier"] == tier]
    expected = _tier_keys(registry, tier) if tier != "tinh" else set()
    rows = []
    for as_of, part in peers.groupby("as_of", sort=True, dropna=False):
        if until is not None and isinstance(as_of, date) and as_of > until:
            continue
        mine = part[part["unit_key"] == unit["unit_key"]]
        if mine.empty:
            continue
        me = mine.iloc[0]
        index = list(part.index).index(mine.index[0])
        totals = list(part["total"])
        ranked = sum(t is not None for t in totals)
        present = {k for k, t in zip(part["unit_key"], totals, strict=True) if t is not None}
        # every unit the portal ranks is here: the portal's own list, or every registered unit of the tier
        complete = tier != "tinh" and (from_snapshot or (len(expected) > 1 and expected <= present))
        computed = competition_rank(totals)[index] if complete else None
        portal = _given(me, "portal_rank")
        row: dict[str, Any] = {"as_of": as_of}
        for group in card.method.groups:
            row[group.key] = me[group.key]
        row["total"] = me["total"]
        if portal is not None:
            given_of = _given(me, "portal_rank_of")
            of = given_of if given_of is not None else (ranked if complete and portal <= ranked else None)
            row |= {"rank": portal, "rank_of": of, "rank_source": "portal"}
            row["rank_of_source"] = None if of is None else ("given" if given_of is not None else "registry")
        else:
            row |= {"rank": computed, "rank_of": ranked if computed is not None else None}
            row["rank_source"] = "computed" if computed is not None else None
            row["rank_of_source"] = "computed" if computed is not None else None
        row["rank_computed"] = computed
        for group in card.method.groups:
            given_rank = _given(me, f"portal_rank_{group.key}")
            values = list(part[group.key])
            if given_rank is not None:
                row[f"rank_{group.key}"] = given_rank
                row[f"of_{group.key}"] = _given(me, f"portal_rank_{group.key}_of")
                row[f"rank_{group.key}_source"] = "portal"
            elif complete and me[group.key] is not None:
                row[f"rank_{group.key}"] = competition_rank(values)[index]
                row[f"of_{group.key}"] = sum(v is not None for v in values)
                row[f"rank_{group.key}_source"] = "computed"
            else:
                row[f"rank_{group.key}"] = row[f"of_{group.key}"] = row[f"rank_{group.key}_source"] = None
        for group in card.method.groups:
            row[f"lost_{group.key}"] = None if row[group.key] is None else group.max - row[group.key]
        row["lost_total"] = None if row["total"] is None else card.method.max_total - row["total"]
        rows.append(row)
    return pd.DataFrame(rows, dtype=object)


def _with_history(params: Params, card: ScoreCard) -> ScoreCard:
    """The card with the earlier periods of ``inputs.history`` as earlier as-of dates, when params give one."""
    points = build_history(params, card)
    if not points or len(points) < 2:
        return card
    earlier = [p.card.units.assign(as_of=p.as_of) for p in points[:-1]]
    return replace(card, units=pd.concat([*earlier, card.units], ignore_index=True).astype(object))


def build(params: Params | str | Path, overrides: list[str] | None = None) -> UnitReport:
    """One unit's history from a score table with several as-of dates (or one snapshot), and from the
    earlier periods of ``inputs.history``."""
    if not isinstance(params, Params):
        params = load_params(params, overrides)
    card = build_scorecard(params, states_as_of=False)  # its heading gives its last figures' date
    unit = _find(card.units, str(params.get("unit")), params.path)
    registry = params_registry(params)
    source = params.inputs.get("portal", params.inputs.get("scores"))
    from_snapshot = source is not None and source.is_dir()
    history = _history(_with_history(params, card), unit, registry, from_snapshot, params.as_of)
    if history.empty:
        raise InputError(
            f"không có số liệu của «{unit['unit_name']}» đến ngày {fmt_date(params.as_of)}", source, column="as_of"
        )
    components = card.components
    mine = components[components["unit_key"] == unit["unit_key"]] if not components.empty else components
    return UnitReport(params, card, unit, history, wording(), mine.reset_index(drop=True), from_snapshot)


# ---------------------------------------------------------------------------------------------------
# Sentences


def _last_date(report: UnitReport) -> date:
    last = report.history.iloc[-1]["as_of"]
    return last if isinstance(last, date) else report.params.as_of


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``frame`` as mappings of Python values (exact decimals, ``None``)."""
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _texts(values: Iterable[str | None], index: pd.Index) -> pd.Series:
    """A column of displayed text (``None`` where nothing is known)."""
    return pd.Series(list(values), index=index, dtype=object)


def _known(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and value != value)


def _rank_text(rank: object, of: object) -> str:
    """``46/148`` when the number of ranked units is known, else ``46``."""
    return f"{fmt_count(rank)}/{fmt_count(of)}" if _known(of) else fmt_count(rank)


def _lost_groups(report: UnitReport, row: pd.Series) -> list[Group]:
    """The groups that lost points at ``row``, most first (ties: methodology order)."""
    lost = [g for g in report.method.groups if _known(row[f"lost_{g.key}"]) and row[f"lost_{g.key}"] > 0]
    return sorted(lost, key=lambda g: (-row[f"lost_{g.key}"], g.order))


def lead(report: UnitReport) -> list[str]:
    """Part I's message: total, band and rank at the last date; total and rank over the dates; points lost."""
    words, unit, history = report.text["lead"], report.unit, report.history
    name = str(unit["unit_name"])
    latest = history.iloc[-1]
    values = {
        "unit": in_sentence(name),  # after the date: within the sentence
        "date": fmt_date(_last_date(report)),
        "tier_plural": tier_plural(str(unit["tier"])),
        "scope": province_scope(report.params.get("province")),
    }
    rank_phrase = ""
    if _known(latest["rank"]):
        key = "rank_of" if _known(latest["rank_of"]) else "rank"
        rank_phrase = fill(words[key], rank=fmt_count(latest["rank"]), of=fmt_count(latest["rank_of"] or 0), **values)
    lines: list[str] = []
    if _known(latest["total"]):
        # no grade band: a signed report does not grade a unit by a dashboard's scale (data/grades.csv)
        lines.append(fill(words["total"], total=fmt_points(latest["total"]), rank_phrase=rank_phrase, **values))
    else:
        missing = [g.name_vi for g in report.method.groups if not _known(latest[g.key])]
        lines.append(fill(words["no_total"], groups=", ".join(missing), rank_phrase=rank_phrase, **values))
    moves = _moves(report)
    if moves:
        lines.append(moves)
    if _known(latest["total"]):
        lost = _lost_groups(report, latest)
        if lost:
            named = [
                fill(words["lost_group"], group=g.name_vi, lost=fmt_points(latest[f"lost_{g.key}"])) for g in lost[:2]
            ]
            lines.append(fill(words["lost"], lost=fmt_points(latest["lost_total"]), groups=" và ".join(named)))
        else:
            lines.append(fill(words["lost_none"], unit=name))
    return lines


def _moves(report: UnitReport) -> str:
    """ "Từ ngày …, tổng điểm tăng từ … lên … điểm nhưng thứ hạng giảm từ … xuống …." (and what it means)."""
    words, history = report.text["lead"], report.history
    dated = history[[_known(t) for t in history["total"]]]
    if len(dated) < 2:
        return ""
    first, last = dated.iloc[0], dated.iloc[-1]
    change = last["total"] - first["total"]
    total_way = (change > 0) - (change < 0)
    key = {1: "total_up", -1: "total_down", 0: "total_same"}[total_way]
    parts = [fill(words[key], before=fmt_points(first["total"]), after=fmt_points(last["total"]))]
    rank_way: int | None = None
    if _known(first["rank"]) and _known(last["rank"]):
        rank_way = (first["rank"] > last["rank"]) - (first["rank"] < last["rank"])  # +1: moved up
        key = {1: "rank_up", -1: "rank_down", 0: "rank_same"}[rank_way]
        parts.append(fill(words[key], before=fmt_count(first["rank"]), after=fmt_count(last["rank"])))
    text = parts[0]
    if rank_way is not None:
        text += (words["agree"] if rank_way == total_way else words["contrast"]) + parts[1]
    sentence = fill(words["over_dates"], first=fmt_date(first["as_of"]), last=fmt_date(last["as_of"]), moves=text)
    if total_way > 0 and rank_way == -1:
        sentence += " " + fill(words["overtaken"], unit=in_sentence(str(report.unit["unit_name"])))
    return sentence


def _where(report: UnitReport, group: Group) -> str:
    """Which components lost the group's points (a snapshot carries them): the few that hold most of it."""
    words = report.text["unit_analysis"]
    comp = report.components
    if comp.empty:
        return ""
    losses: list[tuple[Decimal, dict[str, Any]]] = []
    for row in _records(comp[comp["group"] == group.key]):
        if row["max"] is None or row["max"] <= 0:
            continue  # monitoring only
        lost: Decimal = row["max"] - (row["points"] if row["points"] is not None else 0)
        if lost > 0:
            losses.append((lost, row))
    if not losses:
        return ""
    losses.sort(key=lambda pair: -pair[0])
    whole = sum(lost for lost, _ in losses)
    chosen: list[tuple[Decimal, dict[str, Any]]] = []
    covered = Decimal(0)
    for lost, row in losses[:2]:
        chosen.append((lost, row))
        covered += lost
        if covered * 3 >= whole * 2:  # two thirds of the group's loss are named
            break
    named = []
    for lost, row in chosen:
        component = report.method.component(str(row["component"]))
        if row["rate"] is not None:
            value = fill(words["value_rate"], rate=fmt_number(row["rate"], 2) + "%")
        elif row["denominator"] == 0:
            value = words["value_none"]
        else:
            value = words["value_missing"]
        title = (
            component.name_vi
            if component.name_vi[:2].isupper()
            else component.name_vi[0].lower() + component.name_vi[1:]
        )
        named.append(fill(words["component"], id=component.id, name=title, value=value, lost=fmt_points(lost)))
    key = "where_one" if len(losses) == 1 else "where_many"
    return fill(words[key], components=words["component_and"].join(named))


def _analysis(report: UnitReport) -> list[str]:
    """One line per group: points, points lost (and where), group rank when known, change over the dates."""
    words, history = report.text["unit_analysis"], report.history
    latest, first = history.iloc[-1], history.iloc[0]
    tier = tier_plural(str(report.unit["tier"]))
    lost_first = _lost_groups(report, latest)
    rest = [g for g in report.method.groups if g not in lost_first]
    lines = []
    for group in [*lost_first, *rest]:
        points = latest[group.key]
        if not _known(points):
            lines.append(fill(words["missing"], group=group.name_vi))
            continue
        rank = ""
        if _known(latest[f"rank_{group.key}"]) and _known(latest[f"of_{group.key}"]):
            rank = fill(
                words["rank"],
                rank=fmt_count(latest[f"rank_{group.key}"]),
                of=fmt_count(latest[f"of_{group.key}"]),
                tier_plural=tier,
            )
        change = ""
        if len(history) > 1 and _known(first[group.key]):
            amount = points - first[group.key]
            key = "change_up" if amount > 0 else ("change_down" if amount < 0 else "change_same")
            change = fill(words[key], first=fmt_date(first["as_of"]), amount=fmt_points(abs(amount)))
        if points == group.max:
            lines.append(fill(words["full"], group=group.name_vi, max=fmt_number(group.max), rank=rank, change=change))
            continue
        lines.append(
            fill(
                words["lost"],
                group=group.name_vi,
                points=fmt_points(points),
                max=fmt_number(group.max),
                ratio=fmt_number(group_ratio(points, group), 2) + "%",
                lost=fmt_points(latest[f"lost_{group.key}"]),
                where=_where(report, group),
                rank=rank,
                change=change,
            )
        )
    return lines


def _measures(report: UnitReport) -> list[str]:
    """One measure per group that lost points, most first, then the officer's own tasks."""
    latest = report.history.iloc[-1]
    lines = [
        fill(
            report.text["measure"],
            group=g.name_vi,
            lost=fmt_points(latest[f"lost_{g.key}"]),
            measure=report.text["unit_measures"][g.key],
        )
        for g in _lost_groups(report, latest)
    ]
    for line in (officer_text(report.params).instructions or "").splitlines():
        line = line.strip()
        line = line[2:].strip() if line.startswith("- ") else line
        if line:
            lines.append(line)
    return lines


def _dates(rows: Iterable[object]) -> str:
    return ", ".join(fmt_date(d) for d in rows if isinstance(d, date))


def _notes(report: UnitReport) -> list[str]:
    """Where each rank and band comes from, and the unit's data warnings: the web page's notes only."""
    words, history = report.text["notes"], report.history
    values = {
        "tier_plural": tier_plural(str(report.unit["tier"])),
        "scope": province_scope(report.params.get("province")),
    }
    lines = []
    portal = history[history["rank_source"] == "portal"]
    if len(portal):
        lines.append(fill(words["rank_portal"], dates=_dates(portal["as_of"])))
        of = portal[[_known(o) for o in portal["rank_of"]]]
        if len(of):
            key = "rank_portal_of_given" if of.iloc[-1]["rank_of_source"] == "given" else "rank_portal_of"
            lines.append(fill(words[key], of=fmt_count(of.iloc[-1]["rank_of"]), **values))
        if len(of) < len(portal):
            lines.append(words["rank_portal_no_of"])
    computed = history[history["rank_source"] == "computed"]
    if len(computed):
        lines.append(
            fill(
                words["rank_computed_snapshot" if report.from_snapshot else "rank_computed"],
                dates=_dates(computed["as_of"]),
                of=fmt_count(computed.iloc[-1]["rank_of"]),
                **values,
            )
        )
    unranked = history[[not _known(s) for s in history["rank_source"]]]
    if len(unranked):
        lines.append(fill(words["rank_none"], dates=_dates(unranked["as_of"]), **values))
    for row in _records(portal):
        if _known(row["rank_computed"]) and row["rank_computed"] != row["rank"]:
            lines.append(
                fill(
                    words["rank_differs"],
                    date=fmt_date(row["as_of"]),
                    portal=fmt_count(row["rank"]),
                    computed=fmt_count(row["rank_computed"]),
                    of=fmt_count(row["rank_of"]),
                )
            )
    group_sources = {history.iloc[-1][f"rank_{g}_source"] for g in GROUP_KEYS}
    if group_sources == {None}:
        lines.append(words["group_ranks_none"])
    elif "computed" in group_sources:
        lines.append(fill(words["group_ranks_computed"], **values))
    if not report.components.empty:
        differences = report.card.differences
        count = int((differences["unit_code"] == report.unit["unit_code"]).sum()) if len(differences) else 0
        found = fill(words["differences"], count=fmt_count(count)) if count else words["no_differences"]
        lines.append(fill(words["components"], differences=found))
    name = str(report.unit["unit_name"])
    warnings = [w for w in report.card.diagnostics.items if w.unit in {name, str(report.unit["unit_code"]), ""}]
    lines.extend(fill(words["warning"], message=w.message.rstrip(".")) for w in warnings)
    if not warnings:
        lines.append(words["none"])
    return lines


# ---------------------------------------------------------------------------------------------------
# The document


def _scores_block(report: UnitReport) -> Block:
    history, method, text = report.history, report.method, report.text
    machine = history[
        [
            "as_of",
            *GROUP_KEYS,
            "total",
            "rank",
            *(f"lost_{g}" for g in GROUP_KEYS),
            "rank_of",
            "rank_source",
            "lost_total",
        ]
    ]
    ranked = any(_known(r) for r in history["rank"])
    shown = machine.assign(
        as_of_vi=[fmt_date(d) for d in history["as_of"]],
        rank_vi=_texts(
            (_rank_text(r, o) if _known(r) else None for r, o in zip(history["rank"], history["rank_of"], strict=True)),
            history.index,
        ),
    )
    cols = [
        Col("as_of_vi", "Tính đến ngày"),
        *(Col(g.key, f"{g.short_vi} ({fmt_number(g.max)})", "points") for g in method.groups),
        Col("total", "Tổng (100)", "points"),
    ]
    if ranked:
        cols.append(Col("rank_vi", "Thứ hạng", "text"))
    caption = text["table_scores"] if ranked else text["table_scores_no_rank"]
    table = report.tables.block("unit_scores", caption, shown, cols, machine=machine)
    table.align = ["r" if c != "Tính đến ngày" else "l" for c in table.columns]
    return table


def _group_ranks_block(report: UnitReport, values: dict[str, str]) -> Block | None:
    """Each group's rank at each date, only when the data give (or every unit allows) group ranks."""
    history, method = report.history, report.method
    if not any(_known(history[f"rank_{g}"].iloc[i]) for g in GROUP_KEYS for i in range(len(history))):
        return None
    frame = history[["as_of", *(f"rank_{g}" for g in GROUP_KEYS), *(f"of_{g}" for g in GROUP_KEYS)]]
    shown = frame.assign(
        as_of_vi=[fmt_date(d) for d in frame["as_of"]],
        **{
            f"rank_{g}_vi": _texts(
                (
                    _rank_text(r, o) if _known(r) else None
                    for r, o in zip(frame[f"rank_{g}"], frame[f"of_{g}"], strict=True)
                ),
                frame.index,
            )
            for g in GROUP_KEYS
        },
    )
    table = report.tables.block(
        "unit_group_ranks",
        fill(report.text["table_group_ranks"], **values),
        shown,
        [Col("as_of_vi", "Tính đến ngày"), *(Col(f"rank_{g.key}_vi", g.short_vi, "text") for g in method.groups)],
        machine=frame,
    )
    table.align = ["r" if c != "Tính đến ngày" else "l" for c in table.columns]
    return table


def _lost_block(report: UnitReport) -> Block:
    latest, method = report.history.iloc[-1], report.method
    rows = [
        {
            "group": g.key,
            "group_name": g.name_vi,
            "max": g.max,
            "points": latest[g.key],
            "lost": latest[f"lost_{g.key}"],
        }
        for g in method.groups
    ]
    rows.append(
        {
            "group": "total",
            "group_name": report.text["total_row"],
            "max": method.max_total,
            "points": latest["total"],
            "lost": latest["lost_total"],
        }
    )
    frame = pd.DataFrame(rows, dtype=object)
    return report.tables.block(
        "unit_points_lost",
        fill(report.text["table_lost"], date=fmt_date(_last_date(report))),
        frame,
        [
            Col("group_name", "Nhóm chỉ số"),
            Col("max", "Điểm tối đa", "points"),
            Col("points", "Điểm đạt", "points"),
            Col("lost", "Điểm bị mất", "points"),
        ],
        totals=1,
    )


def _trend(report: UnitReport) -> Figure | None:
    history, method, unit = report.history, report.method, report.unit
    if len(history) < 2:
        return None
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
    totals = [t for t in history["total"] if _known(t)]
    alt = (
        f"Biểu đồ đường tỷ lệ đạt của sáu nhóm chỉ số của {in_sentence(str(unit['unit_name']))} "
        f"tại {len(dates)} thời điểm từ "
        f"{dates[0]} đến {dates[-1]}"
        + (f"; tổng điểm từ {fmt_points(totals[0])} đến {fmt_points(totals[-1])}." if len(totals) > 1 else ".")
    )
    data = pd.DataFrame(
        {
            "as_of": list(history["as_of"]),
            **{g.key: list(history[g.key]) for g in method.groups},
            "total": list(history["total"]),
        },
        dtype=object,
    )
    return Figure("unit_trend", report.text["figure"], alt, chart, data)


def outline(report: UnitReport) -> Document:
    """The report: I. results and ranks over the dates, II. analysis per group (and causes), III. measures."""
    params, unit, text = report.params, report.unit, report.text
    period = params.period.describe_vi()
    values = {"tier_plural": tier_plural(str(unit["tier"])), "scope": province_scope(params.get("province"))}
    doc = new_document(
        params,
        "unit_report",
        fill(text["title"], unit=in_sentence(str(unit["unit_name"])), period=period),
        fill(text["subtitle"], date=fmt_date(_last_date(report))),
        "bao_cao",
        text["forms"],
        what=fill(text["what" if (params.get("issuer") or {}).get("name") else "what_anonymous"], period=period),
    )
    sections = text["sections"]
    officer = officer_text(params)

    results = Section(
        "ket-qua",
        sections["results"],
        [Paragraph(line, "lead" if i == 0 else "body") for i, line in enumerate(lead(report))],
    )
    results.blocks.append(_scores_block(report))
    group_ranks = _group_ranks_block(report, values)
    if group_ranks is not None:
        results.blocks.append(group_ranks)
    results.blocks.append(_lost_block(report))
    trend = _trend(report)
    if trend is not None:
        results.blocks.append(trend)
    results.blocks.extend(paragraphs(officer.results))
    doc.sections.append(results)

    causes = paragraphs(officer.causes)
    analysis: list[Block] = [Bullets(_analysis(report))]
    if causes:
        analysis = [Heading(sections["shortcomings"]), *analysis, Heading(sections["causes"]), *causes]
    doc.sections.append(Section("phan-tich", sections["analysis_with_causes" if causes else "analysis"], analysis))

    measures = _measures(report)
    if measures:
        doc.sections.append(Section("giai-phap", sections["measures"], [Bullets(measures, numbered=True)]))
    # where each figure comes from: on the web page, under the document; never in the signed PDF
    doc.sections.append(Section("ghi-chu-so-lieu", sections["notes"], [Bullets(_notes(report))], pdf=False))
    return close(doc, params, text["forms"], report.tables)
