"""Text and YAML frontmatter: values, lines and exact problems."""

from __future__ import annotations

from datetime import date

import pytest

from pumpsite.load.frontmatter import Frontmatter, split_frontmatter
from pumpsite.load.validation import Validator
from pumpsite.load.yaml_values import (
    YamlData,
    build_node,
    child_node,
    format_path,
    load_tolerant,
    parse_yaml,
)
from pumpsite.model import Tagged
from pumpsite.periods import Period
from pumpsite.problems import Problem
from pumpsite.schema import MeasureMeta, SiteSettings

P = "measures/m.md"


def parse(yaml_text: str) -> tuple[YamlData | None, list[Problem]]:
    """YAML as the frontmatter of a file: its first line is line 2."""
    return parse_yaml(yaml_text, P, first_line=2, root_line=1)


def validate(yaml_text: str) -> tuple[MeasureMeta | None, list[Problem]]:
    doc, problems = parse(yaml_text)
    assert doc is not None and problems == []
    validator = Validator(doc, P)
    meta = validator.validate(MeasureMeta, {"frequency": "monthly"})
    return meta, validator.problems


def messages(yaml_text: str) -> list[tuple[int | None, str, str]]:
    _, problems = validate(yaml_text)
    return sorted((p.line, p.code, p.message) for p in problems)


BASE = "title: Churn\ngoal: customers\nfrequency: monthly\nbetter: down\n"


# --- splitting ------------------------------------------------------------------------------------


def test_split_keeps_the_body_verbatim() -> None:
    text = "---\ntitle: x\n---\n\n# Heading\n\nText.  \n"
    assert split_frontmatter(text, P) == (Frontmatter("title: x\n", "\n# Heading\n\nText.  \n"), [])


def test_split_with_crlf_line_endings() -> None:
    text = "---\r\ntitle: x\r\n---\r\nBody\r\n"
    assert split_frontmatter(text, P) == (Frontmatter("title: x\r\n", "Body\r\n"), [])


def test_split_tolerates_trailing_spaces_on_the_fences() -> None:
    assert split_frontmatter("--- \ntitle: x\n---  \n", P)[0] == Frontmatter("title: x\n", "")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "",
            "The file is empty: expected a first line '---', then keys like 'title: ...', "
            "then a closing '---'.",
        ),
        (
            "title: x\n",
            "The file does not start with frontmatter: expected a first line '---', then keys "
            "like 'title: ...', then a closing '---'.",
        ),
        (
            "---\ntitle: x\n",
            "The frontmatter is not closed: expected a line '---' after the last key.",
        ),
    ],
    ids=["empty", "missing", "unclosed"],
)
def test_split_problems(text: str, message: str) -> None:
    assert split_frontmatter(text, P) == (None, [Problem(P, 1, "PS101", message)])


# --- YAML with lines ------------------------------------------------------------------------------


def test_lines_of_keys_and_list_items_are_file_lines() -> None:
    doc, problems = parse(
        "title: x\nroles:\n  - from: 2026-Q1\n    role: improve\n  - {from: 2026-Q2}\n"
    )
    assert problems == []
    assert doc is not None
    assert doc.lines == {
        (): 1,
        ("title",): 2,
        ("roles",): 3,
        ("roles", 0): 4,
        ("roles", 0, "from"): 4,
        ("roles", 0, "role"): 5,
        ("roles", 1): 6,
        ("roles", 1, "from"): 6,
    }
    assert doc.line(("roles", 1, "target")) == 6
    assert doc.line(("nowhere",)) == 1


def test_values_are_plain_python_values() -> None:
    doc, _ = parse("a: 1\nb: 1.5\nc: true\nd: 2026-03-01\ne: null\nf: text\ng: '2'\n")
    assert doc is not None
    assert doc.value == {
        "a": 1,
        "b": 1.5,
        "c": True,
        "d": date(2026, 3, 1),
        "e": None,
        "f": "text",
        "g": "2",
    }
    assert doc.plain == {("a",): "1", ("b",): "1.5", ("c",): "true", ("d",): "2026-03-01"}


def test_keys_are_kept_as_written() -> None:
    doc, _ = parse("no: x\non: y\n1.10: z\n")
    assert doc is not None
    assert doc.value == {"no": "x", "on": "y", "1.10": "z"}


def test_an_impossible_date_stays_text() -> None:
    doc, problems = parse("deadline: 2026-13-45\n")
    assert doc is not None and problems == []
    assert doc.value == {"deadline": "2026-13-45"}


def test_crlf_lines() -> None:
    doc, problems = parse("title: x\r\nowner: y\r\n")
    assert doc is not None and problems == []
    assert doc.lines[("owner",)] == 3


def test_duplicate_key_at_top_level() -> None:
    doc, problems = parse("title: a\nowner: b\ntitle: c\n")
    assert problems == [
        Problem(P, 4, "PS109", "Duplicate key 'title': it is also on line 2. Keep one.")
    ]
    assert doc is not None and doc.value == {"title": "a", "owner": "b"}


def test_duplicate_key_nested() -> None:
    _, problems = parse("roles:\n  - from: 2026-Q1\n    role: sustain\n    from: 2026-Q2\n")
    assert problems == [
        Problem(P, 5, "PS109", "Duplicate key 'from' in roles[0]: it is also on line 3. Keep one.")
    ]


def test_tab_indentation_points_at_the_line() -> None:
    assert parse("definition:\n\tformula: a / b\n") == (
        None,
        [
            Problem(
                P,
                3,
                "PS102",
                "A tab is used for indentation: YAML allows only spaces. Indent with spaces.",
            )
        ],
    )


def test_yaml_syntax_error_line_is_the_file_line() -> None:
    assert parse("title: x\nowner: Cost: per unit\n") == (
        None,
        [
            Problem(
                P,
                3,
                "PS102",
                "YAML syntax error: mapping values are not allowed here. "
                "Quote a value that contains ': ', like title: \"Cost: per unit\".",
            )
        ],
    )


def test_yaml_syntax_error_with_context() -> None:
    _, problems = parse("roles: [a, b\ntitle: x\n")
    assert problems == [
        Problem(
            P,
            3,
            "PS102",
            "YAML syntax error: expected ',' or ']', but got ':' (while parsing a flow sequence "
            "on line 2). Check the indentation, and quote values that contain "
            "':', '#', '[' or '{'.",
        )
    ]


def test_aliases_are_rejected() -> None:
    yaml_text = "a: &x [1, 2]\nb: *x\n"
    assert parse(yaml_text) == (
        None,
        [
            Problem(
                P,
                3,
                "PS113",
                "YAML aliases (*name) are not supported here: write the value out in full.",
            )
        ],
    )


def test_alias_bomb_is_rejected_quickly() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 12)]
    doc, problems = parse("\n".join(lines))
    assert doc is None and [p.code for p in problems] == ["PS113"]


def test_unsupported_tag() -> None:
    doc, problems = parse("title: !!binary aGk=\n")
    assert problems == [
        Problem(P, 2, "PS114", "The YAML tag !!binary at title is not supported: remove it.")
    ]
    assert doc is not None and doc.value == {"title": "aGk="}


def test_python_tags_are_never_constructed() -> None:
    doc, problems = parse("title: !!python/object/apply:os.system [echo hi]\n")
    assert [p.code for p in problems] == ["PS114"]
    assert doc is not None and doc.value == {"title": ["echo hi"]}


def test_a_list_as_a_key() -> None:
    _, problems = parse("? [a, b]\n: 1\n")
    assert problems == [
        Problem(P, 2, "PS114", "A key must be plain text, got a list or mapping as a key.")
    ]


def test_control_characters() -> None:
    _, problems = parse("owner: x\rtitle: a\x07b\n")
    assert problems == [
        Problem(
            P,
            3,
            "PS100",
            "The file contains the control character U+0007, which YAML does not allow: remove it.",
        )
    ]


def test_deep_nesting_does_not_crash() -> None:
    _, problems = parse("a: " + "[" * 500 + "]" * 500 + "\n")
    assert problems == [Problem(P, 2, "PS102", "The YAML is nested too deeply.")]


def test_empty_yaml_is_none() -> None:
    doc, problems = parse("# only a comment\n")
    assert problems == [] and doc is not None and doc.value is None


def test_format_path() -> None:
    assert format_path(("limits", "phases", 0, "from")) == "limits.phases[0].from"
    assert format_path(("roles", 1)) == "roles[1]"
    assert format_path(()) == ""


# --- mkdocs.yml -----------------------------------------------------------------------------------


def test_tolerant_loading_keeps_custom_tags() -> None:
    text = (
        "site_name: x\n"
        "markdown_extensions:\n"
        "  - pymdownx.emoji:\n"
        "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
        "site_url: !ENV [SITE_URL, 'http://localhost']\n"
        "docs: !relative $config_dir\n"
        "anchored: &a {k: 1}\n"
        "again: *a\n"
    )
    value, node, problems = load_tolerant(text, "mkdocs.yml")
    assert problems == [] and node is not None
    assert value == {
        "site_name": "x",
        "markdown_extensions": [
            {
                "pymdownx.emoji": {
                    "emoji_index": Tagged(
                        "tag:yaml.org,2002:python/name:material.extensions.emoji.twemoji", ""
                    )
                }
            }
        ],
        "site_url": Tagged("!ENV", ["SITE_URL", "http://localhost"]),
        "docs": Tagged("!relative", "$config_dir"),
        "anchored": {"k": 1},
        "again": {"k": 1},
    }


def test_tolerant_loading_reports_syntax_errors() -> None:
    value, node, problems = load_tolerant("a: [\n", "mkdocs.yml")
    assert value is None and node is None
    assert [(p.path, p.line, p.code) for p in problems] == [("mkdocs.yml", 2, "PS102")]


def test_build_node_gives_prefixed_lines() -> None:
    _, node, _ = load_tolerant("site_name: x\nextra:\n  pumpsite:\n    rules: pump\n", "mkdocs.yml")
    sub = child_node(child_node(node, "extra"), "pumpsite")
    assert sub is not None
    doc, problems = build_node(sub, "mkdocs.yml", ("extra", "pumpsite"))
    assert problems == []
    assert doc.value == {"rules": "pump"}
    assert doc.lines[("extra", "pumpsite", "rules")] == 4


# --- validation messages --------------------------------------------------------------------------


def test_valid_frontmatter() -> None:
    meta, problems = validate(
        BASE + "roles:\n  - {from: 2026-Q1, role: improve, target: 2.5, deadline: 2026-12-31}\n"
    )
    assert problems == []
    assert meta is not None
    assert meta.roles[0].start == Period("quarterly", 2026 * 4)
    assert meta.roles[0].deadline == date(2026, 12, 31)


def test_unknown_key_with_did_you_mean() -> None:
    assert messages(BASE + "roles:\n  - from: 2026-Q1\n    role: improve\n    trget: 10\n") == [
        (9, "PS103", "Unknown key 'trget' in roles[0]. Did you mean 'target'?")
    ]


def test_unknown_key_lists_the_allowed_keys() -> None:
    assert messages(BASE + "roles:\n  - {from: 2026-Q1, role: improve, zzz: 1}\n") == [
        (
            7,
            "PS103",
            "Unknown key 'zzz' in roles[0]. "
            "Allowed keys: from, role, target, deadline, owner, note.",
        )
    ]


def test_missing_key() -> None:
    assert messages("title: Churn\ngoal: customers\nbetter: down\n") == [
        (
            1,
            "PS104",
            "Missing required key 'frequency': expected one of daily, weekly, monthly, quarterly, "
            "yearly.",
        )
    ]


def test_missing_nested_key_points_at_the_item() -> None:
    assert messages(BASE + "limits:\n  phases:\n    - from: 2026-03\n") == [
        (
            8,
            "PS104",
            "Missing required key 'reason' in limits.phases[0]: "
            "expected text: why the process changed (required).",
        )
    ]


def test_wrong_type() -> None:
    yaml_text = (
        BASE
        + "roles:\n  - {from: 2026-Q1, role: sustain}\n"
        + "  - {from: 2026-Q2, role: improve, target: ten}\n"
    )
    assert messages(yaml_text) == [
        (8, "PS105", "'target' in roles[1] expects a number: the level to reach, got text 'ten'.")
    ]


def test_wrong_type_suggests_the_number() -> None:
    assert messages(BASE + "roles:\n  - {from: 2026-Q1, role: improve, target: '12,5'}\n") == [
        (
            7,
            "PS105",
            "'target' in roles[0] expects a number: the level to reach, got text '12,5'. "
            "Did you mean 12.5?",
        )
    ]
    assert messages(BASE + "roles:\n  - {from: 2026-Q1, role: improve, target: '12'}\n") == [
        (
            7,
            "PS105",
            "'target' in roles[0] expects a number: the level to reach, got text '12'. "
            "Write it without quotes.",
        )
    ]


def test_wrong_type_of_a_list_item_and_a_nested_model() -> None:
    assert messages(BASE + "roles: [x]\nlimits: 5\n") == [
        (
            6,
            "PS105",
            "roles[0] expects a mapping with keys from, role, target, deadline, owner, note, "
            "got text 'x'.",
        ),
        (
            7,
            "PS105",
            "'limits' expects limits settings (a mapping with keys baseline, phases, exclude, "
            "dispersion, rules, run_length, bounds), got the number 5.",
        ),
    ]


def test_empty_text() -> None:
    assert messages(BASE.replace("Churn", "''")) == [
        (2, "PS105", "'title' expects text: the measure's name, got empty text.")
    ]
    assert messages(BASE.replace("Churn", "")) == [
        (2, "PS105", "'title' expects text: the measure's name, got an empty value.")
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "owner: no",
            "'owner' expects text, got false: YAML reads an unquoted no as false. "
            'Write owner: "no".',
        ),
        (
            "owner: on",
            "'owner' expects text, got true: YAML reads an unquoted on as true. "
            'Write owner: "on".',
        ),
        (
            "unit: 1.10",
            "'unit' expects text, got 1.1: YAML reads an unquoted 1.10 as the number 1.1. "
            'Write unit: "1.10".',
        ),
        (
            "owner: 007",
            "'owner' expects text, got 7: YAML reads an unquoted 007 as the number 7. "
            'Write owner: "007".',
        ),
        (
            "owner: 2026-03-01",
            "'owner' expects text, got 2026-03-01: YAML reads an unquoted 2026-03-01 as a date. "
            'Write owner: "2026-03-01".',
        ),
        (
            "definition: {formula: 2026-03-01 10:00:00}",
            "'formula' in definition expects text, got 2026-03-01 10:00:00: YAML reads an "
            "unquoted 2026-03-01 10:00:00 as a date and time. "
            'Write formula: "2026-03-01 10:00:00".',
        ),
    ],
    ids=["no", "on", "1.10", "octal", "date", "datetime"],
)
def test_yaml_11_traps(line: str, message: str) -> None:
    assert messages(BASE + line + "\n") == [(6, "PS106", message)]


def test_quoted_values_are_text() -> None:
    assert messages(BASE + 'owner: "no"\nunit: "1.10"\n') == []


def test_bad_enum_value() -> None:
    assert messages(BASE.replace("down", "higher")) == [
        (5, "PS107", "'better' expects one of up, down, neutral, got 'higher'. Did you mean 'up'?")
    ]


def test_bad_enum_value_did_you_mean() -> None:
    assert messages(BASE.replace("monthly", "monthy")) == [
        (
            4,
            "PS107",
            "'frequency' expects one of daily, weekly, monthly, quarterly, yearly, got 'monthy'. "
            "Did you mean 'monthly'?",
        )
    ]


def test_bad_enum_value_of_another_type() -> None:
    assert messages(BASE.replace("down", "no")) == [
        (5, "PS107", "'better' expects one of up, down, neutral, got false.")
    ]


def test_period_errors_use_the_schema_message() -> None:
    assert messages(
        BASE + "roles:\n  - {from: 2026-03, role: sustain}\nevents:\n  - {date: x, text: t}\n"
    ) == [
        (
            7,
            "PS108",
            "'from' in roles[0] expects a quarter like 2026-Q1, got '2026-03'; roles change per "
            "quarter, so write 2026-Q1.",
        ),
        (
            9,
            "PS108",
            "'date' in events[0] expects a monthly period like 2026-03 (or a date), got 'x'.",
        ),
    ]


def test_date_error() -> None:
    assert messages(
        BASE + "roles:\n  - {from: 2026-Q1, role: improve, deadline: 2026-13-01}\n"
    ) == [(7, "PS108", "'deadline' in roles[0] expects a date like 2026-12-31, got '2026-13-01'.")]


def test_out_of_range() -> None:
    assert messages(BASE + "limits:\n  run_length: 20\n") == [
        (
            7,
            "PS115",
            "'run_length' in limits expects a whole number of points for a long run (usually 7 "
            "or 8), got the number 20: it must be at most 12.",
        )
    ]


def test_union_field_gives_one_problem() -> None:
    assert messages(BASE + "limits:\n  baseline: abc\n") == [
        (
            7,
            "PS105",
            "'baseline' in limits expects the number of first points the limits are computed "
            "from (default 20), or {from, to} periods, got text 'abc'.",
        )
    ]


def test_union_field_reports_the_branch_the_value_meant() -> None:
    assert messages(BASE + "limits:\n  baseline: {from: 2026-13, to: 2026-06}\n") == [
        (
            7,
            "PS108",
            "'from' in limits.baseline expects a monthly period like 2026-03 (or a date), "
            "got '2026-13'.",
        )
    ]
    [(line, code, _)] = messages(BASE + "limits:\n  baseline: 1\n")
    assert (line, code) == (7, "PS115")


def test_settings_problems_are_prefixed() -> None:
    _, node, _ = load_tolerant("extra:\n  pumpsite:\n    rulez: pump\n", "mkdocs.yml")
    sub = child_node(child_node(node, "extra"), "pumpsite")
    assert sub is not None
    doc, _ = build_node(sub, "mkdocs.yml", ("extra", "pumpsite"))
    validator = Validator(doc, "mkdocs.yml", ("extra", "pumpsite"))
    assert validator.validate(SiteSettings) is None
    assert validator.problems == [
        Problem(
            "mkdocs.yml",
            3,
            "PS103",
            "Unknown key 'rulez' in extra.pumpsite. Did you mean 'rules'?",
        )
    ]


def test_an_empty_period_is_a_wrong_type() -> None:
    assert messages(BASE + "events:\n  - {date: null, text: t}\n") == [
        (
            7,
            "PS105",
            "'date' in events[0] expects the date or period the event happened in, "
            "got an empty value.",
        )
    ]
