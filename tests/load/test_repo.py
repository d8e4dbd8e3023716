"""load_repo: a whole repository in, the model and every problem out; never an exception."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pumpsite.load.glossary import BUILTIN_GLOSSARY
from pumpsite.load.repo import load_repo
from pumpsite.model import Observation, Tagged
from pumpsite.periods import Period
from pumpsite.problems import Problem, Severity, codes_of
from pumpsite.schema import SiteSettings
from tests.conftest import Files, make_repo
from tests.git_helpers import git, isolated_git

PROBLEM_CODES = codes_of("load")

__all__ = ["isolated_git"]

RepoOf = Callable[[Files], Path]

GOAL = "---\nkind: goal\ntitle: Customers stay with us\n---\nWhy this matters.\n"
MEASURE = "---\ntitle: Monthly churn\ngoal: customers-stay\nfrequency: monthly\nbetter: down\n---\n"
CSV = "period,value\n2026-01,4.1\n2026-02,3.9\n"
BASE: dict[str, str | bytes] = {
    "measures/customers-stay.md": GOAL,
    "measures/churn.md": MEASURE,
    "data/churn.csv": CSV,
}
M = "measures/churn.md"
D = "data/churn.csv"


def measure(extra: str) -> str:
    """The base measure with more frontmatter lines (they start at line 6)."""
    return MEASURE.removesuffix("---\n") + extra + "---\n"


def problems(repo_of: RepoOf, files: Mapping[str, str | bytes | None]) -> list[Problem]:
    """The problems of the base repository changed by `files` (None removes a file)."""
    merged = {rel: content for rel, content in {**BASE, **files}.items() if content is not None}
    return load_repo(repo_of(merged))[1]


def month(year: int, number: int) -> Period:
    return Period("monthly", year * 12 + number - 1)


# --- a valid repository ---------------------------------------------------------------------------

VALID: dict[str, str | bytes] = {
    "measures/customers/customers-stay.md": GOAL,
    "measures/customers/churn.md": (
        "---\n"
        "title: Monthly churn\n"
        "goal: customers-stay\n"
        "owner: Dana Ortiz\n"
        'unit: "%"\n'
        "frequency: monthly\n"
        "better: down\n"
        "definition:\n"
        "  formula: cancellations / customers\n"
        "roles:\n"
        "  - {from: 2026-Q1, role: sustain}\n"
        "  - {from: 2026-Q3, role: improve, target: 2.5, deadline: 2027-03-31, owner: Dana}\n"
        "limits:\n"
        "  baseline: {from: 2026-01, to: 2026-06}\n"
        "  phases:\n"
        "    - {from: 2026-05, reason: New pricing}\n"
        "events:\n"
        "  - {date: 2026-02-14, text: Outage, kind: incident}\n"
        "---\n"
        "\n"
        "Churn is *the* measure.\n"
    ),
    "data/churn.csv": "period,value,note\n2026-01,4.1,\n2026-02,,late\n2026-04,3.5,\n",
    "glossary.yml": "Churn: Customers who leave.\nKPI:\n",
    "mkdocs.yml": (
        "site_name: Measures\n"
        "markdown_extensions:\n"
        "  - pymdownx.emoji:\n"
        "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
        "extra:\n"
        "  pumpsite:\n"
        "    rules: pump\n"
        "    as_of: 2026-11-30\n"
    ),
    "site_templates/measure.md.j2": "{{ measure.title }}\n",
    "measures/.hidden.md": "not loaded",
    "README.md": "not a measure",
}


def test_valid_repository_loads_without_problems(repo_of: RepoOf) -> None:
    repo, found = load_repo(repo_of(VALID))
    assert found == []
    assert list(repo.goals) == ["customers-stay"]
    assert repo.goals["customers-stay"].body == "Why this matters.\n"
    churn = repo.measures["churn"]
    assert churn.path == "measures/customers/churn.md"
    assert churn.body == "\nChurn is *the* measure.\n"
    assert churn.meta.owner == "Dana Ortiz"
    assert [(r.start, r.role, r.target) for r in churn.meta.roles] == [
        (Period("quarterly", 2026 * 4), "sustain", None),
        (Period("quarterly", 2026 * 4 + 2), "improve", 2.5),
    ]
    assert churn.meta.roles[1].deadline == date(2027, 3, 31)
    assert churn.meta.events[0].date == month(2026, 2)
    assert churn.data_path == "data/churn.csv"
    assert churn.series is not None
    assert churn.series.observations == (
        Observation(month(2026, 1), 4.1, "", 2),
        Observation(month(2026, 2), None, "late", 3),
        Observation(month(2026, 4), 3.5, "", 4),
    )
    assert churn.series.values_by_period()[1] == [4.1, None, None, 3.5]
    assert churn.line("roles", 1, "target") == 12
    assert churn.line("limits", "phases", 0) == 16
    assert churn.lines[("title",)] == 2


def test_valid_repository_settings_glossary_and_templates(repo_of: RepoOf) -> None:
    repo, _ = load_repo(repo_of(VALID))
    assert repo.settings == SiteSettings(rules="pump", as_of=date(2026, 11, 30))
    extension = repo.site_config["markdown_extensions"]
    assert extension == [
        {
            "pymdownx.emoji": {
                "emoji_index": Tagged(
                    "tag:yaml.org,2002:python/name:material.extensions.emoji.twemoji", ""
                )
            }
        }
    ]
    assert repo.glossary["Churn"] == "Customers who leave."
    assert "KPI" in BUILTIN_GLOSSARY and "KPI" not in repo.glossary  # removed by an empty value
    assert len(repo.glossary) == len(BUILTIN_GLOSSARY)
    assert repo.templates == {"measure.md.j2": "{{ measure.title }}\n"}


def test_no_mkdocs_yml_and_no_glossary(repo_of: RepoOf) -> None:
    repo, found = load_repo(repo_of(BASE))
    assert found == []
    assert (repo.settings, repo.site_config, dict(repo.glossary)) == (
        SiteSettings(),
        {},
        BUILTIN_GLOSSARY,
    )


def test_crlf_and_bom(repo_of: RepoOf) -> None:
    text = "\ufeff" + measure("owner: Dana\n").replace("\n", "\r\n") + "Body\r\n"
    repo, found = load_repo(repo_of({**BASE, M: text}))
    assert found == []
    churn = repo.measures["churn"]
    assert (churn.meta.owner, churn.body, churn.lines[("owner",)]) == ("Dana", "Body\r\n", 6)


def test_a_measure_with_a_missing_data_folder_still_loads(repo_of: RepoOf) -> None:
    repo, found = load_repo(repo_of({"measures/customers-stay.md": GOAL, M: MEASURE}))
    assert [p.code for p in found] == ["PS302"]
    assert repo.measures["churn"].series is None


# --- one test per problem code --------------------------------------------------------------------


def p(path: str, line: int | None, code: str, message: str) -> Problem:
    return Problem(path, line, code, message)


CASES = [
    pytest.param(
        {M: b"---\ntitle: caf\xe9\n---\n"},
        [
            p(
                M,
                2,
                "PS100",
                "The file is not valid UTF-8: byte 0xe9 at column 11 cannot be read. "
                "Save the file as UTF-8.",
            )
        ],
        id="PS100",
    ),
    pytest.param(
        {M: "---\ntitle: x\n"},
        [
            p(
                M,
                1,
                "PS101",
                "The frontmatter is not closed: expected a line '---' after the last key.",
            )
        ],
        id="PS101",
    ),
    pytest.param(
        {M: measure("definition:\n\tformula: a\n")},
        [
            p(
                M,
                7,
                "PS102",
                "A tab is used for indentation: YAML allows only spaces. Indent with spaces.",
            )
        ],
        id="PS102",
    ),
    pytest.param(
        {M: measure("roles:\n  - {from: 2026-Q1, role: improve, trget: 10}\n")},
        [p(M, 7, "PS103", "Unknown key 'trget' in roles[0]. Did you mean 'target'?")],
        id="PS103",
    ),
    pytest.param(
        {M: MEASURE.replace("frequency: monthly\n", "")},
        [
            p(
                M,
                1,
                "PS104",
                "Missing required key 'frequency': "
                "expected one of daily, weekly, monthly, quarterly, yearly.",
            )
        ],
        id="PS104",
    ),
    pytest.param(
        {M: measure("roles:\n  - {from: 2026-Q1, role: improve, target: ten}\n")},
        [
            p(
                M,
                7,
                "PS105",
                "'target' in roles[0] expects a number: the level to reach, got text 'ten'.",
            )
        ],
        id="PS105",
    ),
    pytest.param(
        {M: measure("owner: no\n")},
        [
            p(
                M,
                6,
                "PS106",
                "'owner' expects text, got false: YAML reads an unquoted no as false. "
                'Write owner: "no".',
            )
        ],
        id="PS106",
    ),
    pytest.param(
        {M: MEASURE.replace("down", "higher")},
        [
            p(
                M,
                5,
                "PS107",
                "'better' expects one of up, down, neutral, got 'higher'. Did you mean 'up'?",
            )
        ],
        id="PS107",
    ),
    pytest.param(
        {M: measure("events:\n  - {date: 2026-W09, text: Outage}\n")},
        [
            p(
                M,
                7,
                "PS108",
                "'date' in events[0] expects a monthly period like 2026-03 (or a date), "
                "got '2026-W09'.",
            )
        ],
        id="PS108",
    ),
    pytest.param(
        {M: measure("owner: a\nowner: b\n")},
        [p(M, 7, "PS109", "Duplicate key 'owner': it is also on line 6. Keep one.")],
        id="PS109",
    ),
    pytest.param(
        {"measures/Customer Churn!.md": GOAL},
        [
            p(
                "measures/Customer Churn!.md",
                None,
                "PS110",
                "Invalid id 'Customer Churn!': the file name becomes a URL, so expected letters, "
                "digits, '-' and '_', starting with a letter or digit. "
                "Rename it to customer-churn.md.",
            )
        ],
        id="PS110",
    ),
    pytest.param(
        {"measures/other/churn.md": GOAL},
        [
            p(
                M,
                None,
                "PS111",
                "Duplicate id 'churn': measures/other/churn.md has the same file name, and ids "
                "must be unique across measures/ (folders do not count). Rename one of them.",
            ),
            p(
                "measures/other/churn.md",
                None,
                "PS111",
                "Duplicate id 'churn': measures/churn.md has the same file name, and ids "
                "must be unique across measures/ (folders do not count). Rename one of them.",
            ),
        ],
        id="PS111",
    ),
    pytest.param(
        {"measures/team/README.md": GOAL, "measures/Index.md": MEASURE},
        [
            p(
                path,
                None,
                "PS119",
                f"Id '{name}' is reserved: index and README (in any letter case) name a folder's "
                "main page, which the site makes itself, so this goal or measure would replace it "
                "or be dropped. Rename the file; a note for people belongs in the README.md at "
                "the top of the repository.",
            )
            for path, name in [
                ("measures/Index.md", "Index"),
                ("measures/team/README.md", "README"),
            ]
        ],
        id="PS119",
    ),
    pytest.param(
        {M: MEASURE.replace("better: down", "better: down?")},
        [
            Problem(
                M,
                5,
                "PS122",
                "'better: down?' is a guess to confirm: which direction is good for this "
                "measure? A wrong one inverts every colour. Write better: up, better: down or "
                "better: neutral; until then it reads as down.",
            )
        ],
        id="PS122",
    ),
    pytest.param(
        {M: "---\nkind: gaol\ntitle: x\n---\n"},
        [
            p(
                M,
                2,
                "PS112",
                "Unknown kind 'gaol': expected goal, action or measure (the default). "
                "Did you mean 'goal'?",
            )
        ],
        id="PS112",
    ),
    pytest.param(
        {M: measure("owner: &o Dana\ndefinition: {custodian: *o}\n")},
        [
            p(
                M,
                7,
                "PS113",
                "YAML aliases (*name) are not supported here: write the value out in full.",
            )
        ],
        id="PS113",
    ),
    pytest.param(
        {M: measure("owner: !!binary RGFuYQ==\n")},
        [p(M, 6, "PS114", "The YAML tag !!binary at owner is not supported: remove it.")],
        id="PS114",
    ),
    pytest.param(
        {M: measure("limits: {baseline: 3}\n")},
        [
            p(
                M,
                6,
                "PS115",
                "'baseline' in limits expects the number of first points the limits are "
                "computed from (default 20), or {from, to} periods, got the number 3: "
                "it must be at least 5.",
            )
        ],
        id="PS115",
    ),
    pytest.param(
        {"measures/customers-stay.md": None, M: None, "measures": b""},  # a file, not a folder
        [
            p(
                "measures",
                None,
                "PS116",
                "There is no measures/ folder: expected goal and measure files in measures/. "
                "Run pumpsite init, or create the folder.",
            )
        ],
        id="PS116",
    ),
    pytest.param(
        {M: measure("data: data\n")},
        [p("data", None, "PS117", "The file cannot be read: Is a directory.")],
        id="PS117",
    ),
    pytest.param(
        {M: measure("data: ../x.csv\n")},
        [
            p(
                M,
                6,
                "PS301",
                "Data path '../x.csv' points outside the repository: expected a path inside "
                "the repository, like data/churn.csv.",
            )
        ],
        id="PS301",
    ),
    pytest.param(
        {M: measure("data: data/chrun.csv\n")},
        [
            p(
                M,
                6,
                "PS302",
                "Data file 'data/chrun.csv' does not exist. Did you mean 'data/churn.csv'?",
            )
        ],
        id="PS302",
    ),
    pytest.param(
        {D: ""},
        [
            p(
                D,
                1,
                "PS303",
                "The file is empty: expected a header row like period,value "
                "and one row per period.",
            )
        ],
        id="PS303",
    ),
    pytest.param(
        {M: measure("column: count\n")},
        [
            p(
                D,
                1,
                "PS304",
                "Column 'count' is not in the header: the columns are period, value. "
                "Add it, or set column: in the measure to the column that holds the values.",
            )
        ],
        id="PS304",
    ),
    pytest.param(
        {D: CSV + "2026-03,n/a\n"},
        [
            p(
                D,
                4,
                "PS305",
                "Value 'n/a' in column 'value' is not a number: expected a number like 12.5, "
                "or an empty cell for a missing value.",
            )
        ],
        id="PS305",
    ),
    pytest.param(
        {D: CSV + '2026-03,"3,7"\n'},
        [
            p(
                D,
                4,
                "PS306",
                "Value '3,7' in column 'value' uses a decimal comma: expected a decimal point. "
                "Did you mean 3.7?",
            )
        ],
        id="PS306",
    ),
    pytest.param(
        {D: CSV + "2026-03,1 234\n"},
        [
            p(
                D,
                4,
                "PS307",
                "Value '1 234' in column 'value' uses a thousands separator: expected digits "
                "only. Did you mean 1234?",
            )
        ],
        id="PS307",
    ),
    pytest.param(
        {D: CSV + "2026-03,NaN\n"},
        [
            p(
                D,
                4,
                "PS308",
                "Value 'NaN' in column 'value' is not a finite number: "
                "leave the cell empty for a missing value.",
            )
        ],
        id="PS308",
    ),
    pytest.param(
        {D: CSV + "2026-03,2e15\n"},
        [
            p(
                D,
                4,
                "PS329",
                "Value '2e15' in column 'value' is too large: expected a number between -10^15 "
                "and 10^15. Write the values in a larger unit (thousands, millions) and say so "
                "in unit:.",
            )
        ],
        id="PS329",
    ),
    pytest.param(
        {D: CSV + "2206-03,4\n"},
        [
            p(
                D,
                4,
                "PS330",
                "Period 2206-03 comes 180 years after 2026-02 (line 3): expected periods close "
                "together. Is one of the years mistyped?",
            )
        ],
        id="PS330",
    ),
    pytest.param(
        {D: "period,value\n2026-01,1e-400\n"},
        [
            p(
                D,
                2,
                "PS331",
                "Value '1e-400' in column 'value' is too close to zero to store as written (a "
                "computer rounds it toward 0): expected 0, or a number at least 10^-307 away "
                "from 0. Write the values in a smaller unit (thousandths, millionths) and say so "
                "in unit:.",
            )
        ],
        id="PS331",
    ),
    pytest.param(
        {D: "period;value\n2026-01;4,1\n"},
        [
            p(
                D,
                1,
                "PS309",
                "The file is separated by semicolons: expected commas, like period,value. "
                "Export it as CSV with commas (in Excel: CSV UTF-8 (Comma delimited)).",
            )
        ],
        id="PS309",
    ),
    pytest.param(
        {D: CSV + "2026-03,3,7\n"},
        [
            p(
                D,
                4,
                "PS320",
                "The row has 3 cells, expected 2 like the header (period, value). "
                "Write numbers without commas (12.5, not 12,5) and quote text that contains one.",
            )
        ],
        id="PS320",
    ),
    pytest.param(
        {D: CSV + '2026-03,"3\n2026-04,4\n'},
        [
            p(
                D,
                4,
                "PS321",
                'A quote (") on this line is not closed until line 5: expected one row per '
                "line. Remove the stray quote.",
            )
        ],
        id="PS321",
    ),
    pytest.param(
        {D: CSV + "March 2026,3\n"},
        [
            p(
                D,
                4,
                "PS322",
                "Invalid period in column 'period': expected a monthly period like 2026-03 "
                "(or a date), got 'March 2026'.",
            )
        ],
        id="PS322",
    ),
    pytest.param(
        {D: CSV + "2026-Q1,3\n"},
        [
            p(
                D,
                4,
                "PS323",
                "Period '2026-Q1' is quarterly, but the measure is monthly: expected a monthly "
                "period like 2026-03 (or a date), got '2026-Q1'.",
            )
        ],
        id="PS323",
    ),
    pytest.param(
        {D: CSV + "2026-02-28,3\n"},
        [
            p(
                D,
                4,
                "PS324",
                "Period 2026-02 appears twice, on lines 3 and 4: expected one row per period. "
                "Remove or merge one.",
            )
        ],
        id="PS324",
    ),
    pytest.param(
        {D: "period,value\n2026-02,3.9\n2026-01,4.1\n"},
        [
            p(
                D,
                3,
                "PS325",
                "Period 2026-01 comes after 2026-02 (line 2): periods must be in ascending "
                "order. Sort the rows by period.",
            )
        ],
        id="PS325",
    ),
    pytest.param(
        {D: "period,value,note,Note\n2026-01,4.1,,\n"},
        [
            p(
                D,
                1,
                "PS326",
                "Column 'Note' appears twice in the header (columns 3 and 4): expected unique "
                "names. Rename or remove one.",
            )
        ],
        id="PS326",
    ),
    pytest.param(
        {D: "2026-01,4.1\n2026-02,3.9\n"},
        [
            p(
                D,
                1,
                "PS327",
                "The first row looks like data, not a header: expected column names like "
                "period,value, got 2026-01,4.1. Add a header row.",
            )
        ],
        id="PS327",
    ),
    pytest.param(
        {"glossary.yml": "- KPI\n"},
        [
            p(
                "glossary.yml",
                1,
                "PS501",
                "The glossary is a list, not a mapping: expected one 'term: definition' per line.",
            )
        ],
        id="PS501",
    ),
    pytest.param(
        {"glossary.yml": "Churn: Leaving.\nXmR:\n  - a chart\n"},
        [p("glossary.yml", 2, "PS502", "'XmR' expects a definition (text), got a list.")],
        id="PS502",
    ),
    pytest.param(
        {"mkdocs.yml": "site_name: x\nextra:\n  pumpsite:\n    glossary: terms.yml\n"},
        [
            p(
                "mkdocs.yml",
                4,
                "PS503",
                "Glossary file 'terms.yml' does not exist: expected a YAML file of "
                "'term: definition' lines. Create it, or fix glossary: in extra: pumpsite:.",
            )
        ],
        id="PS503",
    ),
    pytest.param(
        {"mkdocs.yml": "extra:\n  pumpsite:\n    glossary: ../glossary.yml\n"},
        [
            p(
                "mkdocs.yml",
                3,
                "PS504",
                "The glossary path '../glossary.yml' points outside the repository: "
                "expected a path inside the repository, like glossary.yml.",
            )
        ],
        id="PS504",
    ),
    pytest.param(
        {"mkdocs.yml": "site_name: x\nextra:\n  pumpsite: wheeler\n"},
        [
            p(
                "mkdocs.yml",
                3,
                "PS505",
                "'pumpsite' in mkdocs.yml expects a mapping of settings, got text 'wheeler'.",
            )
        ],
        id="PS505",
    ),
    pytest.param(
        {"glossary.yml": "Churn: " + "Customers who leave. " * 48 + "\n"},
        [
            p(
                "glossary.yml",
                1,
                "PS506",
                "The definition of 'Churn' is 1,007 characters long: expected at most 1,000, a "
                "few sentences, as it shows as a tooltip wherever the term appears. Shorten it.",
            )
        ],
        id="PS506",
    ),
    pytest.param(
        {"glossary.yml": "Churn: Leaving.\n" + "word " * 25 + ": Too long a term.\n"},
        [
            p(
                "glossary.yml",
                2,
                "PS507",
                "The term 'word word word word word word word word…' is 124 characters long: "
                "expected at most 100, a word or a short phrase. Shorten it.",
            )
        ],
        id="PS507",
    ),
    pytest.param(
        {"glossary.yml": "".join(f"Term {n}: Definition {n}.\n" for n in range(1, 503))},
        [
            p(
                "glossary.yml",
                501,
                "PS508",
                "The glossary has 502 terms: expected at most 500. Each page carries the "
                "definitions of the terms it mentions: keep the terms your readers need "
                "explained.",
            )
        ],
        id="PS508",
    ),
]


@pytest.mark.parametrize(("files", "expected"), CASES)
def test_problem_code(
    repo_of: RepoOf, files: Mapping[str, str | bytes | None], expected: list[Problem]
) -> None:
    assert problems(repo_of, files) == expected


def test_every_code_is_tested_and_described() -> None:
    tested = {case.id for case in CASES} | {"PS118", "PS328", "PS332"}  # below / test_csvdata
    assert tested == set(PROBLEM_CODES)
    assert all(code.meaning.endswith(".") for code in PROBLEM_CODES.values())
    assert list(PROBLEM_CODES) == sorted(PROBLEM_CODES)


# --- more cases -----------------------------------------------------------------------------------


def test_several_problems_in_one_run(repo_of: RepoOf) -> None:
    found = problems(
        repo_of,
        {
            M: measure("owner: no\ntrget: 3\n"),
            D: CSV + "2026-03,x\n2026-02,4\n",
            "measures/bad.md": "no frontmatter",
            "measures/customers-stay.md": GOAL.replace("title", "titel"),
            "glossary.yml": "a: [1]\n",
            "mkdocs.yml": "extra:\n  pumpsite:\n    rules: wheeler\n    rules: pump\n",
        },
    )
    assert [(f.path, f.line, f.code) for f in found] == [
        ("data/churn.csv", 4, "PS305"),
        ("data/churn.csv", 5, "PS324"),
        ("glossary.yml", 1, "PS502"),
        ("measures/bad.md", 1, "PS101"),
        ("measures/churn.md", 6, "PS106"),
        ("measures/churn.md", 7, "PS103"),
        ("measures/customers-stay.md", 3, "PS103"),  # titel: not also "title is missing"
        ("mkdocs.yml", 4, "PS109"),
    ]


def test_data_is_checked_even_when_the_frontmatter_is_invalid(repo_of: RepoOf) -> None:
    repo, found = load_repo(repo_of({**BASE, M: measure("zzz: 1\n"), D: "period,value\nx,1\n"}))
    assert [(f.path, f.code) for f in found] == [(D, "PS322"), (M, "PS103")]
    assert "churn" not in repo.measures


def test_absolute_data_path(repo_of: RepoOf) -> None:
    assert problems(repo_of, {M: measure("data: /etc/passwd\n")}) == [
        p(
            M,
            6,
            "PS301",
            "Data path '/etc/passwd' is absolute: expected a path inside the repository, "
            "like data/churn.csv.",
        )
    ]


def test_windows_data_path(repo_of: RepoOf) -> None:
    [found] = problems(repo_of, {M: measure("data: 'C:\\data\\churn.csv'\n")})
    assert (found.code, found.line) == ("PS301", 6)


def test_data_path_inside_after_normalising(repo_of: RepoOf) -> None:
    repo, found = load_repo(repo_of({**BASE, M: measure("data: ./data/../data/churn.csv\n")}))
    assert found == [] and repo.measures["churn"].data_path == "data/churn.csv"


# --- only what a pull request may give: no links, no hidden files, no files git ignores ----------

SECRET = "API_KEY=sk_live_0123456789\n"


def link(path: str, kind: str = "file") -> Problem:
    return p(
        path,
        None,
        "PS118",
        f"The {kind} is a symbolic link: expected a regular {kind}. pumpsite follows no links, so "
        "that no change can bring a file from elsewhere on the computer into the site. Replace "
        f"the link with the {kind} itself.",
    )


@pytest.mark.parametrize("target", ["outside", "inside", "itself"])
def test_a_linked_data_file_is_refused_wherever_it_points(
    repo_of: RepoOf, tmp_path: Path, target: str
) -> None:
    root = repo_of({**BASE, ".git/config": "[http]\n\textraheader = AUTHORIZATION: basic x\n"})
    (tmp_path / "secret.csv").write_text(CSV)
    (root / D).unlink()
    points_to = {"outside": tmp_path / "secret.csv", "inside": Path("../.git/config")}
    (root / D).symlink_to(points_to.get(target, Path("churn.csv")))
    repo, found = load_repo(root)
    assert found == [link(D)]
    assert repo.measures["churn"].series is None


def test_links_in_measures_are_reported_and_never_followed(repo_of: RepoOf, tmp_path: Path) -> None:
    elsewhere = make_repo(tmp_path / "elsewhere", {"x.md": GOAL, "team/y.md": GOAL})
    root = repo_of(BASE)
    (root / "measures" / "x.md").symlink_to(elsewhere / "x.md")
    (root / "measures" / "team").symlink_to(elsewhere / "team", target_is_directory=True)
    (root / "measures" / "loop.md").symlink_to("loop.md")
    (root / "measures" / ".hidden").symlink_to("/")
    repo, found = load_repo(root)
    assert found == [
        link("measures/loop.md"),
        link("measures/team", "folder"),
        link("measures/x.md"),
    ]
    assert sorted([*repo.goals, *repo.measures]) == ["churn", "customers-stay"]


@pytest.mark.parametrize("folder", ["measures", "data", "site_templates"])
def test_a_linked_top_folder_is_refused_and_not_walked(repo_of: RepoOf, folder: str) -> None:
    files = {**BASE, "measures/other.md": MEASURE, "data/other.csv": CSV}
    root = repo_of({rel: text for rel, text in files.items() if not rel.startswith(f"{folder}/")})
    (root / folder).symlink_to("/")  # walking it would take minutes
    assert load_repo(root)[1] == [link(folder, "folder")]  # once, though two measures use data/


def test_linked_glossary_mkdocs_yml_and_templates(repo_of: RepoOf) -> None:
    root = repo_of({**BASE, ".git/config": "[remote]\n\turl = https://x:token@example.org\n"})
    (root / "site_templates").mkdir()
    for rel in ("site_templates/pumpsite.css", "glossary.yml", "mkdocs.yml"):
        (root / rel).symlink_to(os.path.relpath(root / ".git/config", (root / rel).parent))
    repo, found = load_repo(root)
    assert found == [link("glossary.yml"), link("mkdocs.yml"), link("site_templates/pumpsite.css")]
    assert repo.templates == {} and repo.glossary == BUILTIN_GLOSSARY


HIDDEN = (
    "expected a file like data/churn.csv. pumpsite reads no hidden files or folders (their names "
    "start with a dot): they hold settings and secrets, like .env and .git/."
)


@pytest.mark.parametrize(
    ("ref", "what"),
    [
        (".env", "is a hidden file"),
        (".git/config", "is in a hidden folder, .git"),
        ("data/../.git/config", "is in a hidden folder, .git"),
        ("data/.private/churn.csv", "is in a hidden folder, .private"),
    ],
)
def test_hidden_data_paths_are_refused_without_quoting_them(
    repo_of: RepoOf, ref: str, what: str
) -> None:
    found = problems(repo_of, {M: measure(f"data: {ref}\n"), ".env": SECRET, ".git/config": SECRET})
    assert found == [p(M, 6, "PS301", f"Data path '{ref}' {what}: {HIDDEN}")]


def test_a_hidden_glossary_is_refused(repo_of: RepoOf) -> None:
    mkdocs = "site_name: x\nextra:\n  pumpsite:\n    glossary: .env\n"
    assert problems(repo_of, {"mkdocs.yml": mkdocs, ".env": SECRET}) == [
        p(
            "mkdocs.yml",
            4,
            "PS504",
            "The glossary path '.env' is a hidden file: expected a file like glossary.yml. "
            "pumpsite reads no hidden files or folders (their names start with a dot): they hold "
            "settings and secrets, like .env and .git/.",
        )
    ]


IGNORED = (
    "expected a file git does not ignore. pumpsite reads no ignored files, so that a build "
    "publishes nothing kept out of the repository: take it out of .gitignore, or move the file."
)


@pytest.mark.usefixtures("isolated_git")
def test_files_git_ignores_are_refused(repo_of: RepoOf) -> None:
    files = {
        **BASE,
        M: measure("data: data/private.csv\n"),
        "measures/other.md": measure("data: exports/other.csv\n"),
        "measures/forced.md": measure("data: data/forced.csv\n"),
        "data/private.csv": "period,value,note\n2026-01,1,API_KEY=sk_live_0123456789\n",
        "data/forced.csv": CSV,
        "exports/other.csv": CSV,
        "exports/terms.yml": "Churn: Leaving.\n",
        "mkdocs.yml": "site_name: x\nextra:\n  pumpsite:\n    glossary: exports/terms.yml\n",
        ".gitignore": "private.csv\nforced.csv\n/exports/\n",
    }
    root = repo_of(files)
    assert load_repo(root)[1] == []  # not in git: nothing is ignored
    git(root, "init", "-q")
    git(root, "add", "-f", "data/forced.csv")  # tracked: a commit holds it, whatever the rules
    assert load_repo(root)[1] == [
        p(
            "measures/churn.md",
            6,
            "PS301",
            f"Data path 'data/private.csv' is ignored by git: {IGNORED}",
        ),
        p(
            "measures/other.md",
            6,
            "PS301",
            f"Data path 'exports/other.csv' is ignored by git (it is in exports/): {IGNORED}",
        ),
        p(
            "mkdocs.yml",
            4,
            "PS504",
            "The glossary path 'exports/terms.yml' is ignored by git (it is in exports/): "
            + IGNORED,
        ),
    ]


@pytest.mark.usefixtures("isolated_git")
def test_ignored_files_of_a_repository_in_a_subfolder_of_git(tmp_path: Path) -> None:
    top = make_repo(tmp_path / "top", {".gitignore": "/measures-repo/data/\n"})
    root = make_repo(top / "measures-repo", BASE)
    git(top, "init", "-q")
    assert load_repo(root)[1] == [
        p(
            M,
            1,
            "PS301",
            f"Data path 'data/churn.csv' is ignored by git (it is in data/): {IGNORED}",
        )
    ]


def test_duplicate_ids_ignore_case_and_the_first_is_kept(repo_of: RepoOf) -> None:
    repo, found = load_repo(repo_of({**BASE, "measures/z/Churn.md": GOAL}))
    assert [(f.path, f.code) for f in found] == [
        ("measures/churn.md", "PS111"),
        ("measures/z/Churn.md", "PS111"),
    ]
    assert list(repo.measures) == ["churn"] and list(repo.goals) == ["customers-stay"]


def test_many_files_with_one_name_list_a_few_of_the_others(repo_of: RepoOf) -> None:
    found = problems(repo_of, {f"measures/team{n:03}/x.md": GOAL for n in range(300)})
    assert len(found) == 300 and all(f.code == "PS111" for f in found)
    assert found[0] == p(
        "measures/team000/x.md",
        None,
        "PS111",
        "Duplicate id 'x': measures/team001/x.md, measures/team002/x.md, measures/team003/x.md "
        "and 296 more have the same file name, and ids must be unique across measures/ (folders "
        "do not count). Rename all but one.",
    )
    assert max(len(f.message) for f in found) < 250  # not 300 paths in each of 300 messages


def test_numbers_yaml_cannot_store_as_written(repo_of: RepoOf) -> None:
    roles = (
        "roles:\n"
        "  - {from: 2026-Q1, role: improve, target: 1e-400, deadline: 2026-03-31, owner: D}\n"
        "  - {from: 2026-Q2, role: improve, target: 1.0e400, deadline: 2026-06-30, owner: D}\n"
        f"  - {{from: 2026-Q3, role: improve, target: 1{'0' * 400}, deadline: 2026-09-30}}\n"
    )
    too_large = (
        "is too large to store: expected a number between -10^15 and 10^15. Write it in a "
        "larger unit (thousands, millions)."
    )
    assert problems(repo_of, {M: measure(roles)}) == [
        p(
            M,
            7,
            "PS115",
            "The number 1e-400 at roles[0].target is too close to zero to store as written (a "
            "computer rounds it toward 0): expected 0, or a number at least 10^-307 away from 0. "
            "Write it in a smaller unit (thousandths, millionths).",
        ),
        p(M, 8, "PS115", f"The number 1.0e400 at roles[1].target {too_large}"),
        p(
            M,
            9,
            "PS115",
            f"The number 1{'0' * 38}… at roles[2].target {too_large}",
        ),
    ]


def test_digits_other_than_0_to_9_in_frontmatter(repo_of: RepoOf) -> None:
    assert problems(repo_of, {M: measure("limits:\n  run_length: ８\n")}) == [
        p(
            M,
            7,
            "PS105",
            "'run_length' in limits expects a whole number of points for a long run (usually 7 "
            "or 8), got text '８'. It contains '８' (FULLWIDTH DIGIT EIGHT), which is not one of "
            "the digits 0-9. Did you mean 8?",
        )
    ]


@pytest.mark.slow
def test_long_values_are_quoted_briefly(repo_of: RepoOf) -> None:
    long = "x" * 100_000
    found = problems(
        repo_of,
        {
            M: measure(f"data: data/wide.csv\nowner: [{long}]\n"),
            "data/wide.csv": f"2026-01,{long}\n",
            "measures/other.md": measure(f"data: data/{long}.csv\n"),  # too long a name, too
            "glossary.yml": f"? {long}\n: [a list]\n",  # a key longer than 1,024 characters
            "measures/more.md": measure(
                f"roles: [{{from: '{long}', role: sustain}}]\n"
                f"unit: !!{long} x\n? {long}\n: 1\n? {long}\n: 2\n"
            ),
        },
    )
    codes = {"PS327", "PS105", "PS302", "PS502", "PS108", "PS114", "PS103", "PS109"}
    assert {f.code for f in found} == codes
    assert all(len(f.message) < 300 for f in found), [len(f.message) for f in found]


def test_invalid_id_without_a_usable_slug(repo_of: RepoOf) -> None:
    [found] = problems(repo_of, {"measures/---.md": GOAL})
    assert found.message.endswith("Rename it to a name like on-time-delivery.md.")


def test_unknown_kind_that_is_not_text(repo_of: RepoOf) -> None:
    assert problems(repo_of, {M: "---\nkind: [goal]\n---\n"}) == [
        p(M, 2, "PS112", "Unknown kind a list: expected goal, action or measure (the default).")
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("---\n---\n", "The frontmatter is empty: expected keys like 'title: ...', one per line."),
        (
            "---\nJust a sentence.\n---\n",
            "The frontmatter is text 'Just a sentence.', not a mapping: "
            "expected keys like 'title: ...', one per line.",
        ),
    ],
)
def test_frontmatter_that_is_not_a_mapping(repo_of: RepoOf, text: str, message: str) -> None:
    assert problems(repo_of, {M: text}) == [p(M, 1, "PS101", message)]


def test_nul_bytes_in_a_measure_file(repo_of: RepoOf) -> None:
    [found] = problems(repo_of, {M: b"\x89PNG\r\n\x1a\n\x00\x00"})
    assert (found.line, found.code) == (3, "PS100")


def test_goal_file_keys_are_checked_against_the_goal_schema(repo_of: RepoOf) -> None:
    assert problems(
        repo_of,
        {"measures/customers-stay.md": GOAL.replace("---\nW", "frequency: monthly\n---\nW")},
    ) == [
        p(
            "measures/customers-stay.md",
            4,
            "PS103",
            "Unknown key 'frequency'. Allowed keys: kind, title, parent, owner.",
        )
    ]


def test_mkdocs_yml_problems(repo_of: RepoOf) -> None:
    found = problems(
        repo_of,
        {
            "mkdocs.yml": (
                "extra:\n  pumpsite:\n    rulez: pump\n    run_length: 4\n    as_of: 2026-13-01\n"
            )
        },
    )
    assert found == [
        p("mkdocs.yml", 3, "PS103", "Unknown key 'rulez' in extra.pumpsite. Did you mean 'rules'?"),
        p(
            "mkdocs.yml",
            4,
            "PS115",
            "'run_length' in extra.pumpsite expects a whole number of points for a long run "
            "(usually 7 or 8), got the number 4: it must be at least 5.",
        ),
        p(
            "mkdocs.yml",
            5,
            "PS108",
            "'as_of' in extra.pumpsite expects a date like 2026-12-31, got '2026-13-01'.",
        ),
    ]


def test_mkdocs_yml_syntax_error_keeps_defaults(repo_of: RepoOf) -> None:
    repo, found = load_repo(repo_of({**BASE, "mkdocs.yml": "site_name: [x\n"}))
    assert [(f.path, f.line, f.code) for f in found] == [("mkdocs.yml", 1, "PS102")]
    assert (repo.site_config, repo.settings) == ({}, SiteSettings())


def test_mkdocs_yml_that_is_not_a_mapping(repo_of: RepoOf) -> None:
    assert problems(repo_of, {"mkdocs.yml": "just text\n"}) == [
        p(
            "mkdocs.yml",
            1,
            "PS505",
            "mkdocs.yml is text 'just text', not a mapping: "
            "expected settings like site_name: Our measures.",
        )
    ]


def test_glossary_traps_and_duplicates(repo_of: RepoOf) -> None:
    found = problems(repo_of, {"glossary.yml": "NO: Norway\nCSP: yes\nCSP: Customer success\n"})
    assert found == [
        p(
            "glossary.yml",
            2,
            "PS106",
            "'CSP' expects text, got true: YAML reads an unquoted yes as true. Write CSP: \"yes\".",
        ),
        p("glossary.yml", 3, "PS109", "Duplicate key 'CSP': it is also on line 2. Keep one."),
    ]


def test_glossary_in_a_configured_place(repo_of: RepoOf) -> None:
    files = {
        "mkdocs.yml": "extra:\n  pumpsite:\n    glossary: docs/terms.yml\n",
        "docs/terms.yml": "NO: Norway\n",
    }
    repo, found = load_repo(repo_of({**BASE, **files}))
    assert found == [] and repo.glossary["NO"] == "Norway"


def test_templates_that_are_not_text(repo_of: RepoOf) -> None:
    repo, found = load_repo(repo_of({**BASE, "site_templates/logo.j2": b"\xff\xd8\xff"}))
    assert [(f.path, f.code) for f in found] == [("site_templates/logo.j2", "PS100")]
    assert repo.templates == {}


def test_problems_are_errors_sorted_by_file_and_line(repo_of: RepoOf) -> None:
    found = problems(repo_of, {M: measure("zzz: 1\nowner: no\n"), D: "x\n"})
    assert found == sorted(found, key=lambda f: (f.path, f.line or 0))
    assert {f.severity for f in found} == {Severity.ERROR}


# --- never raises ---------------------------------------------------------------------------------

FRONTMATTER_PIECES = st.sampled_from(
    [
        "---\n",
        "title: x\n",
        "goal: g\n",
        "frequency: monthly\n",
        "better: up\n",
        "roles:\n",
        "  - {from: 2026-Q1, role: improve}\n",
        "  - from: 0000-Q1\n",
        "limits:\n  baseline: {from: 0000, to: 9999-12}\n",
        "data: ../x\n",
        "data: data\n",
        "&a [*a]\n",
        "? [a]\n: b\n",
        "\t",
        ": ",
        "'",
        '"',
        "[",
        "{",
        "!!python/object:os.system\n",
        "kind: goal\n",
        "column: period\n",
        "events: [{date: 2026-02-30, text: x}]\n",
        "\r",
        "\x85",
        "\ufeff",
    ]
)
CSV_PIECES = st.sampled_from(
    [
        "period,value\n",
        "2026-01,1\n",
        "0000-01,1\n",
        "9999-12,1\n",
        '"',
        ",",
        ";",
        "\r\n",
        "\n",
        "nan",
        "1,234",
        "2026-W53,",
        "\x00",
        "\ufeff",
    ]
)


def _text(pieces: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.lists(st.one_of(pieces, st.text(max_size=5)), max_size=25).map("".join)


def _contents(pieces: st.SearchStrategy[str]) -> st.SearchStrategy[str | bytes]:
    return st.one_of(_text(pieces), st.binary(max_size=200))


@pytest.mark.slow
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(measure_file=_contents(FRONTMATTER_PIECES), csv_file=_contents(CSV_PIECES))
def test_load_repo_never_raises(
    tmp_path_factory: pytest.TempPathFactory, measure_file: str | bytes, csv_file: str | bytes
) -> None:
    root = make_repo(
        tmp_path_factory.mktemp("fuzz"),
        {"measures/m.md": measure_file, "data/m.csv": csv_file, "measures/g.md": GOAL},
    )
    repo, found = load_repo(root)
    assert all(isinstance(f, Problem) and f.message.endswith((".", "?")) for f in found)
    assert all(f.code in PROBLEM_CODES for f in found)
    for m in repo.measures.values():
        for observation in m.series.observations if m.series else ():
            str(observation.period)


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(
    text=_contents(
        st.sampled_from(["extra:\n", "  pumpsite:\n", "    rules: x\n", "!ENV", "*a", "&a"])
    )
)
def test_mkdocs_and_glossary_never_raise(
    tmp_path_factory: pytest.TempPathFactory, text: str | bytes
) -> None:
    root = make_repo(
        tmp_path_factory.mktemp("fuzz"), {**BASE, "mkdocs.yml": text, "glossary.yml": text}
    )
    _, found = load_repo(root)
    assert all(f.code in PROBLEM_CODES for f in found)
