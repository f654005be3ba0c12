"""HTML, one path: Jinja templates for a document's blocks, the bulletin page and every site page.

The notebook displays each section through :func:`section_html`; nbconvert then assembles the
executed notebook's outputs into the bulletin page with the project's own template (no code, no
external request) and :func:`render_html` puts a table of contents at its top; the site's pages
extend the same page template.

The auditor's appendices (HTML-only appendix sections: data checks, methodology, the per-unit trace,
differences with the portal) are all on their own page, ``audit.html`` (:func:`audit_page`), beside
the bulletin; the bulletin keeps the short ones and, for a long one (the per-unit trace: hundreds of
kilobytes), a short section of the same id that links to it (:func:`appendix_html`), so that the page
a reader opens, on a phone too, stays small. Charts are embedded as SVG (text, scaled to the width).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import threading
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import jinja2
from markupsafe import Markup, escape

from chiso766.core.per_process import per_process
from chiso766.render.webfonts import font_faces
from chiso766.report.outline import Details, Document, Figure, Section

if TYPE_CHECKING:
    from nbconvert import HTMLExporter
    from nbformat import NotebookNode

__all__ = [
    "HTML",
    "AUDIT_PAGE",
    "INLINE_LIMIT",
    "render_html",
    "prepare_html",
    "section_html",
    "appendix_html",
    "audit_sections",
    "audit_page",
    "is_audit",
    "header_html",
    "signature_html",
    "page",
    "nd30",
    "templates",
]

AUDIT_PAGE = "audit.html"
INLINE_LIMIT = 50_000  # characters: an auditor's appendix longer than this is shown on audit.html only

_TEMPLATES = Path(str(resources.files("chiso766.render").joinpath("templates")))


@dataclass(frozen=True)
class HTML:
    """A fragment the notebook displays as it is (``_repr_html_``) and nbconvert copies into the page."""

    text: str

    def _repr_html_(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:  # the notebook's text/plain copy: short, the page uses the HTML
        return f"<HTML: {len(self.text)} ký tự>"


def _esc(value: object) -> Markup:
    # html.escape, not markupsafe's escape: the pages keep the entity spelling they always had
    return Markup(html.escape(str(value)))


def _cells(row: Sequence[object], align: Sequence[str]) -> Markup:
    # a table's row of cells at once: through the template, cell by cell, the audit appendix's
    # thousands of cells cost half a second
    opening = _openings(tuple(align), len(row))
    return Markup("".join(f"{o}{html.escape(str(v))}</td>" for o, v in zip(opening, row, strict=True)))


@lru_cache(maxsize=64)
def _openings(align: tuple[str, ...], width: int) -> tuple[str, ...]:
    """The opening tags of a row's cells: the same for every row of a table."""
    return (*(f'<td class="{escape(c)}">' for c in align[:width]), *(['<td class="">'] * (width - len(align))))


_SVG_PROLOG = re.compile(rb"^.*?(?=<svg[\s>])", re.DOTALL)  # XML declaration and DOCTYPE (a DTD address)
_SVG_METADATA = re.compile(rb"<metadata>.*?</metadata>\s*", re.DOTALL)
_SVG_FONT = b"font-family: 'DejaVu Sans'"
_SVG_FONTS = b"font-family: 'DejaVu Sans', 'Liberation Sans', Arimo, Arial, sans-serif"


def _svg_data_uri(figure: Figure) -> str:
    """The chart as an SVG ``data:`` address: a quarter of the PNG's bytes, sharp at any width."""
    # imported here: render_html, which runs beside the kernel, draws no chart and needs no pandas
    from chiso766.render.figures import rendered

    svg = _SVG_METADATA.sub(b"", _SVG_PROLOG.sub(b"", rendered(figure).svg, count=1), count=1)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.replace(_SVG_FONT, _SVG_FONTS)).decode("ascii")


@lru_cache(maxsize=1)
def nd30() -> dict[str, str]:
    """The fixed lines of a document's header (Quốc hiệu, Tiêu ngữ …), shared with the Typst template."""
    data: dict[str, str] = json.loads((_TEMPLATES / "common" / "nd30.json").read_text(encoding="utf-8"))
    return data


def _font_faces() -> Markup:
    return Markup(font_faces())


@lru_cache(maxsize=1)
def templates() -> jinja2.Environment:
    """The one Jinja environment every HTML page and fragment comes from."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES / "html")), autoescape=True, keep_trailing_newline=True
    )
    env.filters["esc"] = _esc
    env.filters["cells"] = _cells
    env.filters["split_lines"] = lambda text: [line for line in str(text).splitlines() if line.strip()]
    env.globals.update(svg_data_uri=_svg_data_uri, nd30=nd30(), font_faces=_font_faces)
    return env


def _macro(name: str, *args: Any) -> HTML:
    module = templates().get_template("blocks.html.j2").module
    return HTML(str(getattr(module, name)(*args)))


def section_html(section: Section, document: Document | None = None) -> HTML:
    """One section of a document as the bulletin page shows it (charts drawn and embedded); an
    appendix shows the document's "(Kèm theo …)" line."""
    return _macro("section", section, document)


def is_audit(section: Section) -> bool:
    """An auditor's appendix: shown in HTML only, after the document, without a "Phụ lục I" label."""
    return section.appendix and not section.label


def audit_sections(document: Document) -> list[Section]:
    return [s for s in document.sections if is_audit(s)]


def appendix_html(section: Section, document: Document) -> HTML:
    """An appendix as the bulletin page shows it: whole, or, for an auditor's appendix longer than
    :data:`INLINE_LIMIT`, its title and a link to the same section on ``audit.html``."""
    if not is_audit(section):
        return section_html(section, document)
    whole = _audit_html(section, document)
    if len(whole.text) <= INLINE_LIMIT:
        return whole
    entries = sum(isinstance(b, Details) for b in section.blocks)
    return _parts("moved", section, entries, AUDIT_PAGE)


def _audit_html(section: Section, document: Document) -> HTML:
    """An auditor's appendix, whole, rendered once: the page measures it (:func:`appendix_html`) and
    ``audit.html`` shows it, and the unit-by-unit trace of a month is a tenth of a second. Kept among
    the section's own attributes while it is this document's (an outline shown is final)."""
    from chiso766.report.model import derived  # with pandas: the kernel's import, not render_html's

    kept = cast("dict[Hashable, Any]", vars(section))
    return derived(kept, "_html", (document,), lambda: section_html(section, document))


def audit_page(document: Document) -> str:
    """``audit.html``: every auditor's appendix of the document, whole, with its own table of contents."""
    sections = audit_sections(document)
    body = "".join(_audit_html(s, document).text for s in sections)
    title = f"Phụ lục kiểm toán: {page_title(document.doc_type, document.title, document.subtitle)}"
    return page("audit.html.j2", title=title, doc=document, toc=_toc(body), body=Markup(body))


def page_title(doc_type: str, title: str, subtitle: str) -> str:
    """A document's page title: its type (a công văn has none printed, and is named), title, subtitle.

    Examples
    --------
    >>> page_title("", "Kết quả các chỉ số cải cách hành chính năm 2024", "")
    'CÔNG VĂN: Kết quả các chỉ số cải cách hành chính năm 2024'
    """
    return " ".join(part for part in (f"{doc_type or 'CÔNG VĂN'}:", title, subtitle) if part)


def _parts(name: str, *args: Any) -> HTML:
    module = templates().get_template("bulletin_parts.html.j2").module
    return HTML(str(getattr(module, name)(*args)))


# a section as the ``section`` macro writes it: its id, then (an appendix) its label, then its title
_SECTION = re.compile(
    r'<section id="(?P<id>[^"<>]+)">(?:<p class="appendix-label">(?P<label>[^<]*)</p>)?'
    r"<h2[^>]*>(?P<title>[^<]+)</h2>"
)


def _toc(body: str) -> list[tuple[Markup, Markup]]:
    """(href, text) of every titled section of a page, in order; the texts are already escaped."""
    return [
        (Markup("#" + m["id"]), Markup(f"{m['label']}: {m['title']}" if m["label"] else m["title"]))
        for m in _SECTION.finditer(body)
    ]


def _with_toc(body: str, audit: bool) -> str:
    """The page with its table of contents before its first section (and a link to ``audit.html``)."""
    entries = _toc(body)
    if audit:
        entries.append((Markup(AUDIT_PAGE), Markup("Phụ lục kiểm toán (trang riêng)")))
    first = body.find('<section id="')
    if len(entries) < 2 or first < 0:
        return body
    return body[:first] + _parts("toc", entries).text + body[first:]


def header_html(document: Document) -> HTML:
    """The document's head: issuing body and national motto, document type, title."""
    return _macro("header", document)


def signature_html(document: Document) -> HTML:
    """Recipients (left) and the signature block (right)."""
    return _macro("signature", document)


def page(template: str, **context: Any) -> str:
    """A site page from ``templates/html/<template>``, which extends the shared page template."""
    return templates().get_template(template).render(**context)


def _templates_digest() -> str:
    """The page templates' contents: the exporter holds its page template once loaded, so a template
    edited in a long session (JupyterLab) asks for a new one, as the manifest's code digest says."""
    digest = hashlib.sha256()
    for path in sorted((_TEMPLATES / "html").iterdir()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@per_process
def _exporter(templates: str) -> tuple[HTMLExporter, threading.Lock]:
    """The bulletin page's exporter for the templates of digest ``templates``, made once a process
    (:func:`per_process`) while they stay the same: they are compiled at the first page (a tenth of a
    second), not again for each run of :func:`run_many`; with the lock its pages take turns."""
    from nbconvert import HTMLExporter, TemplateExporter  # imported here: nbconvert is slow to import
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
    from nbconvert.preprocessors import TagRemovePreprocessor

    class BulletinExporter(HTMLExporter):
        """HTMLExporter without its BeautifulSoup pass (seconds on a large bulletin): our template
        writes alt text on every image and shows no code cells for it to make focusable."""

        def from_notebook_node(self, nb, resources=None, **kw):  # type: ignore[no-untyped-def]
            resources = self._init_resources(resources)
            self.register_filter(
                "filter_data_type",
                WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources),
            )
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    exporter = BulletinExporter(
        extra_template_basedirs=[str(_TEMPLATES)],
        template_name="html",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        # nbconvert checks the whole notebook after each of its eleven default preprocessors, the
        # disabled ones too; the page needs one, which leaves out the cells tagged "remove" (the others
        # enabled change nothing here: no patterns to remove, highlighting of code it does not show)
        default_preprocessors=[],
    )
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={"remove"}, enabled=True), enabled=True)
    exporter.environment.globals["font_faces"] = _font_faces
    return exporter, threading.Lock()


def _page_of(notebook: NotebookNode, title: str, version: str) -> str:
    exporter, lock = _exporter(_templates_digest())
    with lock:
        body, _ = exporter.from_notebook_node(notebook, resources={"title": title, "chiso766_version": version})
    return str(body)


def render_html(notebook_path: Path, title: str, version: str) -> str:
    """The bulletin page: outputs only (no code), cells tagged ``remove`` left out, a table of contents
    at the top; it links ``audit.html`` when the notebook's ``nb.save`` wrote one beside it."""
    import nbformat  # imported here: the kernel's cells use this module without it

    body = _page_of(nbformat.read(notebook_path, as_version=4), title, version)
    return _with_toc(body, audit=(Path(notebook_path).parent / AUDIT_PAGE).is_file())


def prepare_html() -> None:
    """Load and compile what a first page costs (nbconvert, its templates: half a second), so that
    :func:`render_html` is quick later; ``chiso766 run`` calls it while the notebook runs."""
    import nbformat

    _page_of(nbformat.v4.new_notebook(), "", "")
