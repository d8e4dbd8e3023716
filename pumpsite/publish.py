"""`pumpsite publish`: build the site and commit it to a branch (gh-pages), then push it.

Only git plumbing is used — `hash-object`, `update-index` on a temporary index, `write-tree`,
`commit-tree`, `push` — so the source branch, HEAD, the index and the working tree are never
touched, and nothing is checked out. Each publish is one commit whose parent is the remote
branch's previous tip, so the site keeps its history.

The branch's layout:
- a normal publish replaces the branch's content with the site, plus `.nojekyll`;
- `--prefix DIR` publishes the site into DIR/ (a pull-request preview) and keeps everything else;
  DIR/ gets a `.pumpsite-prefix` marker file;
- a normal publish keeps every folder that holds that marker (the previews), and a `CNAME` file
  (GitHub Pages' custom domain) when the site has none;
- `--prefix DIR --remove` deletes a preview.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath

from pumpsite.build import BuildResult, build

Progress = Callable[[str], None]

MARKER = ".pumpsite-prefix"
NOJEKYLL = ".nojekyll"
CNAME = "CNAME"
_SEGMENT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*")


class PublishError(Exception):
    """Publishing cannot go on; the message says why and what to do. Nothing was pushed."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One file of a git tree: mode, blob id and '/'-separated path."""

    mode: str
    sha: str
    path: str


@dataclass(frozen=True, slots=True)
class PublishResult:
    build: BuildResult | None  # None for --remove, which builds nothing
    remote: str
    branch: str
    commit: str | None = None  # None when nothing was pushed
    parent: str | None = None
    files: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.build is None or self.build.ok


# --- git --------------------------------------------------------------------------------------


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
            done = subprocess.run(
                ["git", *args],
                cwd=self.root,
                input=stdin,
                capture_output=True,
                text=True,
                env={**os.environ, **(env or {})},
            )
        except FileNotFoundError:
            raise PublishError("git is not installed: pumpsite publish needs git.") from None
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

    def remote_tip(self, remote: str, branch: str) -> str | None:
        """The remote branch's tip, fetched so that it can be the parent; None if no branch."""
        ref = f"refs/heads/{branch}"
        listed = self.run("ls-remote", "--heads", remote, ref, check=False)
        if listed.returncode != 0:
            raise PublishError(
                f"Cannot reach the remote '{remote}': {last_lines(listed.stderr)} "
                "Nothing was published."
            )
        if not listed.stdout.strip():
            return None
        tracking = f"refs/remotes/{remote}/{branch}"
        self.out("fetch", "--quiet", "--no-tags", remote, f"+{ref}:{tracking}")
        return self.out("rev-parse", "--verify", f"{tracking}^{{commit}}")

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
        branch = self.run("symbolic-ref", "--short", "-q", "HEAD", check=False).stdout.strip()
        return f"{branch} at {head}" if branch else head

    def dirty(self) -> bool:
        return bool(self.out("status", "--porcelain", "--", "."))


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


# --- the branch's content (pure) ---------------------------------------------------------------


def normal_prefix(prefix: str | None) -> str | None:
    """The prefix as a clean relative folder path, or None for a normal publish."""
    if prefix is None:
        return None
    parts = [part for part in prefix.replace("\\", "/").split("/") if part]
    if not parts or not all(_SEGMENT.fullmatch(part) for part in parts):
        raise PublishError(
            f"Invalid --prefix '{prefix}': expected a relative folder like previews/pr-12 "
            "(letters, digits, '.', '-' and '_'; no '..', no leading dot)."
        )
    return "/".join(parts)


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder + "/")


def kept_entries(old: list[Entry], folder: str | None, site_paths: set[str]) -> list[Entry]:
    """The previous content a publish keeps. Into a folder: everything outside it. Normal: the
    preview folders (those with a marker file), and CNAME when the site has none."""
    if folder:
        return [e for e in old if not _under(e.path, folder) and e.path != NOJEKYLL]
    prefixes = {str(PurePosixPath(e.path).parent) for e in old if e.path.endswith("/" + MARKER)}
    return [
        e
        for e in old
        if any(_under(e.path, p) for p in prefixes) or (e.path == CNAME and CNAME not in site_paths)
    ]


def merge(kept: list[Entry], new: list[Entry]) -> tuple[list[Entry], list[str]]:
    """`new` plus the `kept` entries that do not clash with them (same path, or a file where
    the other has a folder); and the kept paths that had to go."""
    new_paths = {e.path for e in new}
    new_dirs = {str(parent) for e in new for parent in PurePosixPath(e.path).parents}

    def clashes(path: str) -> bool:
        ancestors = {str(parent) for parent in PurePosixPath(path).parents}
        return path in new_paths or path in new_dirs or bool(ancestors & new_paths)

    dropped = [e.path for e in kept if clashes(e.path)]
    return [e for e in kept if not clashes(e.path)] + new, dropped


def branch_files(site_dir: Path, folder: str | None, extra: Path) -> dict[str, Path]:
    """Branch path -> file: the built site (under `folder`), `.nojekyll`, and the marker file of
    a folder publish (written into `extra`)."""
    base = f"{folder}/" if folder else ""
    files = {
        base + path.relative_to(site_dir).as_posix(): path
        for path in sorted(site_dir.rglob("*"))
        if path.is_file()
    }
    extra.mkdir(exist_ok=True)
    files[NOJEKYLL] = extra / NOJEKYLL
    files[NOJEKYLL].write_text("")
    if folder:
        files[f"{folder}/{MARKER}"] = extra / MARKER
        files[f"{folder}/{MARKER}"].write_text(
            f"Published by pumpsite publish --prefix {folder}. A normal publish keeps this "
            f"folder; pumpsite publish --prefix {folder} --remove deletes it.\n"
        )
    return files


def default_message(folder: str | None, source: str, report_date: date) -> str:
    what = f"the site into {folder}/" if folder else "the site"
    return f"Publish {what} from {source} (report date {report_date})"


# --- publishing --------------------------------------------------------------------------------


def publish_site(
    root: Path,
    *,
    today: date,
    remote: str = "origin",
    branch: str = "gh-pages",
    prefix: str | None = None,
    message: str | None = None,
    as_of: date | None = None,
    strict: bool = False,
    progress: Progress = lambda step: None,
) -> PublishResult:
    """Build the site at `root` and push it to `remote`/`branch` as one new commit."""
    root = root.resolve()
    folder = normal_prefix(prefix)
    git = Git(root)
    git.check_remote(remote)
    git.check_identity()
    source, warnings = git.source(), []
    if git.dirty():
        source += " with uncommitted changes"
        warnings.append("The working tree has uncommitted changes: the published site has them.")
    progress(f"Fetching {branch} from {remote}")
    parent = git.remote_tip(remote, branch)  # first, so that an unreachable remote fails fast
    with tempfile.TemporaryDirectory(prefix="pumpsite-publish-") as tmp:
        scratch = Path(tmp)
        site_dir = scratch / "site"
        result = build(
            root,
            today=today,
            site_dir=site_dir,
            as_of=as_of,
            strict=strict,
            progress=progress,
            url_folder=folder,
        )
        if not result.ok:
            return PublishResult(result, remote, branch)
        files = branch_files(site_dir, folder, scratch / "extra")
        progress(f"Committing {len(files)} files")
        kept = kept_entries(git.tree_entries(parent), folder, set(files))
        entries, dropped = merge(kept, git.store_files(files))
        if dropped:
            warnings.append(f"The site replaced earlier files: {', '.join(sorted(dropped)[:3])}.")
        text = message or default_message(folder, source, result.inspection.report_date)
        commit = _commit(git, entries, parent, text, scratch / "index")
        if commit is not None:
            progress(f"Pushing to {remote}/{branch}")
            git.push(remote, commit, branch)
        return PublishResult(result, remote, branch, commit, parent, len(files), warnings)


def remove_prefix(
    root: Path,
    *,
    prefix: str,
    remote: str = "origin",
    branch: str = "gh-pages",
    message: str | None = None,
) -> PublishResult:
    """Delete the folder `prefix` (a preview) from the published branch, as one new commit."""
    folder = normal_prefix(prefix)
    assert folder is not None
    git = Git(root.resolve())
    git.check_remote(remote)
    git.check_identity()
    parent = git.remote_tip(remote, branch)
    old = git.tree_entries(parent)
    entries = [e for e in old if not _under(e.path, folder)]
    if len(entries) == len(old):
        raise PublishError(f"{remote}/{branch} has nothing under {folder}/: nothing to remove.")
    with tempfile.TemporaryDirectory(prefix="pumpsite-publish-") as tmp:
        text = message or f"Remove {folder}/"
        commit = _commit(git, entries, parent, text, Path(tmp) / "index")
    assert commit is not None
    git.push(remote, commit, branch)
    return PublishResult(None, remote, branch, commit, parent, len(old) - len(entries))


def _commit(
    git: Git, entries: list[Entry], parent: str | None, message: str, index: Path
) -> str | None:
    """A commit of `entries` on `parent`; None when the tree would be the same as the parent's."""
    tree = git.write_tree(entries, index)
    if parent and tree == git.out("rev-parse", f"{parent}^{{tree}}"):
        return None
    return git.commit_tree(tree, parent, message)
