"""HTML, one path: Jinja templates for a document's blocks, the bulletin page and every site page.

The notebook displays each section through :func:`section_html`; nbconvert then assembles the
executed notebook's outputs into the bulletin page with the project's own template (no code, no
external request); the site's pages extend the same page template.
"""

from __future__ import annotations

import base64
import html
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import nbformat
from markupsafe import Markup

from chiso766.render.charts import rendered
from chiso766.report.outline import Document, Figure, Section

if TYPE_CHECKING:
    from nbconvert import HTMLExporter

__all__ = ["HTML", "render_html", "section_html", "header_html", "signature_html", "page", "nd30", "templates"]

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


def _png_base64(figure: Figure) -> str:
    return base64.b64encode(rendered(figure).png).decode("ascii")


@lru_cache(maxsize=1)
def nd30() -> dict[str, str]:
    """The fixed lines of a document's header (Quốc hiệu, Tiêu ngữ …), shared with the Typst template."""
    data: dict[str, str] = json.loads((_TEMPLATES / "common" / "nd30.json").read_text(encoding="utf-8"))
    return data


@lru_cache(maxsize=1)
def templates() -> jinja2.Environment:
    """The one Jinja environment every HTML page and fragment comes from."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES / "html")), autoescape=True, keep_trailing_newline=True
    )
    env.filters["esc"] = _esc
    env.filters["split_lines"] = lambda text: [line for line in str(text).splitlines() if line.strip()]
    env.globals.update(png_base64=_png_base64, nd30=nd30())
    return env


def _macro(name: str, *args: Any) -> HTML:
    module = templates().get_template("blocks.html.j2").module
    return HTML(str(getattr(module, name)(*args)))


def section_html(section: Section, document: Document | None = None) -> HTML:
    """One section of a document as the bulletin page shows it (charts drawn and embedded); an
    appendix shows the document's "(Kèm theo …)" line."""
    return _macro("section", section, document)


def header_html(document: Document) -> HTML:
    """The document's head: issuing body and national motto, document type, title."""
    return _macro("header", document)


def signature_html(document: Document) -> HTML:
    """Recipients (left) and the signature block (right)."""
    return _macro("signature", document)


def page(template: str, **context: Any) -> str:
    """A site page from ``templates/html/<template>``, which extends the shared page template."""
    return templates().get_template(template).render(**context)


def _exporter(**options: object) -> HTMLExporter:
    from nbconvert import HTMLExporter, TemplateExporter  # imported here: nbconvert is slow to import
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

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

    return BulletinExporter(**options)


def render_html(notebook_path: Path, title: str, version: str) -> str:
    """The bulletin page: outputs only (no code), cells tagged ``remove`` left out."""
    from nbconvert.preprocessors import TagRemovePreprocessor

    notebook = nbformat.read(notebook_path, as_version=4)
    exporter = _exporter(
        extra_template_basedirs=[str(_TEMPLATES)],
        template_name="html",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    remover = TagRemovePreprocessor(remove_cell_tags={"remove"}, enabled=True)
    exporter.register_preprocessor(remover, enabled=True)
    body, _ = exporter.from_notebook_node(notebook, resources={"title": title, "chiso766_version": version})
    return str(body)
