"""Repositories for the pull tests: one goal and one measure `m` whose `source` block is given.

In a measure file made by `measure()`, `source:` is on line 6 and its keys from line 7 on."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path

from click.testing import CliRunner, Result

from pumpsite.cli import cli
from tests.conftest import make_repo

GOAL = "---\nkind: goal\ntitle: Customers stay with us\n---\n"
AS_OF = "2026-11-23"


def measure(source: str, frequency: str = "monthly", extra: str = "") -> str:
    block = textwrap.indent(textwrap.dedent(source).strip("\n"), "  ")
    return (
        f"---\ntitle: Complaints\ngoal: g\nfrequency: {frequency}\nbetter: down\n"
        f"source:\n{block}\n{extra}---\n"
    )


def repo(root: Path, source: str, files: Mapping[str, str | bytes] = {}, **kwargs: str) -> Path:
    return make_repo(
        root,
        {
            "mkdocs.yml": "site_name: Test\n",
            "measures/g.md": GOAL,
            "measures/m.md": measure(source, **kwargs),
            **files,
        },
    )


def pull(root: Path, *args: str, env: Mapping[str, str] | None = None) -> Result:
    runner = CliRunner()
    return runner.invoke(cli, ["pull", "--path", str(root), "--as-of", AS_OF, *args], env=env)


def csv_lines(*rows: str, header: str = "id,logged_on,kind,minutes") -> str:
    return "\n".join([header, *rows]) + "\n"
