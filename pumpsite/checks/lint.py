"""PuMP lint: warnings about how goals and key results are worded and set, not about syntax.

Pure: the repository, the analyses and the report date in, warnings out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date

from pumpsite.analysis.episodes import outdated_limits
from pumpsite.analysis.measure import MeasureAnalysis
from pumpsite.analysis.xmr import at_or_past
from pumpsite.checks.lint_words import ACTIVITY_VERBS, WEASEL_WORDS
from pumpsite.model import Goal, Measure, Repo
from pumpsite.periods import quarter_of
from pumpsite.problems import (
    ACTIVITY_GOAL,
    INCOMPLETE_ROLE,
    OUTDATED_LIMITS,
    PAST_DEADLINE,
    STALE_DATA,
    SUSTAIN_TARGET,
    TARGET_WITHIN_LIMITS,
    TOO_MANY_KEY_RESULTS,
    WEASEL_WORD,
    Problem,
)

MAX_KEY_RESULTS = 5


def lint_repo(
    repo: Repo, analyses: Mapping[str, MeasureAnalysis], report_date: date
) -> list[Problem]:
    problems = [p for g in repo.goals.values() for p in lint_goal_title(g)]
    for measure in repo.measures.values():
        problems += lint_roles(measure, report_date)
        if (analysis := analyses.get(measure.id)) is not None:
            problems += lint_target_capability(measure, analysis)
            problems += lint_stale(measure, analysis, report_date)
            problems += lint_outdated_limits(measure, analysis)
    problems += lint_key_result_count(repo, report_date)
    return problems


def _words(title: str) -> str:
    return " " + " ".join(re.findall(r"[a-z0-9'-]+", title.lower())) + " "


def lint_goal_title(goal: Goal) -> Iterator[Problem]:
    words = _words(goal.title)
    weasels = sorted(w for w in WEASEL_WORDS if f" {w} " in words)
    if weasels:
        quoted = ", ".join(f"'{w}'" for w in weasels)
        yield Problem(
            goal.path,
            goal.line("title"),
            WEASEL_WORD,
            f"The goal title uses weasel words ({quoted}): they mean different things to "
            "different people. Describe what you would see or hear if the result were "
            "happening.",
        )
    first = next((v for v in sorted(ACTIVITY_VERBS) if words.startswith(f" {v} ")), None)
    if first:
        yield Problem(
            goal.path,
            goal.line("title"),
            ACTIVITY_GOAL,
            f"The goal title starts with '{first}': it reads as an activity, not a result. "
            "Word it as if the result were already happening, e.g. 'Our systems run without "
            "downtime' rather than 'Upgrade the systems'.",
        )


def lint_roles(measure: Measure, report_date: date) -> Iterator[Problem]:
    for i, role in enumerate(measure.meta.roles):
        line = measure.line("roles", i)
        if role.role == "sustain":
            if role.target is not None:
                yield Problem(
                    measure.path,
                    measure.line("roles", i, "target"),
                    SUSTAIN_TARGET,
                    f"The sustain role from {role.start} has a target. Business-as-usual "
                    "measures are monitored without targets: remove it, or make the role "
                    "'improve' if you mean to change the level.",
                )
            continue
        missing = [
            name
            for name, value in (
                ("target", role.target),
                ("deadline", role.deadline),
                ("owner", role.owner or measure.meta.owner),
            )
            if value is None
        ]
        if missing:
            yield Problem(
                measure.path,
                line,
                INCOMPLETE_ROLE,
                f"The improve role from {role.start} has no {' or '.join(missing)}. A key "
                "result needs a target, a deadline and an owner; otherwise it is a KPI "
                "being watched.",
            )
    current = measure.role_at(report_date)
    if (
        current
        and current.role == "improve"
        and current.deadline
        and current.deadline < report_date
    ):
        index = measure.meta.roles.index(current)
        yield Problem(
            measure.path,
            measure.line("roles", index, "deadline"),
            PAST_DEADLINE,
            f"The improve role from {current.start} ended on {current.deadline}: OKRs end. "
            f"Decide this quarter's role ({quarter_of(report_date)}): a new improve role with "
            "a new deadline, or back to sustain.",
        )


def lint_target_capability(measure: Measure, analysis: MeasureAnalysis) -> Iterator[Problem]:
    """PS406 exactly when the page reads the target as hit or miss (xmr.assurance decides, a
    target on a limit included), and it is not achieved."""
    reading, role = analysis.target, analysis.role
    if reading is None or role is None or role.role != "improve":
        return
    limits = analysis.xmr.current_phase.limits
    if limits is None or reading.assurance != "hit_or_miss" or reading.achieved:
        return
    index = measure.meta.roles.index(role)
    inside = (
        f"The target {reading.target:g} sits inside the current natural process limits "
        f"({limits.lnpl:.4g} to {limits.unpl:.4g})"
    )
    better = measure.meta.better
    if at_or_past(limits.lines.center, reading.target, better):
        limit = "lower" if better == "up" else "upper"
        message = (
            f"{inside} and the central line ({limits.center:.4g}) is already at or past it: the "
            "process meets it more often than not without changing, and misses it now and then "
            f"by chance. It is met every time only once the {limit} limit clears it; a key "
            "result's target should ask for a change."
        )
    else:
        message = (
            f"{inside}: the process will 'hit' it by chance now and then without changing. "
            "Judge success by a sustained shift of the central line."
        )
    yield Problem(
        measure.path, measure.line("roles", index, "target"), TARGET_WITHIN_LIMITS, message
    )


def lint_stale(measure: Measure, analysis: MeasureAnalysis, report_date: date) -> Iterator[Problem]:
    """At the CSV row after which the missing values go."""
    stale, series = analysis.stale, measure.series
    if stale is None or series is None:
        return
    line = next(o.line for o in reversed(series.observations) if o.period <= stale.expected)
    first, last = stale.latest + 1, stale.expected
    missing = f"value for {first}" if first == last else f"values for {first} to {last}"
    yield Problem(
        series.path,
        line,
        STALE_DATA,
        f"Stale data: the latest value is for {stale.latest}, but on {report_date} a "
        f"{measure.meta.frequency} measure should have one for {stale.expected}. Add the "
        f"{missing}; until then the site says that the readings of '{measure.id}' are out "
        "of date.",
    )


def lint_key_result_count(repo: Repo, report_date: date) -> Iterator[Problem]:
    by_goal: dict[str, list[Measure]] = {}
    for measure in repo.measures.values():
        if measure.role_kind_at(report_date) == "improve":
            by_goal.setdefault(measure.meta.goal, []).append(measure)
    for goal_id, measures in sorted(by_goal.items()):
        if len(measures) <= MAX_KEY_RESULTS or goal_id not in repo.goals:
            continue
        goal = repo.goals[goal_id]
        yield Problem(
            goal.path,
            None,
            TOO_MANY_KEY_RESULTS,
            f"{len(measures)} key results under this goal in {quarter_of(report_date)} "
            f"(more than {MAX_KEY_RESULTS}): that is the dashboard wearing a costume. Choose "
            "the few you will change this quarter; keep the rest as sustain (KPIs).",
        )


def lint_outdated_limits(measure: Measure, analysis: MeasureAnalysis) -> Iterator[Problem]:
    """Most of the latest values of the current phase are signals (pumpsite.episodes)."""
    outdated = outdated_limits(analysis.xmr)
    if outdated is None:
        return
    yield Problem(
        measure.path,
        measure.line("limits", "phases") or measure.line("title"),
        OUTDATED_LIMITS,
        f"{outdated.signals} of the latest {outdated.values} values (since "
        f"{analysis.periods[outdated.first]}) are signals: the natural process limits no longer "
        "describe the process. If something changed, record a phase under 'limits: phases:' "
        "from when it did; if not, the data may have a trend or a season, which limits "
        "around one central line cannot describe.",
    )
