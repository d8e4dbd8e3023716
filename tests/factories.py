"""Small builders of model values for tests that do not need files on disk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pumpsite.model import Action, Goal, KeyPath, Measure, Observation, Repo, Series
from pumpsite.periods import Frequency, parse_period
from pumpsite.schema import ActionMeta, GoalMeta, MeasureMeta, SiteSettings


def goal(id: str, title: str | None = None, **meta: Any) -> Goal:
    data = {"kind": "goal", "title": title or f"Goal {id} is happening", **meta}
    return Goal(id, f"measures/{id}.md", GoalMeta.model_validate(data), "", {})


def measure(
    id: str,
    values: list[float | None] | None = None,
    *,
    start: str = "2024-01",
    frequency: Frequency = "monthly",
    lines: dict[str, int] | None = None,
    **meta: Any,
) -> Measure:
    data = {
        "title": f"Measure {id}",
        "goal": "g",
        "frequency": frequency,
        "better": "up",
        **meta,
    }
    parsed = MeasureMeta.model_validate(data, context={"frequency": frequency})
    series = None
    if values is not None:
        first = parse_period(start, frequency)
        assert first is not None
        observations = tuple(Observation(first + i, v, "", i + 2) for i, v in enumerate(values))
        series = Series(f"data/{id}.csv", "value", observations)
    return Measure(id, f"measures/{id}.md", parsed, "", f"data/{id}.csv", series, _key_paths(lines))


def action(
    id: str,
    aims: list[str | dict[str, str]],
    *,
    start: str = "2026-03-02",
    status: list[tuple[str, str]] | None = None,
    lines: dict[str, int] | None = None,
    **meta: Any,
) -> Action:
    """An action on the measures `aims` (ids, or {measure, direction}), running from `start`."""
    data = {
        "kind": "action",
        "title": f"Action {id}",
        "owner": "Ana",
        "goal": "g",
        "measures": [{"measure": a} if isinstance(a, str) else a for a in aims],
        "start": start,
        "status": [{"status": s, "date": d} for s, d in status or [("running", start)]],
        **meta,
    }
    parsed = ActionMeta.model_validate(data)
    return Action(id, f"measures/actions/{id}.md", parsed, "", _key_paths(lines))


def repo(*items: Goal | Measure | Action, settings: SiteSettings | None = None) -> Repo:
    return Repo(
        root=Path("."),
        goals={i.id: i for i in items if isinstance(i, Goal)},
        measures={i.id: i for i in items if isinstance(i, Measure)},
        glossary={},
        settings=settings or SiteSettings(),
        site_config={},
        actions={i.id: i for i in items if isinstance(i, Action)},
    )


def _key_paths(lines: dict[str, int] | None) -> dict[KeyPath, int]:
    """{"roles.0.target": 7} as the loader keeps it: {("roles", 0, "target"): 7}."""
    return {
        tuple(int(key) if key.isdigit() else key for key in dotted.split(".")): line
        for dotted, line in (lines or {}).items()
    }
