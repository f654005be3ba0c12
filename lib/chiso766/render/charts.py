"""Charts in one style (seaborn), drawn as SVG from a chart spec (:class:`~chiso766.report.outline.Chart`).

The SVG is byte-for-byte reproducible: no dates or software versions in its metadata, and a fixed id
salt. :mod:`~chiso766.render.figures` keeps each figure's drawing and writes its files.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import matplotlib

matplotlib.use("Agg")  # charts are files, never windows

import matplotlib.pyplot as plt
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure as MplFigure
from matplotlib.ticker import FuncFormatter

from chiso766.core.errors import clean
from chiso766.core.textvi import fmt_number, fmt_percent
from chiso766.report.outline import Chart

__all__ = [
    "group_points_chart",
    "ranking_chart",
    "distribution_chart",
    "trend_chart",
    "indicator_chart",
    "share_chart",
    "draw",
    "svg_of",
]

ACCENT, MUTED, ALERT, TARGET = "#1f4e79", "#c9d6e3", "#b3261e", "#6b6b6b"


def _style() -> None:
    sns.set_theme(
        context="paper",
        style="whitegrid",
        font="DejaVu Sans",
        rc={
            "svg.hashsalt": "chiso766",
            "text.parse_math": False,  # labels are data: "$" in a unit name is a dollar sign, not math
            "svg.fonttype": "none",
            "axes.titleweight": "bold",
            # the title where matplotlib would put it (no tick label nor offset above the axes): its
            # search for that place measures every tick label of the y axis at each look, a fifth
            # of a chart's drawing
            "axes.titley": 1.0,
            "axes.titlesize": 11,
            "axes.labelsize": 9,
            "xtick.labelsize": 8.5,
            "ytick.labelsize": 8.5,
            "figure.dpi": 100,
            "axes.edgecolor": "#888888",
        },
    )


_VI = FuncFormatter(lambda value, _pos: fmt_number(Decimal(repr(round(float(value), 2)))))


_DRAW = {"group_points_chart", "ranking_chart", "distribution_chart", "trend_chart", "indicator_chart", "share_chart"}


def draw(chart: Chart) -> MplFigure:
    """The matplotlib figure a chart spec describes."""
    if chart.draw not in _DRAW:
        raise ValueError(f"unknown chart {chart.draw!r}")
    function: Callable[..., MplFigure] = globals()[chart.draw]
    return function(**{key: _text_safe(value) for key, value in chart.args.items()})


def _text_safe(value: Any) -> Any:
    """Every text of a chart's arguments without control characters or terminal escapes (kept line
    breaks aside): data may hold them, and an SVG (XML) cannot, nor can the PDF that embeds it."""
    if isinstance(value, str):
        return "\n".join(clean(line) for line in value.split("\n"))
    if isinstance(value, (list, tuple)):
        return type(value)(_text_safe(v) for v in value)
    if isinstance(value, dict):
        return {_text_safe(k): _text_safe(v) for k, v in value.items()}
    return value


def svg_of(chart: Chart) -> bytes:
    """The SVG of ``chart``, without a date or software version in it (its ids salted alike each time)."""
    fig = draw(chart)
    svg = io.BytesIO()
    # drawn once, by the SVG canvas itself: savefig first draws a constrained-layout figure a whole
    # time more, without output, only to lay it out, which this drawing does again as it starts
    # (the same bytes, a quarter less of a chart's time); matplotlib leaves print_svg unannotated
    FigureCanvasSVG(fig).print_svg(svg, metadata={"Date": None, "Creator": None})  # type: ignore[no-untyped-call]
    plt.close(fig)
    return svg.getvalue()


def _floats(values: Sequence[object]) -> list[float]:
    return [_float(v) for v in values]


def _float(value: object) -> float:
    """A number as matplotlib wants it; missing is NaN (no bar), never 0."""
    if value is None:
        return float("nan")
    if isinstance(value, (int, float, Decimal)):
        return float(value)
    return float(str(value))


def _finish_bars(ax: Axes, labels: Sequence[str], xmax: float, xlabel: str, title: str) -> None:
    """The axes every horizontal bar chart shares: one row per label, first at the top."""
    ax.set_yticks(range(len(labels)), labels)
    ax.invert_yaxis()
    ax.set_xlim(0, xmax)
    ax.xaxis.set_major_formatter(_VI)
    ax.set_xlabel(xlabel)
    ax.set_title(title, loc="left")


def group_points_chart(
    labels: Sequence[str], points: Sequence[object], maxima: Sequence[object], title: str
) -> MplFigure:
    """Each group's points as a bar over a pale bar of its maximum."""
    _style()
    fig, ax = plt.subplots(figsize=(7.2, 3.2), layout="constrained")
    y = range(len(labels))
    ax.barh(y, _floats(maxima), color=MUTED, label="Điểm tối đa")
    ax.barh(y, _floats(points), color=ACCENT, height=0.55, label="Điểm đạt")
    for i, (p, m) in enumerate(zip(points, maxima, strict=False)):
        ax.text(_float(m) + 0.3, i, f"{fmt_number(p)}/{fmt_number(m)}", va="center", fontsize=8.5)
    _finish_bars(ax, labels, max(_floats(maxima)) * 1.2, "Điểm", title)
    fig.legend(loc="outside lower center", ncol=2, fontsize=8, frameon=False)
    return fig


def ranking_chart(
    labels: Sequence[str],
    values: Sequence[object],
    highlight: int,
    title: str,
    xlabel: str = "Tổng điểm",
    xmax: float = 100,
    target: float | None = None,
) -> MplFigure:
    """Units ranked by value, best first; the last ``highlight`` bars in the alert colour."""
    _style()
    height = max(2.4, 0.28 * len(labels) + 0.8)
    fig, ax = plt.subplots(figsize=(7.2, height), layout="constrained")
    numbers = _floats(values)
    colours = [ALERT if i >= len(labels) - highlight else ACCENT for i in range(len(labels))]
    ax.barh(range(len(labels)), numbers, color=colours)
    for i, v in enumerate(values):
        ax.text(_float(v or 0) + xmax * 0.01, i, fmt_number(v), va="center", fontsize=8)
    if target is not None:
        ax.axvline(target, color=TARGET, linestyle="--", linewidth=1)
        ax.text(target, -0.8, f"chỉ tiêu {fmt_number(Decimal(repr(target)))}", color=TARGET, fontsize=8, ha="center")
    _finish_bars(ax, labels, xmax * 1.1, xlabel, title)
    return fig


def distribution_chart(values: Sequence[object], bands: Sequence[tuple[float, str]], title: str) -> MplFigure:
    """Histogram of totals with the grade bands marked."""
    _style()
    fig, ax = plt.subplots(figsize=(7.2, 3.0), layout="constrained")
    numbers = [v for v in _floats(values) if v == v]
    sns.histplot(numbers, bins=[x / 2 for x in range(0, 201, 5)], color=ACCENT, ax=ax)
    for minimum, name in bands:
        if 0 < minimum < 100:
            ax.axvline(minimum, color=TARGET, linestyle=":", linewidth=1)
            ax.text(
                minimum + 0.5,
                ax.get_ylim()[1] * 0.92,
                f"≥ {fmt_number(Decimal(repr(minimum)))}: {name}",
                fontsize=7.5,
                color=TARGET,
            )
    ax.set_xlim(max(0, min(numbers, default=0) - 5), 100)
    ax.xaxis.set_major_formatter(_VI)
    ax.set_xlabel("Tổng điểm")
    ax.set_ylabel("Số đơn vị")
    ax.set_title(title, loc="left")
    return fig


def trend_chart(dates: Sequence[str], series: dict[str, Sequence[object]], title: str, ylabel: str) -> MplFigure:
    """One line per series across as-of dates."""
    _style()
    fig, ax = plt.subplots(figsize=(7.2, 3.2), layout="constrained")
    for label, values in series.items():
        ax.plot(list(dates), _floats(values), marker="o", label=label)
    ax.yaxis.set_major_formatter(_VI)
    ax.set_ylabel(ylabel)
    ax.set_title(title, loc="left")
    fig.legend(fontsize=7.5, frameon=False, loc="outside lower center", ncol=3)
    return fig


def indicator_chart(
    labels: Sequence[str], rates: Sequence[object], targets: Sequence[object | None], title: str
) -> MplFigure:
    """Each indicator's rate in % beside its target."""
    _style()
    fig, ax = plt.subplots(figsize=(7.2, 0.45 * len(labels) + 1.2), layout="constrained")
    y = range(len(labels))
    ax.barh(y, _floats(rates), color=ACCENT)
    for i, (r, t) in enumerate(zip(rates, targets, strict=False)):
        ax.text(_float(r or 0) + 1, i, fmt_percent(r), va="center", fontsize=8)
        if t is not None:
            ax.plot([_float(t), _float(t)], [i - 0.4, i + 0.4], color=ALERT, linewidth=2)
    _finish_bars(ax, labels, 112, "Tỷ lệ (%) — vạch đỏ: chỉ tiêu giao", title)
    return fig


def share_chart(
    labels: Sequence[str],
    on_time: Sequence[object],
    late: Sequence[object],
    title: str,
    xlabel: str = "Tỷ lệ trên tổng số hồ sơ đã giải quyết (%)",
) -> MplFigure:
    """On time against late, as shares of dossiers, one bar per label (a level, a month)."""
    _style()
    fig, ax = plt.subplots(figsize=(7.2, 0.55 * len(labels) + 1.3), layout="constrained")
    y = range(len(labels))
    good, bad = _floats(on_time), _floats(late)
    ax.barh(y, good, color=ACCENT, label="Trước hạn, đúng hạn")
    ax.barh(y, bad, left=good, color=ALERT, label="Quá hạn")
    for i, (g, b) in enumerate(zip(on_time, late, strict=False)):
        # as the text prints them (90,20%, 100%): a chart and its sentence show one figure alike
        ax.text(2, i, fmt_percent(g), va="center", color="white", fontsize=8.5)
        ax.text(101, i, fmt_percent(b), va="center", color=ALERT, fontsize=8.5)
    _finish_bars(ax, labels, 112, xlabel, title)
    fig.legend(loc="outside lower center", ncol=2, fontsize=8, frameon=False)
    return fig
