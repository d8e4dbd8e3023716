"""The JSON Schema of the frontmatter: generated from the loader's models, valid, up to date, and
in agreement with the loader on the example repository and on broken files."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from pumpsite.cli import cli
from pumpsite.load.frontmatter import split_frontmatter
from pumpsite.load.repo import load_repo
from pumpsite.schema import json_schemas, schema_files
from tests.example_site import ROOT, copy_example

SCHEMAS = json_schemas()


def as_json_data(value: object) -> Any:
    """YAML as a JSON validator sees it: unquoted dates (which YAML reads as dates) as ISO text."""
    if isinstance(value, dict):
        return {key: as_json_data(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_json_data(item) for item in value]
    return value.isoformat() if isinstance(value, date) else value


def frontmatter_of(path: Path) -> dict[str, Any]:
    split, problems = split_frontmatter(path.read_text(encoding="utf-8"), path.name)
    assert split is not None, problems
    data = as_json_data(yaml.safe_load(split.yaml))
    assert isinstance(data, dict)
    return data


def schema_errors(data: dict[str, Any]) -> list[str]:
    kind = data.get("kind")
    schema = SCHEMAS[kind if kind in ("goal", "action") else "measure"]
    validator = jsonschema.Draft202012Validator(schema)
    return [message for error in validator.iter_errors(data) for message in messages(error)]


def messages(error: jsonschema.ValidationError) -> list[str]:
    """The error's message and those of the alternatives it tried (for anyOf)."""
    return [error.message, *(m for sub in error.context or [] for m in messages(sub))]


@pytest.mark.parametrize("kind", ["goal", "measure", "action"])
def test_schemas_are_valid_json_schema(kind: str) -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMAS[kind])
    assert SCHEMAS[kind]["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_committed_schema_files_are_up_to_date() -> None:
    for name, text in schema_files().items():
        committed = ROOT / "schemas" / name
        assert committed.is_file(), f"schemas/{name} is missing: run pumpsite schema --out schemas"
        assert committed.read_text(encoding="utf-8") == text, (
            f"schemas/{name} is out of date: run pumpsite schema --out schemas"
        )


def test_every_example_file_matches_the_schema() -> None:
    files = sorted((ROOT / "measures").rglob("*.md"))
    assert len(files) > 10
    kinds = set()
    for path in files:
        data = frontmatter_of(path)
        kinds.add(data.get("kind", "measure"))
        assert schema_errors(data) == [], path
    assert kinds == {"action", "goal", "measure"}


CHURN = "measures/customers/customer-churn.md"
BROKEN = [
    pytest.param("better: down", "better: lower", "'lower' is not one of", id="not-allowed"),
    pytest.param("unit: ", "unti: ", "'unti' was unexpected", id="unknown-key"),
    pytest.param("title: Monthly customer churn\n", "", "'title' is a required", id="missing"),
    pytest.param("from: 2024-Q1", "from: 2024-03", "does not match", id="not-a-quarter"),
    pytest.param("target: 2.5", "target: lots", "is not of type 'number'", id="wrong-type"),
]


@pytest.mark.parametrize(("old", "new", "expected"), BROKEN)
def test_a_broken_file_is_rejected_by_the_schema_and_the_loader(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    root = copy_example(tmp_path / "repo")
    path = root / CHURN
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    errors = schema_errors(frontmatter_of(path))
    assert any(expected in error for error in errors), errors
    _, problems = load_repo(root)
    assert any(p.path == CHURN and p.is_error for p in problems)


def test_a_goal_with_measure_keys_is_rejected(tmp_path: Path) -> None:
    data = {"kind": "goal", "title": "Orders arrive on time", "frequency": "monthly"}
    assert any("'frequency' was unexpected" in e for e in schema_errors(data))


def test_cli_prints_one_schema(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["schema", "measure"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == SCHEMAS["measure"]


def test_cli_writes_every_schema(tmp_path: Path) -> None:
    out = tmp_path / "schemas"
    result = CliRunner().invoke(cli, ["schema", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "action.schema.json",
        "goal.schema.json",
        "measure.schema.json",
    ]
    assert json.loads((out / "goal.schema.json").read_text()) == SCHEMAS["goal"]
    assert "Wrote" in result.stderr


def test_cli_without_kind_or_out_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 2
    assert "goal or measure" in result.output


def test_cli_reports_an_unwritable_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = CliRunner().invoke(cli, ["schema", "--out", str(blocker / "schemas")])
    assert result.exit_code == 1
    assert "Cannot write the schema" in result.stderr
    assert "Traceback" not in result.output


def test_the_action_schema_rejects_what_the_loader_rejects() -> None:
    action = frontmatter_of(ROOT / "measures/actions/module-upgrade.md")
    assert schema_errors(action) == []
    wrong = {**action, "status": [{"status": "finished", "date": "2026-06-12"}]}
    assert schema_errors(wrong) == [
        "'finished' is not one of ['planned', 'running', 'done', 'dropped']"
    ]
    assert schema_errors({**action, "measures": []}) == ["[] should be non-empty"]
