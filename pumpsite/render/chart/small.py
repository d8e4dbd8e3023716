"""The small chart of overview cards, drawn as SVG by hand from the same chart plan as the full
chart (`plan.plan_chart`), so the two cannot disagree: the same window of values, phases,
limits, targets, signals, shapes, colours and hover titles.

Why by hand: a goal page shows a card per measure, so a build draws a small chart for nearly
every measure, and a matplotlib figure costs tens of milliseconds of fixed work (a figure, axes,
their ticks and an SVG pass over all of it) where this string costs well under one
(docs/decisions.md). It draws what the matplotlib small chart drew, in the same places (points
in the layout's geometry), with the same ids; the y ticks come from matplotlib's tick locator.
"""

from __future__ import annotations

from matplotlib.ticker import MaxNLocator

from pumpsite.analysis.measure import MeasureAnalysis
from pumpsite.analysis.reading import ATTACHED_UNITS, with_unit
from pumpsite.model import Measure
from pumpsite.numbers import data_decimals, fmt
from pumpsite.render.chart.marks import (
    ASCENT,
    Frame,
    dashes,
    defined,
    hline,
    label,
    num,
    path,
    text,
    titled,
    use,
    use_at,
)
from pumpsite.render.chart.plan import (
    DASH_DOT,
    DASHED,
    DOTTED,
    MARKER_SCALE,
    PAGE_BACKGROUND,
    TARGET_COLOUR,
    VALUE_COLOUR,
    ChartPlan,
    colour_of,
    is_open,
    line_title,
    mark_sizes,
    marker_of,
    one_line,
    open_outline,
    plan_chart,
    point_title,
    spread_labels,
    svg_colour,
    x_labels,
    x_range,
)
from pumpsite.render.chart.svg import SVG_NS, id_prefix
from pumpsite.render.chart.text import chart_description

SHAPE_NAMES = {"D": "limit", "p": "trend", "^": "near", "s": "run"}
"""The group of each signal shape, as the full chart names it (`x-signal-limit`, …)."""
AXIS = "stroke: currentColor; stroke-opacity: 0.45; stroke-width: 0.6"
TICK = 2.5  # tick length, points
PAD = 2.0  # between a tick and its label
EVENT_SIZE = 4.5
ROOT_STYLE = (
    "font-family: var(--md-text-font-family, sans-serif); "
    "stroke-linejoin: round; stroke-linecap: butt"
)


def frame(chart: ChartPlan) -> Frame:
    lay = chart.layout
    low, high = x_range(chart)
    return Frame(
        lay.left,
        lay.width - lay.right,
        lay.top,
        lay.height - lay.bottom,
        -0.8,
        chart.x_end,
        low,
        high,
    )


# --- the drawing ---------------------------------------------------------------------------------


def key_results(chart: ChartPlan, f: Frame, prefix: str) -> list[str]:
    out = []
    for k, (span, _) in enumerate(chart.key_results):
        x0, x1 = f.x(chart.left(span.start)), f.x(chart.right(span.end, onward=True))
        rect = (
            f'<rect x="{num(x0)}" y="{num(f.top)}" width="{num(x1 - x0)}" '
            f'height="{num(f.bottom - f.top)}" style="fill: currentColor; fill-opacity: 0.06"/>'
        )
        out.append(f'<g id="{prefix}key-result-{k}">\n{rect}\n</g>')
    return out


def ticks(chart: ChartPlan, f: Frame) -> list[str]:
    """The first and the last period under the axis, the y ticks at its left, as the full
    chart's ticks (a unit only where it is attached to the number, as "%")."""
    font = chart.layout.font
    periods = chart.analysis.periods
    marks, labels = [], []
    x_ticks = sorted({0, len(periods) - 1}) if periods else []
    anchors = ["start", "end"] if len(x_ticks) == 2 else ["middle"]
    for i, anchor in zip(x_ticks, anchors, strict=False):
        x = num(f.x(i))
        marks.append(f"M {x} {num(f.bottom)} v {TICK}")
        below = f.bottom + TICK + PAD + ASCENT * font
        labels.append(label(f.x(i), below, periods[i].label, font, anchor))
    whole = chart.decimals == 0
    locator = MaxNLocator(nbins=3, steps=[1, 2, 2.5, 5, 10], integer=whole)
    values = [float(t) for t in locator.tick_values(f.y_low, f.y_high) if f.y_low <= t <= f.y_high]
    unit = chart.unit.strip() if chart.unit.strip() in ATTACHED_UNITS else ""
    for value in values:
        at = f.y(value)
        marks.append(f"M {num(f.left)} {num(at)} h -{TICK}")
        words = with_unit(fmt(value, data_decimals(values)), unit)
        labels.append(label(f.left - TICK - PAD, at + 0.38 * font, words, font, "end"))
    return [path(" ".join(marks), f"fill: none; {AXIS}"), *labels] if marks else []


def phases(chart: ChartPlan, f: Frame, prefix: str) -> list[str]:
    out = []
    for k, phase in enumerate(chart.phases):
        if k == 0:
            continue
        number = chart.phase_number(k)
        head = f"{number}. " if number else ""
        title = f"{head}New phase from {chart.period(phase.start)}: {one_line(phase.reason or '')}"
        x = num(f.x(phase.start - 0.5))
        d = f"M {x} {num(f.top)} L {x} {num(f.bottom)}"
        line = path(d, "fill: none; stroke: currentColor; stroke-opacity: 0.45; stroke-width: 0.7")
        out.append(titled(f"{prefix}x-phase-{k}", title, line))
    return out


def limits(chart: ChartPlan, f: Frame, prefix: str) -> list[str]:
    """Per phase with limits: the central line and the limits, each over that phase, titled
    as on the full chart."""
    out = []
    for k, phase in enumerate(chart.phases):
        lim = phase.limits
        if lim is None:
            continue
        x = (chart.left(phase.start), chart.right(phase.end, onward=True))
        kind = "trial limit" if lim.trial else "natural process limit"
        since = f"(phase from {chart.phase_starts[k]})"
        pattern = DOTTED if lim.trial else DASHED
        limit_style = (
            f"fill: none; stroke-dasharray: {dashes(pattern, 0.9)}; stroke: currentColor; "
            "stroke-opacity: 0.6; stroke-width: 0.9"
        )
        central = "fill: none; stroke: currentColor; stroke-opacity: 0.8; stroke-linecap: round"
        for name, value, title, style in (
            ("cl", lim.center, f"Central line {chart.limit(lim.center)}", central),
            (
                "unpl",
                lim.upper_line,
                line_title(chart, f"Upper {kind}", lim.unpl, lim.upper_boundary),
                limit_style,
            ),
            (
                "lnpl",
                lim.lower_line,
                line_title(chart, f"Lower {kind}", lim.lnpl, lim.lower_boundary),
                limit_style,
            ),
        ):
            out.append(
                titled(f"{prefix}x-{name}-{k}", f"{title} {since}", path(hline(f, x, value), style))
            )
    return out


def baselines(chart: ChartPlan, f: Frame, prefix: str) -> list[str]:
    """A bar just under the axis over each phase's baseline."""
    out = []
    style = "fill: none; stroke: currentColor; stroke-opacity: 0.3; stroke-width: 3"
    for k, phase in enumerate(chart.phases):
        if phase.limits is None or not phase.baseline:
            continue
        x0, x1 = f.x(chart.left(phase.baseline[0])), f.x(chart.right(phase.baseline[-1] + 1))
        y = num(f.bottom + 3)
        title = (
            f"Baseline: {chart.baselines[k]}, from which the limits from "
            f"{chart.phase_starts[k]} are computed"
        )
        out.append(
            titled(f"{prefix}baseline-{k}", title, path(f"M {num(x0)} {y} L {num(x1)} {y}", style))
        )
    return out


def targets(chart: ChartPlan, f: Frame, prefix: str) -> list[str]:
    style = (
        f"fill: none; stroke-dasharray: {dashes(DASH_DOT, 1.4)}; stroke: {TARGET_COLOUR}; "
        "stroke-width: 1.4"
    )
    out = []
    for k, target in enumerate(chart.targets):
        x = (chart.left(target.span.start), chart.right(target.span.end, onward=True))
        out.append(
            titled(f"{prefix}target-{k}", target.label, path(hline(f, x, target.value), style))
        )
    return out


def spines(f: Frame) -> str:
    corner = f"{num(f.left)} {num(f.bottom)}"
    d = f"M {num(f.left)} {num(f.top)} L {corner} L {num(f.right)} {num(f.bottom)}"
    return path(d, f"fill: none; {AXIS}; stroke-linejoin: miter; stroke-linecap: square")


def value_line(chart: ChartPlan, f: Frame, prefix: str, width: float) -> str:
    """The values as one line, broken where a value is missing."""
    parts, pen = [], "M"
    for i, value in enumerate(chart.values):
        if value is None:
            pen = "M"
            continue
        parts.append(f"{pen} {num(f.x(i))} {num(f.y(value))}")
        pen = "L"
    style = f"fill: none; stroke: {VALUE_COLOUR}; stroke-width: {num(width)}; stroke-linecap: round"
    body = path(" ".join(parts), style) if parts else ""
    return f'<g id="{prefix}x-line">\n{body}\n</g>' if body else ""


def target_labels(chart: ChartPlan, f: Frame) -> list[str]:
    """A target in force at the latest value, named in the right margin, as on the full chart
    (spread apart where two would overlap)."""
    font = chart.layout.font
    shown = [label for label in x_labels(chart) if label.target]
    pitch = font * 1.2
    wanted = [f.y(label.value) for label in shown]
    centres = spread_labels(
        [-y for y in wanted],
        [pitch * label.lines for label in shown],
        -(f.bottom + 6),
        -(f.top - 6),
    )
    out = []
    for margin, centre in zip(shown, centres, strict=True):
        first = -centre - pitch * margin.lines / 2 + pitch / 2 + 0.35 * font
        for j, line in enumerate(margin.text.split("\n")):
            out.append(label(f.right + 5, first + j * pitch, line, font, "start", TARGET_COLOUR))
    return out


def points(chart: ChartPlan, f: Frame, prefix: str, diameter: float, width: float) -> str:
    """Routine values as small dots, hollow where excluded from the limits."""
    plain = [(i, v) for i, v in enumerate(chart.values) if v is not None and not chart.x_signals[i]]
    if not plain:
        return ""
    dot = f"{prefix}dot"
    stroke = f"stroke: {VALUE_COLOUR}; stroke-width: {num(max(width * 0.8, 0.8))}"
    excluded = chart.analysis.xmr.excluded
    uses = [
        use(
            f,
            dot,
            i,
            v,
            f"fill: {'none' if i in excluded else VALUE_COLOUR}; {stroke}",
            point_title(chart, i, v),
            chart.period(i),
        )
        for i, v in plain
    ]
    return "\n".join([f'<g id="{prefix}x-points">', defined(dot, "o", diameter), *uses, "</g>"])


def signals(chart: ChartPlan, f: Frame, prefix: str, diameter: float) -> list[str]:
    """Signal points, one group per shape in the order they first appear, each in its
    effect's colour: a concern open (an outline round the page's background), others filled."""
    flagged = [(i, v) for i, v in enumerate(chart.values) if v is not None and chart.x_signals[i]]
    outline = num(open_outline(diameter))
    out = []
    for shape in dict.fromkeys(marker_of(chart.x_signals[i]) for i, _ in flagged):
        name = SHAPE_NAMES[shape]
        shape_id = f"{prefix}{name}"
        uses = []
        for i, v in flagged:
            found = chart.x_signals[i]
            if marker_of(found) != shape:
                continue
            colour = svg_colour(colour_of(found))
            style = (
                f"fill: {PAGE_BACKGROUND}; stroke: {colour}; stroke-width: {outline}"
                if is_open(found)
                else f"fill: {colour}"
            )
            uses.append(use(f, shape_id, i, v, style, point_title(chart, i, v), chart.period(i)))
        size = diameter * MARKER_SCALE[shape]
        group = [f'<g id="{prefix}x-signal-{name}">', defined(shape_id, shape, size), *uses, "</g>"]
        out.append("\n".join(group))
    return out


def events(chart: ChartPlan, f: Frame, prefix: str) -> str:
    """A small triangle per period with events, just above the axis, titled with its notes."""
    if not chart.events:
        return ""
    shape_id = f"{prefix}event"
    style = "fill: currentColor; fill-opacity: 0.75"
    y = f.bottom - 4
    uses = [use_at(f.x(mark.index), y, shape_id, style, mark.title) for mark in chart.events]
    return "\n".join(
        [f'<g id="{prefix}events">', defined(shape_id, "^", EVENT_SIZE), *uses, "</g>"]
    )


def render_small(measure: Measure, analysis: MeasureAnalysis, *, description: str) -> str:
    """The small chart of `measure` as an inline SVG fragment, as `draw.render_chart` gives
    the full one: no prolog, no blank line, ids prefixed, a `<title>` and `<desc>` (the reading
    `description` after what the chart shows) and a hover title on every mark."""
    chart = plan_chart(measure, analysis, "small")
    prefix = id_prefix(measure.id, "small")
    f = frame(chart)
    diameter, width = mark_sizes(chart)
    lay = chart.layout
    head = (
        f'<svg xmlns="{SVG_NS}" viewBox="0 0 {num(lay.width)} {num(lay.height)}" '
        'class="pumpsite-chart pumpsite-chart-small" role="img" '
        f'aria-labelledby="{prefix}title {prefix}desc" style="{ROOT_STYLE}">'
    )
    body = [
        head,
        f'<title id="{prefix}title">{text(measure.title)}</title>',
        f'<desc id="{prefix}desc">{text(chart_description(chart, description))}</desc>',
        *key_results(chart, f, prefix),
        *ticks(chart, f),
        *phases(chart, f, prefix),
        *limits(chart, f, prefix),
        *baselines(chart, f, prefix),
        *targets(chart, f, prefix),
        spines(f),
        value_line(chart, f, prefix, width),
        *target_labels(chart, f),
        points(chart, f, prefix, diameter, width),
        *signals(chart, f, prefix, diameter * 1.5),
        events(chart, f, prefix),
        "</svg>",
    ]
    return "\n".join(part for part in body if part)
