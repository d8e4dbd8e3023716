"""The registry of problem codes (pumpsite/problems.py): every code is documented in
docs/problems.md, which is current, and every code has a test that asserts its message: here, for
the codes no other test spells out, each with the input that causes it."""

from __future__ import annotations

import ast
import importlib.util
import re
import shutil
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

from pumpsite.cli import cli
from pumpsite.problems import REGISTRY, Problem
from tests.example_site import ROOT
from tests.test_corpus import BASE, make_case, read_case

AS_OF = "2026-01-15"
_REPORTED = re.compile(r"^.+?: (?:error|warning): (?P<message>.*) \[(?P<code>PS\d+)\]$")


def _doc_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "problems_doc", ROOT / "scripts" / "problems_doc.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_docs_problems_md_is_current() -> None:
    script = _doc_script()
    assert script.DOC.read_text(encoding="utf-8") == script.document(), "run `make docs`"


def test_every_code_has_an_example_and_a_section() -> None:
    script = _doc_script()
    assert set(script.EXAMPLES) == set(REGISTRY)
    assert all(code[:3] in script.SECTIONS for code in REGISTRY)
    assert all(entry.meaning.endswith(".") for entry in REGISTRY.values())


def test_an_unregistered_code_cannot_make_a_problem() -> None:
    with pytest.raises(ValueError, match="Unregistered problem code 'PS999'"):
        Problem("measures/m.md", 1, "PS999", "Made up.")
    with pytest.raises(ValueError, match="Unregistered problem code 'PS900'"):
        Problem("mkdocs.yml", None, "PS900", "The engine's warnings are reported as they are.")


def test_the_severity_is_the_code_s() -> None:
    assert Problem("", None, "PS311", "Few.").severity.value == "warning"
    assert Problem("", None, "PS305", "Not a number.").severity.value == "error"


def _test_strings() -> str:
    """Every string written in the tests (f-strings by their literal parts)."""
    found = []
    for path in Path(__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.append(node.value)
    return "\x00".join(found)


def test_every_example_message_is_asserted_by_a_test() -> None:
    """The examples in docs/problems.md are messages the tests check word for word, so each
    code has a test of its message, and an example cannot drift from what pumpsite says."""
    strings = _test_strings()
    unasserted = [
        code for code, message in _doc_script().EXAMPLES.items() if message not in strings
    ]
    assert unasserted == []


# --- the codes no other test spells out ----------------------------------------------------------

GOAL = "---\nkind: goal\ntitle: {title}\n---\n"
MEASURE = "---\ntitle: {title}\ngoal: g\nfrequency: monthly\nbetter: up\n{extra}---\n"
OWNED = "owner: Dana Ortiz\n"
STEADY = [92.1, 94.2, 91.3, 93.4, 92.8, 93.9, 91.7, 92.6, 93.1, 92.2, 92.3, 94.0]


def measure(extra: str, title: str = "Orders delivered on time") -> str:
    return MEASURE.format(title=title, extra=extra)


def role(text: str) -> str:
    return f"roles:\n  - {{{text}}}\n"


def csv(values: list[float], months: int = 1) -> str:
    rows = [f"2025-{i * months + 1:02d},{value}" for i, value in enumerate(values)]
    return "period,value\n" + "\n".join(rows) + "\n"


KEY_RESULT = OWNED + role("from: 2025-Q4, role: improve, target: 99, deadline: 2026-03-31")
FILES: dict[str, dict[str, str]] = {
    "PS121": {"measures/m.md": measure("limits:\n  bounds: {lower: 100, upper: 0}\n")},
    "PS334": {"data/m.csv": csv([1, 2, 3, 4, 5, 6], months=2)},  # every other month
    "PS335": {"data/m.csv": csv([5] * 12)},
    "PS336": {"data/m.csv": csv([1, 900, 2, 950, 1, 980, 3, 920, 2, 990, 1, 960])},
    "PS401": {"measures/g.md": GOAL.format(title="Robust and efficient delivery")},
    "PS402": {"measures/g.md": GOAL.format(title="Implement a new courier system")},
    "PS403": {"measures/m.md": measure(role("from: 2025-Q4, role: improve"))},
    "PS404": {
        **{f"measures/k{i}.md": measure(KEY_RESULT, f"Key result {i}") for i in range(6)},
        **{f"data/k{i}.csv": csv(STEADY) for i in range(6)},
    },
    "PS405": {
        "measures/m.md": measure(
            OWNED + role("from: 2025-Q2, role: improve, target: 99, deadline: 2025-09-30")
        )
    },
    "PS407": {"measures/m.md": measure(role("from: 2025-Q1, role: sustain, target: 95"))},
}


def _messages(root: Path, code: str) -> list[str]:
    result = CliRunner().invoke(cli, ["check", str(root), "--as-of", AS_OF])
    assert "Traceback" not in result.output
    found = (_REPORTED.match(line) for line in result.output.splitlines())
    return [match["message"] for match in found if match and match["code"] == code]


@pytest.mark.parametrize(
    ("files", "code", "message"),
    [
        pytest.param(
            FILES["PS121"],
            "PS121",
            (
                "The bounds run backwards: lower 100 is not below upper 0. Expected the lowest "
                "possible value first, like bounds: {lower: 0, upper: 100}."
            ),
            id="PS121",
        ),
        pytest.param(
            FILES["PS334"],
            "PS334",
            (
                "The phase from 2025-01 has 6 values, but missing periods leave only 0 moving "
                "ranges between its 6 baseline values, and limits need 4 (five values in a "
                "row). It is shown as a run chart, without limits or signals."
            ),
            id="PS334",
        ),
        pytest.param(
            FILES["PS335"],
            "PS335",
            (
                "The phase from 2025-01 has 12 values, but they do not vary (every moving range "
                "of the baseline is 0), so there is no variation to compute limits from. If the "
                "process does vary, record the values in finer units (more decimals), or over a "
                "longer period than a month. It is shown as a run chart, without limits or "
                "signals."
            ),
            id="PS335",
        ),
        pytest.param(
            FILES["PS336"],
            "PS336",
            (
                "The lower natural process limit is -2044.1539, below 0, yet no value has ever "
                "been below 0. If the measure cannot go below 0 (a count, a share, a duration), "
                "declare it under limits: with bounds: {lower: 0}, and the chart shows that "
                "boundary instead of a limit no value can cross. If it can, write bounds: {} to "
                "say so."
            ),
            id="PS336",
        ),
        pytest.param(
            FILES["PS401"],
            "PS401",
            (
                "The goal title uses weasel words ('delivery', 'efficient', 'robust'): they "
                "mean different things to different people. Describe what you would see or hear "
                "if the result were happening."
            ),
            id="PS401",
        ),
        pytest.param(
            FILES["PS402"],
            "PS402",
            (
                "The goal title starts with 'implement': it reads as an activity, not a result. "
                "Word it as if the result were already happening, e.g. 'Our systems run without "
                "downtime' rather than 'Upgrade the systems'."
            ),
            id="PS402",
        ),
        pytest.param(
            FILES["PS403"],
            "PS403",
            (
                "The improve role from 2025-Q4 has no target or deadline or owner. A key result "
                "needs a target, a deadline and an owner; otherwise it is a KPI being watched."
            ),
            id="PS403",
        ),
        pytest.param(
            FILES["PS404"],
            "PS404",
            (
                "6 key results under this goal in 2026-Q1 (more than 5): that is the dashboard "
                "wearing a costume. Choose the few you will change this quarter; keep the rest "
                "as sustain (KPIs)."
            ),
            id="PS404",
        ),
        pytest.param(
            FILES["PS405"],
            "PS405",
            (
                "The improve role from 2025-Q2 ended on 2025-09-30: OKRs end. Decide this "
                "quarter's role (2026-Q1): a new improve role with a new deadline, or back to "
                "sustain."
            ),
            id="PS405",
        ),
        pytest.param(
            FILES["PS407"],
            "PS407",
            (
                "The sustain role from 2025-Q1 has a target. Business-as-usual measures are "
                "monitored without targets: remove it, or make the role 'improve' if you mean "
                "to change the level."
            ),
            id="PS407",
        ),
    ],
)
def test_message_of(files: dict[str, str], code: str, message: str, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(BASE, root)
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    assert _messages(root, code) == [message]


@pytest.mark.parametrize(
    ("case", "code", "message"),
    [
        pytest.param(
            "data-symlink-loop",
            "PS118",
            (
                "The file is a symbolic link: expected a regular file. pumpsite follows no "
                "links, so that no change can bring a file from elsewhere on the computer into "
                "the site. Replace the link with the file itself."
            ),
            id="PS118",
        ),
        pytest.param(
            "in-id-reserved",
            "PS119",
            (
                "Id 'Index' is reserved: index and README (in any letter case) name a folder's "
                "main page, which the site makes itself, so this goal or measure would replace "
                "it or be dropped. Rename the file; a note for people belongs in the README.md "
                "at the top of the repository."
            ),
            id="PS119",
        ),
        pytest.param(
            "many-problems-at-once",
            "PS202",
            ("Parent goal 'nowhere' does not exist."),
            id="PS202",
        ),
        pytest.param(
            "in-goal-chain-too-deep",
            "PS204",
            (
                "Goal 'c20' has no measures and no sub-goals: nothing shows whether it is "
                "happening. Add a measure with 'goal: c20'."
            ),
            id="PS204",
        ),
        pytest.param(
            "ref-goal-is-a-measure",
            "PS205",
            (
                "'goal' must name a goal, but 'm' is a measure. A measure is evidence of a goal "
                "(a file with kind: goal)."
            ),
            id="PS205",
        ),
        pytest.param(
            "roles-same-quarter",
            "PS206",
            (
                "Two roles start in 2025-Q1 (roles[0] and roles[1]). Only one role is in force "
                "per quarter: remove or move one."
            ),
            id="PS206",
        ),
        pytest.param(
            "csv-header-only",
            "PS310",
            ("No data yet in data/m.csv: the chart stays empty until values are added."),
            id="PS310",
        ),
        pytest.param(
            "limits-baseline-backwards",
            "PS313",
            ("The baseline runs backwards: from 2025-10 to 2025-02. Swap 'from' and 'to'."),
            id="PS313",
        ),
        pytest.param(
            "template-syntax-error",
            "PS601",
            (
                "The template does not parse: Unexpected end of template. Jinja was looking for "
                "the following tags: 'elif' or 'else' or 'endif'. The innermost block that "
                "needs to be closed is 'if'. See docs/templates.md."
            ),
            id="PS601",
        ),
        pytest.param(
            "template-changes-shared-list",
            "PS602",
            (
                "The template failed while rendering index.md: access to attribute 'append' of "
                "'list' object is unsafe. Each template lists its variables in its first "
                "comment; see docs/templates.md."
            ),
            id="PS602",
        ),
        pytest.param(
            "template-page-too-large",
            "PS605",
            (
                "The template made a page of more than 20,000,000 characters. It was rendering "
                "glossary.md."
            ),
            id="PS605",
        ),
        pytest.param(
            "out-pumpsite-is-a-file",
            "PS700",
            (
                "Expected the folder where pumpsite keeps its generated MkDocs project, found a "
                "file: pumpsite never writes through a link or over a file. Delete it (if git "
                "tracks it: git rm --cached .pumpsite) and ignore /.pumpsite in .gitignore; the "
                "next build makes the folder."
            ),
            id="PS700",
        ),
        pytest.param(
            "out-pumpsite-cache-charts-link",
            "PS701",
            (
                "Expected only files and folders pumpsite generates in .pumpsite, found a "
                "symbolic link: pumpsite never writes through a link, which could aim its "
                "generated files at yours. Delete the .pumpsite folder (it is generated: the "
                "next build makes it again); if git tracks it, untrack it with git rm -r "
                "--cached .pumpsite and ignore /.pumpsite in .gitignore."
            ),
            id="PS701",
        ),
    ],
)
def test_message_of_corpus_case(case: str, code: str, message: str, tmp_path: Path) -> None:
    assert message in _messages(make_case(read_case(case), tmp_path), code)


def test_each_code_has_one_name_and_each_name_one_code() -> None:
    """A second constant of the same name would silently take the first one's place."""
    import pumpsite.problems as module

    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    names = [
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name) and target.id.isupper()
    ]
    assert sorted(n for n in set(names) if names.count(n) > 1) == []
    codes = {getattr(module, n) for n in names if isinstance(getattr(module, n), str)}
    assert {c for c in codes if c.startswith("PS")} == set(REGISTRY)
