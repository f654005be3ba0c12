"""The bulletin as an administrative document (NĐ 30/2020 layout): Typst from ``document.json``.

Fonts are given explicitly (``ignore_system_fonts``) so the same document gives the same bytes on
every machine, whatever fonts it has: the text's serif, Tinos (metric-compatible with Times New
Roman, full Vietnamese; SIL OFL 1.1, ``fonts/OFL.txt``), is shipped in this package, and the
charts' DejaVu Sans (their SVG text) comes with matplotlib. A chart's PNG is its SVG drawn by the
same Typst (:func:`png_of_svg`): the page's picture and the PDF's are one drawing.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import struct
import tempfile
import threading
import zlib
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from chiso766.core.errors import InputError
from chiso766.core.per_process import per_process

if TYPE_CHECKING:
    import typst

__all__ = ["render_pdf", "png_of_svg", "png_aside", "pdf_aside", "font_paths", "FONTS", "FontsMissing", "TypstFailed"]

_TEMPLATES = Path(str(resources.files("chiso766.render").joinpath("templates")))
FONTS = Path(str(resources.files("chiso766.render").joinpath("fonts")))
_TEXT_FONTS = ("Tinos-Regular.ttf", "Tinos-Bold.ttf", "Tinos-Italic.ttf", "Tinos-BoldItalic.ttf")
_CHART_FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")  # chart titles are bold


class FontsMissing(InputError):
    """A font the PDF needs is not where the package or matplotlib put it (a broken install)."""


class TypstFailed(RuntimeError):
    """Typst could not lay out the PDF or draw a chart's PNG: what it said, after what was being made."""


def _matplotlib_data() -> Path:
    """matplotlib's ``mpl-data`` folder (``matplotlib.get_data_path()``: beside its ``__init__.py``),
    found without importing matplotlib, a fifth of a second in ``chiso766 run``'s process, which
    checks the fonts before its kernel starts and draws no chart."""
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
            files += [(e.path, (st := e.stat()).st_size, st.st_mtime_ns) for e in entries if e.is_file()]
    return tuple(sorted(files))


def _compilation(
    source: str | bytes,
    fonts: list[str],
    *,
    root: str = _ROOT,
    png_ppi: int | None = None,
    inputs: Mapping[str, str] = {},
) -> Callable[[], bytes]:
    """A call that compiles ``source`` (a file's path, or Typst text) as PDF, or as PNG at
    ``png_ppi``, with ``fonts`` (:func:`font_paths`); it reads only ``inputs`` as ``sys.inputs``,
    never those of an earlier compile.

    What Python does for it (the font files looked at, the compiler found) is done here, by the
    caller, and the call is Typst's work alone, which holds no interpreter lock: in a thread of its
    own, each time it took the lock back while a notebook's cell ran, it would wait up to 5 ms."""
    compiler = _compiler(tuple(fonts), _font_files(fonts))
    output: Literal["png", "pdf"] = "png" if png_ppi else "pdf"
    sys_inputs = dict(inputs)

    def compile_() -> bytes:
        with _compiling():
            try:
                # the stub's type variable takes a path or bytes, not either: Typst itself takes both
                result = compiler.compile(  # type: ignore[type-var]
                    input=source, root=root, format=output, ppi=png_ppi, sys_inputs=sys_inputs
                )
            except Exception as exc:  # Typst's words alone name a line of the template, not the document
                made = "vẽ được ảnh PNG của biểu đồ" if png_ppi else "dựng được bản PDF"
                raise TypstFailed(f"Typst không {made}: {exc}") from exc
        assert isinstance(result, bytes)  # one PDF, or a one-page PNG
        return result

    return compile_


@per_process
def _typst_thread() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="chiso766-typst")


def _aside(compile_: Callable[[], bytes]) -> Future[bytes]:
    """``compile_()`` in the process's Typst thread, while the caller goes on: Typst lets go of the
    interpreter as it lays out and draws, so a notebook's kernel does it on its second core."""
    return _typst_thread().submit(compile_)


# one page the size of the SVG (its width and height attributes, in pt), nothing around it
_PNG_PAGE = (
    b'#set page(width: auto, height: auto, margin: 0pt, fill: white)\n#image(bytes(sys.inputs.svg), format: "svg")\n'
)


def _png(svg: bytes, ppi: int) -> Callable[[], bytes]:
    compile_ = _compilation(_PNG_PAGE, font_paths(), png_ppi=ppi, inputs={"svg": svg.decode("utf-8")})
    return lambda: _with_ppi(compile_(), ppi)


def png_of_svg(svg: bytes, ppi: int) -> bytes:
    """``svg`` (a chart's, UTF-8) as PNG at ``ppi`` pixels per inch, drawn by Typst with the PDF's fonts.

    Example::

        png_of_svg(b'<svg xmlns="http://www.w3.org/2000/svg" width="72pt" height="36pt"/>', 150)[:4]
        # b'\\x89PNG' (a 150 x 75 pixel picture)
    """
    return _png(svg, ppi)()


def png_aside(svg: bytes, ppi: int) -> Future[bytes]:
    """:func:`png_of_svg`, drawn while the caller goes on: the future's result is the PNG, or
    raises what drawing it raised."""
    return _aside(_png(svg, ppi))


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


@contextlib.contextmanager
def _pdf_compilation(out_dir: Path) -> Iterator[Callable[[], bytes]]:
    """The call that compiles ``out_dir``'s PDF, from a folder of the template, ``document.json`` and
    the figures, removed on leaving. The folder is made in ``out_dir``: a run killed meanwhile leaves
    it in its staging folder, which the next run removes, not in the system's temporary folder."""
    fonts = font_paths()  # before any work: a missing font is named, not a Typst fallback
    with tempfile.TemporaryDirectory(prefix=".typst-", dir=out_dir) as tmp:
        build = Path(tmp)
        shutil.copyfile(_TEMPLATES / "typst" / "document.typ", build / "document.typ")
        shutil.copyfile(out_dir / "document.json", build / "document.json")
        shutil.copyfile(_TEMPLATES / "common" / "nd30.json", build / "nd30.json")
        if (out_dir / "figures").is_dir():
            shutil.copytree(out_dir / "figures", build / "figures")
        yield _compilation(str(build / "document.typ"), fonts, root=str(build))


def render_pdf(out_dir: Path) -> bytes:
    """Compile ``out_dir/document.json`` and its SVG figures with the NĐ 30/2020 Typst template."""
    with _pdf_compilation(out_dir) as compile_:
        return compile_()


@contextlib.contextmanager
def pdf_aside(out_dir: Path) -> Iterator[Future[bytes]]:
    """:func:`render_pdf`, laid out while the caller goes on inside the ``with``: the future's result
    is the PDF, or raises what compiling it raised. What it reads is copied on entering: a file
    written to ``out_dir`` afterwards is not in it.

    Example::

        with pdf_aside(out_dir) as pdf:
            ...  # the tables are written meanwhile
            (out_dir / "bulletin.pdf").write_bytes(pdf.result())
    """
    with _pdf_compilation(out_dir) as compile_:
        future = _aside(compile_)
        try:
            yield future
        finally:
            wait([future])  # its folder is removed once Typst is done with it
