"""A document's figures: each chart drawn once (SVG), its PNG, and the files it is saved as.

A chart is drawn by :func:`~chiso766.render.charts.svg_of`: in the run's second process
(:mod:`~chiso766.render.worker`) when :func:`ahead` handed it there as the outline made it, so that it
is drawn while the kernel goes on outlining; else here, the first time it is shown or saved. This
module imports no matplotlib: a kernel whose worker draws never loads it.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from chiso766.core.files import write_atomic
from chiso766.render import worker
from chiso766.render.pdf import png_aside
from chiso766.render.tables import write_csv
from chiso766.report.outline import Chart, Figure

__all__ = ["PNG_PPI", "Rendered", "ahead", "rendered", "save", "save_svg"]

PNG_PPI = 150
_SVG_OF = "chiso766.render.charts:svg_of"


@dataclass(frozen=True)
class Rendered:
    """A chart's files: SVG (the page's and the PDF's drawing) and PNG (the same drawing at 150 dpi).

    The PNG is drawn from the SVG by Typst in a thread of its own while the notebook goes on (Typst
    lets go of the interpreter while it draws: the kernel's second core does it); :attr:`png` waits
    for it, and raises what drawing it raised."""

    svg: bytes
    _png: Future[bytes]

    @property
    def png(self) -> bytes:
        return self._png.result()


def ahead(chart: Chart) -> None:
    """Have the worker draw ``chart`` now, for :func:`rendered` to take (with no worker, nothing)."""
    worker.ask(_SVG_OF, chart)


def _svg(chart: Chart) -> bytes:
    drawn = worker.answer(_SVG_OF, chart)
    if isinstance(drawn, bytes):
        return drawn
    from chiso766.render.charts import svg_of  # matplotlib, only in a process that draws

    return svg_of(chart)


def rendered(figure: Figure) -> Rendered:
    """Draw ``figure`` once and keep its bytes on it: the page, the files and the PDF use the same drawing."""
    cached = getattr(figure, "_rendered", None)
    if isinstance(cached, Rendered):
        return cached
    svg = _svg(figure.chart)
    # the PNG is the SVG drawn by Typst, as the PDF draws it: a sixth of the time matplotlib takes
    # to draw the figure again, and the page's picture is the signed document's
    result = Rendered(svg, png_aside(svg, PNG_PPI))
    object.__setattr__(figure, "_rendered", result)  # a cache, not part of the outline's data
    return result


def save_svg(figure: Figure, out_dir: Path) -> None:
    """Write ``figures/<name>.svg``, the drawing the PDF reads (:func:`save` writes the rest)."""
    write_atomic(out_dir / "figures" / f"{figure.name}.svg", rendered(figure).svg)


def save(figure: Figure, out_dir: Path) -> None:
    """Write ``figures/<name>.png``, ``.txt`` (alt text) and ``.csv`` (its data), beside the SVG that
    :func:`save_svg` wrote first: the PDF is laid out from it while this waits for the PNG."""
    folder = out_dir / "figures"
    write_atomic(folder / f"{figure.name}.png", rendered(figure).png)
    write_atomic(folder / f"{figure.name}.txt", (figure.alt + "\n").encode("utf-8"))
    write_csv(figure.data, folder / f"{figure.name}.csv")
