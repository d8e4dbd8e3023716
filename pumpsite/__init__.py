"""pumpsite: measures-as-code for the PuMP performance-measurement method.

The code is laid out as the pipeline data flows through, one subpackage per stage:

- `load/`      the only reader: text, YAML with lines, validation, CSV data, glossary → the model
               and a list of problems
- `checks/`    problems beyond syntax: references across files, sources, PuMP lint, limits lint,
               and the inspection that `pumpsite check` runs (load → checks → analysis → lint)
- `analysis/`  pure maths and words: exact lines, XmR limits, signals, episodes, a measure's
               analysis, its reading, the `pumpsite xmr` report
- `render/`    pure rendering, the site as a value: view-models, pages from templates (user
               templates in a bounded worker), charts by reference, `chart/` (plan, guides,
               the SVG drawn by hand), results map, and the Markdown extensions that keep pages safe
               (tooltips, safe HTML)
- `build/`     `pumpsite build`: the engine (MkDocs) adapter and its speed mechanisms, the chart
               cache, pumpsite's own folders and the build lock, the atomic swap, scratch
               folders, timings
- `serve/`     `pumpsite serve`: rebuild on save, the preview's web server with live reload, the
               source watcher
- `publish/`   `pumpsite publish`: the built site committed to a branch with git plumbing
- `diff/`      `pumpsite diff`: the statistical news between two git states (via `gitstate`)
- `pull/`      `pumpsite pull`: runs the measures' sources (raw records, SQL) and writes their
               CSVs; the only stage that runs a source, and nothing else imports it

At the top: `model` (the data every stage shares), `problems` (the Problem value, the one
registry of its codes, and how messages quote the user's text), `errors` (the base of the errors
that stop a command), `git` (the one git runner), `vocabulary` (literal types and the five-point
minimum), `labels` (words for roles, effects, assurance), `goal_tree`, `schema` (the settings in
`mkdocs.yml` and frontmatter), `periods`, `numbers` (parsing and display), `scaffold`
(`pumpsite init`/`new`), `install_spec` (the workflows' install line) and `cli`.

The public API below is imported lazily (`build_site` is `build.run.build`: the name `build` is
the subpackage's), so `import pumpsite` stays cheap for the command line
and for worker processes.
"""

from __future__ import annotations

import importlib as _importlib
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

__version__ = "0.1.0"

_PUBLIC = {
    "load_repo": "pumpsite.load.repo",
    "inspect": "pumpsite.checks.inspection",
    "Inspection": "pumpsite.checks.inspection",
    "analyse_measure": "pumpsite.analysis.measure",
    "MeasureAnalysis": "pumpsite.analysis.measure",
    "build_site": "pumpsite.build.run:build",
    "BuildResult": "pumpsite.build.run",
    "publish_site": "pumpsite.publish.run",
    "PublishResult": "pumpsite.publish.run",
    "diff_revisions": "pumpsite.diff.run",
    "Problem": "pumpsite.problems",
    "Severity": "pumpsite.problems",
    "Repo": "pumpsite.model",
    "Goal": "pumpsite.model",
    "Measure": "pumpsite.model",
    "Series": "pumpsite.model",
    "Observation": "pumpsite.model",
}

__all__ = [
    "BuildResult",
    "Goal",
    "Inspection",
    "Measure",
    "MeasureAnalysis",
    "Observation",
    "Problem",
    "PublishResult",
    "Repo",
    "Series",
    "Severity",
    "__version__",
    "analyse_measure",
    "build_site",
    "diff_revisions",
    "inspect",
    "load_repo",
    "publish_site",
]

if _TYPE_CHECKING:
    from pumpsite.analysis.measure import MeasureAnalysis, analyse_measure
    from pumpsite.build.run import BuildResult
    from pumpsite.build.run import build as build_site
    from pumpsite.checks.inspection import Inspection, inspect
    from pumpsite.diff.run import diff_revisions
    from pumpsite.load.repo import load_repo
    from pumpsite.model import Goal, Measure, Observation, Repo, Series
    from pumpsite.problems import Problem, Severity
    from pumpsite.publish.run import PublishResult, publish_site


def __getattr__(name: str) -> _Any:
    if name in _PUBLIC:
        module, _, attribute = _PUBLIC[name].partition(":")
        return getattr(_importlib.import_module(module), attribute or name)
    raise AttributeError(f"module 'pumpsite' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
