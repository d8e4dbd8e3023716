"""git for `pumpsite publish`: the commands it runs in the measures repository, with their
errors turned into PublishError messages that say what to do."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from pumpsite.errors import PumpsiteError
from pumpsite.git import GitError, run_git


class PublishError(PumpsiteError):
    """Publishing cannot go on; the message says why and what to do. Nothing was pushed."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One file of a git tree: mode, blob id and '/'-separated path."""

    mode: str
    sha: str
    path: str


@dataclass(frozen=True, slots=True)
class RemoteBranch:
    remote: str
    name: str
    tip: str | None  # None when the branch does not exist yet
    default: str | None  # the remote's default branch (its HEAD), when it says

    def __str__(self) -> str:
        return f"{self.remote}/{self.name}"


class Git:
    """git commands run in the measures repository, with errors turned into PublishError."""

    def __init__(self, root: Path) -> None:
        self.root = root
        if self.run("rev-parse", "--git-dir", check=False).returncode != 0:
            raise PublishError(
                f"{root} is not in a git repository: pumpsite publish commits the site to a "
                "branch of the repository and pushes it. Run git init, commit, and add a remote "
                "(git remote add origin URL) first."
            )

    def run(
        self,
        *args: str,
        stdin: str = "",
        env: Mapping[str, str] | None = None,
        check: bool = True,
    ) -> subprocess.CompletedProcess[str]:
        try:
            done = run_git(self.root, *args, needed_by="publish", stdin=stdin, env=env)
        except GitError as error:  # a publish stops with exit code 1, whatever the cause
            raise PublishError(error.message) from None
        if check and done.returncode != 0:
            raise PublishError(f"git {args[0]} failed: {last_lines(done.stderr)}")
        return done

    def out(self, *args: str, stdin: str = "", env: Mapping[str, str] | None = None) -> str:
        return self.run(*args, stdin=stdin, env=env).stdout.strip()

    def check_remote(self, remote: str) -> None:
        if self.run("remote", "get-url", remote, check=False).returncode == 0:
            return
        remotes = self.out("remote").split()
        known = f" The remotes are: {', '.join(remotes)}." if remotes else ""
        raise PublishError(
            f"There is no git remote '{remote}': add it with git remote add {remote} URL (your "
            f"repository on GitHub, say), or name another with --remote.{known}"
        )

    def remote_branch(self, remote: str, branch: str) -> RemoteBranch:
        """The remote's branch, its tip fetched so that it can be the parent, and the remote's
        default branch."""
        ref = f"refs/heads/{branch}"
        listed = self.run("ls-remote", "--symref", remote, "HEAD", ref, check=False)
        if listed.returncode != 0:
            raise PublishError(
                f"Cannot reach the remote '{remote}': {last_lines(listed.stderr)} "
                "Nothing was published."
            )
        tip = default = None
        for line in listed.stdout.splitlines():
            value, _, name = line.partition("\t")
            if name == "HEAD" and value.startswith("ref: refs/heads/"):
                default = value.removeprefix("ref: refs/heads/")
            elif name == ref:
                tip = value
        if tip is not None:
            tracking = f"refs/remotes/{remote}/{branch}"
            self.out("fetch", "--quiet", "--no-tags", remote, f"+{ref}:{tracking}")
            tip = self.out("rev-parse", "--verify", f"{tracking}^{{commit}}")
        return RemoteBranch(remote, branch, tip, default)

    def tree_entries(self, commit: str | None) -> list[Entry]:
        if commit is None:
            return []
        listing = self.run("ls-tree", "-r", "-z", "--full-tree", commit).stdout
        entries = []
        for record in filter(None, listing.split("\0")):
            meta, path = record.split("\t", 1)
            mode, _kind, sha = meta.split()
            entries.append(Entry(mode, sha, path))
        return entries

    def store_files(self, files: Mapping[str, Path]) -> list[Entry]:
        """Write each file into git's object store as it is (no filters)."""
        paths = list(files)
        stdin = "\n".join(str(files[p]) for p in paths)
        shas = self.out("hash-object", "-w", "--no-filters", "--stdin-paths", stdin=stdin)
        return [Entry("100644", sha, path) for path, sha in zip(paths, shas.split(), strict=True)]

    def write_tree(self, entries: Iterable[Entry], index: Path) -> str:
        env = {"GIT_INDEX_FILE": str(index)}
        info = "".join(f"{e.mode} {e.sha}\t{e.path}\0" for e in entries)
        self.run("update-index", "-z", "--add", "--index-info", stdin=info, env=env)
        return self.out("write-tree", env=env)

    def check_identity(self) -> None:
        """Fail before building when git cannot sign the publish commit with a name and email."""
        idents = ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT")
        if any(self.run("var", ident, check=False).returncode != 0 for ident in idents):
            raise PublishError(
                "git needs a name and an email for the publish commit: run "
                'git config user.name "Your Name" and git config user.email you@example.org.'
            )

    def commit_tree(self, tree: str, parent: str | None, message: str) -> str:
        args = ["commit-tree", tree, *(["-p", parent] if parent else []), "-m", message]
        return self.out(*args)

    def push(self, remote: str, commit: str, branch: str) -> None:
        done = self.run("push", "--quiet", remote, f"{commit}:refs/heads/{branch}", check=False)
        if done.returncode != 0:
            raise PublishError(
                f"The push to {remote}/{branch} was rejected: {push_reason(done.stderr)} "
                "Nothing was published. If someone else published at the same time, run "
                "pumpsite publish again."
            )

    def source(self) -> str:
        """The source commit in words, for the commit message."""
        head = self.run("rev-parse", "--short", "HEAD", check=False).stdout.strip()
        if not head:
            return "uncommitted files"
        branch = self.current_branch()
        return f"{branch} at {head}" if branch else head

    def dirty(self) -> bool:
        return bool(self.out("status", "--porcelain", "--", "."))

    def current_branch(self) -> str:
        """The branch checked out here; "" when HEAD is detached."""
        return self.run("symbolic-ref", "--short", "-q", "HEAD", check=False).stdout.strip()

    def shares_history(self, commit: str) -> bool:
        """Whether `commit` and the source (HEAD) have a commit in common."""
        return self.run("merge-base", "HEAD", commit, check=False).returncode == 0

    def history(self, commit: str) -> list[tuple[str, str]]:
        """The short id and subject of every commit in `commit`'s history, newest first."""
        lines = self.out("log", "--format=%h %s", commit).splitlines()
        return [(short, subject) for short, _, subject in (line.partition(" ") for line in lines)]


def push_reason(stderr: str) -> str:
    """What the remote said (a hook, branch protection) and why git refused, in one sentence."""
    lines = [line.strip() for line in stderr.splitlines()]
    said = [line.removeprefix("remote:").strip() for line in lines if line.startswith("remote:")]
    why = [line.rsplit("(", 1)[-1].rstrip(")") for line in lines if line.startswith("! [")]
    if not said and not why:
        return last_lines(stderr) + "."
    parts = ["; ".join(filter(None, said)), f"({why[0]})" if why else ""]
    return " ".join(filter(None, parts)) + "."


def last_lines(text: str, count: int = 3) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return " ".join(lines[-count:]) or "(no message from git)"
