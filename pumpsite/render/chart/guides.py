"""The guides of an XmR chart drawn with matplotlib: axes ticks on calendar steps, the current
limits named in the right margin, and the legend. `Panel` ties an axes to its place in points so
labels can be placed without rendering first.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from pumpsite.labels import EFFECT_NAMES
from pumpsite.numbers import as_written, data_decimals, fmt
from pumpsite.periods import Frequency, Period
from pumpsite.render.chart.plan import (
    CHAR_WIDTH,
    DASH_DOT,
    DASHED,
    DOTTED,
    EFFECT_COLOURS,
    INK,
    TARGET_COLOUR,
    VALUE_COLOUR,
    ChartPlan,
    Colour,
    one_line,
    truncate,
)

MAX_TICKS = 12


@dataclass(frozen=True, slots=True)
class Panel:
    """An axes and where it sits, to place things in points without rendering first."""

    ax: Axes
    y0: float  # bottom edge, in points from the bottom of the figure
    height: float
    ylim: tuple[float, float]

    def to_pt(self, value: float) -> float:
        low, high = self.ylim
        return self.y0 + (value - low) / (high - low) * self.height


# --- matplotlib helpers ------------------------------------------------------------------------


def ink(alpha: float = 1.0) -> tuple[float, float, float, float]:
    return (1 / 255, 2 / 255, 3 / 255, alpha)


def text_at(
    ax: Axes, text: str, xy: tuple[float, float], offset: tuple[float, float], **style: Any
) -> None:
    """A label at `xy` (data coordinates unless `xycoords` says otherwise), moved by `offset`
    points; never parsed as mathtext, so a `$` in user text stays a dollar sign."""
    style.setdefault("color", ink(0.8))
    ax.annotate(text, xy=xy, xytext=offset, textcoords="offset points", parse_math=False, **style)


# --- axes and labels ---------------------------------------------------------------------------

_Step = tuple[Literal["period", "month"], int]
_MONTHS: tuple[_Step, ...] = tuple(("month", k) for k in (1, 2, 3, 6, 12, 24, 60, 120, 240))
_STEPS: dict[Frequency, tuple[_Step, ...]] = {
    "daily": (("period", 1), ("period", 2), ("period", 7), ("period", 14), *_MONTHS),
    "weekly": (("period", 1), ("period", 2), *_MONTHS),
    "monthly": _MONTHS,
    "quarterly": _MONTHS[2:],
    "yearly": _MONTHS[4:],
}


def _month_begun(period: Period) -> int | None:
    """The month (year * 12 + month - 1) that `period` is the first of its kind to start in, if
    any: the 1st for a day, the first Monday for a week, the month itself for a month."""
    start = period.start
    if start.day > (period.end - start).days + 1:
        return None
    return start.year * 12 + start.month - 1


def _on_step(period: Period, step: _Step) -> bool:
    unit, k = step
    if unit == "period":
        monday = 1 if period.frequency == "daily" else 0  # day ordinal 1 is a Monday
        return (period.ordinal - monday) % k == 0
    month = _month_begun(period)
    return month is not None and month % k == 0


def tick_indices(periods: Sequence[Period], max_ticks: int) -> list[int]:
    """At most `max_ticks` indices to label, on calendar steps (every week, month, quarter,
    January, …): the densest that fits."""
    if not periods:
        return []
    for step in _STEPS[periods[0].frequency]:
        ticks = [i for i, period in enumerate(periods) if _on_step(period, step)]
        if 0 < len(ticks) <= max_ticks:
            return ticks
    return list(range(0, len(periods), math.ceil(len(periods) / max_ticks)))


def x_ticks(chart: ChartPlan, ax: Axes) -> None:
    periods = chart.analysis.periods
    digits = 0.55 * chart.layout.font  # labels are digits and dashes, narrower than text
    fit = int(
        chart.layout.plot_width // (max((len(p.label) for p in periods), default=7) * digits + 8)
    )
    if chart.full:
        ticks = tick_indices(periods, max(2, min(MAX_TICKS, fit)))
    else:  # the first and the last period, aligned to stay inside the chart
        ticks = sorted({0, len(periods) - 1}) if periods else []
    ax.set_xticks(ticks, labels=[periods[i].label for i in ticks])
    if not chart.full and len(ticks) == 2:
        first, last = ax.get_xticklabels()
        first.set_horizontalalignment("left")
        last.set_horizontalalignment("right")


def y_ticks(chart: ChartPlan, panel: Panel, label: str) -> None:
    low, high = panel.ylim
    whole = chart.decimals == 0
    locator = MaxNLocator(nbins=5 if chart.full else 3, steps=[1, 2, 2.5, 5, 10], integer=whole)
    ticks = [t for t in locator.tick_values(low, high) if low <= t <= high]
    panel.ax.set_yticks(ticks, labels=[fmt(t, data_decimals(ticks)) for t in ticks])
    panel.ax.set_ylim(low, high)
    if label and chart.full:
        text = truncate(one_line(label), panel.height, chart.layout.font)
        panel.ax.set_ylabel(
            text, fontsize=chart.layout.font, color=INK, parse_math=False, labelpad=3
        )


@dataclass(frozen=True, slots=True)
class _Label:
    value: float
    text: str
    colour: Colour = field(default_factory=lambda: ink(0.85))

    @property
    def lines(self) -> int:
        return self.text.count("\n") + 1


def x_labels(chart: ChartPlan) -> list[_Label]:
    limits = chart.analysis.xmr.current_phase.limits
    labels = []
    if limits is not None:
        labels += [
            _Label(
                limits.upper_line, _limit_label(chart, "UNPL", limits.unpl, limits.upper_boundary)
            ),
            _Label(limits.center, f"CL {chart.limit(limits.center)}"),
            _Label(
                limits.lower_line, _limit_label(chart, "LNPL", limits.lnpl, limits.lower_boundary)
            ),
        ]
    return labels + [
        _Label(target.value, target.label.replace(" by ", "\nby "), TARGET_COLOUR)
        for target in chart.targets
        if target.span.end == chart.n
    ]


_SPREAD = {"average": "Avg mR", "median": "Median mR"}


def _limit_label(chart: ChartPlan, name: str, limit: float, boundary: float | None) -> str:
    """'UNPL 17.2', or 'Bound 0' where a natural boundary takes the limit's place."""
    return f"{name} {chart.limit(limit)}" if boundary is None else f"Bound {as_written(boundary)}"


def mr_labels(chart: ChartPlan) -> list[_Label]:
    limits = chart.analysis.xmr.current_phase.limits
    if limits is None:
        return []
    return [
        _Label(limits.url, f"URL {chart.limit(limits.url)}"),
        _Label(limits.average_mr, f"{_SPREAD[limits.dispersion]} {chart.limit(limits.average_mr)}"),
    ]


def spread_labels(
    wanted: Sequence[float], heights: Sequence[float], low: float, high: float
) -> list[float]:
    """Centres for labels of the given heights, each as near its wanted centre as it can be
    without overlapping another, kept within [low, high] where they fit (all in points)."""
    order = sorted(range(len(wanted)), key=lambda k: (wanted[k], -k))  # ties: first on top
    placed = list(wanted)
    floor = low
    for k in order:
        placed[k] = max(wanted[k], floor + heights[k] / 2)
        floor = placed[k] + heights[k] / 2
    ceiling = high
    for k in reversed(order):
        placed[k] = min(placed[k], ceiling - heights[k] / 2)
        ceiling = placed[k] - heights[k] / 2
    return placed


def right_labels(chart: ChartPlan, panel: Panel, labels: Sequence[_Label]) -> None:
    """The current phase's limits (and a target line reaching the end) named at the right."""
    line = chart.layout.font + 2
    wanted = [panel.to_pt(label.value) for label in labels]
    top = panel.y0 + panel.height + 6
    centres = spread_labels(wanted, [line * label.lines for label in labels], panel.y0 - 6, top)
    for label, centre in zip(labels, centres, strict=True):
        y = (centre - panel.y0) / panel.height
        text_at(
            panel.ax,
            label.text,
            (1.0, y),
            (5, 0),
            xycoords="axes fraction",
            ha="left",
            va="center",
            fontsize=chart.layout.font,
            color=label.colour,
            linespacing=1.1,
        )


# --- legend ------------------------------------------------------------------------------------

CENTRAL_LINE: dict[str, Any] = {"color": ink(0.8), "lw": 1.0, "ls": "-"}
LIMIT_LINE: dict[str, Any] = {"color": ink(0.6), "lw": 0.9, "ls": DASHED}
TRIAL_LIMIT_LINE: dict[str, Any] = {**LIMIT_LINE, "ls": DOTTED}
TARGET_LINE: dict[str, Any] = {"color": TARGET_COLOUR, "lw": 1.4, "ls": DASH_DOT}
"""The chart's reference lines, drawn with these styles and explained by the legend below."""


@dataclass(frozen=True, slots=True)
class LegendItem:
    label: str
    kind: Literal["line", "marker", "shade"]
    style: dict[str, Any]

    def width(self, font: float) -> float:
        return 20 + 4 + len(self.label) * CHAR_WIDTH * font + 14


def _legend_items(chart: ChartPlan) -> list[LegendItem]:
    limits = [p.limits for p in chart.phases if p.limits is not None]
    items = []
    if limits:
        items.append(LegendItem("Central line", "line", CENTRAL_LINE))
    if any(not lim.trial for lim in limits):
        items.append(LegendItem("Natural process limits", "line", LIMIT_LINE))
    if any(lim.trial for lim in limits):
        items.append(LegendItem("Trial limits", "line", TRIAL_LIMIT_LINE))
    if chart.targets:
        items.append(LegendItem("Target", "line", TARGET_LINE))
    return items + _legend_marks(chart)


def _legend_marks(chart: ChartPlan) -> list[LegendItem]:
    items = []
    effects = {s.effect for s in chart.analysis.xmr.signals}
    for effect, colour in EFFECT_COLOURS.items():
        if effect in effects:
            style = {"color": colour, "mfc": colour, "ms": 4.5, "ring": True}
            items.append(LegendItem(EFFECT_NAMES[effect], "marker", style))
    if any(chart.values[i] is not None for i in chart.analysis.xmr.excluded):
        style = {"color": VALUE_COLOUR, "mfc": "none", "ms": 4.5}
        items.append(LegendItem("Excluded from the limits", "marker", style))
    if chart.key_results:
        items.append(LegendItem("Key result", "shade", {}))
    if chart.events:
        style = {"color": ink(0.75), "mfc": ink(0.75), "ms": 5, "marker": "^"}
        items.append(LegendItem("Event", "marker", style))
    return items


def legend_rows(chart: ChartPlan) -> list[list[LegendItem]]:
    """The legend items wrapped into rows that fit the chart's width."""
    if not chart.full:
        return []
    rows: list[list[LegendItem]] = []
    room = chart.layout.width - 8
    used = room
    for item in _legend_items(chart):
        width = item.width(chart.layout.font)
        if used + width > room:
            rows.append([])
            used = 0
        rows[-1].append(item)
        used += width
    return rows


def draw_legend(chart: ChartPlan, figure: Figure, rows: Sequence[Sequence[LegendItem]]) -> None:
    lay = chart.layout
    total = figure.get_figheight() * 72
    for r, row in enumerate(rows):
        y = (len(rows) - r - 0.5) * lay.legend_row + 2
        x = 8.0
        for item in row:
            _legend_glyph(figure, item, x / lay.width, y / total, 20 / lay.width)
            figure.text(
                (x + 24) / lay.width,
                y / total,
                item.label,
                fontsize=lay.font,
                color=ink(0.85),
                va="center",
                ha="left",
                parse_math=False,
            )
            x += item.width(lay.font)


def _legend_glyph(figure: Figure, item: LegendItem, x: float, y: float, width: float) -> None:
    style = dict(item.style)
    if item.kind == "line":
        figure.add_artist(Line2D([x, x + width], [y, y], **style))
    elif item.kind == "shade":
        height = 8 / (figure.get_figheight() * 72)
        figure.add_artist(Rectangle((x, y - height / 2), width, height, color=ink(0.1), lw=0))
    else:
        ring = style.pop("ring", False)
        middle = x + width / 2
        figure.add_artist(
            Line2D([middle], [y], ls="none", marker=style.pop("marker", "o"), **style)
        )
        if ring:
            figure.add_artist(
                Line2D(
                    [middle],
                    [y],
                    ls="none",
                    marker="o",
                    ms=9,
                    mfc="none",
                    mec=style["color"],
                    mew=1.0,
                )
            )
