"""The reading of a measure: what its XmR chart says, in plain words.

Pure. The sentences follow Wheeler and Barr: a predictable process is described by its natural
process limits (what to expect), signals are reported as candidates to interpret in context, a
single value is never a trend, and a target is judged against the limits (assurance) and is
achieved only when the central line itself has moved there after a recognised shift.
Numbers are rounded here, for display only: values as the data is written, limits and central
lines to one significant digit of the spread (`level_decimals`), more where a sentence sets a
value against a line (`distinct`). The texts are plain text: callers escape them for their medium.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from pumpsite.analysis import exact
from pumpsite.analysis.episodes import Episode, Listing, episodes_of, listing, outdated_limits
from pumpsite.analysis.measure import MeasureAnalysis, Staleness, TargetReading
from pumpsite.analysis.signals import Signal, signal_name, without_echoes
from pumpsite.analysis.xmr import (
    MIN_FIRM_POINTS,
    Analysis,
    Limits,
    Phase,
    Shortfall,
    WithoutLimits,
    at_or_past,
    unsettled,
)
from pumpsite.labels import EFFECT_ASIDES
from pumpsite.model import Measure
from pumpsite.numbers import (
    MAX_SPREAD_DECIMALS,
    as_written,
    counted,
    data_decimals,
    display_decimals,
    fmt,
    spread_decimals,
)
from pumpsite.periods import Frequency, Period, quarter_of
from pumpsite.vocabulary import MIN_LIMIT_POINTS

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
ATTACHED_UNITS = frozenset({"%", "‰", "°"})
"""Units written without a space after the number."""
NAMED_MISSING = 3
"""Stale data names up to this many missing periods; beyond, it says when the data stops."""
READ_SIGNALS = 10
"""The reading describes at most this many signals (episodes) of the current phase, those that
touch the report quarter, the latest ones: a page must stay readable and of bounded size."""


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


def at_period(period: Period) -> str:
    """'in Mar 2025', 'in week 9 of 2026', but 'on 31 Mar 2026': a day is a date."""
    return f"{'on' if period.frequency == 'daily' else 'in'} {period_name(period)}"


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
    """Enough decimals for two different numbers not to look the same once rounded: past the
    data's four when a value and a limit differ only there (0.004 above a limit of 0.00398)."""
    while decimals < MAX_SPREAD_DECIMALS and a != b and fmt(a, decimals) == fmt(b, decimals):
        decimals += 1
    return decimals


def level_decimals(analysis: Analysis) -> int:
    """Decimals for a measure's central lines, limits and moving-range lines: from the smallest
    spread among its phases with limits (`spread_decimals`), so every phase's lines look
    different; without limits, one more than the data. Display only: every side is decided on
    the exact numbers."""
    sigmas = [
        (p.limits.unpl - p.limits.center) / 3 for p in analysis.phases if p.limits is not None
    ]
    positive = [s for s in sigmas if s > 0]
    return spread_decimals(min(positive)) if positive else display_decimals(analysis.values)


@dataclass(frozen=True, slots=True)
class Words:
    """Everything the sentences of one measure need: data, formats and names, worked out once
    per measure (a series of 100,000 values is read once, not once per signal)."""

    measure: Measure
    analysis: MeasureAnalysis
    value_decimals: int
    limit_decimals: int  # limits and central lines: from the spread (level_decimals)
    latest: int | None  # the index of the last value that is not missing

    @classmethod
    def of(cls, measure: Measure, analysis: MeasureAnalysis) -> Words:
        values = analysis.xmr.values
        return cls(
            measure,
            analysis,
            value_decimals=data_decimals(values),
            limit_decimals=level_decimals(analysis.xmr),
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
        """A limit or central line, with the decimals the spread calls for."""
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

    def at(self, index: int) -> str:
        """'in Nov 2026', 'on 3 May 2023'."""
        return at_period(self.analysis.periods[index])

    def excluded_reason(self, index: int) -> str | None:
        """Why the value at `index` is excluded, or None when it is not."""
        if index not in self.xmr.excluded:
            return None
        period = self.analysis.periods[index]
        reasons = (e.reason for e in self.measure.meta.limits.exclude if e.period == period)
        return next(reasons, "")

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
    """The signals of the current phase, oldest first, one per event (without_echoes)."""
    start = analysis.current_phase.start
    return tuple(s for s in without_echoes(analysis.signals) if s.points[0] >= start)


def latest_signals(analysis: Analysis) -> tuple[Signal, ...]:
    """The signals that include the latest value: what is new in this report (one per event:
    the jump back from an outlier is not news)."""
    latest = latest_index(analysis)
    return tuple(s for s in without_echoes(analysis.signals) if latest in s.points)


# --- stale data ----------------------------------------------------------------------------------


def stale_words(stale: Staleness) -> str:
    """What is missing, briefly: 'no value for Oct 2026 yet', 'no values for Aug 2026 to Oct
    2026 yet', or 'no data after 1970' when more than NAMED_MISSING periods are."""
    first = stale.latest + 1
    if stale.missing == 1:
        return f"no value for {period_name(first)} yet"
    if stale.missing <= NAMED_MISSING:
        return f"no values for {span_name(first, stale.expected)} yet"
    return f"no data after {period_name(stale.latest)}"


def stale_sentence(analysis: MeasureAnalysis) -> str:
    """The first thing a stale measure's page says: the rest describes the past."""
    stale = analysis.stale
    if stale is None:
        return ""
    words = stale_words(stale)
    if stale.missing > NAMED_MISSING:  # the words already say when the data stops
        return f"Stale data: {words}, so this reading describes the process as it was then."
    latest = period_name(stale.latest)
    return f"Stale data: {words}. This reading describes the process up to {latest}."


def current_episodes(analysis: Analysis) -> list[Episode]:
    """The episodes of the current phase, oldest first: the signals a reader counts."""
    start = analysis.current_phase.start
    return [e for e in episodes_of(analysis) if e.start >= start]


def quarter_start(analysis: MeasureAnalysis, report_date: date | None) -> int | None:
    """The index of the first period that ends in the report quarter or later (None without
    a report date, or when every period ends before the quarter)."""
    if report_date is None:
        return None
    first_day = quarter_of(report_date).start
    periods = analysis.periods
    return next((i for i in range(len(periods)) if periods[i].end >= first_day), None)


def list_episodes(
    analysis: MeasureAnalysis, episodes: Sequence[Episode], report_date: date | None, most: int
) -> Listing:
    """The episodes that touch the report quarter (at least the latest), at most `most`."""
    return listing(episodes, quarter_start(analysis, report_date), most)


# --- signals -------------------------------------------------------------------------------------

_LIMIT = {"high": "above the upper", "low": "below the lower"}
_SIDE = {"high": "above", "low": "below"}
_NEAR = {"high": "upper", "low": "lower"}


def signal_label(analysis: MeasureAnalysis, signal: Signal) -> str:
    """The signal's name under the measure's profile, like 'Run of 9 on one side'."""
    options = analysis.xmr.options
    return signal_name(options.profile, signal, options.run_length)


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
            f"{words.value(value)} {words.at(last)} is {_LIMIT[side]} natural process "
            f"limit of {shown}"
        )
    if signal.rule == "mr_beyond_url":
        jump = analysis.xmr.moving_ranges[last]
        assert jump is not None
        direction = "rise" if side == "high" else "fall"
        decimals = distinct(jump, limits.url, words.limit_decimals)
        return (
            f"a {direction} of {words.level(jump, decimals)} from {words.when(last - 1)} to "
            f"{words.when(last)}, more than the upper range limit of "
            f"{words.level(limits.url, decimals)}"
        )
    span = words.running(points)
    if signal.rule == "long_run":
        return (
            f"{len(points):,} values in a row {_SIDE[side]} the central line of "
            f"{words.level(limits.center)}, {span}"
        )
    if signal.rule == "short_run":
        return (
            f"values closer to the {_NEAR[side]} limit than to the central line "
            f"(at least 3 of 4 in a row), {span}"
        )
    if signal.rule == "trend":
        direction = "higher" if side == "high" else "lower"
        return f"{len(points):,} values in a row, each {direction} than the one before, {span}"
    return (
        f"values close to the {_NEAR[side]} limit (2 of 3 more than two-thirds of the way "
        f"from the central line), {span}"
    )


def describe_episode(words: Words, episode: Episode) -> str:
    """What the episode is, in words: one signal's words, or for values (or moving ranges)
    beyond a limit one after another, how many and from when."""
    if episode.signals == 1 or episode.rule not in ("beyond_limits", "mr_beyond_url"):
        return describe_signal(words, episode.as_signal())
    limits = words.xmr.limits_at(episode.start)
    assert limits is not None, "signals are only found in phases with limits"
    span, side, count = words.running(episode.points), episode.side, len(episode.points)
    if episode.rule == "beyond_limits":
        limit = limits.unpl if side == "high" else limits.lnpl
        return (
            f"{count:,} values in a row {_LIMIT[side]} natural process limit of "
            f"{words.level(limit)}, {span}"
        )
    moves = "rises" if side == "high" else "falls"
    return (
        f"{count:,} {moves} one after another, each more than the upper range limit of "
        f"{words.level(limits.url)}, {span}"
    )


def episode_sentence(words: Words, episode: Episode) -> str:
    """'Signal: ... (an improvement).' plus the new-phase hint for a run still going."""
    if episode.signals == 1:
        return signal_sentence(words, episode.as_signal())
    return f"Signal: {describe_episode(words, episode)}{EFFECT_ASIDES[episode.effect]}."


def signal_sentence(words: Words, signal: Signal) -> str:
    """'Signal: ... (an improvement).' plus the new-phase hint for a run still going."""
    text = f"Signal: {describe_signal(words, signal)}{EFFECT_ASIDES[signal.effect]}."
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
    signals = current_episodes(words.xmr)
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


UNJUDGED: dict[WithoutLimits, str] = {
    "few_values": "too few values to judge",
    "few_ranges": "too few moving ranges to judge (missing periods)",
    "too_coarse": "the data are too coarse to judge",
}
"""Why a phase without limits has no signals, by the reason it has none."""


def unjudged(analysis: Analysis) -> str:
    """Why the phases without limits cannot show signals: 'too few values to judge', 'the data
    are too coarse to judge', or both; "" when every phase has limits."""
    reasons = dict.fromkeys(
        phase.without_limits or "few_values" for phase in analysis.phases if phase.limits is None
    )
    return " or ".join(UNJUDGED[reason] for reason in reasons)


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
    head = f"Trial limits: based on only {limits.baseline_points} values"
    if baseline_locked(analysis.xmr):
        return (
            f"{head}, the baseline set for this measure, so more data will not change them; "
            f"a baseline of {MIN_FIRM_POINTS} values or more would firm them up."
        )
    return f"{head}; they will firm up with more data."


def baseline_locked(analysis: Analysis) -> bool:
    """The current phase's baseline takes no more values: a range of periods was set for the
    first phase, or the baseline already has the number of values set."""
    phase, options = analysis.current_phase, analysis.options
    if phase.reason is None and options.baseline_range is not None:
        return True
    return len(phase.baseline) >= options.baseline_size


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
    here = f"{words.value(value)} {words.at(latest)}"
    reason = words.excluded_reason(latest)
    if reason is not None:
        because = f": {reason}" if reason else ""
        return (
            f"Latest value: {here}, excluded{because}. It is left out of the limits and the "
            "signal rules."
        )
    if words.xmr.limits_at(latest) is None:
        return f"Latest value: {here}."
    return _latest_signal_sentence(words, here) or _no_signal_sentence(words, here)


def _latest_signal_sentence(words: Words, here: str) -> str:
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
    return ""


def _no_signal_sentence(words: Words, here: str) -> str:
    latest = words.latest
    assert latest is not None
    xmr = words.xmr
    value, previous = xmr.values[latest], xmr.values[latest - 1] if latest > 0 else None
    outlier = any(s.rule == "beyond_limits" and s.points == (latest - 1,) for s in xmr.signals)
    if outlier:
        return (
            f"No signal in the latest value ({here}): it is back within the limits after the "
            f"exceptional value {words.at(latest - 1)}."
        )
    if previous is None or latest == xmr.current_phase.start or previous == value:
        return f"No signal in the latest value ({here})."
    move = "dip" if value is not None and value < previous else "rise"
    return f"No signal in the latest value ({here}): don't react to the {move}."


# --- targets -------------------------------------------------------------------------------------


def target_sentences(words: Words) -> tuple[str, ...]:
    """Whether the process as it is can meet the target, and whether it is achieved: an
    achievement first, what keeps it from being achieved last. When the limits no longer
    describe the process, that comes first: no verdict before it."""
    reading = words.analysis.target
    if reading is None:
        return ()
    limits = words.xmr.current_phase.limits
    assurance = _assurance_sentence(words, reading, limits)
    achieved = _achievement_sentence(words, reading)
    first = reading.achieved and reading.assurance != "unpredictable"
    ordered = (achieved, assurance) if first else (assurance, achieved)
    return tuple(s for s in ordered if s)


def _achievement_sentence(words: Words, reading: TargetReading) -> str:
    """Achieved, with the signal that marks it; or, when the central line is past the target
    without it being achieved, what is missing. (Short of the target, the gap says it.)"""
    limits = words.xmr.current_phase.limits
    target = words.target(reading.target)
    if reading.achieved:
        assert limits is not None and reading.achievement.change is not None
        change = reading.achievement.change
        name = signal_label(words.analysis, change)
        return (
            f"Target achieved: the phase from {_since(words)} starts with a signal of improvement "
            f"against the previous limits ({name[0].lower()}{name[1:]}, from "
            f"{words.when(change.points[0])}), and its central line, "
            f"{words.level(limits.center)}, is at or past the target of {target}."
        )
    better = words.measure.meta.better
    if limits is None or better == "neutral" or reading.assurance == "unpredictable":
        return ""  # limits the process has left say nothing about the target (see assurance)
    if not at_or_past(limits.lines.center, reading.target, better):
        return ""
    return (
        f"Not achieved yet, although the central line ({words.level(limits.center)}) is at or "
        f"past the target of {target}: {'; '.join(shortfall_words(words, reading))}."
    )


def shortfall_words(words: Words, reading: TargetReading) -> list[str]:
    """What keeps the target from being achieved, in words."""
    return [_SHORTFALL[s](words, reading) for s in reading.achievement.shortfalls]


def _previous_limits(words: Words) -> Limits | None:
    phases = words.xmr.phases
    return phases[-2].limits if len(phases) > 1 else None


def _current_limits(words: Words) -> Limits:
    limits = words.xmr.current_phase.limits
    assert limits is not None, "only a phase with limits falls short this way"
    return limits


def _not_better(words: Words, reading: TargetReading) -> str:
    current, previous = _current_limits(words), _previous_limits(words)
    assert previous is not None
    return (
        f"the new phase's central line ({words.level(current.center)}) is not better than the "
        f"previous one ({words.level(previous.center)})"
    )


def _no_signal(words: Words, reading: TargetReading) -> str:
    if _previous_limits(words) is None:
        return "the previous phase has no limits to show a shift against"
    return (
        "no signal of improvement against the previous limits marks the start of the new "
        f"phase ({_since(words)})"
    )


def _trial(words: Words, reading: TargetReading) -> str:
    points = _current_limits(words).baseline_points
    return f"the new phase's limits are still trial ({points} values; firm from {MIN_FIRM_POINTS})"


def _short_of_target(words: Words, reading: TargetReading) -> str:
    center, target = words.level(_current_limits(words).center), words.target(reading.target)
    return f"the central line ({center}) has not reached the target of {target}"


_SHORTFALL: dict[Shortfall, Callable[[Words, TargetReading], str]] = {
    "no_direction": lambda words, reading: "this measure has no better direction",
    "no_new_phase": lambda words, reading: "no new phase has been recorded after a sustained shift",
    "no_limits": lambda words, reading: (
        f"the new phase (since {_since(words)}) has too few values for limits"
    ),
    "not_better": _not_better,
    "no_signal": _no_signal,
    "trial": _trial,
    "short_of_target": _short_of_target,
}


def _assurance_sentence(words: Words, reading: TargetReading, limits: Limits | None) -> str:
    target = words.target(reading.target)
    if limits is None:
        return f"The target of {target} can't be judged yet: the chart has no limits."
    if reading.assurance is None:
        return f"The target of {target} can't be judged: this measure has no better direction."
    if reading.assurance == "unpredictable":
        return _unpredictable_sentence(words, target)
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


def _unpredictable_sentence(words: Words, target: str) -> str:
    signals = unsettled(words.xmr)
    lasting = min(signals, key=lambda s: (s.points[0], -len(s.points)))
    return (
        f"The target of {target} can't be judged until a new phase: the latest values are "
        f"signals ({describe_signal(words, lasting)}), so the limits since {_since(words)} no "
        "longer describe the process."
    )


def _gap(words: Words, reading: TargetReading, limits: Limits) -> str:
    """What has to change: the central line, when it is short of the target (the size of the
    improvement needed); when it is already past it, the limit on the unfavourable side, which
    has to clear the target for every value to meet it."""
    better = words.measure.meta.better
    target = words.target(reading.target)
    if not at_or_past(limits.center, reading.target, better):
        center = words.level(limits.center)
        return f"To reach it, the central line has to move from {center} to {target}."
    if better == "up":
        limit, move = f"lower natural process limit ({words.level(limits.lnpl)})", "rise above"
    else:
        limit, move = f"upper natural process limit ({words.level(limits.unpl)})", "fall below"
    return f"To meet it every time, the {limit} has to {move} {target}."


# --- the whole reading ---------------------------------------------------------------------------


def _signal_summary(words: Words, episodes: Sequence[Episode], latest: str) -> str:
    """The signal that matters most now, in one or two sentences: of those that include the
    latest value, the one that started first (the lasting change), plus the latest value when
    it is itself beyond a limit; else the most recent signal and the latest value."""
    analysis = words.analysis
    current = [e for e in episodes if words.latest in e.points]
    if not current:
        recent = max(episodes, key=lambda e: (e.end, e.start))
        head = f"Signal: {describe_episode(words, recent)}{EFFECT_ASIDES[recent.effect]}."
        return f"{head} {latest}"
    lasting = min(current, key=lambda e: (e.start, -len(e.points)))
    head = f"Signal: {describe_episode(words, lasting)}{EFFECT_ASIDES[lasting.effect]}."
    point = next((e for e in current if e.rule == "beyond_limits" and e is not lasting), None)
    if point is None or words.latest is None:
        return head
    limits = analysis.xmr.limits_at(words.latest)
    value = analysis.xmr.values[words.latest]
    assert limits is not None and value is not None
    limit = limits.unpl if point.side == "high" else limits.lnpl
    return (
        f"{head} The latest value, {words.value(value)} {words.at(words.latest)}, is "
        f"also {_LIMIT[point.side]} natural process limit of "
        f"{words.level(limit, distinct(value, limit, words.limit_decimals))}."
    )


def _signal_paragraphs(
    words: Words, episodes: Sequence[Episode], report_date: date | None
) -> list[str]:
    """A sentence for each signal that touches the report quarter (at most READ_SIGNALS, and
    at least the latest), then a word on the earlier ones."""
    shown = list_episodes(words.analysis, episodes, report_date, READ_SIGNALS)
    paragraphs = [episode_sentence(words, e) for e in shown.listed]
    earlier = len(shown.earlier)
    if earlier:
        plural = "signal" if earlier == 1 else "signals"
        paragraphs.append(
            f"Not described here: {earlier:,} earlier {plural} since {_since(words)}."
        )
    return paragraphs


def outdated_sentence(words: Words) -> str:
    """Said once when most recent values are signals: the limits describe a process that is
    no longer there. '' otherwise."""
    outdated = outdated_limits(words.xmr)
    if outdated is None:
        return ""
    return (
        f"Most of the latest values are signals ({outdated.signals} of the latest "
        f"{outdated.values}, since {words.when(outdated.first)}): these limits no longer "
        "describe the process. Record a new phase if something changed; otherwise the data may "
        "have a trend or a season."
    )


REMEDY = (
    "For a trend or a season the usual answer is an XmR chart of deseasonalised values, or one "
    "around a trend line, which pumpsite does not draw."
)


def read_measure(
    measure: Measure, analysis: MeasureAnalysis, report_date: date | None = None
) -> Reading:
    """The reading of one measure's chart: a short summary and the paragraphs of its page. The
    signals described are those that touch the quarter of `report_date` (without one, the
    latest); the summary does not depend on it."""
    words = Words.of(measure, analysis)
    xmr = analysis.xmr
    status = status_sentence(words)
    episodes = current_episodes(xmr) if xmr.current_phase.limits else []
    outdated = outdated_sentence(words)
    latest = latest_sentence(words)
    if outdated:
        summary = outdated
    elif episodes:
        summary = _signal_summary(words, episodes, latest)
    else:
        summary = f"{status} {latest}" if xmr.current_phase.limits else status
    paragraphs = [
        status,
        f"{outdated} {REMEDY}" if outdated else "",
        phase_sentence(analysis),
        trial_sentence(analysis),
        boundary_sentence(words),
        *([] if outdated else _signal_paragraphs(words, episodes, report_date)),
        _plain_latest(words) if outdated else latest,
        " ".join(target_sentences(words)),
    ]
    return Reading(summary=summary, paragraphs=tuple(p for p in paragraphs if p))


def _plain_latest(words: Words) -> str:
    """The latest value without a verdict: against outdated limits every value is a signal."""
    latest = words.latest
    value = words.xmr.values[latest] if latest is not None else None
    if latest is None or value is None:
        return ""
    return f"Latest value: {words.value(value)} in {words.when(latest)}."
