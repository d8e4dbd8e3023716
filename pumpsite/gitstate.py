"""A git revision of the measures repository as a folder on disk, leaving the working tree alone.

`git archive` streams the tree of one commit into a temporary folder, which the normal loader
then reads like any other repository. When the measures repository is a subfolder of a larger
git repository, only that subfolder is taken (`REV:prefix`), so paths stay repo-relative.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pumpsite.build.scratch import scratch_folder
from pumpsite.git import GitError, run_git


@dataclass(frozen=True, slots=True)
class Revision:
    ref: str  # as the user wrote it
    commit: str  # the full hash it resolved to

    @property
    def short(self) -> str:
        return self.commit[:7]


def _git(folder: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return run_git(folder, *args, needed_by="diff")


def _stderr(result: subprocess.CompletedProcess[bytes]) -> str:
    return result.stderr.decode(errors="replace").strip()


def repository_prefix(folder: Path) -> tuple[Path, str]:
    """The top of `folder`'s git repository, and where `folder` sits in it ('' at the top)."""
    result = _git(folder, "rev-parse", "--show-toplevel", "--show-prefix")
    if result.returncode != 0:
        raise GitError(
            f"{folder} is not inside a git repository ({_stderr(result)}). "
            "pumpsite diff compares two git revisions: run it in a clone of your measures."
        )
    top, *prefix = result.stdout.decode().splitlines()
    return Path(top), "".join(prefix).strip().rstrip("/")


def resolve(folder: Path, ref: str) -> Revision:
    """The commit `ref` names (a branch, tag, hash, HEAD~2, origin/main...)."""
    result = _git(
        folder, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"
    )
    if result.returncode != 0 or not ref:
        hint = (
            f" To compare the working tree of the folder {ref}, write: pumpsite diff BASE . {ref}"
            if ref and Path(ref).is_dir()
            else " Check the name with `git branch -a` or `git log --oneline`; in a shallow CI "
            "clone, fetch the base branch first."
        )
        raise GitError(f"Unknown git revision '{ref}': expected a branch, tag or commit.{hint}")
    return Revision(ref, result.stdout.decode().strip())


@contextmanager
def checked_out(folder: Path, revision: Revision) -> Iterator[Path]:
    """The measures repository at `folder` as of `revision`, in a temporary folder that is
    removed afterwards. The working tree, the index and the branches are not touched."""
    top, prefix = repository_prefix(folder)
    tree = f"{revision.commit}:{prefix}" if prefix else revision.commit
    if prefix and _git(top, "cat-file", "-e", tree).returncode != 0:
        raise GitError(
            f"The folder {prefix} does not exist at '{revision.ref}' ({revision.short}): "
            "compare with a revision that has the measures repository in it."
        )
    result = _git(top, "archive", "--format=tar", tree)
    if result.returncode != 0:
        raise GitError(f"git cannot read '{revision.ref}' ({revision.short}): {_stderr(result)}")
    with scratch_folder("diff") as root:
        with tarfile.open(fileobj=io.BytesIO(result.stdout), mode="r:") as archive:
            archive.extractall(root, filter=_inside_only)
        yield root


def _inside_only(member: tarfile.TarInfo, dest: str) -> tarfile.TarInfo | None:
    """tarfile's safe 'data' filter, skipping (not failing on) links that leave the folder:
    the loader then reports the file as missing instead of reading outside the revision."""
    try:
        return tarfile.data_filter(member, dest)
    except tarfile.FilterError:
        return None
