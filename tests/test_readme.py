"""The README's blocks, followed as written by a new user, in a fresh virtual environment.

A copy of the repository's tracked files stands for the clone. Substitutions, each asserted to
match the README (so the README cannot drift from what is run): `pumpsite serve --open` becomes
`pumpsite build` (no browser here) and the site is checked; `pipx install .` becomes the clone's
`.venv/bin` on PATH (the same install, from the same folder); the GitHub remote becomes a local
bare repository, to which `git push` and `pumpsite publish` really push.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.example_site import ROOT
from tests.git_helpers import git, isolated_git

__all__ = ["isolated_git"]

pytestmark = pytest.mark.slow


def blocks(section: str) -> list[str]:
    """The ```sh blocks under the README's heading `section`."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    text = readme.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", text, re.S)


def follow(block: str, cwd: Path, substitutions: dict[str, str]) -> None:
    for old, new in substitutions.items():
        assert old in block, f"the README no longer says {old!r}"
        block = block.replace(old, new)
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block], cwd=cwd, capture_output=True, text=True
    )
    assert done.returncode == 0, f"{block}\n{done.stdout}\n{done.stderr}"


def clone(dest: Path) -> Path:
    tracked = git(ROOT, "ls-files", "-z").split("\0")
    for rel in filter(None, tracked):
        if (ROOT / rel).is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, dest / rel)
    return dest


def test_the_readme_works_as_written(
    tmp_path: Path, isolated_git: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    checkout = clone(tmp_path / "pumpsite")
    monkeypatch.delenv("PYTHONPATH", raising=False)
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    monkeypatch.setenv("PATH", f"{Path(sys.base_prefix) / 'bin'}{os.pathsep}{os.environ['PATH']}")

    [try_it] = blocks("Try it")
    follow(try_it, checkout, {"pumpsite serve --open": "pumpsite build"})
    assert (checkout / "site/review.html").is_file()

    [on_path] = blocks("Get `pumpsite` on your PATH")
    monkeypatch.setenv("PATH", f"{checkout / '.venv/bin'}{os.pathsep}{os.environ['PATH']}")
    assert "pipx install ." in on_path  # the clone's .venv/bin on PATH stands for it

    own, tests = blocks("Your own repository")
    remote = tmp_path / "our-measures.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    follow(own, tmp_path, {"git@github.com:OWNER/our-measures.git": str(remote)})
    assert tests == "make install check\n"
    published = git(remote, "ls-tree", "-r", "--name-only", "gh-pages").splitlines()
    assert "measures/late-orders.html" in published
    assert git(remote, "rev-parse", "main")
