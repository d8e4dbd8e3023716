"""Checks across files: references between goals and measures, and whether the data can carry
the measure's settings. Pure: the loaded repository in, problems out.

The loader has already reported each file's own problems (schema, CSV parsing).
"""

from __future__ import annotations

from collections.abc import Iterator

from pumpsite.checks.actions import check_actions
from pumpsite.checks.sources import check_sources
from pumpsite.goal_tree import GoalTree
from pumpsite.model import Measure, Observation, Repo
from pumpsite.numbers import as_written, counted, listed
from pumpsite.periods import Period
from pumpsite.problems import (
    EMPTY_BASELINE,
    EMPTY_GOAL,
    EVENT_AFTER_DATA,
    FEW_VALUES,
    GOAL_CYCLE,
    NO_DATA_YET,
    NO_SUCH_GOAL,
    NO_SUCH_PARENT,
    NOT_A_GOAL,
    OUTSIDE_BOUNDS,
    OUTSIDE_DATA,
    REVERSED_BOUNDS,
    ROLES_SAME_QUARTER,
    TOO_DEEP,
    Problem,
    did_you_mean,
    short,
)
from pumpsite.vocabulary import MIN_LIMIT_POINTS

MAX_GOAL_LEVELS = 20
"""How deep goals may nest: far more than any results map (mission, strategy, teams: three to six
levels), and a bound on every walk down the goal tree, here and when the site is made."""


def check_repo(repo: Repo) -> list[Problem]:
    """Every cross-file and data-sufficiency problem of the repository."""
    return [
        *check_goal_references(repo),
        *check_parents(repo),
        *check_depth(repo),
        *check_empty_goals(repo),
        *(p for m in repo.measures.values() for p in check_roles(m)),
        *(p for m in repo.measures.values() for p in check_data(m)),
        *(p for m in repo.measures.values() for p in check_bounds(m)),
        *check_sources(repo),
        *check_actions(repo),
    ]


def check_goal_references(repo: Repo) -> Iterator[Problem]:
    named = [(m.path, m.line("goal"), m.meta.goal) for m in repo.measures.values()]
    named += [(r.path, r.line, r.goal) for r in repo.broken_references if r.kind == "measure"]
    for path, line, goal in named:
        if goal in repo.goals or goal in repo.broken:
            continue
        if goal in repo.measures:
            yield Problem(
                path,
                line,
                NOT_A_GOAL,
                f"'goal' must name a goal, but '{goal}' is a measure. "
                "A measure is evidence of a goal (a file with kind: goal).",
            )
            continue
        yield Problem(
            path, line, NO_SUCH_GOAL, f"Goal '{short(goal)}' does not exist.{_hint(repo, goal)}"
        )


def _hint(repo: Repo, goal: str) -> str:
    goal_ids = sorted(repo.goals)
    known = f" Known goals: {listed(goal_ids, 10)}." if goal_ids else " There are no goals yet."
    return did_you_mean(goal, goal_ids) or known


def check_parents(repo: Repo) -> Iterator[Problem]:
    named = [(g.path, g.line("parent"), g.meta.parent) for g in repo.goals.values()]
    named += [(r.path, r.line, r.goal) for r in repo.broken_references if r.kind == "goal"]
    for path, line, parent in named:
        if parent is not None and parent not in repo.goals and parent not in repo.broken:
            hint = did_you_mean(parent, sorted(repo.goals))
            message = f"Parent goal '{short(parent)}' does not exist.{hint}"
            yield Problem(path, line, NO_SUCH_PARENT, message)
    yield from _cycles(repo)


def _cycles(repo: Repo) -> Iterator[Problem]:
    """Each cycle once, from the first goal (by id) that leads into it. Every goal is walked
    through once, so a long chain takes as long as it is long."""
    walked: dict[str, str] = {}  # goal id -> the start of the walk that went through it
    for start in sorted(repo.goals):
        path: list[str] = []
        current: str | None = start
        while current is not None and current in repo.goals and current not in walked:
            walked[current] = start
            path.append(current)
            current = repo.goals[current].meta.parent
        if current is None or walked.get(current) != start:
            continue  # a top goal, a missing parent, or a goal an earlier walk went through
        cycle = path[path.index(current) :]
        goal = repo.goals[cycle[0]]
        loop = _chain([*cycle, cycle[0]])
        yield Problem(
            goal.path,
            goal.line("parent"),
            GOAL_CYCLE,
            f"Goals form a cycle through 'parent': {loop}. A results map is a tree: "
            "remove one of these parents.",
        )


def _chain(ids: list[str]) -> str:
    """`a → b → c`, with the middle of a long chain left out: `a → b → … → y → z`."""
    shown = ids if len(ids) <= 6 else [*ids[:3], "…", *ids[-2:]]
    return " → ".join(shown)


def check_depth(repo: Repo) -> Iterator[Problem]:
    """Goals one level deeper than MAX_GOAL_LEVELS; goals in or under a parent cycle are left
    to the cycle's problem."""
    tree = GoalTree.of(repo.goals)
    level = MAX_GOAL_LEVELS + 1
    too_deep = [goal.id for goal, depth in tree.walk(tree.roots) if depth == MAX_GOAL_LEVELS]
    for goal_id in sorted(too_deep):
        goal, parents = repo.goals[goal_id], [goal_id]
        while (parent := repo.goals[parents[-1]].meta.parent) is not None and parent in repo.goals:
            parents.append(parent)  # up to a top goal: this goal was reached from one
        yield Problem(
            goal.path,
            goal.line("parent"),
            TOO_DEEP,
            f"Goal '{goal_id}' is {level} levels deep ({_chain(parents)}): expected at most "
            f"{MAX_GOAL_LEVELS} levels of goals, as deep as the results map and the goal pages "
            "go. Give it a parent higher up.",
        )


def check_empty_goals(repo: Repo) -> Iterator[Problem]:
    if any(refs is None for refs in repo.broken.values()):
        return  # a file that could not be read may be the measure a goal is waiting for
    used = {m.meta.goal for m in repo.measures.values()}
    used |= {g.meta.parent for g in repo.goals.values() if g.meta.parent}
    used |= {ref for refs in repo.broken.values() for ref in refs or ()}
    for goal in repo.goals.values():
        if goal.id not in used:
            yield Problem(
                goal.path,
                None,
                EMPTY_GOAL,
                f"Goal '{goal.id}' has no measures and no sub-goals: nothing shows whether "
                "it is happening. Add a measure with 'goal: " + goal.id + "'.",
            )


def check_roles(measure: Measure) -> Iterator[Problem]:
    seen: dict[str, int] = {}
    for i, role in enumerate(measure.meta.roles):
        quarter = str(role.start)
        if quarter in seen:
            yield Problem(
                measure.path,
                measure.line("roles", i),
                ROLES_SAME_QUARTER,
                f"Two roles start in {quarter} (roles[{seen[quarter]}] and roles[{i}]). "
                "Only one role is in force per quarter: remove or move one.",
            )
        seen.setdefault(quarter, i)


def check_data(measure: Measure) -> Iterator[Problem]:
    series = measure.series
    if series is None:
        return  # the loader has reported why
    values = [o for o in series.observations if o.value is not None]
    if not values:
        yield Problem(
            measure.path,
            None,
            NO_DATA_YET,
            f"No data yet in {series.path}: the chart stays empty until values are added.",
        )
        return
    if len(values) < MIN_LIMIT_POINTS:
        yield Problem(
            measure.path,
            None,
            FEW_VALUES,
            f"Only {counted(len(values), 'value')} in {series.path}: shown as a "
            "run chart until there are "
            f"{MIN_LIMIT_POINTS} values to compute natural process limits.",
        )
    first, last = series.observations[0].period, series.observations[-1].period
    yield from _settings_outside_data(measure, first, last)
    yield from _events_outside_data(measure, first, last)


def _settings_outside_data(measure: Measure, first: Period, last: Period) -> Iterator[Problem]:
    limits = measure.meta.limits
    span = f"the data runs from {first} to {last}"
    placed: list[tuple[tuple[str | int, ...], str, Period]] = [
        *((("limits", "phases", i), "phase", p.start) for i, p in enumerate(limits.phases)),
        *((("limits", "exclude", i), "exclusion", e.period) for i, e in enumerate(limits.exclude)),
    ]
    baseline = limits.baseline
    if not isinstance(baseline, int):
        placed += [
            (("limits", "baseline"), "baseline start", baseline.start),
            (("limits", "baseline"), "baseline end", baseline.end),
        ]
        if baseline.start > baseline.end:
            yield Problem(
                measure.path,
                measure.line("limits", "baseline"),
                EMPTY_BASELINE,
                f"The baseline runs backwards: from {baseline.start} to {baseline.end}. "
                "Swap 'from' and 'to'.",
            )
    for key, what, period in placed:
        if not first <= period <= last:
            yield Problem(
                measure.path,
                measure.line(*key),
                OUTSIDE_DATA,
                f"The {what} {period} is outside the data: {span}.",
            )
    for i, phase in enumerate(limits.phases):
        if phase.start == first:
            yield Problem(
                measure.path,
                measure.line("limits", "phases", i),
                OUTSIDE_DATA,
                f"The phase {phase.start} starts at the first value: the first phase needs no "
                "entry. Remove it, or set the baseline instead.",
            )


def _events_outside_data(measure: Measure, first: Period, last: Period) -> Iterator[Problem]:
    """An event before the data can never be on the chart; one after it is there once the data
    reaches it (an action is often recorded before the value of its period is in)."""
    span = f"the data runs from {first} to {last}"
    for i, event in enumerate(measure.meta.events):
        line = measure.line("events", i, "date")
        what = f"The event {event.date} ({short(event.text)})"
        if event.date < first:
            yield Problem(
                measure.path,
                line,
                OUTSIDE_DATA,
                f"{what} is before the data: {span}, so the chart cannot show it. Correct its "
                "date, or tell it in the measure's notes (the text after the frontmatter).",
            )
        elif event.date > last:
            yield Problem(
                measure.path,
                line,
                EVENT_AFTER_DATA,
                f"{what} is after the data: {span}. The chart shows it once the data reaches "
                f"{event.date}; check its date if that is not what you meant.",
            )


def check_bounds(measure: Measure) -> Iterator[Problem]:
    """Bounds that run backwards, and values outside the bounds (the first, and how many)."""
    bounds = measure.meta.limits.bounds
    if bounds is None:
        return
    lower, upper = bounds.lower, bounds.upper
    if lower is not None and upper is not None and lower >= upper:
        yield Problem(
            measure.path,
            measure.line("limits", "bounds"),
            REVERSED_BOUNDS,
            f"The bounds run backwards: lower {as_written(lower)} is not below upper "
            f"{as_written(upper)}. Expected the lowest possible value first, like "
            "bounds: {lower: 0, upper: 100}.",
        )
        return
    if measure.series is None:
        return
    outside = [
        o
        for o in measure.series.observations
        if o.value is not None
        and ((lower is not None and o.value < lower) or (upper is not None and o.value > upper))
    ]
    if outside:
        yield _outside_bounds(measure, outside, lower, upper)


def _outside_bounds(
    measure: Measure, outside: list[Observation], lower: float | None, upper: float | None
) -> Problem:
    first = outside[0]
    assert first.value is not None and measure.series is not None
    if lower is not None and first.value < lower:
        where, bound = "below the lower", lower
    else:
        assert upper is not None
        where, bound = "above the upper", upper
    rest = len(outside) - 1
    more = f" {counted(rest, 'other value')} {'is' if rest == 1 else 'are'} outside too."
    return Problem(
        measure.series.path,
        first.line,
        OUTSIDE_BOUNDS,
        f"Value {as_written(first.value)} for {first.period} is {where} bound of "
        f"{as_written(bound)} that {measure.path} declares (limits: bounds:): no value can be "
        f"there. Correct the value, or the bound.{more if rest else ''}",
    )
