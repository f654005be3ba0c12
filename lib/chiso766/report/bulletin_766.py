"""The province bulletin (``bulletin_766``): its model, narrative and outline.

The model holds the score card and the facts of :mod:`chiso766.compute.facts`; the narrative
phrases them with the wording of ``bulletin_766.yaml``; the outline lays out a báo cáo (reference
000) or a công văn (a directive naming the bottom group). Nothing here computes a score or touches a
file.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from chiso766.compute.facts import (
    DossierFacts,
    below_target,
    bottom_group,
    dossier_facts,
    grades,
    group_targets,
    idle_losses,
    latest,
    lowest,
    no_data_groups,
    province_extremes,
    tier_members,
    with_ratios,
)
from chiso766.compute.history import Point, history_table
from chiso766.compute.national import National
from chiso766.compute.pipeline import (
    build_history,
    build_monthly,
    build_national,
    build_previous,
    build_procedures,
    build_scorecard,
    build_unit_results,
    card_tables,
    warnings_table,
)
from chiso766.compute.procedures import procedure_summary
from chiso766.compute.reconcile import stake_total
from chiso766.compute.scorecard import COMPONENT_COLUMNS, ScoreCard
from chiso766.compute.stakes import points_at_stake, province_holders, systemic, unit_actions
from chiso766.core.dashboard import grade_bands
from chiso766.core.methodology import GROUP_KEYS, Group, methodology_table, province_count
from chiso766.core.params import BottomRule, Params, load_params
from chiso766.core.provinces import province, province_scope
from chiso766.core.targets import Target
from chiso766.core.textvi import capitalized, fmt_date, fmt_number, fmt_percent, fmt_points, in_sentence
from chiso766.report.actions import unit_action_text
from chiso766.report.model import (
    Col,
    ScoredReport,
    TableSet,
    appendix,
    close,
    commune_words,
    derived,
    document_params,
    format_rows,
    new_document,
    officer_tasks,
    officer_text,
    paragraphs,
    provisional,
    table_block,
)
from chiso766.report.narrative import fill, headline, join_names, phrasings, tier_plural, when_phrase, wording_file
from chiso766.report.outline import Block, Bullets, Chart, Details, Document, Figure, Heading, Paragraph, Section
from chiso766.report.trends import change_words, history_blocks, monthly_blocks, point_words

__all__ = ["Bulletin", "build", "outline", "LETTERS", "wording"]

LETTERS = ("a", "b", "c", "d", "đ", "e", "g", "h")
_TIERS = (("so", "sở, ban, ngành"), ("xa", "xã, phường, đặc khu"))
_LEVELS = {"component": "chỉ số thành phần", "group": "nhóm", "total": "tổng điểm"}


def wording(custom: str | Path | None = None) -> dict[str, Any]:
    """The bulletin's wording: the shared phrasings, this kind's own, then a params file's (``options.phrasings``)."""
    merged = dict(phrasings()) | wording_file("bulletin_766.yaml")
    return merged | dict(phrasings(custom)) if custom else merged


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
    stakes: pd.DataFrame | None = None  # points at stake, when the input carries components
    history: list[Point] | None = None  # earlier periods, oldest first, then this one
    monthly: pd.DataFrame | None = None  # the portal's monthly on-time and overdue shares
    history_frame: pd.DataFrame | None = None  # the history as a table
    national: National | None = None  # the province among the 34
    procedures: pd.DataFrame | None = None  # what the procedures of the snapshot cost the province
    unit_results: pd.DataFrame | None = None  # the portal's list of the province's units beside our totals
    _derived: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def tier(self, tier: str) -> pd.DataFrame:
        """:func:`tier_members` of the units, sorted once per units table (:func:`derived`): the outline
        asks it dozens of times."""
        return derived(self._derived, tier, (self.units,), lambda: tier_members(self.units, tier))

    @property
    def idle(self) -> set[tuple[str, str]]:
        """:func:`no_data_groups` of the card, found once per card: the outline asks it for every unit."""
        return derived(self._derived, "idle", (self.card,), lambda: no_data_groups(self.card))

    def actions(self, unit_code: object) -> str | None:
        """The unit's few actions that win back most points, as one phrase (:func:`unit_actions`, found
        once for every unit of the points at stake: the outline asks for each unit it names)."""
        stakes, count = self.stakes, self.text["actions_per_unit"]
        if stakes is None:
            return None
        by_unit = derived(self._derived, ("actions", count), (stakes,), lambda: unit_actions(stakes, count))
        return unit_action_text(by_unit.get(str(unit_code)), self.text)

    @property
    def idle_losses(self) -> dict[tuple[str, str], list[str]]:
        """:func:`idle_losses` of the card: where a unit lost points for having nothing to count."""
        return derived(self._derived, "idle_losses", (self.card,), lambda: idle_losses(self.card))

    @property
    def has_groups(self) -> bool:
        """Whether the input gives any group (a score table of totals only does not)."""
        return any(self.units[g].notna().any() for g in GROUP_KEYS)


def build(params: Params | str | Path, overrides: list[str] | None = None) -> Bulletin:
    """Score the params' inputs and gather the facts the bulletin states; its computed tables (the
    scores, points at stake, national standing, unit results and history) are registered (``b.tables``).

    ``params`` is validated params or the path of a params file (then ``overrides`` apply).
    """
    if not isinstance(params, Params):
        params = load_params(params, overrides)
    card = build_scorecard(params)
    history = build_history(params, card)
    previous = build_previous(params, history)
    # the computed tables are registered as soon as they are final (a run's worker makes their files
    # meanwhile, while the dossiers are read); the outline registers the tables it shows after them
    tables = TableSet()
    for name, frame in card_tables(card, previous).items():
        tables.add(name, frame)
    options = params.get("options") or {}
    text = wording(options.get("phrasings"))
    units = with_ratios(latest(card.units), card.method, no_data_groups(card))
    provinces = units[units["tier"] == "tinh"]
    b = Bulletin(
        params,
        card,
        previous,
        units,
        provinces.iloc[0] if len(provinces) else None,
        group_targets(params.get("targets"), card.method),
        text,
        tables,
        dossiers=dossier_facts(params, card),
        stakes=None if card.components.empty else points_at_stake(card),
        history=history,
        monthly=build_monthly(params),
        national=build_national(params, card),
        procedures=build_procedures(params, card),
        unit_results=build_unit_results(params, card),
    )
    b.tables.add("warnings", warnings_table(card.diagnostics))  # every input read, each one's said
    if b.stakes is not None:
        b.tables.add("points_at_stake", b.stakes)
    if b.national is not None:
        b.tables.add("national", b.national.table)
    if b.unit_results is not None:
        b.tables.add("unit_results", b.unit_results)
    if b.history is not None:
        b.history_frame = history_table(b.history)
        b.tables.add("history", b.history_frame.drop(columns=["unit_key"]))
    return b


# Text ---------------------------------------------------------------------------------------


def _province_name(b: Bulletin) -> str:
    if b.province is not None:
        return str(b.province["unit_name"])
    named = province(b.params.get("province", ""))
    if named is not None:
        return named.title
    return f"{province_scope(b.params.get('province', '')).capitalize()} {b.params.get('province', '')}".strip()


def _scope(b: Bulletin) -> str:
    """``thành phố`` or ``tỉnh``, as in "toàn thành phố"."""
    return province_scope(b.province["unit_name"] if b.province is not None else b.params.get("province", ""))


def _period_words(b: Bulletin) -> str:
    return b.params.period.describe_vi()


def _headline(b: Bulletin) -> str:
    when = when_phrase(b.params.period, b.params.as_of)
    if b.province is None:
        return fill(b.text["no_province"], province=in_sentence(_province_name(b)))
    change, label = None, ""
    if b.previous is not None:
        prev = latest(b.previous.units)
        prev = prev[prev["tier"] == "tinh"]
        if len(prev) and prev.iloc[0]["total"] is not None and b.province["total"] is not None:
            change = b.province["total"] - prev.iloc[0]["total"]
            from_history = "previous" not in b.params.inputs and b.history is not None
            label = point_words(b.history[-2]) if from_history and b.history else "kỳ trước"
    rank = None if b.province.get("portal_rank") is None else int(b.province["portal_rank"])
    of = province_count(b.params.as_of)
    national = b.national
    if (
        rank is None
        and national is not None
        and national.as_of in (None, b.params.as_of)
        and not national.standing.differs
    ):
        rank, of = national.standing.rank, national.standing.of
    return headline(_province_name(b), when, b.province["total"], rank, of, change, label)


def _below(b: Bulletin, tier: str, group: str) -> pd.DataFrame:
    return below_target(b.tier(tier), group, b.targets[group])


def _ranked(value: object) -> bool:
    """Whether a rank is there (pandas gives ``None`` or NaN when it is not)."""
    return value is not None and value == value


def _whole(value: object) -> int:
    """A rank as an integer (ranks travel through pandas as objects or floats)."""
    return int(str(value).split(".")[0])


def _rate_of(b: Bulletin, units: Sequence[Any], group: Group) -> str:
    """``X đạt 10,89%``, and, where the unit lost points for having nothing to count, in what: said
    once for units alike in both (``X, Y đạt 0% (không phát sinh …)``)."""
    unit = units[0]
    names = join_names([str(u.unit_name) for u in units])
    rate = fmt_number(getattr(unit, f"{group.key}_ratio"), 2) + "%"
    idle = b.idle_losses.get((str(unit.unit_key), group.key))
    if not idle:
        return fill(b.text["unit_rate"], name=names, rate=rate)
    components = [b.method.component(c) for c in idle]
    return fill(
        b.text["unit_rate_idle" if len(components) == 1 else "unit_rate_idle_many"],
        name=names,
        rate=rate,
        counts=", ".join(dict.fromkeys(c.counts for c in components)),
        components=f"“{components[0].name_vi}”",
        count=len(components),
    )


def _active(b: Bulletin, tier: str, group: str) -> pd.DataFrame:
    """Members with something to count in ``group`` ("không phát sinh" units are left out)."""
    idle = b.idle
    members = b.tier(tier)
    keep = pd.Series([(str(k), group) not in idle for k in members["unit_key"]], index=members.index, dtype=bool)
    return members[keep]


def _group_line(b: Bulletin, tier: str, group: Group) -> str | None:
    members = _active(b, tier, group.key)
    known = int(members[f"{group.key}_ratio"].notna().sum())
    if not known:
        return None
    count = b.text["lowest_listed"]
    target = b.targets.get(group.key)
    if target is not None:
        below = below_target(members, group.key, target)
        if below.empty:
            return fill(
                b.text["group_all_meet"],
                group=group.name_vi,
                of=known,
                tier_plural=tier_plural(tier),
                target=target.label(),
            )
        units = _first_names(b, below, group, tier_plural(tier), lambda rs: _rate_of(b, rs, group))
        return fill(
            b.text["group_weakness"],
            group=group.name_vi,
            count=len(below),
            of=known,
            tier_plural=tier_plural(tier),
            target=target.label(),
            units=units,
        )
    weakest = lowest(members, f"{group.key}_ratio", count)
    if weakest.empty:
        return None
    # in brackets, within the sentence: the first name too (after a colon it would start the list)
    units = in_sentence(_first_names(b, weakest, group, tier_plural(tier), lambda rs: _rate_of(b, rs, group)))
    return fill(b.text["group_lowest"], group=group.name_vi, units=units)


def _first_names(
    b: Bulletin,
    ordered: pd.DataFrame,
    group: Group,
    noun: str,
    write: Callable[[Sequence[Any]], str],
    sep: str = "; ",
) -> str:
    """The first ``lowest_listed`` of ``ordered`` (lowest first) and those tied with the last of them
    (a list cut through a tie names some of equals and not the others), as ``write`` gives them: one
    unit at a time, or together where they share the rate and had nothing to count in the same
    components (seven times "đạt 0% (không phát sinh …)" said once); a tie that would make the list
    much longer than asked is said as its number ("12 xã cùng đạt 0%")."""
    count, ratio = b.text["lowest_listed"], f"{group.key}_ratio"
    if len(ordered) > count:
        ordered = ordered[[r <= ordered[ratio].iloc[count - 1] for r in ordered[ratio]]]
    tied = pd.Series([r == ordered[ratio].iloc[-1] for r in ordered[ratio]], index=ordered.index, dtype=bool)
    if len(ordered) <= count + 2 or tied.sum() < 2:
        return join_names(_written_alike(b, ordered, group, write), sep)
    rate = fmt_number(ordered[ratio].iloc[-1], 2) + "%"
    said = fill(b.text["tied_rate"], count=int(tied.sum()), tier_plural=noun, rate=rate)
    return join_names([*_written_alike(b, ordered[~tied], group, write), said], sep)


def _written_alike(
    b: Bulletin, ordered: pd.DataFrame, group: Group, write: Callable[[Sequence[Any]], str]
) -> list[str]:
    """``write`` of each run of units in ``ordered`` alike in rate and in what they had nothing to count
    (a unit that had something to count is alike to none)."""
    rows = list(ordered.itertuples())
    ratio = f"{group.key}_ratio"

    def alike(r: Any) -> object:
        idle = b.idle_losses.get((str(r.unit_key), group.key))
        return (getattr(r, ratio), tuple(idle)) if idle else r.Index

    return [write(list(run)) for _, run in itertools.groupby(rows, key=alike)]


def _weaknesses(b: Bulletin, tier: str) -> list[str]:
    if not b.has_groups or b.tier(tier).empty:
        return []
    return [line for group in b.method.groups if (line := _group_line(b, tier, group))]


def _weak_units(b: Bulletin, group: Group) -> pd.DataFrame:
    """The units a recommendation about ``group`` names: below target when params set one, else the
    lowest; a unit that lost points in it for having nothing to count is not told to raise it."""
    parts = []
    for tier, _ in _TIERS:
        members = _active(b, tier, group.key)
        idle = [(str(k), group.key) in b.idle_losses for k in members["unit_key"]]
        members = members[~pd.Series(idle, index=members.index, dtype=bool)]
        target = b.targets.get(group.key)
        parts.append(
            below_target(members, group.key, target)
            if target is not None
            else lowest(members, f"{group.key}_ratio", b.text["lowest_listed"])
        )
    return pd.concat(parts) if parts else b.units.iloc[0:0]


def _recommendations(b: Bulletin, bottom_actions: Mapping[str, list[str]] | None) -> list[str]:
    """The numbered recommendations; with ``bottom_actions`` (each tier's :func:`_bottom_actions`), one
    for each tier's bottom group whose units get no actions of their own."""
    scored = []
    for group in b.method.groups if b.has_groups else ():
        weak = _weak_units(b, group)
        province_ratio = None if b.province is None else b.province[f"{group.key}_ratio"]
        if len(weak):
            scored.append((province_ratio if province_ratio is not None else Decimal(100), group.order, group, weak))
    scored.sort(key=lambda t: (t[0], t[1]))
    items = []
    for _, _, group, weak in scored[: b.text["weak_groups"]]:
        ordered = weak.sort_values([f"{group.key}_ratio", "_order"], kind="stable")
        units = in_sentence(
            _first_names(b, ordered, group, "đơn vị", lambda rs: join_names([str(r.unit_name) for r in rs]), ", ")
        )
        who = b.text["recommendation_who"]["one" if len(ordered) == 1 else "many"]
        items.append(fill(b.text["recommendations"][group.key], who=who, group=group.name_vi, units=units))
    for tier, actions in (bottom_actions or {}).items():
        bottom = _bottom(b, tier)
        if len(bottom) and not actions:  # else each unit gets its own actions below
            items.append(fill(b.text["bottom_recommendation"], units=join_names(list(bottom["unit_name"]))))
    mismatch = _mismatch(b)
    if mismatch is not None:
        items.append(fill(b.text["data_quality"], scope=_scope(b), count=mismatch[0], units=mismatch[1]))
    items.append(b.text["closing_task"])
    return items


def _mismatch(b: Bulletin) -> tuple[int, int, Decimal] | None:
    """Components, units and points on which the province's dossier data and the portal disagree."""
    if b.dossiers is None or b.dossiers.reconciliation is None:
        return None
    table = b.dossiers.reconciliation
    differing = [(c, s) for c, s in zip(table["unit_code"], table["points_at_stake"], strict=True) if c and s]
    if not differing:
        return None
    total = stake_total(table)
    return len(differing), len({c for c, _ in differing}), Decimal(str(total or 0))


def _bottom_rule(b: Bulletin, tier: str) -> BottomRule:
    schema = b.params.schema
    rules = schema.bottom if schema is not None and schema.bottom is not None else None
    rule = getattr(rules, tier, None) if rules is not None else None
    return rule if rule is not None else BottomRule(**b.text["bottom_default"][tier])


def _bottom(b: Bulletin, tier: str) -> pd.DataFrame:
    return bottom_group(b.tier(tier), _bottom_rule(b, tier))


def _rank_text(b: Bulletin, tier: str, rank: object) -> str:
    ranked = b.tier(tier)
    ranked = ranked[ranked["rank"].notna()]
    return f"{_whole(rank)}/{len(ranked)}"


def _bottom_intro(b: Bulletin, tier: str, key: str) -> str:
    rule = _bottom_rule(b, tier)
    if rule.below is not None:
        return fill(b.text[f"{key}_below"], tier_plural=tier_plural(tier), below=fmt_points(rule.below))
    return fill(b.text[f"{key}_count"], tier_plural=tier_plural(tier))


def _bottom_lines(b: Bulletin, tier: str) -> list[str]:
    lines = []
    for r in _bottom(b, tier).itertuples():
        values = {"name": r.unit_name, "total": fmt_points(r.total), "rank": _rank_text(b, tier, r.rank)}
        if r.most_lost_group is not None:
            lines.append(
                fill(b.text["bottom_line"], group=r.most_lost_group, lost=fmt_points(r.most_lost_points), **values)
            )
        else:
            lines.append(fill(b.text["bottom_line_total"], **values))
    return lines


def _bottom_tasks(b: Bulletin, tier: str) -> list[str]:
    tasks = []
    for r in _bottom(b, tier).itertuples():
        values = {"name": r.unit_name, "total": fmt_points(r.total), "rank": _rank_text(b, tier, r.rank)}
        actions = b.actions(r.unit_code)
        if actions:
            tasks.append(fill(b.text["bottom_task_actions"], actions=actions, **values))
        elif r.most_lost_key is not None:
            tasks.append(fill(b.text["bottom_task"], direction=b.text["directions"][r.most_lost_key], **values))
        else:
            tasks.append(fill(b.text["bottom_task_total"], **values))
    return tasks


def _main_points(b: Bulletin) -> list[str]:
    points = [b.text["headline"]]
    extremes = None if b.province is None else province_extremes(b.province, b.method)
    if extremes is not None:
        (high, best), (low, worst) = extremes.high, extremes.low
        line = (
            f"Nhóm đạt tỷ lệ cao nhất: {best.name_vi} ({fmt_percent(high)}); "
            f"thấp nhất: {worst.name_vi} ({fmt_percent(low)})."
        )
        if extremes.most_lost is not None:
            lost, most = extremes.most_lost
            line += f" Nhóm mất nhiều điểm nhất: {most.name_vi} ({fmt_points(lost)} điểm)."
        points.append(line)
    for tier, _ in _TIERS:
        members = b.tier(tier)
        ranked = members[members["rank"].notna()]
        if len(ranked) < 2:
            continue
        first, last = ranked.iloc[0], ranked.iloc[-1]
        if first["total"] == last["total"]:
            continue
        points.append(
            f"{len(ranked)} {tier_plural(tier)} được xếp hạng: cao nhất {in_sentence(first['unit_name'])} "
            f"({fmt_points(first['total'])} điểm), thấp nhất {in_sentence(last['unit_name'])} "
            f"({fmt_points(last['total'])} điểm)."
        )
    return points[:6]


# Document -----------------------------------------------------------------------------------


def _rank_cols(b: Bulletin) -> list[Col]:
    cols = [Col("unit_name", "Đơn vị")]
    if b.has_groups:
        cols += [Col(g.key, f"{g.short_vi} ({fmt_number(g.max)})", "points") for g in b.method.groups]
    cols += [Col("total", "Tổng (100)", "points"), Col("rank", "Hạng", "rank")]
    if b.has_groups:
        cols.append(Col("most_lost_short", "Mất nhiều điểm nhất"))
    return cols


def _machine(frame: pd.DataFrame) -> pd.DataFrame:
    cols = [
        "unit_code",
        "unit_name",
        "tier",
        *GROUP_KEYS,
        "total",
        "rank",
        "most_lost_group",
        "most_lost_short",
        "most_lost_points",
    ]
    return frame[cols]


def outline(b: Bulletin) -> Document:
    """The bulletin's document in the form params choose: a báo cáo (default) or a công văn.

    Building it registers every table the bulletin shows (``b.tables``), in the order they appear,
    after the tables :func:`build` computed.
    """
    b.text["headline"] = _headline(b)
    period = _period_words(b)
    as_of = b.params.as_of
    subtitle = f"(Tính đến ngày {fmt_date(as_of)})" if as_of < b.params.period.end else ""
    what = fill(b.text["what"], period=period) + (f" (tính đến ngày {fmt_date(as_of)})" if subtitle else "")
    doc = new_document(
        b.params, "bulletin_766", fill(b.text["title"], period=period), subtitle, "bao_cao", b.text["forms"], what=what
    )
    framing = document_params(b.params)
    if doc.form == "cong_van":
        doc.subject = framing.subject or fill(b.text["subject"], period=period)
        doc.to = doc.to or [fill(line, scope=_scope(b)) for line in b.text["to_default"]]
        doc.sections.extend(_directive_sections(b))
    else:
        doc.sections.append(Section("diem-chinh", "Những điểm chính", [Bullets(_main_points(b))], pdf=False))
        doc.sections.append(_results_section(b))
        doc.sections.append(_shortcomings_section(b))
        doc.sections.append(_proposals_section(b))
    doc.sections.extend(_appendices(b))
    doc.sections.extend(_audit_sections(b))
    return _appendices_named(close(doc, b.params, b.text["forms"], b.tables), b.text)


# where a công văn's opening names its appendices, known once they are numbered (model.close)
_APPENDICES = "\x00appendices\x00"


def _appendices_named(doc: Document, text: dict[str, Any]) -> Document:
    """The công văn's opening with the appendices it sends ("tại Phụ lục I, II kèm theo"), or none."""
    labels = [s.label for s in doc.sections if s.appendix and s.pdf and s.label]
    numbers = ", ".join(n for label in labels if (n := label.removeprefix("Phụ lục").strip()))
    named = fill(text["appendices_named"], labels=f"Phụ lục {numbers}".strip()) if labels else ""
    for section in doc.sections:
        for block in section.blocks:
            if isinstance(block, Paragraph):
                block.text = block.text.replace(_APPENDICES, named)
    return doc


def _province_block(b: Bulletin, name: str) -> list[Block]:
    assert b.province is not None
    method = b.method
    rows = []
    for g in method.groups:
        p = b.province[g.key]
        if p is None:
            continue
        rows.append(
            {
                "group": g.key,
                "group_name": g.name_vi,
                "max": g.max,
                "points": p,
                "ratio": b.province[f"{g.key}_ratio"],
                "lost": g.max - p,
            }
        )
    if not rows:
        return []
    total = b.province["total"]
    rows.append(
        {
            "group": "total",
            "group_name": "Tổng điểm",
            "max": method.max_total,
            "points": total,
            "ratio": total,
            "lost": None if total is None else method.max_total - total,
        }
    )
    frame = pd.DataFrame(rows, dtype=object)
    blocks: list[Block] = [
        b.tables.block(
            "province_groups",
            fill(b.text["province_table"], province=in_sentence(name)),
            frame,
            [
                Col("group_name", "Nhóm chỉ số"),
                Col("max", "Điểm tối đa", "points"),
                Col("points", "Điểm đạt", "points"),
                Col("ratio", "Tỷ lệ (%)", "rate"),
                Col("lost", "Điểm bị mất", "points"),
            ],
            totals=1,
        )
    ]
    if len(rows) == len(method.groups) + 1:
        chart = Chart(
            "group_points_chart",
            {
                "labels": [g.name_vi for g in method.groups],
                "points": [b.province[g.key] for g in method.groups],
                "maxima": [g.max for g in method.groups],
                "title": f"{name}: điểm theo nhóm chỉ số",
            },
        )
        alt = (
            f"Biểu đồ thanh ngang: điểm đạt của {in_sentence(name)} so với điểm tối đa ở sáu nhóm chỉ số. "
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


def _national_blocks(b: Bulletin, name: str) -> list[Block]:
    """The province among the 34: rank, national average and gap, change of rank, per-group ranks."""
    if b.national is None:
        return []
    s, t = b.national.standing, b.text
    later = b.national.as_of is not None and b.national.as_of > b.params.as_of  # a listing fetched after
    when = (
        fill(t["national_when_later" if later else "national_when"], date=fmt_date(b.national.as_of))
        if b.national.as_of
        else ""
    )
    if s.gap is None or s.gap == 0:
        gap = t["gap_equal"] if s.gap == 0 else ""
    else:
        gap = fill(t["gap_above" if s.gap > 0 else "gap_below"], points=fmt_points(abs(s.gap)))
    sentences = [
        fill(
            t["national_standing"],
            when=when,
            province=name,
            total=fmt_points(s.total),
            rank=s.rank,
            of=s.of,
            average=fmt_points(s.average),
            gap=gap,
        ).replace(", ,", ",")
    ]
    if s.rank_change is not None:
        key = (
            "national_same"
            if s.rank_change == 0
            else "national_change"
            if s.rank_change > 0
            else "national_change_down"
        )
        change = change_words(s.rank_change, "bậc")
        sentences.append(fill(t[key], province=name, change=change, before=s.previous_rank, rank=s.rank))
    if s.differs and s.total is not None and s.recomputed_total is not None:
        own = b.params.as_of
        sentences.append(
            fill(
                t["national_differs"],
                province=name,
                national=fmt_points(s.total),
                national_when=f", cập nhật ngày {fmt_date(b.national.as_of)}" if b.national.as_of else "",
                recomputed=fmt_points(s.recomputed_total),
                own_when=f", tính đến ngày {fmt_date(own)}" if when else "",
                difference=fmt_points(abs(s.total - s.recomputed_total)),
            )
        )
    rows = [
        {
            "group": g.key,
            "group_name": g.name_vi,
            "max": g.max,
            "points": s.group_points.get(g.key),
            "average": s.group_averages.get(g.key),
            "rank": s.group_ranks.get(g.key),
        }
        for g in b.method.groups
    ]
    rows.append(
        {
            "group": "total",
            "group_name": "Tổng điểm",
            "max": b.method.max_total,
            "points": s.total,
            "average": s.average,
            "rank": s.rank,
        }
    )
    frame = pd.DataFrame(rows, dtype=object)
    return [
        Paragraph(" ".join(sentences)),
        b.tables.block(
            "national_groups",
            fill(t["national_table"], province=name, of=s.of, when=when),
            frame,
            [
                Col("group_name", "Nhóm chỉ số"),
                Col("max", "Điểm tối đa", "points"),
                Col("points", "Điểm đạt", "points"),
                Col("average", "Bình quân cả nước", "points"),
                Col("rank", f"Hạng (/{s.of})", "rank"),
            ],
            numbered=False,
        ),
    ]


def _over_time(b: Bulletin, name: str) -> list[Block]:
    """The province's history across periods and the portal's monthly progress chart."""
    blocks: list[Block] = []
    if b.province is not None and b.history is not None and b.history_frame is not None:
        blocks += history_blocks(
            b.tables, b.history_frame, b.history, str(b.province["unit_key"]), name, "Xếp hạng toàn quốc"
        )
    return blocks + monthly_blocks(b.monthly, in_sentence(name), b.params.period.end.year, b.params.as_of)


def _department_group_blocks(b: Bulletin, departments: pd.DataFrame, number: int) -> list[Block]:
    blocks: list[Block] = [
        Heading(f"{number}. Kết quả đánh giá, xếp hạng của các sở, ban, ngành"),
        # the rate is the group's points over its maximum, not a share of dossiers (32,15% where the
        # portal's own share is 32,17%): said once, as the reference bulletins' "Tỷ lệ (100%)" implies
        Paragraph(b.text["rate_note"], "note"),
    ]
    letters = iter(LETTERS)
    idle = b.idle
    for g in b.method.groups:
        if departments[g.key].isna().all():
            continue
        frame = departments[["unit_key", "unit_code", "unit_name", f"{g.key}_ratio", g.key, "_order"]].rename(
            columns={f"{g.key}_ratio": "rate", g.key: "points"}
        )
        frame = frame.sort_values(["points", "_order"], ascending=[False, True], key=_none_last, kind="stable")
        # what the rate cell says where it holds no rate; the table files say it too, their rate left
        # empty (an Excel reader could not tell "không phát sinh" from a real 0%)
        frame["note"] = [
            "không phát sinh" if (str(k), g.key) in idle else "" if r is not None else "chưa có số liệu"
            for k, r in zip(frame["unit_key"], frame["rate"], strict=True)
        ]
        frame["rate_text"] = [n or fmt_number(r, 2) for n, r in zip(frame["note"], frame["rate"], strict=True)]
        blocks.append(Heading(f"{next(letters)}) Nhóm chỉ số {g.name_vi}", 4))
        blocks.append(
            b.tables.block(
                f"so_{g.key}",
                f"{g.name_vi}: tỷ lệ và điểm của các sở, ban, ngành",
                frame,
                [
                    Col("unit_name", "Sở, ban, ngành"),
                    Col("rate_text", "Tỷ lệ (%)", "given"),  # a figure, or why there is none
                    Col("points", f"Điểm ({fmt_number(g.max)})", "points"),
                ],
                machine=frame[["unit_code", "unit_name", "rate", "points", "note"]].assign(
                    rate=frame["rate"].where(frame["note"] == "", None)
                ),
            )
        )
    return blocks


def _ranking_chart(ranked: pd.DataFrame, bottom: int) -> Figure:
    """The departments by total, the ``bottom`` last (the document's bottom group) in red."""
    chart = Chart(
        "ranking_chart",
        {
            "labels": list(ranked["unit_name"]),
            "values": list(ranked["total"]),
            "highlight": bottom,
            "title": "Sở, ban, ngành: tổng điểm Bộ chỉ số 766",
        },
    )
    red = f"; {bottom} đơn vị thuộc nhóm cuối bảng xếp hạng tô màu đỏ" if bottom else ""
    alt = (
        f"Biểu đồ thanh ngang xếp hạng {len(ranked)} sở, ban, ngành theo tổng điểm, từ "
        f"{ranked.iloc[0]['unit_name']} ({fmt_points(ranked.iloc[0]['total'])} điểm) đến "
        f"{ranked.iloc[-1]['unit_name']} ({fmt_points(ranked.iloc[-1]['total'])} điểm){red}."
    )
    caption = "Xếp hạng sở, ban, ngành" + (f" ({bottom} đơn vị thuộc nhóm cuối bảng tô đỏ)" if bottom else "")
    return Figure("rank_so", caption, alt, chart, ranked[["unit_code", "unit_name", "total", "rank"]])


def _distribution_chart(ranked: pd.DataFrame, communes: str) -> Figure:
    """The communes' totals by grade band; ``communes`` is how the province names them
    (:func:`~chiso766.report.model.commune_words`), in the chart as made: rewritten at the outline's
    end, the chart would be drawn twice, the second time last of all, when the page waits for it."""
    bands = grade_bands()
    lines = [(float(minimum), name) for minimum, name in bands if minimum > 0]
    chart = Chart(
        "distribution_chart",
        {
            "values": list(ranked["total"]),
            "bands": lines,
            "title": f"{capitalized(communes)}: phân bố tổng điểm",
        },
    )
    counts = grades(ranked["total"])
    summary = "; ".join(f"{name}: {int((counts == name).sum())}" for _, name in bands)
    alt = (
        f"Biểu đồ cột phân bố tổng điểm của {len(ranked)} {communes}, từ "
        f"{fmt_points(ranked['total'].min())} đến {fmt_points(ranked['total'].max())} điểm. "
        f"Số đơn vị theo mức: {summary}."
    )
    return Figure(
        "distribution_xa",
        f"Phân bố tổng điểm của {communes}",
        alt,
        chart,
        ranked[["unit_code", "unit_name", "total", "rank"]],
    )


def _ranking_blocks(b: Bulletin, tier: str, members: pd.DataFrame) -> list[Block]:
    ranked = members[members["rank"].notna()]
    if ranked.empty:
        return []
    blocks: list[Block] = []
    if tier == "so":
        b.tables.add("rank_so", _machine(members))  # the table itself is Phụ lục I
    if ranked["total"].nunique() > 1 and tier == "so":
        bottom = _bottom(b, tier)
        blocks.append(_ranking_chart(ranked, int(ranked["unit_key"].isin(bottom["unit_key"]).sum())))
    elif ranked["total"].nunique() > 1:
        # the bands are a dashboards' habit (data/grades.csv), which a signed document says it is
        bands = ", ".join(name for minimum, name in grade_bands() if minimum > 0)  # the chart's lines
        blocks += [
            _distribution_chart(ranked, commune_words(b.params)),
            Paragraph(fill(b.text["grade_bands_note"], bands=bands), "note"),
        ]
    return blocks


def _results_section(b: Bulletin) -> Section:
    name = _province_name(b)
    part = Section("ket-qua", "I. KẾT QUẢ THỰC HIỆN")
    part.blocks.append(Heading(f"1. Kết quả đánh giá, xếp hạng của {_scope(b)}"))
    lead = b.text["headline"]
    provincial = [] if b.province is None else _province_block(b, name)
    part.blocks.append(Paragraph(lead[:-1] + ", cụ thể như sau:" if provincial else lead, "lead"))
    part.blocks.extend(provincial)
    part.blocks.extend(_national_blocks(b, in_sentence(name)))
    part.blocks.extend(_over_time(b, name))
    number = 2
    departments = b.tier("so")
    if len(departments) and b.has_groups:
        part.blocks.extend(_department_group_blocks(b, departments, number))
        number += 1
    ranking: list[Block] = []
    for tier, _ in _TIERS:
        members = b.tier(tier)
        if not members.empty:
            ranking.extend(_ranking_blocks(b, tier, members))
    if ranking:
        part.blocks.append(Heading(f"{number}. Xếp hạng theo tổng điểm"))
        part.blocks.extend(ranking)
    extra = officer_text(b.params).results
    part.blocks.extend(paragraphs(extra))
    return part


def _below_table(b: Bulletin) -> pd.DataFrame:
    rows = []
    for tier, _ in _TIERS:
        for g in b.method.groups:
            if g.key not in b.targets:
                continue
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
    causes = officer_text(b.params).causes
    mismatch = _mismatch(b)
    with_causes = bool(causes) or mismatch is not None
    part = Section("ton-tai", "II. TỒN TẠI, HẠN CHẾ" + (" VÀ NGUYÊN NHÂN" if with_causes else ""))
    if with_causes:  # a "1." with no "2." after it: the section's title says it alone
        part.blocks.append(Heading("1. Tồn tại, hạn chế"))
    letters = iter(LETTERS)
    lines = []
    for tier, words in _TIERS:
        tier_lines = _weaknesses(b, tier)
        if tier_lines:
            lines += [f"Các {words}:", *(f"+ {line}" for line in tier_lines)]
    if lines:
        part.blocks.append(Heading(f"{next(letters)}) Nhóm các chỉ số:", 4))
        part.blocks.append(Bullets(lines))
    if b.targets:
        b.tables.add("below_target", _below_table(b))
    if b.dossiers is not None:
        part.blocks.extend(_overdue_blocks(b, next(letters)))
    for tier, _ in _TIERS:
        bottom = _bottom_lines(b, tier)
        if bottom:
            part.blocks.append(Heading(f"{next(letters)}) {_bottom_intro(b, tier, 'bottom_intro')}", 4))
            part.blocks.append(Bullets(bottom))
    stakes = _stakes_blocks(b)
    if stakes:
        part.blocks.append(Heading(f"{next(letters)}) {b.text['stakes_heading']}", 4))
        part.blocks.extend(stakes)
    procedures = _procedure_blocks(b)
    if procedures:
        part.blocks.append(Heading(f"{next(letters)}) {fill(b.text['procedures_heading'], scope=_scope(b))}", 4))
        part.blocks.extend(procedures)
    if with_causes:
        part.blocks.append(Heading("2. Nguyên nhân"))
        part.blocks.extend(paragraphs(causes))
        if mismatch is not None:
            part.blocks.append(
                Paragraph(
                    fill(
                        b.text["data_cause"],
                        scope=_scope(b),
                        count=mismatch[0],
                        units=mismatch[1],
                        points=fmt_points(mismatch[2]),
                    )
                )
            )
    _unletter_alone(part)
    return part


def _unletter_alone(section: Section) -> None:
    """An "a)" with no "b)" after it lists nothing: a section's one lettered heading loses its letter."""
    lettered = [
        block
        for block in section.blocks
        if isinstance(block, Heading) and block.level == 4 and block.text.split(") ", 1)[0] in LETTERS
    ]
    if len(lettered) == 1:
        lettered[0].text = lettered[0].text.split(") ", 1)[1]


def _stakes_blocks(b: Bulletin) -> list[Block]:
    """The province's components that lost most points, the dossiers that would win them back, and the
    units holding most of its failing dossiers."""
    if b.stakes is None or b.province is None:
        return []
    own = b.stakes[b.stakes["tier"] == "tinh"]
    if own.empty:
        return []
    name, t = in_sentence(_province_name(b)), b.text
    top = own.sort_values("points_lost", ascending=False, kind="stable").head(t["stakes_listed"]).copy()
    top["component_name"] = [b.method.component(str(c)).name_vi for c in top["component"]]
    top["counts"] = [
        f"{fmt_number(int(n))}/{fmt_number(int(d))}" if n is not None and d is not None else "—"
        for n, d in zip(top["numerator"], top["denominator"], strict=True)
    ]
    top["fix_vi"] = [
        "—" if n is None else f"{fmt_number(int(n))} {b.method.component(str(c)).counts}"
        for n, c in zip(top["fix_existing"], top["component"], strict=True)
    ]
    blocks: list[Block] = [
        Paragraph(fill(t["stakes_intro"], scope_cap=_scope(b).capitalize())),
        b.tables.block(
            "province_stakes",
            fill(t["stakes_table"], province=name),
            top,
            [
                Col("component_name", "Chỉ số thành phần"),
                Col("counts", "Đạt/tổng số"),
                Col("points", "Điểm đạt", "points"),
                Col("max", "Điểm tối đa", "points"),
                Col("points_lost", "Điểm bị mất", "points"),
                Col("fix_vi", "Số cần đạt thêm"),
            ],
            machine=top.drop(columns=["component_name", "counts", "fix_vi"]),
        ),
    ]
    blocks += _idle_lines(b)
    shared = own[own["component"].isin(systemic(b.stakes))]
    blocks += [
        Paragraph(
            fill(
                t["systemic_line"],
                component=b.method.component(str(r.component)).name_vi,
                numerator=fmt_number(r.numerator),
                denominator=fmt_number(r.denominator),
                counts=b.method.component(str(r.component)).counts,
                scope=_scope(b),
            )
        )
        for r in shared.itertuples(index=False)
    ]
    holders = province_holders(b.card, b.stakes)
    holders = holders[~holders["component"].isin(systemic(b.stakes))]
    lines = []
    for component, rows in holders.groupby("component", sort=False):
        counts = b.method.component(str(component)).counts
        units = [
            fill(
                t["holder"],
                name=r.unit_name,
                failing=fmt_number(r.failing),
                counts=counts,
                share=fmt_number(r.share, 2),
                scope=_scope(b),
                gain=fmt_points(r.gain),
            )
            for r in rows.itertuples(index=False)
        ]
        lines.append(
            fill(t["holders"], component=b.method.component(str(component)).name_vi, units=join_names(units, "; "))
        )
    if lines:
        b.tables.add("province_holders", holders)
        blocks += [Paragraph(t["holders_intro"]), Bullets(lines)]
    return blocks


def _idle_lines(b: Bulletin) -> list[Block]:
    """Where the province lost points for having nothing to count (1.1 and 1.2 at 0/0: 10 of the 18
    points of Công khai, minh bạch), which the table of components that lost most leaves out."""
    assert b.province is not None
    blocks: list[Block] = []
    for group in b.method.groups:
        idle = b.idle_losses.get((str(b.province["unit_key"]), group.key))
        if not idle:
            continue
        components = [b.method.component(c) for c in idle]
        blocks.append(
            Paragraph(
                fill(
                    b.text["idle_line"]["one" if len(components) == 1 else "many"],
                    components=join_names([f"“{c.name_vi}”" for c in components]),
                    group=group.name_vi,
                    counts=", ".join(dict.fromkeys(c.counts for c in components)),
                    scope=_scope(b),
                    points=fmt_points(sum((c.max for c in components), Decimal(0))),
                )
            )
        )
    return blocks


def _procedure_blocks(b: Bulletin) -> list[Block]:
    """The procedures whose failing dossiers cost the province most points."""
    if b.procedures is None or b.procedures.empty:
        return []
    b.tables.add("procedures", b.procedures)
    top = procedure_summary(b.procedures, b.text["procedures_listed"])
    received = b.procedures[b.procedures["component"] == "2.1"].set_index("procedure_code")["denominator"]
    top["received"] = [received.get(c) for c in top["procedure_code"]]
    top["main"] = [b.method.component(c.split(", ")[0]).name_vi for c in top["components"]]
    return [
        Paragraph(fill(b.text["procedures_intro"], scope=_scope(b), count=b.procedures["procedure_code"].nunique())),
        b.tables.block(
            "procedures_top",
            fill(b.text["procedures_table"], scope=_scope(b)),
            top,
            [
                Col("procedure_code", "Mã thủ tục"),
                Col("procedure_name", "Tên thủ tục hành chính"),
                Col("received", "Hồ sơ tiếp nhận", "count"),
                Col("gain", "Điểm tăng thêm", "points"),
                Col("main", "Tăng nhiều nhất ở chỉ số"),
            ],
            machine=top.drop(columns=["main"]),
        ),
    ]


def _bottom_actions(b: Bulletin, tier: str) -> list[str]:
    """Each unit of the tier's bottom group with the few actions that win back most points."""
    lines = []
    for r in _bottom(b, tier).itertuples():
        actions = b.actions(r.unit_code)
        if actions:
            rank = _rank_text(b, tier, r.rank)
            lines.append(
                fill(
                    b.text["bottom_action_line"],
                    name=r.unit_name,
                    total=fmt_points(r.total),
                    rank=rank,
                    actions=actions,
                )
            )
    return lines


def _proposals_section(b: Bulletin) -> Section:
    bottom_actions = {tier: _bottom_actions(b, tier) for tier, _ in _TIERS}
    items = _recommendations(b, bottom_actions)
    items[-1:-1] = [
        line.removeprefix("- ") for line in (officer_text(b.params).instructions or "").splitlines() if line.strip()
    ]
    framing = document_params(b.params)
    if framing.deadline is not None:
        items.append(fill(b.text["deadline_task"], to_whom="", deadline=fmt_date(framing.deadline)).replace("  ", " "))
    intro = Paragraph(fill(b.text["proposals_intro"], scope=_scope(b)))
    blocks: list[Block] = [intro, Bullets(items, numbered=True)]
    actions = [line for tier, _ in _TIERS for line in bottom_actions[tier]]
    if actions:
        blocks += [Paragraph(b.text["bottom_actions_intro"]), Bullets(actions)]
    return Section("de-xuat", "III. ĐỀ XUẤT VÀ KIẾN NGHỊ", blocks)


def _directive_sections(b: Bulletin) -> list[Section]:
    """A công văn: the situation, then numbered instructions (all units; each tier's bottom group, unit by
    unit; the officer's; the deadline; who monitors)."""
    body = str(b.params.get("issuer", {}).get("name") or "") if b.params.get("issuer") else ""
    key = "situation" if body else "situation_anonymous"
    lead = b.text["headline"]
    when = when_phrase(b.params.period, b.params.as_of)
    if provisional(b.params) and lead.startswith(f"{when},"):  # a công văn has no heading to say it in
        # "Quý III/2026 (tính đến ngày 26/09/2026, số liệu tạm tính), …": the period named, then its date
        period, dated = b.params.period.describe_vi(), f"{when[:1].lower()}{when[1:]}, {b.text['provisional']}"
        lead = f"{capitalized(period)} ({dated}){lead[len(when) :]}"
    situation = fill(b.text[key], headline=lead, appendices=_APPENDICES, scope=_scope(b), body=body)
    sections = [Section("tinh-hinh", "", [Paragraph(situation)])]
    numbered: list[Block] = []
    number = 1
    general = _recommendations(b, None)  # the bottom group gets its own numbered tasks
    numbered.append(Paragraph(f"{number}. Các sở, ban, ngành, Ủy ban nhân dân các xã, phường, đặc khu:"))
    numbered.append(Bullets(general))
    for tier, _ in _TIERS:
        tasks = _bottom_tasks(b, tier)
        if tasks:
            number += 1
            numbered.append(Paragraph(f"{number}. {_bottom_intro(b, tier, 'bottom_heading')}"))
            numbered.append(Bullets(tasks))
    numbered.extend(officer_tasks(b.params, number)[0])
    sections.append(Section("nhiem-vu", "", numbered))
    return sections


def _appendices(b: Bulletin) -> list[Section]:
    sections = []
    number = 0
    for tier, title in _TIERS:
        members = b.tier(tier)
        if members.empty:
            continue
        number += 1
        sections.append(
            appendix(
                f"phu-luc-{tier}",
                number,
                f"Điểm và xếp hạng các {title} trên Bộ chỉ số 766",
                [
                    b.tables.block(
                        f"appendix_{tier}",
                        # a score table of totals only has no group points to name
                        f"{'Điểm, tổng điểm' if b.has_groups else 'Tổng điểm'} và xếp hạng các {title}",
                        _machine(members),
                        _rank_cols(b),
                    )
                ],
            )
        )
    return sections


def _audit_sections(b: Bulletin) -> list[Section]:
    """What an auditor checks, in the HTML page only: data quality, reconciliation, methodology, trace."""
    check = Section("kiem-tra", "Kiểm tra dữ liệu", [Bullets(_data_quality(b))], appendix=True, pdf=False)
    if b.dossiers is not None and b.dossiers.reconciliation is not None:
        check.blocks.extend(_reconciliation_blocks(b))
    sections = [check, _methodology_section(b)]
    if not b.card.components.empty:
        sections.append(_audit_section(b))
    if len(b.card.differences):
        diffs = b.card.differences
        sections.append(
            Section(
                "chenh-lech",
                _DIFFERENCES_TITLE,
                [
                    b.tables.block(
                        "differences_shown",
                        "Các chênh lệch (bảng đầy đủ: tải CSV, XLSX)",
                        diffs.assign(
                            level_vi=diffs["level"].map(_LEVELS),
                            group_vi=[b.method.group(g).name_vi if g else "" for g in diffs["group"]],
                        ),
                        [
                            Col("unit_name", "Đơn vị"),
                            Col("level_vi", "Cấp"),
                            Col("group_vi", "Nhóm"),
                            Col("component", "Chỉ số"),
                            Col("portal", "Cổng", "points"),
                            Col("recomputed", "Tính lại", "points"),
                            Col("difference", "Chênh lệch", "points"),
                        ],
                        machine=diffs,
                    )
                ],
                appendix=True,
                pdf=False,
            )
        )
    return sections


def _overdue_blocks(b: Bulletin, letter: str) -> list[Block]:
    assert b.dossiers is not None
    backlog = b.dossiers.backlog
    units = backlog[(backlog["level"] == "unit") & (backlog["tier"] == "so")].copy()
    units["total"] = units["overdue_in_process"] + units["finished_late"]
    units = units[units["total"] > 0].sort_values(["total", "unit_name"], ascending=[False, True], kind="stable")
    period = b.params.period
    blocks: list[Block] = [
        Heading(
            f"{letter}) Hồ sơ trả quá hạn (từ ngày {fmt_date(period.start)} đến ngày "
            f"{fmt_date(min(b.params.as_of, period.end))})",
            4,
        )
    ]
    columns = [("overdue_in_process", "Quá hạn đang xử lý"), ("finished_late", "Quá hạn đã xử lý")]
    blocks.append(
        b.tables.block(
            "overdue_so",
            "Hồ sơ quá hạn của các sở, ban, ngành",
            units,
            # a column of zeros says nothing the sentence below does not (the CSV keeps it)
            [Col("unit_name", "Cơ quan"), *(Col(key, label, "count") for key, label in columns if units[key].any())],
            machine=units.drop(columns=["total"]),
        )
    )
    for level, label in (("so", "các sở, ban, ngành"), ("xa", "các xã, phường, đặc khu")):
        row = backlog[backlog["level"] == level]
        if len(row):
            r = row.iloc[0]
            counts = [
                f"{fmt_number(r[key])} hồ sơ {what.lower()}" if r[key] else f"không có hồ sơ {what.lower()}"
                for key, what in columns
            ]
            blocks.append(Paragraph(f"Tổng số của {label}: {', '.join(counts)}."))
    return blocks


def _reconciliation_blocks(b: Bulletin) -> list[Block]:
    assert b.dossiers is not None and b.dossiers.reconciliation is not None
    table = b.dossiers.reconciliation
    b.tables.add("reconciliation", table)
    differing = table[[s is not None and s > 0 for s in table["points_at_stake"]]]
    units = sorted({c for c in differing["unit_code"] if c})
    total = stake_total(table)
    blocks: list[Block] = [Heading(f"Đối chiếu dữ liệu hồ sơ của {_scope(b)} với Cổng Dịch vụ công quốc gia", 3)]
    if differing.empty:
        blocks.append(Paragraph(f"Số liệu hồ sơ của {_scope(b)} khớp với Cổng ở mọi chỉ số thành phần đối chiếu được."))
        return blocks
    unit_rows = sum(1 for c in differing["unit_code"] if c)
    blocks.append(
        Paragraph(
            f"{unit_rows} chỉ số thành phần của {len(units)} đơn vị có điểm tính từ dữ liệu hồ sơ của "
            f"{_scope(b)} khác với "
            f"điểm tính từ số liệu của Cổng; tổng số điểm chênh lệch của các đơn vị là {fmt_points(total)} điểm. "
            "Bảng dưới đây liệt kê các chênh lệch lớn nhất (bảng đầy đủ: tải CSV, XLSX)."
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
        differences = (
            f"{fmt_number(len(card.differences))} chênh lệch được liệt kê ở mục “{_DIFFERENCES_TITLE}”"
            if len(card.differences)
            else "không có chênh lệch"
        )
        lines.append(
            f"Điểm tính lại từ tử số, mẫu số khớp với điểm của Cổng ở {fmt_number(same)}/{fmt_number(len(compared))} "
            f"chỉ số thành phần; {differences}."
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
                "không coi là 0): lý do ở cột “Lý do” của bảng chỉ số thành phần trong tệp Dữ liệu (XLSX)."
            )
    if b.unit_results is not None:
        listed = b.unit_results[b.unit_results["list_total"].notna() & b.unit_results["total"].notna()]
        same = int((listed["difference"] == 0).sum())
        lines.append(
            f"Bảng đánh giá các đơn vị của tỉnh trên Cổng: tổng điểm của {fmt_number(same)}/{fmt_number(len(listed))} "
            "đơn vị khớp với "
            "tổng điểm tính lại (so sánh từng đơn vị: trang “Đối chiếu tổng điểm với Cổng” trong tệp Dữ liệu (XLSX))."
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
                f"{_INPUT_NAMES[loaded.table]}: đọc {fmt_number(loaded.read)} dòng, dùng {fmt_number(loaded.used)}, "
                f"cách ly {fmt_number(loaded.quarantined)} dòng có lỗi (danh sách và lý do: trang "
                f"“{_QUARANTINE_SHEETS[loaded.table]}” trong tệp Dữ liệu (XLSX))."
            )
    for warning in card.diagnostics.items:
        lines.append(f"Cảnh báo: {warning.message}.")
    if not lines:
        lines.append("Không có cảnh báo về dữ liệu.")
    return lines


# the workbook's sheets of set-aside rows (render/templates/common/tables.csv, which this layer does not read)
_QUARANTINE_SHEETS = {"dossiers": "Hồ sơ bị cách ly", "complaints": "Phản ánh bị cách ly"}
_INPUT_NAMES = {"dossiers": "Hồ sơ thủ tục hành chính", "complaints": "Phản ánh, kiến nghị"}
_DIFFERENCES_TITLE = "Chênh lệch giữa điểm tính lại và điểm của Cổng"

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
    # the contract's component columns, with the tier after the name and the formula and reason last;
    # each unit's rows in the methodology's order (the portal's responses give 5.4 before 5.2)
    codes, places = comp["unit_code"].tolist(), [b.method.place(str(c)) for c in comp["component"]]
    first = {code: n for n, code in enumerate(dict.fromkeys(codes))}  # the units in their order
    ordered = sorted(range(len(comp)), key=lambda i: (first[codes[i]], places[i]))
    audit = comp[["unit_code", "unit_name", "tier", *COMPONENT_COLUMNS[2:], "formula", "reason"]].iloc[ordered]
    b.tables.add("audit", audit)
    groups = b.card.groups
    section = Section(
        "truy-vet",
        "Truy vết điểm của từng đơn vị",
        appendix=True,
        pdf=bool((b.params.get("options") or {}).get("audit_pdf", False)),
    )
    section.blocks.append(
        Paragraph(
            "Mỗi đơn vị: điểm từng chỉ số thành phần từ tử số, mẫu số, ngưỡng và điểm tối đa, công thức áp dụng "
            "(F1 tuyến tính; F2 có ngưỡng; Z0, ZF, ZM mẫu số bằng 0: 0 điểm, điểm tối đa, không tính "
            "điểm; M chỉ theo dõi) "
            "và điểm của Cổng. Dữ liệu đầy đủ: tải bảng truy vết (CSV, XLSX).",
            "note",
        )
    )
    order = pd.concat([b.units[b.units["tier"] == "tinh"], b.tier("so"), b.tier("xa")])
    # formatted once, then cut per unit: a frame cut and formatted for each of 164 units costs seconds
    rows = format_rows(audit, _AUDIT_COLS)
    by_unit: dict[object, list[list[str]]] = {}
    for code, row in zip(audit["unit_code"], rows, strict=True):
        by_unit.setdefault(code, []).append(row)
    given = groups[groups["source"] != "recomputed"]
    given_by_unit: dict[object, list[tuple[str, object]]] = {}
    for code, group, points in zip(given["unit_code"], given["group"], given["points"], strict=True):
        given_by_unit.setdefault(code, []).append((group, points))
    for unit in order.itertuples():
        mine = by_unit.get(str(unit.unit_code), [])
        caption = f"{unit.unit_name}: các chỉ số thành phần"
        blocks: list[Block] = [table_block("audit", caption, mine, _AUDIT_COLS)]
        for group, points in given_by_unit.get(str(unit.unit_code), []):
            blocks.append(
                Paragraph(
                    f"Nhóm {b.method.group(group).name_vi}: {fmt_points(points)} điểm theo Cổng "
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
    section = Section("phuong-phap", "Phương pháp tính điểm", appendix=True, pdf=False)
    version_note = (
        "quy tắc 2025: điểm của bốn nhóm Công khai, minh bạch; Tiến độ giải quyết; Mức độ hài lòng; "
        "Số hóa hồ sơ được làm tròn đến 1 chữ số thập phân"
        if any(g.display_decimals == 1 for g in method.groups)
        else "quy tắc 2026: điểm làm tròn đến 2 chữ số thập phân"
    )
    section.blocks.append(
        Paragraph(f"Phiên bản quy tắc áp dụng: {method.version} ({version_note}). {b.text['scoring_rule']}")
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
                Col("evidence_vi", "Căn cứ"),
            ],
            numbered=False,
        )
    )
    return section
