"""The reading of a measure: what its XmR chart says, in plain words.

Pure. The sentences follow Wheeler and Barr: a predictable process is described by its natural
process limits (what to expect), signals are reported as candidates to interpret in context, a
single value is never a trend, and a target is judged against the limits (assurance) and is
achieved only when the central line itself has moved there after a recognised shift.
Numbers are rounded here, for display only, to the data's precision (values) or one digit more
(limits and central lines). The texts are plain text: callers escape them for their medium.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from pumpsite import exact
from pumpsite.analysis import MeasureAnalysis, TargetReading
from pumpsite.model import Measure
from pumpsite.numbers import (
    MAX_DECIMALS,
    as_written,
    counted,
    data_decimals,
    display_decimals,
    fmt,
)
from pumpsite.periods import Frequency, Period
from pumpsite.signals import Signal, rule_label
from pumpsite.xmr import Analysis, Assurance, Limits, Phase, WithoutLimits

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
PER: dict[Frequency, str] = {
    "daily": "day",
    "weekly": "week",
    "monthly": "month",
    "quarterly": "quarter",
    "yearly": "year",
}
ASSURANCE_WORDS: dict[Assurance, str] = {
    "met_consistently": "will be met consistently",
    "hit_or_miss": "hit or miss: the target sits inside the natural process limits",
    "not_met": "will not be met unless the process changes",
}
"""Assurance in a few words, for overview pages."""
ATTACHED_UNITS = frozenset({"%", "‰", "°"})
"""Units written without a space after the number."""
MIN_LIMIT_POINTS = 5
READ_SIGNALS = 10
"""The reading describes at most this many signals of the current phase, the latest ones: a
long series can have thousands, and a page must stay readable (and of bounded size)."""


@dataclass(frozen=True, slots=True)
class Reading:
    """summary: one or two sentences (chart description, overview pages); paragraphs: the
    measure page's full reading."""

    summary: str
    paragraphs: tuple[str, ...]


# --- words for periods and numbers ---------------------------------------------------------------


def period_name(period: Period) -> str:
    """Mar 2025, week 9 of 2026, 2026-Q1, 31 Mar 2026, 2026."""
    start = period.start
    if period.frequency == "monthly":
        return f"{MONTHS[start.month - 1]} {start.year}"
    if period.frequency == "weekly":
        year, week, _ = start.isocalendar()
        return f"week {week} of {year}"
    if period.frequency == "daily":
        return f"{start.day} {MONTHS[start.month - 1]} {start.year}"
    return period.label


def span_name(first: Period, last: Period) -> str:
    """One period, or 'Apr 2026 to Nov 2026'."""
    if first == last:
        return period_name(first)
    return f"{period_name(first)} to {period_name(last)}"


def long_date(day: date) -> str:
    """23 November 2026 (no locale: the same text on every machine)."""
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def with_unit(number: str, unit: str) -> str:
    """'4.05%', '12 complaints', '12' (no unit)."""
    unit = unit.strip()
    if not unit:
        return number
    return f"{number}{unit}" if unit in ATTACHED_UNITS else f"{number} {unit}"


def between(low: str, high: str, unit: str, word: str = "and") -> str:
    """'12.3 and 30.4 complaints', '2.1% and 4.3%' (or with 'to')."""
    if unit.strip() in ATTACHED_UNITS:
        return f"{with_unit(low, unit)} {word} {with_unit(high, unit)}"
    return f"{low} {word} {with_unit(high, unit)}"


def distinct(a: float, b: float, decimals: int) -> int:
    """Enough decimals for two different numbers not to look the same once rounded."""
    while decimals < MAX_DECIMALS and a != b and fmt(a, decimals) == fmt(b, decimals):
        decimals += 1
    return decimals


@dataclass(frozen=True, slots=True)
class Words:
    """Everything the sentences of one measure need: data, formats and names, worked out once
    per measure (a series of 100,000 values is read once, not once per signal)."""

    measure: Measure
    analysis: MeasureAnalysis
    value_decimals: int
    limit_decimals: int  # limits and central lines: one digit more than the data
    latest: int | None  # the index of the last value that is not missing

    @classmethod
    def of(cls, measure: Measure, analysis: MeasureAnalysis) -> Words:
        values = analysis.xmr.values
        return cls(
            measure,
            analysis,
            value_decimals=data_decimals(values),
            limit_decimals=display_decimals(values),
            latest=latest_index(analysis.xmr),
        )

    @property
    def xmr(self) -> Analysis:
        return self.analysis.xmr

    @property
    def unit(self) -> str:
        return self.measure.meta.unit

    def value(self, number: float) -> str:
        return with_unit(fmt(number, self.value_decimals), self.unit)

    def level(self, number: float, decimals: int | None = None) -> str:
        """A limit or central line: one digit more than the data."""
        return with_unit(
            fmt(number, self.limit_decimals if decimals is None else decimals), self.unit
        )

    def plain(self, number: float) -> str:
        """A limit or range without the unit."""
        return fmt(number, self.limit_decimals)

    def target(self, number: float) -> str:
        return with_unit(fmt(number, max(data_decimals([number]), 0)), self.unit)

    def when(self, index: int) -> str:
        return period_name(self.analysis.periods[index])

    def running(self, points: Sequence[int]) -> str:
        """'since Apr 2026' while still going at the latest value, else 'from … to …'."""
        first, last = self.analysis.periods[points[0]], self.analysis.periods[points[-1]]
        if points[-1] == self.latest:
            return f"since {period_name(first)}"
        return f"from {period_name(first)} to {period_name(last)}"

    @property
    def per(self) -> str:
        return PER[self.measure.meta.frequency]


def latest_index(analysis: Analysis) -> int | None:
    """The index of the last value that is not missing."""
    values = analysis.values
    return next((i for i in reversed(range(len(values))) if values[i] is not None), None)


def current_signals(analysis: Analysis) -> tuple[Signal, ...]:
    """The signals of the current phase, oldest first."""
    start = analysis.current_phase.start
    return tuple(s for s in analysis.signals if s.points[0] >= start)


def latest_of(signals: Sequence[Signal], count: int) -> tuple[Signal, ...]:
    """The `count` signals that end last, in their order: what a page has room to list."""
    if len(signals) <= count:
        return tuple(signals)
    kept = sorted(range(len(signals)), key=lambda k: signals[k].points[-1])[-count:]
    return tuple(signals[k] for k in sorted(kept))


def latest_signals(analysis: Analysis) -> tuple[Signal, ...]:
    """The signals that include the latest value: what is new in this report."""
    latest = latest_index(analysis)
    return tuple(s for s in analysis.signals if latest is not None and latest in s.points)


# --- signals -------------------------------------------------------------------------------------

_EFFECT = {"improvement": " (an improvement)", "concern": " (a concern)", "neutral": ""}
_LIMIT = {"high": "above the upper", "low": "below the lower"}
_SIDE = {"high": "above", "low": "below"}
_NEAR = {"high": "upper", "low": "lower"}


def signal_label(analysis: MeasureAnalysis, signal: Signal) -> str:
    """The rule's name under the measure's profile, like 'Run of 8 on one side'."""
    options = analysis.xmr.options
    return rule_label(options.profile, signal.rule, options.run_length)


def describe_signal(words: Words, signal: Signal) -> str:
    """What the signal is, in words, without its effect: '8 values in a row below the central
    line of 21.4, since Apr 2026'."""
    analysis = words.analysis
    limits = analysis.xmr.limits_at(signal.points[0])
    assert limits is not None, "signals are only found in phases with limits"
    points, side = signal.points, signal.side
    last = points[-1]
    if signal.rule == "beyond_limits":
        limit = limits.unpl if side == "high" else limits.lnpl
        value = analysis.xmr.values[last]
        assert value is not None
        shown = words.level(limit, distinct(value, limit, words.limit_decimals))
        return (
            f"{words.value(value)} in {words.when(last)} is {_LIMIT[side]} natural process "
            f"limit of {shown}"
        )
    if signal.rule == "mr_beyond_url":
        jump = analysis.xmr.moving_ranges[last]
        assert jump is not None
        direction = "rise" if side == "high" else "fall"
        decimals = distinct(jump, limits.url, words.limit_decimals)
        return (
            f"a {direction} of {fmt(jump, decimals)} from {words.when(last - 1)} to "
            f"{words.when(last)}, more than the upper range limit of {fmt(limits.url, decimals)}"
        )
    span = words.running(points)
    if signal.rule == "long_run":
        return (
            f"{len(points)} values in a row {_SIDE[side]} the central line of "
            f"{words.level(limits.center)}, {span}"
        )
    if signal.rule == "short_run":
        return (
            f"values closer to the {_NEAR[side]} limit than to the central line "
            f"(at least 3 of 4 in a row), {span}"
        )
    if signal.rule == "trend":
        direction = "higher" if side == "high" else "lower"
        return f"{len(points)} values in a row, each {direction} than the one before, {span}"
    return (
        f"values close to the {_NEAR[side]} limit (2 of 3 more than two-thirds of the way "
        f"from the central line), {span}"
    )


def signal_sentence(words: Words, signal: Signal) -> str:
    """'Signal: ... (an improvement).' plus the new-phase hint for a run still going."""
    text = f"Signal: {describe_signal(words, signal)}{_EFFECT[signal.effect]}."
    if signal.rule == "long_run" and signal.points[0] == words.xmr.rebase_hint:
        text += " " + rebase_sentence(words.analysis)
    return text


def rebase_sentence(analysis: MeasureAnalysis) -> str:
    """The hint to start a new phase where a long run, still going, began; '' when none."""
    hint = analysis.xmr.rebase_hint
    if hint is None:
        return ""
    when = period_name(analysis.periods[hint])
    return f"Consider a new phase from {when} if you know what changed."


# --- the status of the current phase -------------------------------------------------------------


def _phase_values(analysis: Analysis, phase: Phase) -> list[float]:
    return [v for v in analysis.values[phase.start : phase.end] if v is not None]


def _line_end(limit: float, boundary: float | None, decimals: int) -> str:
    """A limit, or the natural boundary that takes its place as written (0, not 0.0)."""
    return fmt(limit, decimals) if boundary is None else as_written(boundary)


def _ends(words: Words, limits: Limits) -> tuple[str, str]:
    """The lower and upper lines as the chart draws them."""
    decimals = words.limit_decimals
    return (
        _line_end(limits.lnpl, limits.lower_boundary, decimals),
        _line_end(limits.unpl, limits.upper_boundary, decimals),
    )


def _expectation(words: Words, limits: Limits) -> str:
    """'expect between 12.3 and 30.4 complaints each month, 21.4 on average'."""
    values = [v for v in words.xmr.values if v is not None]
    low, high = _ends(words, limits)
    if limits.lnpl < 0 <= min(values, default=0):
        expect = f"expect up to {words.level(limits.unpl)}"
    elif words.unit.strip() == "%" and limits.unpl > 100 >= max(values, default=100):
        expect = f"expect at least {words.level(limits.lnpl)}"
    else:
        expect = f"expect between {between(low, high, words.unit)}"
    return f"{expect} each {words.per}, {words.level(limits.center)} on average"


def limits_range(limits: Limits, decimals: int, unit: str = "") -> str:
    """'12.3 to 30.4 complaints', with a natural boundary in place of a limit marked."""
    low = _line_end(limits.lnpl, limits.lower_boundary, decimals)
    high = _line_end(limits.unpl, limits.upper_boundary, decimals)
    low += " (boundary)" if limits.lower_boundary is not None else ""
    high = with_unit(high, unit) + (" (boundary)" if limits.upper_boundary is not None else "")
    return f"{low} to {high}"


def _since(words: Words) -> str:
    return words.when(words.xmr.current_phase.start)


def status_sentence(words: Words) -> str:
    """Run chart, predictable, or the signal count of the current phase."""
    phase = words.xmr.current_phase
    limits = phase.limits
    if limits is None:
        count = len(_phase_values(words.xmr, phase))
        where = f" since {_since(words)}" if len(words.xmr.phases) > 1 else ""
        reason = no_limits_reason(words.xmr, phase, words.unit, words.per)
        if reason:
            return f"Run chart{where}: {count} values so far, but {reason}."
        plural = "value" if count == 1 else "values"
        return f"Run chart{where}: {count} {plural} so far; limits need {MIN_LIMIT_POINTS}."
    signals = current_signals(words.xmr)
    trial = " (trial limits)" if limits.trial else ""
    if not signals:
        return f"Predictable since {_since(words)}: {_expectation(words, limits)}{trial}."
    plural = "signal" if len(signals) == 1 else "signals"
    low, high = _ends(words, limits)
    return (
        f"Not predictable: {len(signals):,} {plural} since {_since(words)}, against natural "
        f"process limits of {between(low, high, words.unit, 'to')} (central line "
        f"{words.level(limits.center)}){trial}."
    )


NO_LIMITS: dict[WithoutLimits, str] = {
    "few_values": "none yet (too few values)",
    "few_ranges": "none yet (too few moving ranges: missing periods)",
    "too_coarse": "none (the data are too coarse for limits)",
}
"""What a table or a list shows for a phase without limits, by the reason."""


def no_limits_reason(analysis: Analysis, phase: Phase, unit: str = "", per: str = "") -> str:
    """Why a phase with at least 5 values has no limits, and what to do about it ('' for a
    phase with limits or with too few values): a clause that follows 'N values so far, but'."""
    baseline = len(phase.baseline)
    known = sum(v is not None for v in analysis.values[phase.start : phase.end])
    if phase.without_limits == "few_values" and known >= MIN_LIMIT_POINTS:
        return f"only {baseline} of them can be in the baseline, and limits need {MIN_LIMIT_POINTS}"
    if phase.without_limits == "few_ranges":
        return (
            f"missing periods leave only {counted(phase.baseline_ranges, 'moving range')} "
            f"between its {baseline} baseline values, and limits need "
            f"{analysis.options.min_moving_ranges} (five values in a row)"
        )
    if phase.without_limits != "too_coarse" or phase.step is None:
        return ""
    longer = f"over a longer period than a {per}" if per else "over a longer period"
    if phase.step == 0:
        return (
            "they do not vary (every moving range of the baseline is 0), so there is no "
            "variation to compute limits from. If the process does vary, record the values in "
            f"finer units (more decimals), or {longer}"
        )
    members = frozenset(phase.baseline)
    zeros = sum(1 for i in members if i - 1 in members and analysis.moving_ranges[i] == 0)
    step = fmt(phase.step, data_decimals([phase.step]))
    step = with_unit(step, unit) if unit.strip() in ATTACHED_UNITS else step
    return (
        f"the data are too coarse for natural process limits: the values move in steps of "
        f"{step} and {zeros} of {phase.baseline_ranges} moving ranges are 0, so the rounding, "
        "not the process, would set the limits and flag ordinary values as signals. Record the "
        f"values in finer units, or {longer}"
    )


_BOUNDARY = {"lower": ("below", "lowest"), "upper": ("above", "highest")}


def boundary_sentence(words: Words) -> str:
    """Where the measure's natural boundary takes the place of a limit of the current phase."""
    limits = words.xmr.current_phase.limits
    if limits is None:
        return ""
    sentences = []
    for name, boundary, limit in (
        ("lower", limits.lower_boundary, limits.lnpl),
        ("upper", limits.upper_boundary, limits.unpl),
    ):
        if boundary is None:
            continue
        beyond, most = _BOUNDARY[name]
        bound = with_unit(as_written(boundary), words.unit)
        sentences.append(
            f"The {name} natural process limit ({words.level(limit)}) is at or {beyond} "
            f"{bound}, the {most} value the measure can take, so the chart shows that boundary "
            f"instead: no value can be {beyond} it."
        )
    return " ".join(sentences)


def trial_sentence(analysis: MeasureAnalysis) -> str:
    limits = analysis.xmr.current_phase.limits
    if limits is None or not limits.trial:
        return ""
    return (
        f"Trial limits: based on only {limits.baseline_points} values; they will firm up "
        "with more data."
    )


def phase_sentence(analysis: MeasureAnalysis) -> str:
    """Where the current phase started and why, when there is more than one phase."""
    phase = analysis.xmr.current_phase
    if phase.reason is None:
        return ""
    reason = phase.reason.rstrip()
    stop = "" if reason.endswith((".", "!", "?")) else "."
    return f"Current phase since {period_name(analysis.periods[phase.start])}: {reason}{stop}"


def latest_sentence(words: Words) -> str:
    """Whether the latest value is a signal, and what not to do when it is not."""
    latest = words.latest
    if latest is None:
        return "No values yet."
    value = words.xmr.values[latest]
    assert value is not None
    here = f"{words.value(value)} in {words.when(latest)}"
    if words.xmr.limits_at(latest) is None:
        return f"Latest value: {here}."
    signals = latest_signals(words.xmr)
    if signals and all(len(s.points) > 1 and s.rule != "mr_beyond_url" for s in signals):
        return f"The latest value ({here}) is part of that signal: the change is still going on."
    effects = {s.effect for s in signals}
    if "concern" in effects:
        return f"Signal in the latest value ({here}): find out what happened while it is fresh."
    if "improvement" in effects:
        return (
            f"Signal in the latest value ({here}): find out what happened, and keep it if it "
            "can be repeated."
        )
    if effects:
        return f"Signal in the latest value ({here}): find out what happened."
    previous = words.xmr.values[latest - 1] if latest > 0 else None
    if previous is None or latest == words.xmr.current_phase.start or previous == value:
        return f"No signal in the latest value ({here})."
    move = "dip" if value < previous else "rise"
    return f"No signal in the latest value ({here}): don't react to the {move}."


# --- targets -------------------------------------------------------------------------------------


def target_sentences(words: Words) -> tuple[str, ...]:
    """Achieved or not, and whether the process as it is can meet the target."""
    analysis = words.analysis
    reading = analysis.target
    if reading is None:
        return ()
    limits = analysis.xmr.current_phase.limits
    sentences = [_achieved_sentence(words, reading)] if reading.achieved else []
    sentences.append(_assurance_sentence(words, reading, limits))
    if limits is not None and reading.assurance is not None and changing(analysis.xmr):
        sentences.append(CHANGING)
    return tuple(s for s in sentences if s)


CHANGING = (
    "The latest values are part of a signal, so these limits may no longer describe the "
    "process: judge the target again once a new phase is recorded."
)


def changing(analysis: Analysis) -> bool:
    """A signal of the current phase includes the latest value: the process is on the move."""
    start = analysis.current_phase.start
    return any(s.points[0] >= start for s in latest_signals(analysis))


def _achieved_sentence(words: Words, reading: TargetReading) -> str:
    limits = words.xmr.current_phase.limits
    assert limits is not None
    return (
        f"Target achieved: since {_since(words)} the central line "
        f"({words.level(limits.center)}) has been at or beyond the target of "
        f"{words.target(reading.target)}."
    )


def _assurance_sentence(words: Words, reading: TargetReading, limits: Limits | None) -> str:
    target = words.target(reading.target)
    if limits is None:
        return f"The target of {target} can't be judged yet: the chart has no limits."
    if reading.assurance is None:
        return f"The target of {target} can't be judged: this measure has no better direction."
    if reading.assurance == "hit_or_miss":
        decimals = max(
            distinct(reading.target, limits.lnpl, words.limit_decimals),
            distinct(reading.target, limits.unpl, words.limit_decimals),
        )
        low, high = fmt(limits.lnpl, decimals), fmt(limits.unpl, decimals)
        text = (
            f"The target of {target} sits inside the natural process limits "
            f"({between(low, high, words.unit, 'to')}): "
            "hit or miss. Some values will meet it and some won't, so one value meeting it "
            "proves nothing."
        )
        return text + ("" if reading.achieved else " " + _gap(words, reading, limits))
    above = exact.side(reading.target, limits.lines.upper) > 0
    limit = limits.unpl if above else limits.lnpl
    where = "above the upper" if above else "below the lower"
    shown = words.level(limit, distinct(reading.target, limit, words.limit_decimals))
    head = f"The target of {target} sits {where} natural process limit ({shown})"
    if reading.assurance == "met_consistently":
        return f"{head}: it will be met consistently as the process stands, without any change."
    return f"{head}: it will not be met unless the process changes. {_gap(words, reading, limits)}"


def _gap(words: Words, reading: TargetReading, limits: Limits) -> str:
    """The size of the improvement needed: from the central line to the target."""
    return (
        f"To reach it, the central line has to move from {words.level(limits.center)} to "
        f"{words.target(reading.target)}."
    )


# --- the whole reading ---------------------------------------------------------------------------


def _signal_summary(words: Words, signals: Sequence[Signal], latest: str) -> str:
    """The signal that matters most now, in one or two sentences: of those that include the
    latest value, the one that started first (the lasting change), plus the latest value when
    it is itself beyond a limit; else the most recent signal and the latest value."""
    analysis = words.analysis
    current = [s for s in signals if words.latest in s.points]
    if not current:
        recent = max(signals, key=lambda s: (s.points[-1], s.points[0]))
        head = f"Signal: {describe_signal(words, recent)}{_EFFECT[recent.effect]}."
        return f"{head} {latest}"
    lasting = min(current, key=lambda s: (s.points[0], -len(s.points)))
    head = f"Signal: {describe_signal(words, lasting)}{_EFFECT[lasting.effect]}."
    point = next((s for s in current if s.rule == "beyond_limits" and s is not lasting), None)
    if point is None:
        return head
    limits = analysis.xmr.limits_at(point.points[0])
    value = analysis.xmr.values[point.points[0]]
    assert limits is not None and value is not None
    limit = limits.unpl if point.side == "high" else limits.lnpl
    return (
        f"{head} The latest value, {words.value(value)} in {words.when(point.points[0])}, is "
        f"also {_LIMIT[point.side]} natural process limit of "
        f"{words.level(limit, distinct(value, limit, words.limit_decimals))}."
    )


def _signal_paragraphs(words: Words, signals: Sequence[Signal]) -> list[str]:
    """A sentence for each of the latest READ_SIGNALS signals, after a word on the others."""
    described = latest_of(signals, READ_SIGNALS)
    earlier = len(signals) - len(described)
    head = (
        [
            f"Only the latest {len(described)} of {len(signals):,} signals since {_since(words)} "
            "are described here."
        ]
        if earlier
        else []
    )
    return head + [signal_sentence(words, s) for s in described]


def read_measure(measure: Measure, analysis: MeasureAnalysis) -> Reading:
    """The reading of one measure's chart: a short summary and the paragraphs of its page."""
    words = Words.of(measure, analysis)
    xmr = analysis.xmr
    status = status_sentence(words)
    signals = current_signals(xmr) if xmr.current_phase.limits else ()
    latest = latest_sentence(words)
    if signals:
        summary = _signal_summary(words, signals, latest)
    else:
        summary = f"{status} {latest}" if xmr.current_phase.limits else status
    paragraphs = [
        status,
        phase_sentence(analysis),
        trial_sentence(analysis),
        boundary_sentence(words),
        *_signal_paragraphs(words, signals),
        latest,
        " ".join(target_sentences(words)),
    ]
    return Reading(summary=summary, paragraphs=tuple(p for p in paragraphs if p))
