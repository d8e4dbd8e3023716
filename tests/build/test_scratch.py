"""Scratch folders: a later run removes what a killed one left, and nothing else."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from pumpsite.build.scratch import remove_leftovers, scratch_folder


@pytest.fixture
def temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def a_dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_a_scratch_folder_is_named_for_its_process_and_removed_after_use(temp: Path) -> None:
    with scratch_folder("publish") as folder:
        assert folder.parent == temp and folder.name.startswith(f"pumpsite-publish-{os.getpid()}-")
        (folder / "file").write_text("work")
    assert not folder.exists()


def test_only_leftovers_of_processes_that_are_gone_are_removed(temp: Path) -> None:
    dead = temp / f"pumpsite-publish-{a_dead_pid()}-abc123"
    (dead / "site").mkdir(parents=True)
    in_use = temp / f"pumpsite-publish-{os.getpid()}-def456"
    in_use.mkdir()
    other = temp / f"pumpsite-diff-{a_dead_pid()}-ghi789"  # another purpose's, left to it
    other.mkdir()
    victim = temp / "victim"
    victim.mkdir()
    (victim / "photo.jpg").write_text("keep me")
    planted = temp / f"pumpsite-publish-{a_dead_pid()}-link00"
    planted.symlink_to(victim)
    file = temp / f"pumpsite-publish-{a_dead_pid()}-file00"
    file.write_text("not a folder")
    with scratch_folder("publish") as folder:
        assert not dead.exists()
        assert {p.name for p in temp.iterdir()} == {
            in_use.name,
            other.name,
            victim.name,
            planted.name,
            file.name,
            folder.name,
        }
    assert (victim / "photo.jpg").read_text() == "keep me"
    assert remove_leftovers("publish") == []
