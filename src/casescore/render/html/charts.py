"""Chart geometry for the HTML report: figures in, positions out. The SVG itself is written by the
template (templates/macros.html.j2), so every label is escaped by Jinja like the rest of the page.

Why hand-made SVG and not a charting library: the report needs two kinds of chart (bars with
interval whiskers and band lines; dots with whiskers per group), which take about a hundred lines
here. A library would add a large dependency (matplotlib) or need JavaScript to draw (Vega,
Plotly, Chart.js), which an offline, script-free page cannot run; matplotlib's SVG also turns text
into paths unless told otherwise and cannot carry the <title>/<desc> text alternatives, band words
and table links the page needs. Hand-made SVG stays small, deterministic (the same input gives
the same bytes), prints crisply, and keeps every number and word as real, searchable text.
"""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 760
PLOT_X = 64  # left of the plot: question ids sit in front of it
PLOT_W = 430
TEXT_X = PLOT_X + PLOT_W + 14  # figures and band words sit after the plot
TOP = 26  # room for the band-line labels
AXIS = 24  # room for the 0-100% axis below
BAR_ROW = 30
DOT_ROW = 16
ROW_GAP = 10
SHAPES = ("circle", "square", "diamond", "triangle")  # group markers: shape, not colour, tells groups apart
MAX_TEXT = 44  # characters of a right-hand label; the table beside the chart has the full text


def x_of(percent: float) -> float:
    return round(PLOT_X + PLOT_W * max(0.0, min(100.0, percent)) / 100, 1)


def clip(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


@dataclass(frozen=True)
class Line:
    """A vertical line across the plot: a band threshold, or an axis tick."""

    x: float
    label: str


@dataclass(frozen=True)
class Bar:
    label: str  # the question id, in front of the bar
    title: str  # the question's text (a tooltip; the table has it too)
    y: float
    height: float
    x: float  # where the bar ends
    ci: tuple[float, float] | None  # whisker ends
    band: str  # CSS class of the bar's fill
    text: str  # after the plot: "36% · Inadequate · lowest"
    deciding: bool


@dataclass(frozen=True)
class Dot:
    y: float
    x: float
    ci: tuple[float, float] | None
    shape: str
    hollow: bool  # a small group: an outline marker
    text: str  # "Licence 3/10 30%*"


@dataclass(frozen=True)
class DotRow:
    label: str
    title: str
    top: float
    height: float
    dots: list[Dot]


@dataclass(frozen=True)
class Chart:
    id: str
    kind: str  # bars | dots
    height: float
    title: str  # the chart's accessible name
    description: str  # its text alternative, figure by figure
    thresholds: list[Line]
    ticks: list[Line]
    bars: list[Bar]
    rows: list[DotRow]

    width: int = WIDTH
    plot_x: int = PLOT_X
    plot_w: int = PLOT_W
    text_x: int = TEXT_X
    top: int = TOP

    @property
    def plot_bottom(self) -> float:
        return self.height - AXIS


@dataclass(frozen=True)
class BarItem:
    """One key question for a bar chart."""

    label: str
    title: str
    percent: float | None
    ci: tuple[float, float] | None
    band: str
    text: str
    deciding: bool = False


@dataclass(frozen=True)
class DotItem:
    """One group's figure on one question."""

    group: str
    percent: float | None
    ci: tuple[float, float] | None
    text: str
    small: bool = False


def _lines(thresholds: list[tuple[str, float]]) -> tuple[list[Line], list[Line]]:
    bands = [Line(x_of(p), f"{p:g}%") for _, p in thresholds if 0 < p < 100]
    ticks = [Line(x_of(p), f"{p}%") for p in (0, 25, 50, 75, 100)]
    return bands, ticks


def bar_chart(chart_id: str, items: list[BarItem], thresholds: list[tuple[str, float]], title: str,
              description: str) -> Chart:
    """Horizontal bars, one per item with a percentage, with interval whiskers and band lines."""
    bars = []
    for i, item in enumerate(i for i in items if i.percent is not None):
        y = TOP + i * BAR_ROW + 5
        ci = (x_of(item.ci[0]), x_of(item.ci[1])) if item.ci else None
        bars.append(Bar(item.label, item.title, y, BAR_ROW - 10, x_of(item.percent or 0), ci, item.band,
                        clip(item.text), item.deciding))
    bands, ticks = _lines(thresholds)
    return Chart(chart_id, "bars", TOP + len(bars) * BAR_ROW + AXIS, title, description, bands, ticks, bars, [])


def dot_chart(chart_id: str, rows: list[tuple[str, str, list[DotItem]]], thresholds: list[tuple[str, float]],
              title: str, description: str, groups: list[str]) -> Chart:
    """Per question a block of groups, each a marker at its percentage with its interval; a group keeps
    its marker shape on every question, so shape (and the words beside it) tells groups apart."""
    shape = {g: SHAPES[i % len(SHAPES)] for i, g in enumerate(groups)}
    out, top = [], float(TOP)
    for label, text, items in rows:
        shown = [i for i in items if i.percent is not None]
        if not shown:
            continue
        dots = [Dot(top + ROW_GAP / 2 + k * DOT_ROW + DOT_ROW / 2, x_of(d.percent or 0),
                    (x_of(d.ci[0]), x_of(d.ci[1])) if d.ci else None, shape[d.group], d.small, clip(d.text))
                for k, d in enumerate(shown)]
        height = len(shown) * DOT_ROW + ROW_GAP
        out.append(DotRow(label, text, top, height, dots))
        top += height
    bands, ticks = _lines(thresholds)
    return Chart(chart_id, "dots", top + AXIS, title, description, bands, ticks, [], out)
