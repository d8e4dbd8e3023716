"""Generate a synthetic measures repository for the benchmark: N measures × P monthly points.

    python benchmarks/generate.py OUT --measures 500 --points 60 [--seed 1]

The same arguments always give byte-identical files. The repository has what real ones have: a
goals tree (three top results, sub-goals under them), a sustain role for every measure and an
improve role with a target, deadline and owner for about one in eight (each with an improvement
action that aims to move it), phases with reasons,
excluded points, events, a few gaps, and Markdown notes. The report date is fixed in mkdocs.yml
(`extra: pumpsite: as_of`), so the build does not depend on the day it runs.
"""

from __future__ import annotations

import argparse
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

REPORT_DATE = "2026-11-30"
LAST_MONTH = 2026 * 12 + 9  # ordinal of 2026-10, the last month with data
FIRST_QUARTER = "2020-Q1"
WORDS = (
    "orders",
    "tickets",
    "invoices",
    "visits",
    "calls",
    "returns",
    "defects",
    "claims",
    "shipments",
    "renewals",
    "signups",
    "refunds",
    "incidents",
    "requests",
    "audits",
)
MKDOCS_YML = f"""\
site_name: Synthetic measures (benchmark)
theme:
  name: material
  palette:
    - media: "(prefers-color-scheme: light)"
      scheme: default
      toggle:
        icon: material/brightness-7
        name: Switch to dark mode
    - media: "(prefers-color-scheme: dark)"
      scheme: slate
      toggle:
        icon: material/brightness-4
        name: Switch to light mode
  features:
    - navigation.tabs
    - navigation.sections
    - navigation.indexes
    - content.tooltips
extra:
  pumpsite:
    rules: wheeler
    as_of: {REPORT_DATE}
"""


@dataclass(frozen=True)
class Shape:
    level: float
    spread: float
    shift_at: int | None  # index where the process level changes (a phase starts)
    shift: float
    better: str


def month_label(ordinal: int) -> str:
    return f"{ordinal // 12}-{ordinal % 12 + 1:02d}"


def quarter_of_month(ordinal: int) -> str:
    return f"{ordinal // 12}-Q{ordinal % 12 // 3 + 1}"


def goal_ids(count: int) -> list[tuple[str, str | None]]:
    """(id, parent) for `count` goals: three roots, the rest spread under earlier goals."""
    goals: list[tuple[str, str | None]] = []
    for i in range(count):
        parent = None if i < 3 else f"goal-{(i - 3) // 3:04d}"
        goals.append((f"goal-{i:04d}", parent))
    return goals


def goal_file(goal_id: str, parent: str | None, rng: random.Random) -> str:
    lines = ["---", "kind: goal", f"title: Customers get their {rng.choice(WORDS)} on time"]
    if parent:
        lines.append(f"parent: {parent}")
    lines += [f"owner: Owner {rng.randrange(1, 40)}", "---", "", "Why this result matters.", ""]
    return "\n".join(lines)


def series(shape: Shape, points: int, rng: random.Random) -> list[float | None]:
    values: list[float | None] = []
    for i in range(points):
        level = shape.level + (shape.shift if shape.shift_at and i >= shape.shift_at else 0)
        value: float | None = round(rng.gauss(level, shape.spread), 1)
        if i > 25 and rng.random() < 0.01:
            value = None  # a gap: the row is missing
        values.append(value)
    return values


def csv_text(values: list[float | None], first: int, rng: random.Random) -> str:
    rows = ["period,value,note"]
    for i, value in enumerate(values):
        if value is None:
            continue
        note = "system migration" if rng.random() < 0.02 else ""
        rows.append(f"{month_label(first + i)},{value},{note}")
    return "\n".join(rows) + "\n"


def _roles(shape: Shape, goal_id: str, improve: bool, rng: random.Random) -> list[str]:
    lines = ["roles:", f"  - {{from: {FIRST_QUARTER}, role: sustain}}"]
    if improve:
        # Beyond where the process is now, so the target is not "hit by chance".
        direction = 1 if shape.better == "up" else -1
        target = round(shape.level + shape.shift + direction * 5 * shape.spread, 1)
        owner = f"Owner {rng.randrange(1, 40)}"
        lines.append(
            f"  - {{from: 2026-Q3, role: improve, target: {target}, deadline: 2027-06-30, "
            f"owner: {owner}, note: Key result for {goal_id}}}"
        )
    return lines


def measure_file(
    measure_id: str,
    goal_id: str,
    shape: Shape,
    first: int,
    values: list[float | None],
    improve: bool,
    rng: random.Random,
) -> str:
    noun = rng.choice(WORDS)
    lines = [
        "---",
        f"title: Monthly {noun} ({measure_id})",
        f"goal: {goal_id}",
        f"owner: Owner {rng.randrange(1, 40)}",
        f"unit: {noun}",
        "frequency: monthly",
        f"better: {shape.better}",
        "definition:",
        f"  description: How many {noun} in a month.",
        f"  formula: Count of {noun} recorded in the month.",
        "  data_source: The operations database, monthly export.",
        *_roles(shape, goal_id, improve, rng),
    ]
    limits: list[str] = []
    if shape.shift_at:
        limits += ["  phases:", f"    - from: {month_label(first + shape.shift_at)}"]
        limits.append("      reason: New process introduced")
    excluded = [
        i for i in range(5, len(values), 17) if values[i] is not None and rng.random() < 0.5
    ]
    if excluded:
        limits.append("  exclude:")
        for i in excluded:
            limits += [f"    - period: {month_label(first + i)}", "      reason: Data outage"]
    if limits:
        lines += ["limits:", *limits]
    if rng.random() < 0.4:
        when = month_label(first + rng.randrange(len(values)))
        lines += ["events:", f"  - {{date: {when}, kind: action, text: Team changed how it works}}"]
    lines += ["---", "", "## Why it matters", "", f"The {noun} show whether {goal_id} holds.", ""]
    return "\n".join(lines)


def action_file(measure_id: str, goal_id: str) -> str:
    """A running improvement action on a key result."""
    return "\n".join(
        [
            "---",
            "kind: action",
            f"title: Change the process behind {measure_id}",
            "owner: Owner 1",
            f"goal: {goal_id}",
            f"measures: [{{measure: {measure_id}}}]",
            "causes: [The process was designed for less work than it gets]",
            "start: 2026-08-03",
            "end: 2027-06-30",
            "status: [{status: running, date: 2026-08-03}]",
            "---",
            "",
        ]
    )


def _shape(rng: random.Random, points: int) -> Shape:
    level = rng.uniform(50, 500)
    spread = level * rng.uniform(0.03, 0.1)
    shifts = points >= 40 and rng.random() < 0.2
    return Shape(
        level=level,
        spread=spread,
        shift_at=rng.randrange(points // 2, points - 10) if shifts else None,
        shift=rng.choice((-3, 3)) * spread if shifts else 0.0,
        better=rng.choice(("up", "down", "neutral")),
    )


def generate(root: Path, measures: int, points: int, seed: int = 1) -> None:
    """Write the repository into `root`, replacing what the generator wrote there before."""
    rng = random.Random(seed)
    for old in ("measures", "data", "site", ".pumpsite"):
        shutil.rmtree(root / old, ignore_errors=True)
    (root / "measures" / "goals").mkdir(parents=True)
    (root / "data").mkdir()
    (root / "mkdocs.yml").write_text(MKDOCS_YML)
    goals = goal_ids(max(3, measures // 8))
    for goal_id, parent in goals:
        (root / "measures" / "goals" / f"{goal_id}.md").write_text(goal_file(goal_id, parent, rng))
    first = LAST_MONTH - points + 1
    for i in range(measures):
        measure_id = f"measure-{i:05d}"
        goal_id = goals[i % len(goals)][0]
        shape = _shape(rng, points)
        values = series(shape, points, rng)
        improve = i % 8 == 3
        folder = root / "measures" / f"team-{i // 100:02d}"
        folder.mkdir(exist_ok=True)
        text = measure_file(measure_id, goal_id, shape, first, values, improve, rng)
        (folder / f"{measure_id}.md").write_text(text)
        (root / "data" / f"{measure_id}.csv").write_text(csv_text(values, first, rng))
        if improve:
            actions = root / "measures" / "actions"
            actions.mkdir(exist_ok=True)
            (actions / f"{measure_id}-action.md").write_text(action_file(measure_id, goal_id))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--measures", type=int, default=100)
    parser.add_argument("--points", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    generate(args.out, args.measures, args.points, args.seed)
    print(f"Wrote {args.measures} measures × {args.points} points into {args.out}")


if __name__ == "__main__":
    main()
