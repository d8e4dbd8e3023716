"""The fast YAML path (libyaml's C parser) and the line-tracking Python parser give the same
values, lines and problems on every text: on arbitrary YAML, on every valid document, and on
every YAML file of the repository, the example and the corpus of bad repositories."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pumpsite.load import yaml_values
from pumpsite.load.frontmatter import split_frontmatter
from pumpsite.load.yaml_values import parse_yaml, parse_yaml_python
from pumpsite.problems import ALIAS, UNSUPPORTED_YAML
from tests.load.test_yaml_safety import bomb
from tests.test_fuzz import frontmatter_text, yamlish

ROOT = Path(__file__).parents[2]
MEASURE = """\
title: Orders shipped on time
goal: delivery
frequency: monthly
better: up
definition:
  description: Share of orders shipped by the promised day.
roles:
  - {from: 2025-Q1, role: improve, target: 95, deadline: 2025-12}
events:
  - {date: 2025-03, kind: action, text: New picking process}
"""


def _outcome(text: str, parse: object) -> object:
    assert callable(parse)
    doc, problems = parse(text, "measures/m.md", 2, root_line=1)
    if doc is None:
        return None, problems
    # repr: a NaN (.nan) is not equal to itself, its repr is
    return (repr(doc.value), doc.lines, doc.plain, doc.refused), problems


def assert_same(text: str) -> None:
    assert _outcome(text, parse_yaml) == _outcome(text, parse_yaml_python), text


def test_the_fast_path_is_taken() -> None:
    """libyaml is there (the C loader is what makes `check` fast), and a typical file is read
    without the Python parser."""
    assert yaml.__with_libyaml__
    assert not yaml_values._python_only(MEASURE)
    doc, problems = parse_yaml(MEASURE, "m.md", 2)
    assert doc is not None and not problems


def test_the_fast_path_does_not_call_the_python_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the Python parser was called")

    monkeypatch.setattr(yaml_values, "parse_yaml_python", refuse)
    doc, _ = parse_yaml(MEASURE, "m.md", 2)
    assert doc is not None and doc.line(("roles", 0, "target")) == 9


@pytest.mark.parametrize(
    "text",
    [
        MEASURE,
        "title: [0?]\n",  # libyaml reads a list of '0?', the Python parser refuses it
        "title: !\n",  # libyaml reads text, the Python parser an empty value
        "title: x\t\n",  # a tab libyaml skips and the Python parser refuses
        "title: a\u2028b\n",
        "title: &a x\nowner: *a\n",
        "a: &a [1, *a]\n",
        "title: !!python/object/apply:os.system [echo]\n",
        "title: x\ntitle: y\n",
        "? [a, b]\n: c\n",
        "1: x\nno: y\n1.10: z\n",
        "n: 1e400\nm: 1e-400\nk: 1e5\n",
        "t: '\\ud800'\n",
        "d: 2026-13-45\n",
        "[" * 2000 + "]" * 2000,
        "".join(" " * i + "- \n" for i in range(1200)),
        bomb(10),
    ],
)
def test_the_cases_where_the_parsers_differ_give_the_same_outcome(text: str) -> None:
    assert_same(text)


def test_an_alias_bomb_is_refused_on_the_fast_path_too() -> None:
    doc, problems = parse_yaml(bomb(10), "m.md", 2)
    assert doc is None and [p.code for p in problems] == [ALIAS]


def test_a_python_tag_is_reported_on_the_fast_path() -> None:
    doc, problems = parse_yaml("title: !!python/object/apply:os.system [echo]\n", "m.md", 2)
    assert doc is not None and [p.code for p in problems] == [UNSUPPORTED_YAML]


def _yaml_files() -> list[Path]:
    folders = [ROOT / "measures", ROOT / "tests" / "corpus", ROOT / "pumpsite" / "scaffold_files"]
    found = [p for folder in folders for p in folder.rglob("*") if p.suffix in (".md", ".yml")]
    return sorted([*found, ROOT / "glossary.yml"])


def test_every_yaml_file_of_the_repository_and_the_corpus() -> None:
    texts = 0
    for path in _yaml_files():
        try:
            text = path.read_text("utf-8")
        except (UnicodeDecodeError, OSError):
            continue  # the corpus holds files that are not text on purpose
        if path.suffix == ".md":
            split, _ = split_frontmatter(text, path.name)
            if split is None:
                continue
            text = split.yaml
        assert_same(text)
        texts += 1
    assert texts > 100


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.dates(min_value=date(1, 1, 1)),
    st.text(st.characters(codec="utf-8"), max_size=30),
    st.sampled_from(["no", "on", "1.10", "1e5", "2026-03", "~", "", "a: b", "#x", "- x"]),
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, st.sampled_from([None, False, True]), st.booleans())
def test_every_valid_document_reads_the_same(value: object, flow: bool | None, wide: bool) -> None:
    text = yaml.safe_dump(value, default_flow_style=flow, allow_unicode=wide, width=40)
    assert_same(text)


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(frontmatter_text, yamlish))
def test_any_text_reads_the_same(text: str) -> None:
    assert_same(text)
