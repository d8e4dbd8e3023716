"""Starter files: `pumpsite init` (a new measures repository) and `pumpsite new` (a goal or a
measure in an existing one).

The templates are real files in `pumpsite/scaffold_files/`, rendered with Jinja using `[[ ]]` and
`[% %]` as delimiters, so that GitHub Actions' `${{ }}` and YAML's `{ }` pass through untouched.
A file or folder whose name starts with `dot-` is written with a leading dot (`dot-gitignore` is
`.gitignore`). Nothing here overwrites a file: every write refuses an existing path.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import jinja2
import yaml

from pumpsite.errors import PumpsiteError
from pumpsite.install_spec import running_spec
from pumpsite.load.repo import ID_PATTERN, load_repo, slugify
from pumpsite.model import default_data_path
from pumpsite.periods import Frequency, containing, quarter_of
from pumpsite.problems import did_you_mean
from pumpsite.render.paths import RESERVED_IDS

TEMPLATES = files("pumpsite") / "scaffold_files"
DOT_PREFIX = "dot-"

# Files a fresh repository may already hold (GitHub creates them with a new repository).
# `init` keeps them as they are and writes everything else around them.
FRESH_REPO_FILES = (".git", ".gitignore", ".gitattributes", "README", "LICENSE", "COPYING")

# The sample measure's values: a predictable process (no signals) around 94% on time.
SAMPLE_VALUES = (
    93.8, 95.1, 94.2, 92.9, 94.6, 95.4, 93.5, 94.0, 96.1, 94.8, 93.2, 94.4,
    95.0, 93.7, 94.9, 92.6, 94.1, 95.6, 94.3, 93.9, 95.2, 94.5, 93.4, 94.7,
)  # fmt: skip
SAMPLE_MEASURE = "on-time-delivery"


class ScaffoldError(PumpsiteError):
    """A starter file cannot be written; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Written:
    """What `init` or `new` did: files created, and existing files left as they were."""

    root: Path
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


# --- rendering --------------------------------------------------------------------------------


def yaml_scalar(value: object) -> str:
    """`value` as a YAML scalar: plain when YAML reads it back unchanged, else double-quoted."""
    text = str(value)
    try:
        plain_ok = "\n" not in text and yaml.safe_load(f"key: {text}") == {"key": text}
    except yaml.YAMLError:
        plain_ok = False
    return text if plain_ok and text else '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


_ENV = jinja2.Environment(
    variable_start_string="[[",
    variable_end_string="]]",
    block_start_string="[%",
    block_end_string="%]",
    comment_start_string="[#",
    comment_end_string="#]",
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    undefined=jinja2.StrictUndefined,
    autoescape=False,
)
_ENV.filters["yaml"] = yaml_scalar
_ENV.filters["shell"] = shlex.quote


def render(template: Traversable, values: Mapping[str, object]) -> str:
    return _ENV.from_string(template.read_text(encoding="utf-8")).render(values)


def _walk(folder: Traversable, prefix: str = "") -> Iterator[tuple[str, Traversable]]:
    """(target path, template) for every file under `folder`, with `dot-` names undone."""
    for item in sorted(folder.iterdir(), key=lambda t: t.name):
        name = item.name
        if name.startswith(DOT_PREFIX):
            name = "." + name.removeprefix(DOT_PREFIX)
        if item.is_dir():
            yield from _walk(item, f"{prefix}{name}/")
        elif name != "__init__.py":
            yield f"{prefix}{name}", item


def _write_new(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileExistsError:
        raise ScaffoldError(f"{rel} already exists; pumpsite never overwrites a file.") from None
    except OSError as error:
        raise ScaffoldError(f"Cannot write {rel}: {error.strerror or error}.") from None


# --- init -------------------------------------------------------------------------------------


def site_name_for(folder: Path) -> str:
    words = folder.resolve().name.replace("-", " ").replace("_", " ").strip()
    return (words[:1].upper() + words[1:]) if words else "Our goals and measures"


def sample_csv(today: date) -> tuple[str, str]:
    """The sample measure's CSV (monthly values up to last month) and its first quarter."""
    last = containing(today, "monthly") + -1
    first = last + -(len(SAMPLE_VALUES) - 1)
    rows = [f"{first + i},{value}" for i, value in enumerate(SAMPLE_VALUES)]
    return "period,value\n" + "\n".join(rows) + "\n", str(quarter_of(first.start))


def _is_fresh(name: str) -> bool:
    return any(name == fresh or name.startswith(fresh + ".") for fresh in FRESH_REPO_FILES)


def check_init_target(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise ScaffoldError(f"{target} is a file: expected a new or empty folder.")
    if not target.is_dir():
        return
    others = sorted(p.name + "/" * p.is_dir() for p in target.iterdir() if not _is_fresh(p.name))
    if others:
        shown = ", ".join(others[:4]) + (", …" if len(others) > 4 else "")
        raise ScaffoldError(
            f"{target} is not empty (it has {shown}): pumpsite init creates a new repository "
            "and never overwrites files. Choose a new or empty folder; an empty git repository "
            "(with only .git, a README, a LICENSE or a .gitignore) is fine."
        )


def init_repo(
    target: Path, today: date, site_name: str | None = None, pumpsite_spec: str | None = None
) -> Written:
    """Create a measures repository at `target`: sample goal and measure, site settings, and
    the pull-request and publishing workflows, which install `pumpsite_spec` (by default the
    running pumpsite: `install_spec`). Existing fresh-repository files are kept."""
    check_init_target(target)
    csv_text, first_quarter = sample_csv(today)
    values = {
        "site_name": site_name or site_name_for(target),
        "first_quarter": first_quarter,
        "pumpsite_spec": pumpsite_spec or running_spec().spec,
    }
    result = Written(target)
    planned = [(rel, render(t, values)) for rel, t in _walk(TEMPLATES / "repo")]
    planned.append((default_data_path(SAMPLE_MEASURE), csv_text))
    target.mkdir(parents=True, exist_ok=True)
    for rel, text in planned:
        if (target / rel).exists():
            result.kept.append(rel)
            continue
        _write_new(target, rel, text)
        result.created.append(rel)
    return result


# --- new --------------------------------------------------------------------------------------


def default_title(item_id: str) -> str:
    words = item_id.replace("-", " ").replace("_", " ")
    return words[:1].upper() + words[1:]


def _file_ids(root: Path) -> dict[str, str]:
    """casefolded id -> repo-relative path of every goal and measure file (as the loader sees)."""
    found: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root / "measures"):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith(".md") and not name.startswith("."):
                rel = (Path(dirpath) / name).relative_to(root).as_posix()
                found.setdefault(name.removesuffix(".md").casefold(), rel)
    return found


def check_new_id(root: Path, item_id: str) -> dict[str, str]:
    """The repository's file ids, after checking that `item_id` is a valid, unused id."""
    if not (root / "measures").is_dir():
        raise ScaffoldError(
            f"{root} has no measures/ folder: expected a measures repository. Pass its path, "
            "or create one with pumpsite init DIR."
        )
    if not ID_PATTERN.fullmatch(item_id):
        slug = slugify(item_id)
        hint = f" Try '{slug}'." if slug else ""
        raise ScaffoldError(
            f"Invalid id '{item_id}': the id is the file name and part of the page's URL, so "
            f"expected letters, digits, '-' and '_', starting with a letter or digit.{hint}"
        )
    if item_id.casefold() in RESERVED_IDS:
        raise ScaffoldError(
            f"The id '{item_id}' is reserved: index and README (in any letter case) name a "
            "folder's main page, which the site makes itself. Choose another id."
        )
    ids = _file_ids(root)
    if item_id.casefold() in ids:
        raise ScaffoldError(
            f"The id '{item_id}' is taken by {ids[item_id.casefold()]}: ids are unique across "
            "measures/ (folders do not count). Choose another id."
        )
    return ids


def find_goal(root: Path, goal_id: str | None, ids: Mapping[str, str], option: str) -> str | None:
    """The repo-relative path of goal `goal_id` (named by `option`); None when none is named."""
    if goal_id is None:
        return None
    repo, _ = load_repo(root)
    if goal_id in repo.goals:
        return repo.goals[goal_id].path
    if goal_id in repo.measures:
        raise ScaffoldError(f"'{goal_id}' is a measure, not a goal: {option} names a goal.")
    if goal_id.casefold() in ids:
        raise ScaffoldError(
            f"{ids[goal_id.casefold()]} cannot be read as a goal: run pumpsite check to see why."
        )
    hint = did_you_mean(goal_id, sorted(repo.goals)).strip()
    if not hint:
        known = f"The goals are: {', '.join(sorted(repo.goals))}. " if repo.goals else ""
        hint = f"{known}Create it first with pumpsite new goal {goal_id}."
    raise ScaffoldError(f"There is no goal '{goal_id}' (named by {option}). {hint}")


def _beside(goal_path: str | None, item_id: str) -> str:
    """measures/<id>.md, in the folder of the goal it belongs to (folders are for people)."""
    folder = Path(goal_path).parent.as_posix() if goal_path else "measures"
    return f"{folder}/{item_id}.md"


def new_goal(
    root: Path,
    goal_id: str,
    *,
    title: str | None = None,
    parent: str | None = None,
    owner: str | None = None,
) -> Written:
    ids = check_new_id(root, goal_id)
    parent_path = find_goal(root, parent, ids, "--parent")
    values = {
        "id": goal_id,
        "title": title or default_title(goal_id),
        "parent": parent,
        "owner": owner,
    }
    rel = _beside(parent_path, goal_id)
    _write_new(root, rel, render(TEMPLATES / "goal.md", values))
    return Written(root, created=[rel])


def _only_goal(root: Path) -> str:
    repo, _ = load_repo(root)
    if len(repo.goals) == 1:
        return next(iter(repo.goals))
    if not repo.goals:
        raise ScaffoldError(
            "A measure is evidence of a goal, and this repository has none yet: create one "
            "with pumpsite new goal ID, then name it with --goal."
        )
    raise ScaffoldError(
        "A measure is evidence of a goal: name it with --goal (the goals are: "
        f"{', '.join(sorted(repo.goals))})."
    )


def new_measure(
    root: Path,
    measure_id: str,
    *,
    today: date,
    goal: str | None = None,
    title: str | None = None,
    owner: str | None = None,
    unit: str = "",
    frequency: Frequency = "monthly",
    better: str | None = None,
) -> Written:
    """Write the starter measure and its CSV. Without `better`, nobody said which direction is
    good: the file says `better: up?`, a guess that `pumpsite check` asks to confirm (PS122)."""
    ids = check_new_id(root, measure_id)
    goal = goal or _only_goal(root)
    goal_path = find_goal(root, goal, ids, "--goal")
    quarter = quarter_of(today)
    data = default_data_path(measure_id)
    values = {
        "id": measure_id,
        "title": title or default_title(measure_id),
        "goal": goal,
        "owner": owner,
        "unit": unit,
        "frequency": frequency,
        "better": better or "up?",
        "quarter": quarter,
        "next_quarter": quarter + 1,
        "next_quarter_end": (quarter + 1).end,
        "data": data,
        "example_period": containing(today, frequency),
    }
    rel = _beside(goal_path, measure_id)
    _write_new(root, rel, render(TEMPLATES / "measure.md", values))
    result = Written(root, created=[rel])
    if (root / data).exists():
        result.kept.append(data)
    else:
        _write_new(root, data, "period,value\n")
        result.created.append(data)
    return result


def new_action(
    root: Path,
    action_id: str,
    *,
    today: date,
    measures: list[str],
    goal: str | None = None,
    title: str | None = None,
    owner: str | None = None,
) -> Written:
    """Write measures/actions/ID.md, a starter action on `measures`, planned from `today` to
    the end of the next quarter. Its goal is the first measure's unless named."""
    ids = check_new_id(root, action_id)
    repo, _ = load_repo(root)
    for measure_id in measures:
        if measure_id not in repo.measures:
            hint = did_you_mean(measure_id, sorted(repo.measures))
            raise ScaffoldError(f"There is no measure '{measure_id}' (named by --measure).{hint}")
    goal = goal or repo.measures[measures[0]].meta.goal
    find_goal(root, goal, ids, "--goal")
    values = {
        "title": title or default_title(action_id),
        "owner": owner or "Who leads the action",
        "goal": goal,
        "measures": measures,
        "start": today.isoformat(),
        "end": (quarter_of(today) + 1).end.isoformat(),
        "today": today.isoformat(),
    }
    rel = f"measures/actions/{action_id}.md"
    _write_new(root, rel, render(TEMPLATES / "action.md", values))
    return Written(root, created=[rel])
