"""Atomic builds, proven by killing them: `pumpsite build` runs in a subprocess and is sent SIGKILL
at seeded random moments spread over a build's duration. After every kill, site/ is the previous
site or the new one, whole; the source files are untouched; and the next build recovers."""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pumpsite.build.atomic import recover, replace_folder, staging_folder
from pumpsite.build.outputs import mark_site
from tests.example_site import TODAY, copy_example, tree_snapshot

PHASE = 2  # kills spread over the work before the engine, and over the engine's
TRIALS = 2 * PHASE + 1  # and one right after the swap
SEED = 20261123


def command(root: Path) -> list[str]:
    code = "from pumpsite.cli import main; main()"
    return [sys.executable, "-c", code, "build", str(root), "--as-of", TODAY.isoformat()]


def start_build(root: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        command(root), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )


def staged(root: Path) -> bool:
    """Whether the engine is writing a new site (into site.new-<pid>)."""
    return any(root.glob("site.new-*"))


def timed_build(root: Path) -> tuple[float, float]:
    """Run a whole build: seconds until the engine starts writing, and until the end."""
    started, engine = time.monotonic(), None
    process = start_build(root)
    while process.poll() is None:
        if engine is None and staged(root):
            engine = time.monotonic() - started
        time.sleep(0.01)
    assert process.returncode == 0
    total = time.monotonic() - started
    return engine or total, total


def kill(process: subprocess.Popen[bytes], after: float) -> None:
    """SIGKILL the build and any worker process it started, `after` seconds from now."""
    try:
        process.wait(timeout=after)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def wait_for_engine(root: Path, process: subprocess.Popen[bytes]) -> None:
    while not staged(root) and process.poll() is None:
        time.sleep(0.01)


def wait_for_swap(site: Path, process: subprocess.Popen[bytes]) -> None:
    """Until `site` is another folder: the new site has been swapped in."""
    before = site.stat().st_ino
    while process.poll() is None:
        with contextlib.suppress(FileNotFoundError):  # the two-rename fallback's gap
            if site.stat().st_ino != before:
                return
        time.sleep(0.001)


def fingerprint(folder: Path) -> str | None:
    """One hash of every file of a folder (None when it does not exist)."""
    if not folder.is_dir():
        return None
    digest = hashlib.sha256()
    for name, data in sorted(tree_snapshot(folder).items()):
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def sources(root: Path) -> dict[str, bytes]:
    return {
        name: data
        for name, data in tree_snapshot(root).items()
        if not name.startswith(("site", ".pumpsite"))
    }


@pytest.mark.slow
def test_a_killed_build_leaves_a_whole_site_and_the_next_build_recovers(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "repo")
    engine_starts, total = timed_build(root)
    old = fingerprint(root / "site")
    assert old is not None
    mkdocs = root / "mkdocs.yml"  # a change that touches every page: the new site differs
    mkdocs.write_text(mkdocs.read_text().replace("performance measures", "measures, new"))
    before = sources(root)

    rng = random.Random(SEED)
    seen, killed_in_engine = [], 0
    for trial in range(TRIALS):  # each slice of each phase gets one kill
        process = start_build(root)
        if trial < PHASE:  # loading, checking, drawing charts, writing the engine's project
            kill(process, (trial + rng.random()) / PHASE * engine_starts)
        elif trial < 2 * PHASE:  # the engine writing the new site
            wait_for_engine(root, process)
            kill(process, (trial - PHASE + rng.random()) / PHASE * (total - engine_starts))
        else:  # the moment after the swap, while the old site is deleted
            wait_for_swap(root / "site", process)
            kill(process, 0)
        killed_in_engine += staged(root)
        seen.append(fingerprint(root / "site"))
        assert sources(root) == before, f"trial {trial}: a source file changed"

    assert killed_in_engine, "no kill landed while the engine was writing the new site"
    assert timed_build(root)
    new = fingerprint(root / "site")
    assert new not in (None, old)
    for trial, state in enumerate(seen):
        assert state in (old, new), f"trial {trial}: site/ was neither the old nor the new site"
    assert sources(root) == before
    leftovers = sorted(p.name for p in root.iterdir() if p.name.startswith("site."))
    assert leftovers == [], "the recovering build cleans up what killed builds left"


def make_site(folder: Path, text: str) -> Path:
    """A site as pumpsite builds one: marked as pumpsite's."""
    (folder / "measures").mkdir(parents=True)
    mark_site(folder)
    (folder / "index.html").write_text(text)
    (folder / "measures" / "index.html").write_text(text)
    return folder


@pytest.mark.parametrize("stage", ["renamed-away", "swapped-not-cleaned", "staging-left"])
def test_recovery_finishes_a_half_done_swap(tmp_path: Path, stage: str) -> None:
    """The states a kill between the steps of a swap can leave (the two-rename fallback too),
    made by hand: recovery puts the whole site back and clears the rest."""
    site = make_site(tmp_path / "site", "whole")
    whole = fingerprint(site)
    dead = tmp_path / "site.new-999999999"  # no process has this id
    if stage == "renamed-away":
        site.rename(tmp_path / "site.old")
        make_site(dead, "half")
    elif stage == "swapped-not-cleaned":
        make_site(tmp_path / "site.old", "previous")
    else:
        make_site(dead, "half")
    alive = make_site(tmp_path / f"site.new-{os.getppid()}", "another build at work")
    recover(site)
    assert fingerprint(site) == whole
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["site", alive.name])


def test_replacing_a_folder_swaps_it_whole(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", "old")
    new = make_site(tmp_path / "site.new-1", "new")
    expected = fingerprint(new)
    replace_folder(new, site)
    assert fingerprint(site) == expected and not new.exists()
    replace_folder(make_site(tmp_path / "other", "first"), tmp_path / "fresh")
    assert (tmp_path / "fresh" / "index.html").read_text() == "first"


def test_recovery_touches_only_folders_pumpsite_made(tmp_path: Path) -> None:
    """A user's `site.old`, or a folder named like a dead process's staging folder, is not
    pumpsite's: recovery neither puts it in the place of site/ nor deletes it. An empty one
    holds nothing to lose."""
    site = tmp_path / "site"
    theirs = {}
    for name in ("site.old", "site.new-999999999"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "notes.txt").write_text("mine")
        theirs[name] = fingerprint(tmp_path / name)
    (tmp_path / "site.new-999999998").mkdir()  # a build killed as it made its staging folder
    make_site(tmp_path / "site.new-999999997", "half")
    recover(site)
    assert not site.exists()
    assert {name: fingerprint(tmp_path / name) for name in theirs} == theirs
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(theirs)


def test_a_staging_folder_is_new_and_marked(tmp_path: Path) -> None:
    taken = tmp_path / f"site.new-{os.getpid()}"
    taken.mkdir()
    (taken / "notes.txt").write_text("mine")
    staging = staging_folder(tmp_path / "site")
    assert staging != taken and staging.name.startswith(taken.name)
    assert [p.name for p in staging.iterdir()] == [".pumpsite-site"]
    assert (taken / "notes.txt").read_text() == "mine"
