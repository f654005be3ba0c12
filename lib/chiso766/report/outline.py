"""A bulletin's outline: sections of blocks (text, tables, charts), the vocabulary every report kind uses.

A report kind builds a :class:`Document`; :mod:`chiso766.render` turns the same document into HTML
(Jinja templates), into the data the Typst PDF template reads (``document.json``) and into chart
files. Text is plain text everywhere: the renderers escape it or read it as data, so nothing in a
unit's name can become markup.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # annotations only: the HTML page and PDF are rendered without pandas
    import pandas as pd

__all__ = [
    "Heading",
    "Paragraph",
    "Bullets",
    "Table",
    "Chart",
    "Figure",
    "Details",
    "Block",
    "Section",
    "Document",
    "tell",
    "table_made",
]


@dataclass
class Paragraph:
    text: str
    style: Literal["body", "note", "lead"] = "body"
    kind: str = "paragraph"


@dataclass
class Bullets:
    """A list; an item written ``"+ …"`` is a sub-item of the one before it, as in the notices."""

    items: list[str]
    numbered: bool = False
    kind: str = "bullets"


@dataclass
class Heading:
    text: str
    level: int = 3
    kind: str = "heading"


@dataclass
class Table:
    """A formatted table: ``rows`` are the strings a reader sees; ``name`` is its CSV in tables/."""

    name: str
    caption: str
    columns: list[str]
    rows: list[list[str]]
    align: list[str] = field(default_factory=list)  # "l" or "r" per column
    widths: list[float] = field(default_factory=list)  # relative column widths (PDF)
    note: str = ""
    highlight: list[int] = field(default_factory=list)  # row indexes to emphasise
    kind: str = "table"


_TOLD: dict[str, Callable[..., None] | None] = {"chart": None, "table": None}


def tell(
    chart: Callable[[Chart], None] | None = None, table: Callable[[str, pd.DataFrame], None] | None = None
) -> None:
    """Who is told of each chart and each report table as they are made (``None``: nobody): a run that
    saves its files has them made on its other core while the outline goes on
    (:func:`chiso766.render.figures.ahead`, :func:`chiso766.render.table_files.ahead`)."""
    _TOLD.update(chart=chart, table=table)


def _made(kind: str, *made: object) -> None:
    listener = _TOLD[kind]
    if listener is not None:
        listener(*made)


def table_made(name: str, frame: pd.DataFrame) -> None:
    """Tell whoever :func:`tell` named that the report's table ``name`` is ``frame``."""
    _made("table", name, frame)


@dataclass(frozen=True)
class Chart:
    """What to draw: a chart function of :mod:`chiso766.render.charts` (``draw``) and its arguments."""

    draw: str
    args: dict[str, Any]

    def __post_init__(self) -> None:
        _made("chart", self)


@dataclass
class Figure:
    """A chart, saved as ``figures/<name>.png`` and ``.svg`` with ``data`` as its CSV; ``alt`` describes
    it for screen readers."""

    name: str
    caption: str
    alt: str
    chart: Chart
    data: pd.DataFrame
    kind: str = "figure"

    @property
    def png(self) -> str:
        return f"figures/{self.name}.png"

    @property
    def svg(self) -> str:
        return f"figures/{self.name}.svg"


@dataclass
class Details:
    """Blocks collapsed under a summary line in HTML (an auditor opens what they need)."""

    summary: str
    blocks: list[Block] = field(default_factory=list)
    kind: str = "details"


Block = Paragraph | Bullets | Heading | Table | Figure | Details


@dataclass
class Section:
    id: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    level: int = 2
    pdf: bool = True  # False: shown in HTML only (e.g. long audit appendices)
    appendix: bool = False  # printed after the signature block, on a new page
    label: str = ""  # an appendix's "Phụ lục I" line, above its title


@dataclass
class Document:
    """The whole bulletin: its form and header facts (issuer, type, title), its sections, its closing.

    ``form`` is ``bao_cao``, ``cong_van`` or ``thong_bao`` (DOCUMENTS.md): a công văn has no
    ``doc_type`` line; its ``subject`` is the "V/v …" under the number and ``to`` its "Kính gửi:".
    ``closing`` is the body's last sentence, ending in "./."; ``attached`` the "(Kèm theo …)" line of
    every appendix.
    """

    kind: str
    doc_type: str  # "BÁO CÁO", "THÔNG BÁO"; "" for a công văn
    title: str
    subtitle: str
    issuer: dict[str, Any]
    sections: list[Section] = field(default_factory=list)
    form: str = "bao_cao"
    subject: str = ""
    to: list[str] = field(default_factory=list)
    closing: str = ""
    attached: str = ""
    footnotes: list[str] = field(default_factory=list)
    # the machine tables its files carry (tables/*.csv), final once the document is closed
    data: Mapping[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    def section(self, section_id: str) -> Section:
        return next(s for s in self.sections if s.id == section_id)

    def figures(self) -> list[Figure]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Figure)]

    def tables(self) -> list[Table]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)]
