"""The guides of an XmR chart drawn with matplotlib: axes ticks on calendar steps, the current
limits named in the right margin, and the legend. `Panel` ties an axes to its place in points so
labels can be placed without rendering first.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from pumpsite.analysis.reading import MONTHS
from pumpsite.labels import EFFECT_NAMES
from pumpsite.numbers import data_decimals, fmt
from pumpsite.periods import Frequency, Period
from pumpsite.render.chart.plan import (
    BACKGROUND,
    CHAR_WIDTH,
    DASH_DOT,
    DASHED,
    DIGIT_WIDTH,
    DOTTED,
    EFFECT_COLOURS,
    INK,
    MARKER_SCALE,
    OPEN_EFFECTS,
    TARGET_COLOUR,
    VALUE_COLOUR,
    ChartPlan,
    MarginLabel,
    one_line,
    open_outline,
    rule_names,
    spread_labels,
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


BASELINE_STYLE: dict[str, Any] = {"color": ink(0.3), "lw": 3.0, "solid_capstyle": "butt"}
"""The bar under the X axis that marks a phase's baseline, and its legend entry."""


def text_at(
    ax: Axes, text: str, xy: tuple[float, float], offset: tuple[float, float], **style: Any
) -> None:
    """A label at `xy` (data coordinates unless `xycoords` says otherwise), moved by `offset`
    points; never parsed as mathtext, so a `$` in user text stays a dollar sign."""
    style.setdefault("color", ink(0.8))
    ax.annotate(text, xy=xy, xytext=offset, textcoords="offset points", parse_math=False, **style)


# --- axes and labels ---------------------------------------------------------------------------

_Step = tuple[Literal["period", "month"], int]
_YEARS = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000)
_MONTHS: tuple[_Step, ...] = (
    *(("month", k) for k in (1, 2, 3, 6)),
    *(("month", 12 * k) for k in _YEARS),
)
_STEPS: dict[Frequency, tuple[_Step, ...]] = {
    "daily": (("period", 1), ("period", 2), ("period", 7), ("period", 14), *_MONTHS),
    "weekly": (("period", 1), ("period", 2), *_MONTHS),
    "monthly": _MONTHS,
    "quarterly": _MONTHS[2:],
    "yearly": _MONTHS[4:],
}
"""Tick steps, densest first: a day or a week at a time for short spans, then calendar months
(the first day, or the first Monday, of every month, quarter, half year), then round years
(1700, 1750, …)."""


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


def tick_step(periods: Sequence[Period], max_ticks: int) -> tuple[_Step, list[int]]:
    """The densest calendar step with at most `max_ticks` ticks, and their indices."""
    steps = _STEPS[periods[0].frequency] if periods else ()
    for step in steps:
        ticks = [i for i, period in enumerate(periods) if _on_step(period, step)]
        if 0 < len(ticks) <= max_ticks:
            return step, ticks
    every = math.ceil(len(periods) / max_ticks) if periods else 1
    return ("period", every), list(range(0, len(periods), every))


def tick_indices(periods: Sequence[Period], max_ticks: int) -> list[int]:
    """At most `max_ticks` indices to label, on calendar steps (every week, month, quarter,
    January, round years …): the densest that fits."""
    return tick_step(periods, max_ticks)[1]


def tick_label(period: Period, step: _Step) -> str:
    """What a tick says at its step: the period's label for a step of periods or of months in
    monthly data ('2026-W05', '2026-03'); a whole year on yearly steps ('1750'); the month
    in daily and weekly data on a month step ('Mar 2026')."""
    unit, months = step
    if unit == "period" or (period.frequency in ("monthly", "quarterly", "yearly") and months < 12):
        return period.label
    start = period.start
    if months >= 12:
        return str(start.year)
    return f"{MONTHS[start.month - 1]} {start.year}"


def x_ticks(chart: ChartPlan, ax: Axes) -> None:
    periods = chart.analysis.periods
    step, ticks = _fitting_ticks(chart, periods)
    ax.set_xticks(ticks, labels=[tick_label(periods[i], step) for i in ticks])


def _fitting_ticks(chart: ChartPlan, periods: Sequence[Period]) -> tuple[_Step, list[int]]:
    """The densest step whose labels fit side by side on the axis."""
    digits = DIGIT_WIDTH * chart.layout.font
    room = chart.layout.plot_width * (chart.n + 0.6) / (chart.x_end + 0.8)
    most = MAX_TICKS
    while True:
        step, ticks = tick_step(periods, max(2, most))
        widest = max((len(tick_label(periods[i], step)) for i in ticks), default=7)
        if most <= 2 or len(ticks) * (widest * digits + 8) <= room:
            return step, ticks
        most = len(ticks) - 1


def y_ticks(chart: ChartPlan, panel: Panel, label: str) -> None:
    low, high = panel.ylim
    whole = chart.decimals == 0
    locator = MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10], integer=whole)
    ticks = [t for t in locator.tick_values(low, high) if low <= t <= high]
    labels = [fmt(t, data_decimals(ticks)) for t in ticks]
    panel.ax.set_yticks(ticks, labels=labels)
    panel.ax.set_ylim(low, high)
    if label:
        text = truncate(one_line(label), panel.height, chart.layout.font)
        panel.ax.set_ylabel(
            text, fontsize=chart.layout.font, color=INK, parse_math=False, labelpad=3
        )


def right_labels(chart: ChartPlan, panel: Panel, labels: Sequence[MarginLabel]) -> None:
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
            color=TARGET_COLOUR if label.target else ink(0.85),
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
    kind: Literal["line", "marker", "shade", "bar"]
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
    if any(p.baseline for p in chart.phases if p.limits is not None):
        items.append(LegendItem("Baseline of the limits", "bar", {}))
    return items + _legend_marks(chart)


def _legend_marks(chart: ChartPlan) -> list[LegendItem]:
    """The signal shapes by rule (in the text colour), then the colours and fills by effect."""
    items = []
    for marker, name in rule_names(chart):
        style = {"color": ink(0.85), "mfc": ink(0.85), "ms": 5 * MARKER_SCALE[marker]}
        items.append(LegendItem(name, "marker", {**style, "marker": marker}))
    effects = {s.effect for s in chart.analysis.xmr.signals if s.rule != "mr_beyond_url"}
    for effect, name in EFFECT_NAMES.items():
        if effect in effects:
            colour = EFFECT_COLOURS[effect]
            hollow = effect in OPEN_EFFECTS
            face, edge = (BACKGROUND, open_outline(6)) if hollow else (colour, 0)
            style = {"color": colour, "mfc": face, "mew": edge, "ms": 6, "marker": "o"}
            items.append(LegendItem(name, "marker", style))
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
    elif item.kind == "bar":
        figure.add_artist(Line2D([x, x + width], [y, y], **BASELINE_STYLE))
    else:
        middle = x + width / 2
        figure.add_artist(
            Line2D([middle], [y], ls="none", marker=style.pop("marker", "o"), **style)
        )
