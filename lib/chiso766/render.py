"""Render an executed notebook to HTML (nbconvert, own template) and its document to PDF (Typst).

Quarto renders instead where a ``quarto`` binary is on PATH and params ask for it
(``renderer: quarto``); it is never required.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from importlib import resources
from pathlib import Path

import nbformat

__all__ = ["render_html", "render_pdf", "font_paths", "quarto_available", "render_quarto"]

_TEMPLATES = Path(str(resources.files("chiso766").joinpath("templates")))
# Debian's fonts-croscore (Tinos: metric-compatible with Times New Roman, full Vietnamese) and
# matplotlib's DejaVu (the charts' SVG text) are the only fonts the PDF may use.
_FONT_DIRS = ("/usr/share/fonts/truetype/croscore", "/usr/share/fonts/truetype/liberation2",
              "/usr/share/fonts/truetype/liberation")


def font_paths() -> list[str]:
    import matplotlib

    dejavu = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return [d for d in _FONT_DIRS if Path(d).is_dir()] + [str(dejavu)]


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


def render_pdf(out_dir: Path) -> bytes:
    """Compile ``out_dir/document.json`` and its SVG figures with the NĐ 30/2020 Typst template."""
    import typst

    if not any(Path(d).is_dir() for d in _FONT_DIRS):
        raise RuntimeError("thiếu phông chữ Tinos/Liberation Serif (gói Debian fonts-croscore): chạy `make setup`")
    with tempfile.TemporaryDirectory(prefix="chiso766-typst-") as tmp:
        build = Path(tmp)
        shutil.copyfile(_TEMPLATES / "typst" / "document.typ", build / "document.typ")
        shutil.copyfile(out_dir / "document.json", build / "document.json")
        if (out_dir / "figures").is_dir():
            shutil.copytree(out_dir / "figures", build / "figures")
        return typst.compile(str(build / "document.typ"), root=str(build), font_paths=font_paths(),
                             ignore_system_fonts=True)


def quarto_available() -> bool:
    return shutil.which("quarto") is not None


def render_quarto(notebook_path: Path, out_dir: Path) -> None:
    """Render with Quarto (HTML and Typst PDF) into ``out_dir`` as bulletin.html and bulletin.pdf."""
    for fmt, name in (("html", "bulletin.html"), ("typst", "bulletin.pdf")):
        subprocess.run(["quarto", "render", str(notebook_path), "--to", fmt, "--no-execute",
                        "--output", name, "--output-dir", str(out_dir)], check=True, capture_output=True)
