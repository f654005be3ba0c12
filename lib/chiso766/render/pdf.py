"""The bulletin as an administrative document (NĐ 30/2020 layout): Typst from ``document.json``.

Fonts are given explicitly (``ignore_system_fonts``) so the same document gives the same bytes on
every machine, whatever fonts it has: the text's serif, Tinos (metric-compatible with Times New
Roman, full Vietnamese; SIL OFL 1.1, ``fonts/OFL.txt``), is shipped in this package, and the
charts' DejaVu Sans (their SVG text) comes with matplotlib. A chart's PNG is its SVG drawn by the
same Typst (:func:`png_of_svg`): the page's picture and the PDF's are one drawing.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import struct
import tempfile
import threading
import zlib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from chiso766.core.errors import InputError
from chiso766.core.per_process import per_process

if TYPE_CHECKING:
    import typst

__all__ = ["render_pdf", "png_of_svg", "prepare_pdf", "font_paths", "FONTS", "FontsMissing"]

_TEMPLATES = Path(str(resources.files("chiso766.render").joinpath("templates")))
FONTS = Path(str(resources.files("chiso766.render").joinpath("fonts")))
_TEXT_FONTS = ("Tinos-Regular.ttf", "Tinos-Bold.ttf", "Tinos-Italic.ttf", "Tinos-BoldItalic.ttf")
_CHART_FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")  # chart titles are bold


class FontsMissing(InputError):
    """A font the PDF needs is not where the package or matplotlib put it (a broken install)."""


def _matplotlib_data() -> Path:
    """matplotlib's ``mpl-data`` folder (``matplotlib.get_data_path()``: beside its ``__init__.py``),
    found without importing matplotlib, a fifth of a second in ``chiso766 run``'s process, which
    draws no chart."""
    spec = importlib.util.find_spec("matplotlib")
    return Path(spec.origin if spec and spec.origin else "matplotlib/__init__.py").with_name("mpl-data")


def font_paths() -> list[str]:
    """The folders Typst reads fonts from: this package's and matplotlib's; every needed font checked."""
    dejavu = _matplotlib_data() / "fonts" / "ttf"
    for folder, names, package in ((FONTS, _TEXT_FONTS, "chiso766"), (dejavu, _CHART_FONTS, "matplotlib")):
        missing = [name for name in names if not (folder / name).is_file()]
        if missing:
            raise FontsMissing(
                f"thiếu phông chữ {', '.join(missing)} cho bản PDF: gói {package} cài chưa đủ; "
                f"cài lại nó (pip install --force-reinstall {package}) hoặc chạy `make setup`",
                folder,
            )
    return [str(FONTS), str(dejavu)]


def prepare_pdf() -> None:
    """Import Typst and load the fonts, so that :func:`render_pdf` is quick later; ``chiso766 run``
    calls it while the notebook runs."""
    fonts = font_paths()
    _compiler(tuple(fonts), _font_files(fonts))


# A compiler holds the fonts it has read: kept for the process, it spares each document and each
# chart's PNG the 20 ms of reading them again. A font file replaced meanwhile (an upgrade, an edit)
# makes a new one. Its sources are read afresh on every compile (Typst checks each against the
# disk), and what it is given each time (input, root, inputs) is set anew; its root is never the
# working directory, which a long session may have deleted.
_ROOT = str(_TEMPLATES / "typst")  # where a chart's PNG is compiled from: it reads no file


@per_process
def _compiler(fonts: tuple[str, ...], _files: tuple[tuple[str, int, int], ...]) -> typst.Compiler:
    import typst

    return typst.Compiler(root=_ROOT, font_paths=list(fonts), ignore_system_fonts=True)


@per_process
def _compiling() -> threading.Lock:
    """One compile at a time: the compiler is changed by each."""
    return threading.Lock()


def _font_files(folders: list[str]) -> tuple[tuple[str, int, int], ...]:
    """Each file of ``folders`` with its size and time: what a compiler's fonts were read from."""
    files = []
    for folder in folders:
        with os.scandir(folder) as entries:
            files += [(e.path, e.stat().st_size, e.stat().st_mtime_ns) for e in entries if e.is_file()]
    return tuple(sorted(files))


def _compile(
    source: str | bytes,
    fonts: list[str],
    *,
    root: str = _ROOT,
    png_ppi: int | None = None,
    inputs: Mapping[str, str] = {},
) -> bytes:
    """``source`` (a file's path, or Typst text) as PDF, or as PNG at ``png_ppi``, with ``fonts``
    (:func:`font_paths`); it reads only ``inputs`` as ``sys.inputs``, never those of an earlier compile."""
    files = _font_files(fonts)
    with _compiling():
        # the stub's type variable takes a path or bytes, not either: Typst itself takes both
        result = _compiler(tuple(fonts), files).compile(  # type: ignore[type-var]
            input=source,
            root=root,
            format="png" if png_ppi else "pdf",
            ppi=png_ppi,
            sys_inputs=dict(inputs),
        )
    assert isinstance(result, bytes)  # one PDF, or a one-page PNG
    return result


# one page the size of the SVG (its width and height attributes, in pt), nothing around it
_PNG_PAGE = (
    b'#set page(width: auto, height: auto, margin: 0pt, fill: white)\n#image(bytes(sys.inputs.svg), format: "svg")\n'
)


def png_of_svg(svg: bytes, ppi: int) -> bytes:
    """``svg`` (a chart's, UTF-8) as PNG at ``ppi`` pixels per inch, drawn by Typst with the PDF's fonts.

    Example::

        png_of_svg(b'<svg xmlns="http://www.w3.org/2000/svg" width="72pt" height="36pt"/>', 150)[:4]
        # b'\\x89PNG' (a 150 x 75 pixel picture)
    """
    return _with_ppi(_compile(_PNG_PAGE, font_paths(), png_ppi=ppi, inputs={"svg": svg.decode("utf-8")}), ppi)


def _with_ppi(png: bytes, ppi: int) -> bytes:
    """``png`` with the chunk that gives its resolution (``pHYs``), which Typst does not write: Word or
    LibreOffice then place a chart at its size in inches, not at 96 dpi."""
    ihdr_end = 8 + 4 + 4 + 13 + 4  # signature; IHDR's length, type, 13 bytes and CRC
    if png[12:16] != b"IHDR" or b"pHYs" in png[ihdr_end : ihdr_end + 8]:
        return png
    per_metre = round(ppi / 0.0254)
    body = b"pHYs" + struct.pack(">IIB", per_metre, per_metre, 1)  # unit 1: the metre
    chunk = struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body))
    return png[:ihdr_end] + chunk + png[ihdr_end:]


def render_pdf(out_dir: Path) -> bytes:
    """Compile ``out_dir/document.json`` and its SVG figures with the NĐ 30/2020 Typst template."""
    fonts = font_paths()  # before any work: a missing font is named, not a Typst fallback
    with tempfile.TemporaryDirectory(prefix="chiso766-typst-") as tmp:
        build = Path(tmp)
        shutil.copyfile(_TEMPLATES / "typst" / "document.typ", build / "document.typ")
        shutil.copyfile(out_dir / "document.json", build / "document.json")
        shutil.copyfile(_TEMPLATES / "common" / "nd30.json", build / "nd30.json")
        if (out_dir / "figures").is_dir():
            shutil.copytree(out_dir / "figures", build / "figures")
        return _compile(str(build / "document.typ"), fonts, root=str(build))
