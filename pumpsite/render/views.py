"""View-models of measures: what the page templates show of a measure, already in words and
formatted numbers."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from pumpsite.analysis.episodes import Episode, episodes_of, latest_first, outdated_limits
from pumpsite.analysis.measure import MeasureAnalysis
from pumpsite.analysis.reading import (
    NO_LIMITS,
    Words,
    current_episodes,
    current_signals,
    describe_episode,
    latest_index,
    level_decimals,
    limits_range,
    list_episodes,
    period_name,
    read_measure,
    rebase_sentence,
    shortfall_words,
    signal_label,
    span_name,
    stale_sentence,
    stale_words,
    unjudged,
    with_unit,
)
from pumpsite.analysis.xmr import LEVEL_RULES, WithoutLimits
from pumpsite.labels import ASSURANCE_WORDS, EFFECT_LABELS, ROLE_LABELS
from pumpsite.model import Goal, Measure
from pumpsite.numbers import data_decimals, fmt, fmt_plain
from pumpsite.periods import Period
from pumpsite.render.action_views import ActionLine
from pumpsite.render.chart.plan import LATEST_VALUES, ChartNote, full_chart_notes
from pumpsite.render.chart.text import ChartTable, chart_table
from pumpsite.render.chart_ref import ChartRef
from pumpsite.render.paths import data_file, goal_page, measure_page
from pumpsite.render.safe_markdown import notes_html
from pumpsite.render.summary import SummaryRow, summary_row
from pumpsite.schema import Role

RUN_CHART: dict[WithoutLimits, str] = {
    "few_values": "Run chart: too few values for limits",
    "few_ranges": "Run chart: too few values in a row for limits",
    "too_coarse": "Run chart: data too coarse for limits",
}
RECENT_VALUES = 3
"""A KPI needs attention when a concern signal of the X chart touches one of its latest
this-many values."""
OUTDATED = "Most of the latest values are signals: these limits no longer describe the process."
CARD_SIGNALS = 3
"""Overview cards name at most this many signals (episodes) of the current phase."""
LISTED_SIGNALS = 20
"""The measure page's table lists at most this many signals (episodes) that touch the report
quarter, the latest ones; the earlier ones are collapsed below it."""
EARLIER_SIGNALS = 50
"""The collapsed list of earlier signals holds at most this many, the latest. The data table,
like the chart, shows the latest LATEST_VALUES values."""

# --- view-models ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SignalView:
    """One signal as a reader counts it: an episode, the signals of one rule and side that
    overlap or follow each other."""

    rule: str
    label: str  # the rule's name, like "Run of 8 on one side"
    when: str  # "Nov 2026" or "Apr 2026 to Nov 2026"
    effect: str  # improvement | concern | neutral
    effect_label: str  # Improvement | Concern | Signal
    sentence: str  # plain words: "8 values in a row below the central line (21.4), …"
    new: bool  # includes the latest value


@dataclass(frozen=True, slots=True)
class TargetView:
    target: str  # "2.5%", or "" when the role sets none
    deadline: str  # "31 Mar 2027" or ""
    owner: str  # user text, or ""
    assurance: str  # in words
    achieved: bool
    achieved_text: str
    deadline_passed: bool
    deadline_note: str  # "deadline 31 Mar 2026 passed" once the report date is after it, else ""


@dataclass(frozen=True, slots=True)
class Status:
    key: str  # predictable | attention | improved | signals | run_chart | no_data
    label: str


@dataclass(frozen=True, slots=True)
class MeasureView:
    """One measure as overview pages show it."""

    id: str
    title: str  # user text
    page: str  # docs path of its page
    role: str  # improve | sustain, in the report quarter
    role_label: str  # Key result | KPI
    goal_id: str
    goal_title: str  # user text
    goal_page: str | None  # None when the goal file is missing
    owner: str  # user text: the role's owner for a key result, else the measure's
    unit: str  # user text
    summary: str  # plain text
    has_data: bool
    status: Status
    signals: tuple[SignalView, ...]  # of the current phase, those of the report quarter:
    # at most CARD_SIGNALS, the latest (at least the latest one)
    more_signals: str  # "24 earlier signals" when `signals` leaves some out, else ""
    new_signals: tuple[SignalView, ...]  # including the latest value
    outdated: str  # "Most of the latest values are signals: …" when the limits no longer
    # describe the process (then overviews say that instead of naming signals), else ""
    target: TargetView | None
    rebase_hint: str
    chart: ChartRef | None  # the small chart, None without data
    stale: str  # "no value for Oct 2026 yet", "no data after 1970", or "" when up to date
    row: SummaryRow  # its row of a summary table: sparkline, icons, latest value, limits
    actions: tuple[ActionLine, ...] = ()  # the actions that aim to move it, by start date


@dataclass(frozen=True, slots=True)
class GoalView:
    id: str
    title: str  # user text
    page: str
    owner: str  # user text
    depth: int
    parent: GoalView | None
    children: tuple[GoalView, ...] = ()
    key_results: tuple[MeasureView, ...] = ()
    kpis: tuple[MeasureView, ...] = ()
    actions: tuple[ActionLine, ...] = ()  # the actions that serve it, by start date


@dataclass(frozen=True, slots=True)
class PhaseView:
    start: str
    end: str
    reason: str  # user text
    center: str
    limits: str
    url: str
    baseline: str
    trial: bool


@dataclass(frozen=True, slots=True)
class RoleView:
    start: str
    label: str
    target: str
    deadline: str
    owner: str  # user text
    note: str  # user text
    in_force: bool


@dataclass(frozen=True, slots=True)
class EventView:
    when: str
    kind: str
    text: str  # user text


@dataclass(frozen=True, slots=True)
class MeasureDetail:
    """Everything the measure page shows beyond the overview."""

    view: MeasureView
    paragraphs: tuple[str, ...]  # plain text
    stale_sentence: str  # plain text, before the reading; "" when the data is up to date
    chart: ChartRef | None  # the full chart, None without data
    chart_notes: tuple[ChartNote, ...]  # the chart's numbered phase changes and events
    all_signals: tuple[SignalView, ...]  # of every phase, those of the report quarter: at
    # most LISTED_SIGNALS, the latest (at least the latest one)
    earlier_title: str  # "And 24 earlier signals" when some are left out of all_signals
    earlier_signals: tuple[SignalView, ...]  # the others, the latest EARLIER_SIGNALS of them
    signals_note: str  # says how many `earlier_signals` leaves out, or ""
    no_signals: str  # what to say when `all_signals` is empty
    phases: tuple[PhaseView, ...]
    exclusions: tuple[EventView, ...]
    definition: tuple[tuple[str, str], ...]  # (label, user text)
    frequency: str
    better: str
    roles: tuple[RoleView, ...]
    events: tuple[EventView, ...]
    body: str  # the notes as safe HTML for the page (`safe_markdown.notes_html`)
    chart_table: ChartTable | None  # the full chart's data and signals, None without data
    values_note: str  # says how many values the chart and `data` leave out, or ""
    csv: str  # docs path of the CSV copy, "" without data
    source: str  # the source file's repo path
    edit_url: str  # "" without edit_base


# --- building the view-models --------------------------------------------------------------------


def _signal_view(words: Words, episode: Episode) -> SignalView:
    periods = words.analysis.periods
    return SignalView(
        rule=episode.rule,
        label=signal_label(words.analysis, episode.as_signal()),
        when=span_name(periods[episode.start], periods[episode.end]),
        effect=episode.effect,
        effect_label=EFFECT_LABELS[episode.effect],
        sentence=describe_episode(words, episode),
        new=words.latest in episode.points,
    )


def _short_date(day: date) -> str:
    return period_name(Period("daily", day.toordinal()))


def _target_number(value: float, measure: Measure) -> str:
    return with_unit(fmt(value, data_decimals([value])), measure.meta.unit)


def _target_view(
    measure: Measure, analysis: MeasureAnalysis | None, role: Role, report_date: date
) -> TargetView:
    reading = analysis.target if analysis else None
    if role.target is None:
        assurance = "no target set"
    elif reading is None or reading.assurance is None:
        limits = analysis.xmr.current_phase.limits if analysis else None
        assurance = (
            "can't be judged yet: no limits"
            if limits is None
            else "can't be judged: no better direction"
        )
    else:
        assurance = ASSURANCE_WORDS[reading.assurance]
    achieved = bool(reading and reading.achieved)
    return TargetView(
        target=_target_number(role.target, measure) if role.target is not None else "",
        deadline=_short_date(role.deadline) if role.deadline else "",
        owner=role.owner or measure.meta.owner or "",
        assurance=assurance,
        achieved=achieved,
        achieved_text=_achieved_text(measure, analysis),
        deadline_passed=bool(role.deadline and role.deadline < report_date and not achieved),
        deadline_note=(
            f"deadline {_short_date(role.deadline)} passed"
            if role.deadline and role.deadline < report_date
            else ""
        ),
    )


def _achieved_text(measure: Measure, analysis: MeasureAnalysis | None) -> str:
    reading = analysis.target if analysis else None
    if analysis is None or reading is None:
        return "not yet: no data"
    if reading.achieved:
        return (
            "yes: after a signal of improvement, a new phase's central line is at or past the "
            "target"
        )
    return "not yet: " + "; ".join(shortfall_words(Words.of(measure, analysis), reading))


def _status(role: str, analysis: MeasureAnalysis | None) -> Status:
    """Where a measure stands, in words: predictable, or which kind of signal is recent. Only
    the X chart's signals have a direction: a moving range is a jump either way."""
    if analysis is None:
        return Status("no_data", "No data yet")
    xmr = analysis.xmr
    if xmr.current_phase.limits is None:
        return Status("run_chart", RUN_CHART[xmr.current_phase.without_limits or "few_values"])
    signals = current_signals(xmr)
    if not signals:
        return Status("predictable", "Predictable")
    latest = latest_index(xmr) or 0
    recent = [s for s in signals if s.rule in LEVEL_RULES and s.points[-1] > latest - RECENT_VALUES]
    if any(s.effect == "concern" for s in recent):
        return Status("attention", "Needs attention")
    if xmr.options.better == "neutral" and any(latest in s.points for s in signals):
        return Status("attention", "Needs attention")
    if any(s.effect == "improvement" for s in recent):
        if role == "improve":
            hint = ": consider a new phase" if xmr.rebase_hint is not None else ""
            return Status("improved", f"Improving{hint}")
        if xmr.rebase_hint is not None:
            return Status("improved", "Improved: consider a new phase")
        return Status("improved", "Better than usual: find out why")
    return Status("signals", "Signals")


def _left_out(total: int, shown: int, noun: str) -> str:
    """'24,603 earlier signals' when only `shown` of `total` are shown, else ''."""
    hidden = total - shown
    return f"{hidden:,} {noun}{'s' * (hidden != 1)}" if hidden > 0 else ""


def _current_signals(
    measure: Measure, analysis: MeasureAnalysis | None, report_date: date
) -> tuple[tuple[SignalView, ...], str, tuple[SignalView, ...]]:
    """The signals of the current phase that touch the report quarter, a word on the others,
    and those that include the latest value."""
    if analysis is None or analysis.xmr.current_phase.limits is None:
        return (), "", ()
    words = Words.of(measure, analysis)
    current = current_episodes(analysis.xmr)
    shown = list_episodes(analysis, current, report_date, CARD_SIGNALS)
    return (
        tuple(_signal_view(words, e) for e in shown.listed),
        _left_out(len(current), len(shown.listed), "earlier signal"),
        tuple(_signal_view(words, e) for e in current if words.latest in e.points),
    )


def measure_view(
    measure: Measure,
    analysis: MeasureAnalysis | None,
    goals: Mapping[str, Goal],
    report_date: date,
) -> MeasureView:
    role = measure.role_at(report_date)
    kind = measure.role_kind_at(report_date)
    goal = goals.get(measure.meta.goal)
    summary = read_measure(measure, analysis).summary if analysis else "No data yet."
    signals, more_signals, new_signals = _current_signals(measure, analysis, report_date)
    target = (
        _target_view(measure, analysis, role, report_date) if role and kind == "improve" else None
    )
    return MeasureView(
        id=measure.id,
        title=measure.title,
        page=measure_page(measure.id),
        role=kind,
        role_label=ROLE_LABELS[kind],
        goal_id=measure.meta.goal,
        goal_title=goal.title if goal else measure.meta.goal,
        goal_page=goal_page(goal.id) if goal else None,
        owner=(target.owner if target else "") or measure.meta.owner or "",
        unit=measure.meta.unit,
        summary=summary,
        has_data=analysis is not None,
        status=_status(kind, analysis),
        signals=signals,
        more_signals=more_signals,
        new_signals=new_signals,
        outdated=OUTDATED if analysis and outdated_limits(analysis.xmr) else "",
        target=target,
        rebase_hint=rebase_sentence(analysis) if analysis else "",
        chart=ChartRef(measure.id, "small") if analysis else None,
        stale=stale_words(analysis.stale) if analysis and analysis.stale else "",
        row=summary_row(measure, analysis, bool(target and target.target)),
    )


def _phase_views(measure: Measure, analysis: MeasureAnalysis) -> tuple[PhaseView, ...]:
    xmr, periods = analysis.xmr, analysis.periods
    decimals = level_decimals(xmr)
    unit = measure.meta.unit
    views = []
    for phase in xmr.phases:
        limits = phase.limits
        baseline = phase.baseline
        views.append(
            PhaseView(
                start=period_name(periods[phase.start]),
                end=period_name(periods[phase.end - 1]),
                reason=phase.reason or "first phase",
                center=with_unit(fmt(limits.center, decimals), unit) if limits else "",
                limits=(
                    limits_range(limits, decimals, unit)
                    if limits
                    else NO_LIMITS[phase.without_limits or "few_values"]
                ),
                url=with_unit(fmt(limits.url, decimals), unit) if limits else "",
                baseline=(
                    f"{len(baseline)} values, "
                    f"{span_name(periods[baseline[0]], periods[baseline[-1]])}"
                    if baseline
                    else "no values"
                ),
                trial=bool(limits and limits.trial),
            )
        )
    return tuple(views)


def _role_views(measure: Measure, report_date: date) -> tuple[RoleView, ...]:
    in_force = measure.role_at(report_date)
    roles = sorted(measure.meta.roles, key=lambda r: r.start)
    return tuple(
        RoleView(
            start=str(role.start),
            label=ROLE_LABELS[role.role],
            target=_target_number(role.target, measure) if role.target is not None else "",
            deadline=_short_date(role.deadline) if role.deadline else "",
            owner=role.owner or "",
            note=role.note or "",
            in_force=role == in_force,
        )
        for role in roles
    )


def _values_note(analysis: MeasureAnalysis) -> str:
    """Says which values the chart and the table show when they leave some out."""
    periods = analysis.periods
    if len(periods) <= LATEST_VALUES:
        return ""
    first = period_name(periods[-LATEST_VALUES])
    return (
        f"The chart and the data table show the latest {LATEST_VALUES:,} of {len(periods):,} "
        f"values, from {first}; the CSV copy holds them all."
    )


def _definition(measure: Measure) -> tuple[tuple[str, str], ...]:
    d = measure.meta.definition
    rows = (
        ("Description", d.description),
        ("Formula", d.formula),
        ("Data source", d.data_source),
        ("Scope", d.scope),
        ("Data custodian", d.custodian),
        ("Unit", measure.meta.unit),
        ("Owner", measure.meta.owner),
    )
    return tuple((label, text) for label, text in rows if text)


_BETTER = {
    "up": "higher is better",
    "down": "lower is better",
    "neutral": "neither direction is better",
}


def measure_csv(measure: Measure, report_date: date) -> str:
    """The measure's data up to the report date as `period,value,note`. A note that a
    spreadsheet would run as a formula (starting with = + - @) gets a leading apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["period", "value", "note"])
    observations = [
        o
        for o in (measure.series.observations if measure.series else ())
        if o.period.start <= report_date
    ]
    decimals = data_decimals(o.value for o in observations)
    for o in observations:
        note = "'" + o.note if o.note[:1] in ("=", "+", "-", "@", "\t", "\r") else o.note
        writer.writerow([o.period.label, fmt_plain(o.value, decimals), note])
    return out.getvalue()


@dataclass(frozen=True, slots=True)
class _Listed:
    signals: tuple[SignalView, ...]
    earlier_title: str
    earlier: tuple[SignalView, ...]
    note: str


def _listed_signals(
    measure: Measure, analysis: MeasureAnalysis | None, report_date: date
) -> _Listed:
    """The signals of every phase for the measure page: those of the report quarter, and the
    latest of the earlier ones with a word on those left out."""
    if analysis is None:
        return _Listed((), "", (), "")
    words = Words.of(measure, analysis)
    shown = list_episodes(analysis, episodes_of(analysis.xmr), report_date, LISTED_SIGNALS)
    earlier = sorted(latest_first(shown.earlier, EARLIER_SIGNALS), key=lambda e: e.start)
    count = len(shown.earlier)
    return _Listed(
        signals=tuple(_signal_view(words, e) for e in shown.listed),
        earlier_title=f"And {_left_out(count, 0, 'earlier signal')}" if count else "",
        earlier=tuple(_signal_view(words, e) for e in earlier),
        note=(
            f"Only the latest {len(earlier)} of {count:,} earlier signals are listed."
            if len(earlier) < count
            else ""
        ),
    )


def _no_signals(analysis: MeasureAnalysis | None) -> str:
    """Why no signal is listed: routine variation only where there are limits to judge by."""
    if analysis is None:
        return "None: no data yet."
    why = unjudged(analysis.xmr)
    if not why:
        return "None: every value is routine variation."
    if all(phase.limits is None for phase in analysis.xmr.phases):
        return f"None found: {why} (a run chart has no limits)."
    return f"None in the phases with limits; in the others {why} (a run chart has no limits)."


def measure_detail(
    measure: Measure,
    analysis: MeasureAnalysis | None,
    view: MeasureView,
    report_date: date,
    edit_base: str | None,
    glossary: Mapping[str, str] | None = None,
) -> MeasureDetail:
    reading = read_measure(measure, analysis, report_date) if analysis else None
    listed = _listed_signals(measure, analysis, report_date)
    exclusions = tuple(
        EventView(str(e.period), "excluded", e.reason)
        for e in sorted(measure.meta.limits.exclude, key=lambda e: e.period)
    )
    events = tuple(
        EventView(period_name(e.date), e.kind, e.text)
        for e in sorted(measure.meta.events, key=lambda e: (e.date, e.kind, e.text))
    )
    return MeasureDetail(
        view=view,
        paragraphs=reading.paragraphs if reading else ("No data yet.",),
        stale_sentence=stale_sentence(analysis) if analysis else "",
        chart=ChartRef(measure.id, "full") if analysis else None,
        chart_notes=full_chart_notes(measure, analysis) if analysis else (),
        all_signals=listed.signals,
        earlier_title=listed.earlier_title,
        earlier_signals=listed.earlier,
        signals_note=listed.note,
        no_signals=_no_signals(analysis),
        phases=_phase_views(measure, analysis) if analysis else (),
        exclusions=exclusions,
        definition=_definition(measure),
        frequency=measure.meta.frequency,
        better=_BETTER[measure.meta.better],
        roles=_role_views(measure, report_date),
        events=events,
        body=notes_html(measure.body, glossary),
        chart_table=chart_table(measure, analysis) if analysis else None,
        values_note=_values_note(analysis) if analysis else "",
        csv=data_file(measure.id) if measure.series else "",
        source=measure.path,
        edit_url=f"{edit_base}{quote(measure.path)}" if edit_base else "",
    )
