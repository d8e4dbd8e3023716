"""The method's own tests as warnings, each with its reasoning: a wishful number, a target
without a baseline, the deadline test, everything is an OKR, passive monitoring of a change;
and a running action past its planned end. Pure: the repository, the analyses and the report
date in, warnings out."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from itertools import pairwise

from pumpsite.analysis.measure import MeasureAnalysis
from pumpsite.analysis.reading import current_episodes, latest_index
from pumpsite.model import Measure, Repo
from pumpsite.numbers import counted
from pumpsite.periods import Period, quarter_of
from pumpsite.problems import (
    DEADLINE_TEST,
    EVERYTHING_OKR,
    NO_BASELINE_TARGET,
    OVERDUE_ACTION,
    PASSIVE_MONITORING,
    WISHFUL_NUMBER,
    Problem,
)
from pumpsite.schema import Role
from pumpsite.vocabulary import MIN_LIMIT_POINTS

DEADLINE_QUARTERS = 4
"""A key result this many full quarters in a row (a year) is a KPI in the wrong document."""
PUSHED_OUT = 2
"""A deadline moved later this many times in a row of key results has been pushed out."""


def lint_method(
    repo: Repo, analyses: Mapping[str, MeasureAnalysis], report_date: date
) -> list[Problem]:
    problems = list(overdue_actions(repo, report_date))
    problems += everything_okr(repo, report_date)
    aims = action_starts(repo, report_date)
    for measure in repo.measures.values():
        problems += target_without_baseline(measure)
        problems += deadline_test(measure, report_date)
        if (analysis := analyses.get(measure.id)) is not None:
            problems += wishful_number(aims, measure, analysis)
            problems += passive_monitoring(aims, measure, analysis, report_date)
    return problems


Aims = Mapping[str, list[date]]
"""Measure id -> the start of each planned or running action that aims to move it."""


def action_starts(repo: Repo, report_date: date) -> Aims:
    """Who aims at what, gathered once: asking every action for every measure is quadratic."""
    aims: dict[str, list[date]] = {}
    for action in repo.actions.values():
        status = action.status_on(report_date) or action.meta.status[0]
        if status.status in ("planned", "running"):
            for measure_id in {aim.measure for aim in action.meta.measures}:
                aims.setdefault(measure_id, []).append(action.meta.start)
    return aims


def aimed_at(aims: Aims, measure_id: str, since: date | None = None) -> bool:
    """Whether a planned or running action aims to move the measure (started on or after
    `since`, when given)."""
    return any(since is None or start >= since for start in aims.get(measure_id, ()))


def overdue_actions(repo: Repo, report_date: date) -> Iterator[Problem]:
    for action in repo.actions.values():
        status, end = action.status_on(report_date), action.meta.end
        if status is None or status.status != "running" or end is None or end >= report_date:
            continue
        yield Problem(
            action.path,
            action.line("end"),
            OVERDUE_ACTION,
            f"The action is still running, but its planned end was {end}. Record what "
            "happened: a status done or dropped with its date, or a later end if it goes on.",
        )


def wishful_number(aims: Aims, measure: Measure, analysis: MeasureAnalysis) -> Iterator[Problem]:
    reading, role = analysis.target, analysis.role
    if role is None or role.role != "improve" or reading is None:
        return
    if reading.assurance != "not_met" or aimed_at(aims, measure.id):
        return
    index = measure.meta.roles.index(role)
    yield Problem(
        measure.path,
        measure.line("roles", index, "target"),
        WISHFUL_NUMBER,
        f"Wishful number: the target {reading.target:g} is not met unless the process changes, "
        "and no planned or running action aims to move this measure. A target without a means "
        "is a wish: write the action (kind: action) that will change the process.",
    )


def target_without_baseline(measure: Measure) -> Iterator[Problem]:
    series = measure.series
    if series is None:
        return
    for index, role in enumerate(measure.meta.roles):
        if role.role != "improve" or role.target is None:
            continue
        before = [
            o
            for o in series.observations
            if o.value is not None and o.period.end < role.start.start
        ]
        if len(before) >= MIN_LIMIT_POINTS:
            continue
        yield Problem(
            measure.path,
            measure.line("roles", index, "from"),
            NO_BASELINE_TARGET,
            f"Target without a baseline: the key result starts in {role.start}, when the measure "
            f"has {counted(len(before), 'value')} and a baseline needs at least "
            f"{MIN_LIMIT_POINTS}. Measure first, then set the target: without limits nobody "
            "knows what the process does now.",
        )


def _improve_run(roles: list[Role], current: Role) -> list[Role]:
    """The improve roles in a row that end with `current`."""
    ordered = sorted(roles, key=lambda r: r.start)
    run: list[Role] = []
    for role in ordered[: ordered.index(current) + 1]:
        run = [*run, role] if role.role == "improve" else []
    return run


def deadline_test(measure: Measure, report_date: date) -> Iterator[Problem]:
    current = measure.role_at(report_date)
    if current is None or current.role != "improve":
        return
    run = _improve_run(list(measure.meta.roles), current)
    quarters = quarter_of(report_date) - run[0].start  # full quarters before this one
    deadlines = [r.deadline for r in run if r.deadline is not None]
    pushed = sum(1 for a, b in pairwise(deadlines) if b > a)
    if quarters < DEADLINE_QUARTERS and pushed < PUSHED_OUT:
        return
    why = (
        f"its deadline was pushed out {pushed} times"
        if pushed >= PUSHED_OUT
        else f"it has been a key result for {quarters} full quarters in a row "
        f"(since {run[0].start})"
    )
    index = measure.meta.roles.index(current)
    yield Problem(
        measure.path,
        measure.line("roles", index, "from"),
        DEADLINE_TEST,
        f"The deadline test: {why}. A key result that never ends is a KPI that wandered into "
        "the wrong document: make it sustain, or set a deadline it will keep.",
    )


def everything_okr(repo: Repo, report_date: date) -> Iterator[Problem]:
    kinds = [m.role_kind_at(report_date) for m in repo.measures.values()]
    improve, sustain = kinds.count("improve"), kinds.count("sustain")
    if improve <= sustain:
        return
    yield Problem(
        "",
        None,
        EVERYTHING_OKR,
        f"Everything is an OKR: {counted(improve, 'key result')} and "
        f"{counted(sustain, 'KPI')} in "
        f"{quarter_of(report_date)}. If everything is a key result, nothing has been "
        "prioritised: keep a few to change this quarter, and monitor the rest as KPIs.",
    )


def _first_full_quarter(first: Period) -> Period:
    quarter = quarter_of(first.start)
    return quarter if quarter.start == first.start else quarter + 1


def passive_monitoring(
    aims: Aims, measure: Measure, analysis: MeasureAnalysis, report_date: date
) -> Iterator[Problem]:
    if measure.role_kind_at(report_date) != "sustain":
        return
    xmr, periods = analysis.xmr, analysis.periods
    latest = latest_index(xmr)
    if xmr.current_phase.limits is None or latest is None:
        return
    for episode in current_episodes(xmr):
        if episode.effect != "concern" or episode.rule.startswith("mr_") or episode.end != latest:
            continue
        began = periods[episode.start]
        quarter = _first_full_quarter(began)
        if periods[latest].end < quarter.end or aimed_at(aims, measure.id, began.start):
            continue
        if any(role.start >= quarter_of(began.start) for role in measure.meta.roles):
            continue
        yield Problem(
            measure.path,
            measure.line("title"),
            PASSIVE_MONITORING,
            f"Passive monitoring of a change: an unwanted signal since {began} has lasted the "
            f"whole of {quarter}, and no role decision or action followed. Decide: make it an "
            "improvement focus (an improve role), or explain why not in a note.",
        )
        return
