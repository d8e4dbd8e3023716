"""The goals as a tree, the one walker for the checks, the pages and the results map.

A goal whose parent is missing is a root. Goals in a parent cycle have no root above them: the
walks take them last, each group from its first goal by title, and never go round twice. The
walk is a loop, not recursion, so no depth of goals is too deep for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from pumpsite.model import Goal, Measure


def title_key(item: Goal | Measure) -> tuple[str, str]:
    """Goals and measures in reading order: by title, then by id."""
    return (item.title.casefold(), item.id)


@dataclass(frozen=True, slots=True)
class GoalTree:
    goals: Mapping[str, Goal]
    roots: tuple[str, ...]  # goals whose parent is not a goal, by title
    children: Mapping[str, tuple[str, ...]]  # every goal's sub-goals, by title

    @classmethod
    def of(cls, goals: Mapping[str, Goal]) -> GoalTree:
        found: dict[str, list[Goal]] = {goal_id: [] for goal_id in goals}
        for goal in goals.values():
            parent = goal.meta.parent
            if parent is not None and parent in goals and parent != goal.id:
                found[parent].append(goal)
        children = {goal_id: _by_title(kids) for goal_id, kids in found.items()}
        roots = _by_title(g for g in goals.values() if g.meta.parent not in goals)
        return cls(goals, roots, children)

    def walk(self, starts: Iterable[str]) -> Iterator[tuple[Goal, int]]:
        """Depth first from each start in turn, each goal once, with its depth below its start;
        sub-goals by title."""
        seen: set[str] = set()
        for start in starts:
            stack = [(start, 0)]
            while stack:
                goal_id, depth = stack.pop()
                if goal_id in seen:
                    continue
                seen.add(goal_id)
                yield self.goals[goal_id], depth
                stack += [(kid, depth + 1) for kid in reversed(self.children[goal_id])]

    def in_order(self) -> Iterator[tuple[Goal, int]]:
        """Every goal with its depth: the roots' trees, then the goals caught in a cycle."""
        return self.walk([*self.roots, *_by_title(self.goals.values())])

    def below(self, goal_id: str) -> list[str]:
        """The ids of a goal's sub-goals, all levels."""
        return [goal.id for goal, _ in self.walk([goal_id]) if goal.id != goal_id]


def _by_title(goals: Iterable[Goal]) -> tuple[str, ...]:
    return tuple(goal.id for goal in sorted(goals, key=title_key))
