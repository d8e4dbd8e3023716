"""Watching the repository's sources for `pumpsite serve`: which paths matter, the folders to
watch, and the changes collected until the files have been quiet for a moment.

Only the sources are watched (measures/, data/, site_templates/, the glossary, mkdocs.yml and any
other file the repository names); `.pumpsite/`, `site/` and hidden files never count, so writing
the build's output cannot trigger another build.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from watchdog import events
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch
from watchdog.observers.polling import PollingObserver

from pumpsite.model import Repo

SOURCES = ("measures", "data", "site_templates", "mkdocs.yml", "glossary.yml")
POLL_INTERVAL = 0.25  # seconds between looks at the files when notifications are unavailable

# Only changes to content: reading a file (open, close, access time) must not trigger a build.
_CHANGE_EVENTS = [
    events.FileCreatedEvent,
    events.FileDeletedEvent,
    events.FileModifiedEvent,
    events.FileMovedEvent,
    events.FileClosedEvent,
    events.DirCreatedEvent,
    events.DirDeletedEvent,
    events.DirMovedEvent,
]


def watched_paths(repo: Repo | None) -> set[str]:
    """Repo-relative files and folders whose changes affect the site."""
    paths = set(SOURCES)
    if repo is not None:
        paths.add(repo.settings.glossary)
        paths |= {measure.data_path for measure in repo.measures.values()}
        theme = repo.site_config.get("theme")
        if isinstance(theme, dict) and isinstance(theme.get("custom_dir"), str):
            paths.add(theme["custom_dir"])
        extra = repo.site_config.get("watch")
        paths |= {p for p in extra if isinstance(p, str)} if isinstance(extra, list) else set()
    normalised = (posixpath.normpath(p.replace("\\", "/")) for p in paths)
    return {p for p in normalised if p != "." and not p.startswith(("/", "../")) and p != ".."}


# Files editors write beside the one being saved, and remove again: `sed -i`'s sedXXXXXX, vim's
# swap files and its 4913 write test, backups ending in ~, Emacs's .#lock and #autosave# files.
_EDITOR_TEMPORARY = re.compile(r"sed[A-Za-z0-9]{6}|4913|.*\.sw[a-p]|.*~|\.#.*|#.*#")


def concerns(relative: str, watched: Iterable[str]) -> bool:
    """Whether a change at `relative` can change the site; hidden files never do (the loader
    skips them, and editors keep their swap files there), nor editors' temporary files."""
    if any(part.startswith(".") for part in relative.split("/")):
        return False
    if _EDITOR_TEMPORARY.fullmatch(posixpath.basename(relative)):
        return False
    return any(relative == w or relative.startswith(w + "/") for w in watched)


class Changes:
    """The changed paths not yet built, and when the latest change came."""

    def __init__(self) -> None:
        self._paths: set[str] = set()
        self._latest = 0.0
        self._stopped = False
        self._signal = threading.Condition()

    def add(self, relative: str) -> None:
        with self._signal:
            self._paths.add(relative)
            self._latest = time.monotonic()
            self._signal.notify_all()

    def stop(self) -> None:
        with self._signal:
            self._stopped = True
            self._signal.notify_all()

    def wait(self, quiet: float) -> list[str] | None:
        """Block until something changed and then nothing for `quiet` seconds; None once stopped."""
        with self._signal:
            while not self._stopped and (
                not self._paths or time.monotonic() < self._latest + quiet
            ):
                left = self._latest + quiet - time.monotonic() if self._paths else 1.0
                self._signal.wait(max(left, 0.001))
            if self._stopped:
                return None
            paths, self._paths = sorted(self._paths), set()
            return paths


def _polling() -> PollingObserver:
    return PollingObserver(timeout=POLL_INTERVAL)


class SourceWatcher(events.FileSystemEventHandler):
    """Watches the repository's sources with the operating system's notifications (inotify),
    or by looking at the files every POLL_INTERVAL seconds with `poll` (or when notifications
    run out): network drives, WSL's /mnt and Docker bind mounts send no notifications.

    The root is watched alone and each source folder recursively; when a folder is deleted,
    renamed or recreated, the watches are renewed before the next build.
    """

    def __init__(
        self,
        root: Path,
        changes: Changes,
        say: Callable[[str], None] = print,
        *,
        poll: bool = False,
    ) -> None:
        self.root = root.resolve()
        self.changes, self.say = changes, say
        self.watched = watched_paths(None)
        self.observer: BaseObserver = _polling() if poll else Observer()
        self._watches: dict[tuple[Path, bool], tuple[ObservedWatch, tuple[int, int]]] = {}

    def on_any_event(self, event: events.FileSystemEvent) -> None:
        if event.is_directory and event.event_type == events.EVENT_TYPE_MODIFIED:
            return  # echoes a change to a file inside, which is reported on its own
        for path in (event.src_path, event.dest_path):
            relative = self._relative(path)
            if relative and concerns(relative, self.watched):
                self.changes.add(relative)

    def _relative(self, path: str | bytes) -> str | None:
        text = path.decode(errors="replace") if isinstance(path, bytes) else path
        try:
            return Path(text).relative_to(self.root).as_posix() if text else None
        except ValueError:
            return None

    def start(self) -> None:
        if isinstance(self.observer, PollingObserver):
            self.say(f"Looking for changes every {POLL_INTERVAL} s (--poll).")
        self.refresh()
        self.observer.start()

    def stop(self) -> None:
        self.observer.stop()
        self.observer.join(timeout=5)

    def follow(self, repo: Repo | None) -> None:
        self.watched = watched_paths(repo)
        self.refresh()

    def refresh(self) -> None:
        """Watch what exists now; drop watches on folders that were removed or replaced."""
        try:
            self._refresh()
        except OSError as error:  # out of notifications (inotify's limits are per user)
            if isinstance(self.observer, PollingObserver):
                raise
            self._poll_instead(error)
            self._refresh()

    def _poll_instead(self, error: OSError) -> None:
        self.say(
            f"Cannot use the system's file notifications ({error.strerror or error}); "
            f"looking for changes every {POLL_INTERVAL} s instead."
        )
        running = self.observer.is_alive()
        self.observer.stop()
        self.observer = _polling()
        self._watches.clear()
        if running:
            self.observer.start()

    def _refresh(self) -> None:
        wanted = dict(self._wanted())
        for key, (watch, identity) in list(self._watches.items()):
            if wanted.get(key) != identity:
                del self._watches[key]
                # KeyError: the emitter stopped itself when its folder was deleted.
                with contextlib.suppress(KeyError, OSError):
                    self.observer.unschedule(watch)
        for (folder, recursive), identity in wanted.items():
            if (folder, recursive) not in self._watches:
                try:
                    watch = self.observer.schedule(
                        self, str(folder), recursive=recursive, event_filter=_CHANGE_EVENTS
                    )
                except (FileNotFoundError, NotADirectoryError, PermissionError):
                    continue  # gone since we looked (its parent's watch reports it), or unreadable
                self._watches[folder, recursive] = (watch, identity)

    def _wanted(self) -> Iterator[tuple[tuple[Path, bool], tuple[int, int]]]:
        for folder, recursive in watch_plan(self.root, self.watched):
            try:
                stat = folder.stat()
            except OSError:
                continue
            yield (folder, recursive), (stat.st_dev, stat.st_ino)


def watch_plan(root: Path, watched: Iterable[str]) -> set[tuple[Path, bool]]:
    """The folders to watch, and whether recursively: the root alone, each watched folder with
    everything inside, and the folder of each watched file. No folder is watched twice, or every
    change would arrive twice and could be built twice."""
    folders = {(root, False)}
    for relative in watched:
        path = root / relative
        # A link is never followed (`site_templates -> /` would watch everything); os.path
        # answers False, not an error, for a name too long for the file system.
        folder = os.path.isdir(path) and not os.path.islink(path)
        folders.add((path, True) if folder else (path.parent, False))
    inside = {f for f, recursive in folders if recursive}
    return {
        (folder, recursive)
        for folder, recursive in folders
        if os.path.isdir(folder)
        and not any(folder.is_relative_to(r) and (folder, recursive) != (r, True) for r in inside)
    }
