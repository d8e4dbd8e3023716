"""The workflows `pumpsite init` writes, run for real: their install line reproduces the running
pumpsite, and their shell steps, in order, pass in a new repository with a local bare remote.

What cannot run offline is substituted, and each substitution is asserted or said here:
`actions/checkout` is a clone of the bare remote (the pull request's branch, detached, full
history as `fetch-depth: 0` asks); `actions/setup-python` is the Python running the tests; the
install step is checked to install the spec given to `init` and is then skipped, the tests'
own pumpsite being first on PATH; the sticky-comment action is checked to find a non-empty
file at its `path`. Every `run:` step runs with bash as GitHub runs it (`-eo pipefail`), with its
`env:` and the `${{ }}` expressions a pull request into main gives.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from pumpsite.install_spec import spec_for
from pumpsite.scaffold import init_repo
from tests.git_helpers import commit_all, git, isolated_git

__all__ = ["isolated_git"]

SPEC = "pumpsite @ git+https://example.org/pumpsite.git@0123456789abcdef0123456789abcdef01234567"
EXPRESSIONS = {  # what GitHub gives a pull request (number 7) from `feature` into main
    "github.base_ref": "main",
    "github.event.number": "7",
    "!cancelled()": "true",
    "success()": "true",
    "!cancelled() && steps.diff.outcome == 'success'": "true",
}


# --- the install line --------------------------------------------------------------------------


def test_installed_from_an_index_the_workflows_pin_the_version() -> None:
    spec = spec_for("1.2.3", None)
    assert spec.spec == "pumpsite==1.2.3"
    assert spec.why == "pumpsite 1.2.3 was installed from a package index."


def test_installed_from_git_the_workflows_install_the_same_commit() -> None:
    direct_url = {
        "url": "https://github.com/acme/pumpsite.git",
        "vcs_info": {"vcs": "git", "requested_revision": "main", "commit_id": "ab12cd34"},
    }
    spec = spec_for("0.1.0", json.dumps(direct_url))
    assert spec.spec == "pumpsite @ git+https://github.com/acme/pumpsite.git@ab12cd34"
    assert spec.why == (
        "pumpsite was installed from https://github.com/acme/pumpsite.git: the same commit."
    )


def test_installed_from_a_clone_the_workflows_install_its_remote_at_its_commit(
    tmp_path: Path, isolated_git: None
) -> None:
    clone = tmp_path / "pumpsite"
    clone.mkdir()
    git(clone, "init", "-q")
    git(clone, "remote", "add", "origin", "https://github.com/acme/pumpsite.git")
    (clone / "x").write_text("x")
    commit = commit_all(clone)
    direct_url = {"url": clone.as_uri(), "dir_info": {"editable": True}}
    spec = spec_for("0.1.0", json.dumps(direct_url))
    assert spec.spec == f"pumpsite @ git+https://github.com/acme/pumpsite.git@{commit}"
    assert spec.why == (
        f"pumpsite was installed from the folder {clone}, a clone of "
        f"https://github.com/acme/pumpsite.git: its commit {commit[:7]}, which must be pushed "
        "there."
    )


def test_installed_from_a_file_ci_cannot_reach_the_workflows_say_so(tmp_path: Path) -> None:
    wheel = tmp_path / "pumpsite-0.1.0-py3-none-any.whl"
    spec = spec_for("0.1.0", json.dumps({"url": wheel.as_uri(), "archive_info": {}}))
    assert spec.spec == "pumpsite==0.1.0"
    assert spec.why == (
        f"pumpsite was installed from {wheel.as_uri()}, which CI cannot reach: the workflows "
        "install version 0.1.0 from PyPI. If no index serves it, run pumpsite init again with "
        "--pumpsite-spec naming what CI can install (a git URL)."
    )


def test_init_writes_the_spec_into_both_workflows(tmp_path: Path) -> None:
    init_repo(tmp_path / "ours", date.today(), pumpsite_spec=SPEC)
    for workflow in ("publish.yml", "pull-request.yml"):
        steps = next(iter(load_workflow(tmp_path / "ours", workflow)["jobs"].values()))["steps"]
        assert install_step(steps)["run"] == f"pip install {shlex.quote(SPEC)}"


# --- the workflows, run ------------------------------------------------------------------------


def load_workflow(root: Path, name: str, *, preview: bool = False) -> dict[str, Any]:
    """The workflow as GitHub reads it; with `preview`, its commented-out preview step enabled."""
    text = (root / ".github/workflows" / name).read_text(encoding="utf-8")
    if preview:
        head, marker, tail = text.partition("      # - name: Publish a preview")
        assert marker, "the pull-request workflow offers a preview step"
        text = head + re.sub(r"(?m)^      # ?", "      ", marker + tail)
    workflow: dict[str, Any] = yaml.safe_load(text)
    return workflow


def install_step(steps: list[dict[str, Any]]) -> dict[str, Any]:
    return next(step for step in steps if step.get("name") == "Install pumpsite")


def expand(text: str) -> str:
    """`${{ expression }}` replaced as GitHub would for the pull request; unknown ones fail."""

    def value(match: re.Match[str]) -> str:
        expression = match[1].strip()
        assert expression in EXPRESSIONS, f"the test does not know ${{{{ {expression} }}}}"
        return EXPRESSIONS[expression]

    return re.sub(r"\$\{\{(.*?)\}\}", value, text)


def run_shell(script: str, cwd: Path, env: Mapping[str, str]) -> None:
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", expand(script)],
        cwd=cwd,
        env={**os.environ, **{k: expand(v) for k, v in env.items()}},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, f"step failed:\n{script}\n{done.stdout}{done.stderr}"


def run_job(steps: list[dict[str, Any]], remote: Path, workspace: Path, ref: str) -> list[str]:
    """Run the steps in order (see the module's docstring); the names of the steps run."""
    ran = []
    for step in steps:
        name = step.get("name") or step.get("uses", "")
        assert expand(step.get("if", "true")) == "true", name
        uses = step.get("uses", "")
        if uses.startswith("actions/checkout@"):
            git(workspace.parent, "clone", "-q", str(remote), workspace.name)
            git(workspace, "checkout", "-q", "--detach", f"origin/{ref}")
        elif uses.startswith("marocchino/sticky-pull-request-comment@"):
            assert (workspace / step["with"]["path"]).read_text(encoding="utf-8").strip()
        elif step is install_step(steps):
            assert step["run"] == f"pip install {shlex.quote(SPEC)}"
        elif "run" in step:
            run_shell(step["run"], workspace, step.get("env", {}))
        else:
            assert uses.startswith("actions/setup-python@"), f"unknown step {name}"
        ran.append(name)
    return ran


@pytest.fixture
def pushed(tmp_path: Path, isolated_git: None, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A new repository, pushed to a local bare remote, with a branch `feature` that moves the
    latest on-time delivery far below its limits. Returns the bare remote."""
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    root, remote = tmp_path / "ours", tmp_path / "remote.git"
    init_repo(root, date.today(), pumpsite_spec=SPEC)
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(root, "init", "-q", "-b", "main")
    commit_all(root)
    git(root, "remote", "add", "origin", str(remote))
    git(root, "push", "-q", "origin", "main")
    git(root, "checkout", "-q", "-b", "feature")
    csv = root / "data/on-time-delivery.csv"
    rows = csv.read_text().splitlines()
    csv.write_text("\n".join([*rows[:-1], rows[-1].split(",")[0] + ",70.0"]) + "\n")
    commit_all(root, "Last month's late deliveries")
    git(root, "push", "-q", "origin", "feature")
    return remote


def test_the_pull_request_workflow_runs_and_its_comment_has_the_news(
    pushed: Path, tmp_path: Path
) -> None:
    workflow = load_workflow(tmp_path / "ours", "pull-request.yml", preview=True)
    workspace = tmp_path / "pr"
    ran = run_job(workflow["jobs"]["check"]["steps"], pushed, workspace, "feature")
    assert ran == [
        "actions/checkout@v4",
        "actions/setup-python@v5",
        "Install pumpsite",
        "Check the measures",
        "Build the site",
        "Summarise what changed",
        "Post the summary on the pull request",
        "Publish a preview",
    ]
    news = (workspace / "pumpsite-diff.md").read_text(encoding="utf-8")
    assert "On-time delivery" in news and "signal" in news
    preview = git(workspace, "ls-tree", "-r", "--name-only", "origin/gh-pages")
    assert "previews/pr-7/index.html" in preview.splitlines()


def test_the_publish_workflow_runs_and_publishes_the_site(pushed: Path, tmp_path: Path) -> None:
    workflow = load_workflow(tmp_path / "ours", "publish.yml")
    workspace = tmp_path / "main"
    run_job(workflow["jobs"]["publish"]["steps"], pushed, workspace, "main")
    published = git(pushed, "ls-tree", "-r", "--name-only", "gh-pages").splitlines()
    assert {"index.html", ".nojekyll", "measures/on-time-delivery.html"} <= set(published)
