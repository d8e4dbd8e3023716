"""The small chart of overview cards: the X panel of the full chart, drawn with its pieces
(`chart.full`) from the same chart plan, so the two cannot disagree — the same window of values,
phases, limits, targets, signals, shapes, colours, ids and hover titles — on a compact frame
with only the first and the last period named and no notes, moving ranges or legend.

Written as SVG by hand, not drawn by matplotlib: a goal page shows a card per measure, and a
figure cost tens of milliseconds of fixed work where this costs about one
(docs/decisions.md).
"""

from __future__ import annotations

from pumpsite.analysis.measure import MeasureAnalysis
from pumpsite.analysis.reading import ATTACHED_UNITS, with_unit
from pumpsite.model import Measure
from pumpsite.numbers import data_decimals, fmt
from pumpsite.render.chart.full import (
    AXIS,
    PAD,
    ROOT_STYLE,
    TICK,
    baselines,
    event_marks,
    key_result_shades,
    limits,
    phases,
    points,
    right_labels,
    round_ticks,
    signals,
    spines,
    stroke,
    targets,
    value_line,
)
from pumpsite.render.chart.marks import ASCENT, Frame, baseline, label, num, path, text
from pumpsite.render.chart.plan import (
    VALUE_COLOUR,
    ChartPlan,
    mark_sizes,
    plan_chart,
    x_labels,
    x_range,
)
from pumpsite.render.chart.svg import SVG_NS, id_prefix
from pumpsite.render.chart.text import chart_description

EVENT_SIZE = 4.5


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
    values = round_ticks(chart, f, 3)
    unit = chart.unit.strip() if chart.unit.strip() in ATTACHED_UNITS else ""
    for value in values:
        at = f.y(value)
        marks.append(f"M {num(f.left)} {num(at)} h -{TICK}")
        words = with_unit(fmt(value, data_decimals(values)), unit)
        labels.append(
            label(f.left - TICK - PAD, baseline(at, font, "center_baseline"), words, font, "end")
        )
    return [path(" ".join(marks), f"fill: none; {AXIS}"), *labels] if marks else []


def render_small(measure: Measure, analysis: MeasureAnalysis, *, description: str) -> str:
    """The small chart of `measure` as an inline SVG fragment, as `draw.render_chart` gives
    the full one: no prolog, no blank line, ids prefixed, a `<title>` and `<desc>` (the reading
    `description` after what the chart shows) and a hover title on every mark."""
    chart = plan_chart(measure, analysis, "small")
    prefix = id_prefix(measure.id, "small")
    f = frame(chart)
    diameter, width = mark_sizes(chart)
    values = [(i, v) for i, v in enumerate(chart.values) if v is not None]
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
        *key_result_shades(chart, f, prefix),
        *ticks(chart, f),
        *phases(chart, f, prefix, "x"),
        *limits(chart, f, prefix),
        *baselines(chart, f, prefix),
        *targets(chart, f, prefix),
        spines(f),
        value_line(f, chart.values, f"{prefix}x-line", stroke(VALUE_COLOUR, width)),
        *right_labels(chart, f, [margin for margin in x_labels(chart) if margin.target]),
        points(chart, f, prefix, "x", values),
        *signals(chart, f, prefix, "x", values, diameter * 1.5),
        event_marks(chart, f, prefix, f.bottom - 4, EVENT_SIZE),
        "</svg>",
    ]
    return "\n".join(part for part in body if part)
