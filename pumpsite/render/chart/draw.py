"""The XmR chart of a measure's page as an SVG string, ready to paste inline into a Markdown
page (the small chart of overview cards is `chart.small`, drawn without matplotlib).

Pure: no files, no clock, no pyplot. `chart_plan` works out what to show; this module draws it with
matplotlib (`Figure` + the SVG canvas, inside an `rc_context` with a per-chart hash salt, so ids are
stable) at a fixed geometry with no layout engine, which keeps a chart well under 100 ms;
`chart_guides` adds ticks, margin labels and the legend, and `chart_svg` makes the output
inline-safe.

A reading aid, not a traffic light: a signal point's shape says its rule (a diamond beyond a
limit, a square in a long run, …) and its colour and fill its effect, as NHS Making Data Count
colours them (improvement blue and filled, concern orange and open, in a palette told apart
under colour blindness; no direction, and every moving-range signal, filled in the text colour);
its hover title names both, so colour is never the only cue. No label sits on the data: phase
changes and events are numbered and explained below the chart, a target's label goes where no
value is.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.transforms import ScaledTranslation
from matplotlib.typing import RcKeyType

from pumpsite.analysis.measure import MeasureAnalysis
from pumpsite.analysis.xmr import Phase, WithoutLimits
from pumpsite.model import Measure
from pumpsite.render.chart.guides import (
    BASELINE_STYLE,
    CENTRAL_LINE,
    LIMIT_LINE,
    TARGET_LINE,
    TRIAL_LIMIT_LINE,
    LegendItem,
    Panel,
    draw_legend,
    ink,
    legend_rows,
    right_labels,
    text_at,
    x_ticks,
    y_ticks,
)
from pumpsite.render.chart.plan import (
    BACKGROUND,
    CHAR_WIDTH,
    DASHED,
    INK,
    MARKER_SCALE,
    TARGET_COLOUR,
    VALUE_COLOUR,
    ChartPlan,
    Marks,
    colour_of,
    is_open,
    line_title,
    mark_sizes,
    marker_of,
    mr_labels,
    mr_title,
    one_line,
    open_outline,
    plan_chart,
    point_title,
    text_width,
    truncate,
    x_labels,
    x_range,
)
from pumpsite.render.chart.small import render_small
from pumpsite.render.chart.svg import finish_svg, id_prefix
from pumpsite.render.chart.text import chart_description
from pumpsite.vocabulary import MIN_LIMIT_POINTS, ChartSize

NO_LIMITS_NOTE: dict[WithoutLimits, str] = {
    "few_values": f"Limits need {MIN_LIMIT_POINTS} values",
    "few_ranges": "Limits need 4 moving ranges",
    "too_coarse": "Data too coarse for limits",
}

# --- figure and panels -------------------------------------------------------------------------


def _hline(ax: Axes, x: tuple[float, float], y: float, gid: str, **style: Any) -> None:
    ax.plot(x, (y, y), gid=gid, **style)


def _headroom(chart: ChartPlan) -> float:
    """Room at the top of the X panel for phase labels and notes."""
    labelled = len(chart.phases) > 1 or any(p.limits is None for p in chart.phases)
    return 0.16 if labelled else 0.0


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
    ax.set_xlim(-0.8, chart.x_end)
    ax.set_ylim(*ylim)
    ax.spines[["top", "right"]].set_visible(False)
    ax.spines[["left", "bottom"]].set(color=ink(0.45), linewidth=0.6)
    ax.tick_params(
        colors=ink(0.45), labelcolor=INK, labelsize=lay.font, length=2.5, width=0.6, pad=2
    )
    return Panel(ax, y0, height, ylim)


def _figure(
    chart: ChartPlan, legend: Sequence[Sequence[LegendItem]]
) -> tuple[Figure, Panel, Panel]:
    lay = chart.layout
    bottom = lay.bottom + len(legend) * lay.legend_row
    total = lay.height + len(legend) * lay.legend_row
    figure = Figure(figsize=(lay.width / 72, total / 72), dpi=72)
    figure.patch.set_visible(False)
    plot = lay.height - lay.top - lay.bottom - lay.gap
    mr_height = plot * lay.mr_share
    x_ylim = x_range(chart, _headroom(chart))
    x_panel = _axes(figure, chart, bottom + mr_height + lay.gap, plot - mr_height, x_ylim)
    return figure, x_panel, _axes(figure, chart, bottom, mr_height, (0.0, _mr_top(chart)))


# --- the X panel -------------------------------------------------------------------------------


def _draw_key_results(chart: ChartPlan, panel: Panel) -> None:
    """Shade the periods where the measure is a key result, and say so above the panel."""
    for k, (span, role) in enumerate(chart.key_results):
        x0, x1 = chart.left(span.start), chart.right(span.end, onward=True)
        panel.ax.axvspan(x0, x1, color=ink(0.06), lw=0, zorder=0, gid=f"ps-key-result-{k}")
        text = f"Key result from {role.start.label}"
        room = (chart.x_end - x0) * chart.step
        at_end = room < len(text) * CHAR_WIDTH * chart.layout.font
        xy = (chart.x_end if at_end else x0, 1.0)
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
    """A thin line where each new phase starts; on the X panel of a full chart its note number
    (the reason is given below the chart), and a note where a phase has no limits."""
    for k, phase in enumerate(chart.phases):
        number = chart.phase_number(k)
        if k > 0:
            gid = f"ps-{name}-phase-{k}"
            panel.ax.axvline(phase.start - 0.5, color=ink(0.45), lw=0.7, zorder=1, gid=gid)
            reason = one_line(phase.reason or "")
            head = f"{number}. " if number else ""
            marks.group_titles[gid] = f"{head}New phase from {chart.period(phase.start)}: {reason}"
        if name == "x":
            _phase_notes(chart, panel, marks, k, number)


def _phase_notes(chart: ChartPlan, panel: Panel, marks: Marks, k: int, number: int | None) -> None:
    """At the top of the phase: its number, then why it has no limits, if so."""
    phase, font = chart.phases[k], chart.layout.font
    x = 4.0
    if number is not None:
        _top_text(chart, panel, phase.start, x, str(number), f"ps-phase-number-{k}", "bold")
        x += (len(str(number)) + 1) * CHAR_WIDTH * font
    if phase.limits is None:
        full_text = NO_LIMITS_NOTE[phase.without_limits or "few_values"]
        room = (chart.right(phase.end) - chart.left(phase.start)) * chart.step - x - 4
        if phase.end == chart.n:
            room += chart.ahead * chart.step + chart.layout.right - 4
        text = truncate(full_text, room, font)
        if text:
            _top_text(chart, panel, phase.start, x, text, f"ps-phase-note-{k}", "italic")
            marks.group_titles[f"ps-phase-note-{k}"] = full_text


def _top_text(
    chart: ChartPlan, panel: Panel, start: int, x: float, text: str, gid: str, style: str
) -> None:
    weight = {"fontweight": "bold"} if style == "bold" else {"fontstyle": style}
    text_at(
        panel.ax,
        text,
        (chart.left(start), 1.0),
        (x, -2),
        xycoords=("data", "axes fraction"),
        ha="left",
        va="top",
        fontsize=chart.layout.font,
        gid=gid,
        **weight,
    )


def _draw_limits(chart: ChartPlan, panel: Panel, marks: Marks) -> None:
    """Per phase with limits: the central line (solid) and the natural process limits (dashed,
    or dotted while they are trial limits), each over that phase only."""
    for k, phase in enumerate(chart.phases):
        limits = phase.limits
        if limits is None:
            continue
        x = (chart.left(phase.start), chart.right(phase.end, onward=True))
        kind = "trial limit" if limits.trial else "natural process limit"
        upper = line_title(chart, f"Upper {kind}", limits.unpl, limits.upper_boundary)
        lower = line_title(chart, f"Lower {kind}", limits.lnpl, limits.lower_boundary)
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
        if limits.trial:
            _trial_note(chart, panel, phase, x)


def _trial_note(chart: ChartPlan, panel: Panel, phase: Phase, x: tuple[float, float]) -> None:
    """'trial limits' just inside a limit line of the phase, where it covers no value and no
    target line crowds it."""
    limits = phase.limits
    assert limits is not None
    near = [t.value for t in chart.targets if t.span.start < phase.end and phase.start < t.span.end]
    top, bottom = limits.upper_line, limits.lower_line
    inside = [(top, "top"), (bottom, "bottom")]
    if any(abs(t - top) < abs(t - bottom) for t in near):
        inside.reverse()
    lines = [*inside, (top, "bottom"), (bottom, "top")]
    spots = [(end, y, side) for end in x for y, side in lines]
    font = chart.layout.font - 0.5
    style = {"fontstyle": "italic", "color": ink(0.7)}
    _free_text(chart, panel, "trial limits", spots, font, needed=False, avoid=near, **style)


Spot = tuple[float, float, str]
"""Where a label may go: data x (the left or right end of a line), data y, and 'top' to hang
below y or 'bottom' to stand on it."""


def _free_text(
    chart: ChartPlan,
    panel: Panel,
    text: str,
    spots: Sequence[Spot],
    font: float,
    needed: bool = True,
    avoid: Sequence[float] = (),
    **style: Any,
) -> None:
    """`text` at the first of `spots` where it covers no value and no line at the heights
    `avoid`, inside the line from its end: left-aligned at a left end, right-aligned at a right
    end. Where every spot is taken, at the first if the text is `needed`, else nowhere."""
    width, height = text_width(text, font) + 3, font + 2
    lines = [panel.to_pt(y) - panel.y0 for y in avoid]

    def taken(spot: Spot) -> bool:
        box = _box(chart, panel, spot, spots, width, height)
        return _covers_data(chart, panel, box) or any(box[1] <= y <= box[3] for y in lines)

    chosen = next((s for s in spots if not taken(s)), spots[0] if needed else None)
    if chosen is None:
        return
    x, y, va = chosen
    ha = "left" if x == min(s[0] for s in spots) else "right"
    offset = (3 if ha == "left" else -3, 2 if va == "bottom" else -2)
    text_at(panel.ax, text, (x, y), offset, ha=ha, va=va, fontsize=font, **style)


def _box(
    chart: ChartPlan,
    panel: Panel,
    spot: Spot,
    spots: Sequence[Spot],
    width: float,
    height: float,
) -> tuple[float, float, float, float]:
    """The box (left, bottom, right, top, in points within the plot) a label at `spot` takes."""
    x, y, va = spot
    left = _x_pt(chart, x) + (3 if x == min(s[0] for s in spots) else -3 - width)
    bottom = panel.to_pt(y) - panel.y0 + (2 if va == "bottom" else -2 - height)
    return left, bottom, left + width, bottom + height


def _draw_targets(chart: ChartPlan, panel: Panel, marks: Marks) -> None:
    """Each target over its role's span (one still in force runs on towards its deadline); a
    target that ended before the latest value is labelled beside its line, off the data."""
    for k, target in enumerate(chart.targets):
        x = (chart.left(target.span.start), chart.right(target.span.end, onward=True))
        gid = f"ps-target-{k}"
        _hline(panel.ax, x, target.value, gid, zorder=2.5, **TARGET_LINE)
        marks.group_titles[gid] = target.label
        if target.span.end < chart.n:
            spots = [(end, target.value, va) for end in x for va in ("bottom", "top")]
            font = chart.layout.font
            _free_text(chart, panel, target.label, spots, font, color=TARGET_COLOUR)


def _x_pt(chart: ChartPlan, x: float) -> float:
    """Points from the left edge of the plot to data x."""
    return (x + 0.8) * chart.step


def _covers_data(chart: ChartPlan, panel: Panel, box: tuple[float, float, float, float]) -> bool:
    """Whether a box (points within the plot: left, bottom, right, top) touches a value or the
    line between two values, with a margin of half a marker."""
    pad = mark_sizes(chart)[0]
    left, bottom, right, top = box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad
    if left < 0 or right > chart.layout.plot_width + 2 or bottom < 0 or top > panel.height:
        return True
    points = [
        (_x_pt(chart, i), panel.to_pt(v) - panel.y0)
        for i, v in enumerate(chart.values)
        if v is not None
    ]
    for (xa, ya), (xb, yb) in pairwise(points):
        if xb < left or xa > right:
            continue
        ys = [ya + (yb - ya) * (min(max(t, xa), xb) - xa) / (xb - xa or 1) for t in (left, right)]
        if min(ys) <= top and max(ys) >= bottom:
            return True
    return any(left <= px <= right and bottom <= py <= top for px, py in points)


def _draw_values(chart: ChartPlan, panel: Panel, marks: Marks) -> None:
    """The values as a line (a gap breaks it) and their points: routine values as small dots
    (hollow when excluded), signals larger, shaped by rule and coloured by effect."""
    diameter, width = mark_sizes(chart)
    gaps = [math.nan if v is None else v for v in chart.values]
    panel.ax.plot(range(chart.n), gaps, color=VALUE_COLOUR, lw=width, zorder=3, gid="ps-x-line")
    shown = [(i, v) for i, v in enumerate(chart.values) if v is not None]
    plain = [(i, v) for i, v in shown if not chart.x_signals[i]]
    if plain:
        excluded = chart.analysis.xmr.excluded
        faces = ["none" if i in excluded else VALUE_COLOUR for i, _ in plain]
        _scatter(
            panel.ax,
            plain,
            "ps-x-points",
            s=diameter**2,
            c=faces,
            edgecolors=VALUE_COLOUR,
            linewidths=max(width * 0.8, 0.8),
            zorder=4,
        )
        marks.titles["ps-x-points"] = [point_title(chart, i, v) for i, v in plain]
        marks.attrs["ps-x-points"] = [{"data-period": chart.period(i)} for i, _ in plain]
    _draw_signals(chart, panel, marks, "x", shown, diameter * 1.5)


SHAPE_NAMES = {"D": "limit", "p": "trend", "^": "near", "s": "run"}


def _draw_signals(
    chart: ChartPlan,
    panel: Panel,
    marks: Marks,
    name: str,
    shown: Sequence[tuple[int, float]],
    diameter: float,
) -> None:
    """The signal points of the panel `name` ("x" or "mr"), one collection per shape
    (`ps-x-signal-limit`, …), each point in its effect's colour: a concern open, with a thick
    outline round the page's background, the others filled."""
    mr = name == "mr"
    signals = chart.mr_signals if mr else chart.x_signals
    flagged = [(i, v) for i, v in shown if signals[i]]
    outline = open_outline(diameter)
    for shape in dict.fromkeys(marker_of(signals[i]) for i, _ in flagged):
        points = [(i, v) for i, v in flagged if marker_of(signals[i]) == shape]
        hollow = [is_open(signals[i]) for i, _ in points]
        colours = [colour_of(signals[i]) for i, _ in points]
        gid = f"ps-{name}-signal-{SHAPE_NAMES[shape]}"
        _scatter(
            panel.ax,
            points,
            gid,
            s=(diameter * MARKER_SCALE[shape]) ** 2,
            c=[BACKGROUND if h else c for h, c in zip(hollow, colours, strict=True)],
            edgecolors=colours,
            linewidths=[outline if h else 0 for h in hollow],
            marker=shape,
            zorder=4.5,
        )
        title = mr_title if mr else point_title
        marks.titles[gid] = [title(chart, i, v) for i, v in points]
        marks.attrs[gid] = [{"data-period": chart.period(i)} for i, _ in points]


def _scatter(ax: Axes, points: Sequence[tuple[int, float]], gid: str, **style: Any) -> None:
    """One collection for many points: matplotlib writes one mark per point, in order."""
    xs, ys = [i for i, _ in points], [v for _, v in points]
    ax.scatter(xs, ys, clip_on=False, gid=gid, **style)


def _draw_baselines(chart: ChartPlan, panel: Panel, marks: Marks) -> None:
    """A bar just under the X axis over each phase's baseline: the values its limits are
    computed from."""
    below = ScaledTranslation(0, -3 / 72, panel.ax.figure.dpi_scale_trans)
    for k, phase in enumerate(chart.phases):
        if phase.limits is None or not phase.baseline:
            continue
        gid = f"ps-baseline-{k}"
        x = (chart.left(phase.baseline[0]), chart.right(phase.baseline[-1] + 1))
        panel.ax.plot(
            x,
            (0, 0),
            transform=panel.ax.get_xaxis_transform() + below,
            clip_on=False,
            gid=gid,
            **BASELINE_STYLE,
        )
        marks.group_titles[gid] = (
            f"Baseline: {chart.baselines[k]}, from which the limits from "
            f"{chart.phase_starts[k]} are computed"
        )


def _draw_events(chart: ChartPlan, panel: Panel, marks: Marks) -> None:
    """A small triangle per period with events, just under the X axis, numbered."""
    if not chart.events:
        return
    y = -9 / panel.height
    xs = [mark.index for mark in chart.events]
    panel.ax.scatter(
        xs,
        [y] * len(xs),
        s=6**2,
        marker="^",
        c=[ink(0.75)],
        linewidths=0,
        transform=panel.ax.get_xaxis_transform(),
        clip_on=False,
        zorder=5,
        gid="ps-events",
    )
    marks.titles["ps-events"] = [mark.title for mark in chart.events]
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
    phase; a moving range above its upper range limit as a diamond in the text colour: a
    moving range has no direction."""
    diameter, width = mark_sizes(chart)
    ranges = chart.analysis.xmr.moving_ranges
    gaps = [math.nan if r is None else r for r in ranges]
    panel.ax.plot(
        range(chart.n), gaps, color=VALUE_COLOUR, lw=width * 0.8, zorder=3, gid="ps-mr-line"
    )
    for k, phase in enumerate(chart.phases):
        if phase.limits is not None:
            x = (chart.left(phase.start), chart.right(phase.end, onward=True))
            spread = "Median" if phase.limits.dispersion == "median" else "Average"
            for name, value, what, ls in (
                ("avg", phase.limits.average_mr, f"{spread} moving range", "-"),
                ("url", phase.limits.url, "Upper range limit", DASHED),
            ):
                _hline(panel.ax, x, value, f"ps-mr-{name}-{k}", color=ink(0.6), lw=0.9, ls=ls)
                marks.group_titles[f"ps-mr-{name}-{k}"] = f"{what} {chart.limit(value)}"
    shown = [(i, r) for i, r in enumerate(ranges) if r is not None]
    plain = [(i, r) for i, r in shown if not chart.mr_signals[i]]
    if plain:
        size = (diameter * 0.8) ** 2
        _scatter(panel.ax, plain, "ps-mr-points", s=size, c=VALUE_COLOUR, linewidths=0, zorder=4)
        marks.titles["ps-mr-points"] = [mr_title(chart, i, r) for i, r in plain]
    _draw_signals(chart, panel, marks, "mr", shown, diameter * 1.2)


def _draw(chart: ChartPlan, marks: Marks) -> Figure:
    legend = legend_rows(chart)
    figure, x_panel, mr_panel = _figure(chart, legend)
    _draw_key_results(chart, x_panel)
    _draw_phases(chart, x_panel, marks, "x")
    _draw_limits(chart, x_panel, marks)
    _draw_targets(chart, x_panel, marks)
    _draw_values(chart, x_panel, marks)
    _draw_baselines(chart, x_panel, marks)
    _draw_events(chart, x_panel, marks)
    y_ticks(chart, x_panel, chart.measure.meta.unit)
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

    `description` is the plain-language reading, for the `<desc>` element after what the chart
    shows (`chart_description`). `size="small"` is a compact X chart for overview pages, drawn
    without matplotlib (`chart.small`). Identical input gives identical bytes.
    """
    if size == "small":
        return render_small(measure, analysis, description=description)
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
    words = chart_description(chart, description)
    return finish_svg(buffer.getvalue(), prefix, measure.title, words, classes, marks)
