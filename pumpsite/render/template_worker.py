"""Page templates from a pull request render in a worker process, with time and memory bounded.

A template is a small program: two nested loops never end, `('x'*100000)*100000` asks for 10 GB.
Jinja's sandbox keeps it from Python, not from the processor or the memory, so a repository
with its own page templates renders its pages in a worker process (repositories without their
own templates render in the build's process):

- **time**: a timer in the worker raises `OverLimit` inside the rendering once `seconds` have
  passed (`template_seconds`, by default 10 s plus 20 ms a page), so the problem names the
  template line it had reached. One step that no timer interrupts (a single huge string
  operation) is ended from outside: the build kills the worker `GRACE` seconds later.
- **memory**: the worker's address space may grow by `memory` bytes beyond what it holds when
  it starts (RLIMIT_AS), so an allocation past it raises MemoryError inside the template.
- **page size**: a page that grows past `page_characters` is stopped where it is (`site.py`),
  so a template cannot hand the site engine a page it would choke on.

The build's own process is never limited, so `pumpsite serve` goes on after any template, and
rebuilds as soon as the template is fixed. Workers are forked from a server process that has
imported pumpsite once (see `_context`). On systems without `resource` or SIGALRM (Windows) only
the kill from outside is left.
"""

from __future__ import annotations

import multiprocessing
import signal
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext, SpawnContext
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar, cast

from pumpsite.problems import (
    TEMPLATE_TOO_MUCH_MEMORY,
    TEMPLATE_WORKER_STOPPED,
    TEMPLATES_TOO_SLOW,
    Problem,
)
from pumpsite.render.templating import USER_FOLDER, OverLimit, TemplateFailure

try:
    import resource
except ImportError:  # pragma: no cover - Windows
    resource = None  # type: ignore[assignment]

GRACE = 5.0
"""Seconds after the time limit before the worker is killed from outside."""
STARTUP = 120.0
"""Seconds the worker may take to start (imports, receiving the pages) on a loaded machine."""

BASE_SECONDS = 10.0
PAGE_SECONDS = 0.02
"""Without `template_seconds`, the pages may take 10 s plus 20 ms a page: pumpsite's own
templates take about 5 ms a page on a loaded machine, and a repository of a few dozen measures
still learns of a loop that never ends within seconds."""

Job = TypeVar("Job")
Result = TypeVar("Result")
Started = Callable[[str], None]
"""Called by a job with the name of the template of each page it starts."""


@dataclass(frozen=True, slots=True)
class Limits:
    """What rendering the pages with user templates may take."""

    seconds: float  # wall-clock, all the pages together
    memory: int = 1 << 30  # bytes of address space beyond what the worker holds at its start
    page_characters: int = 20_000_000  # of one page's Markdown


def seconds_for(pages: int, template_seconds: float | None) -> float:
    """`template_seconds` from the site settings, or by default 10 s plus 20 ms a page."""
    return template_seconds if template_seconds is not None else BASE_SECONDS + PAGE_SECONDS * pages


def run_bounded(
    job: Callable[[Job, Started], Result], argument: Job, limits: Limits, templates: set[str]
) -> Result:
    """`job(argument, started)` in a worker process bounded by `limits`. Raises TemplateFailure
    when the job does, or passes a limit; `templates` are the names of the user's templates,
    to say which one was rendering when the worker had to be stopped from outside."""
    context = _context()
    receive, send = context.Pipe(duplex=False)
    worker = context.Process(target=_work, args=(send, job, argument, limits), daemon=True)
    worker.start()
    send.close()
    try:
        return cast(Result, _answer(receive, worker, limits, templates))
    finally:
        if worker.is_alive():
            worker.kill()
        worker.join()
        receive.close()


def _context() -> ForkServerContext | SpawnContext:
    """Workers forked from a server process that has imported pumpsite once (`serve` and a
    build's second render then start one in milliseconds); a plain fork could inherit a lock
    held by one of serve's threads. Spawned where there is no fork (Windows)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["pumpsite.render.site"])
    return context


def _answer(
    receive: Connection,
    worker: multiprocessing.process.BaseProcess,
    limits: Limits,
    templates: set[str],
) -> object:
    deadline = time.monotonic() + STARTUP
    template = ""  # the template of the page being rendered
    while True:
        if not receive.poll(max(deadline - time.monotonic(), 0)):
            worker.kill()
            raise TemplateFailure(
                _stopped(template, templates, TEMPLATES_TOO_SLOW, _too_slow(limits))
            )
        try:
            kind, value = receive.recv()
        except EOFError:  # the worker died without a word
            worker.join()
            raise TemplateFailure(
                _stopped(template, templates, TEMPLATE_WORKER_STOPPED, _died(worker.exitcode))
            ) from None
        if kind == "ready":
            deadline = time.monotonic() + limits.seconds + GRACE
        elif kind == "page":
            template = value
        elif kind == "failed":
            raise TemplateFailure(value)
        elif kind == "crashed":
            raise RuntimeError(f"the worker rendering the pages failed:\n{value}")
        else:
            return value


def _too_slow(limits: Limits) -> str:
    return (
        f"The templates took longer than {limits.seconds:g} s (`template_seconds` in "
        "mkdocs.yml) to render the pages: look for a loop that never ends."
    )


def _died(exitcode: int | None) -> str:
    how = f"signal {-exitcode}" if exitcode is not None and exitcode < 0 else f"exit {exitcode}"
    return f"The process rendering the page templates stopped without an answer ({how})."


def _stopped(template: str, templates: set[str], code: str, message: str) -> Problem:
    """A problem at the template of the page being rendered, or at the folder when that page's
    template is a built-in one."""
    path = f"{USER_FOLDER}/{template}" if template in templates else USER_FOLDER
    return Problem(path, None, code, message)


# --- in the worker -------------------------------------------------------------------------------


def _limit_memory(extra: int) -> None:
    """Address space: what the worker holds now, plus `extra` bytes."""
    if resource is None or not hasattr(resource, "RLIMIT_AS"):
        return
    statm = Path("/proc/self/statm")
    if not statm.exists():  # the size now is not known (macOS, which ignores RLIMIT_AS anyway)
        return
    now = int(statm.read_text().split()[0]) * resource.getpagesize()
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = now + extra if hard == resource.RLIM_INFINITY else min(now + extra, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _start_timer(limits: Limits) -> None:
    """SIGALRM after `limits.seconds`, raising OverLimit wherever the worker is."""
    if not hasattr(signal, "setitimer"):
        return

    def time_is_up(signum: int, frame: FrameType | None) -> None:
        raise OverLimit(TEMPLATES_TOO_SLOW, _too_slow(limits))

    signal.signal(signal.SIGALRM, time_is_up)
    signal.setitimer(signal.ITIMER_REAL, limits.seconds)


def _stop_timer() -> None:
    if hasattr(signal, "setitimer"):
        signal.setitimer(signal.ITIMER_REAL, 0)


def _work(
    send: Connection, job: Callable[[Any, Started], Any], argument: Any, limits: Limits
) -> None:
    """The worker: limits itself, runs the job, and sends one answer."""
    _limit_memory(limits.memory)
    send.send(("ready", None))
    try:
        answer: tuple[str, Any] = ("done", _timed(job, argument, send, limits))
    except TemplateFailure as failure:
        answer = ("failed", failure.problem)
    except OverLimit as error:  # the timer fired between pages, outside any template
        answer = ("failed", Problem(USER_FOLDER, None, error.code, str(error)))
    except MemoryError:  # outside any template too: gathering the pages they made
        message = "The pages the templates made need more memory than rendering may use."
        answer = ("failed", Problem(USER_FOLDER, None, TEMPLATE_TOO_MUCH_MEMORY, message))
    except KeyboardInterrupt:  # Ctrl+C reaches the worker too: the command is stopping
        return
    except BaseException:  # a bug of pumpsite's: the build reports it as one
        answer = ("crashed", traceback.format_exc())
    send.send(answer)


def _timed(
    job: Callable[[Any, Started], Any], argument: Any, send: Connection, limits: Limits
) -> Any:
    _start_timer(limits)
    try:
        return job(argument, lambda name: send.send(("page", name)))
    finally:
        _stop_timer()
