"""A bulletin as a list of sections and blocks, rendered once to HTML and once to Typst data.

Every report kind builds a :class:`Document`; the notebook displays its sections as HTML, and the
PDF template reads the same document as JSON. Text is plain text everywhere: HTML escapes it,
Typst reads it as data, so nothing in a unit's name can become markup.
"""

from __future__ import annotations

import base64
import html
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Union

__all__ = ["Heading", "Paragraph", "Bullets", "Table", "Figure", "Details", "Block", "Section", "Document"]


@dataclass
class Paragraph:
    text: str
    style: Literal["body", "note", "lead"] = "body"
    kind: str = "paragraph"

    def html(self) -> str:
        return f'<p class="{self.style}">{html.escape(self.text)}</p>'


@dataclass
class Bullets:
    items: list[str]
    numbered: bool = False
    kind: str = "bullets"

    def html(self) -> str:
        tag = "ol" if self.numbered else "ul"
        # an item written "+ …" is a sub-item of the one before it, as in the notices
        items = "".join(f'<li class="sub">{html.escape(i[2:])}</li>' if i.startswith("+ ") else f"<li>{html.escape(i)}</li>"
                        for i in self.items)
        return f"<{tag}>{items}</{tag}>"


@dataclass
class Heading:
    text: str
    level: int = 3
    kind: str = "heading"

    def html(self) -> str:
        return f"<h{self.level}>{html.escape(self.text)}</h{self.level}>"


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

    def html(self) -> str:
        align = self.align or ["l"] * len(self.columns)
        head = "".join(f'<th scope="col" class="{a}">{html.escape(c)}</th>' for c, a in zip(self.columns, align))
        body = []
        for index, row in enumerate(self.rows):
            cls = ' class="hl"' if index in self.highlight else ""
            cells = "".join(f'<td class="{a}">{html.escape(v)}</td>' for v, a in zip(row, align))
            body.append(f"<tr{cls}>{cells}</tr>")
        note = f'<p class="note">{html.escape(self.note)}</p>' if self.note else ""
        links = (f'<p class="download">Tải bảng: <a href="tables/{html.escape(self.name)}.csv" download>CSV</a>'
                 f' · <a href="tables.xlsx" download>XLSX</a></p>')
        return (f'<div class="table-wrap"><table id="t-{html.escape(self.name)}"><caption>{html.escape(self.caption)}'
                f"</caption><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{note}{links}</div>")


@dataclass
class Figure:
    """A chart saved as ``figures/<name>.png`` and ``.svg``; ``alt`` describes it for screen readers."""

    name: str
    caption: str
    alt: str
    png: str = ""  # path relative to the output folder
    svg: str = ""
    kind: str = "figure"
    _png_bytes: bytes = field(default=b"", repr=False)

    def html(self) -> str:
        data = base64.b64encode(self._png_bytes).decode("ascii")
        return (f'<figure id="f-{html.escape(self.name)}"><img src="data:image/png;base64,{data}" '
                f'alt="{html.escape(self.alt, quote=True)}"><figcaption>{html.escape(self.caption)} '
                f'(<a href="figures/{html.escape(self.name)}.csv" download>dữ liệu CSV</a>)</figcaption></figure>')


@dataclass
class Details:
    """Blocks collapsed under a summary line in HTML (an auditor opens what they need)."""

    summary: str
    blocks: list[Any] = field(default_factory=list)
    kind: str = "details"

    def html(self) -> str:
        inner = "".join(b.html() for b in self.blocks)
        return f"<details><summary>{html.escape(self.summary)}</summary>{inner}</details>"


Block = Union[Paragraph, Bullets, Heading, Table, Figure, Details]


@dataclass
class Section:
    id: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    level: int = 2
    pdf: bool = True  # False: shown in HTML only (e.g. long audit appendices)
    appendix: bool = False  # printed after the signature block, on a new page

    def html(self) -> str:
        inner = "".join(b.html() for b in self.blocks)
        title = f"<h{self.level}>{html.escape(self.title)}</h{self.level}>" if self.title else ""
        return f'<section id="{html.escape(self.id)}">{title}{inner}</section>'

    def _repr_html_(self) -> str:  # the notebook shows a section as the bulletin will
        return self.html()


@dataclass
class Document:
    """The whole bulletin: header facts (issuer, type, title) and its sections."""

    kind: str
    doc_type: str  # "BÁO CÁO", "THÔNG BÁO"
    title: str
    subtitle: str
    issuer: dict[str, Any]
    sections: list[Section] = field(default_factory=list)

    def header_html(self) -> str:
        """The document's head: issuing body and national motto, document type, title."""
        get = lambda key: html.escape(str(self.issuer.get(key, "") or ""))  # noqa: E731
        return (f'<header class="doc-header"><div><div>{get("parent_body").upper()}</div>'
                f'<div class="body">{get("body").upper()}</div><div class="rule"></div>'
                f'<div class="number">Số: {get("number") or "…"}</div></div>'
                '<div><div class="body">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</div>'
                '<div class="motto">Độc lập - Tự do - Hạnh phúc</div><div class="rule"></div>'
                f'<div class="place-date">{get("place_date")}</div></div></header>'
                f'<h1><span class="doc-type">{html.escape(self.doc_type)}</span>{html.escape(self.title)}</h1>'
                f'<p class="subtitle">{html.escape(self.subtitle)}</p>')

    def signature_html(self) -> str:
        """Recipients (left) and the signature block (right)."""
        recipients = "".join(f"<li>{html.escape(str(r))};</li>" for r in self.issuer.get("recipients", []) or [])
        prefix = html.escape(str(self.issuer.get("signer_prefix", "") or ""))
        return (f'<div class="signature"><div class="recipients"><strong><em>Nơi nhận:</em></strong>'
                f'<ul>{recipients}</ul></div><div class="signer">{prefix + "<br>" if prefix else ""}'
                f'{html.escape(str(self.issuer.get("signer_title", "") or "")).upper()}'
                f'<div class="name">{html.escape(str(self.issuer.get("signer", "") or ""))}</div></div></div>')

    def section(self, section_id: str) -> Section:
        return next(s for s in self.sections if s.id == section_id)

    def to_json(self) -> dict[str, Any]:
        def block(b: Block) -> dict[str, Any]:
            data = asdict(b)
            data.pop("_png_bytes", None)
            if isinstance(b, Details):
                data["blocks"] = [block(x) for x in b.blocks]
            return data
        return {"kind": self.kind, "doc_type": self.doc_type, "title": self.title,
                "subtitle": self.subtitle, "issuer": self.issuer,
                "sections": [{"id": s.id, "title": s.title, "level": s.level, "pdf": s.pdf, "appendix": s.appendix,
                              "blocks": [block(b) for b in s.blocks]} for s in self.sections]}

    def figures(self) -> list[Figure]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Figure)]

    def tables(self) -> list[Table]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)]

