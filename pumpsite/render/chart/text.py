"""An XmR chart in words, for readers who cannot see it: the description of its SVG `<desc>`
and the data table beside it on the measure page. Both come from the chart's plan
(`plan_chart`), the drawing's own source, so the numbers cannot disagree with the marks: the
same window of values, phases, limits, signals and numbered notes, in the page's decimals.

Pure, and no matplotlib.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pumpsite.analysis.measure import MeasureAnalysis
from pumpsite.analysis.reading import period_name, span_name, with_unit
from pumpsite.analysis.signals import RULES, Signal, signal_name
from pumpsite.analysis.xmr import Limits, Phase
from pumpsite.model import Measure
from pumpsite.numbers import as_written, counted, fmt
from pumpsite.periods import Period
from pumpsite.render.chart.plan import (
    PHASE,
    RULE_MARKERS,
    ChartNote,
    ChartPlan,
    one_line,
    plan_chart,
)
from pumpsite.render.chart.svg import id_prefix

EFFECT_WORDS = {"improvement": "improvement", "concern": "concern", "neutral": "no direction"}
"""A signal's effect in a table cell: the chart tells it by colour, the table in words."""
SHAPE_WORDS = {"D": "diamond", "p": "pentagon", "^": "triangle", "s": "square"}
"""The marker a rule is drawn with, so a reader of the table finds the point on the chart."""
NO_LIMITS_WORDS = {
    "few_values": "no limits: too few values",
    "few_ranges": "no limits: too few moving ranges (missing periods)",
    "too_coarse": "no limits: the data are too coarse",
}


@dataclass(frozen=True, slots=True)
class TableRow:
    """One period of the chart, every cell as the page shows it."""

    period: str
    value: str  # "missing" for a gap
    mr: str
    center: str
    lower: str
    upper: str
    signals: str  # "Point beyond the limits: concern (diamond)", or ""
    notes: str  # the chart's numbered notes, an exclusion, the CSV's note: user text

    @property
    def flagged(self) -> bool:
        return bool(self.signals)


@dataclass(frozen=True, slots=True)
class TablePhase:
    """The rows of one phase, under a heading that says where it starts and its lines."""

    heading: str
    rows: tuple[TableRow, ...]


@dataclass(frozen=True, slots=True)
class ChartTable:
    """The data table of a measure's full chart."""

    id: str  # the `<details>` element's id, for links from overview pages
    title: str  # the measure's title: user text
    caption: str
    unit: str  # of the values, for the column header: user text
    phases: tuple[TablePhase, ...]


def chart_table(measure: Measure, analysis: MeasureAnalysis) -> ChartTable:
    """The data table beside the measure page's chart."""
    chart = plan_chart(measure, analysis, "full")
    notes = _observation_notes(measure)
    return ChartTable(
        id=f"{id_prefix(measure.id, 'full')}data",
        title=one_line(measure.title),
        caption=_caption(chart),
        unit=measure.meta.unit.strip(),
        phases=tuple(_phase(chart, k, notes) for k in range(len(chart.phases))),
    )


def _caption(chart: ChartPlan) -> str:
    periods = chart.analysis.periods
    covered = span_name(periods[0], periods[-1]) if periods else "no periods"
    return (
        f"{one_line(chart.measure.title)}: the values of the chart ({covered}), their moving "
        "ranges, the central line and natural process limits in force at each value, and the "
        "signals and numbered notes of the chart."
    )


def _observation_notes(measure: Measure) -> dict[Period, list[str]]:
    """The notes of the data file's rows, by period (read once, not once per row)."""
    found: dict[Period, list[str]] = {}
    for observation in measure.series.observations if measure.series else ():
        if observation.note:
            found.setdefault(observation.period, []).append(one_line(observation.note))
    return found


def _phase(chart: ChartPlan, k: int, notes: Mapping[Period, list[str]]) -> TablePhase:
    phase = chart.phases[k]
    rows = tuple(_row(chart, i, notes) for i in range(phase.start, phase.end))
    return TablePhase(_phase_heading(chart, k), rows)


def _start(chart: ChartPlan, k: int) -> str:
    """The first period of the k-th phase on the chart."""
    return period_name(chart.analysis.periods[chart.phases[k].start])


def _phase_heading(chart: ChartPlan, k: int) -> str:
    phase, number = chart.phases[k], chart.phase_number(k)
    start = f"From {_start(chart, k)}"
    if number is not None:
        start += f" (note {number}: new phase)"
    if phase.limits is None:
        return f"{start}: {NO_LIMITS_WORDS[phase.without_limits or 'few_values']}."
    limits = phase.limits
    kind = "trial limits" if limits.trial else "natural process limits"
    lines = (
        f"central line {chart.limit(limits.center)}, {kind} {_cell(chart, limits, 'lower')} "
        f"to {with_unit(_cell(chart, limits, 'upper'), chart.unit)}, upper range limit "
        f"{chart.limit(limits.url)}"
    )
    baseline = f"; computed from {chart.baselines[k]}" if chart.baselines[k] else ""
    return f"{start}: {lines}{baseline}."


def _cell(chart: ChartPlan, limits: Limits, side: str) -> str:
    """A limit as a cell shows it: '12.2', or '0 (boundary)' where a natural boundary takes
    its place."""
    boundary = limits.lower_boundary if side == "lower" else limits.upper_boundary
    if boundary is not None:
        return f"{as_written(boundary)} (boundary)"
    return fmt(limits.lnpl if side == "lower" else limits.unpl, chart.limit_decimals)


def _row(chart: ChartPlan, i: int, notes: Mapping[Period, list[str]]) -> TableRow:
    value, spread = chart.values[i], chart.analysis.xmr.moving_ranges[i]
    limits = chart.analysis.xmr.limits_at(i)
    return TableRow(
        period=period_name(chart.analysis.periods[i]),
        value="missing" if value is None else fmt(value, chart.decimals),
        mr="" if spread is None else fmt(spread, chart.decimals),
        center="" if limits is None else fmt(limits.center, chart.limit_decimals),
        lower="" if limits is None else _cell(chart, limits, "lower"),
        upper="" if limits is None else _cell(chart, limits, "upper"),
        signals="; ".join(_signal_words(chart, s) for s in _ordered(chart, i)),
        notes="; ".join(_notes(chart, i, notes)),
    )


def _ordered(chart: ChartPlan, i: int) -> list[Signal]:
    signals = [*chart.x_signals[i], *chart.mr_signals[i]]
    return sorted(signals, key=lambda s: RULES.index(s.rule))


def _signal_words(chart: ChartPlan, signal: Signal) -> str:
    options = chart.analysis.xmr.options
    name = signal_name(options.profile, signal, options.run_length)
    shape = SHAPE_WORDS[RULE_MARKERS[signal.rule]]
    return f"{name}: {EFFECT_WORDS[signal.effect]} ({shape})"


def _notes(chart: ChartPlan, i: int, notes: Mapping[Period, list[str]]) -> list[str]:
    period = chart.analysis.periods[i]
    found = [_note_words(note) for note in chart.notes if note.index == i]
    if i in chart.analysis.xmr.excluded:
        reasons = [e.reason for e in chart.measure.meta.limits.exclude if e.period == period]
        found.append("excluded from the limits" + "".join(f": {r}" for r in reasons[:1]))
    return found + notes.get(period, [])


def _note_words(note: ChartNote) -> str:
    kind = "new phase" if note.kind == PHASE else note.kind
    return f"{note.number}. {kind}: {note.text}"


# --- the SVG's description -----------------------------------------------------------------------


def chart_description(chart: ChartPlan, reading: str) -> str:
    """What the chart shows, in words, for its `<desc>`: the measure, the periods drawn, the
    current lines, the signals and notes marked, a target in force, and the reading."""
    title = one_line(chart.measure.title)
    periods = chart.analysis.periods
    if not periods:
        return f"XmR chart of {title}: no values yet. {reading}"
    what = "XmR chart" if chart.full else "X chart"
    parts = [
        f"{what} of {title}: {counted(chart.n, 'value')}, {span_name(periods[0], periods[-1])}",
        _current_lines(chart, chart.phases[-1]),
        _marked(chart),
        *(target.label for target in chart.targets if target.span.end == chart.n),
    ]
    return " ".join([*(f"{part}." for part in parts if part), reading]).strip()


def _current_lines(chart: ChartPlan, phase: Phase) -> str:
    since = f"Since {_start(chart, len(chart.phases) - 1)}, " if len(chart.phases) > 1 else ""
    if phase.limits is None:
        lines = NO_LIMITS_WORDS[phase.without_limits or "few_values"]
    else:
        limits = phase.limits
        kind = "trial limits" if limits.trial else "natural process limits"
        low, high = _cell(chart, limits, "lower"), _cell(chart, limits, "upper")
        lines = (
            f"central line {chart.limit(limits.center)}, "
            f"{kind} {low} to {with_unit(high, chart.unit)}"
        )
    return f"{since}{lines}" if since else lines[0].upper() + lines[1:]


def _marked(chart: ChartPlan) -> str:
    flagged = sum(1 for i in range(chart.n) if chart.x_signals[i] or chart.mr_signals[i])
    changes = sum(1 for note in chart.notes if note.kind == PHASE)
    events = len(chart.notes) - changes
    marks = [f"signals on {counted(flagged, 'value')}"] if flagged else []
    marks += [counted(n, noun) for n, noun in ((changes, "phase change"), (events, "event")) if n]
    if not marks:
        return "No signal marked"
    where = "below the chart" if chart.full else "on the measure page"
    return f"Marked: {', '.join(marks)} (each named in the data table {where})"
