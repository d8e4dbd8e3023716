"""The one way pumpsite runs git: in a given folder, with an environment that points git at that
folder's repository, and a `GitError` when git is missing.

A git hook (pre-commit runs `pumpsite check`) sets `GIT_DIR`, `GIT_INDEX_FILE` and friends for
the repository it runs in; they would make git ignore the folder it is given, so they are left
out. Everything else in the environment (identity, credentials, configuration) is passed on.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import overload

from pumpsite.errors import PumpsiteError

_REPOSITORY_VARIABLES = frozenset(
    {
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_COMMON_DIR",
        "GIT_PREFIX",
        "GIT_IMPLICIT_WORK_TREE",
    }
)
"""Variables that tie git to one repository (a subset of `git rev-parse --local-env-vars`)."""


class GitError(PumpsiteError):
    """git is missing, or cannot do what a command needs; the message says what to do. Like a
    usage error, it means nothing was done (`pumpsite diff` compared nothing)."""

    exit_code = 2


def safe_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment without the variables that tie git to another repository,
    with `extra` on top."""
    kept = {k: v for k, v in os.environ.items() if k not in _REPOSITORY_VARIABLES}
    return {**kept, **(extra or {})}


@overload
def run_git(
    folder: Path,
    *args: str,
    needed_by: str,
    stdin: str,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]: ...


@overload
def run_git(
    folder: Path,
    *args: str,
    needed_by: str,
    stdin: None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes]: ...


def run_git(
    folder: Path,
    *args: str,
    needed_by: str,
    stdin: str | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str] | subprocess.CompletedProcess[bytes]:
    """`git args` in `folder`, its output captured (text when `stdin` is text, else bytes),
    whatever its exit status. `needed_by` names the command, for the message when git is
    missing."""
    try:
        return subprocess.run(
            ["git", *args],
            cwd=folder,
            input=stdin,
            capture_output=True,
            text=stdin is not None,
            env=safe_environment(env),
            check=False,
        )
    except FileNotFoundError:
        raise GitError(
            f"git is not installed (or not on PATH): pumpsite {needed_by} needs it."
        ) from None
