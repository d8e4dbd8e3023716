"""An XmR chart of one measure as an SVG string, ready to paste inline into a Markdown page.

Pure: no files, no clock, no pyplot. matplotlib draws the figure (`Figure` + the SVG canvas, inside
an `rc_context` with a per-chart hash salt, so ids are stable) at a fixed geometry with no layout
engine, which keeps a chart well under 100 ms. `_finish_svg` then makes its output inline-safe: no
prolog, comments, metadata or page-wide `<style>`, no blank line, no fixed size, ids prefixed by
the measure id, text and axes in `currentColor` (one chart serves Material's light and dark
schemes), a `<title>`/`<desc>` for assistive technology and a hover `<title>` on every point.

A reading aid, not a traffic light: signal points are coloured by effect as NHS Making Data Count
does (improvement blue, concern orange, neutral purple), ringed and named in their hover title, so
colour is never the only cue.
"""

from __future__ import annotations

import io
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator
from matplotlib.typing import RcKeyType

from pumpsite.analysis import MeasureAnalysis
from pumpsite.model import Measure
from pumpsite.numbers import data_decimals, display_decimals, fmt
from pumpsite.periods import Frequency, Period
from pumpsite.schema import Event, Role
from pumpsite.signals import Effect, Signal, rule_label
from pumpsite.xmr import Phase

Size = Literal["full", "small"]
Colour = str | tuple[float, float, float, float]

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"

INK = "#010203"
"""Sentinel for text, axes and reference lines; becomes currentColor in the output."""
VALUE_COLOUR = "#71829b"
"""Values: a mid blue-grey that reads on white and on Material's dark slate (#1e2129)."""
TARGET_COLOUR = "#0d9488"
EFFECT_COLOURS: dict[Effect, str] = {
    "improvement": "#2f7ee8",
    "concern": "#f26b1d",
    "neutral": "#9b5de5",
}
EFFECT_NAMES: dict[Effect, str] = {
    "improvement": "Improvement signal",
    "concern": "Concern signal",
    "neutral": "Signal",
}
DASHED = (0, (4, 3))
DOTTED = (0, (1, 2))
DASH_DOT = (0, (6, 2, 1.5, 2))
CHAR_WIDTH = 0.6
"""Average glyph width in em, on the generous side: labels are placed before the page's font is
known, and a narrower font only leaves a little more room."""
MAX_TICKS = 12


# --- layout ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Layout:
    """Fixed geometry in points (one SVG user unit each)."""

    width: float
    height: float  # without the legend
    left: float
    right: float
    top: float
    bottom: float
    gap: float  # between the X and mR panels
    mr_share: float  # share of the plot height for the mR panel; 0 for none
    font: float
    legend_row: float

    @property
    def plot_width(self) -> float:
        return self.width - self.left - self.right


LAYOUTS: dict[Size, _Layout] = {
    "full": _Layout(560, 356, 56, 100, 24, 30, 28, 0.3, font=10, legend_row=17),
    "small": _Layout(400, 140, 34, 14, 8, 18, 0, 0.0, font=10, legend_row=0),
}


@dataclass(frozen=True, slots=True)
class _Panel:
    """An axes and where it sits, to place things in points without rendering first."""

    ax: Axes
    y0: float  # bottom edge, in points from the bottom of the figure
    height: float
    ylim: tuple[float, float]

    def to_pt(self, value: float) -> float:
        low, high = self.ylim
        return self.y0 + (value - low) / (high - low) * self.height


# --- what to draw ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Span:
    """The indices [start, end) of the chart that a role covers."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _Target:
    span: Span
    value: float
    label: str


@dataclass(frozen=True, slots=True)
class _EventMark:
    index: int
    numbers: tuple[int, ...]
    title: str


@dataclass(slots=True)
class _Marks:
    """Hover titles (and attributes) for the marks of matplotlib groups, applied in order."""

    titles: dict[str, list[str]] = field(default_factory=dict)
    attrs: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    group_titles: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Chart:
    """Everything the drawing needs, worked out once from the measure and its analysis."""

    measure: Measure
    analysis: MeasureAnalysis
    full: bool
    layout: _Layout
    decimals: int  # of the data
    limit_decimals: int
    x_signals: tuple[tuple[Signal, ...], ...]  # per index: the signals on the value
    mr_signals: tuple[tuple[Signal, ...], ...]  # per index: the signals on the moving range
    targets: tuple[_Target, ...]
    key_results: tuple[tuple[Span, Role], ...]
    events: tuple[_EventMark, ...]

    @property
    def values(self) -> tuple[float | None, ...]:
        return self.analysis.xmr.values

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def phases(self) -> tuple[Phase, ...]:
        return self.analysis.xmr.phases

    @property
    def step(self) -> float:
        """Points per period on the x axis."""
        return self.layout.plot_width / (self.n + 0.6)

    def period(self, index: int) -> str:
        return self.analysis.periods[index].label

    def limit(self, value: float) -> str:
        return fmt(value, self.limit_decimals)

    def left(self, index: int) -> float:
        """The x of the left edge of a period's slot, clipped to the plot."""
        return -0.8 if index <= 0 else index - 0.5

    def right(self, end: int) -> float:
        """The x of the right edge of the slot before `end`, clipped to the plot."""
        return self.n - 0.2 if end >= self.n else end - 0.5


def _signals_by_index(
    signals: Iterable[Signal], n: int, mr: bool
) -> tuple[tuple[Signal, ...], ...]:
    found: list[list[Signal]] = [[] for _ in range(n)]
    for signal in signals:
        if (signal.rule == "mr_beyond_url") == mr:
            for i in signal.points:
                found[i].append(signal)
    return tuple(tuple(items) for items in found)


def _first_at_or_after(periods: Sequence[Period], quarter: Period) -> int:
    day = quarter.start
    return next((i for i, p in enumerate(periods) if p.start >= day), len(periods))


def role_spans(roles: Sequence[Role], periods: Sequence[Period]) -> list[tuple[Span, Role]]:
    """Each role with the indices it is in force over, from its quarter to the next role's,
    clipped to the data; a role wholly outside the data is left out."""
    ordered = sorted(roles, key=lambda r: r.start)
    starts = [_first_at_or_after(periods, role.start) for role in ordered] + [len(periods)]
    return [
        (Span(starts[k], starts[k + 1]), role)
        for k, role in enumerate(ordered)
        if starts[k] < starts[k + 1]
    ]


def target_label(role: Role, decimals: int = 0) -> str:
    """`Target 10 by 2026-12-31`, the target written with at least `decimals` decimals."""
    assert role.target is not None
    text = f"Target {fmt(role.target, max(decimals, data_decimals([role.target])))}"
    return f"{text} by {role.deadline.isoformat()}" if role.deadline else text


def event_numbers(measure: Measure, analysis: MeasureAnalysis) -> list[tuple[int, Event]]:
    """The events on the chart, numbered 1, 2, … in date order (file order on a tie): a page
    that lists them can use the chart's numbers."""
    shown = [e for e in measure.meta.events if analysis.index_of(e.date) is not None]
    return list(enumerate(sorted(shown, key=lambda e: e.date), start=1))


def _event_marks(measure: Measure, analysis: MeasureAnalysis) -> tuple[_EventMark, ...]:
    grouped: dict[int, list[tuple[int, Event]]] = {}
    for number, event in event_numbers(measure, analysis):
        grouped.setdefault(analysis.index_of(event.date) or 0, []).append((number, event))
    return tuple(
        _EventMark(
            index,
            tuple(number for number, _ in items),
            "; ".join(f"{n}. {e.date.label} ({e.kind}): {_one_line(e.text)}" for n, e in items),
        )
        for index, items in sorted(grouped.items())
    )


def _prepare(measure: Measure, analysis: MeasureAnalysis, size: Size) -> _Chart:
    xmr = analysis.xmr
    decimals = data_decimals(xmr.values)
    spans = role_spans(measure.meta.roles, analysis.periods)
    improving = tuple((span, role) for span, role in spans if role.role == "improve")
    return _Chart(
        measure=measure,
        analysis=analysis,
        full=size == "full",
        layout=LAYOUTS[size],
        decimals=decimals,
        limit_decimals=display_decimals(xmr.values),
        x_signals=_signals_by_index(xmr.signals, len(xmr.values), mr=False),
        mr_signals=_signals_by_index(xmr.signals, len(xmr.values), mr=True),
        targets=tuple(
            _Target(span, role.target, target_label(role, decimals))
            for span, role in improving
            if role.target is not None
        ),
        key_results=improving,
        events=_event_marks(measure, analysis),
    )


# --- words -------------------------------------------------------------------------------------


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _one_line(text: str) -> str:
    """User text on one line: no blank line may reach the Markdown page, and no character an
    SVG cannot hold (control characters, U+FFFE)."""
    return " ".join(_NOT_XML.sub("", text).split())


def truncate(text: str, room: float, font: float) -> str:
    """`text` cut with an ellipsis to fit `room` points at `font` size; '' if too little fits."""
    fits = int(room / (CHAR_WIDTH * font))
    if len(text) <= fits:
        return text
    return text[: fits - 1].rstrip() + "…" if fits >= 4 else ""


def with_unit(value: str, unit: str) -> str:
    """`17 complaints`, `12.5%`."""
    if not unit:
        return value
    return f"{value}{unit}" if unit[0] in "%‰°" else f"{value} {unit}"


def _describe(chart: _Chart, signal: Signal) -> str:
    options = chart.analysis.xmr.options
    return f"{rule_label(options.profile, signal.rule, options.run_length)} ({signal.effect})"


def _point_title(chart: _Chart, i: int, value: float) -> str:
    head = f"{chart.period(i)}: {with_unit(fmt(value, chart.decimals), chart.measure.meta.unit)}"
    parts = [_describe(chart, s) for s in chart.x_signals[i]]
    if i in chart.analysis.xmr.excluded:
        period = chart.analysis.periods[i]
        reasons = [e.reason for e in chart.measure.meta.limits.exclude if e.period == period]
        parts.append("excluded from the limits" + "".join(f": {r}" for r in reasons[:1]))
    return " — ".join([head, *parts])


def _mr_title(chart: _Chart, i: int, spread: float) -> str:
    value = with_unit(fmt(spread, chart.decimals), chart.measure.meta.unit)
    parts = [_describe(chart, s) for s in chart.mr_signals[i]]
    return " — ".join([f"{chart.period(i)}: moving range {value}", *parts])


# --- matplotlib helpers ------------------------------------------------------------------------


def _ink(alpha: float = 1.0) -> tuple[float, float, float, float]:
    return (1 / 255, 2 / 255, 3 / 255, alpha)


def _text(
    ax: Axes, text: str, xy: tuple[float, float], offset: tuple[float, float], **style: Any
) -> None:
    """A label at `xy` (data coordinates unless `xycoords` says otherwise), moved by `offset`
    points; never parsed as mathtext, so a `$` in user text stays a dollar sign."""
    style.setdefault("color", _ink(0.8))
    ax.annotate(text, xy=xy, xytext=offset, textcoords="offset points", parse_math=False, **style)


def _hline(ax: Axes, x: tuple[float, float], y: float, gid: str, **style: Any) -> None:
    ax.plot(x, (y, y), gid=gid, **style)


def _scale(chart: _Chart) -> tuple[float, float]:
    """Marker diameter and line width in points, shrinking as the points get denser."""
    diameter = min(max(chart.step * 0.5, 1.8), 5.5 if chart.full else 3.6)
    width = min(max(chart.step * 0.18, 0.6), 1.5 if chart.full else 1.1)
    return diameter, width


def _y_range(values: Sequence[float], headroom: float) -> tuple[float, float]:
    if not values:
        return 0.0, 1.0
    low, high = min(values), max(values)
    if high <= low:
        pad = max(abs(high) * 0.1, 0.5)
        return low - pad, high + pad
    spread = high - low
    return low - 0.07 * spread, high + (0.07 + headroom) * spread


def _x_extent(chart: _Chart) -> list[float]:
    found = [v for v in chart.values if v is not None]
    for phase in chart.phases:
        if phase.limits is not None:
            found += [phase.limits.lnpl, phase.limits.unpl]
    return found + [target.value for target in chart.targets]


def _headroom(chart: _Chart) -> float:
    """Room at the top of the X panel for phase labels and notes."""
    labelled = len(chart.phases) > 1 or any(p.limits is None for p in chart.phases)
    return 0.16 if chart.full and labelled else 0.0


def _mr_top(chart: _Chart) -> float:
    spreads = [r for r in chart.analysis.xmr.moving_ranges if r is not None]
    spreads += [p.limits.url for p in chart.phases if p.limits is not None]
    return max(spreads, default=0.0) * 1.12 or 1.0


def _axes(
    figure: Figure, chart: _Chart, y0: float, height: float, ylim: tuple[float, float]
) -> _Panel:
    lay = chart.layout
    total = figure.get_figheight() * 72
    ax = figure.add_axes(
        (lay.left / lay.width, y0 / total, lay.plot_width / lay.width, height / total)
    )
    ax.patch.set_visible(False)
    ax.set_xlim(-0.8, chart.n - 0.2)
    ax.set_ylim(*ylim)
    ax.spines[["top", "right"]].set_visible(False)
    ax.spines[["left", "bottom"]].set(color=_ink(0.45), linewidth=0.6)
    ax.tick_params(
        colors=_ink(0.45), labelcolor=INK, labelsize=lay.font, length=2.5, width=0.6, pad=2
    )
    return _Panel(ax, y0, height, ylim)


def _figure(
    chart: _Chart, legend: Sequence[Sequence[_LegendItem]]
) -> tuple[Figure, _Panel, _Panel | None]:
    lay = chart.layout
    bottom = lay.bottom + len(legend) * lay.legend_row
    total = lay.height + len(legend) * lay.legend_row
    figure = Figure(figsize=(lay.width / 72, total / 72), dpi=72)
    figure.patch.set_visible(False)
    plot = lay.height - lay.top - lay.bottom - lay.gap
    mr_height = plot * lay.mr_share
    x_ylim = _y_range(_x_extent(chart), _headroom(chart))
    x_panel = _axes(figure, chart, bottom + mr_height + lay.gap, plot - mr_height, x_ylim)
    if not mr_height:
        return figure, x_panel, None
    return figure, x_panel, _axes(figure, chart, bottom, mr_height, (0.0, _mr_top(chart)))


# --- the X panel -------------------------------------------------------------------------------


def _draw_key_results(chart: _Chart, panel: _Panel) -> None:
    """Shade the periods where the measure is a key result, and say so above the panel."""
    for k, (span, role) in enumerate(chart.key_results):
        x0, x1 = chart.left(span.start), chart.right(span.end)
        panel.ax.axvspan(x0, x1, color=_ink(0.06), lw=0, zorder=0, gid=f"ps-key-result-{k}")
        if not chart.full:
            continue
        text = f"Key result from {role.start.label}"
        room = (chart.n - 0.2 - x0) * chart.step
        at_end = room < len(text) * CHAR_WIDTH * chart.layout.font
        xy = (chart.n - 0.2 if at_end else x0, 1.0)
        _text(
            panel.ax,
            text,
            xy,
            (0, 4),
            xycoords=("data", "axes fraction"),
            ha="right" if at_end else "left",
            va="bottom",
            fontsize=chart.layout.font,
        )


def _draw_phases(chart: _Chart, panel: _Panel, marks: _Marks, name: str) -> None:
    """A thin line where each new phase starts; on the X panel its reason, and a note where a
    phase has too few values for limits."""
    for k, phase in enumerate(chart.phases):
        if k > 0:
            gid = f"ps-{name}-phase-{k}"
            panel.ax.axvline(phase.start - 0.5, color=_ink(0.45), lw=0.7, zorder=1, gid=gid)
            reason = _one_line(phase.reason or "")
            marks.group_titles[gid] = f"New phase from {chart.period(phase.start)}: {reason}"
        if name == "x" and chart.full:
            _phase_notes(chart, panel, marks, k, phase)


def _margin_top_free(chart: _Chart, panel: _Panel) -> bool:
    """Whether the top two lines of the right margin are clear of the limit labels."""
    clear = panel.y0 + panel.height - 2 * (chart.layout.font + 3) - chart.layout.font
    return all(panel.to_pt(label.value) < clear for label in _x_labels(chart))


def _phase_notes(chart: _Chart, panel: _Panel, marks: _Marks, k: int, phase: Phase) -> None:
    room = (chart.right(phase.end) - chart.left(phase.start)) * chart.step - 8
    if phase.end == chart.n and _margin_top_free(chart, panel):
        room += chart.layout.right - 4
    notes = []
    if k > 0 and phase.reason:
        notes.append(("reason", _one_line(phase.reason)))
    if phase.limits is None:
        notes.append(("note", "Limits need 5 values"))
    for row, (kind, full_text) in enumerate(notes):
        text = truncate(full_text, room, chart.layout.font)
        if text:
            gid = f"ps-phase-{kind}-{k}"
            _text(
                panel.ax,
                text,
                (chart.left(phase.start), 1.0),
                (4, -2 - row * (chart.layout.font + 3)),
                xycoords=("data", "axes fraction"),
                ha="left",
                va="top",
                fontsize=chart.layout.font,
                fontstyle="italic",
                gid=gid,
            )
            marks.group_titles[gid] = full_text


def _draw_limits(chart: _Chart, panel: _Panel, marks: _Marks) -> None:
    """Per phase with limits: the central line (solid) and the natural process limits (dashed,
    or dotted while they are trial limits), each over that phase only."""
    for k, phase in enumerate(chart.phases):
        limits = phase.limits
        if limits is None:
            continue
        x = (chart.left(phase.start), chart.right(phase.end))
        kind = "trial limit" if limits.trial else "natural process limit"
        since = f"phase from {chart.period(phase.start)}"
        dash = DOTTED if limits.trial else DASHED
        for name, value, what, style in (
            ("cl", limits.center, "Central line", {"ls": "-", "lw": 1.0, "color": _ink(0.8)}),
            ("unpl", limits.unpl, f"Upper {kind}", {"ls": dash, "lw": 0.9, "color": _ink(0.6)}),
            ("lnpl", limits.lnpl, f"Lower {kind}", {"ls": dash, "lw": 0.9, "color": _ink(0.6)}),
        ):
            _hline(panel.ax, x, value, f"ps-x-{name}-{k}", zorder=2, **style)
            marks.group_titles[f"ps-x-{name}-{k}"] = f"{what} {chart.limit(value)} ({since})"
        if limits.trial and chart.full:
            _trial_note(chart, panel, phase, x[0])


def _trial_note(chart: _Chart, panel: _Panel, phase: Phase, x0: float) -> None:
    """'trial limits' just inside the limit line that no target line crowds."""
    limits = phase.limits
    assert limits is not None
    near = [t.value for t in chart.targets if t.span.start < phase.end and phase.start < t.span.end]
    lower = any(abs(t - limits.unpl) < abs(t - limits.lnpl) for t in near)
    y, offset, va = (limits.lnpl, (4, 2), "bottom") if lower else (limits.unpl, (4, -2), "top")
    _text(
        panel.ax,
        "trial limits",
        (x0, y),
        offset,
        ha="left",
        va=va,
        fontsize=chart.layout.font - 0.5,
        fontstyle="italic",
        color=_ink(0.7),
    )


def _draw_targets(chart: _Chart, panel: _Panel, marks: _Marks) -> None:
    for k, target in enumerate(chart.targets):
        x = (chart.left(target.span.start), chart.right(target.span.end))
        gid = f"ps-target-{k}"
        _hline(panel.ax, x, target.value, gid, color=TARGET_COLOUR, lw=1.4, ls=DASH_DOT, zorder=2.5)
        marks.group_titles[gid] = target.label
        if chart.full and target.span.end < chart.n:
            _text(
                panel.ax,
                target.label,
                (x[0], target.value),
                (3, 2),
                ha="left",
                va="bottom",
                fontsize=chart.layout.font,
                color=TARGET_COLOUR,
            )


def _colour(signals: Sequence[Signal]) -> str:
    return EFFECT_COLOURS[signals[0].effect] if signals else VALUE_COLOUR


def _draw_values(chart: _Chart, panel: _Panel, marks: _Marks) -> None:
    """The values as a line (a gap breaks it) and one collection of points: signal points in
    their effect's colour and ringed, excluded points hollow."""
    diameter, width = _scale(chart)
    gaps = [math.nan if v is None else v for v in chart.values]
    panel.ax.plot(range(chart.n), gaps, color=VALUE_COLOUR, lw=width, zorder=3, gid="ps-x-line")
    shown = [(i, v) for i, v in enumerate(chart.values) if v is not None]
    edges = [_colour(chart.x_signals[i]) for i, _ in shown]
    excluded = chart.analysis.xmr.excluded
    faces = ["none" if i in excluded else c for (i, _), c in zip(shown, edges, strict=True)]
    _scatter(
        panel.ax,
        shown,
        "ps-x-points",
        s=diameter**2,
        c=faces,
        edgecolors=edges,
        linewidths=max(width * 0.8, 0.8),
        zorder=4,
    )
    marks.titles["ps-x-points"] = [_point_title(chart, i, v) for i, v in shown]
    marks.attrs["ps-x-points"] = [{"data-period": chart.period(i)} for i, _ in shown]
    rings = [(i, v) for i, v in shown if chart.x_signals[i]]
    _draw_rings(panel.ax, rings, chart.x_signals, diameter, "ps-x-rings")


def _scatter(ax: Axes, points: Sequence[tuple[int, float]], gid: str, **style: Any) -> None:
    """One collection for many points: matplotlib writes one mark per point, in order."""
    xs, ys = [i for i, _ in points], [v for _, v in points]
    ax.scatter(xs, ys, clip_on=False, gid=gid, **style)


def _draw_rings(
    ax: Axes,
    points: Sequence[tuple[int, float]],
    signals: Sequence[Sequence[Signal]],
    diameter: float,
    gid: str,
) -> None:
    """A ring around each signal point: the cue that does not depend on colour."""
    if points:
        edges = [_colour(signals[i]) for i, _ in points]
        _scatter(
            ax,
            points,
            gid,
            s=(diameter * 2.1) ** 2,
            c="none",
            edgecolors=edges,
            linewidths=1.1,
            zorder=3.5,
        )


def _draw_events(chart: _Chart, panel: _Panel, marks: _Marks) -> None:
    """A small triangle per period with events, just under the X axis, numbered."""
    if not chart.events:
        return
    offset = -9 if chart.full else 4
    y = offset / panel.height
    xs = [mark.index for mark in chart.events]
    panel.ax.scatter(
        xs,
        [y] * len(xs),
        s=(6 if chart.full else 4.5) ** 2,
        marker="^",
        c=[_ink(0.75)],
        linewidths=0,
        transform=panel.ax.get_xaxis_transform(),
        clip_on=False,
        zorder=5,
        gid="ps-events",
    )
    marks.titles["ps-events"] = [mark.title for mark in chart.events]
    if chart.full:
        for mark in chart.events:
            _text(
                panel.ax,
                ",".join(map(str, mark.numbers)),
                (mark.index, y),
                (4.5, 0),
                xycoords=("data", "axes fraction"),
                ha="left",
                va="center",
                fontsize=chart.layout.font - 0.5,
                color=_ink(0.85),
            )


# --- the mR panel ------------------------------------------------------------------------------


def _draw_mr(chart: _Chart, panel: _Panel, marks: _Marks) -> None:
    """Moving ranges (a gap leaves none), the average moving range and upper range limit of each
    phase; a moving range above its upper range limit in its signal's colour."""
    diameter, width = _scale(chart)
    ranges = chart.analysis.xmr.moving_ranges
    gaps = [math.nan if r is None else r for r in ranges]
    panel.ax.plot(
        range(chart.n), gaps, color=VALUE_COLOUR, lw=width * 0.8, zorder=3, gid="ps-mr-line"
    )
    for k, phase in enumerate(chart.phases):
        if phase.limits is not None:
            x = (chart.left(phase.start), chart.right(phase.end))
            for name, value, what, ls in (
                ("avg", phase.limits.average_mr, "Average moving range", "-"),
                ("url", phase.limits.url, "Upper range limit", DASHED),
            ):
                _hline(panel.ax, x, value, f"ps-mr-{name}-{k}", color=_ink(0.6), lw=0.9, ls=ls)
                marks.group_titles[f"ps-mr-{name}-{k}"] = f"{what} {chart.limit(value)}"
    shown = [(i, r) for i, r in enumerate(ranges) if r is not None]
    colours = [_mr_colour(chart, i, r) for i, r in shown]
    _scatter(
        panel.ax, shown, "ps-mr-points", s=(diameter * 0.8) ** 2, c=colours, linewidths=0, zorder=4
    )
    marks.titles["ps-mr-points"] = [_mr_title(chart, i, r) for i, r in shown]
    rings = [(i, r) for i, r in shown if chart.mr_signals[i]]
    _draw_rings(panel.ax, rings, chart.mr_signals, diameter * 0.8, "ps-mr-rings")


def _mr_colour(chart: _Chart, i: int, spread: float) -> str:
    if chart.mr_signals[i]:
        return _colour(chart.mr_signals[i])
    limits = chart.analysis.xmr.limits_at(i)
    return EFFECT_COLOURS["neutral"] if limits and spread > limits.url else VALUE_COLOUR


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


def _x_ticks(chart: _Chart, ax: Axes) -> None:
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


def _y_ticks(chart: _Chart, panel: _Panel, label: str) -> None:
    low, high = panel.ylim
    whole = chart.decimals == 0
    locator = MaxNLocator(nbins=5 if chart.full else 3, steps=[1, 2, 2.5, 5, 10], integer=whole)
    ticks = [t for t in locator.tick_values(low, high) if low <= t <= high]
    panel.ax.set_yticks(ticks, labels=[fmt(t, data_decimals(ticks)) for t in ticks])
    panel.ax.set_ylim(low, high)
    if label and chart.full:
        text = truncate(_one_line(label), panel.height, chart.layout.font)
        panel.ax.set_ylabel(
            text, fontsize=chart.layout.font, color=INK, parse_math=False, labelpad=3
        )


@dataclass(frozen=True, slots=True)
class _Label:
    value: float
    text: str
    colour: Colour = field(default_factory=lambda: _ink(0.85))

    @property
    def lines(self) -> int:
        return self.text.count("\n") + 1


def _x_labels(chart: _Chart) -> list[_Label]:
    limits = chart.analysis.xmr.current_phase.limits
    labels = []
    if limits is not None:
        labels += [
            _Label(limits.unpl, f"UNPL {chart.limit(limits.unpl)}"),
            _Label(limits.center, f"CL {chart.limit(limits.center)}"),
            _Label(limits.lnpl, f"LNPL {chart.limit(limits.lnpl)}"),
        ]
    return labels + [
        _Label(target.value, target.label.replace(" by ", "\nby "), TARGET_COLOUR)
        for target in chart.targets
        if target.span.end == chart.n
    ]


def _mr_labels(chart: _Chart) -> list[_Label]:
    limits = chart.analysis.xmr.current_phase.limits
    if limits is None:
        return []
    return [
        _Label(limits.url, f"URL {chart.limit(limits.url)}"),
        _Label(limits.average_mr, f"Avg mR {chart.limit(limits.average_mr)}"),
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


def _right_labels(chart: _Chart, panel: _Panel, labels: Sequence[_Label]) -> None:
    """The current phase's limits (and a target line reaching the end) named at the right."""
    line = chart.layout.font + 2
    wanted = [panel.to_pt(label.value) for label in labels]
    top = panel.y0 + panel.height + 6
    centres = spread_labels(wanted, [line * label.lines for label in labels], panel.y0 - 6, top)
    for label, centre in zip(labels, centres, strict=True):
        y = (centre - panel.y0) / panel.height
        _text(
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


@dataclass(frozen=True, slots=True)
class _LegendItem:
    label: str
    kind: Literal["line", "marker", "shade"]
    style: dict[str, Any]

    def width(self, font: float) -> float:
        return 20 + 4 + len(self.label) * CHAR_WIDTH * font + 14


def _legend_items(chart: _Chart) -> list[_LegendItem]:
    limits = [p.limits for p in chart.phases if p.limits is not None]
    items = []
    if limits:
        items.append(_LegendItem("Central line", "line", {"color": _ink(0.8), "lw": 1.0}))
    if any(not lim.trial for lim in limits):
        style = {"color": _ink(0.6), "lw": 0.9, "ls": DASHED}
        items.append(_LegendItem("Natural process limits", "line", style))
    if any(lim.trial for lim in limits):
        style = {"color": _ink(0.6), "lw": 0.9, "ls": DOTTED}
        items.append(_LegendItem("Trial limits", "line", style))
    if chart.targets:
        style = {"color": TARGET_COLOUR, "lw": 1.4, "ls": DASH_DOT}
        items.append(_LegendItem("Target", "line", style))
    return items + _legend_marks(chart)


def _legend_marks(chart: _Chart) -> list[_LegendItem]:
    items = []
    effects = {s.effect for s in chart.analysis.xmr.signals}
    for effect, colour in EFFECT_COLOURS.items():
        if effect in effects:
            style = {"color": colour, "mfc": colour, "ms": 4.5, "ring": True}
            items.append(_LegendItem(EFFECT_NAMES[effect], "marker", style))
    if any(chart.values[i] is not None for i in chart.analysis.xmr.excluded):
        style = {"color": VALUE_COLOUR, "mfc": "none", "ms": 4.5}
        items.append(_LegendItem("Excluded from the limits", "marker", style))
    if chart.key_results:
        items.append(_LegendItem("Key result", "shade", {}))
    if chart.events:
        style = {"color": _ink(0.75), "mfc": _ink(0.75), "ms": 5, "marker": "^"}
        items.append(_LegendItem("Event", "marker", style))
    return items


def _legend_rows(chart: _Chart) -> list[list[_LegendItem]]:
    """The legend items wrapped into rows that fit the chart's width."""
    if not chart.full:
        return []
    rows: list[list[_LegendItem]] = []
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


def _draw_legend(chart: _Chart, figure: Figure, rows: Sequence[Sequence[_LegendItem]]) -> None:
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
                color=_ink(0.85),
                va="center",
                ha="left",
                parse_math=False,
            )
            x += item.width(lay.font)


def _legend_glyph(figure: Figure, item: _LegendItem, x: float, y: float, width: float) -> None:
    style = dict(item.style)
    if item.kind == "line":
        figure.add_artist(Line2D([x, x + width], [y, y], **style))
    elif item.kind == "shade":
        height = 8 / (figure.get_figheight() * 72)
        figure.add_artist(Rectangle((x, y - height / 2), width, height, color=_ink(0.1), lw=0))
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


def _draw(chart: _Chart, marks: _Marks) -> Figure:
    legend = _legend_rows(chart)
    figure, x_panel, mr_panel = _figure(chart, legend)
    _draw_key_results(chart, x_panel)
    _draw_phases(chart, x_panel, marks, "x")
    _draw_limits(chart, x_panel, marks)
    _draw_targets(chart, x_panel, marks)
    _draw_values(chart, x_panel, marks)
    _draw_events(chart, x_panel, marks)
    _y_ticks(chart, x_panel, chart.measure.meta.unit)
    if mr_panel is None:
        _x_ticks(chart, x_panel.ax)
        return figure
    x_panel.ax.set_xticks([])
    _draw_phases(chart, mr_panel, marks, "mr")
    _draw_mr(chart, mr_panel, marks)
    _x_ticks(chart, mr_panel.ax)
    _y_ticks(chart, mr_panel, "Moving range")
    _right_labels(chart, x_panel, _x_labels(chart))
    _right_labels(chart, mr_panel, _mr_labels(chart))
    _draw_legend(chart, figure, legend)
    return figure


# --- SVG post-processing -----------------------------------------------------------------------

_URL_REF = re.compile(r"url\(#([^)]+)\)")
_NUMBER = re.compile(r"-?\d+\.\d{3,}")
_FONT_FAMILY = re.compile(r"font-family:[^;]*;?\s*")
_COORDINATE_ATTRS = ("d", "x", "y", "transform")
_NO_TURN = re.compile(r"rotate\(-?0 [^)]*\)")
_ROOT_STYLE = (
    "font-family: var(--md-text-font-family, sans-serif); "
    "stroke-linejoin: round; stroke-linecap: butt"
)


def _short(match: re.Match[str]) -> str:
    text = f"{float(match.group()):.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "chart"


def _local_names(root: ET.Element) -> None:
    """Plain SVG tag names, and `href` (SVG 2) instead of `xlink:href`."""
    for element in root.iter():
        element.tag = element.tag.rpartition("}")[2]
        href = element.attrib.pop(XLINK_HREF, None)
        if href is not None:
            element.set("href", href)


def _references(root: ET.Element) -> set[str]:
    found: set[str] = set()
    for element in root.iter():
        href = element.get("href", "")
        if href.startswith("#"):
            found.add(href[1:])
        for value in element.attrib.values():
            found.update(_URL_REF.findall(value))
    return found


def _rename_ids(root: ET.Element, prefix: str) -> None:
    """Prefix referenced ids and our own `ps-` group ids; drop matplotlib's other ids."""
    used = _references(root)
    for element in root.iter():
        old = element.get("id")
        if old is not None:
            if old in used or old.startswith("ps-"):
                element.set("id", prefix + old.removeprefix("ps-"))
            else:
                del element.attrib["id"]
        href = element.get("href", "")
        if href.startswith("#"):
            element.set("href", f"#{prefix}{href[1:]}")
        for name, value in element.attrib.items():
            if "url(#" in value:
                element.set(name, _URL_REF.sub(lambda m: f"url(#{prefix}{m.group(1)})", value))


def _restyle(element: ET.Element) -> None:
    """currentColor for the sentinel ink, the page's font, short coordinates."""
    style = element.get("style")
    if style is not None:
        style = _FONT_FAMILY.sub("", style.replace(INK, "currentColor")).strip().rstrip(";")
        element.set("style", style)
    for name in _COORDINATE_ATTRS:
        value = element.get(name)
        if value is not None:
            element.set(name, " ".join(_NUMBER.sub(_short, value).split()))
    if _NO_TURN.fullmatch(element.get("transform", "")):
        del element.attrib["transform"]


def _marks_of(group: ET.Element) -> list[ET.Element]:
    """The drawn marks of a collection in drawing order: `<use>`s, or `<path>`s where matplotlib
    found a shared definition not worth it; definitions left out."""
    defined = {id(p) for d in group.iter("defs") for p in d.iter()}
    return [e for e in group.iter() if e.tag in ("use", "path") and id(e) not in defined]


def _element(tag: str, text: str, **attrs: str) -> ET.Element:
    element = ET.Element(tag, attrs)
    element.text = _one_line(text)
    return element


def _apply_marks(root: ET.Element, marks: _Marks) -> None:
    groups = {e.get("id"): e for e in root.iter() if e.get("id", "").startswith("ps-")}
    for gid, titles in marks.titles.items():
        drawn = _marks_of(groups[gid])
        if len(drawn) != len(titles):
            raise AssertionError(f"{gid}: {len(drawn)} marks drawn for {len(titles)} titles")
        attrs = marks.attrs.get(gid, [{} for _ in titles])
        for element, title, extra in zip(drawn, titles, attrs, strict=True):
            element.append(_element("title", title))
            element.attrib.update(extra)
    for gid, text in marks.group_titles.items():
        if gid in groups:
            groups[gid].insert(0, _element("title", text))


def _strip(root: ET.Element) -> None:
    """Drop metadata and the `<style>` element (inline in a page, its `*` rule would apply to
    the whole page), then empty definitions."""
    for tags in (("metadata", "style"), ("defs",)):
        for parent in list(root.iter()):
            for child in list(parent):
                if child.tag in tags and (tags[0] != "defs" or not len(child)):
                    parent.remove(child)


def _flatten(element: ET.Element) -> None:
    """Unwrap the bare `<g>`s left once matplotlib's ids are gone; drop empty ones."""
    children: list[ET.Element] = []
    for child in element:
        _flatten(child)
        if child.tag == "g" and not child.attrib:
            children.extend(child)
        else:
            children.append(child)
    element[:] = children


def _layout_text(root: ET.Element) -> None:
    """One element per line, no indentation, no whitespace-only text."""
    for element in root.iter():
        if element.text is not None and not element.text.strip():
            element.text = "\n" if len(element) else None
        element.tail = "\n"
    root.tail = None


def _finish_svg(
    svg: str, prefix: str, title: str, description: str, classes: str, marks: _Marks
) -> str:
    root = ET.fromstring(_NOT_XML.sub("", svg))  # matplotlib writes text as it is given
    _local_names(root)
    _strip(root)
    _apply_marks(root, marks)
    for element in root.iter():
        _restyle(element)
    _rename_ids(root, prefix)
    _flatten(root)
    view_box = root.get("viewBox", "")
    root.attrib.clear()
    root.attrib.update(
        {
            "xmlns": SVG_NS,
            "viewBox": view_box,
            "class": classes,
            "role": "img",
            "aria-labelledby": f"{prefix}title {prefix}desc",
            "style": _ROOT_STYLE,
        }
    )
    root.insert(0, _element("title", title, id=f"{prefix}title"))
    root.insert(1, _element("desc", description, id=f"{prefix}desc"))
    _layout_text(root)
    text = ET.tostring(root, encoding="unicode")
    return "\n".join(line for line in text.splitlines() if line.strip())


# --- entry point -------------------------------------------------------------------------------


def _rc(measure_id: str, size: Size, font: float) -> dict[RcKeyType, Any]:
    return {
        "svg.hashsalt": f"pumpsite-{measure_id}-{size}",
        "svg.fonttype": "none",
        "text.usetex": False,
        "font.family": "sans-serif",
        "font.size": font,
        "axes.unicode_minus": True,
        "path.simplify": True,
        "lines.solid_capstyle": "round",
        "lines.dash_capstyle": "butt",
    }


def render_chart(
    measure: Measure,
    analysis: MeasureAnalysis,
    *,
    description: str,
    size: Literal["full", "small"] = "full",
) -> str:
    """The XmR chart of `measure` as an inline SVG fragment: no prolog, no blank line.

    `description` is the plain-language reading, for the `<desc>` element. `size="small"` is a
    compact X chart for overview pages. Identical input gives identical bytes.
    """
    chart = _prepare(measure, analysis, size)
    marks = _Marks()
    with matplotlib.rc_context(_rc(measure.id, size, chart.layout.font)):
        figure = _draw(chart, marks)
        FigureCanvasSVG(figure)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    prefix = f"{_slug(measure.id)}-{size}-"
    classes = f"pumpsite-chart pumpsite-chart-{size}"
    return _finish_svg(buffer.getvalue(), prefix, measure.title, description, classes, marks)
