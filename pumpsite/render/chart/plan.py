"""What an XmR chart shows, worked out before anything is drawn: the palette, the fixed
geometry, the spans of key-result roles, targets, numbered events, which signals sit on which
point, and the words of every label and hover title. Pure, and no matplotlib.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from pumpsite.analysis.measure import MeasureAnalysis
from pumpsite.analysis.reading import with_unit
from pumpsite.analysis.signals import Effect, Signal, signal_name
from pumpsite.analysis.xmr import Phase
from pumpsite.model import Measure
from pumpsite.numbers import data_decimals, display_decimals, fmt
from pumpsite.periods import Period
from pumpsite.schema import Event, Role
from pumpsite.vocabulary import ChartSize

Colour = str | tuple[float, float, float, float]

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
DASHED = (0, (4, 3))
DOTTED = (0, (1, 2))
DASH_DOT = (0, (6, 2, 1.5, 2))
CHAR_WIDTH = 0.6
"""Average glyph width in em, on the generous side: labels are placed before the page's font is
known, and a narrower font only leaves a little more room."""

# --- layout ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Layout:
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


LAYOUTS: dict[ChartSize, Layout] = {
    "full": Layout(560, 356, 56, 100, 24, 30, 28, 0.3, font=10, legend_row=17),
    "small": Layout(400, 140, 34, 14, 8, 18, 0, 0.0, font=10, legend_row=0),
}
LATEST_VALUES = 250
"""A chart draws at most the latest this-many values, each with its hover title, so a page
stays of bounded size however long the series (a measure page of any length under 300 KB):
five years of weekly values, twenty of monthly ones, each with over a point and a half of
width. Limits, phases and signals are those of the whole series."""
WINDOW: dict[ChartSize, int] = {"full": LATEST_VALUES, "small": 100}
"""The small chart of overview pages is a glance, and a page may hold many: the latest 100."""

# --- what to draw ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Span:
    """The indices [start, end) of the chart that a role covers."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Target:
    span: Span
    value: float
    label: str


@dataclass(frozen=True, slots=True)
class EventMark:
    index: int
    numbers: tuple[int, ...]
    title: str


@dataclass(slots=True)
class Marks:
    """Hover titles (and attributes) for the marks of matplotlib groups, applied in order."""

    titles: dict[str, list[str]] = field(default_factory=dict)
    attrs: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    group_titles: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ChartPlan:
    """Everything the drawing needs, worked out once from the measure and its analysis."""

    measure: Measure
    analysis: MeasureAnalysis
    full: bool
    layout: Layout
    decimals: int  # of the data
    limit_decimals: int
    x_signals: tuple[tuple[Signal, ...], ...]  # per index: the signals on the value
    mr_signals: tuple[tuple[Signal, ...], ...]  # per index: the signals on the moving range
    targets: tuple[Target, ...]
    key_results: tuple[tuple[Span, Role], ...]
    events: tuple[EventMark, ...]
    phase_starts: tuple[str, ...]  # the period each phase starts in, before the window

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


def _event_marks(measure: Measure, analysis: MeasureAnalysis) -> tuple[EventMark, ...]:
    grouped: dict[int, list[tuple[int, Event]]] = {}
    for number, event in event_numbers(measure, analysis):
        grouped.setdefault(analysis.index_of(event.date) or 0, []).append((number, event))
    return tuple(
        EventMark(
            index,
            tuple(number for number, _ in items),
            "; ".join(f"{n}. {e.date.label} ({e.kind}): {one_line(e.text)}" for n, e in items),
        )
        for index, items in sorted(grouped.items())
    )


def latest_values(analysis: MeasureAnalysis, count: int) -> MeasureAnalysis:
    """The analysis cut to its latest `count` values, counted from the first of them: the
    limits, phases and signals stay those of the whole series, clipped to the window."""
    whole = analysis.xmr
    start = len(whole.values) - count
    if start <= 0:
        return analysis

    def shift(points: Iterable[int]) -> tuple[int, ...]:
        return tuple(i - start for i in points if i >= start)

    hint = whole.rebase_hint
    xmr = replace(
        whole,
        values=whole.values[start:],
        moving_ranges=whole.moving_ranges[start:],
        phases=tuple(
            replace(p, start=max(p.start - start, 0), end=p.end - start, baseline=shift(p.baseline))
            for p in whole.phases
            if p.end > start
        ),
        signals=tuple(
            replace(s, points=shift(s.points)) for s in whole.signals if s.points[-1] >= start
        ),
        excluded=frozenset(shift(whole.excluded)),
        rebase_hint=hint - start if hint is not None and hint >= start else None,
    )
    return replace(analysis, periods=analysis.periods[start:], xmr=xmr)


def plan_chart(measure: Measure, whole: MeasureAnalysis, size: ChartSize) -> ChartPlan:
    analysis = latest_values(whole, WINDOW[size])
    cut = len(whole.xmr.phases) - len(analysis.xmr.phases)  # phases wholly before the window
    xmr = analysis.xmr
    decimals = data_decimals(whole.xmr.values)  # as on the page, which reads the whole series
    spans = role_spans(measure.meta.roles, analysis.periods)
    improving = tuple((span, role) for span, role in spans if role.role == "improve")
    return ChartPlan(
        measure=measure,
        analysis=analysis,
        full=size == "full",
        layout=LAYOUTS[size],
        decimals=decimals,
        limit_decimals=display_decimals(whole.xmr.values),
        x_signals=_signals_by_index(xmr.signals, len(xmr.values), mr=False),
        mr_signals=_signals_by_index(xmr.signals, len(xmr.values), mr=True),
        targets=tuple(
            Target(span, role.target, target_label(role, decimals))
            for span, role in improving
            if role.target is not None
        ),
        key_results=improving,
        events=_event_marks(measure, analysis),
        phase_starts=tuple(whole.periods[p.start].label for p in whole.xmr.phases[cut:]),
    )


# --- words -------------------------------------------------------------------------------------


NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def one_line(text: str) -> str:
    """User text on one line: no blank line may reach the Markdown page, and no character an
    SVG cannot hold (control characters, U+FFFE)."""
    return " ".join(NOT_XML.sub("", text).split())


def truncate(text: str, room: float, font: float) -> str:
    """`text` cut with an ellipsis to fit `room` points at `font` size; '' if too little fits."""
    fits = int(room / (CHAR_WIDTH * font))
    if len(text) <= fits:
        return text
    return text[: fits - 1].rstrip() + "…" if fits >= 4 else ""


def _describe(chart: ChartPlan, signal: Signal) -> str:
    options = chart.analysis.xmr.options
    return f"{signal_name(options.profile, signal, options.run_length)} ({signal.effect})"


def point_title(chart: ChartPlan, i: int, value: float) -> str:
    head = f"{chart.period(i)}: {with_unit(fmt(value, chart.decimals), chart.measure.meta.unit)}"
    parts = [_describe(chart, s) for s in chart.x_signals[i]]
    if i in chart.analysis.xmr.excluded:
        period = chart.analysis.periods[i]
        reasons = [e.reason for e in chart.measure.meta.limits.exclude if e.period == period]
        parts.append("excluded" + "".join(f": {r}" for r in reasons[:1]))
    return " — ".join([head, *parts])


def mr_title(chart: ChartPlan, i: int, spread: float) -> str:
    value = with_unit(fmt(spread, chart.decimals), chart.measure.meta.unit)
    parts = [_describe(chart, s) for s in chart.mr_signals[i]]
    return " — ".join([f"{chart.period(i)}: moving range {value}", *parts])
