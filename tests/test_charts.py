"""A chart's two files: the SVG matplotlib draws, and its PNG, the same SVG drawn by Typst (as the PDF draws it)."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from PIL import Image

from chiso766.render import charts, figures
from chiso766.report.outline import Chart, Figure
from tests.forking import in_fork_child

LABELS = ["Sở Văn hóa, Thể thao và Du lịch", "UBND phường <Âu Cơ> & Tân Sơn"]


def _figure() -> Figure:
    chart = Chart("ranking_chart", {"labels": LABELS, "values": [71.6, 15.96], "highlight": 1, "title": "Tổng điểm"})
    return Figure("rank", "Xếp hạng", "Hai đơn vị", chart, pd.DataFrame({"unit_name": LABELS}))


def _svg_size_pt(svg: bytes) -> tuple[float, float]:
    found = re.search(rb'width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    assert found is not None
    return float(found[1]), float(found[2])


def test_the_png_is_the_svg_at_150_ppi_and_the_same_bytes_every_time():
    first = figures.rendered(_figure())
    again = figures.rendered(_figure())  # a new figure: drawn again, not the cache
    assert (first.png, first.svg) == (again.png, again.svg)
    width_pt, height_pt = _svg_size_pt(first.svg)
    image = Image.open(io.BytesIO(first.png))
    assert image.size == (round(width_pt * 150 / 72), round(height_pt * 150 / 72)) == (1080, 360)
    # it says so: Word or LibreOffice place it 7,2 inches wide, as in the PDF, not at 96 dpi
    assert tuple(round(d) for d in image.info["dpi"]) == (150, 150)


def test_the_png_draws_the_svg_text_and_bars():
    rendered = figures.rendered(_figure())
    assert "UBND phường &lt;Âu Cơ&gt; &amp; Tân Sơn" in rendered.svg.decode("utf-8")  # escaped XML, read by Typst
    image = Image.open(io.BytesIO(rendered.png)).convert("RGB")
    colours = {colour for _count, colour in image.getcolors(maxcolors=1 << 20) or []}
    assert (31, 78, 121) in colours and (179, 38, 30) in colours  # ACCENT bar, ALERT bar
    # the labels' column (left of the axes) holds dark text pixels, not a blank strip
    labels = image.crop((0, 0, 300, image.height)).convert("L")
    assert labels.getextrema()[0] < 80


def test_the_png_drawn_aside_is_the_svg_drawn_by_typst_and_a_failure_reaches_its_reader(monkeypatch):
    """The PNG is drawn in a thread while the notebook goes on: the same bytes as drawn in place, and
    what went wrong drawing it is raised where the PNG is read (the save), not lost in the thread."""
    from chiso766.render.pdf import png_of_svg

    done = figures.rendered(_figure())
    assert done.png == png_of_svg(done.svg, figures.PNG_PPI)

    class Broken:
        def compile(self, **_settings: object) -> bytes:
            raise RuntimeError("Typst không vẽ được")

    from chiso766.render import pdf

    monkeypatch.setattr(pdf, "_compiler", lambda *_args: Broken())
    failing = figures.rendered(_figure())
    assert failing.svg == done.svg
    with pytest.raises(RuntimeError, match="Typst không vẽ được"):
        failing.png


def test_a_fork_child_draws_its_png_with_its_own_thread_and_lock():
    """A fork's child has none of its parent's threads, and the compile lock may be held by one of
    them: what the process keeps (core.per_process) is made anew in the child, which draws."""
    from chiso766.render import pdf

    svg = figures.rendered(_figure()).svg
    held = pdf._compiling()
    held.acquire()  # as a thread compiling at the moment of the fork would
    try:
        assert in_fork_child(lambda: figures.rendered(_figure()).png[:4] == b"\x89PNG")
    finally:
        held.release()
    assert figures.rendered(_figure()).svg == svg


def test_a_chart_is_drawn_once_and_its_svg_is_what_savefig_writes(monkeypatch):
    """The SVG canvas draws the figure itself, laying it out as it starts: savefig drew a
    constrained-layout figure once more beforehand, only to lay it out, for the same bytes."""
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure as MplFigure

    metadata = {"Date": None, "Creator": None}
    fig = charts.draw(_figure().chart)
    saved = io.BytesIO()
    fig.savefig(saved, format="svg", metadata=metadata)
    plt.close(fig)

    draws = []
    real_draw = MplFigure.draw
    monkeypatch.setattr(MplFigure, "draw", lambda self, renderer: draws.append(self) or real_draw(self, renderer))
    rendered = figures.rendered(_figure())
    assert len(draws) == 1
    assert rendered.svg == saved.getvalue()
    assert plt.get_fignums() == []  # closed, as after savefig


def test_a_chart_prints_a_rate_as_its_sentence_does():
    """"Đạt 93,80%" in the notice, 93,80% beside its bar (not 93,8%); 100% stays 100%."""
    from decimal import Decimal

    fig = charts.share_chart(["Sở, ban, ngành"], [Decimal("93.80")], [Decimal("6.20")], "")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts == ["93,80%", "6,20%"]
    fig = charts.indicator_chart(["Nộp trực tuyến"], [Decimal("100")], [None], "")
    assert [t.get_text() for t in fig.axes[0].texts] == ["100%"]
