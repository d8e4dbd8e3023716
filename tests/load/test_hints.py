"""The mistakes a new user is likely to make, each answered with what they meant, word for word."""

from __future__ import annotations

import pytest

from pumpsite.problems import Problem
from tests.load.test_repo import CSV, MEASURE, D, M, RepoOf, problems


def yearly(csv: str) -> dict[str, str]:
    return {M: MEASURE.replace("frequency: monthly", "frequency: yearly"), D: csv}


HINTS = [
    pytest.param(
        {M: MEASURE.replace("frequency: monthly", "frequency: annual")},
        Problem(
            M,
            4,
            "PS107",
            "'frequency' expects one of daily, weekly, monthly, quarterly, yearly, got 'annual'. "
            "Did you mean 'yearly'?",
        ),
        id="annual",
    ),
    pytest.param(
        {M: MEASURE.replace("better: down", "better: higher")},
        Problem(
            M,
            5,
            "PS107",
            "'better' expects one of up, down, neutral, got 'higher'. Did you mean 'up'?",
        ),
        id="higher",
    ),
    pytest.param(
        {M: MEASURE.replace("better: down", "unit: %\nbetter: down")},
        Problem(
            M,
            5,
            "PS102",
            "YAML syntax error: found character '%' that cannot start any token. Quote the value: "
            'write unit: "%".',
        ),
        id="percent",
    ),
    pytest.param(
        yearly("period,value\n1890.0,4.1\n"),
        Problem(
            D,
            2,
            "PS322",
            "Invalid period in column 'period': expected a yearly period like 2026 (or a date), "
            "got '1890.0'. Did you mean 1890? Spreadsheets and pandas write years as numbers like "
            "1890.0.",
        ),
        id="year-as-number",
    ),
    pytest.param(
        {D: CSV + "2026-03;3.8\n"},
        Problem(
            D,
            4,
            "PS320",
            "The row has 1 cell, expected 2 like the header (period, value). Its cells are "
            "separated by semicolons: separate them with commas, like the header.",
        ),
        id="semicolons",
    ),
    pytest.param(
        {
            M: MEASURE.replace("frequency: monthly", "frequency: weekly"),
            D: "period,value\n2019-W52,4.1\n2019-W53,3.9\n",
        },
        Problem(
            D,
            3,
            "PS322",
            "Invalid period in column 'period': expected a weekly period like 2026-W09 (or a "
            "date), got '2019-W53'. 2019 has 52 ISO weeks.",
        ),
        id="week-53",
    ),
]


@pytest.mark.parametrize(("files", "expected"), HINTS)
def test_a_likely_mistake_gets_what_was_meant(
    repo_of: RepoOf, files: dict[str, str], expected: Problem
) -> None:
    assert problems(repo_of, files) == [expected]


def test_a_year_with_53_weeks_takes_its_53rd(repo_of: RepoOf) -> None:
    weekly = MEASURE.replace("frequency: monthly", "frequency: weekly")
    assert problems(repo_of, {M: weekly, D: "period,value\n2020-W52,4.1\n2020-W53,3.9\n"}) == []
