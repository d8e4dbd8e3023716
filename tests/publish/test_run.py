"""`pumpsite publish` against real git repositories: a local bare repository is the remote."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from pumpsite import cli as cli_module
from pumpsite.cli import cli
from pumpsite.publish.git import Entry, PublishError, push_reason
from pumpsite.publish.run import (
    MARKER,
    SITE_MARKER,
    branch_files,
    kept_entries,
    merge,
    normal_prefix,
)
from pumpsite.scaffold import init_repo
from tests.example_site import TODAY
from tests.git_helpers import commit_all, git, git_repo_with_remote, isolated_git
from tests.serve_process import wait_until

__all__ = ["isolated_git"]

DATA = "data/on-time-delivery.csv"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch, isolated_git: None) -> None:
    monkeypatch.setattr(cli_module, "_today", lambda: TODAY)


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    return tmp_path / "remote.git"


@pytest.fixture
def repo(tmp_path: Path, remote: Path) -> Path:
    root = tmp_path / "measures"
    init_repo(root, TODAY)
    return git_repo_with_remote(root, remote)


def publish(repo: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["publish", str(repo), *args])
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.stderr


def files_on(remote: Path, ref: str = "gh-pages") -> set[str]:
    return set(git(remote, "ls-tree", "-r", "--name-only", ref).splitlines())


def history(remote: Path, ref: str = "gh-pages") -> list[str]:
    return git(remote, "rev-list", ref).splitlines()


def add_a_month(repo: Path, value: str = "97.5") -> None:
    with (repo / DATA).open("a") as csv:
        csv.write(f"2026-11,{value}\n")
    commit_all(repo, "November's value")


def local_state(repo: Path) -> dict[str, str]:
    return {
        "HEAD": git(repo, "rev-parse", "HEAD"),
        "branch": git(repo, "symbolic-ref", "HEAD"),
        "index": git(repo, "ls-files", "--stage"),
        "status": git(repo, "status", "--porcelain", "--untracked-files=all"),
        "branches": git(repo, "for-each-ref", "refs/heads"),
    }


# --- publishing -------------------------------------------------------------------------------


@pytest.mark.slow
def test_each_publish_adds_one_commit_on_the_previous_tip(repo: Path, remote: Path) -> None:
    code, err = publish(repo)
    assert code == 0, err
    assert "Published" in err and "origin/gh-pages" in err
    first = history(remote)
    assert len(first) == 1
    assert {"index.html", ".nojekyll", "sitemap.xml", DATA} <= files_on(remote)

    add_a_month(repo)
    code, err = publish(repo, "--message", "November")
    assert code == 0, err
    second = history(remote)
    assert len(second) == 2
    assert git(remote, "rev-parse", "gh-pages^") == first[0]
    assert git(remote, "log", "-1", "--format=%s", "gh-pages") == "November"
    assert "2026-11,97.5" in git(remote, "show", f"gh-pages:{DATA}")


@pytest.mark.slow
def test_the_message_names_the_source_and_an_unchanged_site_makes_no_commit(
    repo: Path, remote: Path
) -> None:
    head = git(repo, "rev-parse", "--short", "HEAD")
    assert publish(repo)[0] == 0
    subject = git(remote, "log", "-1", "--format=%s", "gh-pages")
    assert subject == f"Publish the site from main at {head} (report date {TODAY})"
    code, err = publish(repo)
    assert code == 0
    assert "already up to date" in err
    assert len(history(remote)) == 1


@pytest.mark.slow
def test_source_branch_index_and_working_tree_are_untouched(repo: Path, remote: Path) -> None:
    (repo / "notes.txt").write_text("work in progress\n")
    git(repo, "add", "notes.txt")  # something staged, to see that the index is kept as it is
    before = local_state(repo)
    main_before = git(remote, "rev-parse", "main")
    code, err = publish(repo)
    assert code == 0, err
    assert local_state(repo) == before
    assert git(remote, "rev-parse", "main") == main_before
    assert "notes.txt" not in files_on(remote)
    assert "uncommitted changes" in err  # the staged file is in the working tree, so: a warning


@pytest.mark.slow
def test_previews_survive_a_normal_publish_until_removed(repo: Path, remote: Path) -> None:
    assert publish(repo)[0] == 0
    code, err = publish(repo, "--prefix", "previews/pr-7")
    assert code == 0, err
    files = files_on(remote)
    assert {"index.html", "previews/pr-7/index.html", f"previews/pr-7/{MARKER}"} <= files
    assert "previews/pr-7/.nojekyll" not in files

    add_a_month(repo)
    assert publish(repo)[0] == 0
    files = files_on(remote)
    assert {"previews/pr-7/index.html", f"previews/pr-7/{MARKER}", "index.html"} <= files
    assert len(history(remote)) == 3
    assert "2026-11" in git(remote, "show", f"gh-pages:{DATA}")
    assert "2026-11" not in git(remote, "show", f"gh-pages:previews/pr-7/{DATA}")

    code, err = publish(repo, "--prefix", "previews/pr-7", "--remove")
    assert code == 0, err
    files = files_on(remote)
    assert not any(f.startswith("previews/") for f in files) and "index.html" in files
    code, err = publish(repo, "--prefix", "previews/pr-7", "--remove")
    assert code == 1 and "nothing to remove" in err
    assert publish(repo, "--remove")[0] == 2


@pytest.mark.slow
def test_a_preview_leaves_the_site_and_other_previews_alone(repo: Path, remote: Path) -> None:
    assert publish(repo)[0] == 0
    assert publish(repo, "--prefix", "previews/pr-7")[0] == 0
    site = {f for f in files_on(remote) if not f.startswith("previews/")}
    add_a_month(repo)
    assert publish(repo, "--prefix", "previews/pr-8")[0] == 0
    files = files_on(remote)
    assert {f for f in files if not f.startswith("previews/")} == site
    assert "2026-11" not in git(remote, "show", f"gh-pages:{DATA}")
    assert {"previews/pr-7/index.html", "previews/pr-8/index.html"} <= files
    assert "2026-11" in git(remote, "show", f"gh-pages:previews/pr-8/{DATA}")


@pytest.mark.slow
def test_a_preview_links_to_itself_not_to_the_site(repo: Path, remote: Path) -> None:
    """Its sitemap and canonical links carry the preview's folder under site_url."""
    config = repo / "mkdocs.yml"
    config.write_text(f"site_url: https://acme.example/measures/\n{config.read_text()}")
    commit_all(repo, "Our address")
    assert publish(repo)[0] == 0
    assert publish(repo, "--prefix", "previews/pr-7")[0] == 0
    preview = git(remote, "show", "gh-pages:previews/pr-7/sitemap.xml")
    assert "<loc>https://acme.example/measures/previews/pr-7/index.html</loc>" in preview
    page = git(remote, "show", "gh-pages:previews/pr-7/index.html")
    assert 'href="https://acme.example/measures/previews/pr-7/index.html"' in page  # canonical
    site = git(remote, "show", "gh-pages:sitemap.xml")
    assert "<loc>https://acme.example/measures/index.html</loc>" in site
    assert "previews" not in site


def push_orphan(repo: Path, branch: str, files: dict[str, str], *messages: str) -> None:
    """Push `branch`, a history of its own (not the source's): one commit per message, the
    first one holding `files`."""
    worktree = repo.parent / f"orphan-{branch}"
    git(repo, "worktree", "add", "-q", "--detach", str(worktree))
    git(worktree, "checkout", "-q", "--orphan", branch)
    git(worktree, "rm", "-rqf", ".")
    for path, text in files.items():
        (worktree / path).parent.mkdir(parents=True, exist_ok=True)
        (worktree / path).write_text(text)
    git(worktree, "add", "-A")
    for message in messages:
        git(worktree, "commit", "-q", "--allow-empty", "-m", message)
    git(worktree, "push", "-q", "origin", branch)
    git(repo, "worktree", "remove", "--force", str(worktree))
    git(repo, "branch", "-D", "-q", branch)


@pytest.mark.slow
def test_an_existing_site_branch_keeps_its_history_and_cname(repo: Path, remote: Path) -> None:
    # gh-pages made by something else first (mkdocs gh-deploy, by hand): publish asks for
    # --force once, builds on it, and keeps the custom domain GitHub Pages reads from CNAME.
    old_site = {"index.html": "<p>old site</p>\n", "CNAME": "measures.example.org\n"}
    push_orphan(repo, "gh-pages", old_site, "The old site")
    old_tip = git(remote, "rev-parse", "--short", "gh-pages")
    code, err = publish(repo)
    assert code == 1
    assert (
        f"Refusing to publish to origin/gh-pages: its tip {old_tip} has no {SITE_MARKER} file at "
        f"its root (nor .nojekyll)." in err
    )
    assert "add --force once" in err and "Nothing was published" in err
    assert len(history(remote)) == 1
    assert publish(repo, "--force")[0] == 0
    assert len(history(remote)) == 2
    assert "old site" not in git(remote, "show", "gh-pages:index.html")
    assert git(remote, "show", "gh-pages:CNAME") == "measures.example.org"
    assert SITE_MARKER in files_on(remote)
    add_a_month(repo)
    assert publish(repo)[0] == 0, "a site branch needs no --force"
    assert len(history(remote)) == 3


# --- refusals ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_build_with_errors_pushes_nothing(repo: Path, remote: Path) -> None:
    assert publish(repo)[0] == 0
    refs = git(remote, "for-each-ref")
    measure = repo / "measures" / "on-time-delivery.md"
    measure.write_text(measure.read_text().replace("better: up", "better: higher"))
    code, err = publish(repo)
    assert code == 1
    assert "Nothing was pushed" in err
    assert git(remote, "for-each-ref") == refs


def test_strict_stops_on_warnings(repo: Path, remote: Path) -> None:
    (repo / "measures" / "lonely.md").write_text("---\nkind: goal\ntitle: Lonely\n---\n")
    commit_all(repo, "A goal without measures")
    code, err = publish(repo, "--strict")
    assert code == 1 and "Nothing was pushed" in err
    assert "gh-pages" not in git(remote, "branch")


def test_not_a_git_repository(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    init_repo(root, TODAY)
    code, err = publish(root)
    assert code == 1
    assert "is not in a git repository" in err and "git init" in err


def test_a_missing_remote(repo: Path) -> None:
    code, err = publish(repo, "--remote", "upstream")
    assert code == 1
    assert "There is no git remote 'upstream'" in err and "The remotes are: origin" in err


@pytest.mark.slow
def test_a_rejected_push(repo: Path, remote: Path) -> None:
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'gh-pages is protected' >&2\nexit 1\n")
    hook.chmod(0o755)
    code, err = publish(repo)
    assert code == 1
    assert "was rejected" in err and "gh-pages is protected" in err
    assert "gh-pages" not in git(remote, "branch")


def test_an_unreachable_remote(repo: Path, tmp_path: Path) -> None:
    git(repo, "remote", "set-url", "origin", str(tmp_path / "gone.git"))
    code, err = publish(repo)
    assert code == 1 and "Cannot reach the remote 'origin'" in err


def test_git_without_an_identity(
    repo: Path, remote: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    anonymous = tmp_path / "anonymous-gitconfig"
    anonymous.write_text("[user]\n\tuseConfigOnly = true\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(anonymous))
    for name in ("AUTHOR", "COMMITTER"):
        monkeypatch.delenv(f"GIT_{name}_NAME", raising=False)
        monkeypatch.delenv(f"GIT_{name}_EMAIL", raising=False)
    monkeypatch.delenv("EMAIL", raising=False)
    code, err = publish(repo)
    assert code == 1
    assert "git config user.name" in err
    assert "gh-pages" not in git(remote, "branch")


# --- only a site branch, only preview folders ----------------------------------------------------


def refused(repo: Path, remote: Path, *args: str) -> str:
    """Publish, expecting a refusal that leaves every branch of the remote as it was."""
    refs = git(remote, "for-each-ref")
    code, err = publish(repo, *args)
    assert code == 1, err
    assert "Nothing was published" in err
    assert git(remote, "for-each-ref") == refs
    return " ".join(err.split())  # the message, unwrapped


@pytest.mark.slow
def test_the_source_branch_is_refused(repo: Path, remote: Path) -> None:
    """Publishing to main replaced everyone's measures with the site."""
    head = git(repo, "rev-parse", "--short", "HEAD")
    err = refused(repo, remote, "--branch", "main")
    assert (
        "Refusing to publish to origin/main: it is the branch checked out here, the source of "
        f"the site; its history is the source's (it shares commits with main at {head}). A "
        "publish replaces the branch's content with the built site: publish to the site's own "
        "branch with --branch (gh-pages by default). Nothing was published." in err
    )
    refused(repo, remote, "--branch", "main", "--prefix", "previews/pr-7")
    refused(repo, remote, "--branch", "main", "--prefix", "measures", "--remove")


def test_the_remotes_default_branch_is_refused(repo: Path, remote: Path) -> None:
    git(repo, "switch", "-q", "-c", "feature")
    err = refused(repo, remote, "--branch", "main")
    assert "Refusing to publish to origin/main: it is the default branch of 'origin';" in err


def test_a_branch_named_like_the_one_checked_out_is_refused_before_it_exists(
    repo: Path, remote: Path
) -> None:
    git(repo, "switch", "-q", "-c", "draft")
    err = refused(repo, remote, "--branch", "draft")
    assert "Refusing to publish to origin/draft: it is the branch checked out here" in err
    assert "If origin/draft is for the site alone (a new branch, " in err


def test_a_branch_with_the_sources_history_is_refused_even_with_the_marker(
    repo: Path, remote: Path
) -> None:
    git(repo, "switch", "-q", "-c", "notes")
    (repo / SITE_MARKER).write_text("planted by a pull request\n")
    commit_all(repo, "Notes")
    git(repo, "push", "-q", "origin", "notes")
    git(repo, "switch", "-q", "main")
    err = refused(repo, remote, "--branch", "notes")
    assert "Refusing to publish to origin/notes: its history is the source's" in err


@pytest.mark.parametrize(
    ("files", "messages", "found"),
    [
        ({"mkdocs.yml": "", "measures/x.md": ""}, ["Docs"], "and holds measures/x.md, a source"),
        ({".nojekyll": "", "index.html": ""}, ["By hand"], "was not made by pumpsite publish"),
        (
            {".nojekyll": "", "index.html": ""},
            ["Publish the site from main at 1234567 (report date 2026-10-31)", "Tweak"],
            '"Tweak" was not made by pumpsite publish',
        ),
    ],
    ids=["sources", "by-hand", "edited-by-hand"],
)
def test_a_branch_that_is_not_a_published_site_needs_force(
    repo: Path, remote: Path, files: dict[str, str], messages: list[str], found: str
) -> None:
    push_orphan(repo, "gh-pages", files, *messages)
    err = refused(repo, remote)
    assert f"its tip {git(remote, 'rev-parse', '--short', 'gh-pages')} has no {SITE_MARKER}" in err
    assert found in err and "add --force once" in err


@pytest.mark.slow
def test_a_site_published_before_the_marker_existed_is_recognised(repo: Path, remote: Path) -> None:
    """Only pumpsite publish's own commit messages, .nojekyll, and no source files."""
    site = {".nojekyll": "", "index.html": "<p>old</p>", f"previews/pr-3/{MARKER}": ""}
    messages = [
        "Publish the site from main at 1234567 (report date 2026-10-31)",
        "Publish the site into previews/pr-3/ from 89abcde (report date 2026-11-02)",
        "Remove previews/pr-2/",
    ]
    push_orphan(repo, "gh-pages", site, *messages)
    code, err = publish(repo)
    assert code == 0, err
    assert {SITE_MARKER, f"previews/pr-3/{MARKER}", "index.html"} <= files_on(remote)
    assert len(history(remote)) == 4


@pytest.mark.slow
def test_prefix_and_remove_touch_only_preview_folders(repo: Path, remote: Path) -> None:
    """--prefix assets --remove deleted the site's styles and scripts."""
    assert publish(repo)[0] == 0
    assert publish(repo, "--prefix", "previews/pr-7")[0] == 0
    for folder in ("assets", "search", "measures", "index.html", "previews"):
        for action in ((), ("--remove",)):
            err = refused(repo, remote, "--prefix", folder, *action)
            assert f"{folder} holds files that are not a preview's (" in err, err
            assert "a preview's folder has a .pumpsite-prefix file" in err
    err = refused(repo, remote, "--prefix", "assets", "--remove")
    verb = "Refusing to remove assets/ from origin/gh-pages: assets holds files"
    assert verb in err and "assets/images/favicon.png" in err and ", …)" in err
    assert "--remove deletes only a preview's folder, one published with --prefix." in err
    err = refused(repo, remote, "--prefix", "previews/pr-7/assets")
    assert "Refusing to publish into previews/pr-7/assets/ on origin/gh-pages: " in err
    assert "previews/pr-7/assets/ is inside the preview previews/pr-7/. Publish the preview " in err


def test_an_absolute_prefix_publishes_nothing(repo: Path, remote: Path) -> None:
    code, err = publish(repo, "--prefix", "/previews/pr-7")
    assert code == 1 and "it is an absolute path" in err
    assert "gh-pages" not in git(remote, "branch")


@pytest.mark.slow
def test_a_killed_publish_leaves_no_temporary_folder_after_the_next(
    repo: Path, remote: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    command = [sys.executable, "-c", "from pumpsite.cli import main; main()", "publish"]
    killed = subprocess.Popen(
        [*command, str(repo)],
        env={**os.environ, "TMPDIR": str(temp)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:  # killed mid-build: its temporary folder holds the site being built
        wait_until(lambda: list(temp.glob("pumpsite-publish-*/*")), "the build in its folder")
    finally:
        killed.send_signal(signal.SIGKILL)
        assert killed.wait() == -signal.SIGKILL
    (left,) = temp.glob("pumpsite-publish-*")
    assert left.name.startswith(f"pumpsite-publish-{killed.pid}-")
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    code, err = publish(repo)
    assert code == 0, err
    assert not list(temp.glob("pumpsite-publish-*"))


# --- the branch's content (pure) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("previews/pr-7", "previews/pr-7"),
        ("previews//pr-7/", "previews/pr-7"),
        ("previews\\pr-7", "previews/pr-7"),
        ("v1.2", "v1.2"),
    ],
)
def test_prefixes_are_normalised(prefix: str, expected: str) -> None:
    assert normal_prefix(prefix) == expected


@pytest.mark.parametrize("prefix", ["", "../up", "a/../b", ".git", "a/.hidden", "a b", "a:b"])
def test_bad_prefixes_are_refused(prefix: str) -> None:
    with pytest.raises(PublishError, match="Invalid --prefix"):
        normal_prefix(prefix)


@pytest.mark.parametrize(
    "prefix",
    ["/", "/previews/pr-7", "\\previews\\pr-7", "C:\\x", "C:x", "c:/x", "\\\\server\\share\\x"],
)
def test_absolute_prefixes_are_refused_not_made_relative(prefix: str) -> None:
    with pytest.raises(PublishError, match="it is an absolute path"):
        normal_prefix(prefix)


def test_the_branch_gets_the_site_marker_and_only_publish_writes_preview_markers(
    tmp_path: Path,
) -> None:
    site = tmp_path / "site"
    (site / "assets").mkdir(parents=True)
    (site / "index.html").write_text("<p>home</p>")
    (site / "assets" / MARKER).write_text("forged")  # would make assets/ a preview
    files = branch_files(site, None, tmp_path / "extra")
    assert set(files) == {"index.html", ".nojekyll", SITE_MARKER}
    assert "pumpsite publish" in files[SITE_MARKER].read_text()
    preview = branch_files(site, "previews/pr-7", tmp_path / "extra")
    assert set(preview) == {
        "previews/pr-7/index.html",
        f"previews/pr-7/{MARKER}",
        ".nojekyll",
        SITE_MARKER,
    }


def entry(path: str) -> Entry:
    return Entry("100644", "0" * 40, path)


def test_a_normal_publish_keeps_marked_folders_and_cname() -> None:
    old = [entry(p) for p in ("index.html", "CNAME", "previews/pr-7/index.html")]
    old.append(entry(f"previews/pr-7/{MARKER}"))
    kept = {e.path for e in kept_entries(old, None, {"index.html"})}
    assert kept == {"CNAME", "previews/pr-7/index.html", f"previews/pr-7/{MARKER}"}
    assert "CNAME" not in {e.path for e in kept_entries(old, None, {"CNAME"})}


def test_a_folder_publish_keeps_everything_outside_its_folder() -> None:
    old = [entry(p) for p in ("index.html", ".nojekyll", "pr/a.html", "pr-8/a.html")]
    assert {e.path for e in kept_entries(old, "pr", set())} == {"index.html", "pr-8/a.html"}


def test_merge_drops_kept_files_that_clash_with_new_ones() -> None:
    kept = [entry(p) for p in ("a", "b/c", "d/e", "f")]
    new = [entry(p) for p in ("a", "b", "d/e/g", "h")]
    merged, dropped = merge(kept, new)
    assert sorted(dropped) == ["a", "b/c", "d/e"]
    assert sorted(e.path for e in merged) == ["a", "b", "d/e/g", "f", "h"]


def test_push_rejections_read_as_one_sentence() -> None:
    hook = (
        "remote: gh-pages is protected        \nTo ../r.git\n ! [remote rejected] 3cb7e88 -> "
        "gh-pages (pre-receive hook declined)\nerror: failed to push some refs to '../r.git'\n"
    )
    assert push_reason(hook) == "gh-pages is protected (pre-receive hook declined)."
    raced = (
        "To ../r.git\n ! [rejected]        3cb7e88 -> gh-pages (fetch first)\n"
        "error: failed to push some refs to '../r.git'\nhint: Updates were rejected because\n"
    )
    assert push_reason(raced) == "(fetch first)."
