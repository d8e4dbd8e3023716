"""`pumpsite serve`: build the site, serve it on loopback, and rebuild and reload on every save.

A bad save never stops the server: the last good pages stay served with the problems in a banner
at the bottom of the window, and the next good save clears it. Builds go into fresh folders under
a private temporary folder, never into the user's `site/`; the watcher (`pumpsite.watch`) looks
only at the sources, so a build cannot trigger the next one.
"""

from __future__ import annotations

import html
import shutil
import signal
import threading
import time
import traceback
import webbrowser
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import FrameType

from pumpsite.build.engine_partial import WarmEngine
from pumpsite.build.run import BuildResult, build
from pumpsite.build.scratch import scratch_folder
from pumpsite.errors import PumpsiteError
from pumpsite.load.memo import LoadMemo
from pumpsite.numbers import counted
from pumpsite.problems import Problem, printable
from pumpsite.serve.livereload import LiveSite, PreviewServer
from pumpsite.serve.watch import Changes, SourceWatcher

DEFAULT_HOST = "127.0.0.1"
DEFAULT_ADDRESS = f"{DEFAULT_HOST}:8000"
QUIET = 0.05  # seconds without a further change before rebuilding: one save is several events
KEPT_BUILDS = 2  # the one served, and the one before it for requests still reading it
PAGE_SOURCES = ("measures/", "data/")  # a change elsewhere may change every page: a full build


class AddressError(PumpsiteError):
    """The server cannot listen on the address asked for; the message says why."""


def parse_address(text: str) -> tuple[str, int]:
    """`HOST:PORT`, `[IPv6]:PORT` or `:PORT` (loopback). Raises ValueError with the reason."""
    host, colon, port = text.rpartition(":")
    if not colon or not port.isdigit() or int(port) > 65535:
        raise ValueError(f"expected HOST:PORT like {DEFAULT_ADDRESS}, got {text!r}")
    return host.removeprefix("[").removesuffix("]") or DEFAULT_HOST, int(port)


# --- building ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    """One build, as the terminal and the banner report it."""

    result: BuildResult | None  # None when pumpsite itself failed (a bug)
    seconds: float
    changed: list[str]
    crash: str | None = None
    pages_rendered: int | None = None  # when only the pages a save changed were rendered

    @property
    def ok(self) -> bool:
        return self.result is not None and self.result.ok

    @property
    def problems(self) -> list[Problem]:
        return self.result.problems if self.result else []

    @property
    def failure(self) -> str | None:
        return self.crash or (self.result.failure if self.result else None)


class Preview:
    """Builds into numbered folders and publishes the newest good one with the latest news."""

    def __init__(
        self,
        root: Path,
        output: Path,
        site: LiveSite,
        *,
        today: Callable[[], date],
        as_of: date | None,
        say: Callable[[str], None] = print,
    ) -> None:
        self.root, self.output, self.site = root, output, site
        self.today, self.as_of, self.say = today, as_of, say
        self.good: list[Path] = []
        self.builds = 0
        self.engine = WarmEngine()
        self.memo = LoadMemo()  # parsed files and analyses, for the files a save left alone

    def rebuild(self, changed: list[str]) -> Outcome:
        self.builds += 1
        target = self.output / f"build-{self.builds}"
        started = time.monotonic()
        if not all(path.startswith(PAGE_SOURCES) for path in changed):
            self.engine.forget()  # templates, the theme or settings: every page may change
        try:
            result = build(
                self.root,
                today=self.today(),
                site_dir=target,
                as_of=self.as_of,
                waiting=self.say,
                engine_run=self.engine,
                memo=self.memo,
            )
        except Exception as error:  # a bug in pumpsite must not take the preview down with it
            traceback.print_exc()
            crash = f"pumpsite failed unexpectedly ({error!r}); please report this bug"
            outcome = Outcome(None, time.monotonic() - started, changed, crash)
        else:
            seconds = time.monotonic() - started
            rendered = self.engine.rendered if result.ok else None
            outcome = Outcome(result, seconds, changed, pages_rendered=rendered)
            if result.site_dir is not None:
                self.engine.settled(result.site_dir)
                self._keep(result.site_dir)
        news = banner(outcome, has_pages=bool(self.good))
        self.site.publish(self.good[-1] if self.good else None, news)
        return outcome

    def _keep(self, site_dir: Path) -> None:
        self.good.append(site_dir)
        while len(self.good) > KEPT_BUILDS:
            shutil.rmtree(self.good.pop(0), ignore_errors=True)


# --- the banner ----------------------------------------------------------------------------------

# Fixed to the bottom of the window: in view wherever the reader has scrolled to, and outside the
# page's flow, so the browser keeps the scroll position across reloads.
_BANNER_STYLE = (
    "font: 14px/1.45 system-ui, sans-serif; margin: 0; padding: 10px 16px; position: fixed; "
    "left: 0; right: 0; bottom: 0; z-index: 100; max-height: 40vh; overflow: auto; "
    "color: #1a1a1a; background: {bg}; border-top: 3px solid {edge}; "
    "box-shadow: 0 -2px 8px rgba(0, 0, 0, 0.25);"
)
_CODE_STYLE = "font: 13px ui-monospace, monospace; background: none; color: inherit;"
STARTING_BANNER = (
    f'<div id="pumpsite-serve-banner" style="{_BANNER_STYLE.format(bg="#e8f0fe", edge="#1a73e8")}">'
    "Building the site… this page reloads by itself when it is ready.</div>"
)


def _shown(text: str) -> str:
    """User text in the banner: escaped for HTML, and bidi overrides or control characters in a
    file name shown as escapes rather than reordering the banner."""
    return html.escape(printable(text))


def _problem_item(problem: Problem) -> str:
    where = f"{problem.path}:{problem.line}" if problem.line else problem.path or "."
    return (
        f'<li><code style="{_CODE_STYLE}">{_shown(where)}</code> '
        f"<strong>{problem.severity.value}</strong>: {_shown(problem.message)} "
        f"[{html.escape(problem.code)}]</li>"
    )


def banner(outcome: Outcome, *, has_pages: bool) -> str:
    """HTML put on every page: the problems of the latest build; "" when there are none."""
    problems = [_problem_item(p) for p in outcome.problems]
    warnings = outcome.result.engine_warnings if outcome.result else []
    problems += [f"<li>mkdocs <strong>warning</strong>: {_shown(w)}</li>" for w in warnings]
    items = f'<ul style="margin: 6px 0 0; padding-left: 20px;">{"".join(problems)}</ul>'
    if outcome.ok:
        if not problems:
            return ""
        style = _BANNER_STYLE.format(bg="#fff8e1", edge="#f9a825")
        count = counted(len(problems), "warning")
        return (
            f'<details id="pumpsite-serve-banner" style="{style}"><summary>The site was rebuilt '
            f"with {count}.</summary>{items}</details>"
        )
    style = _BANNER_STYLE.format(bg="#fdecea", edge="#d32f2f")
    failure = _shown(outcome.failure or "the build failed")
    shown = "Showing the last good pages" if has_pages else "There are no good pages to show yet"
    return (
        f'<div id="pumpsite-serve-banner" role="alert" style="{style}">'
        f"<strong>Not rebuilt: {failure}.</strong> {shown}; fix the files and this page "
        f"reloads by itself.{items if problems else ''}</div>"
    )


# --- the server ----------------------------------------------------------------------------------


@contextmanager
def _stop_on_terminate() -> Iterator[None]:
    """Turn SIGTERM into KeyboardInterrupt so the temporary folder is removed either way."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def serve(
    root: Path,
    *,
    host: str,
    port: int,
    today: Callable[[], date],
    as_of: date | None = None,
    open_browser: bool = False,
    poll: bool = False,
    say: Callable[[str], None] = print,
    on_build: Callable[[Outcome], None] = lambda outcome: None,
) -> None:
    """Serve until interrupted. Raises AddressError when the address cannot be listened on."""
    root = root.resolve()
    site = LiveSite(STARTING_BANNER)
    try:
        server = PreviewServer(host, port, site)
    except OSError as error:  # in use, not this computer's, or not an address at all
        raise AddressError(
            f"cannot serve on {host}:{port}: {error.strerror or error}. "
            "Choose another with --dev-addr, like 127.0.0.1:8001."
        ) from None
    changes = Changes()
    watcher = SourceWatcher(root, changes, say, poll=poll)
    with scratch_folder("serve") as output, _stop_on_terminate():
        preview = Preview(root, output, site, today=today, as_of=as_of, say=say)
        try:
            server.start()
            say(f"Serving {server.url} — press Ctrl+C to stop.")
            watcher.start()
            if open_browser:
                webbrowser.open(server.url)
            changed: list[str] | None = []
            while changed is not None:
                watcher.refresh()
                outcome = preview.rebuild(changed)
                watcher.follow(outcome.result.inspection.repo if outcome.result else None)
                on_build(outcome)
                changed = changes.wait(QUIET)
        except KeyboardInterrupt:
            say("Stopped.")
        finally:
            changes.stop()
            watcher.stop()
            server.shutdown()
            server.server_close()
