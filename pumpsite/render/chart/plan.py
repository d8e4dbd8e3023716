"""What an XmR chart shows, worked out before anything is drawn: the palette and marker shapes,
the geometry, the spans of key-result roles and baselines, targets, numbered notes (phase
changes and events), which signals sit on which point, and the words of every label and hover
title. Pure, and no matplotlib.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from pumpsite.analysis.measure import MeasureAnalysis
from pumpsite.analysis.reading import level_decimals, period_name, with_unit
from pumpsite.analysis.signals import Effect, Rule, Signal, rule_label, signal_name
from pumpsite.analysis.xmr import Limits, Phase
from pumpsite.model import Measure
from pumpsite.numbers import as_written, data_decimals, fmt
from pumpsite.periods import Period
from pumpsite.schema import Role
from pumpsite.vocabulary import ChartSize

INK = "#010203"
"""Sentinel for text, axes and reference lines; becomes currentColor in the output."""
VALUE_COLOUR = "#71829b"
"""Values: a mid blue-grey that reads on white and on Material's dark slate (#1e2129)."""
TARGET_COLOUR = "#009e73"
"""Okabe–Ito bluish green: apart from the values and both effects under deuteranopia and
protanopia, at least 3:1 against white and the dark slate."""
EFFECT_COLOURS: dict[Effect, str] = {
    "improvement": "#0072b2",
    "concern": "#d55e00",
    "neutral": INK,
}
"""NHS Making Data Count's blue and orange, as Okabe–Ito's blue and vermillion: told apart
under deuteranopia and protanopia (docs/statistics.md). A signal without a direction, and every
moving-range signal, is drawn in the text colour."""
OPEN_EFFECTS: frozenset[Effect] = frozenset({"concern"})
"""Effects whose signal marks are open (a thick outline round the page's background), so the
effect reads without colour (WCAG 1.4.1): a concern open, an improvement or no direction filled."""
BACKGROUND = "#fefdfc"
"""Sentinel for the inside of an open mark; becomes the page's background in the output."""
PAGE_BACKGROUND = "var(--md-default-bg-color, #fff)"
"""The page's background under Material's light and dark schemes, white under another theme:
an open mark hides the value line that runs through it."""
RULE_MARKERS: dict[Rule, str] = {
    "beyond_limits": "D",
    "mr_beyond_url": "D",
    "trend": "p",
    "two_of_three": "^",
    "short_run": "^",
    "long_run": "s",
}
"""A signal's rule by its marker's shape (diamond, pentagon, triangle, square), so the rule reads
without colour; the first rule in this order wins on a point with several."""
MARKER_SCALE = {"D": 1.25, "p": 1.25, "^": 1.3, "s": 1.05, "o": 1.0}
"""Sizes that make the shapes look equally large."""


def svg_colour(colour: str) -> str:
    """A palette colour as hand-drawn SVG writes it: the ink sentinel is the text colour."""
    return "currentColor" if colour == INK else colour


DASHED = (0, (4, 3))
DOTTED = (0, (1, 2))
DASH_DOT = (0, (6, 2, 1.5, 2))
DIGIT_WIDTH = 0.55
"""The width of a digit, a dash or a thin space in em: tick labels are narrower than text."""
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
    "small": Layout(400, 140, 34, 64, 8, 18, 0, 0.0, font=10, legend_row=0),
}
MAX_RIGHT = 170
"""The widest right margin a full chart gives its labels (limits with their unit)."""
AHEAD = 0.12
"""A target still in force runs past the latest value towards its deadline, over at most this
share of the chart's periods (at least 3): long enough to see even when its role is one period
old."""
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


@dataclass(frozen=True, slots=True)
class ChartNote:
    """A numbered note of the chart: a phase change or an event, its full text given below the
    chart (the chart shows the number)."""

    number: int
    index: int
    when: str  # "Mar 2026"
    kind: str  # "new phase", or the event's kind
    text: str  # user text, on one line


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
    notes: tuple[ChartNote, ...]
    phase_starts: tuple[str, ...]  # the period each phase starts in, before the window
    baselines: tuple[str, ...]  # per phase: the values its limits come from, in words
    ahead: int  # empty periods after the latest value, where a target in force runs on

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
    def unit(self) -> str:
        return self.measure.meta.unit

    @property
    def x_end(self) -> float:
        """The right end of the x axis: past the latest value by the periods ahead."""
        return self.n - 0.2 + self.ahead

    @property
    def step(self) -> float:
        """Points per period on the x axis."""
        return self.layout.plot_width / (self.x_end + 0.8)

    def period(self, index: int) -> str:
        return self.analysis.periods[index].label

    def limit(self, value: float) -> str:
        """A line's value with its unit, to the decimals the spread calls for."""
        return with_unit(fmt(value, self.limit_decimals), self.unit)

    def left(self, index: int) -> float:
        """The x of the left edge of a period's slot, clipped to the plot."""
        return -0.8 if index <= 0 else index - 0.5

    def right(self, end: int, onward: bool = False) -> float:
        """The x of the right edge of the slot before `end`, clipped to the data; `onward`, a
        line in force at the latest value runs on to the end of the axis."""
        if end < self.n:
            return end - 0.5
        return self.x_end if onward else self.n - 0.2

    def phase_number(self, k: int) -> int | None:
        """The note number of the k-th phase's start, if it has one."""
        start = self.phases[k].start
        return next((n.number for n in self.notes if n.kind == PHASE and n.index == start), None)


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


def target_label(role: Role, unit: str = "") -> str:
    """`Target 10 complaints by 2026-12-31`, the target as written."""
    assert role.target is not None
    text = f"Target {with_unit(as_number(role.target), unit)}"
    return f"{text} by {role.deadline.isoformat()}" if role.deadline else text


PHASE = "new phase"


def chart_notes(measure: Measure, analysis: MeasureAnalysis) -> tuple[ChartNote, ...]:
    """The phase changes and events on the chart of `analysis` (a window of the series),
    numbered 1, 2, … in date order, a phase change before the events of its period, events of
    one period in date and then file order: the chart shows the numbers, the page the text."""
    found: list[tuple[int, int, Period, str, str]] = []
    for k, phase in enumerate(analysis.xmr.phases):
        if k > 0 and phase.reason:
            found.append((phase.start, 0, analysis.periods[phase.start], PHASE, phase.reason))
    for event in sorted(measure.meta.events, key=lambda e: e.date):
        index = analysis.index_of(event.date)
        if index is not None:
            found.append((index, 1, event.date, event.kind, event.text))
    found.sort(key=lambda item: item[:2])
    return tuple(
        ChartNote(number, index, period_name(period), kind, one_line(text))
        for number, (index, _, period, kind, text) in enumerate(found, start=1)
    )


def full_chart_notes(measure: Measure, analysis: MeasureAnalysis) -> tuple[ChartNote, ...]:
    """The numbered notes of the measure page's chart, for the text below it."""
    return chart_notes(measure, latest_values(analysis, WINDOW["full"]))


def _event_marks(notes: Sequence[ChartNote]) -> tuple[EventMark, ...]:
    grouped: dict[int, list[ChartNote]] = {}
    for note in notes:
        if note.kind != PHASE:
            grouped.setdefault(note.index, []).append(note)
    return tuple(
        EventMark(
            index,
            tuple(n.number for n in items),
            "; ".join(f"{n.number}. {n.when} ({n.kind}): {n.text}" for n in items),
        )
        for index, items in sorted(grouped.items())
    )


def _ahead(spans: Sequence[tuple[Span, Role]], periods: Sequence[Period]) -> int:
    """Empty periods after the latest value for a target in force at the end: up to its
    deadline, at most AHEAD of the chart (at least 3); 3 without a deadline, none once the
    deadline is reached."""
    last = [role for span, role in spans if span.end == len(periods) and role.target is not None]
    if not last or not periods:
        return 0
    most = max(3, round(AHEAD * len(periods)))
    deadline = last[0].deadline
    if deadline is None:
        return 3
    latest = periods[-1]
    return min(sum(1 for k in range(1, most + 1) if (latest + k).start <= deadline), most)


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
    notes = chart_notes(measure, analysis)
    unit = measure.meta.unit
    chart = ChartPlan(
        measure=measure,
        analysis=analysis,
        full=size == "full",
        layout=LAYOUTS[size],
        decimals=decimals,
        limit_decimals=level_decimals(whole.xmr),
        x_signals=_signals_by_index(xmr.signals, len(xmr.values), mr=False),
        mr_signals=_signals_by_index(xmr.signals, len(xmr.values), mr=True),
        targets=tuple(
            Target(span, role.target, target_label(role, unit))
            for span, role in improving
            if role.target is not None
        ),
        key_results=improving,
        events=_event_marks(notes),
        notes=notes,
        phase_starts=tuple(whole.periods[p.start].label for p in whole.xmr.phases[cut:]),
        baselines=tuple(baseline_words(whole, p) for p in whole.xmr.phases[cut:]),
        ahead=_ahead(improving, analysis.periods),
    )
    return replace(chart, layout=_fitted(chart)) if chart.full else chart


# --- geometry shared by the drawings ------------------------------------------------------------


def mark_sizes(chart: ChartPlan) -> tuple[float, float]:
    """Marker diameter and line width in points, shrinking as the points get denser."""
    diameter = min(max(chart.step * 0.5, 1.8), 5.5 if chart.full else 3.6)
    width = min(max(chart.step * 0.18, 0.6), 1.5 if chart.full else 1.1)
    return diameter, width


def x_range(chart: ChartPlan, headroom: float = 0.0) -> tuple[float, float]:
    """The X panel's y axis: every value, limit and target, with a margin (and `headroom` more
    at the top, a share of the spread, for labels)."""
    found = [v for v in chart.values if v is not None]
    for phase in chart.phases:
        if phase.limits is not None:
            found += [phase.limits.lower_line, phase.limits.upper_line]
    found += [target.value for target in chart.targets]
    if not found:
        return 0.0, 1.0
    low, high = min(found), max(found)
    if high <= low:
        pad = max(abs(high) * 0.1, 0.5)
        return low - pad, high + pad
    spread = high - low
    return low - 0.07 * spread, high + (0.07 + headroom) * spread


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


# --- labels in the right margin ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MarginLabel:
    value: float
    text: str
    target: bool = False

    @property
    def lines(self) -> int:
        return self.text.count("\n") + 1


_SPREAD = {"average": "Avg mR", "median": "Median mR"}


def x_labels(chart: ChartPlan) -> list[MarginLabel]:
    """The current phase's lines (and a target in force at the end), named at the right."""
    limits = chart.analysis.xmr.current_phase.limits
    labels = []
    if limits is not None:
        labels += [
            MarginLabel(limits.upper_line, _end_label(chart, "UNPL", limits, "upper")),
            MarginLabel(limits.center, f"CL {chart.limit(limits.center)}"),
            MarginLabel(limits.lower_line, _end_label(chart, "LNPL", limits, "lower")),
        ]
    return labels + [
        MarginLabel(target.value, _target_lines(chart, target), target=True)
        for target in chart.targets
        if target.span.end == chart.n
    ]


def _target_lines(chart: ChartPlan, target: Target) -> str:
    """The full label on two lines ('Target 2.5%', 'by 2027-03-31'); on a small chart two
    lines without the deadline ('Target', '2.5%'), the unit left out where it does not fit."""
    if chart.full:
        return target.label.replace(" by ", "\nby ")
    number = as_number(target.value)
    amount = with_unit(number, chart.unit)
    room = chart.layout.right - 6
    return f"Target\n{amount if text_width(amount, chart.layout.font) <= room else number}"


def _end_label(chart: ChartPlan, name: str, limits: Limits, side: str) -> str:
    """'UNPL 17.2 complaints', or 'Bound 0%' where a natural boundary takes the limit's place."""
    limit, boundary = (
        (limits.unpl, limits.upper_boundary)
        if side == "upper"
        else (limits.lnpl, limits.lower_boundary)
    )
    if boundary is None:
        return f"{name} {chart.limit(limit)}"
    return f"Bound {with_unit(as_written(boundary), chart.unit)}"


def line_title(chart: ChartPlan, name: str, limit: float, boundary: float | None) -> str:
    """'Upper natural process limit 17.2', or the boundary drawn in its place."""
    if boundary is None:
        return f"{name} {chart.limit(limit)}"
    shown = f"{name.lower()} {chart.limit(limit)}"
    return f"Natural boundary {as_written(boundary)}, in place of the {shown}"


def mr_labels(chart: ChartPlan) -> list[MarginLabel]:
    limits = chart.analysis.xmr.current_phase.limits
    if limits is None:
        return []
    return [
        MarginLabel(limits.url, f"URL {chart.limit(limits.url)}"),
        MarginLabel(
            limits.average_mr, f"{_SPREAD[limits.dispersion]} {chart.limit(limits.average_mr)}"
        ),
    ]


def as_number(value: float) -> str:
    """A number as written, for people: 2.5, 1 200 000."""
    return fmt(value, data_decimals([value]))


def text_width(text: str, font: float) -> float:
    """The estimated width in points of the longest line of `text`."""
    return max(len(line) for line in text.split("\n")) * CHAR_WIDTH * font


def _fitted(chart: ChartPlan) -> Layout:
    """The full layout with a right margin wide enough for its labels, up to MAX_RIGHT, and a
    left margin for the widest tick label and the axis title."""
    texts = [label.text for label in [*x_labels(chart), *mr_labels(chart)]]
    widest = max((text_width(t, chart.layout.font) for t in texts), default=0.0) + 10
    right = min(max(chart.layout.right, widest), MAX_RIGHT)
    ticks = [fmt(v, chart.decimals) for v in chart.values if v is not None]
    digits = max((len(t) for t in ticks), default=0) * DIGIT_WIDTH * chart.layout.font
    left = min(max(chart.layout.left, digits + 2 * chart.layout.font + 8), MAX_RIGHT)
    return replace(chart.layout, right=right, left=left)


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


def strongest(signals: Sequence[Signal]) -> Signal | None:
    """The signal whose rule a point's marker shows: the first in RULE_MARKERS' order."""
    order = list(RULE_MARKERS)
    return min(signals, key=lambda s: order.index(s.rule), default=None)


def marker_of(signals: Sequence[Signal]) -> str:
    signal = strongest(signals)
    return "o" if signal is None else RULE_MARKERS[signal.rule]


def colour_of(signals: Sequence[Signal]) -> str:
    signal = strongest(signals)
    return VALUE_COLOUR if signal is None else EFFECT_COLOURS[signal.effect]


def is_open(signals: Sequence[Signal]) -> bool:
    """Whether the point's signal mark is drawn open: its strongest signal is a concern."""
    signal = strongest(signals)
    return signal is not None and signal.effect in OPEN_EFFECTS


def open_outline(diameter: float) -> float:
    """The outline of an open signal mark, in points: thick enough to carry its colour, thin
    enough to leave a hole at the smallest size; in tenths, so the SVG's style reads the same
    through the page's sanitiser (which rounds long numbers)."""
    return round(max(diameter * 0.2, 0.9), 1)


def rule_names(chart: ChartPlan) -> list[tuple[str, str]]:
    """(marker, name) of each signal shape the X chart shows, in RULE_MARKERS' order, then the
    moving ranges above their limit."""
    options = chart.analysis.xmr.options
    shown = {signal.rule for signals in chart.x_signals if (signal := strongest(signals))}
    items = [
        (marker, rule_label(options.profile, rule, options.run_length))
        for rule, marker in RULE_MARKERS.items()
        if rule in shown
    ]
    if any(chart.mr_signals):
        items.append((RULE_MARKERS["mr_beyond_url"], "Moving range above its limit"))
    return items


def baseline_words(whole: MeasureAnalysis, phase: Phase) -> str:
    """'the 20 values from Jan 2024 to Aug 2025' the limits of a phase are computed from."""
    if not phase.baseline:
        return ""
    periods = whole.periods
    span = span_words(periods[phase.baseline[0]], periods[phase.baseline[-1]])
    return f"the {len(phase.baseline)} values {span}"


def span_words(first: Period, last: Period) -> str:
    if first == last:
        return f"of {period_name(first)}"
    return f"from {period_name(first)} to {period_name(last)}"


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
