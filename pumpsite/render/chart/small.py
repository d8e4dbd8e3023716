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

import math
from dataclasses import dataclass
from html import escape

from matplotlib.ticker import MaxNLocator

from pumpsite.analysis.measure import MeasureAnalysis
from pumpsite.analysis.reading import ATTACHED_UNITS, with_unit
from pumpsite.model import Measure
from pumpsite.numbers import data_decimals, fmt
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


def num(value: float) -> str:
    """A coordinate to two decimals, as short as it goes."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


@dataclass(frozen=True, slots=True)
class Frame:
    """Data to points: the plot's box in the view box and the data range it shows."""

    left: float
    right: float
    top: float
    bottom: float
    x_low: float
    x_high: float
    y_low: float
    y_high: float

    def x(self, index: float) -> float:
        return self.left + (index - self.x_low) / (self.x_high - self.x_low) * (
            self.right - self.left
        )

    def y(self, value: float) -> float:
        share = (value - self.y_low) / (self.y_high - self.y_low)
        return self.bottom - share * (self.bottom - self.top)


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


def dashes(pattern: tuple[int, tuple[float, ...]], width: float) -> str:
    """A matplotlib dash pattern as SVG draws it: scaled by the line's width."""
    return ",".join(num(length * width) for length in pattern[1])


def hline(f: Frame, x: tuple[float, float], y: float) -> str:
    return f"M {num(f.x(x[0]))} {num(f.y(y))} L {num(f.x(x[1]))} {num(f.y(y))}"


def titled(gid: str, title: str, body: str) -> str:
    return f'<g id="{gid}">\n<title>{text(title)}</title>\n{body}\n</g>'


def text(words: str) -> str:
    return escape(one_line(words), quote=False)


def path(d: str, style: str) -> str:
    return f'<path d="{d}" style="{style}"/>'


# --- marks ---------------------------------------------------------------------------------------


def shape_path(marker: str, size: float) -> str:
    """A marker's outline centred on 0 0, `size` points across as matplotlib sizes it."""
    half = size / 2
    if marker == "o":  # four Bézier quarters, as matplotlib writes a circle
        k = half * 0.5523
        return (
            f"M 0 {num(half)} C {num(k)} {num(half)} {num(half)} {num(k)} {num(half)} 0 "
            f"C {num(half)} {num(-k)} {num(k)} {num(-half)} 0 {num(-half)} "
            f"C {num(-k)} {num(-half)} {num(-half)} {num(-k)} {num(-half)} 0 "
            f"C {num(-half)} {num(k)} {num(-k)} {num(half)} 0 {num(half)} z"
        )
    if marker == "D":
        r = half * math.sqrt(2)
        return polygon([(0, r), (r, 0), (0, -r), (-r, 0)])
    if marker == "s":
        return polygon([(-half, half), (half, half), (half, -half), (-half, -half)])
    if marker == "^":
        return polygon([(0, -half), (-half, half), (half, half)])
    turns = [math.radians(90 + 72 * k) for k in range(5)]  # "p": a pentagon, a corner up
    return polygon([(half * math.cos(t), -half * math.sin(t)) for t in turns])


def polygon(corners: list[tuple[float, float]]) -> str:
    return "M " + " L ".join(f"{num(x)} {num(y)}" for x, y in corners) + " z"


def use(
    f: Frame, shape_id: str, index: float, value: float, style: str, title: str, period: str = ""
) -> str:
    extra = f' data-period="{period}"' if period else ""
    return (
        f'<use x="{num(f.x(index))}" y="{num(f.y(value))}" style="{style}" '
        f'href="#{shape_id}"{extra}><title>{text(title)}</title>\n</use>'
    )


def use_at(x: float, y: float, shape_id: str, style: str, title: str) -> str:
    return (
        f'<use x="{num(x)}" y="{num(y)}" style="{style}" href="#{shape_id}">'
        f"<title>{text(title)}</title>\n</use>"
    )


def defined(shape_id: str, marker: str, size: float) -> str:
    return f'<defs>\n<path id="{shape_id}" d="{shape_path(marker, size)}"/>\n</defs>'


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
        below = num(f.bottom + TICK + PAD + 0.76 * font)
        labels.append(_label(x, below, periods[i].label, font, anchor))
    whole = chart.decimals == 0
    locator = MaxNLocator(nbins=3, steps=[1, 2, 2.5, 5, 10], integer=whole)
    values = [float(t) for t in locator.tick_values(f.y_low, f.y_high) if f.y_low <= t <= f.y_high]
    unit = chart.unit.strip() if chart.unit.strip() in ATTACHED_UNITS else ""
    for value in values:
        at = f.y(value)
        marks.append(f"M {num(f.left)} {num(at)} h -{TICK}")
        words = with_unit(fmt(value, data_decimals(values)), unit)
        labels.append(_label(num(f.left - TICK - PAD), num(at + 0.38 * font), words, font, "end"))
    return [path(" ".join(marks), f"fill: none; {AXIS}"), *labels] if marks else []


def _label(x: str, y: str, words: str, font: float, anchor: str, fill: str = "currentColor") -> str:
    style = f"font-size: {num(font)}px; text-anchor: {anchor}; fill: {fill}"
    return f'<text x="{x}" y="{y}" style="{style}">{text(words)}</text>'


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
    for label, centre in zip(shown, centres, strict=True):
        first = -centre - pitch * label.lines / 2 + pitch / 2 + 0.35 * font
        for j, line in enumerate(label.text.split("\n")):
            y = num(first + j * pitch)
            out.append(_label(num(f.right + 5), y, line, font, "start", TARGET_COLOUR))
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
