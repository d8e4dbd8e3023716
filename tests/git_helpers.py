"""Real git repositories for tests, isolated from the user's and the system's git settings."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

GIT_VARIABLES = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY")


@pytest.fixture
def isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """git with a known identity and default branch, and no global or system settings."""
    config = tmp_path / "gitconfig"
    config.write_text(
        "[user]\n\tname = Test Publisher\n\temail = publisher@example.org\n"
        "[init]\n\tdefaultBranch = main\n"
    )
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in GIT_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def git(cwd: Path, *args: str, check: bool = True) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, env=os.environ.copy()
    )
    if check and done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {done.stderr}")
    return done.stdout.strip()


def commit_all(repo: Path, message: str = "Our measures") -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def git_repo_with_remote(repo: Path, remote: Path) -> Path:
    """Make `repo` a git repository with one commit, pushed to a new bare repository `remote`."""
    git(repo.parent, "init", "-q", "--bare", str(remote))
    git(repo, "init", "-q")
    commit_all(repo)
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "-q", "origin", "main")
    return repo
