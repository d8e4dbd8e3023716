"""The measure page's XmR chart, drawn as SVG by hand from the chart plan (`plan.plan_chart`):
the X panel over the moving-range panel, each phase's lines, targets, signals shaped by rule
and coloured by effect, numbered notes, the current lines named in the right margin and a
legend below. Everything is placed in points of a fixed layout, as the plan decides (no label
sits on the data: see `free_text`); only the y ticks come from matplotlib's locator.

A reading aid, not a traffic light: a signal point's shape says its rule (a diamond beyond a
limit, a square in a long run, …) and its colour and fill its effect, as NHS Making Data Count
colours them (improvement blue and filled, concern orange and open, in a palette told apart
under colour blindness; no direction, and every moving-range signal, filled in the text colour);
its hover title names both, so colour is never the only cue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from matplotlib.ticker import MaxNLocator

from pumpsite.analysis.measure import MeasureAnalysis
from pumpsite.analysis.xmr import Phase, WithoutLimits
from pumpsite.model import Measure
from pumpsite.numbers import data_decimals, fmt
from pumpsite.render.chart.guides import (
    BASELINE_STYLE,
    CENTRAL_LINE,
    LIMIT_LINE,
    TARGET_LINE,
    TRIAL_LIMIT_LINE,
    LegendItem,
    fitting_ticks,
    ink,
    legend_rows,
    tick_label,
)
from pumpsite.render.chart.marks import (
    ASCENT,
    Frame,
    baseline,
    defined,
    hline,
    label,
    num,
    path,
    shape_path,
    text,
    titled,
    use,
    use_at,
)
from pumpsite.render.chart.plan import (
    BACKGROUND,
    CHAR_WIDTH,
    MARKER_SCALE,
    PAGE_BACKGROUND,
    TARGET_COLOUR,
    VALUE_COLOUR,
    ChartPlan,
    MarginLabel,
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
    spread_labels,
    svg_colour,
    text_width,
    truncate,
    x_labels,
    x_range,
)
from pumpsite.render.chart.svg import SVG_NS, id_prefix
from pumpsite.render.chart.text import chart_description
from pumpsite.vocabulary import MIN_LIMIT_POINTS

NO_LIMITS_NOTE: dict[WithoutLimits, str] = {
    "few_values": f"Limits need {MIN_LIMIT_POINTS} values",
    "few_ranges": "Limits need 4 moving ranges",
    "too_coarse": "Data too coarse for limits",
}
SHAPE_NAMES = {"D": "limit", "p": "trend", "^": "near", "s": "run"}
AXIS = "stroke: currentColor; stroke-opacity: 0.45; stroke-width: 0.6"
TICK, PAD, LABEL_PAD = 2.5, 2.0, 3.0
ROOT_STYLE = (
    "font-family: var(--md-text-font-family, sans-serif); "
    "stroke-linejoin: round; stroke-linecap: butt"
)
GLYPH_WIDTHS = {**dict.fromkeys("0123456789", 0.636), ".": 0.318, ",": 0.318, " ": 0.318}
GLYPH_WIDTHS |= {"\u2212": 0.838, "-": 0.361, "%": 0.95}
"""DejaVu Sans' advance widths (in em) of what tick labels are made of, to set the axis title
beside the widest."""


def stroke(colour: object, width: float | None = None, dashes: object = None) -> str:
    """A guides style's colour (`ink(alpha)` or a palette colour), width and dash pattern (or
    "butt": solid with square ends; else solid with round ends) as SVG style."""
    if isinstance(colour, tuple):
        paint = f"stroke: currentColor; stroke-opacity: {num(colour[3])}"
    else:
        paint = f"stroke: {svg_colour(str(colour))}"
    parts = ["fill: none"]
    if isinstance(dashes, tuple):
        lengths = dashes[1]
        parts.append("stroke-dasharray: " + ",".join(num(d * (width or 1.0)) for d in lengths))
    parts.append(paint)
    if width is not None and width != 1.0:
        parts.append(f"stroke-width: {num(width)}")
    if dashes != "butt" and not isinstance(dashes, tuple):
        parts.append("stroke-linecap: round")
    return "; ".join(parts)


def line_style(style: dict[str, object]) -> str:
    return stroke(style["color"], float(str(style.get("lw", 1.0))), style.get("ls"))


# --- geometry ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Geometry:
    width: float
    height: float  # with the legend
    x: Frame
    mr: Frame
    legend: list[list[LegendItem]]


def geometry(chart: ChartPlan) -> Geometry:
    lay = chart.layout
    legend = legend_rows(chart)
    height = lay.height + len(legend) * lay.legend_row
    plot = lay.height - lay.top - lay.bottom - lay.gap
    mr_height = plot * lay.mr_share
    left, right = lay.left, lay.width - lay.right
    x_bottom = lay.top + plot - mr_height
    low, high = x_range(chart, headroom(chart))
    x_panel = Frame(left, right, lay.top, x_bottom, -0.8, chart.x_end, low, high)
    mr_top = x_bottom + lay.gap
    mr_panel = Frame(
        left, right, mr_top, mr_top + mr_height, -0.8, chart.x_end, 0.0, top_of_mr(chart)
    )
    return Geometry(lay.width, height, x_panel, mr_panel, legend)


def headroom(chart: ChartPlan) -> float:
    """Room at the top of the X panel for phase labels and notes."""
    labelled = len(chart.phases) > 1 or any(p.limits is None for p in chart.phases)
    return 0.16 if labelled else 0.0


def top_of_mr(chart: ChartPlan) -> float:
    spreads = [r for r in chart.analysis.xmr.moving_ranges if r is not None]
    spreads += [p.limits.url for p in chart.phases if p.limits is not None]
    return max(spreads, default=0.0) * 1.12 or 1.0


def height_of(f: Frame, value: float) -> float:
    """Points from the panel's bottom edge up to `value`."""
    return f.bottom - f.y(value)


@dataclass(frozen=True, slots=True)
class Ink:
    """How a note is painted: its colour, opacity and face ("bold", "italic" or "")."""

    fill: str = "currentColor"
    opacity: float | None = 0.8
    face: str = ""


TARGET_INK = Ink(TARGET_COLOUR, None)
TRIAL_INK = Ink(opacity=0.7, face="italic")
ANCHORS = {"left": "start", "right": "end", "center": "middle"}


def note(
    f: Frame,
    x: float,
    y: float,
    words: str,
    font: float,
    *,
    dx: float = 0.0,
    dy: float = 0.0,
    ha: str = "left",
    va: str = "center",
    ink: Ink = Ink(),
) -> str:
    """Text at data point (x, y) of the panel `f`, shifted by `dx`, `dy` points (up is
    positive) and aligned by `ha` and `va`, as matplotlib's annotations are."""
    at = baseline(f.y(y) - dy, font, va)
    return label(f.x(x) + dx, at, words, font, ANCHORS[ha], ink.fill, ink.opacity, ink.face)


# --- the X panel -------------------------------------------------------------------------------


def key_result_shades(chart: ChartPlan, f: Frame, prefix: str) -> list[str]:
    """Shade the periods where the measure is a key result."""
    out = []
    for k, (span, _) in enumerate(chart.key_results):
        left, right = f.x(chart.left(span.start)), f.x(chart.right(span.end, onward=True))
        rect = (
            f'<rect x="{num(left)}" y="{num(f.top)}" width="{num(right - left)}" '
            f'height="{num(f.bottom - f.top)}" style="fill: currentColor; fill-opacity: 0.06"/>'
        )
        out.append(f'<g id="{prefix}key-result-{k}">\n{rect}\n</g>')
    return out


def key_result_labels(chart: ChartPlan, f: Frame) -> list[str]:
    """Say above the panel where the measure becomes a key result."""
    out = []
    font = chart.layout.font
    for span, role in chart.key_results:
        x0 = chart.left(span.start)
        words = f"Key result from {role.start.label}"
        room = (chart.x_end - x0) * chart.step
        at_end = room < len(words) * CHAR_WIDTH * font
        x, ha = (chart.x_end, "right") if at_end else (x0, "left")
        out.append(note(f, x, f.y_high, words, font, dy=4, ha=ha, va="bottom"))
    return out


def phases(chart: ChartPlan, f: Frame, prefix: str, name: str) -> list[str]:
    """A thin line where each new phase starts, titled with its note."""
    out = []
    for k, phase in enumerate(chart.phases[1:], start=1):
        number = chart.phase_number(k)
        head = f"{number}. " if number else ""
        reason = one_line(phase.reason or "")
        title = f"{head}New phase from {chart.period(phase.start)}: {reason}"
        x = num(f.x(phase.start - 0.5))
        style = "fill: none; stroke: currentColor; stroke-opacity: 0.45; stroke-width: 0.7"
        line = path(f"M {x} {num(f.bottom)} L {x} {num(f.top)}", f"{style}; stroke-linecap: round")
        out.append(titled(f"{prefix}{name}-phase-{k}", title, line))
    return out


def phase_labels(chart: ChartPlan, f: Frame, prefix: str) -> list[str]:
    """At the top of each phase its note number (the reason is given below the chart), and a
    note where a phase has no limits."""
    out = []
    for k in range(len(chart.phases)):
        out += phase_notes(chart, f, prefix, k, chart.phase_number(k))
    return out


def phase_notes(chart: ChartPlan, f: Frame, prefix: str, k: int, number: int | None) -> list[str]:
    """At the top of the phase: its number, then why it has no limits, if so."""
    phase, font = chart.phases[k], chart.layout.font
    out, x = [], 4.0
    if number is not None:
        words = note(
            f,
            chart.left(phase.start),
            f.y_high,
            str(number),
            font,
            dx=x,
            dy=-2,
            va="top",
            ink=Ink(face="bold"),
        )
        out.append(f'<g id="{prefix}phase-number-{k}">\n{words}\n</g>')
        x += (len(str(number)) + 1) * CHAR_WIDTH * font
    if phase.limits is None:
        full_text = NO_LIMITS_NOTE[phase.without_limits or "few_values"]
        room = (chart.right(phase.end) - chart.left(phase.start)) * chart.step - x - 4
        if phase.end == chart.n:
            room += chart.ahead * chart.step + chart.layout.right - 4
        shown = truncate(full_text, room, font)
        if shown:
            words = note(
                f,
                chart.left(phase.start),
                f.y_high,
                shown,
                font,
                dx=x,
                dy=-2,
                va="top",
                ink=Ink(face="italic"),
            )
            out.append(titled(f"{prefix}phase-note-{k}", full_text, words))
    return out


def limits(chart: ChartPlan, f: Frame, prefix: str) -> list[str]:
    """Per phase with limits: the central line (solid) and the natural process limits (dashed,
    or dotted while they are trial limits), each over that phase only."""
    out = []
    for k, phase in enumerate(chart.phases):
        lim = phase.limits
        if lim is None:
            continue
        x = (chart.left(phase.start), chart.right(phase.end, onward=True))
        kind = "trial limit" if lim.trial else "natural process limit"
        since = f"(phase from {chart.phase_starts[k]})"
        limit_line = line_style(TRIAL_LIMIT_LINE if lim.trial else LIMIT_LINE)
        for name, value, title, style in (
            ("cl", lim.center, f"Central line {chart.limit(lim.center)}", line_style(CENTRAL_LINE)),
            (
                "unpl",
                lim.upper_line,
                line_title(chart, f"Upper {kind}", lim.unpl, lim.upper_boundary),
                limit_line,
            ),
            (
                "lnpl",
                lim.lower_line,
                line_title(chart, f"Lower {kind}", lim.lnpl, lim.lower_boundary),
                limit_line,
            ),
        ):
            line = path(hline(f, x, value), style)
            out.append(titled(f"{prefix}x-{name}-{k}", f"{title} {since}", line))
    return out


def trial_notes(chart: ChartPlan, f: Frame) -> list[str]:
    """'trial limits' beside the lines of each phase whose limits are trial limits."""
    out = []
    for phase in chart.phases:
        if phase.limits is not None and phase.limits.trial:
            x = (chart.left(phase.start), chart.right(phase.end, onward=True))
            out += trial_note(chart, f, phase, x)
    return out


def trial_note(chart: ChartPlan, f: Frame, phase: Phase, x: tuple[float, float]) -> list[str]:
    """'trial limits' just inside a limit line of the phase, where it covers no value and no
    target line crowds it."""
    lim = phase.limits
    assert lim is not None
    near = [t.value for t in chart.targets if t.span.start < phase.end and phase.start < t.span.end]
    top, bottom = lim.upper_line, lim.lower_line
    inside = [(top, "top"), (bottom, "bottom")]
    if any(abs(t - top) < abs(t - bottom) for t in near):
        inside.reverse()
    lines = [*inside, (top, "bottom"), (bottom, "top")]
    spots = [(end, y, side) for end in x for y, side in lines]
    font = chart.layout.font - 0.5
    return free_text(chart, f, "trial limits", spots, font, needed=False, avoid=near, ink=TRIAL_INK)


Spot = tuple[float, float, str]
"""Where a label may go: data x (the left or right end of a line), data y, and 'top' to hang
below y or 'bottom' to stand on it."""


def free_text(
    chart: ChartPlan,
    f: Frame,
    words: str,
    spots: Sequence[Spot],
    font: float,
    needed: bool = True,
    avoid: Sequence[float] = (),
    ink: Ink = Ink(),
) -> list[str]:
    """`words` at the first of `spots` where they cover no value and no line at the heights
    `avoid`, inside the line from its end: left-aligned at a left end, right-aligned at a right
    end. Where every spot is taken, at the first if the text is `needed`, else nowhere."""
    width, height = text_width(words, font) + 3, font + 2
    lines = [height_of(f, y) for y in avoid]
    leftmost = min(s[0] for s in spots)

    def taken(spot: Spot) -> bool:
        box = text_box(chart, f, spot, leftmost, width, height)
        return covers_data(chart, f, box) or any(box[1] <= y <= box[3] for y in lines)

    chosen = next((s for s in spots if not taken(s)), spots[0] if needed else None)
    if chosen is None:
        return []
    x, y, va = chosen
    ha = "left" if x == leftmost else "right"
    dx, dy = (3 if ha == "left" else -3), (2 if va == "bottom" else -2)
    return [note(f, x, y, words, font, dx=dx, dy=dy, ha=ha, va=va, ink=ink)]


def text_box(
    chart: ChartPlan, f: Frame, spot: Spot, leftmost: float, width: float, height: float
) -> tuple[float, float, float, float]:
    """The box (left, bottom, right, top, in points within the plot) a label at `spot` takes."""
    x, y, va = spot
    left = x_pt(f, x) + (3 if x == leftmost else -3 - width)
    bottom = height_of(f, y) + (2 if va == "bottom" else -2 - height)
    return left, bottom, left + width, bottom + height


def x_pt(f: Frame, x: float) -> float:
    """Points from the left edge of the plot to data x."""
    return f.x(x) - f.left


def covers_data(chart: ChartPlan, f: Frame, box: tuple[float, float, float, float]) -> bool:
    """Whether a box (points within the plot: left, bottom, right, top) touches a value or the
    line between two values, with a margin of half a marker."""
    pad = mark_sizes(chart)[0]
    left, bottom, right, top = box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad
    plot_width, plot_height = f.right - f.left, f.bottom - f.top
    if left < 0 or right > plot_width + 2 or bottom < 0 or top > plot_height:
        return True
    points = [(x_pt(f, i), height_of(f, v)) for i, v in enumerate(chart.values) if v is not None]
    for (xa, ya), (xb, yb) in pairwise(points):
        if xb < left or xa > right:
            continue
        ys = [ya + (yb - ya) * (min(max(t, xa), xb) - xa) / (xb - xa or 1) for t in (left, right)]
        if min(ys) <= top and max(ys) >= bottom:
            return True
    return any(left <= px <= right and bottom <= py <= top for px, py in points)


def targets(chart: ChartPlan, f: Frame, prefix: str) -> list[str]:
    """Each target over its role's span (one still in force runs on towards its deadline)."""
    out = []
    for k, target in enumerate(chart.targets):
        x = (chart.left(target.span.start), chart.right(target.span.end, onward=True))
        line = path(hline(f, x, target.value), line_style(TARGET_LINE))
        out.append(titled(f"{prefix}target-{k}", target.label, line))
    return out


def target_labels(chart: ChartPlan, f: Frame) -> list[str]:
    """A target that ended before the latest value, labelled beside its line, off the data."""
    out = []
    for target in chart.targets:
        if target.span.end < chart.n:
            x = (chart.left(target.span.start), chart.right(target.span.end, onward=True))
            spots = [(end, target.value, va) for end in x for va in ("bottom", "top")]
            out += free_text(chart, f, target.label, spots, chart.layout.font, ink=TARGET_INK)
    return out


def value_line(f: Frame, values: Sequence[float | None], gid: str, style: str) -> str:
    """Values as one line, broken where one is missing."""
    parts, pen = [], "M"
    for i, value in enumerate(values):
        if value is None:
            pen = "M"
            continue
        parts.append(f"{pen} {num(f.x(i))} {num(f.y(value))}")
        pen = "L"
    return f'<g id="{gid}">\n{path(" ".join(parts), style)}\n</g>' if parts else ""


def points(
    chart: ChartPlan, f: Frame, prefix: str, name: str, shown: Sequence[tuple[int, float]]
) -> str:
    """The routine points of the panel `name`: values as dots (hollow when excluded), moving
    ranges as smaller dots without an outline."""
    diameter, width = mark_sizes(chart)
    flags = chart.mr_signals if name == "mr" else chart.x_signals
    plain = [(i, v) for i, v in shown if not flags[i]]
    if not plain:
        return ""
    dot = f"{prefix}dot" if name == "x" else f"{prefix}{name}-dot"
    if name == "mr":
        size, styles = diameter * 0.8, [f"fill: {VALUE_COLOUR}"] * len(plain)
        titles, periods = [mr_title(chart, i, v) for i, v in plain], [""] * len(plain)
    else:
        size = diameter
        edge = f"stroke: {VALUE_COLOUR}; stroke-width: {num(max(width * 0.8, 0.8))}"
        excluded = chart.analysis.xmr.excluded
        styles = [f"fill: {'none' if i in excluded else VALUE_COLOUR}; {edge}" for i, _ in plain]
        titles = [point_title(chart, i, v) for i, v in plain]
        periods = [chart.period(i) for i, _ in plain]
    uses = [
        use(f, dot, i, v, style, title, period)
        for (i, v), style, title, period in zip(plain, styles, titles, periods, strict=True)
    ]
    return "\n".join([f'<g id="{prefix}{name}-points">', defined(dot, "o", size), *uses, "</g>"])


def signals(
    chart: ChartPlan,
    f: Frame,
    prefix: str,
    name: str,
    shown: Sequence[tuple[int, float]],
    diameter: float,
) -> list[str]:
    """The signal points of the panel `name` ("x" or "mr"), one group per shape in the order
    they first appear (`x-signal-limit`, …), each point in its effect's colour: a concern open,
    with a thick outline round the page's background, the others filled."""
    mr = name == "mr"
    flags = chart.mr_signals if mr else chart.x_signals
    flagged = [(i, v) for i, v in shown if flags[i]]
    outline = num(open_outline(diameter))
    out = []
    for shape in dict.fromkeys(marker_of(flags[i]) for i, _ in flagged):
        group = f"{prefix}{name}-signal-{SHAPE_NAMES[shape]}"
        mark = f"{prefix}{'' if name == 'x' else name + '-'}{SHAPE_NAMES[shape]}"
        uses = []
        for i, v in flagged:
            if marker_of(flags[i]) != shape:
                continue
            colour = svg_colour(colour_of(flags[i]))
            style = (
                f"fill: {PAGE_BACKGROUND}; stroke: {colour}; stroke-width: {outline}"
                if is_open(flags[i])
                else f"fill: {colour}"
            )
            title = mr_title(chart, i, v) if mr else point_title(chart, i, v)
            uses.append(use(f, mark, i, v, style, title, chart.period(i)))
        size = diameter * MARKER_SCALE[shape]
        out.append("\n".join([f'<g id="{group}">', defined(mark, shape, size), *uses, "</g>"]))
    return out


def baselines(chart: ChartPlan, f: Frame, prefix: str) -> list[str]:
    """A bar just under the X axis over each phase's baseline: the values its limits are
    computed from."""
    out = []
    for k, phase in enumerate(chart.phases):
        if phase.limits is None or not phase.baseline:
            continue
        x0, x1 = f.x(chart.left(phase.baseline[0])), f.x(chart.right(phase.baseline[-1] + 1))
        y = num(f.bottom + 3)
        bar = path(f"M {num(x0)} {y} L {num(x1)} {y}", bar_style())
        title = (
            f"Baseline: {chart.baselines[k]}, from which the limits from "
            f"{chart.phase_starts[k]} are computed"
        )
        out.append(titled(f"{prefix}baseline-{k}", title, bar))
    return out


def bar_style() -> str:
    return stroke(BASELINE_STYLE["color"], BASELINE_STYLE["lw"], "butt")


def event_marks(chart: ChartPlan, f: Frame, prefix: str, y: float, size: float) -> str:
    """A small triangle at height `y` per period with events, titled with its notes."""
    if not chart.events:
        return ""
    shape = f"{prefix}event"
    style = "fill: currentColor; fill-opacity: 0.75"
    uses = [use_at(f.x(mark.index), y, shape, style, mark.title) for mark in chart.events]
    return "\n".join([f'<g id="{prefix}events">', defined(shape, "^", size), *uses, "</g>"])


def events(chart: ChartPlan, f: Frame, prefix: str) -> list[str]:
    """The event marks just under the X axis, numbered."""
    y, font = f.bottom + 9, chart.layout.font - 0.5
    numbers = [
        label(
            f.x(mark.index) + 4.5,
            baseline(y, font, "center"),
            ",".join(map(str, mark.numbers)),
            font,
            opacity=0.85,
        )
        for mark in chart.events
    ]
    return [event_marks(chart, f, prefix, y, 6), *numbers]


# --- the mR panel --------------------------------------------------------------------------------


def mr_lines(chart: ChartPlan, f: Frame, prefix: str) -> list[str]:
    """Each phase's average (or median) moving range and upper range limit."""
    out = []
    for k, phase in enumerate(chart.phases):
        lim = phase.limits
        if lim is None:
            continue
        x = (chart.left(phase.start), chart.right(phase.end, onward=True))
        spread = "Median" if lim.dispersion == "median" else "Average"
        for name, value, what, dashes in (
            ("avg", lim.average_mr, f"{spread} moving range", None),
            ("url", lim.url, "Upper range limit", LIMIT_LINE["ls"]),
        ):
            line = path(hline(f, x, value), stroke(ink(0.6), 0.9, dashes))
            out.append(titled(f"{prefix}mr-{name}-{k}", f"{what} {chart.limit(value)}", line))
    return out


# --- guides --------------------------------------------------------------------------------------


def round_ticks(chart: ChartPlan, f: Frame, bins: int) -> list[float]:
    """At most `bins` + 1 round values (steps of 1, 2, 2.5 or 5 times a power of ten; whole
    numbers for whole data) within the panel's range, by matplotlib's locator."""
    whole = chart.decimals == 0
    locator = MaxNLocator(nbins=bins, steps=[1, 2, 2.5, 5, 10], integer=whole)
    return [float(t) for t in locator.tick_values(f.y_low, f.y_high) if f.y_low <= t <= f.y_high]


def y_ticks(chart: ChartPlan, f: Frame, title: str) -> list[str]:
    """Ticks at round values at the left, and the panel's title beside them, turned."""
    font = chart.layout.font
    values = round_ticks(chart, f, 5)
    words = [fmt(v, data_decimals(values)) for v in values]
    marks = " ".join(f"M {num(f.left)} {num(f.y(v))} h -{TICK}" for v in values)
    out = [path(marks, f"fill: none; {AXIS}")] if values else []
    right = f.left - TICK - PAD
    out += [
        label(right, baseline(f.y(v), font, "center_baseline"), w, font, "end")
        for v, w in zip(values, words, strict=True)
    ]
    shown = truncate(one_line(title), f.bottom - f.top, font) if title else ""
    if shown:
        widest = max((sum(GLYPH_WIDTHS.get(c, 0.6) for c in w) * font for w in words), default=0.0)
        x = right - widest - LABEL_PAD - 0.24 * font
        y = (f.top + f.bottom) / 2
        turn = f'transform="rotate(-90 {num(x)} {num(y)})"'
        style = f"font-size: {num(font)}px; text-anchor: middle; fill: currentColor"
        out.append(f'<text x="{num(x)}" y="{num(y)}" style="{style}" {turn}>{text(shown)}</text>')
    return out


def x_ticks(chart: ChartPlan, f: Frame) -> list[str]:
    """Calendar ticks under the mR panel: the densest step whose labels fit."""
    periods = chart.analysis.periods
    if not periods:
        return []
    step, ticks = fitting_ticks(chart, periods)
    font = chart.layout.font
    marks = " ".join(f"M {num(f.x(i))} {num(f.bottom)} v {TICK}" for i in ticks)
    below = f.bottom + TICK + PAD + ASCENT * font
    words = [label(f.x(i), below, tick_label(periods[i], step), font, "middle") for i in ticks]
    return [path(marks, f"fill: none; {AXIS}"), *words] if ticks else []


def right_labels(chart: ChartPlan, f: Frame, labels: Sequence[MarginLabel]) -> list[str]:
    """The current phase's limits (and a target line reaching the end) named at the right,
    spread apart where two would overlap."""
    font = chart.layout.font
    line = font + 2
    centres = spread_labels(
        [-f.y(m.value) for m in labels],
        [line * m.lines for m in labels],
        -(f.bottom + 6),
        -(f.top - 6),
    )
    out = []
    pitch = font * 1.2
    for margin, centre in zip(labels, centres, strict=True):
        first = -centre - (margin.lines - 1) * pitch / 2
        fill, opacity = (TARGET_COLOUR, None) if margin.target else ("currentColor", 0.85)
        for j, words in enumerate(margin.text.split("\n")):
            at = baseline(first + j * pitch, font, "center")
            out.append(label(f.right + 5, at, words, font, "start", fill, opacity))
    return out


def spines(f: Frame) -> str:
    corner = f"{num(f.left)} {num(f.bottom)}"
    d = f"M {num(f.left)} {num(f.top)} L {corner} L {num(f.right)} {num(f.bottom)}"
    return path(d, f"fill: none; {AXIS}; stroke-linejoin: miter; stroke-linecap: square")


def legend(chart: ChartPlan, g: Geometry) -> list[str]:
    lay = chart.layout
    out = []
    for r, row in enumerate(g.legend):
        y = g.height - ((len(g.legend) - r - 0.5) * lay.legend_row + 2)
        x = 8.0
        for item in row:
            out.append(glyph(item, x, y))
            out.append(
                label(x + 24, baseline(y, lay.font, "center"), item.label, lay.font, opacity=0.85)
            )
            x += item.width(lay.font)
    return out


def glyph(item: LegendItem, x: float, y: float) -> str:
    """A legend entry's sample, 20 points wide, centred on y."""
    style = item.style
    if item.kind == "line":
        return path(f"M {num(x)} {num(y)} L {num(x + 20)} {num(y)}", line_style(style))
    if item.kind == "shade":
        rect = f'x="{num(x)}" y="{num(y - 4)}" width="20" height="8"'
        return f'<rect {rect} style="fill: currentColor; fill-opacity: 0.1"/>'
    if item.kind == "bar":
        return path(f"M {num(x)} {num(y)} L {num(x + 20)} {num(y)}", bar_style())
    marker = str(style.get("marker", "o"))
    size = float(str(style.get("ms", 6)))
    edge, face = style.get("color"), style.get("mfc", style.get("color"))
    edge_width = float(str(style.get("mew", 1.0)))
    at = f"translate({num(x + 10)} {num(y)})"
    paint = mark_paint(face, edge, edge_width)
    return f'<path d="{shape_path(marker, size)}" transform="{at}" style="{paint}"/>'


def mark_paint(face: object, edge: object, width: float) -> str:
    def paint(colour: object, what: str) -> str:
        if isinstance(colour, tuple):
            return f"{what}: currentColor; {what}-opacity: {num(colour[3])}"
        if colour == BACKGROUND:
            return f"{what}: {PAGE_BACKGROUND}"
        return f"{what}: {svg_colour(str(colour))}"

    fill = "fill: none" if face == "none" else paint(face, "fill")
    if not width:
        return fill
    return f"{fill}; {paint(edge, 'stroke')}; stroke-width: {num(width)}"


# --- the chart -----------------------------------------------------------------------------------


def render_full(measure: Measure, analysis: MeasureAnalysis, *, description: str) -> str:
    """The XmR chart of `measure` as an inline SVG fragment: no prolog, no blank line, ids
    prefixed by the measure, a `<title>` and `<desc>` (what the chart shows, then the reading
    `description`) and a hover title on every mark. Identical input gives identical bytes."""
    chart = plan_chart(measure, analysis, "full")
    prefix = id_prefix(measure.id, "full")
    g = geometry(chart)
    diameter, width = mark_sizes(chart)
    values = [(i, v) for i, v in enumerate(chart.values) if v is not None]
    ranges = [(i, r) for i, r in enumerate(chart.analysis.xmr.moving_ranges) if r is not None]
    head = (
        f'<svg xmlns="{SVG_NS}" viewBox="0 0 {num(g.width)} {num(g.height)}" '
        'class="pumpsite-chart pumpsite-chart-full" role="img" '
        f'aria-labelledby="{prefix}title {prefix}desc" style="{ROOT_STYLE}">'
    )
    value_style, range_style = stroke(VALUE_COLOUR, width), stroke(VALUE_COLOUR, width * 0.8)
    body = [
        head,
        f'<title id="{prefix}title">{text(measure.title)}</title>',
        f'<desc id="{prefix}desc">{text(chart_description(chart, description))}</desc>',
        *key_result_shades(chart, g.x, prefix),
        *key_result_labels(chart, g.x),
        *phases(chart, g.x, prefix, "x"),
        *phase_labels(chart, g.x, prefix),
        *y_ticks(chart, g.x, chart.measure.meta.unit),
        *limits(chart, g.x, prefix),
        *trial_notes(chart, g.x),
        *baselines(chart, g.x, prefix),
        *targets(chart, g.x, prefix),
        *target_labels(chart, g.x),
        spines(g.x),
        value_line(g.x, chart.values, f"{prefix}x-line", value_style),
        *right_labels(chart, g.x, x_labels(chart)),
        points(chart, g.x, prefix, "x", values),
        *signals(chart, g.x, prefix, "x", values, diameter * 1.5),
        *events(chart, g.x, prefix),
        *phases(chart, g.mr, prefix, "mr"),
        *x_ticks(chart, g.mr),
        *y_ticks(chart, g.mr, "Moving range"),
        *mr_lines(chart, g.mr, prefix),
        spines(g.mr),
        value_line(g.mr, chart.analysis.xmr.moving_ranges, f"{prefix}mr-line", range_style),
        *right_labels(chart, g.mr, mr_labels(chart)),
        points(chart, g.mr, prefix, "mr", ranges),
        *signals(chart, g.mr, prefix, "mr", ranges, diameter * 1.2),
        *legend(chart, g),
        "</svg>",
    ]
    return "\n".join(part for part in body if part)
