"""pumpsite's own folders (`pumpsite.outputs`): what stops pumpsite from writing `.pumpsite/` or
replacing a site folder, in exact words, and the lock that makes builds in one repository take
turns — shown with real processes."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pumpsite.build import outputs
from pumpsite.build.outputs import (
    locked_project,
    mark_site,
    project_problems,
    site_problems,
    tree,
    write_problem,
)
from pumpsite.problems import Problem, codes_of
from pumpsite.scaffold import init_repo
from tests.example_site import TODAY, copy_example
from tests.serve_process import ServeProcess, wait_until

CODES = codes_of("build")

WAITING = "Waiting for another pumpsite build or serve in this repository to finish writing"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A fresh `pumpsite init` repository, and a folder `outside` beside it."""
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "photo.jpg").write_bytes(b"\xff\xd8 a photo")
    init_repo(tmp_path / "repo", TODAY)
    return tmp_path / "repo"


def problems(root: Path, site: str = "site", *, named: bool = False) -> list[Problem]:
    return project_problems(root) + site_problems(root, root / site, named=named)


# --- the exact problems --------------------------------------------------------------------------

PS700_TEXT = (
    "Expected the folder where pumpsite keeps its generated MkDocs project, found {}: pumpsite "
    "never writes through a link or over a file. Delete it (if git tracks it: git rm --cached "
    ".pumpsite) and ignore /.pumpsite in .gitignore; the next build makes the folder."
)
PS701_TEXT = (
    "Expected only files and folders pumpsite generates in .pumpsite, found a symbolic link{}: "
    "pumpsite never writes through a link, which could aim its generated files at yours. Delete "
    "the .pumpsite folder (it is generated: the next build makes it again); if git tracks it, "
    "untrack it with git rm -r --cached .pumpsite and ignore /.pumpsite in .gitignore."
)
PS702_TEXT = (
    "Expected pumpsite's own folder (with its .pumpsite-project file), found a folder pumpsite "
    "did not make: pumpsite keeps its generated MkDocs project here and deletes the files it no "
    "longer generates. Move the folder away, or delete it if nothing in it is yours."
)
PS703_LINK = (
    "Expected the folder pumpsite builds the site into, found a symbolic link: pumpsite "
    "replaces the site folder as a whole, and follows a link only when you name it. To build "
    "into the folder it points to, run pumpsite build --site-dir site; otherwise delete the link."
)
PS703_FILE = (
    "Expected the folder pumpsite builds the site into, found a file. Move or delete it, or "
    "build elsewhere with --site-dir."
)
PS704_TEXT = (
    "Expected a site pumpsite built (with the .pumpsite-site file it puts in every site), found "
    "a folder without one: pumpsite replaces the whole folder, so it will not replace this one. "
    "Build into a new or empty folder with --site-dir, or move this folder away."
)


def link(path: Path, target: str | Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


Setup = Callable[[Path], None]
CASES: list[tuple[str, Setup, list[Problem]]] = [
    (
        "PS700",
        lambda root: link(root / ".pumpsite", root.parent / "outside"),
        [Problem(".pumpsite", None, "PS700", PS700_TEXT.format("a symbolic link"))],
    ),
    (
        "PS700",
        lambda root: link(root / ".pumpsite", "."),
        [Problem(".pumpsite", None, "PS700", PS700_TEXT.format("a symbolic link"))],
    ),
    (
        "PS700",
        lambda root: write(root / ".pumpsite", "a file"),
        [Problem(".pumpsite", None, "PS700", PS700_TEXT.format("a file"))],
    ),
    (
        "PS701",  # a committed marker does not make a link safe
        lambda root: (
            write(root / ".pumpsite/.pumpsite-project", "Made by pumpsite.\n"),
            link(root / ".pumpsite/docs", "../measures"),
            link(root / ".pumpsite/cache", ".."),
        ),
        [Problem(".pumpsite/cache", None, "PS701", PS701_TEXT.format(" (and 1 more)"))],
    ),
    (
        "PS701",  # the cache alone is what an older pumpsite stopped early leaves: adopted
        lambda root: link(root / ".pumpsite/cache/charts", "../../data"),
        [Problem(".pumpsite/cache/charts", None, "PS701", PS701_TEXT.format(""))],
    ),
    (
        "PS702",
        lambda root: write(root / ".pumpsite/notes.txt", "mine"),
        [Problem(".pumpsite", None, "PS702", PS702_TEXT)],
    ),
    (
        "PS702",  # a marker must say what pumpsite writes, as a real file
        lambda root: write(root / ".pumpsite/.pumpsite-project", "Made by someone else.\n"),
        [Problem(".pumpsite", None, "PS702", PS702_TEXT)],
    ),
    (
        "PS703",
        lambda root: link(root / "site", root.parent / "outside"),
        [Problem("site", None, "PS703", PS703_LINK)],
    ),
    (
        "PS703",
        lambda root: write(root / "site", "a file"),
        [Problem("site", None, "PS703", PS703_FILE)],
    ),
    (
        "PS704",
        lambda root: write(root / "site/index.html", "<h1>My blog</h1>"),
        [Problem("site", None, "PS704", PS704_TEXT)],
    ),
]


@pytest.mark.parametrize(("code", "setup", "expected"), CASES, ids=[c[0] for c in CASES])
def test_problem_code(code: str, setup: Setup, expected: list[Problem], repo: Path) -> None:
    setup(repo)
    assert problems(repo) == expected
    assert (repo.parent / "outside" / "photo.jpg").read_bytes() == b"\xff\xd8 a photo"


@pytest.mark.slow
def test_a_link_at_the_bottom_of_a_very_deep_project_folder_is_found(repo: Path) -> None:
    """Deeper than Python's recursion limit: a committed tree must not end in a traceback."""
    project = repo / ".pumpsite"
    folder = project
    folder.mkdir()
    try:
        for _ in range(1200):
            folder /= "a"
            folder.mkdir()
        link(folder / "x", repo / "data")
        link_problem, not_ours = project_problems(repo)
        assert link_problem.code == "PS701" and link_problem.path.endswith("/a/a/x")
        assert not_ours.code == "PS702"
    finally:  # deepest first: shutil.rmtree, pytest's cleanup among them, would recurse
        for _, entry in sorted(tree(project), key=lambda item: -item[0].count("/")):
            os.rmdir(entry.path) if entry.is_dir(follow_symlinks=False) else os.unlink(entry.path)


def test_every_code_is_tested_and_described() -> None:
    tested = {case[0] for case in CASES} | {"PS705", "PS706"}  # below, and in test_build
    assert tested == set(CODES) == {f"PS7{n:02d}" for n in range(7)}
    assert all(code.meaning.endswith(".") for code in CODES.values())


@pytest.mark.parametrize(
    "setup",
    [
        lambda root: None,  # nothing yet
        lambda root: (root / ".pumpsite").mkdir(),  # empty
        lambda root: write(root / ".pumpsite/mkdocs.yml", "# Generated by pumpsite from ..."),
        lambda root: write(root / ".pumpsite/cache/charts/m.json", "{}"),  # an early stop
        lambda root: (
            write(root / ".pumpsite/.pumpsite-project", "Made by pumpsite.\nAnything.\n"),
            write(root / ".pumpsite/docs/old.md", "# stale"),
        ),
        lambda root: (
            write(root / "site/index.html", "<h1>Measures</h1>"),
            mark_site(root / "site"),
        ),
    ],
    ids=["missing", "empty", "older-pumpsite", "older-cache", "marked", "marked-site"],
)
def test_pumpsites_own_folders_are_fine(setup: Setup, repo: Path) -> None:
    setup(repo)
    assert problems(repo) == []


def test_a_site_built_by_an_older_pumpsite_is_recognised_narrowly(repo: Path) -> None:
    """An older pumpsite wrote no marker: its stylesheet, beside index.html, says it built the
    site. A folder with an index.html alone is someone's blog."""
    write(repo / "site/index.html", "<h1>Measures</h1>")
    assert [p.code for p in problems(repo)] == ["PS704"]
    write(repo / "site/assets/pumpsite.css", "body {}")
    assert problems(repo) == []


def test_a_link_named_with_site_dir_is_followed(repo: Path, tmp_path: Path) -> None:
    (tmp_path / "published").mkdir()
    link(repo / "public", tmp_path / "published")
    assert problems(repo, "public", named=True) == []
    assert [p.code for p in problems(repo, "public")] == ["PS703"]


def test_a_failed_write_says_what_failed_and_what_to_do(repo: Path) -> None:
    site = repo / "site"
    try:
        os.open(repo / ".pumpsite" / "docs" / "index.md", os.O_WRONLY | os.O_CREAT)
    except OSError as error:
        missing = error
    assert write_problem(repo, missing, site) == Problem(
        ".pumpsite/docs/index.md",
        None,
        "PS706",
        "Could not write the site: No such file or directory. The previous site is unchanged; "
        "fix the cause and build again.",
    )
    full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # as the engine's writes raise it
    assert write_problem(repo, full, site).path == "site"
    assert write_problem(repo, full, site).message.endswith("free some space and build again.")


# --- one build at a time -------------------------------------------------------------------------


def start_build(root: Path, as_of: str, log: Path, *args: str) -> subprocess.Popen[bytes]:
    code = "from pumpsite.cli import main; main()"
    command = [sys.executable, "-c", code, "build", str(root), "--as-of", as_of, *args]
    with log.open("wb") as handle:
        return subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT)


@pytest.fixture
def stopped() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Processes a test stops with SIGSTOP: continued and ended whatever happens."""
    processes: list[subprocess.Popen[bytes]] = []
    yield processes
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGCONT)
            process.kill()
            process.wait()


@pytest.mark.slow
def test_a_build_waits_while_another_writes_the_same_repository(
    repo: Path, tmp_path: Path, stopped: list[subprocess.Popen[bytes]]
) -> None:
    """The first build is frozen while its engine reads .pumpsite/: a second build, for another
    report date, must wait instead of rewriting the pages under it."""
    first = start_build(repo, "2026-11-23", tmp_path / "first.log")
    stopped.append(first)
    wait_until(lambda: any(repo.glob("site.new-*")) or first.poll() is not None, "the engine")
    first.send_signal(signal.SIGSTOP)
    pages = (repo / ".pumpsite" / "docs" / "index.md").read_text()
    assert "Report for 23 November 2026" in pages

    second_log = tmp_path / "second.log"
    second = start_build(repo, "2025-06-30", second_log, "--site-dir", str(tmp_path / "other"))
    stopped.append(second)
    wait_until(lambda: WAITING in second_log.read_text() or second.poll() is not None, "a wait")
    time.sleep(1.0)  # time enough to write the project, had it not waited
    assert second.poll() is None, second_log.read_text()
    assert (repo / ".pumpsite" / "docs" / "index.md").read_text() == pages

    first.send_signal(signal.SIGCONT)
    assert first.wait(timeout=120) == 0, (tmp_path / "first.log").read_text()
    assert second.wait(timeout=120) == 0, second_log.read_text()
    assert "Report for 23 November 2026" in (repo / "site" / "index.html").read_text()
    assert "Report for 30 June 2025" in (tmp_path / "other" / "index.html").read_text()


@pytest.mark.slow
def test_serve_waits_for_a_build_and_says_so(tmp_path: Path) -> None:
    """This test process holds the lock as a build does; the server waits, then builds."""
    root = copy_example(tmp_path / "repo")
    with locked_project(root / outputs.PROJECT_DIR, lambda message: None):
        server = ServeProcess(root, "--dev-addr", ":0")
        try:
            wait_until(lambda: server.count(WAITING), "the server to say it waits")
            assert not server.count("Built the site"), server.output
        except BaseException:
            server.stop()
            raise
    try:
        wait_until(lambda: server.count("Built the site"), "the build after the wait")
        status, page = server.get("")
        assert status == 200 and "Performance report" in page
    finally:
        assert server.stop() == 0, server.output
