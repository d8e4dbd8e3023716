"""Sparklines: a glance at an XmR chart for summary tables and small multiples, drawn as a few
lines of inline SVG without matplotlib, from the same chart plan as the small chart
(`plan.plan_chart`), so the two cannot disagree: the same window of values, the same phases
and limits, the same targets and signals.

`spark_lines` says what is drawn, in data units (a test compares it with the analysis);
`spark_svg` draws it on one line, every colour a constant of the plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

from pumpsite.analysis.signals import Effect
from pumpsite.render.chart.plan import (
    EFFECT_COLOURS,
    OPEN_EFFECTS,
    PAGE_BACKGROUND,
    TARGET_COLOUR,
    VALUE_COLOUR,
    ChartPlan,
    one_line,
    svg_colour,
)

WIDTH, HEIGHT, PAD = 120.0, 32.0, 3.0
"""The sparkline's view box and the room kept round the plot (the latest value's mark)."""
EFFECT_ORDER: tuple[Effect, ...] = ("concern", "improvement", "neutral")
"""When signals of several effects flag one value, the mark takes the first of these."""


@dataclass(frozen=True, slots=True)
class Level:
    """A phase's central line and limits over the indices [start, end); None without limits."""

    start: int
    end: int
    center: float
    lower: float  # the natural process limit, or the boundary in its place
    upper: float


@dataclass(frozen=True, slots=True)
class SparkLines:
    """Everything a sparkline draws, in data units and chart indices."""

    values: tuple[float | None, ...]
    levels: tuple[Level, ...]
    targets: tuple[Level, ...]  # center = the target; lower = upper = the target
    signals: tuple[tuple[int, Effect], ...]  # each flagged value of the X chart, by index
    latest: int | None  # the index of the last value that is not missing


def _effect(effects: Iterable[Effect]) -> Effect:
    found = set(effects)
    return next(e for e in EFFECT_ORDER if e in found)


def _targets(plan: ChartPlan) -> tuple[Level, ...]:
    """The plan's targets; a key result whose quarter has no value yet has its target drawn
    over the current phase, the limits it is judged against."""
    targets = [Level(t.span.start, t.span.end, t.value, t.value, t.value) for t in plan.targets]
    role, n = plan.analysis.role, plan.n
    drawn = any(t.end >= n for t in targets)
    if role and role.role == "improve" and role.target is not None and n and not drawn:
        start = plan.phases[-1].start if plan.phases else 0
        targets.append(Level(start, n, role.target, role.target, role.target))
    return tuple(targets)


def spark_lines(plan: ChartPlan) -> SparkLines:
    values = plan.values
    levels = tuple(
        Level(p.start, p.end, p.limits.center, p.limits.lower_line, p.limits.upper_line)
        for p in plan.phases
        if p.limits is not None
    )
    return SparkLines(
        values=values,
        levels=levels,
        targets=_targets(plan),
        signals=tuple(
            (i, _effect(s.effect for s in flags)) for i, flags in enumerate(plan.x_signals) if flags
        ),
        latest=next((i for i in reversed(range(len(values))) if values[i] is not None), None),
    )


@dataclass(frozen=True, slots=True)
class _Scale:
    low: float
    high: float
    n: int

    def x(self, index: float) -> str:
        room = WIDTH - 2 * PAD
        return _num(PAD + room * (index + 0.5) / max(self.n, 1))

    def y(self, value: float) -> str:
        span = self.high - self.low or 1.0
        return _num(HEIGHT - PAD - (HEIGHT - 2 * PAD) * (value - self.low) / span)


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _scale(lines: SparkLines) -> _Scale:
    numbers = [v for v in lines.values if v is not None]
    for level in (*lines.levels, *lines.targets):
        numbers += [level.lower, level.upper]
    low, high = (min(numbers), max(numbers)) if numbers else (0.0, 1.0)
    pad = (high - low) * 0.04 or abs(high) * 0.1 or 1.0
    return _Scale(low - pad, high + pad, len(lines.values))


def _hline(s: _Scale, start: int, end: int, value: float, style: str) -> str:
    y = s.y(value)
    return f'<line x1="{s.x(start - 0.5)}" y1="{y}" x2="{s.x(end - 0.5)}" y2="{y}" {style}/>'


def _runs(values: Sequence[float | None]) -> list[list[int]]:
    """The indices of each run of values without a gap."""
    runs: list[list[int]] = [[]]
    for i, value in enumerate(values):
        if value is None:
            runs.append([])
        else:
            runs[-1].append(i)
    return [run for run in runs if run]


def _polylines(s: _Scale, values: Sequence[float | None]) -> list[str]:
    style = f'fill="none" stroke="{VALUE_COLOUR}" stroke-width="1"'
    marks = []
    for run in _runs(values):
        points = " ".join(f"{s.x(i)},{s.y(values[i] or 0.0)}" for i in run)
        marks.append(f'<polyline points="{points}" {style}/>')
    return marks


def _signal_dot(s: _Scale, i: int, value: float, effect: Effect) -> str:
    """A signal's dot in its effect's colour: a concern open (an outline round the page's
    background, which hides the line), the others filled."""
    colour = svg_colour(EFFECT_COLOURS[effect])
    if effect in OPEN_EFFECTS:
        paint = f'r="1.7" style="fill:{PAGE_BACKGROUND}" stroke="{colour}" stroke-width="1"'
    else:
        paint = f'r="1.6" fill="{colour}"'
    return f'<circle cx="{s.x(i)}" cy="{s.y(value)}" {paint}/>'


def _marks(lines: SparkLines) -> list[str]:
    s = _scale(lines)
    limit = 'stroke="currentColor" stroke-width="0.6" stroke-dasharray="2 1.5" opacity="0.7"'
    centre = 'stroke="currentColor" stroke-width="0.7" opacity="0.8"'
    target = f'stroke="{TARGET_COLOUR}" stroke-width="1.2" stroke-dasharray="4 2"'
    marks = []
    for level in lines.levels:
        marks += [
            _hline(s, level.start, level.end, level.upper, limit),
            _hline(s, level.start, level.end, level.lower, limit),
            _hline(s, level.start, level.end, level.center, centre),
        ]
    marks += [_hline(s, t.start, t.end, t.center, target) for t in lines.targets]
    marks += _polylines(s, lines.values)
    for i, effect in lines.signals:
        marks.append(_signal_dot(s, i, lines.values[i] or 0.0, effect))
    if lines.latest is not None:
        value = lines.values[lines.latest] or 0.0
        ring = 'fill="none" stroke="currentColor" stroke-width="0.9"'
        marks.append(f'<circle cx="{s.x(lines.latest)}" cy="{s.y(value)}" r="2.6" {ring}/>')
    return marks


def spark_svg(plan: ChartPlan, label: str) -> str:
    """The sparkline as inline SVG on one line, named by `label` (plain text, escaped here)
    for screen readers. Its text is all in attributes (no `<title>`): a theme other than
    Material gets charts through Markdown, which would work on text between tags (glossary
    tooltips); the page gives the hover title on the chart's wrapper."""
    text = escape(one_line(label), quote=True)
    head = (
        f'<svg class="pumpsite-spark" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {_num(WIDTH)} {_num(HEIGHT)}" role="img" aria-label="{text}">'
    )
    return head + "".join(_marks(spark_lines(plan))) + "</svg>"
