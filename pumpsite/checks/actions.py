"""Checks across files for improvement actions: the goal they serve, the measures they aim to
move, and the order of their status changes. Pure: the loaded repository in, problems out."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

from pumpsite.model import Action, Repo
from pumpsite.numbers import listed
from pumpsite.problems import (
    NO_SUCH_ACTION_GOAL,
    NO_SUCH_AIM,
    STATUS_ORDER,
    Problem,
    did_you_mean,
    short,
)


def check_actions(repo: Repo) -> Iterator[Problem]:
    for action in repo.actions.values():
        yield from _goal(repo, action.path, action.line("goal"), action.meta.goal)
        yield from _aims(repo, action)
        yield from _status_order(action)
    for reference in repo.broken_references:
        if reference.kind == "action":
            yield from _goal(repo, reference.path, reference.line, reference.goal)


def _goal(repo: Repo, path: str, line: int | None, goal: str) -> Iterator[Problem]:
    if goal in repo.goals or goal in repo.broken:
        return
    goal_ids = sorted(repo.goals)
    known = f" Known goals: {listed(goal_ids, 10)}." if goal_ids else " There are no goals yet."
    hint = did_you_mean(goal, goal_ids) or known
    message = f"Goal '{short(goal)}' does not exist: an action serves a goal.{hint}"
    yield Problem(path, line, NO_SUCH_ACTION_GOAL, message)


def _aims(repo: Repo, action: Action) -> Iterator[Problem]:
    measure_ids = sorted(repo.measures)
    for index, aim in enumerate(action.meta.measures):
        if aim.measure in repo.measures or aim.measure in repo.broken:
            continue
        hint = did_you_mean(aim.measure, measure_ids) or (
            f" Known measures: {listed(measure_ids, 10)}." if measure_ids else ""
        )
        yield Problem(
            action.path,
            action.line("measures", index, "measure"),
            NO_SUCH_AIM,
            f"Measure '{short(aim.measure)}' does not exist.{hint}",
        )


def _status_order(action: Action) -> Iterator[Problem]:
    changes = action.meta.status
    for index, (before, after) in enumerate(pairwise(changes), start=1):
        if after.date < before.date:
            yield Problem(
                action.path,
                action.line("status", index, "date"),
                STATUS_ORDER,
                f"The status '{after.status}' on {after.date} comes after "
                f"'{before.status}' on {before.date}: list the changes oldest first.",
            )
    running = next((c for c in changes if c.status == "running"), None)
    if running is not None and running.date < action.meta.start:
        index = changes.index(running)
        yield Problem(
            action.path,
            action.line("status", index, "date"),
            STATUS_ORDER,
            f"The action is running from {running.date}, before its start "
            f"({action.meta.start}): make the two dates agree.",
        )
