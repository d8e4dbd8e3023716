"""The line the generated workflows install pumpsite with: the running pumpsite, reproduced.

pip records where a distribution came from in its `direct_url.json` (PEP 610): nothing when it
came from an index, a VCS URL and commit when it came from git, a folder or an archive when it
came from a local path. The workflows need something CI can install, so:

- from an index: `pumpsite==VERSION`;
- from git: `pumpsite @ git+URL@COMMIT`, the very commit running here;
- from a local folder (a clone, editable or not) whose git remote `origin` is an http(s) URL:
  that remote at the folder's HEAD commit (which must be pushed);
- from anything else CI cannot reach (a wheel file, a folder without such a remote): the version
  from the index, saying so.

`pumpsite init --pumpsite-spec` overrides all of this.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlparse


@dataclass(frozen=True, slots=True)
class InstallSpec:
    spec: str  # what the workflows `pip install`
    why: str  # one sentence for `pumpsite init` to print


def running_spec() -> InstallSpec:
    """The install spec that reproduces the pumpsite running this code."""
    dist = metadata.distribution("pumpsite")
    return spec_for(dist.version, dist.read_text("direct_url.json"))


def spec_for(version: str, direct_url: str | None) -> InstallSpec:
    pinned = f"pumpsite=={version}"
    if not direct_url:
        return InstallSpec(pinned, f"pumpsite {version} was installed from a package index.")
    origin = json.loads(direct_url)
    url = str(origin.get("url", ""))
    vcs = origin.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("commit_id"):
        spec = f"pumpsite @ {vcs.get('vcs', 'git')}+{url}@{vcs['commit_id']}"
        return InstallSpec(spec, f"pumpsite was installed from {url}: the same commit.")
    folder = Path(unquote(urlparse(url).path)) if url.startswith("file://") else None
    clone = _clone_of(folder) if folder and folder.is_dir() else None
    if clone:
        remote, commit = clone
        return InstallSpec(
            f"pumpsite @ git+{remote}@{commit}",
            f"pumpsite was installed from the folder {folder}, a clone of {remote}: its commit "
            f"{commit[:7]}, which must be pushed there.",
        )
    return InstallSpec(
        pinned,
        f"pumpsite was installed from {url or 'a local file'}, which CI cannot reach: the "
        f"workflows install version {version} from PyPI. If no index serves it, run pumpsite "
        "init again with --pumpsite-spec naming what CI can install (a git URL).",
    )


def _clone_of(folder: Path) -> tuple[str, str] | None:
    """(origin's http(s) URL, HEAD's commit) of the git clone at `folder`, if it is one."""
    remote, commit = _git(folder, "remote", "get-url", "origin"), _git(folder, "rev-parse", "HEAD")
    if remote and commit and remote.startswith(("https://", "http://")):
        return remote, commit
    return None


def _git(folder: Path, *args: str) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), *args], capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""
