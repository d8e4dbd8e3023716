"""Shared test helpers: build a repository on disk from a dict of files."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

Files = Mapping[str, str | bytes]


def make_repo(root: Path, files: Files) -> Path:
    """Write `files` (repo-relative path -> text or bytes) under `root`, byte for byte."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    return root


@pytest.fixture
def repo_of(tmp_path: Path) -> Callable[[Files], Path]:
    """`repo_of({"measures/x.md": "..."})` -> the root of a fresh repository with those files."""
    counter = iter(range(1_000_000))

    def build(files: Files) -> Path:
        return make_repo(tmp_path / f"repo{next(counter)}", files)

    return build


@pytest.fixture(autouse=True, scope="session")
def _user_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The user's cache folder (where the chart cache's signing key lives) is one of the test
    run's, not the real ~/.cache; processes the tests start inherit it."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("user-cache"))
