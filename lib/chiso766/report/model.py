"""What every report kind shares: formatted table blocks backed by machine tables, and the document head."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from chiso766.core.textvi import fmt_count, fmt_number, fmt_points
from chiso766.report.narrative import place_date
from chiso766.report.outline import Document, Paragraph, Section, Table

__all__ = ["Col", "TableSet", "Report", "ScoredReport", "fmt_cell", "format_table", "new_document"]


@dataclass(frozen=True)
class Col:
    """A displayed column: the machine column ``key``, its Vietnamese header and how to format it."""

    key: str
    label: str
    kind: str = "text"  # text | points | rate | count | rank


def fmt_cell(value: object, kind: str) -> str:
    """Format one cell for a reader (decimal comma, thousands dot, '—' for missing)."""
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if kind == "points":
        return fmt_points(value)
    if kind == "rate":
        return fmt_number(value, 2)
    if kind in {"count", "rank"}:
        return fmt_count(value)
    return str(value)


@dataclass
class TableSet:
    """The tables of one report: machine tables for tables/*.csv, each shown table made from one."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def add(self, name: str, frame: pd.DataFrame) -> pd.DataFrame:
        if name in self.tables:
            raise ValueError(f"table {name!r} added twice")
        self.tables[name] = frame.reset_index(drop=True)
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
    ) -> Table:
        """Register ``frame`` (or ``machine``, its CSV form) as ``tables/<name>.csv``; return it formatted."""
        self.add(name, frame if machine is None else machine)
        return format_table(name, caption, frame, cols, note, highlight, numbered)


def format_table(
    name: str,
    caption: str,
    frame: pd.DataFrame,
    cols: Iterable[Col],
    note: str = "",
    highlight: Iterable[int] = (),
    numbered: bool = True,
) -> Table:
    """``frame`` formatted for a reader as a table block whose CSV is ``tables/<name>.csv``."""
    frame = frame.reset_index(drop=True)
    cols = list(cols)
    rows = [
        [fmt_cell(value, c.kind) for c, value in zip(cols, values, strict=False)]
        for values in frame[[c.key for c in cols]].itertuples(index=False, name=None)
    ]
    columns = [c.label for c in cols]
    align = ["r" if c.kind != "text" else "l" for c in cols]
    # the PDF shares the page width in proportion to each column's longest cell or header word
    # (text capped so that names wrap), plus room for the cell padding
    widths = [
        min(24, max([*(len(w) for w in c.label.split()), *(len(r[i]) for r in rows)], default=1)) + 2.5
        for i, c in enumerate(cols)
    ]
    if numbered:
        rows = [[str(i), *r] for i, r in enumerate(rows, start=1)]
        columns, align, widths = ["STT", *columns], ["r", *align], [5.5, *widths]
    return Table(name, caption, columns, rows, align, widths, note, list(highlight))


class Report:
    """What every report model shares: its tables (tables/*.csv, in order) and what its outputs record."""

    tables: TableSet
    params: Any

    def table_frames(self) -> dict[str, pd.DataFrame]:
        return self.tables.tables

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


def new_document(params: Any, kind: str, doc_type: str, title: str, subtitle: str) -> Document:
    """A document headed by the params' issuer (with its place and date line) and, first, their note."""
    issuer = dict(params.get("issuer") or {})
    # the validated date: a params file re-run from a manifest gives it as text
    typed = params.schema.issuer if params.schema is not None and params.schema.issuer is not None else None
    day = typed.date if typed is not None else issuer.get("date")
    issuer["place_date"] = place_date(
        str(issuer.get("place", "")), day if isinstance(day, date) else None, params.as_of.year
    )
    document = Document(kind, doc_type, title, subtitle, issuer)
    if params.get("note"):
        document.sections.append(Section("ghi-chu", "", [Paragraph(str(params.get("note")), "note")]))
    return document
