"""Cross-check limits and Wheeler's three rules against statprocon on seeded random series.

statprocon works in Decimal and rounds the central lines and limits to 3 decimal places, so
limits are compared with a tolerance, and a rule is compared only on series where no value
lies within MARGIN of the line that rule tests (there the rounding could decide it).
Semantics compared (both: strict inequalities, a limit locked on the first k points):
- rule 1: points strictly beyond UNPL/LNPL; moving ranges strictly above the URL;
- rule 2: runs of 8 on one side of the central line (series with a value on the line are
  skipped: statprocon then marks the wrong points; ours skip the point on the line);
- rule 3: statprocon marks all four points of a qualifying window, we mark only the values
  beyond the halfway line, and a window holding values beyond both halfway lines can differ
  (statprocon nets them out), so such series are skipped.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

import pytest

from pumpsite.analysis.xmr import Analysis, Limits, Options, analyse
from pumpsite.vocabulary import Dispersion

statprocon = pytest.importorskip("statprocon")

SEEDS = range(200)
MARGIN = 0.01
TOLERANCE = 0.003  # 3-decimal rounding of the central lines, propagated through 2.66 / 3.865


@dataclass(frozen=True)
class Case:
    seed: int
    values: tuple[float, ...]
    baseline: int
    dispersion: Dispersion
    ours: Analysis
    theirs: object

    @property
    def limits(self) -> Limits:
        limits = self.ours.phases[0].limits
        assert limits is not None
        return limits

    def indices(self, rule: str) -> set[int]:
        return {i for s in self.ours.signals if s.rule == rule for i in s.points}

    def flagged(self, method: str) -> set[int]:
        return {i for i, hit in enumerate(getattr(self.theirs, method)()) if hit}

    def near(self, line: float, values: tuple[float | None, ...] | None = None) -> bool:
        data = self.values if values is None else values
        return any(v is not None and abs(v - line) < MARGIN for v in data)


def random_series(rng: random.Random) -> tuple[float, ...]:
    n = rng.randint(5, 40)
    level, values = rng.uniform(-100, 100), []
    for _ in range(n):
        if rng.random() < 0.08:
            level += rng.choice((-1, 1)) * rng.uniform(5, 20)  # sustained shift
        spike = rng.choice((-1, 1)) * rng.uniform(20, 50) if rng.random() < 0.05 else 0.0
        values.append(round(level + spike + rng.gauss(0, 5), 2))
    return tuple(values)


@cache
def case(seed: int) -> Case:
    rng = random.Random(seed)
    values = random_series(rng)
    baseline = rng.randint(5, len(values))
    dispersion: Dispersion = rng.choice(("average", "average", "median"))
    theirs = statprocon.XmR(values, moving_range_uses=dispersion, subset_end_index=baseline)
    ours = analyse(values, Options(baseline_size=baseline, dispersion=dispersion))
    return Case(seed, values, baseline, dispersion, ours, theirs)


def compare(check: str) -> tuple[list[int], list[int]]:
    """Seeds where `check` fails, and the seeds it compared."""
    failed, compared = [], []
    for seed in SEEDS:
        outcome = globals()[check](case(seed))
        if outcome is None:
            continue
        compared.append(seed)
        if not outcome:
            failed.append(seed)
    return failed, compared


def same_limits(c: Case) -> bool:
    theirs = c.theirs
    pairs = [
        (c.limits.center, theirs.x_central_line()[0]),  # type: ignore[attr-defined]
        (c.limits.average_mr, theirs.mr_central_line()[0]),  # type: ignore[attr-defined]
        (c.limits.unpl, theirs.upper_natural_process_limit()[0]),  # type: ignore[attr-defined]
        (c.limits.lnpl, theirs.lower_natural_process_limit()[0]),  # type: ignore[attr-defined]
        (c.limits.url, theirs.upper_range_limit()[0]),  # type: ignore[attr-defined]
    ]
    return all(abs(ours - float(value)) <= TOLERANCE for ours, value in pairs)


def same_moving_ranges(c: Case) -> bool:
    theirs = c.theirs.moving_ranges()  # type: ignore[attr-defined]
    return all(
        (a is None and b is None) or (a is not None and abs(a - float(b)) < 1e-9)
        for a, b in zip(c.ours.moving_ranges, theirs, strict=True)
    )


def same_rule_1_x(c: Case) -> bool | None:
    if c.near(c.limits.unpl) or c.near(c.limits.lnpl):
        return None
    return c.indices("beyond_limits") == c.flagged("rule_1_x_indices_beyond_limits")


def same_rule_1_mr(c: Case) -> bool | None:
    if c.near(c.limits.url, c.ours.moving_ranges):
        return None
    return c.indices("mr_beyond_url") == c.flagged("rule_1_mr_indices_beyond_limits")


def same_rule_2(c: Case) -> bool | None:
    if c.near(c.limits.center):
        return None
    return c.indices("long_run") == c.flagged("rule_2_runs_about_central_line")


def same_rule_3(c: Case) -> bool | None:
    upper, lower = c.limits.upper_halfway, c.limits.lower_halfway
    if c.near(upper) or c.near(lower):
        return None
    zone = [1 if v > upper else -1 if v < lower else 0 for v in c.values]
    if any({1, -1} <= set(zone[i : i + 4]) for i in range(len(zone) - 3)):
        return None
    theirs = c.flagged("rule_3_runs_near_limits")
    return c.indices("short_run") == {i for i in theirs if zone[i]}


@pytest.mark.parametrize(
    ("check", "rule", "at_least"),
    [
        ("same_limits", None, len(SEEDS)),
        ("same_moving_ranges", None, len(SEEDS)),
        ("same_rule_1_x", "beyond_limits", 180),
        ("same_rule_1_mr", "mr_beyond_url", 180),
        ("same_rule_2", "long_run", 180),
        ("same_rule_3", "short_run", 100),
    ],
)
def test_agrees_with_statprocon(check: str, rule: str | None, at_least: int) -> None:
    failed, compared = compare(check)
    assert failed == [], f"{check} disagrees with statprocon for seeds {failed}"
    assert len(compared) >= at_least
    if rule is not None:  # the compared series do exercise the rule
        assert sum(bool(case(seed).indices(rule)) for seed in compared) >= 20


def test_statprocon_verifying_software_example() -> None:
    """TV1 (MSoD p.382): statprocon's rounded limits and ours agree with the book."""
    tv1 = [5045, 4350, 4350, 3975, 4290, 4430, 4485, 4285, 3980, 3925, 3645, 3760, 3300]
    tv1 += [3685, 3463, 5200]
    chart = statprocon.XmR(tv1)
    limits = analyse(tv1).phases[0].limits
    assert limits is not None
    for theirs, ours in [
        (chart.upper_natural_process_limit()[0], limits.unpl),
        (chart.lower_natural_process_limit()[0], limits.lnpl),
        (chart.upper_range_limit()[0], limits.url),
    ]:
        assert float(theirs) == pytest.approx(ours, abs=TOLERANCE)
    assert (limits.unpl, limits.lnpl, limits.url) == pytest.approx(
        (5082.28, 3188.72, 1163.19), abs=0.01
    )
