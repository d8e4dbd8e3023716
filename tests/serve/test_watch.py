"""The source watcher: what counts as a change, which folders are watched, and that a build's
own output never looks like one."""

from __future__ import annotations

import errno
import posixpath
from pathlib import Path

import pytest
from watchdog.observers.polling import PollingObserver

from pumpsite.build.run import build
from pumpsite.serve.watch import Changes, SourceWatcher, concerns, watch_plan
from tests.example_site import TODAY, copy_example
from tests.serve_process import CHURN_CSV, set_last_value, wait_until


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "repo")


def test_only_sources_concern_the_watcher() -> None:
    watched = {"measures", "data", "mkdocs.yml", "glossary.yml", "site_templates", "other/x.csv"}
    for source in ("measures/a/b.md", "data/x.csv", "mkdocs.yml", "other/x.csv", "data"):
        assert concerns(source, watched), source
    for output in (".pumpsite/docs/index.md", "site/index.html", "measures/.b.md.swp", "x.md"):
        assert not concerns(output, watched), output


@pytest.mark.parametrize(
    "temporary",
    ["data/sedAg1H6x", "measures/a.md.swp", "measures/a.md~", "data/4913", "data/#x.csv#"],
)
def test_editors_temporary_files_do_not_concern_the_watcher(temporary: str) -> None:
    assert not concerns(temporary, {"measures", "data"})
    assert concerns(temporary.replace(posixpath.basename(temporary), "a.md"), {"measures", "data"})


def test_no_folder_is_watched_twice(example: Path) -> None:
    (example / "data" / "sub").mkdir()
    watched = {"measures", "data", "mkdocs.yml", "data/customer-churn.csv", "data/sub/x.csv"}
    assert watch_plan(example, watched) == {
        (example, False),
        (example / "measures", True),
        (example / "data", True),
    }
    assert watch_plan(example, {"other/x.csv"}) == {(example, False)}, "no folder, no watch"


def test_a_linked_folder_is_watched_as_a_name_not_followed(example: Path) -> None:
    (example / "site_templates").symlink_to("/")
    assert watch_plan(example, {"site_templates"}) == {(example, False)}


def test_a_name_too_long_for_the_file_system_is_no_error(example: Path) -> None:
    too_long = f"data/{'x' * 300}.csv"
    assert watch_plan(example, {too_long}) == {(example, False), (example / "data", False)}


def test_the_watcher_looks_every_quarter_second_when_notifications_run_out(
    example: Path,
) -> None:
    changes, said = Changes(), []
    watcher = SourceWatcher(example, changes, said.append)

    def exhausted(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EMFILE, "inotify instance limit reached")

    watcher.observer.schedule = exhausted  # type: ignore[method-assign]
    watcher.start()
    try:
        assert "looking for changes every 0.25 s" in said[0]
        set_last_value(example, "7.77")
        assert wait_until(lambda: changes.wait(0.0), "the change") == [CHURN_CSV]
    finally:
        changes.stop()
        watcher.stop()


@pytest.mark.slow
def test_a_build_does_not_wake_the_watcher(example: Path) -> None:
    """The build writes .pumpsite/ and the site; neither may look like a change to the sources,
    or every build would trigger the next one."""
    changes = Changes()
    watcher = SourceWatcher(example, changes)
    watcher.start()
    try:
        assert build(example, today=TODAY).ok
        (example / "mkdocs.yml").write_text((example / "mkdocs.yml").read_text())
        paths = wait_until(lambda: changes.wait(0.0), "the change to mkdocs.yml")
        assert paths == ["mkdocs.yml"]
    finally:
        changes.stop()
        watcher.stop()


def test_poll_looks_at_the_files_instead_of_waiting_for_notifications(example: Path) -> None:
    changes = Changes()
    watcher = SourceWatcher(example, changes, poll=True)
    assert isinstance(watcher.observer, PollingObserver)
    watcher.start()
    try:
        set_last_value(example, "8.88")
        assert wait_until(lambda: changes.wait(0.0), "the change") == [CHURN_CSV]
    finally:
        changes.stop()
        watcher.stop()
