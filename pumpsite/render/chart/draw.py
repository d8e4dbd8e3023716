"""An XmR chart of one measure as an SVG string, ready to paste inline into a Markdown page.

Pure: no files, no clock, no pyplot. `chart_plan` works out what to show; this module draws it with
matplotlib (`Figure` + the SVG canvas, inside an `rc_context` with a per-chart hash salt, so ids are
stable) at a fixed geometry with no layout engine, which keeps a chart well under 100 ms;
`chart_guides` adds ticks, margin labels and the legend, and `chart_svg` makes the output
inline-safe.

A reading aid, not a traffic light: signal points are coloured by effect as NHS Making Data Count
does (improvement blue, concern orange, neutral purple), ringed and named in their hover title, so
colour is never the only cue.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Sequence
from typing import Any

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.typing import RcKeyType

from pumpsite.analysis.measure import MeasureAnalysis
from pumpsite.analysis.signals import Signal
from pumpsite.analysis.xmr import Phase, WithoutLimits
from pumpsite.model import Measure
from pumpsite.numbers import as_written
from pumpsite.render.chart.guides import (
    CENTRAL_LINE,
    LIMIT_LINE,
    TARGET_LINE,
    TRIAL_LIMIT_LINE,
    LegendItem,
    Panel,
    draw_legend,
    ink,
    legend_rows,
    mr_labels,
    right_labels,
    text_at,
    x_labels,
    x_ticks,
    y_ticks,
)
from pumpsite.render.chart.plan import (
    CHAR_WIDTH,
    DASHED,
    EFFECT_COLOURS,
    INK,
    TARGET_COLOUR,
    VALUE_COLOUR,
    ChartPlan,
    Marks,
    mr_title,
    one_line,
    plan_chart,
    point_title,
    truncate,
)
from pumpsite.render.chart.svg import finish_svg, id_prefix
from pumpsite.vocabulary import MIN_LIMIT_POINTS, ChartSize

NO_LIMITS_NOTE: dict[WithoutLimits, str] = {
    "few_values": f"Limits need {MIN_LIMIT_POINTS} values",
    "few_ranges": "Limits need 4 moving ranges",
    "too_coarse": "Data too coarse for limits",
}

# --- figure and panels -------------------------------------------------------------------------


def _hline(ax: Axes, x: tuple[float, float], y: float, gid: str, **style: Any) -> None:
    ax.plot(x, (y, y), gid=gid, **style)


def _scale(chart: ChartPlan) -> tuple[float, float]:
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


def _x_extent(chart: ChartPlan) -> list[float]:
    found = [v for v in chart.values if v is not None]
    for phase in chart.phases:
        if phase.limits is not None:
            found += [phase.limits.lower_line, phase.limits.upper_line]
    return found + [target.value for target in chart.targets]


def _headroom(chart: ChartPlan) -> float:
    """Room at the top of the X panel for phase labels and notes."""
    labelled = len(chart.phases) > 1 or any(p.limits is None for p in chart.phases)
    return 0.16 if chart.full and labelled else 0.0


def _mr_top(chart: ChartPlan) -> float:
    spreads = [r for r in chart.analysis.xmr.moving_ranges if r is not None]
    spreads += [p.limits.url for p in chart.phases if p.limits is not None]
    return max(spreads, default=0.0) * 1.12 or 1.0


def _axes(
    figure: Figure, chart: ChartPlan, y0: float, height: float, ylim: tuple[float, float]
) -> Panel:
    lay = chart.layout
    total = figure.get_figheight() * 72
    ax = figure.add_axes(
        (lay.left / lay.width, y0 / total, lay.plot_width / lay.width, height / total)
    )
    ax.patch.set_visible(False)
    ax.set_xlim(-0.8, chart.n - 0.2)
    ax.set_ylim(*ylim)
    ax.spines[["top", "right"]].set_visible(False)
    ax.spines[["left", "bottom"]].set(color=ink(0.45), linewidth=0.6)
    ax.tick_params(
        colors=ink(0.45), labelcolor=INK, labelsize=lay.font, length=2.5, width=0.6, pad=2
    )
    return Panel(ax, y0, height, ylim)


def _figure(
    chart: ChartPlan, legend: Sequence[Sequence[LegendItem]]
) -> tuple[Figure, Panel, Panel | None]:
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


def _draw_key_results(chart: ChartPlan, panel: Panel) -> None:
    """Shade the periods where the measure is a key result, and say so above the panel."""
    for k, (span, role) in enumerate(chart.key_results):
        x0, x1 = chart.left(span.start), chart.right(span.end)
        panel.ax.axvspan(x0, x1, color=ink(0.06), lw=0, zorder=0, gid=f"ps-key-result-{k}")
        if not chart.full:
            continue
        text = f"Key result from {role.start.label}"
        room = (chart.n - 0.2 - x0) * chart.step
        at_end = room < len(text) * CHAR_WIDTH * chart.layout.font
        xy = (chart.n - 0.2 if at_end else x0, 1.0)
        text_at(
            panel.ax,
            text,
            xy,
            (0, 4),
            xycoords=("data", "axes fraction"),
            ha="right" if at_end else "left",
            va="bottom",
            fontsize=chart.layout.font,
        )


def _draw_phases(chart: ChartPlan, panel: Panel, marks: Marks, name: str) -> None:
    """A thin line where each new phase starts; on the X panel its reason, and a note where a
    phase has too few values for limits."""
    for k, phase in enumerate(chart.phases):
        if k > 0:
            gid = f"ps-{name}-phase-{k}"
            panel.ax.axvline(phase.start - 0.5, color=ink(0.45), lw=0.7, zorder=1, gid=gid)
            reason = one_line(phase.reason or "")
            marks.group_titles[gid] = f"New phase from {chart.period(phase.start)}: {reason}"
        if name == "x" and chart.full:
            _phase_notes(chart, panel, marks, k, phase)


def _margin_top_free(chart: ChartPlan, panel: Panel) -> bool:
    """Whether the top two lines of the right margin are clear of the limit labels."""
    clear = panel.y0 + panel.height - 2 * (chart.layout.font + 3) - chart.layout.font
    return all(panel.to_pt(label.value) < clear for label in x_labels(chart))


def _phase_notes(chart: ChartPlan, panel: Panel, marks: Marks, k: int, phase: Phase) -> None:
    room = (chart.right(phase.end) - chart.left(phase.start)) * chart.step - 8
    if phase.end == chart.n and _margin_top_free(chart, panel):
        room += chart.layout.right - 4
    notes = []
    if k > 0 and phase.reason:
        notes.append(("reason", one_line(phase.reason)))
    if phase.limits is None:
        notes.append(("note", NO_LIMITS_NOTE[phase.without_limits or "few_values"]))
    for row, (kind, full_text) in enumerate(notes):
        text = truncate(full_text, room, chart.layout.font)
        if text:
            gid = f"ps-phase-{kind}-{k}"
            text_at(
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


def _draw_limits(chart: ChartPlan, panel: Panel, marks: Marks) -> None:
    """Per phase with limits: the central line (solid) and the natural process limits (dashed,
    or dotted while they are trial limits), each over that phase only."""
    for k, phase in enumerate(chart.phases):
        limits = phase.limits
        if limits is None:
            continue
        x = (chart.left(phase.start), chart.right(phase.end))
        kind = "trial limit" if limits.trial else "natural process limit"
        upper = _line_title(chart, f"Upper {kind}", limits.unpl, limits.upper_boundary)
        lower = _line_title(chart, f"Lower {kind}", limits.lnpl, limits.lower_boundary)
        since = f"phase from {chart.phase_starts[k]}"
        limit_line = TRIAL_LIMIT_LINE if limits.trial else LIMIT_LINE
        central = f"Central line {chart.limit(limits.center)}"
        for name, value, what, style in (
            ("cl", limits.center, central, CENTRAL_LINE),
            ("unpl", limits.upper_line, upper, limit_line),
            ("lnpl", limits.lower_line, lower, limit_line),
        ):
            _hline(panel.ax, x, value, f"ps-x-{name}-{k}", zorder=2, **style)
            marks.group_titles[f"ps-x-{name}-{k}"] = f"{what} ({since})"
        if limits.trial and chart.full:
            _trial_note(chart, panel, phase, x[0])


def _line_title(chart: ChartPlan, name: str, limit: float, boundary: float | None) -> str:
    """'Upper natural process limit 17.2', or the boundary drawn in its place."""
    if boundary is None:
        return f"{name} {chart.limit(limit)}"
    shown = f"{name.lower()} {chart.limit(limit)}"
    return f"Natural boundary {as_written(boundary)}, in place of the {shown}"


def _trial_note(chart: ChartPlan, panel: Panel, phase: Phase, x0: float) -> None:
    """'trial limits' just inside the limit line that no target line crowds."""
    limits = phase.limits
    assert limits is not None
    near = [t.value for t in chart.targets if t.span.start < phase.end and phase.start < t.span.end]
    top, bottom = limits.upper_line, limits.lower_line
    lower = any(abs(t - top) < abs(t - bottom) for t in near)
    y, offset, va = (bottom, (4, 2), "bottom") if lower else (top, (4, -2), "top")
    text_at(
        panel.ax,
        "trial limits",
        (x0, y),
        offset,
        ha="left",
        va=va,
        fontsize=chart.layout.font - 0.5,
        fontstyle="italic",
        color=ink(0.7),
    )


def _draw_targets(chart: ChartPlan, panel: Panel, marks: Marks) -> None:
    for k, target in enumerate(chart.targets):
        x = (chart.left(target.span.start), chart.right(target.span.end))
        gid = f"ps-target-{k}"
        _hline(panel.ax, x, target.value, gid, zorder=2.5, **TARGET_LINE)
        marks.group_titles[gid] = target.label
        if chart.full and target.span.end < chart.n:
            text_at(
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


def _draw_values(chart: ChartPlan, panel: Panel, marks: Marks) -> None:
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
    marks.titles["ps-x-points"] = [point_title(chart, i, v) for i, v in shown]
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


def _draw_events(chart: ChartPlan, panel: Panel, marks: Marks) -> None:
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
        c=[ink(0.75)],
        linewidths=0,
        transform=panel.ax.get_xaxis_transform(),
        clip_on=False,
        zorder=5,
        gid="ps-events",
    )
    marks.titles["ps-events"] = [mark.title for mark in chart.events]
    if chart.full:
        for mark in chart.events:
            text_at(
                panel.ax,
                ",".join(map(str, mark.numbers)),
                (mark.index, y),
                (4.5, 0),
                xycoords=("data", "axes fraction"),
                ha="left",
                va="center",
                fontsize=chart.layout.font - 0.5,
                color=ink(0.85),
            )


# --- the mR panel ------------------------------------------------------------------------------


def _draw_mr(chart: ChartPlan, panel: Panel, marks: Marks) -> None:
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
            spread = "Median" if phase.limits.dispersion == "median" else "Average"
            for name, value, what, ls in (
                ("avg", phase.limits.average_mr, f"{spread} moving range", "-"),
                ("url", phase.limits.url, "Upper range limit", DASHED),
            ):
                _hline(panel.ax, x, value, f"ps-mr-{name}-{k}", color=ink(0.6), lw=0.9, ls=ls)
                marks.group_titles[f"ps-mr-{name}-{k}"] = f"{what} {chart.limit(value)}"
    shown = [(i, r) for i, r in enumerate(ranges) if r is not None]
    colours = [_mr_colour(chart, i) for i, _ in shown]
    _scatter(
        panel.ax, shown, "ps-mr-points", s=(diameter * 0.8) ** 2, c=colours, linewidths=0, zorder=4
    )
    marks.titles["ps-mr-points"] = [mr_title(chart, i, r) for i, r in shown]
    rings = [(i, r) for i, r in shown if chart.mr_signals[i]]
    _draw_rings(panel.ax, rings, chart.mr_signals, diameter * 0.8, "ps-mr-rings")


def _mr_colour(chart: ChartPlan, i: int) -> str:
    if chart.mr_signals[i]:
        return _colour(chart.mr_signals[i])
    excluded = chart.analysis.xmr.excluded
    if i in excluded or i - 1 in excluded:  # a jump into or out of an explained value
        return VALUE_COLOUR
    return EFFECT_COLOURS["neutral"] if chart.analysis.xmr.range_beyond_url(i) else VALUE_COLOUR


def _draw(chart: ChartPlan, marks: Marks) -> Figure:
    legend = legend_rows(chart)
    figure, x_panel, mr_panel = _figure(chart, legend)
    _draw_key_results(chart, x_panel)
    _draw_phases(chart, x_panel, marks, "x")
    _draw_limits(chart, x_panel, marks)
    _draw_targets(chart, x_panel, marks)
    _draw_values(chart, x_panel, marks)
    _draw_events(chart, x_panel, marks)
    y_ticks(chart, x_panel, chart.measure.meta.unit)
    if mr_panel is None:
        x_ticks(chart, x_panel.ax)
        return figure
    x_panel.ax.set_xticks([])
    _draw_phases(chart, mr_panel, marks, "mr")
    _draw_mr(chart, mr_panel, marks)
    x_ticks(chart, mr_panel.ax)
    y_ticks(chart, mr_panel, "Moving range")
    right_labels(chart, x_panel, x_labels(chart))
    right_labels(chart, mr_panel, mr_labels(chart))
    draw_legend(chart, figure, legend)
    return figure


# --- entry point -------------------------------------------------------------------------------


def _rc(measure_id: str, size: ChartSize, font: float) -> dict[RcKeyType, Any]:
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
    size: ChartSize = "full",
) -> str:
    """The XmR chart of `measure` as an inline SVG fragment: no prolog, no blank line.

    `description` is the plain-language reading, for the `<desc>` element. `size="small"` is a
    compact X chart for overview pages. Identical input gives identical bytes.
    """
    chart = plan_chart(measure, analysis, size)
    marks = Marks()
    with matplotlib.rc_context(_rc(measure.id, size, chart.layout.font)), warnings.catch_warnings():
        # Text is written as text (`svg.fonttype: none`) and drawn by the browser in the page's
        # font: a glyph missing from matplotlib's own font (CJK, emoji) only affects its layout
        # estimate, not the chart, so its warning would only alarm the reader of the build.
        warnings.filterwarnings("ignore", "Glyph .* missing from font", UserWarning)
        figure = _draw(chart, marks)
        FigureCanvasSVG(figure)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    prefix = id_prefix(measure.id, size)
    classes = f"pumpsite-chart pumpsite-chart-{size}"
    return finish_svg(buffer.getvalue(), prefix, measure.title, description, classes, marks)
