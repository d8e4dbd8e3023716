"""No run without end: the work of a build grows linearly with the rows of a CSV, its pages stay
of bounded size however long the series, and page templates from a pull request can neither hang
nor exhaust `build` or `serve`.

Work is measured by a deterministic counter (the lines of Python executed, as `sys.settrace`
counts them), never by a clock, so these tests are neither slow nor flaky on a loaded machine.
Templates run for real: `pumpsite build` and `pumpsite serve` in subprocesses with time-outs,
and the worker that renders them with its own limits (never the test runner's).
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from pumpsite.analysis.measure import MeasureAnalysis
from pumpsite.build.chart_cache import SIZES
from pumpsite.build.run import build
from pumpsite.checks.inspection import analyse_repo
from pumpsite.model import Repo
from pumpsite.render import template_worker
from pumpsite.render.chart.plan import plan_chart
from pumpsite.render.chart_ref import ChartRef
from pumpsite.render.site import render_site
from pumpsite.render.template_worker import Limits, Started, run_bounded
from pumpsite.render.templating import TemplateFailure
from tests import factories
from tests.conftest import make_repo
from tests.serve_process import BANNER, ServeProcess

pytestmark = pytest.mark.slow  # builds, worker processes and serve under limits of time and memory

REPORT = date(2026, 11, 23)


def noisy(count: int) -> list[float | None]:
    """A daily series full of signals: steady values, then every other one far above the limits
    (the worst case for anything done once per signal)."""
    steady = [18.0, 22.0] * 10
    return [*steady, *[20.0, 40.0] * ((count - len(steady)) // 2)]


# --- linear work ---------------------------------------------------------------------------------


@contextmanager
def counting_lines() -> Iterator[list[int]]:
    """Counts every line of Python executed inside the block, in every frame."""
    count = [0]

    def trace(frame: FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            count[0] += 1
        return trace

    previous = sys.gettrace()
    sys.settrace(trace)
    try:
        yield count
    finally:
        sys.settrace(previous)


def planned_charts(repo: Repo, analyses: Mapping[str, MeasureAnalysis]) -> dict[ChartRef, str]:
    """Works out every mark and hover title of each chart, as a build does, without drawing it."""
    charts: dict[ChartRef, str] = {}
    for measure_id, analysis in analyses.items():
        for size in SIZES:
            plan_chart(repo.measures[measure_id], analysis, size)
            charts[ChartRef(measure_id, size)] = "<svg/>"
    return charts


def rendering_work(rows: int) -> int:
    repo = factories.repo(
        factories.goal("g"),
        factories.measure("m", noisy(rows), start="2016-01-01", frequency="daily"),
    )
    analyses = analyse_repo(repo, REPORT)
    with counting_lines() as count:
        charts = planned_charts(repo, analyses)
        render_site(repo, analyses, REPORT, charts=charts, results_map=lambda *a: "<svg/>")
    return count[0]


def test_twice_the_rows_is_at_most_twice_the_work_of_rendering_the_pages() -> None:
    rendering_work(1000)  # compiles the templates, which the later renders reuse
    single, double = rendering_work(1500), rendering_work(3000)
    assert double < 2.2 * single, f"{single:,} lines for 1,500 rows, {double:,} for 3,000"


# --- bounded pages -------------------------------------------------------------------------------


def daily_repo(root: Path, rows: int) -> Path:
    """A repository of one daily measure whose latest 2,000 values are the same whatever `rows`."""
    first = date(2026, 11, 1) - timedelta(days=rows - 1)
    values = [20.0 + (rows - i) % 7 + 15 * ((rows - i) % 97 == 0) for i in range(rows)]
    csv = "".join(f"{first + timedelta(days=i)},{v}\n" for i, v in enumerate(values))
    measure = (
        "---\ntitle: Orders shipped\ngoal: g\nfrequency: daily\nbetter: up\n"
        "roles:\n  - {from: 2000-Q1, role: sustain}\n---\n"
    )
    return make_repo(
        root,
        {
            "mkdocs.yml": "site_name: Bounds\n",
            "measures/g.md": "---\nkind: goal\ntitle: Orders arrive on time\n---\n",
            "measures/m.md": measure,
            "data/m.csv": "period,value\n" + csv,
        },
    )


def largest_page(root: Path) -> int:
    result = build(root, today=REPORT, workers=1)
    assert result.ok, result.problems
    return max(page.stat().st_size for page in (root / "site").rglob("*.html"))


def test_four_times_the_rows_builds_pages_of_the_same_size(tmp_path: Path) -> None:
    short = largest_page(daily_repo(tmp_path / "short", 2_500))
    long = largest_page(daily_repo(tmp_path / "long", 10_000))
    assert long < 1.02 * short, f"largest page {short:,} bytes for 2,500 rows, {long:,} for 10,000"
    assert long < 1_500_000


# --- page templates: bounded time and memory, in real processes -----------------------------------

BASE = Path(__file__).parent / "corpus" / "_base"
AS_OF = "2026-01-15"
ENDLESS = (
    "# Home\n\n{% for i in range(100000) %}\n{% for j in range(100000) %}{% endfor %}\n"
    "{% endfor %}\n"
)


def repo_with_template(root: Path, name: str, text: str) -> Path:
    """The corpus base repository, its templates given one second, with `text` as `name`."""
    shutil.copytree(BASE, root)
    settings = root / "mkdocs.yml"
    settings.write_text(settings.read_text() + "    template_seconds: 1\n")
    (root / "site_templates").mkdir()
    (root / "site_templates" / name).write_text(text)
    return root


PROCESS_MEMORY = 4 << 30
"""`pumpsite build` runs with at most 4 GiB of address space: were the worker's own limit to
fail, the 10 GB template would stop there, not take the machine's memory."""


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (PROCESS_MEMORY, PROCESS_MEMORY))


def pumpsite(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    code = "from pumpsite.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        preexec_fn=_limit_memory,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def template_seconds(root: Path, seconds: int) -> None:
    settings = root / "mkdocs.yml"
    text = re.sub(
        r"template_seconds: \d+\n", f"template_seconds: {seconds}\n", settings.read_text()
    )
    settings.write_text(text)


def previous_site(root: Path) -> dict[str, bytes]:
    """A first, good build. Its trivial template gets a minute, not the second the hostile one
    gets after it: under a loaded machine one second is not enough even for "# Home"."""
    template_seconds(root, 60)
    built = pumpsite("build", str(root), "--as-of", AS_OF)
    template_seconds(root, 1)
    assert built.returncode == 0, built.stderr
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in (root / "site").rglob("*.*")}


def test_build_stops_a_template_that_never_ends_at_its_loop(tmp_path: Path) -> None:
    root = repo_with_template(tmp_path / "repo", "index.md", "# Home\n")
    before = previous_site(root)
    (root / "site_templates" / "index.md").write_text(ENDLESS)
    started = time.monotonic()
    built = pumpsite("build", str(root), "--as-of", AS_OF)
    assert built.returncode == 1
    assert "site_templates/index.md:4: error: The templates took longer than 1 s" in built.stdout
    assert "[PS603]" in built.stdout and "Traceback" not in built.stdout + built.stderr
    assert "The previous site is unchanged" in built.stdout + built.stderr
    assert time.monotonic() - started < 60
    after = {p.relative_to(root).as_posix(): p.read_bytes() for p in (root / "site").rglob("*.*")}
    assert after == before


def test_a_10_gb_string_stops_only_the_worker(tmp_path: Path) -> None:
    root = repo_with_template(
        tmp_path / "repo", "index.md", '# Home\n\n{{ ("x" * 100000) * 100000 }}\n'
    )
    built = pumpsite("build", str(root), "--as-of", AS_OF)
    assert built.returncode == 1
    assert "site_templates/index.md:3: error: The template needed more memory" in built.stdout
    assert "[PS604]" in built.stdout and "Traceback" not in built.stdout + built.stderr


def test_serve_recovers_once_the_template_that_hung_it_is_fixed(tmp_path: Path) -> None:
    root = repo_with_template(tmp_path / "repo", "index.md", ENDLESS)
    # At the corpus's report date its data is up to date: no warning banner over good pages.
    server = ServeProcess(root, "--dev-addr", ":0", "--as-of", AS_OF)
    try:
        page = server.page_when("", lambda body: "PS603" in body, "the time-out's problem")
        assert "site_templates/index.md:4" in page and "no good pages" in page
        # Good templates get a minute, as in previous_site: on a loaded machine one second is
        # not enough even for a trivial page, and the fixed page would never come.
        template_seconds(root, 60)
        (root / "site_templates" / "index.md").write_text("# Our own home page\n")
        page = server.page_when("", lambda body: "Our own home page" in body, "the fixed page")
        assert BANNER not in page
        template_seconds(root, 1)
        (root / "site_templates" / "index.md").write_text(ENDLESS)
        page = server.page_when("", lambda body: BANNER in body, "the second time-out")
        assert "Our own home page" in page, "the last good page stays served"
        template_seconds(root, 60)
        (root / "site_templates" / "index.md").unlink()
        server.page_when(
            "", lambda body: "Our own home page" not in body and BANNER not in body, "the default"
        )
    finally:
        assert server.stop() == 0, server.output
    assert "Traceback" not in server.output, server.output


# Jobs for the worker, at module level so that it can import them.


def sleep_deaf_to_the_timer(seconds: float, started: Started) -> None:
    """A step no timer interrupts, like one huge string operation in C."""
    started("index.md")
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    time.sleep(seconds)


def die(signum: int, started: Started) -> None:
    started("index.md")
    os.kill(os.getpid(), signum)


def allocate(size: int, started: Started) -> int:
    started("index.md")
    return len(bytearray(size))


def fail_as_a_bug(text: str, started: Started) -> None:
    raise KeyError(text)


def test_a_step_the_timer_cannot_interrupt_is_stopped_from_outside(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(template_worker, "GRACE", 0.5)
    started = time.monotonic()
    with pytest.raises(TemplateFailure) as failure:
        run_bounded(sleep_deaf_to_the_timer, 600.0, Limits(seconds=1), {"index.md"})
    assert time.monotonic() - started < 60
    problem = failure.value.problem
    assert (problem.path, problem.line, problem.code) == ("site_templates/index.md", None, "PS603")


def test_a_worker_that_dies_is_a_problem_not_a_hang() -> None:
    with pytest.raises(TemplateFailure) as failure:
        run_bounded(die, signal.SIGKILL, Limits(seconds=60), {"index.md"})
    problem = failure.value.problem
    assert (problem.path, problem.code) == ("site_templates/index.md", "PS606")
    assert problem.message == (
        "The process rendering the page templates stopped without an answer (signal 9)."
    )


def test_the_worker_may_grow_by_its_memory_limit_and_no_more() -> None:
    runner = resource.getrlimit(resource.RLIMIT_AS)
    limits = Limits(seconds=60, memory=256 << 20)
    assert run_bounded(allocate, 64 << 20, limits, set()) == 64 << 20
    with pytest.raises(TemplateFailure) as failure:
        run_bounded(allocate, 512 << 20, limits, set())
    assert failure.value.problem.code == "PS604"
    assert resource.getrlimit(resource.RLIMIT_AS) == runner  # the worker's limit, not ours


def test_a_bug_of_pumpsites_in_the_worker_is_raised_as_one() -> None:
    with pytest.raises(RuntimeError, match="KeyError: 'no such page'"):
        run_bounded(fail_as_a_bug, "no such page", Limits(seconds=60), set())
