"""View-models of improvement actions: a line under each key result it aims to move, and its
own page with what followed on each measure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from pumpsite.analysis.follow import action_follow_up, expected_direction
from pumpsite.analysis.reading import period_name
from pumpsite.model import Action, Goal, Measure
from pumpsite.periods import Period
from pumpsite.render.paths import action_page, goal_page, measure_page
from pumpsite.render.safe_markdown import notes_html
from pumpsite.schema import SiteSettings

STATUS_LABELS = {"planned": "Planned", "running": "Running", "done": "Done", "dropped": "Dropped"}


def short_date(day: date) -> str:
    return period_name(Period("daily", day.toordinal()))


@dataclass(frozen=True, slots=True)
class ActionLine:
    """An action in a list: 'Customer success programme · Maria Lopez · running since 2 Mar
    2026'."""

    id: str
    title: str  # user text
    page: str
    owner: str  # user text
    status: str  # planned | running | done | dropped
    status_label: str
    since: str  # the date of the latest status change, like "2 Mar 2026"


@dataclass(frozen=True, slots=True)
class AimView:
    measure_id: str
    title: str  # user text
    page: str | None  # None when the measure does not exist
    direction: str  # up | down | "" without a better direction
    follow: str  # "A signal down (…) began in 2026-05, …", or why there is no verdict


@dataclass(frozen=True, slots=True)
class ActionDetail:
    line: ActionLine
    goal_title: str  # user text
    goal_page: str | None
    start: str
    end: str  # the planned end, or ""
    causes: tuple[str, ...]  # user text
    aims: tuple[AimView, ...]
    history: tuple[tuple[str, str], ...]  # (status label, date)
    body: str  # sanitised Markdown


def action_line(action: Action, report_date: date) -> ActionLine:
    status = action.status_on(report_date) or action.meta.status[0]
    return ActionLine(
        id=action.id,
        title=action.title,
        page=action_page(action.id),
        owner=action.meta.owner,
        status=status.status,
        status_label=STATUS_LABELS[status.status],
        since=short_date(status.date),
    )


def actions_on(
    actions: Sequence[Action], measure_id: str, report_date: date
) -> tuple[ActionLine, ...]:
    """The lines of the actions that aim to move the measure, by start date."""
    aiming = [a for a in actions if any(aim.measure == measure_id for aim in a.meta.measures)]
    return tuple(
        action_line(a, report_date) for a in sorted(aiming, key=lambda a: (a.meta.start, a.id))
    )


def _aim_view(
    action: Action, index: int, measures: Mapping[str, Measure], settings: SiteSettings, on: date
) -> AimView:
    aim = action.meta.measures[index]
    measure = measures.get(aim.measure)
    if measure is None:
        return AimView(aim.measure, aim.measure, None, aim.direction or "", "No such measure.")
    direction = expected_direction(aim, measure) or ""
    follow = action_follow_up(action, aim, measure, settings, on)
    if follow is not None:
        words = follow.sentence
    elif not direction:
        words = "No direction expected: set one for this measure."
    else:
        words = "Not started yet." if action.meta.start > on else "No data around its start."
    return AimView(measure.id, measure.title, measure_page(measure.id), direction, words)


def action_detail(
    action: Action,
    goals: Mapping[str, Goal],
    measures: Mapping[str, Measure],
    settings: SiteSettings,
    report_date: date,
    glossary: Mapping[str, str] | None = None,
) -> ActionDetail:
    goal = goals.get(action.meta.goal)
    meta = action.meta
    return ActionDetail(
        line=action_line(action, report_date),
        goal_title=goal.title if goal else meta.goal,
        goal_page=goal_page(goal.id) if goal else None,
        start=short_date(meta.start),
        end=short_date(meta.end) if meta.end else "",
        causes=tuple(meta.causes),
        aims=tuple(
            _aim_view(action, i, measures, settings, report_date) for i in range(len(meta.measures))
        ),
        history=tuple((STATUS_LABELS[c.status], short_date(c.date)) for c in meta.status),
        body=notes_html(action.body, glossary),
    )
