"""Issue 11, "The arithmetic at the lines" and "Consistency", end to end: a small repository on
disk, `pumpsite check`'s problems, the measure page's text, `pumpsite xmr` on the same CSV and
`pumpsite diff` between two commits, for values on a line, gaps, chunky data and natural
boundaries."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from pumpsite import cli as cli_module
from pumpsite.checks.inspection import inspect
from pumpsite.cli import cli
from pumpsite.periods import Frequency, parse_period
from pumpsite.problems import Problem
from pumpsite.render.site import render_site
from tests.analysis.test_exact import CENTRE_28_9
from tests.git_helpers import commit_all, git, isolated_git

__all__ = ["isolated_git"]

REPORT = date(2026, 11, 23)
Files = Mapping[str, str]


def csv_of(
    values: Sequence[float | None], start: str = "2024-01", frequency: Frequency = "monthly"
) -> str:
    """A measure's CSV: a row per period from `start`, with no row at all for None."""
    first = parse_period(start, frequency)
    assert first is not None
    rows = [f"{first + i},{v!r}" for i, v in enumerate(values) if v is not None]
    return "period,value\n" + "\n".join(rows) + "\n"


def files(
    csv: str, *, limits: str = "", unit: str = "", frequency: Frequency = "monthly", roles: str = ""
) -> dict[str, str]:
    return {
        "mkdocs.yml": "site_name: Test\n",
        "measures/goal.md": "---\nkind: goal\ntitle: Orders arrive on time\n---\n",
        "measures/m.md": (
            f"---\ntitle: Late orders\ngoal: goal\nfrequency: {frequency}\nbetter: down\n"
            f'unit: "{unit}"\n{limits}{roles}---\n'
        ),
        "data/m.csv": csv,
    }


@dataclass(frozen=True)
class Built:
    root: Path
    problems: list[Problem]
    page: str  # the measure page's Markdown

    def codes(self) -> list[str]:
        """The problems' codes, less stale data (PS418): the series here end before REPORT."""
        return [p.code for p in self.problems if p.code != "PS418"]

    def xmr(self, *options: str) -> str:
        """What `pumpsite xmr` prints for the measure's CSV."""
        csv = str(self.root / "data" / "m.csv")
        result = CliRunner().invoke(cli, ["xmr", csv, "--better", "down", *options])
        assert "Traceback" not in result.output
        return result.stdout


def fake_chart(*_: object) -> str:
    return "<svg/>"


@pytest.fixture
def build(repo_of: Callable[[Files], Path]) -> Callable[..., Built]:
    def make(csv: str, **settings: str) -> Built:
        root = repo_of(files(csv, **settings))
        found = inspect(root, today=REPORT, trial_render=False)
        site = render_site(
            found.repo,
            found.analyses,
            found.report_date,
            charts={},
            results_map=fake_chart,
        )
        return Built(root, found.problems, site.files["measures/m.md"])

    return make


# --- exact comparisons ----------------------------------------------------------------------------


def test_values_on_the_central_line_make_no_run_on_the_page_nor_in_xmr(
    build: Callable[..., Built],
) -> None:
    built = build(csv_of([*CENTRE_28_9, *[28.9] * 8]))
    assert "Predictable since Jan 2024" in built.page
    assert "in a row below the central line" not in built.page
    assert built.codes() == []
    assert "No signals" in built.xmr()


def test_in_whole_numbers_a_jump_equal_to_the_url_is_no_signal(build: Callable[..., Built]) -> None:
    # Central line 1625, limits -1700 to 4950, URL 4085: jumps from 500 stay inside the limits,
    # so the moving range is an event of its own (not an outlier's jump).
    built = build(csv_of([*[1000, 2250] * 10, 500, 4585]))
    assert "Moving range above the upper range limit" not in built.xmr()
    assert "more than the upper range limit" not in built.page
    above = build(csv_of([*[1000, 2250] * 10, 500, 4586]))
    rise = "a rise of 4 086 from Sep 2025 to Oct 2025"
    assert f"{rise}, more than the upper range limit of 4 085" in above.page


NEAR_35 = [28.0, 28.6, 20.4, 29.5, 20.9, 23.4, 26.1, 29.2, 23.4, 29.2]
NEAR_35 += [25.5, 23.1, 23.2, 21.8, 20.8, 21.5, 26.9, 30.0, 21.6, 20.5]
"""20 values whose upper natural process limit is 34.998: 35.0 is beyond it, by a hair."""


def test_a_value_just_beyond_a_limit_is_not_said_to_be_beyond_the_same_number(
    build: Callable[..., Built],
) -> None:
    page = build(csv_of([*NEAR_35, 35.0])).page
    assert "35.0 in Sep 2025 is above the upper natural process limit of 34.998" in page
    assert "limit of 35.00" not in page


def test_diff_tells_no_new_signal_for_a_value_on_the_central_line(
    repo_of: Callable[[Files], Path], isolated_git: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_module, "_today", lambda: REPORT)
    root = repo_of(files(csv_of([*CENTRE_28_9, 30.0, *[28.9] * 7])))
    git(root, "init", "-q")
    commit_all(root, "Seven values on the central line")
    (root / "data" / "m.csv").write_text(csv_of([*CENTRE_28_9, 30.0, *[28.9] * 8]))
    result = CliRunner().invoke(cli, ["diff", "HEAD", ".", str(root)])
    assert result.exit_code == 0, result.output
    assert "New signal" not in result.stdout
    assert "1 new value" in result.stdout


LOWER_18_51 = [22.0, 29.2, 28.2, 25.2, 26.8, 28.8, 21.4, 24.9, 21.3, 21.2]
LOWER_18_51 += [21.1, 22.1, 20.5, 22.2, 23.8, 26.2, 28.6, 29.0, 27.2, 25.1]
"""20 values whose lower natural process limit is exactly 18.51 (in floats 18.509999999999998)."""


def test_lint_treats_a_target_on_a_limit_alike_however_floats_round_the_limit(
    build: Callable[..., Built],
) -> None:
    role = (
        "roles:\n  - {from: 2026-Q4, role: improve, target: 18.51, deadline: 2027-03-31, "
        "owner: Ana}\n"
    )
    # both lower limits are exactly 18.51; in floats one was 18.509999999999998, one 18.51
    rounded_down = build(csv_of(LOWER_18_51), roles=role)
    exact = build(csv_of([20.67, 21.67] * 10), roles=role)
    assert ("PS406" in rounded_down.codes()) == ("PS406" in exact.codes())
    assert ("hit or miss" in rounded_down.page) == ("hit or miss" in exact.page)


def test_diff_tells_declared_bounds_and_the_boundary_in_the_limits(
    repo_of: Callable[[Files], Path], isolated_git: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_module, "_today", lambda: REPORT)
    root = repo_of(files(csv_of(SUNSPOTS)))
    git(root, "init", "-q")
    commit_all(root, "Sunspots")
    (root / "measures" / "m.md").write_text(
        files(csv_of(SUNSPOTS), limits="limits:\n  bounds: {lower: 0}\n")["measures/m.md"]
    )
    result = CliRunner().invoke(cli, ["diff", "HEAD", ".", str(root)])
    assert result.exit_code == 0, result.output
    assert "- Bounds: none → lower 0\n" in result.stdout
    assert "Limits now 0 (boundary) to 15.0" in result.stdout


# --- moving ranges, not just values ---------------------------------------------------------------

GAPPED = [10, None, 14, None, 9, None, 12, 13, None, 11]
"""Six values, but gaps leave one moving range between them (12 to 13)."""


def test_six_values_with_one_moving_range_are_a_run_chart_that_says_why(
    build: Callable[..., Built],
) -> None:
    built = build(csv_of(GAPPED))
    assert (
        "Run chart: 6 values so far, but missing periods leave only 1 moving range between "
        "its 6 baseline values, and limits need 4 (five values in a row)." in built.page
    )
    assert "Signal:" not in built.page and "Signal in" not in built.page
    assert "Run chart: too few values in a row for limits" in built.page  # the status badge
    [warning] = [p for p in built.problems if p.code == "PS334"]
    assert warning.path == "measures/m.md" and not warning.is_error
    assert warning.message.startswith("The phase from 2024-01 has 6 values, but missing periods")
    table = built.xmr()
    assert "a run chart without limits: 6 values, but missing periods leave only 1" in table
    assert "Point beyond the limits" not in table


def test_exclusions_that_leave_too_few_baseline_values_are_said_so(
    build: Callable[..., Built],
) -> None:
    excluded = "".join(f"    - {{period: 2024-0{m}, reason: Strike}}\n" for m in (1, 2, 3))
    built = build(csv_of([10, 12, 11, 13, 12, 14, 11]), limits=f"limits:\n  exclude:\n{excluded}")
    assert (
        "Run chart: 7 values so far, but only 4 of them can be in the baseline, and limits "
        "need 5." in built.page
    )


def test_four_moving_ranges_are_enough(build: Callable[..., Built]) -> None:
    built = build(csv_of([10, 12, 11, 13, 12, None, 14]))
    assert "Run chart" not in built.page and "PS334" not in built.codes()


# --- chunky data ----------------------------------------------------------------------------------


def test_twenty_equal_percentages_give_no_collapsed_limits(build: Callable[..., Built]) -> None:
    built = build(csv_of([95.0] * 20), unit="%")
    assert "Run chart: data too coarse for limits" in built.page  # the status badge
    assert "Run chart: 20 values so far, but they do not vary" in built.page
    assert "between 95.0% and 95.0%" not in built.page
    assert "Signal:" not in built.page and "Signal in" not in built.page
    assert "PS335" in built.codes()
    assert "a run chart without limits: 20 values, but they do not vary" in built.xmr()


def test_counts_of_zero_with_a_rare_one_raise_no_flood_of_signals(
    build: Callable[..., Built],
) -> None:
    counts = [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]
    built = build(csv_of(counts, "2026-W01", "weekly"), frequency="weekly")
    assert (
        "the data are too coarse for natural process limits: the values move in steps of 1 "
        "and 15 of 19 moving ranges are 0" in built.page
    )
    assert "Record the values in finer units, or over a longer period than a week" in built.page
    assert "Signal:" not in built.page and "Signal in" not in built.page
    assert "Moving range above" not in built.xmr() and "Point beyond" not in built.xmr()
    [warning] = [p for p in built.problems if p.code == "PS335"]
    assert "steps of 1" in warning.message


def test_counts_that_vary_by_more_than_a_step_keep_their_limits(
    build: Callable[..., Built],
) -> None:
    rng = random.Random(11)
    counts = [rng.choice([2, 3, 4, 5, 6, 7]) for _ in range(30)]
    built = build(csv_of(counts))
    assert "Run chart" not in built.page and "PS335" not in built.codes()


# --- natural boundaries ---------------------------------------------------------------------------

SUNSPOTS = [3, 0, 7, 1, 5, 2, 9, 0, 4, 6, 1, 3, 8, 2, 0, 5, 3, 1, 6, 2, 4, 0, 7, 3]
"""Counts with a lower natural process limit below 0."""


def test_a_limit_below_an_undeclared_zero_is_a_warning(build: Callable[..., Built]) -> None:
    built = build(csv_of(SUNSPOTS))
    [warning] = [p for p in built.problems if p.code == "PS336"]
    assert warning.message.startswith("The lower natural process limit is -")
    assert "bounds: {lower: 0}" in warning.message
    quiet = build(csv_of(SUNSPOTS), limits="limits:\n  bounds: {}\n")
    assert "PS336" not in quiet.codes()


def test_a_declared_lower_bound_takes_the_place_of_the_limit(build: Callable[..., Built]) -> None:
    built = build(csv_of(SUNSPOTS), limits="limits:\n  bounds: {lower: 0}\n")
    assert built.codes() == []
    assert "is at or below 0, the lowest value the measure can take" in built.page
    assert "| 0 (boundary) to 15 |" in built.page
    assert "below the lower natural process limit" not in built.page
    assert "the lower boundary 0 takes the place of the lower limit" in built.xmr(
        "--lower-bound", "0"
    )


def test_a_declared_upper_bound_of_100_percent(build: Callable[..., Built]) -> None:
    shares = [96.5, 99.0, 97.5, 100.0, 98.0, 99.5, 97.0, 100.0, 98.5, 96.0] * 2
    built = build(csv_of(shares), unit="%", limits="limits:\n  bounds: {lower: 0, upper: 100}\n")
    assert "is at or above 100%, the highest value the measure can take" in built.page
    assert "above the upper natural process limit" not in built.page


def test_a_value_outside_the_bounds_is_an_error_at_its_line(build: Callable[..., Built]) -> None:
    built = build(csv_of([*SUNSPOTS, -1, 2, -3]), limits="limits:\n  bounds: {lower: 0}\n")
    [error] = [p for p in built.problems if p.code == "PS333"]
    assert (error.path, error.line, error.is_error) == ("data/m.csv", 26, True)
    assert error.message == (
        "Value -1 for 2026-01 is below the lower bound of 0 that measures/m.md declares "
        "(limits: bounds:): no value can be there. Correct the value, or the bound. "
        "1 other value is outside too."
    )


def test_reversed_bounds_are_an_error(build: Callable[..., Built]) -> None:
    built = build(csv_of(SUNSPOTS), limits="limits:\n  bounds: {lower: 100, upper: 0}\n")
    [error] = [p for p in built.problems if p.code == "PS121"]
    assert (error.path, error.line) == ("measures/m.md", 8)
    assert error.message.startswith("The bounds run backwards: lower 100 is not below upper 0.")
    assert "Run chart" not in built.page  # the bounds are left out; the limits stand


# --- pumpsite xmr reads CSVs as the site does -----------------------------------------------------


def xmr_json(text: str, *options: str) -> dict[str, object]:
    result = CliRunner().invoke(cli, ["xmr", "--json", *options, "-"], input=text)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert isinstance(document, dict)
    return document


def test_xmr_computes_no_moving_range_across_a_missing_week() -> None:
    rows = zip([1, 2, 3, 5, 6, 7], [5, 7, 6, 9, 4, 6], strict=True)
    weeks = "".join(f"2026-W{w:02d},{v}\n" for w, v in rows)
    points = xmr_json("period,value\n" + weeks)["points"]
    assert isinstance(points, list)
    assert [(p["period"], p["mr"]) for p in points] == [
        ("2026-W01", None),
        ("2026-W02", 2.0),
        ("2026-W03", 1.0),
        ("2026-W04", None),
        ("2026-W05", None),
        ("2026-W06", 5.0),
        ("2026-W07", 2.0),
    ]


def test_xmr_rejects_a_week_53_the_year_does_not_have() -> None:
    text = "period,value\n2019-W51,3\n2019-W52,4\n2019-W53,5\n"
    result = CliRunner().invoke(cli, ["xmr", "-"], input=text)
    assert result.exit_code == 1
    assert "<stdin>:4: error: Invalid period in column 'period'" in result.stdout
    assert "[PS322]" in result.stdout


def test_xmr_accepts_a_short_row_as_the_site_does() -> None:
    text = "period,value,note\n2026-01,3,\n2026-02,4\n2026-03,5,ok\n2026-04,4\n2026-05,6\n"
    points = xmr_json(text)["points"]
    assert isinstance(points, list) and [p["value"] for p in points] == [3, 4, 5, 4, 6]


def test_xmr_and_the_site_give_the_same_limits_on_a_gapped_seasonal_series(
    build: Callable[..., Built],
) -> None:
    rng = random.Random(4)
    values: list[float | None] = [
        round(50 + 8 * math.sin(i / 8) + rng.gauss(0, 2), 1) for i in range(34)
    ]
    for gap in (3, 4, 11, 20):
        values[gap] = None
    built = build(csv_of(values))
    document = xmr_json((built.root / "data" / "m.csv").read_text())
    phases = document["phases"]
    assert isinstance(phases, list)
    [phase] = phases
    found = inspect(built.root, today=REPORT, trial_render=False)
    limits = found.analyses["m"].xmr.phases[0].limits
    assert limits is not None
    assert (phase["center"], phase["unpl"], phase["lnpl"], phase["url"]) == (
        limits.center,
        limits.unpl,
        limits.lnpl,
        limits.url,
    )
    assert phase["baseline_points"] == 20 and phase["without_limits"] is None


def test_xmr_takes_the_frequency_of_dates_from_the_option() -> None:
    rows = zip(range(1, 8), [5, 7, 6, 8, 4, 6, 7], strict=True)
    months = "".join(f"2026-{m:02d}-28,{v}\n" for m, v in rows)
    daily = xmr_json("period,value\n" + months)
    assert daily["phases"][0]["without_limits"] == "few_ranges"  # type: ignore[index]
    monthly = xmr_json("period,value\n" + months, "--frequency", "monthly")
    assert monthly["phases"][0]["without_limits"] is None  # type: ignore[index]


def test_xmr_bounds_must_be_in_order() -> None:
    result = CliRunner().invoke(
        cli, ["xmr", "--lower-bound", "5", "--upper-bound", "1", "-"], input="1\n2\n"
    )
    assert result.exit_code == 2
    assert "the lower bound 5 must be below the upper 1" in result.output


def test_xmr_reports_a_value_outside_its_bounds() -> None:
    result = CliRunner().invoke(cli, ["xmr", "--lower-bound", "0", "-"], input="1\n-2\n3\n")
    assert result.exit_code == 1
    assert "Value -2 for 2 is below the lower bound of 0" in result.stdout
