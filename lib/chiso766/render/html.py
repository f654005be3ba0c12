"""The bulletin page: an executed notebook rendered to HTML by nbconvert with the project's template."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import nbformat

__all__ = ["render_html"]

_TEMPLATES = Path(str(resources.files("chiso766.render").joinpath("templates")))
def _exporter(**options: object) -> object:
    from nbconvert import HTMLExporter, TemplateExporter
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class BulletinExporter(HTMLExporter):
        """HTMLExporter without its BeautifulSoup pass (seconds on a large bulletin): our template
        writes alt text on every image and shows no code cells for it to make focusable."""

        def from_notebook_node(self, nb, resources=None, **kw):  # type: ignore[no-untyped-def]
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return BulletinExporter(**options)


def render_html(notebook_path: Path, title: str, version: str) -> str:
    """The bulletin page: outputs only (no code), cells tagged ``remove`` left out."""
    from nbconvert.preprocessors import TagRemovePreprocessor

    notebook = nbformat.read(notebook_path, as_version=4)
    exporter = _exporter(extra_template_basedirs=[str(_TEMPLATES)], template_name="html",
                         exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    remover = TagRemovePreprocessor(remove_cell_tags={"remove"}, enabled=True)
    exporter.register_preprocessor(remover, enabled=True)
    body, _ = exporter.from_notebook_node(notebook, resources={"title": title, "chiso766_version": version})
    return body

