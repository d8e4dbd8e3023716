"""A goal, measure or action file read from its bytes alone: frontmatter, values, schema.

Pure: what a file says depends on its path and its bytes only, so `pumpsite serve` can keep the
result across rebuilds (`pumpsite.load.memo`) and read again only the files a save changed. What
depends on other files (a measure's data, links, what git ignores) the loader works out each time.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, get_args

from pumpsite.load import frontmatter, yaml_values
from pumpsite.load.text import decode_text
from pumpsite.load.validation import Validator, describe
from pumpsite.load.yaml_values import YamlData
from pumpsite.model import GoalReference, KeyPath
from pumpsite.periods import FREQUENCIES, Frequency
from pumpsite.problems import (
    FRONTMATTER,
    UNCONFIRMED_BETTER,
    UNKNOWN_KIND,
    Problem,
    did_you_mean,
    short,
)
from pumpsite.schema import ActionMeta, GoalMeta, MeasureMeta
from pumpsite.vocabulary import Better

Meta = GoalMeta | MeasureMeta | ActionMeta


@dataclass(frozen=True, slots=True)
class RawData:
    """The data settings of a measure whose frontmatter is invalid, read as written, so that
    its CSV is checked anyway."""

    ref: str | None
    column: str
    frequency: Frequency


@dataclass(frozen=True, slots=True)
class ParsedFile:
    """What one file says. `doc` is None when its frontmatter is no mapping (then the goal it
    names is unknown); `meta` is None when the values do not fit the schema."""

    problems: tuple[Problem, ...]
    doc: YamlData | None = None
    kind: str = "measure"
    meta: Meta | None = None
    body: str = ""
    lines: dict[KeyPath, int] = dataclasses.field(default_factory=dict)
    reference: GoalReference | None = None
    named: frozenset[str] | None = None  # the goal ids it names; None when unknown
    raw_data: RawData | None = None


def parse_file(rel: str, data: bytes) -> ParsedFile:
    """The goal, measure or action in the file at `rel` whose bytes are `data`."""
    text, problems = decode_text(data, rel)
    if text is None:
        return ParsedFile(tuple(problems))
    split, found = frontmatter.split_frontmatter(text, rel)
    problems += found
    if split is None:
        return ParsedFile(tuple(problems))
    doc, found = yaml_values.parse_yaml(split.yaml, rel, split.yaml_line, root_line=1)
    problems += found
    if doc is None:
        return ParsedFile(tuple(problems))
    if not isinstance(doc.value, dict):
        shape = "empty" if doc.value is None else f"{describe(doc.value)}, not a mapping"
        message = f"The frontmatter is {shape}: expected keys like 'title: ...', one per line."
        return ParsedFile((*problems, Problem(rel, 1, FRONTMATTER, message)))
    reference = _reference(rel, doc)
    kind, meta, raw_data = _typed(rel, doc, doc.value, problems)
    return ParsedFile(
        tuple(problems),
        doc,
        kind,
        meta,
        split.body,
        {at: line for at, line in doc.lines.items() if at},
        reference,
        _goals_named(doc.value, reference),
        raw_data,
    )


def _typed(
    rel: str, doc: YamlData, data: dict[str, Any], problems: list[Problem]
) -> tuple[str, Meta | None, RawData | None]:
    """The file's kind, its values validated against the schema of that kind, and, for a
    measure that does not validate, its data settings as written."""
    kind = data.get("kind", "measure")
    frequency = data.get("frequency")
    context = {"frequency": frequency if frequency in FREQUENCIES else None}
    validator = Validator(doc, rel)
    if kind == "goal":
        goal = validator.validate(GoalMeta, context)
        problems += validator.problems
        return kind, goal, None
    if kind == "action":
        action = validator.validate(ActionMeta, context)
        problems += validator.problems
        return kind, action, None
    if kind != "measure":
        got = f"'{short(kind)}'" if isinstance(kind, str) else describe(kind)
        hint = did_you_mean(kind, ["goal", "measure", "action"])
        message = f"Unknown kind {got}: expected goal, action or measure (the default).{hint}"
        problems.append(Problem(rel, doc.line(("kind",)), UNKNOWN_KIND, message))
        return "unknown", None, None
    validator.doc = _confirmed_better(rel, doc, problems)
    measure = validator.validate(MeasureMeta, context)
    problems += validator.problems
    if measure is not None or frequency not in FREQUENCIES:
        return kind, measure, None
    ref, column = data.get("data"), data.get("column")
    raw = RawData(
        ref if isinstance(ref, str) and ref else None,
        column if isinstance(column, str) and column else "value",
        frequency,
    )
    return kind, None, raw


def _confirmed_better(rel: str, doc: YamlData, problems: list[Problem]) -> YamlData:
    """`better: up?` (what `pumpsite new measure` writes when nobody said which direction is
    good) reads as `up`, with a warning until someone confirms it."""
    data = doc.value if isinstance(doc.value, dict) else {}
    better = data.get("better")
    guess = better.removesuffix("?") if isinstance(better, str) and better[-1:] == "?" else None
    if guess not in get_args(Better):
        return doc
    problems.append(
        Problem(
            rel,
            doc.line(("better",)),
            UNCONFIRMED_BETTER,
            f"'better: {better}' is a guess to confirm: which direction is good for this "
            "measure? A wrong one inverts every colour. Write better: up, better: down or "
            f"better: neutral; until then it reads as {guess}.",
        )
    )
    return dataclasses.replace(doc, value={**data, "better": guess})


def _reference(rel: str, doc: YamlData) -> GoalReference | None:
    """The goal a file names (`goal:` or `parent:`), kept for when the file cannot be loaded."""
    data = doc.value if isinstance(doc.value, dict) else {}
    kind = data.get("kind", "measure")
    if kind not in ("goal", "measure", "action"):
        return None
    key = "parent" if kind == "goal" else "goal"
    goal = data.get(key)
    if not isinstance(goal, str):
        return None
    return GoalReference(rel, doc.line((key,)), kind, goal)


def _goals_named(data: dict[str, Any], reference: GoalReference | None) -> frozenset[str] | None:
    """The goal ids a goal, measure or action file names; None when unknown (a goal without a
    parent names none)."""
    if reference is not None:
        return frozenset({reference.goal})
    return frozenset() if data.get("kind") == "goal" and data.get("parent") is None else None
