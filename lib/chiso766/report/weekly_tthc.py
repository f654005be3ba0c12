"""The weekly TTHC notice (``weekly_tthc``): dossier indicators against targets, from DuckDB.

A *thông báo* in the form of the office's real weekly notice: 1. the indicators of the dossiers
received in the period (1.1–1.6, one per indicator the data gives), 2. resolution (2.1 on time,
2.2 late), 3. shortcomings, the closing formula, and an appendix of charts and per-unit figures.
Every sentence's wording is in ``weekly_tthc.yaml``; what the figures were computed from (rows
read, used, set aside) is an HTML-only audit part.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from chiso766.compute.facts import WeeklyFacts, weekly_facts
from chiso766.compute.indicators import INDICATORS, RECEIVED_INDICATORS
from chiso766.compute.pipeline import warnings_table
from chiso766.core.params import Params, load_params
from chiso766.core.provinces import province_scope
from chiso766.core.targets import Target, parse_target
from chiso766.core.textvi import fmt_count, fmt_date, fmt_fraction, fmt_percent
from chiso766.ingest.units import params_registry
from chiso766.report.model import (
    Col,
    Report,
    TableSet,
    appendix,
    close,
    derived,
    format_table,
    new_document,
    officer_text,
    paragraphs,
)
from chiso766.report.narrative import fill, join_names, phrasings, wording_file
from chiso766.report.outline import Block, Bullets, Chart, Document, Figure, Heading, Paragraph, Section, Table

__all__ = ["Weekly", "build", "outline", "wording"]

_TIERS = ("so", "xa")
_UNIT_COLUMNS = ["unit_code", "unit_name", "tier"]


def wording() -> dict[str, Any]:
    """The notice's wording (``weekly_tthc.yaml`` beside this module)."""
    return wording_file("weekly_tthc.yaml")


@dataclass
class Weekly(Report):
    """The model: the params, the week's facts (indicators, backlog, components, what was read) and the
    unit registry in its own order (the order every list keeps between equal values)."""

    params: Params
    facts: WeeklyFacts
    tables: TableSet = field(default_factory=TableSet)
    registry: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=_UNIT_COLUMNS))
    _derived: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def indicators(self) -> pd.DataFrame:
        return self.facts.indicators

    @property
    def loaded(self) -> list[Any]:
        return self.facts.loaded

    @property
    def province_name(self) -> str:
        return self.facts.province_name

    @property
    def scope(self) -> str:
        """``thành phố`` or ``tỉnh``: the province as params name it, else the registry's own row."""
        return province_scope(self.params.get("province") or self.province_name)


def build(params: Params | str | Path, overrides: list[str] | None = None) -> Weekly:
    """Compute the week's indicators from the params' dossiers (a params file's path: ``overrides`` apply)."""
    if not isinstance(params, Params):
        params = load_params(params, overrides)
    registry = pd.DataFrame(columns=_UNIT_COLUMNS)
    if "units" in params.inputs:
        units = params_registry(params).units
        registry = pd.DataFrame([(u.code, u.name, u.tier) for u in units], columns=_UNIT_COLUMNS, dtype=object)
    return Weekly(params, weekly_facts(params), registry=registry)


# ---------------------------------------------------------------------------------------------------
# Figures as the notice prints them


def _rate(value: object) -> str:
    """``87,62%``, ``90,20%``, ``100%``."""
    return fmt_percent(value)


def _cell(value: object, none: str) -> str:
    """A rate in a table cell: ``84,63``, ``90,20``, ``100``; ``none`` when there was nothing to count."""
    if value is None or (isinstance(value, float) and value != value):
        return none
    return fmt_percent(value, sign=False)


def _count(n: int) -> str:
    """A number of units as the notices write it: ``01``, ``05``, ``12``."""
    return f"{n:02d}" if 0 <= n < 10 else fmt_count(n)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _is(value: object, truth: bool) -> bool:
    """Whether a ``meets_target`` cell is ``truth`` (missing is neither)."""
    if value is None or (isinstance(value, float) and value != value):
        return False
    return bool(value) is truth


def _row(frame: pd.DataFrame, level: str, indicator: str) -> pd.Series | None:
    """The row of one level (``province``, ``so``, ``xa``) and indicator, or ``None``."""
    rows = frame[(frame["level"] == level) & (frame["indicator"] == indicator)]
    return rows.iloc[0] if len(rows) else None


def _has(row: pd.Series | None) -> bool:
    """Whether a level had anything to count."""
    return row is not None and int(row["denominator"]) > 0


def _units(w: Weekly, tier: str, indicator: str) -> pd.DataFrame:
    """Every unit of ``tier`` with its counts for ``indicator``, in the registry's order (the table's
    order without a registry); a unit with nothing to count has 0/0 and no rate. Made once for the
    model's tables (:func:`derived`): the outline asks each a few times."""
    return derived(w._derived, (tier, indicator), (w.indicators, w.registry), lambda: _tier_units(w, tier, indicator))


def _tier_units(w: Weekly, tier: str, indicator: str) -> pd.DataFrame:
    table = w.indicators
    rows = table[(table["level"] == "unit") & (table["tier"] == tier) & (table["indicator"] == indicator)]
    rows = rows[["unit_code", "unit_name", "numerator", "denominator", "rate", "meets_target"]].copy()
    rows["_key"] = [c if c else n for c, n in zip(rows["unit_code"], rows["unit_name"], strict=True)]
    registry = w.registry[w.registry["tier"] == tier][["unit_code", "unit_name"]].copy()
    if registry.empty:
        units = rows
    else:
        registry["_key"] = [c if c else n for c, n in zip(registry["unit_code"], registry["unit_name"], strict=True)]
        known = registry.merge(rows.drop(columns=["unit_code", "unit_name"]), on="_key", how="left", sort=False)
        units = pd.concat([known, rows[~rows["_key"].isin(registry["_key"])]], ignore_index=True)
    units = units.astype(object)
    units["numerator"] = [0 if pd.isna(v) else int(v) for v in units["numerator"]]
    units["denominator"] = [0 if pd.isna(v) else int(v) for v in units["denominator"]]
    units["rate"] = pd.Series([None if pd.isna(v) else v for v in units["rate"]], index=units.index, dtype=object)
    units["meets_target"] = pd.Series(
        [None if pd.isna(v) else bool(v) for v in units["meets_target"]], index=units.index, dtype=object
    )
    return units.drop(columns="_key").reset_index(drop=True)


def _lowest(units: pd.DataFrame) -> pd.DataFrame:
    """Lowest rate first; equal rates keep the input's order."""
    return units.sort_values("rate", kind="stable")


def _highest(units: pd.DataFrame, column: str) -> pd.DataFrame:
    """Highest ``column`` first; equal values keep the input's order."""
    return units.sort_values(column, ascending=False, kind="stable")


def _named(units: pd.DataFrame, template: str) -> str:
    return join_names([fill(template, name=r.unit_name, rate=_rate(r.rate)) for r in units.itertuples()])


# ---------------------------------------------------------------------------------------------------
# 1. Indicators of the dossiers received, against their targets


def _idle(units: pd.DataFrame, words: dict[str, Any], noun: str, none: str) -> str:
    """The units that had nothing to count: named when few."""
    idle = units[units["denominator"] == 0]
    if idle.empty:
        return ""
    part = words["targets_part"]
    if len(idle) <= words["listed"]:
        names = join_names([str(n) for n in idle["unit_name"]])
        return " " + fill(part["idle_few"], count=_count(len(idle)), noun=noun, none=none, names=names)
    return " " + fill(part["idle_many"], count=_count(len(idle)), noun=noun, none=none)


def _tier_line(w: Weekly, tier: str, indicator: str, target: Target | None) -> str | None:
    """``- Các Sở, ban, ngành: Đạt 73,81% (6.664/9.029 hồ sơ). Số đơn vị đạt chỉ tiêu giao: 12/12 đơn vị.``"""
    words = wording()
    part, names, who = words["targets_part"], words["indicators"][indicator], words["tiers"][tier]
    row = _row(w.indicators, tier, indicator)
    if row is None:
        return None
    if not _has(row):
        return fill(part["tier_none"], who=who["who"], none=names["none"])
    units = _units(w, tier, indicator)
    counted = units[units["denominator"] > 0]
    listed = int(words["listed"])
    text = fill(
        part["tier"],
        who=who["who"],
        rate=_rate(row["rate"]),
        fraction=fmt_fraction(row["numerator"], row["denominator"]),
        thing=names["thing"],
    )
    if target is not None:
        meets = sum(_is(v, True) for v in counted["meets_target"])
        text += " " + fill(part["meets"], noun=who["noun"], meets=meets, of=len(counted))
        short = _lowest(counted[[_is(v, False) for v in counted["meets_target"]]])
        if 0 < len(short) <= listed:
            key = "short_one" if len(short) == 1 else "short_few"
            text += " " + fill(part[key], count=_count(len(short)), noun=who["noun"], units=_named(short, part["unit"]))
        elif len(short) > listed and short["rate"].nunique() > 1:
            lowest = _named(short.head(listed), part["unit"])
            text += " " + fill(part["lowest"], noun=who["noun"], name_lower=_lower_first(names["name"]), units=lowest)
    else:
        below = _lowest(counted[[r < row["rate"] for r in counted["rate"]]])
        if len(below) and counted["rate"].nunique() > 1:
            key = "lowest_one" if len(below) == 1 else "lowest"
            text += " " + fill(
                part[key],
                noun=who["noun"],
                Noun=who["noun"].capitalize(),
                name_lower=_lower_first(names["name"]),
                units=_named(below.head(listed), part["unit"]),
            )
    return text + _idle(units, words, who["noun"], names["none"])


def _targets_part(w: Weekly, targets: dict[str, Target]) -> Section:
    words = wording()
    part = words["targets_part"]
    section = Section("chi-tieu", part["title"])
    present = [i for i in RECEIVED_INDICATORS if _row(w.indicators, "province", i) is not None]
    for number, indicator in enumerate(present, start=1):
        names = words["indicators"][indicator]
        target = targets.get(indicator)
        heading = part["heading_target"] if target is not None else part["heading"]
        section.blocks.append(
            Heading(fill(heading, n=number, name=names["name"], target=target.label() if target else ""))
        )
        row = _row(w.indicators, "province", indicator)
        if not _has(row):
            section.blocks.append(Paragraph(fill(part["province_none"], scope=w.scope, **names)))
            continue
        assert row is not None
        sentence = fill(
            part["province"],
            name=names["name"],
            scope=w.scope,
            rate=_rate(row["rate"]),
            fraction_words=names["fraction"],
            fraction=fmt_fraction(row["numerator"], row["denominator"]),
            thing=names["thing"],
        )
        section.blocks.append(Paragraph(sentence))
        lines = [t for t in (_tier_line(w, tier, indicator, target) for tier in _TIERS) if t]
        if lines:
            section.blocks.append(Bullets(lines))
    return section


# ---------------------------------------------------------------------------------------------------
# 2. Dossiers resolved in the period


def _on_time_lines(w: Weekly, tier: str) -> list[str]:
    words = wording()
    part, who = words["resolution_part"], words["tiers"][tier]
    row = _row(w.indicators, tier, "resolved_on_time")
    if row is None:
        return []
    if not _has(row):
        return [fill(part["on_time_tier_none"], who=who["who"])]
    listed = int(words["listed"])
    units = _units(w, tier, "resolved_on_time")
    counted = units[units["denominator"] > 0]
    full = _highest(counted[counted["numerator"] == counted["denominator"]], "denominator")
    text = fill(
        part["on_time_tier"],
        of_who=who["of_who"],
        rate=_rate(row["rate"]),
        fraction=fmt_fraction(row["numerator"], row["denominator"]),
    )
    text += _idle(units, words, who["noun"], words["indicators"]["resolved_on_time"]["none"])
    text += " " + fill(part["on_time_full"], noun=who["noun"], full=len(full), of=len(counted))
    if full.empty:
        text += "."
    elif len(full) > listed:
        text += fill(part["full_top"], count=_count(listed), noun=who["noun"])
    else:
        text += fill(part["full_all"], noun=who["noun"])
    lines = [text]
    lines += [
        fill(part["full_unit"], name=r.unit_name, fraction=fmt_fraction(r.numerator, r.denominator))
        for r in full.head(listed).itertuples()
    ]
    return lines


def _late_lines(w: Weekly, tier: str) -> list[str]:
    words = wording()
    part, who = words["resolution_part"], words["tiers"][tier]
    row = _row(w.indicators, tier, "resolved_late")
    if not _has(row):
        return []
    assert row is not None
    fraction = fmt_fraction(row["numerator"], row["denominator"])
    if int(row["numerator"]) == 0:
        return [fill(part["late_tier_zero"], who=who["who"], fraction=fraction)]
    listed = int(words["listed"])
    units = _units(w, tier, "resolved_late")
    late = _highest(units[units["numerator"] > 0], "rate")
    text = fill(part["late_tier"], of_who=who["of_who"], rate=_rate(row["rate"]), fraction=fraction)
    key = "late_top" if len(late) > listed else "late_all"
    text += fill(part[key], count=_count(min(listed, len(late))), noun=who["noun"])
    return [text] + [
        fill(part["late_unit"], name=r.unit_name, fraction=fmt_fraction(r.numerator, r.denominator), rate=_rate(r.rate))
        for r in late.head(listed).itertuples()
    ]


def _resolution_part(w: Weekly) -> Section:
    part = wording()["resolution_part"]
    section = Section("giai-quyet", fill(part["title"], scope=w.scope))
    on_time, late = _row(w.indicators, "province", "resolved_on_time"), _row(w.indicators, "province", "resolved_late")
    if not _has(on_time) or late is None:
        section.blocks.append(Paragraph(part["none"]))
        return section
    assert on_time is not None
    section.blocks.append(Heading(part["on_time_heading"]))
    fraction = fmt_fraction(on_time["numerator"], on_time["denominator"])
    section.blocks.append(Paragraph(fill(part["on_time"], rate=_rate(on_time["rate"]), fraction=fraction)))
    lines = [line for tier in _TIERS for line in _on_time_lines(w, tier)]
    if lines:
        section.blocks.append(Bullets(lines))
    section.blocks.append(Heading(part["late_heading"]))
    if int(late["numerator"]) == 0:
        section.blocks.append(Paragraph(part["late_none"]))
        return section
    fraction = fmt_fraction(late["numerator"], late["denominator"])
    section.blocks.append(Paragraph(fill(part["late"], rate=_rate(late["rate"]), fraction=fraction)))
    lines = [line for tier in _TIERS for line in _late_lines(w, tier)]
    if lines:
        section.blocks.append(Bullets(lines))
    return section


# ---------------------------------------------------------------------------------------------------
# 3. Shortcomings, then the officer's tasks


def _shortcomings(w: Weekly, targets: dict[str, Target], number: int) -> Section | None:
    words = wording()
    part = words["shortcomings_part"]
    items: list[str] = []
    missed = []
    for indicator in RECEIVED_INDICATORS:
        row = _row(w.indicators, "province", indicator)
        if indicator in targets and _has(row) and row is not None and _is(row["meets_target"], False):
            missed.append(
                fill(
                    part["missed_item"],
                    name=words["indicators"][indicator]["name"],
                    name_lower=_lower_first(words["indicators"][indicator]["name"]),
                    rate=_rate(row["rate"]),
                    target=targets[indicator].label(),
                )
            )
    if missed:
        key = "missed_one" if len(missed) == 1 else "missed_many"
        items.append(fill(part[key], n=number, k=len(items) + 1, items="; ".join(missed)))
    province_late = _row(w.indicators, "province", "resolved_late")
    high: list[pd.DataFrame] = []
    if _has(province_late) and province_late is not None:
        for tier in _TIERS:
            units = _units(w, tier, "resolved_late")
            above = [
                n > 0 and r is not None and r > province_late["rate"]
                for n, r in zip(units["numerator"], units["rate"], strict=True)
            ]
            units = units[pd.Series(above, index=units.index, dtype=bool)]
            high.append(_highest(units, "rate").head(int(part["late_per_tier"])))
    named = [r for frame in high for r in frame.itertuples()]
    if named:
        units_text = _named(pd.DataFrame(named), words["targets_part"]["unit"])
        items.append(fill(part["late_high"], n=number, k=len(items) + 1, units=units_text))
    if not items:
        return None
    return Section("ton-tai", fill(part["title"], n=number), [Paragraph(t) for t in items])


def _instructions(w: Weekly, number: int) -> Section | None:
    """The officer's ``text.instructions``, one numbered task a line ("- " lists allowed)."""
    part = wording()["instructions_part"]
    lines = [line.strip() for line in (officer_text(w.params).instructions or "").splitlines()]
    tasks = [line[2:].strip() if line.startswith("- ") else line for line in lines if line]
    if not tasks:
        return None
    blocks: list[Block] = [Paragraph(fill(part["item"], n=number, k=k, text=t)) for k, t in enumerate(tasks, 1)]
    return Section("nhiem-vu", fill(part["title"], n=number), blocks)


def _summary(w: Weekly, targets: dict[str, Target]) -> Section:
    """HTML only: the main figures at a glance."""
    words = wording()
    part = words["summary"]
    points = []
    for indicator in RECEIVED_INDICATORS:
        row = _row(w.indicators, "province", indicator)
        if not _has(row) or row is None:
            continue
        name, rate = words["indicators"][indicator]["name"], _rate(row["rate"])
        if indicator in targets:
            verdict = part["meets"] if _is(row["meets_target"], True) else part["misses"]
            points.append(
                fill(part["item_target"], name=name, rate=rate, verdict=verdict, target=targets[indicator].label())
            )
        else:
            points.append(fill(part["item"], name=name, rate=rate))
    on_time, late = _row(w.indicators, "province", "resolved_on_time"), _row(w.indicators, "province", "resolved_late")
    if _has(on_time) and on_time is not None and late is not None:
        points.append(fill(part["resolution"], on_time=_rate(on_time["rate"]), late=_rate(late["rate"])))
    return Section("diem-chinh", part["title"], [Bullets(points)], pdf=False)


# ---------------------------------------------------------------------------------------------------
# The appendix and the audit part


def _level_names(w: Weekly) -> dict[str, str]:
    words = wording()
    return {"province": fill(words["province_level"], scope=w.scope)} | {t: words["tiers"][t]["level"] for t in _TIERS}


def _charts(w: Weekly, targets: dict[str, Target]) -> list[Figure]:
    """The indicators (against their targets when params set any), and on time against late per level;
    each chart's title is its caption, under it."""
    words = wording()
    part = words["appendix"]
    figures: list[Figure] = []
    shown = [i for i in RECEIVED_INDICATORS if _has(_row(w.indicators, "province", i))]
    rates = [r["rate"] for r in (_row(w.indicators, "province", i) for i in shown) if r is not None]
    if shown:
        labels = [
            fill(
                part["chart_label_target"] if i in targets else part["chart_label"],
                short=words["indicators"][i]["short"],
                target=targets[i].label() if i in targets else "",
            )
            for i in shown
        ]
        items = "; ".join(f"{words['indicators'][i]['name']} {_rate(r)}" for i, r in zip(shown, rates, strict=True))
        if targets:
            chart = Chart(
                "indicator_chart",
                {
                    "labels": labels,
                    "rates": rates,
                    "targets": [targets[i].value if i in targets else None for i in shown],
                    "title": "",
                },
            )
            caption, alt = part["chart_targets_caption"], part["chart_targets_alt"]
        else:  # no target line, no word of targets
            args = {"labels": labels, "values": rates, "highlight": 0, "title": "", "xlabel": part["chart_rates_axis"]}
            chart = Chart("ranking_chart", args)
            caption, alt = part["chart_rates_caption"], part["chart_rates_alt"]
        data = pd.DataFrame(
            {"indicator": shown, "rate": rates, "target": [str(targets[i]) if i in targets else "" for i in shown]},
            dtype=object,
        )
        alt_text = fill(alt, count=len(shown), scope=w.scope, items=items)
        figures.append(Figure("indicators", fill(caption, scope=w.scope), alt_text, chart, data))
    levels = [lv for lv in ("province", *_TIERS) if _has(_row(w.indicators, lv, "resolved_on_time"))]
    good = [r["rate"] for r in (_row(w.indicators, lv, "resolved_on_time") for lv in levels) if r is not None]
    bad = [r["rate"] for r in (_row(w.indicators, lv, "resolved_late") for lv in levels) if r is not None]
    if levels and len(bad) == len(levels):
        names = _level_names(w)
        chart = Chart(
            "share_chart", {"labels": [names[lv] for lv in levels], "on_time": good, "late": bad, "title": ""}
        )
        items = "; ".join(
            fill(part["chart_resolution_item"], level=names[lv], on_time=_rate(g), late=_rate(b))
            for lv, g, b in zip(levels, good, bad, strict=True)
        )
        data = pd.DataFrame({"level": levels, "on_time": good, "late": bad}, dtype=object)
        caption = fill(part["chart_resolution_caption"], scope=w.scope)
        alt_text = fill(part["chart_resolution_alt"], items=items)
        figures.append(Figure("resolution", caption, alt_text, chart, data))
    return figures


def _unit_tables(w: Weekly) -> list[Table]:
    """One table a tier: each unit's rates in the registry's order, "không phát sinh" where it had
    nothing to count."""
    words = wording()
    part = words["appendix"]
    present = [i for i in INDICATORS if _row(w.indicators, "province", i) is not None]
    out = []
    for tier in _TIERS:
        frames = {i: _units(w, tier, i) for i in present}
        if not frames or all(f.empty for f in frames.values()):
            continue
        base = w.registry[w.registry["tier"] == tier][["unit_code", "unit_name"]]
        if base.empty:
            base = pd.concat([f[["unit_code", "unit_name"]] for f in frames.values()]).drop_duplicates("unit_name")
        base = base.reset_index(drop=True).astype(object)
        shown, machine = base.copy(), base.copy()
        machine.insert(2, "tier", tier)
        idle = False
        for indicator in present:
            rates = dict(zip(frames[indicator]["unit_name"], frames[indicator]["rate"], strict=True))
            values = [rates.get(n) for n in base["unit_name"]]
            idle = idle or any(v is None for v in values)
            shown[indicator] = [_cell(v, part["none"]) for v in values]
            machine[indicator] = pd.Series(values, dtype=object)
        cols = [Col("unit_name", part["unit_column"])]
        cols += [Col(i, words["indicators"][i]["column"], "percent") for i in present]
        notes = [part["units_note_pakn"]] if "complaints_handled" in present else []
        notes += [part["units_note_none"]] if idle else []
        caption = fill(part["units_caption"], of_who=words["tiers"][tier]["of_who"])
        name = f"units_indicators_{tier}"
        out.append(w.tables.block(name, caption, shown, cols, note=" ".join(notes), machine=machine))
    return out


def _appendix(w: Weekly, targets: dict[str, Target]) -> Section:
    """The "Phụ lục": each tier's units, then the charts (so that no table caption is left at a page foot)."""
    part = wording()["appendix"]
    blocks: list[Block] = [*_unit_tables(w), *_charts(w, targets)]
    return appendix("phu-luc", 1, fill(part["title"], scope=w.scope), blocks)  # the only one: "Phụ lục"


def _audit(w: Weekly) -> Section:
    """HTML only: rows read, used and set aside, empty flags, how the figures are counted, warnings."""
    words = wording()
    part = words["audit"]
    blocks: list[Block] = []
    for loaded in w.loaded:
        what = part["inputs"].get(loaded.table, part["inputs"]["dossiers"])
        text = fill(part["read"], what=what, read=fmt_count(loaded.read), used=fmt_count(loaded.used))
        if not loaded.quarantined:
            blocks.append(Paragraph(f"{text} {part['read_clean']}"))
            continue
        blocks.append(Paragraph(f"{text} {fill(part['read_quarantined'], count=fmt_count(loaded.quarantined))}"))
        limit = int(part["quarantine_shown"])
        columns = part["quarantine_columns"]
        frame = loaded.quarantine.head(limit).astype(object)
        cols = [Col(key, label, "count" if key == "line" else "text") for key, label in columns.items()]
        note = (
            fill(part["quarantine_more"], shown=limit, count=fmt_count(loaded.quarantined))
            if loaded.quarantined > limit
            else ""
        )
        caption = fill(part["quarantine_caption"], what=what)
        blocks.append(format_table(f"quarantine_{loaded.table}", caption, frame, cols, note))
    missing = []
    for indicator in RECEIVED_INDICATORS:
        row = _row(w.indicators, "province", indicator)
        if row is not None and int(row["missing"]) > 0:
            names = words["indicators"][indicator]
            missing.append(fill(part["missing"], missing=fmt_count(row["missing"]), **names))
    row = _row(w.indicators, "province", "resolved_on_time")
    if row is not None and int(row["missing"]) > 0:
        missing.append(fill(part["missing_resolution"], missing=fmt_count(row["missing"])))
    if missing:
        blocks.append(Bullets(missing))
    blocks.append(Bullets(list(part["method"])))
    warnings = [w_.message for w_ in w.facts.diagnostics.items]
    if warnings:
        blocks.append(Heading(part["warnings"], 4))
        blocks.append(Bullets(warnings))
    return Section("kiem-tra-du-lieu", part["title"], blocks, pdf=False, appendix=True)


# ---------------------------------------------------------------------------------------------------
# The notice


def outline(w: Weekly) -> Document:
    """The notice: 1. indicators against targets, 2. resolution, 3. shortcomings, (4. tasks), the
    closing formula; the appendix; the main points and the audit part in HTML only."""
    params, tables, words = w.params, w.tables, wording()
    subtitle = fill(words["period"], period=params.period.describe_vi())
    if params.as_of < params.period.end:
        subtitle += "\n" + fill(words["as_of"], date=fmt_date(params.as_of))
    doc = new_document(params, "weekly_tthc", words["title"], subtitle, "thong_bao", phrasings()["forms"])
    targets = {k: parse_target(v) for k, v in (params.get("targets") or {}).items() if k in INDICATORS}
    tables.add("indicators", w.indicators)
    tables.add("backlog", w.facts.backlog)
    tables.add("local_components", w.facts.components)
    for loaded in w.loaded:
        tables.add(f"quarantine_{loaded.table}", loaded.quarantine)
    tables.add("warnings", warnings_table(w.facts.diagnostics))

    doc.sections.append(_summary(w, targets))
    doc.sections.append(_targets_part(w, targets))
    resolution = _resolution_part(w)
    resolution.blocks += paragraphs(officer_text(params).results)  # the officer's text.results
    doc.sections.append(resolution)
    shortcomings = _shortcomings(w, targets, 3)  # 3. when there is any, the officer's tasks next
    tasks = _instructions(w, 4 if shortcomings is not None else 3)
    doc.sections += [s for s in (shortcomings, tasks) if s is not None]
    doc.sections.append(_appendix(w, targets))
    doc.sections.append(_audit(w))
    return close(doc, params, phrasings()["forms"], tables)
