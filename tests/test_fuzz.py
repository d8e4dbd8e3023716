"""Fuzzing (Hypothesis): arbitrary frontmatter, YAML, CSV bytes and `pumpsite xmr` input never
raise. Every outcome is a value or a list of problems; example counts are kept small for speed."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pumpsite.build.chart_cache import prepare_charts
from pumpsite.build.run import render
from pumpsite.checks.inspection import inspect
from pumpsite.cli import cli
from pumpsite.load import csvdata
from pumpsite.load.csvdata import read_measure_csv, read_series_text
from pumpsite.load.frontmatter import split_frontmatter
from pumpsite.load.text import UTF16_BOMS
from pumpsite.load.yaml_values import load_tolerant, parse_yaml
from pumpsite.periods import FREQUENCIES
from pumpsite.problems import Problem

BASE = Path(__file__).parent / "corpus" / "_base"
SCALE = int(os.environ.get("PUMPSITE_FUZZ_SCALE", "1"))  # e.g. 50 for a long local run


def examples(count: int) -> settings:
    return settings(
        max_examples=count * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )


fuzz = examples(80)

# Text made of the characters YAML, Markdown and CSV give a meaning to, so that examples reach
# past the first syntax error more often than uniformly random text would.
_SIGNIFICANT = ":-[]{}&*!|>'\"#%@`,;.\\?~=\t\r\n \ufeff\x00\x85\u2028"
yamlish = st.text(
    alphabet=st.one_of(
        st.sampled_from(list(_SIGNIFICANT)),
        st.sampled_from(list("abcdefgxyz0123456789")),
        st.characters(codec="utf-8"),  # what a file can hold once decoded
    ),
    max_size=200,
)
keys = st.sampled_from(
    ["title", "goal", "kind", "owner", "unit", "frequency", "better", "roles", "limits",
     "events", "data", "column", "definition", "parent", "from", "role", "target", "baseline"]
)  # fmt: skip
scalars = st.one_of(
    st.sampled_from(
        [
            "g",
            "m",
            "goal",
            "monthly",
            "daily",
            "up",
            "no",
            "on",
            "1.10",
            "2025-06",
            "2025-Q1",
            "sustain",
            "improve",
            "~",
            "",
            "!!binary aGk=",
            "*a",
            "&a x",
            ".inf",
            "1e400",
            "../x.csv",
            "/etc/passwd",
            "'quoted'",
            '"open"',
            "[1, 2]",
            "{a: 1}",
        ]
    ),
    yamlish.map(lambda t: t[:20]),
)
value = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
        st.dictionaries(keys, inner, max_size=3).map(
            lambda d: "{" + ", ".join(f"{k}: {v}" for k, v in d.items()) + "}"
        ),
    ),
    max_leaves=6,
)
frontmatter_text = st.dictionaries(keys, value, max_size=8).map(
    lambda d: "".join(f"{k}: {v}\n" for k, v in d.items())
)
csv_cells = st.sampled_from(
    ["period", "value", "note", "2025-01", "2025-02", "2025-Q1", "2025-W05", "2025-01-31",
     "1", "-2.5", "1,5", "1e400", "NaN", "", '"', '"a,b"', "x", "1 234", "9999-12", "0000-01"]
)  # fmt: skip
csv_text = st.lists(
    st.lists(st.one_of(csv_cells, yamlish.map(lambda t: t[:8])), min_size=1, max_size=5),
    max_size=12,
).map(lambda rows: "\n".join(",".join(row) for row in rows))


def _ok(problems: list[Problem]) -> None:
    for problem in problems:
        assert problem.code.startswith("PS") and problem.message
        assert problem.line is None or problem.line >= 1


@contextmanager
def repo_with(files: dict[str, bytes]) -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="fuzz-"))
    try:
        root = folder / "repo"
        shutil.copytree(BASE, root)
        for rel, content in files.items():
            (root / rel).write_bytes(content)
        yield root
    finally:
        shutil.rmtree(folder)


def _inspect(files: dict[str, bytes]) -> None:
    with repo_with(files) as root:
        result = inspect(root, today=date(2026, 1, 15))
        _ok(result.problems)


# --- the loader -------------------------------------------------------------------------------


@pytest.mark.slow
@fuzz
@given(yamlish)
def test_parse_yaml_never_raises(text: str) -> None:
    doc, problems = parse_yaml(text, "measures/m.md", 2, root_line=1)
    _ok(problems)
    assert doc is not None or problems


@fuzz
@given(yamlish)
def test_load_tolerant_never_raises(text: str) -> None:
    _value, _node, problems = load_tolerant(text, "mkdocs.yml")
    _ok(problems)


@pytest.mark.slow
@fuzz
@given(st.one_of(yamlish, frontmatter_text.map(lambda t: f"---\n{t}---\n")))
def test_split_frontmatter_never_raises(text: str) -> None:
    split, problems = split_frontmatter(text, "measures/m.md")
    _ok(problems)
    assert (split is None) == bool(problems)


@pytest.mark.slow
@examples(40)
@given(st.one_of(frontmatter_text, yamlish), st.sampled_from(["m.md", "g.md"]))
def test_any_frontmatter_loads_into_problems(text: str, name: str) -> None:
    _inspect({f"measures/{name}": f"---\n{text}\n---\nNotes.\n".encode()})


@pytest.mark.slow
@examples(40)
@given(st.binary(max_size=300))
def test_any_bytes_as_a_measure_file(data: bytes) -> None:
    _inspect({"measures/m.md": data})


@pytest.mark.slow
@examples(40)
@given(st.one_of(frontmatter_text, yamlish))
def test_any_mkdocs_yml_and_glossary(text: str) -> None:
    _inspect({"mkdocs.yml": text.encode(), "glossary.yml": text.encode()})


@pytest.mark.slow
@fuzz
@given(
    st.one_of(csv_text.map(str.encode), st.binary(max_size=300)),
    st.sampled_from(FREQUENCIES),
)
def test_any_csv_bytes_read_into_problems(data: bytes, frequency: str) -> None:
    with tempfile.NamedTemporaryFile(suffix=".csv") as file:
        file.write(data)
        file.flush()
        series, problems = read_measure_csv(Path(file.name), "data/m.csv", "value", frequency)  # type: ignore[arg-type]
    _ok(problems)
    if series is not None:
        periods = [o.period for o in series.observations]
        assert periods == sorted(set(periods))


@fuzz
@given(
    st.one_of(
        csv_text.map(lambda text: f"period,value,note\n{text}".encode()),
        csv_text.map(str.encode),
        st.binary(max_size=300),
    ),
    st.sampled_from(FREQUENCIES),
)
def test_the_fast_csv_path_reads_any_bytes_as_the_csv_module_does(
    data: bytes, frequency: str
) -> None:
    if data.startswith(UTF16_BOMS):
        return  # refused before either reader
    expected = csvdata._read_by_csv(data, "data/m.csv", "value", frequency)  # type: ignore[arg-type]
    assert csvdata.read_measure_bytes(data, "data/m.csv", "value", frequency) == expected  # type: ignore[arg-type]


@pytest.mark.slow
@examples(40)
@given(csv_text)
def test_any_csv_goes_through_the_whole_pipeline(text: str) -> None:
    _inspect({"data/m.csv": text.encode()})


# --- pumpsite xmr -----------------------------------------------------------------------------

numbers = st.lists(
    st.one_of(
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.integers(-(10**20), 10**20).map(str),
        st.sampled_from(["", " ", "1,5", "x", "1e15", "-1e15", "0", "0.0001"]),
    ),
    max_size=40,
).map("\n".join)


@pytest.mark.slow
@fuzz
@given(st.one_of(st.binary(max_size=400), numbers.map(str.encode), csv_text.map(str.encode)))
def test_xmr_never_raises_on_any_stdin(data: bytes) -> None:
    result = CliRunner().invoke(cli, ["xmr", "-"], input=data)
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )


@examples(40)
@given(
    numbers, st.sampled_from([["--json"], ["--median"], ["--rules", "nhs"], ["--baseline", "5"]])
)
def test_xmr_options_never_raise(text: str, options: list[str]) -> None:
    result = CliRunner().invoke(cli, ["xmr", "-", *options], input=text)
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.slow
@fuzz
@given(numbers)
def test_read_series_text_never_raises(text: str) -> None:
    labels, values, problems = read_series_text(text, "<stdin>")
    _ok(problems)
    assert len(labels) == len(values)


# --- rendering what the checks let through ----------------------------------------------------

free_text = st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=60)


@pytest.mark.slow
@examples(10)
@given(free_text, free_text, free_text)
def test_any_text_that_passes_the_checks_renders(title: str, unit: str, note: str) -> None:
    measure = (BASE / "measures" / "m.md").read_text()
    measure = measure.replace("title: Orders delivered on time", f"title: {json.dumps(title)}")
    measure = measure.replace('unit: "%"', f"unit: {json.dumps(unit)}")
    measure = measure.replace("text: New courier", f"text: {json.dumps(note)}")
    csv_note = '"' + note.replace('"', '""') + '"'
    data = (BASE / "data" / "m.csv").read_text().replace("new courier", csv_note)
    files = {"measures/m.md": (measure + note).encode(), "data/m.csv": data.encode()}
    with repo_with(files) as root:
        result = inspect(root, today=date(2026, 1, 15))
        if not result.errors:
            charts = prepare_charts(result.repo.measures, result.analyses, None, workers=1)
            site = render(result, charts.by_ref())
            assert site.files["measures/m.md"]
