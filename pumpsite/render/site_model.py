"""The model of the whole site: every measure's view, the goal tree, and the review groups."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from pumpsite.analysis.measure import MeasureAnalysis
from pumpsite.goal_tree import GoalTree, title_key
from pumpsite.model import Action, Goal, Repo
from pumpsite.periods import quarter_of
from pumpsite.render.action_views import ActionLine, action_line, actions_on
from pumpsite.render.paths import goal_page
from pumpsite.render.views import GoalView, MeasureView, measure_view

# --- goals ---------------------------------------------------------------------------------------


# --- the model of the whole site -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReviewGroup:
    goal: GoalView  # a top-level goal (page "" for measures whose goal file is missing)
    key_results: tuple[MeasureView, ...]  # of the goal and its sub-goals, by title
    kpis: tuple[MeasureView, ...]  # of the goal and its sub-goals, by title


@dataclass(slots=True)
class SiteModel:
    report_date: date
    quarter: str
    measures: dict[str, MeasureView] = field(default_factory=dict)  # sorted by title
    goals: dict[str, GoalView] = field(default_factory=dict)  # in tree order

    def by_goal(self, goal_id: str, role: str) -> tuple[MeasureView, ...]:
        return tuple(m for m in self.measures.values() if m.goal_id == goal_id and m.role == role)


def _goal_views(
    goals: Mapping[str, Goal],
    measures: Mapping[str, MeasureView],
    actions: Mapping[str, tuple[ActionLine, ...]] = {},
) -> dict[str, GoalView]:
    views: dict[str, GoalView] = {}
    for goal, depth in GoalTree.of(goals).in_order():
        parent_id = goal.meta.parent
        views[goal.id] = GoalView(
            id=goal.id,
            title=goal.title,
            page=goal_page(goal.id),
            owner=goal.meta.owner or "",
            depth=depth,
            parent=views.get(parent_id) if parent_id else None,
            key_results=tuple(
                m for m in measures.values() if m.goal_id == goal.id and m.role == "improve"
            ),
            kpis=tuple(
                m for m in measures.values() if m.goal_id == goal.id and m.role == "sustain"
            ),
            actions=actions.get(goal.id, ()),
        )
    children: dict[str, list[GoalView]] = {}
    for view in views.values():
        if view.parent is not None:
            children.setdefault(view.parent.id, []).append(view)
    return {gid: _with_children(view, children) for gid, view in views.items()}


def _with_children(view: GoalView, children: Mapping[str, list[GoalView]]) -> GoalView:
    return GoalView(
        id=view.id,
        title=view.title,
        page=view.page,
        owner=view.owner,
        depth=view.depth,
        parent=view.parent,
        children=tuple(children.get(view.id, [])),
        key_results=view.key_results,
        kpis=view.kpis,
        actions=view.actions,
    )


def build_model(
    repo: Repo,
    analyses: Mapping[str, MeasureAnalysis],
    report_date: date,
) -> SiteModel:
    model = SiteModel(report_date, str(quarter_of(report_date)))
    actions = list(repo.actions.values())
    for measure in sorted(repo.measures.values(), key=title_key):
        view = measure_view(measure, analyses.get(measure.id), repo.goals, report_date)
        lines = actions_on(actions, measure.id, report_date)
        model.measures[measure.id] = dataclasses.replace(view, actions=lines) if lines else view
    model.goals = _goal_views(repo.goals, model.measures, _actions_by_goal(actions, report_date))
    return model


def _actions_by_goal(
    actions: Sequence[Action], report_date: date
) -> dict[str, tuple[ActionLine, ...]]:
    by_goal: dict[str, list[ActionLine]] = {}
    for action in sorted(actions, key=lambda a: (a.meta.start, a.id)):
        by_goal.setdefault(action.meta.goal, []).append(action_line(action, report_date))
    return {goal_id: tuple(lines) for goal_id, lines in by_goal.items()}


def _review_heads(model: SiteModel) -> list[tuple[GoalView, bool]]:
    """The goals the review is organised by, each with whether it takes in its sub-goals: the
    top-level goals; under a single top-level goal (a mission), its sub-goals instead."""
    roots = [g for g in model.goals.values() if g.depth == 0]
    if len(roots) == 1 and roots[0].children:
        return [(roots[0], False), *((child, True) for child in roots[0].children)]
    return [(root, True) for root in roots]


def review_groups(model: SiteModel, goals: Mapping[str, Goal]) -> list[ReviewGroup]:
    """Both roles in one field of view: for each top-level goal, the key results and the KPIs of
    the goal and all its sub-goals. Groups with key results come first; measures whose goal
    file is missing come last."""
    groups = []
    for head, deep in _review_heads(model):
        ids = [head.id, *(GoalTree.of(goals).below(head.id) if deep else ())]
        members = [m for m in model.measures.values() if m.goal_id in ids]
        groups.append(_review_group(head, members))
    orphans = [m for m in model.measures.values() if m.goal_page is None]
    if orphans:
        missing = GoalView("", "Measures whose goal file is missing", "", "", 0, None)
        groups.append(_review_group(missing, orphans))
    groups = [g for g in groups if g.key_results or g.kpis]
    return sorted(groups, key=lambda g: not g.key_results)  # stable: tree order otherwise


def _review_group(head: GoalView, members: Sequence[MeasureView]) -> ReviewGroup:
    return ReviewGroup(
        goal=head,
        key_results=tuple(m for m in members if m.role == "improve"),
        kpis=tuple(m for m in members if m.role == "sustain"),
    )
