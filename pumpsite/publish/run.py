"""`pumpsite publish`: build the site and commit it to a branch (gh-pages), then push it.

Only git plumbing is used — `hash-object`, `update-index` on a temporary index, `write-tree`,
`commit-tree`, `push` — so the source branch, HEAD, the index and the working tree are never
touched, and nothing is checked out. Each publish is one commit whose parent is the remote
branch's previous tip, so the site keeps its history.

The branch's layout:
- a normal publish replaces the branch's content with the site, plus `.nojekyll` and the
  `.pumpsite-site` marker;
- `--prefix DIR` publishes the site into DIR/ (a pull-request preview) and keeps everything else;
  DIR/ gets a `.pumpsite-prefix` marker file;
- a normal publish keeps every folder that holds that marker (the previews), and a `CNAME` file
  (GitHub Pages' custom domain) when the site has none;
- `--prefix DIR --remove` deletes a preview.

A publish replaces a branch's content, so it goes only to a site branch: one whose tip carries
the `.pumpsite-site` marker at its root (every publish writes it), or one an earlier pumpsite
published (see `not_a_site`), and whose history is not the source's. The branch checked out
here and the remote's default branch are refused unless they are site branches, and any other
branch only with `--force`. Likewise `--prefix` and `--remove` only touch preview folders.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath, PureWindowsPath

from pumpsite.build.run import BuildResult, build
from pumpsite.build.scratch import scratch_folder
from pumpsite.publish.git import Entry, Git, PublishError, RemoteBranch

Progress = Callable[[str], None]

MARKER = ".pumpsite-prefix"
SITE_MARKER = ".pumpsite-site"
NOJEKYLL = ".nojekyll"
CNAME = "CNAME"
_SEGMENT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*")
# The commit messages pumpsite publish wrote before the site marker existed (default_message).
_OLD_PUBLISH = re.compile(
    r"Publish the site (into \S+/ )?from .+ \(report date \d{4}-\d{2}-\d{2}\)|Remove \S+/"
)


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


# --- the branch's content (pure) ---------------------------------------------------------------


def normal_prefix(prefix: str | None) -> str | None:
    """The prefix as a clean relative folder path, or None for a normal publish."""
    if prefix is None:
        return None
    if PureWindowsPath(prefix).anchor:  # /x, \x, C:\x, C:x and \\server\share alike
        raise PublishError(
            f"Invalid --prefix '{prefix}': it is an absolute path; expected a folder of the "
            "site's branch, relative to its root, like previews/pr-12."
        )
    parts = [part for part in prefix.replace("\\", "/").split("/") if part]
    if not parts or not all(_SEGMENT.fullmatch(part) for part in parts):
        raise PublishError(
            f"Invalid --prefix '{prefix}': expected a relative folder like previews/pr-12 "
            "(letters, digits, '.', '-' and '_'; no '..', no leading dot)."
        )
    return "/".join(parts)


_ROOT_FILES = (NOJEKYLL, SITE_MARKER)  # written by every publish, a folder publish included


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder + "/")


def kept_entries(old: list[Entry], folder: str | None, site_paths: set[str]) -> list[Entry]:
    """The previous content a publish keeps. Into a folder: everything outside it. Normal: the
    preview folders (those with a marker file), and CNAME when the site has none."""
    if folder:
        return [e for e in old if not _under(e.path, folder) and e.path not in _ROOT_FILES]
    previews = preview_folders(old)
    return [
        e
        for e in old
        if any(_under(e.path, p) for p in previews) or (e.path == CNAME and CNAME not in site_paths)
    ]


def preview_folders(entries: Iterable[Entry]) -> set[str]:
    """The folders published with --prefix: those holding a marker file."""
    return {str(PurePosixPath(e.path).parent) for e in entries if e.path.endswith("/" + MARKER)}


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
    """Branch path -> file: the built site (under `folder`), `.nojekyll`, the site marker, and
    the marker file of a folder publish (written into `extra`). Only publish writes markers: a
    preview marker found in the site is left out."""
    base = f"{folder}/" if folder else ""
    files = {
        base + path.relative_to(site_dir).as_posix(): path
        for path in sorted(site_dir.rglob("*"))
        if path.is_file() and path.name != MARKER
    }
    extra.mkdir(exist_ok=True)
    files[NOJEKYLL] = extra / NOJEKYLL
    files[NOJEKYLL].write_text("")
    files[SITE_MARKER] = extra / SITE_MARKER
    files[SITE_MARKER].write_text(
        "This branch holds a site built and published by pumpsite publish, which replaces its "
        "content on each publish and refuses branches without this file.\n"
    )
    if folder:
        files[f"{folder}/{MARKER}"] = extra / MARKER
        files[f"{folder}/{MARKER}"].write_text(
            f"Published by pumpsite publish --prefix {folder}. A normal publish keeps this "
            f"folder; pumpsite publish --prefix {folder} --remove deletes it.\n"
        )
    return files


# --- where a publish may go --------------------------------------------------------------------


def branch_refusal(git: Git, target: RemoteBranch, tree: list[Entry]) -> str | None:
    """Why a publish must not replace `target`'s content, or None when it is a site branch (or a
    new branch that is neither the one checked out here nor the remote's default)."""
    said = []
    if target.name == git.current_branch():
        said.append("it is the branch checked out here, the source of the site")
    elif target.name == target.default:
        said.append(f"it is the default branch of '{target.remote}'")
    if target.tip is not None:
        if git.shares_history(target.tip):
            said.append(f"its history is the source's (it shares commits with {git.source()})")
            return _refusal(target, said, site_hint=False)  # --force would not make it a site's
        found = not_a_site(git, target.tip, {e.path for e in tree})
        if found is None:
            return None
        said.append(found)
    return _refusal(target, said, site_hint=True) if said else None


def _refusal(target: RemoteBranch, said: list[str], *, site_hint: bool) -> str:
    text = (
        f"Refusing to publish to {target}: {'; '.join(said)}. A publish replaces the branch's "
        "content with the built site: publish to the site's own branch with --branch (gh-pages "
        "by default)."
    )
    if site_hint:
        text += (
            f" If {target} is for the site alone (a new branch, or a site made by hand or by "
            f"mkdocs gh-deploy), add --force once: the site then carries the {SITE_MARKER} "
            "marker and later publishes need no --force."
        )
    return text


def not_a_site(git: Git, tip: str, paths: set[str]) -> str | None:
    """What shows that the commit `tip`, with these files, is not a site pumpsite published."""
    if SITE_MARKER in paths:
        return None
    # Published before the marker existed: a site made by pumpsite publish and nothing else.
    unmarked = f"its tip {tip[:7]} has no {SITE_MARKER} file at its root"
    source = next((p for p in sorted(paths) if p.endswith((".md", "mkdocs.yml"))), None)
    if source is not None:
        return f"{unmarked} and holds {source}, a source file"
    if NOJEKYLL not in paths:
        return f"{unmarked} (nor {NOJEKYLL})"
    for short, subject in git.history(tip):
        if not _OLD_PUBLISH.fullmatch(subject):
            return (
                f'{unmarked}, and its commit {short} "{subject}" was not made by pumpsite publish'
            )
    return None


def prefix_refusal(old: list[Entry], folder: str) -> str | None:
    """Why publishing into (or removing) `folder` would touch files of the site or of another
    preview, or None when the folder is new or a preview's own."""
    previews = preview_folders(old)
    outer = next((p for p in sorted(previews) if folder.startswith(p + "/")), None)
    if outer is not None:
        return f"{folder}/ is inside the preview {outer}/"
    foreign = [e.path for e in old if _under(e.path, folder) and _owner(e.path, previews) != folder]
    if foreign:
        shown = ", ".join(foreign[:3]) + (", …" if len(foreign) > 3 else "")
        return (
            f"{folder} holds files that are not a preview's ({shown}); a preview's folder has a "
            f"{MARKER} file"
        )
    return None


def _owner(path: str, previews: set[str]) -> str | None:
    """The preview `path` belongs to (the innermost holding it), or None for the site."""
    return max((p for p in previews if _under(path, p)), key=len, default=None)


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
    force: bool = False,
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
    # First, so that an unreachable remote or a wrong branch fails fast, before the build.
    target, old = _target(git, remote, branch, force=force)
    if folder is not None:
        remedy = "Publish the preview into a folder of its own, like previews/pr-12."
        _check_prefix(old, folder, f"publish into {folder}/ on {target}", remedy)
    with scratch_folder("publish") as scratch:
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
        kept = kept_entries(old, folder, set(files))
        entries, dropped = merge(kept, git.store_files(files))
        if dropped:
            warnings.append(f"The site replaced earlier files: {', '.join(sorted(dropped)[:3])}.")
        text = message or default_message(folder, source, result.inspection.report_date)
        commit = _commit(git, entries, target.tip, text, scratch / "index")
        if commit is not None:
            progress(f"Pushing to {remote}/{branch}")
            git.push(remote, commit, branch)
        return PublishResult(result, remote, branch, commit, target.tip, len(files), warnings)


def remove_prefix(
    root: Path,
    *,
    prefix: str,
    remote: str = "origin",
    branch: str = "gh-pages",
    message: str | None = None,
    force: bool = False,
) -> PublishResult:
    """Delete the folder `prefix` (a preview) from the published branch, as one new commit."""
    folder = normal_prefix(prefix)
    assert folder is not None
    git = Git(root.resolve())
    git.check_remote(remote)
    git.check_identity()
    target, old = _target(git, remote, branch, force=force)
    remedy = "--remove deletes only a preview's folder, one published with --prefix."
    _check_prefix(old, folder, f"remove {folder}/ from {target}", remedy)
    entries = [e for e in old if not _under(e.path, folder)]
    if len(entries) == len(old):
        raise PublishError(f"{target} has nothing under {folder}/: nothing to remove.")
    with scratch_folder("publish") as scratch:
        commit = _commit(
            git, entries, target.tip, message or f"Remove {folder}/", scratch / "index"
        )
    assert commit is not None
    git.push(remote, commit, branch)
    return PublishResult(None, remote, branch, commit, target.tip, len(old) - len(entries))


def _target(git: Git, remote: str, branch: str, *, force: bool) -> tuple[RemoteBranch, list[Entry]]:
    """The branch to publish to and its files; PublishError when it is no site branch."""
    target = git.remote_branch(remote, branch)
    old = git.tree_entries(target.tip)
    refusal = None if force else branch_refusal(git, target, old)
    if refusal is not None:
        raise PublishError(f"{refusal} Nothing was published.")
    return target, old


def _check_prefix(old: list[Entry], folder: str, action: str, remedy: str) -> None:
    refusal = prefix_refusal(old, folder)
    if refusal is not None:
        raise PublishError(f"Refusing to {action}: {refusal}. {remedy} Nothing was published.")


def _commit(
    git: Git, entries: list[Entry], parent: str | None, message: str, index: Path
) -> str | None:
    """A commit of `entries` on `parent`; None when the tree would be the same as the parent's."""
    tree = git.write_tree(entries, index)
    if parent and tree == git.out("rev-parse", f"{parent}^{{tree}}"):
        return None
    return git.commit_tree(tree, parent, message)
