"""The bulletin as an administrative document (NĐ 30/2020 layout): Typst from ``document.json``.

Fonts are given explicitly (``ignore_system_fonts``) so the same document gives the same bytes on
every machine.
"""

from __future__ import annotations

import shutil
import tempfile
from importlib import resources
from pathlib import Path

__all__ = ["render_pdf", "font_paths"]

_TEMPLATES = Path(str(resources.files("chiso766.render").joinpath("templates")))
# Debian's fonts-croscore (Tinos: metric-compatible with Times New Roman, full Vietnamese) and
# matplotlib's DejaVu (the charts' SVG text) are the only fonts the PDF may use.
_FONT_DIRS = (
    "/usr/share/fonts/truetype/croscore",
    "/usr/share/fonts/truetype/liberation2",
    "/usr/share/fonts/truetype/liberation",
)


def font_paths() -> list[str]:
    import matplotlib

    dejavu = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return [d for d in _FONT_DIRS if Path(d).is_dir()] + [str(dejavu)]


def render_pdf(out_dir: Path) -> bytes:
    """Compile ``out_dir/document.json`` and its SVG figures with the NĐ 30/2020 Typst template."""
    import typst

    if not any(Path(d).is_dir() for d in _FONT_DIRS):
        raise RuntimeError("thiếu phông chữ Tinos/Liberation Serif (gói Debian fonts-croscore): chạy `make setup`")
    with tempfile.TemporaryDirectory(prefix="chiso766-typst-") as tmp:
        build = Path(tmp)
        shutil.copyfile(_TEMPLATES / "typst" / "document.typ", build / "document.typ")
        shutil.copyfile(out_dir / "document.json", build / "document.json")
        shutil.copyfile(_TEMPLATES / "common" / "nd30.json", build / "nd30.json")
        if (out_dir / "figures").is_dir():
            shutil.copytree(out_dir / "figures", build / "figures")
        return typst.compile(
            str(build / "document.typ"), root=str(build), font_paths=font_paths(), ignore_system_fonts=True
        )
