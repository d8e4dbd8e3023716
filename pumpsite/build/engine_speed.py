"""What pumpsite does to the engine's internals, in one place: keeping its work across builds,
and keeping it quiet. Nothing happens at import: `pumpsite.build.engine.run_engine` calls
`before_loading()` and then `reuse_across_builds(config.theme)` when a build starts.

MkDocs makes a new Jinja environment on each build, which recompiles every theme template and
lists every file of the theme (Material's holds 14,000 icons): under `pumpsite serve`, a third of
a rebuild of the example. Both are kept for the life of the process: compiled templates are
checked against a hash of their source, and only installed themes' folders (which a build does
not change) are listed once; the generated `overrides/` and a user's `custom_dir` are listed
afresh.

These mechanisms rely on the engine's internals listed in `INTERNALS`, as found in the versions
of `TESTED_WITH`; `tests/build/test_engine_speed.py` fails when one of them moves.
"""

from __future__ import annotations

import functools
import os
import sysconfig
from pathlib import Path
from typing import Any

import jinja2

from pumpsite.render.templating import CompiledTemplates

TESTED_WITH = {"mkdocs": "1.6.", "mkdocs-material": "9.", "jinja2": "3.1."}
"""The engine's packages, by the start of the versions these mechanisms were written against."""

INTERNALS = (
    "mkdocs.theme.Theme.get_env: a method, called once per build; replaced on the build's theme",
    "the Environment it returns: its loader a plain jinja2.FileSystemLoader (the theme's dirs)",
    "jinja2.FileSystemLoader: searchpath, followlinks, list_templates()",
    "jinja2.Environment.bytecode_cache: set after the environment is made",
    "material/templates/__init__.py: prints a notice on import unless NO_MKDOCS_2_WARNING is set",
)
"""What the mechanisms touch that no engine documents as stable."""

QUIET = {"NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}
"""Material 9.7+ prints an end-of-life notice when its templates are imported (with the theme,
as the configuration loads); pumpsite's output is its own."""


def before_loading() -> None:
    """Before the engine loads a configuration: quiet the theme's import-time notice (a user's
    own setting of these variables wins)."""
    for name, value in QUIET.items():
        os.environ.setdefault(name, value)


@functools.cache
def _compiled() -> CompiledTemplates:
    return CompiledTemplates()


@functools.cache
def _installed_places() -> tuple[Path, ...]:
    """Where installed packages live: a theme there does not change between builds."""
    return tuple({Path(sysconfig.get_path(kind)).resolve() for kind in ("purelib", "platlib")})


@functools.cache
def _installed_listing(folder: str) -> frozenset[str]:
    return frozenset(jinja2.FileSystemLoader(folder).list_templates())


class _ThemeLoader(jinja2.FileSystemLoader):
    def list_templates(self) -> list[str]:
        found: set[str] = set()
        for folder in self.searchpath:
            if any(Path(folder).resolve().is_relative_to(p) for p in _installed_places()):
                found |= _installed_listing(folder)
            else:
                found.update(jinja2.FileSystemLoader(folder).list_templates())
        return sorted(found)


def reuse_across_builds(theme: Any) -> None:
    """Make the build's `theme` (an `mkdocs.theme.Theme`) keep compiled templates and installed
    themes' file listings for the life of the process."""
    make_env = theme.get_env

    def get_env() -> jinja2.Environment:
        env: jinja2.Environment = make_env()
        env.bytecode_cache = _compiled()
        if type(env.loader) is jinja2.FileSystemLoader:
            env.loader = _ThemeLoader(env.loader.searchpath, followlinks=env.loader.followlinks)
        return env

    theme.get_env = get_env
