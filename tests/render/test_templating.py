"""User page templates: a broken one is a problem on its file and line, never a traceback, and
the previous site stays whole."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from jinja2.exceptions import SecurityError

from pumpsite import cli as cli_module
from pumpsite.build.run import build
from pumpsite.problems import Problem
from pumpsite.render.templating import OverLimit, environment, render_problem, syntax_problems
from tests.example_site import TODAY, copy_example, tree_snapshot


def test_a_template_that_does_not_parse_is_reported_at_its_line() -> None:
    problems = syntax_problems(
        {"index.md": "# Hi\n\n{% if %}\n", "review.md": "fine {{ quarter }}"}
    )
    assert [(p.path, p.line, p.code) for p in problems] == [("site_templates/index.md", 3, "PS601")]
    assert "does not parse" in problems[0].message


def test_css_overrides_are_not_parsed_as_templates() -> None:
    assert syntax_problems({"pumpsite.css": ".a { color: red } {# not jinja"}) == []


def test_check_reports_a_template_syntax_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_example(tmp_path / "repo")
    (root / "site_templates").mkdir()
    (root / "site_templates" / "strategic.md").write_text("# S\n{% for %}\n", encoding="utf-8")
    monkeypatch.setattr(cli_module, "_today", lambda: TODAY)
    result = CliRunner().invoke(cli_module.cli, ["check", str(root)])
    assert result.exit_code == 1
    assert "site_templates/strategic.md:2: error: The template does not parse" in result.output
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_a_template_failing_at_render_time_stops_the_build_and_keeps_the_site(
    tmp_path: Path,
) -> None:
    root = copy_example(tmp_path / "repo")
    assert build(root, today=TODAY).ok
    before = tree_snapshot(root / "site")
    (root / "site_templates").mkdir()
    (root / "site_templates" / "review.md").write_text(
        "# Review\n\n{{ groups[0].goal.no_such_field }}\n", encoding="utf-8"
    )
    result = build(root, today=TODAY)
    assert not result.ok
    assert [(p.path, p.line, p.code) for p in result.problems if p.is_error] == [
        ("site_templates/review.md", 3, "PS602")
    ]
    assert "no_such_field" in result.problems[0].message
    assert tree_snapshot(root / "site") == before


@pytest.mark.slow
def test_a_user_template_replaces_the_page(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "repo")
    (root / "site_templates").mkdir()
    (root / "site_templates" / "glossary.md").write_text(
        "# Our words\n\n{% for term, meaning in terms %}- **{{ term|e }}**: {{ meaning|e }}\n"
        "{% endfor %}",
        encoding="utf-8",
    )
    result = build(root, today=TODAY)
    assert result.ok
    html = (root / "site" / "glossary.html").read_text(encoding="utf-8")
    assert "Our words" in html
    assert re.search(r"<li><strong>(<abbr [^>]*>)?KPI(</abbr>)?</strong>: ", html), html


@pytest.mark.parametrize(
    "expression",
    [
        "cycler.__init__.__globals__.os.system('touch {marker}')",
        "self._TemplateReference__context.cycler.__init__.__globals__.os.system('touch {marker}')",
        "''.__class__.__mro__[1].__subclasses__()",
    ],
)
def test_a_template_cannot_reach_python(tmp_path: Path, expression: str) -> None:
    """Templates come in pull requests, and CI builds them: they run sandboxed."""
    root = tmp_path / "repo"
    shutil.copytree(Path(__file__).parents[1] / "corpus" / "_base", root)
    marker = tmp_path / "pwned"
    (root / "site_templates").mkdir()
    (root / "site_templates" / "index.md").write_text(
        "# Home\n\n{{ " + expression.format(marker=marker) + " }}\n", encoding="utf-8"
    )
    result = build(root, today=TODAY)
    assert not result.ok and not marker.exists()
    assert [(p.path, p.line, p.code) for p in result.problems if p.is_error] == [
        ("site_templates/index.md", 3, "PS602")
    ]


@pytest.mark.slow
def test_an_edited_template_is_compiled_afresh_in_the_same_process(tmp_path: Path) -> None:
    """Compiled templates are kept across builds (serve): an edit must still show."""
    root = copy_example(tmp_path / "repo")
    (root / "site_templates").mkdir()
    template = root / "site_templates" / "glossary.md"
    for heading in ("First words", "Second words", "First words"):
        template.write_text(f"# {heading}\n\n{{{{ terms|length }}}} terms\n", encoding="utf-8")
        assert build(root, today=TODAY).ok
        html = (root / "site" / "glossary.html").read_text(encoding="utf-8")
        assert heading in html


# --- the sandbox, and every exception as a problem -----------------------------------------------


def failure(source: str, templates: dict[str, str] | None = None) -> Exception:
    """The exception rendering `index.md` raises, made of `source` (and other templates)."""
    env = environment({"index.md": source, **(templates or {})}, {})
    with pytest.raises(Exception) as raised:
        env.get_template("index.md").render(kpis=[1, 2])
    return raised.value


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{{ kpis.append(3) }}", "access to attribute 'append' of 'list' object is unsafe."),
        ("{{ [].pop() }}", "access to attribute 'pop' of 'list' object is unsafe."),
        ("{{ 2 ** 1000000 }}", "a power may have at most 100,000 bits."),
        ("{{ 1 / 0 }}", "ZeroDivisionError: division by zero."),
        ("{{ 10 ** 5000 }}", "ValueError: Exceeds the limit (4300 digits) for integer string"),
        ('{% include "index.md" %}', "templates that include, import or call each other"),
    ],
)
def test_any_exception_from_a_template_is_a_problem_at_its_line(source: str, message: str) -> None:
    problem = render_problem(failure(f"# Home\n\n{source}\n"), "index.md")
    assert problem is not None
    assert (problem.path, problem.line, problem.code) == ("site_templates/index.md", 3, "PS602")
    assert problem.message.startswith(f"The template failed while rendering index.md: {message}")


def test_the_values_a_template_is_given_stay_as_they_were() -> None:
    kpis = [1, 2]
    env = environment({"index.md": "{% set _ = kpis.extend([3]) %}"}, {})
    with pytest.raises(SecurityError):
        env.get_template("index.md").render(kpis=kpis)
    assert kpis == [1, 2]


def test_a_power_within_bounds_is_computed() -> None:
    env = environment({"index.md": "{{ 2 ** 100 }} {{ 2.0 ** 0.5 }} {{ (-1) ** 1000001 }}"}, {})
    assert env.get_template("index.md").render() == f"{2**100} {2.0**0.5} -1"


def test_no_expression_of_a_template_runs_while_it_is_compiled() -> None:
    """Jinja would work out constant expressions while compiling, where it swallows every
    exception: the worker's timer and MemoryError included."""
    calls: list[str] = []

    def counted(value: str) -> str:
        calls.append(value)
        return value

    env = environment(
        {"index.md": '{{ "a"|counted }}{% set b = "b"|counted %}'}, {"counted": counted}
    )
    template = env.get_template("index.md")
    assert calls == []
    template.render()
    assert calls == ["a", "b"]


def test_an_exception_outside_the_users_templates_is_pumpsites_own_unless_a_limit() -> None:
    assert render_problem(KeyError("page"), "index.md") is None
    assert render_problem(MemoryError(), "index.md", ["_macros.md"]) == Problem(
        "site_templates/_macros.md",
        None,
        "PS604",
        "The template needed more memory than rendering a page may use, while rendering index.md.",
    )
    assert render_problem(OverLimit("PS603", "Too slow."), "index.md") == Problem(
        "site_templates", None, "PS603", "Too slow. It was rendering index.md."
    )


def test_the_sandbox_remembers_its_judgement_per_type_and_name_and_still_refuses() -> None:
    """Attribute safety is remembered per (type, name): a list's `count` read first does not
    make its `append` safe, and a refusal stays a refusal the second time."""
    env = environment({"index.md": "{{ kpis.count(1) }} {{ kpis.append(3) }}"}, {})
    for _ in range(2):
        with pytest.raises(SecurityError, match="'append' of 'list' object is unsafe"):
            env.get_template("index.md").render(kpis=[1, 2])
    assert env.from_string("{{ kpis.count(1) }}").render(kpis=[1, 2]) == "1"
    assert env.from_string("{{ d.keys() | list }}").render(d={"a": 1}) == "['a']"
    with pytest.raises(SecurityError, match="'update' of 'dict' object is unsafe"):
        env.from_string("{{ d.update({}) }}").render(d={"a": 1})
