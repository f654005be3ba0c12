"""What every report kind shares: formatted table blocks backed by machine tables, and the document head."""

from __future__ import annotations

import dataclasses
import functools
import string
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar, cast

import pandas as pd

from chiso766.core.params import DocumentForm, Params, Text
from chiso766.core.textvi import capitalized, fmt_count, fmt_date, fmt_number, fmt_points, name_key
from chiso766.ingest.units import params_registry
from chiso766.report.narrative import fill, phrasings, place_date
from chiso766.report.outline import Block, Bullets, Details, Document, Figure, Paragraph, Section, Table, table_made

__all__ = [
    "Col",
    "TableSet",
    "Report",
    "ScoredReport",
    "fmt_cell",
    "format_table",
    "format_rows",
    "table_block",
    "new_document",
    "close",
    "appendix",
    "paragraphs",
    "document_params",
    "officer_text",
    "form_phrase",
    "provisional",
    "officer_tasks",
    "derived",
]

_T = TypeVar("_T")
_V = TypeVar("_V")


@dataclass(frozen=True)
class Col:
    """A displayed column: the machine column ``key``, its Vietnamese header and how to format it."""

    key: str
    label: str
    kind: str = "text"  # text | points | rate | count | rank | given (a figure already written, right-aligned)


def _rate(value: object) -> str:
    return fmt_number(value, 2)


_NUMBERS: dict[str, Callable[[object], str]] = {
    "points": fmt_points,
    "rate": _rate,
    "count": fmt_count,
    "rank": fmt_count,
}


@functools.lru_cache(maxsize=16384)
def _number_cell(kind: str, _type: Hashable, value: Hashable) -> str:
    # a bulletin's tables write some 30 000 numbers, most of them many times over: each is written
    # once (by kind and type as well as value, so that 1 and 1.0 and True are each their own)
    return _NUMBERS[kind](value)


def fmt_cell(value: object, kind: str) -> str:
    """Format one cell for a reader (decimal comma, thousands dot, '—' for missing)."""
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if kind not in _NUMBERS:
        return str(value)
    try:
        return _number_cell(kind, cast(Hashable, type(value)), value)
    except TypeError:  # a value that cannot be a key
        return _NUMBERS[kind](value)


@dataclass
class TableSet:
    """The tables of one report: machine tables for tables/*.csv, each shown table made from one."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def add(self, name: str, frame: pd.DataFrame) -> pd.DataFrame:
        if name in self.tables:
            raise ValueError(f"table {name!r} added twice")
        self.tables[name] = frame.reset_index(drop=True)
        table_made(name, self.tables[name])
        return self.tables[name]

    def block(
        self,
        name: str,
        caption: str,
        frame: pd.DataFrame,
        cols: Iterable[Col],
        note: str = "",
        highlight: Iterable[int] = (),
        numbered: bool = True,
        machine: pd.DataFrame | None = None,
        totals: int = 0,
    ) -> Table:
        """Register ``frame`` (or ``machine``, its CSV form) as ``tables/<name>.csv``; return it formatted."""
        self.add(name, frame if machine is None else machine)
        return format_table(name, caption, frame, cols, note, highlight, numbered, totals)


def format_rows(frame: pd.DataFrame, cols: Sequence[Col]) -> list[list[str]]:
    """``frame``'s rows formatted for a reader, one text per column of ``cols`` (:func:`fmt_cell`)."""
    return [
        [fmt_cell(value, c.kind) for c, value in zip(cols, values, strict=False)]
        for values in frame[[c.key for c in cols]].itertuples(index=False, name=None)
    ]


def format_table(
    name: str,
    caption: str,
    frame: pd.DataFrame,
    cols: Iterable[Col],
    note: str = "",
    highlight: Iterable[int] = (),
    numbered: bool = True,
    totals: int = 0,
) -> Table:
    """``frame`` formatted for a reader as a table block whose CSV is ``tables/<name>.csv``."""
    cols = list(cols)
    return table_block(name, caption, format_rows(frame, cols), cols, note, highlight, numbered, totals)


def table_block(
    name: str,
    caption: str,
    rows: list[list[str]],
    cols: Sequence[Col],
    note: str = "",
    highlight: Iterable[int] = (),
    numbered: bool = True,
    totals: int = 0,
) -> Table:
    """Rows already formatted (:func:`format_rows`) as a table block whose CSV is ``tables/<name>.csv``;
    many tables cut from one frame format it once. ``numbered``: an "STT" column, save for the last
    ``totals`` rows (a "Tổng điểm" row is no item of the list, as reference 000 writes it)."""
    columns = [c.label for c in cols]
    align = ["r" if c.kind != "text" else "l" for c in cols]
    # the PDF shares the page width in proportion to each column's longest cell or header word
    # (text capped so that names wrap), plus room for the cell padding
    widths = [
        min(24, max([*(len(w) for w in c.label.split()), *(len(r[i]) for r in rows)], default=1)) + 2.5
        for i, c in enumerate(cols)
    ]
    if numbered:
        items = len(rows) - totals
        rows = [[str(i) if i <= items else "", *r] for i, r in enumerate(rows, start=1)]
        columns, align, widths = ["STT", *columns], ["r", *align], [5.5, *widths]
    return Table(name, caption, columns, rows, align, widths, note, list(highlight))


def derived(
    cache: dict[Hashable, tuple[tuple[object, ...], Any]],
    key: Hashable,
    sources: tuple[object, ...],
    make: Callable[[], _T],
) -> _T:
    """``make()``, kept in ``cache`` under ``key`` while ``sources`` are the same objects: a table the
    outline asks for many times, derived from a model's frames (read, never changed in place), is made
    once, and made again if the model is given other frames.

    Examples
    --------
    >>> cache: dict = {}
    >>> frame = [1, 2]
    >>> derived(cache, "sum", (frame,), lambda: sum(frame)), derived(cache, "sum", (frame,), lambda: 0)
    (3, 3)
    """
    held = cache.get(key)
    if held is None or any(a is not b for a, b in zip(held[0], sources, strict=True)):
        held = cache[key] = (sources, make())
    value: _T = held[1]
    return value


class Report:
    """What every report model shares: its tables (tables/*.csv, in order) and what its outputs record."""

    tables: TableSet
    params: Any

    def document_extra(self) -> dict[str, Any]:
        return {"as_of": self.params.as_of.isoformat()}


class ScoredReport(Report):
    """A report built on a score card, whose outputs record the rule version applied."""

    card: Any

    @property
    def method(self) -> Any:
        return self.card.method

    def document_extra(self) -> dict[str, Any]:
        return {"methodology_version": self.method.version, "as_of": self.params.as_of.isoformat()}


_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


def document_params(params: Params) -> DocumentForm:
    """The params' ``document:`` section (all empty when params give none)."""
    schema = params.schema
    return schema.document if schema is not None and schema.document is not None else DocumentForm()


def officer_text(params: Params) -> Text:
    """The params' ``text:`` section: paragraphs only the officer can write."""
    schema = params.schema
    return schema.text if schema is not None and schema.text is not None else Text()


def _issuer_date(params: Params, issuer: dict[str, Any]) -> date | None:
    # the validated date: a params file re-run from a manifest gives it as text
    typed = params.schema.issuer if params.schema is not None and params.schema.issuer is not None else None
    day = typed.date if typed is not None else issuer.get("date")
    return day if isinstance(day, date) else None


def form_phrase(forms: dict[str, Any], form: str, key: str, **values: str) -> str:
    """A form's sentence (``opening``, ``closing``) with the given values; when one is missing, the
    variant that does without it (``_bare`` without the mandate or superior, ``_anonymous`` without the
    issuing body): the text then says less, never something false."""
    wording = forms[form]
    given = {k: v for k, v in values.items() if v}
    for variant in (key, f"{key}_bare", f"{key}_anonymous"):
        template = wording.get(variant)
        if template is None:
            continue
        needed = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        if needed <= given.keys():
            return fill(template, **given)
    return ""


def provisional(params: Params) -> bool:
    """Whether the figures are of a period not yet over (as of a date before its end): "tạm tính"."""
    return params.as_of < params.period.end


def _mark_provisional(document: Document, words: str) -> None:
    """Say "số liệu tạm tính" in the heading (inside its closing bracket, or on a line of its own) and
    in the caption of every table and chart."""
    if document.subtitle.endswith(")"):
        document.subtitle = f"{document.subtitle[:-1]}, {words})"
    else:
        own_line = f"({capitalized(words)})"
        document.subtitle = f"{document.subtitle}\n{own_line}" if document.subtitle else own_line

    def mark(blocks: list[Block]) -> None:
        for block in blocks:
            if isinstance(block, (Table, Figure)):
                caption = block.caption
                block.caption = f"{caption[:-1]}; {words})" if caption.endswith(")") else f"{caption} ({words})"
            elif isinstance(block, Details):
                mark(block.blocks)

    for section in document.sections:
        mark(section.blocks)


def new_document(
    params: Params, kind: str, title: str, subtitle: str, default_form: str, forms: dict[str, Any], what: str = ""
) -> Document:
    """A document in the form params choose (``document.form``, else ``default_form``), headed by the
    issuer, opened by the mandate and, for a công văn, addressed to ``document.to``.

    ``what`` is what a báo cáo reports ("kết quả đánh giá … (tính đến ngày …)"), for its opening sentence.
    """
    framing = document_params(params)
    form = framing.form or default_form
    issuer = dict(params.get("issuer") or {})
    issuer["place_date"] = place_date(str(issuer.get("place", "")), _issuer_date(params, issuer), params.as_of.year)
    body = str(issuer.get("name") or "")
    document = Document(
        kind,
        forms[form]["doc_type"],
        title,
        subtitle,
        issuer,
        form=form,
        subject=framing.subject or (title[0].lower() + title[1:] if title else ""),
        to=list(framing.to or []),
    )
    if params.get("note"):
        document.sections.append(Section("ghi-chu", "", [Paragraph(str(params.get("note")), "note")]))
    if form != "cong_van":
        opening = form_phrase(
            forms,
            form,
            "opening",
            mandate=(framing.mandate or "").rstrip(" .,"),
            body=body,
            what=what,
            source=(framing.source or "").rstrip(" .,"),
        )
        if opening:
            document.sections.append(Section("mo-dau", "", [Paragraph(opening)]))
    number = str(issuer.get("number") or "…")
    day = _issuer_date(params, issuer)
    when = f"ngày {day:%d/%m/%Y}" if day else f"ngày …/…/{params.as_of.year}"
    document.attached = f"(Kèm theo {forms[form]['name']} số {number} {when}" + (f" của {body})" if body else ")")
    return document


_COMMUNES = ("xã, phường, đặc khu", "Xã, phường, đặc khu")


def commune_words(params: Params) -> str:
    """How the documents name the province's communes: "xã, phường, đặc khu" (the law's word for the
    level), or "xã, phường" where the registry has no đặc khu (Phú Thọ): a province without one is
    never told about its đặc khu."""
    communes = [u for u in params_registry(params).units if u.tier == "xa"]
    if not communes or any(name_key(u.name).startswith("đặc khu ") for u in communes):
        return _COMMUNES[0]
    return "xã, phường"


def _said(value: _V, words: str) -> _V:
    """``value`` with every "xã, phường, đặc khu" as ``words``: its strings, lists and mappings as new
    ones (a list may be the params' own), the fields of its dataclasses (the document's) set anew;
    frames are tables, left alone."""
    said = ((_COMMUNES[0], words), (_COMMUNES[1], capitalized(words)))  # once: a month has 48.000 texts
    return cast(_V, _replaced(value, said))


def _replaced(value: Any, said: tuple[tuple[str, str], tuple[str, str]]) -> Any:
    if isinstance(value, str):
        return value.replace(*said[0]).replace(*said[1])
    if isinstance(value, list):
        return [_replaced(item, said) for item in value]
    if isinstance(value, dict):
        return {key: _replaced(item, said) for key, item in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changed = {f.name: _replaced(getattr(value, f.name), said) for f in dataclasses.fields(value) if f.init}
        if type(value).__dataclass_params__.frozen:  # type: ignore[attr-defined]  # a chart's spec
            # kept when nothing changed: a chart made anew is handed to the worker again
            if all(item is getattr(value, name) or item == getattr(value, name) for name, item in changed.items()):
                return value
            return dataclasses.replace(value, **changed)
        for name, item in changed.items():
            setattr(value, name, item)
    return value


def close(document: Document, params: Params, forms: dict[str, Any], tables: TableSet) -> Document:
    """The closing sentence ("./.") and the officer's footnotes; a công văn's recipients start with
    "Như trên"; a period not yet over marked provisional in the heading and every table. The
    document then carries ``tables``, final (:attr:`Document.data`)."""
    framing, text = document_params(params), officer_text(params)
    if provisional(params):
        _mark_provisional(document, phrasings()["provisional"])
    body = str(document.issuer.get("name") or "")
    document.closing = text.closing or form_phrase(
        forms, document.form, "closing", body=body, superior=framing.superior or "", audience=forms["audience_default"]
    )
    document.footnotes = list(text.footnotes or [])
    _number_appendices(document)
    if (words := commune_words(params)) != _COMMUNES[0]:
        _said(document, words)
    recipients = [str(r) for r in document.issuer.get("recipients") or []]
    # "Như kính gửi" says the same as "Như trên": either one given, the other is not added
    same = ("như trên", "như kính gửi")
    if document.form == "cong_van" and not any(r.strip().lower().startswith(same) for r in recipients):
        document.issuer["recipients"] = ["Như trên", *recipients]
    document.data = tables.tables
    return document


def _number_appendices(document: Document) -> None:
    """A document's only appendix is "Phụ lục", unnumbered (NĐ 30/2020, Phụ lục I, mục II.4)."""
    numbered = [s for s in document.sections if s.appendix and s.pdf and s.label.startswith("Phụ lục ")]
    if len(numbered) == 1:
        numbered[0].label = "Phụ lục"


def appendix(section_id: str, number: int, title: str, blocks: list[Block] | None = None) -> Section:
    """An appendix: "Phụ lục I" (Roman), its title, on a new page after the signature."""
    return Section(section_id, title, list(blocks or []), appendix=True, label=f"Phụ lục {_ROMAN[number - 1]}")


def paragraphs(text: str | None) -> list[Block]:
    """Officer-written text as blocks: lines starting "- " become a list (and "+ " its sub-items),
    other lines paragraphs."""
    blocks: list[Block] = []
    items: list[str] = []
    for line in (text or "").splitlines():
        line = line.strip()
        if line.startswith("- "):
            items.append(line[2:].strip())
            continue
        if line.startswith("+ "):
            items.append(f"+ {line[2:].strip()}")
            continue
        if items:
            blocks.append(Bullets(items))
            items = []
        if line:
            blocks.append(Paragraph(line))
    if items:
        blocks.append(Bullets(items))
    return blocks


def officer_tasks(params: Params, number: int) -> tuple[list[Block], int]:
    """A directive's tasks after the generated ones, numbered on from ``number``: the officer's
    instructions (``text.instructions``: each paragraph a numbered task, unless it is numbered
    already, its "- " lines its points), then the deadline to report back and who monitors."""
    words = phrasings()
    blocks: list[Block] = []
    for block in paragraphs(officer_text(params).instructions):
        if isinstance(block, Paragraph) and not block.text[:1].isdigit():
            number += 1
            block = Paragraph(f"{number}. {block.text}")
        blocks.append(block)
    framing = document_params(params)
    if framing.deadline is not None:
        number += 1
        to_whom = f"về {framing.monitor}" if framing.monitor else ""
        task = fill(words["deadline_task"], to_whom=to_whom, deadline=fmt_date(framing.deadline))
        blocks.append(Paragraph(f"{number}. " + task.replace("  ", " ")))
    if framing.monitor:
        number += 1
        blocks.append(Paragraph(f"{number}. " + fill(words["monitor_task"], monitor=framing.monitor)))
    return blocks, number
