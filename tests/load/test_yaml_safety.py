"""YAML is read safely: no tag builds a Python object, and alias bombs ('billion laughs') are
refused within a memory and time bound, in every YAML file pumpsite reads."""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
import yaml

from pumpsite.load.repo import load_repo
from pumpsite.load.yaml_values import MAX_EXPANDED_NODES, build_node, load_tolerant

BASE = Path(__file__).parents[1] / "corpus" / "_base"
MEMORY_BOUND = 1 << 30  # address space of the whole `pumpsite build` process
TIME_BOUND = 120  # seconds; a refused bomb takes well under one


def bomb(levels: int, indent: str = "") -> str:
    """`levels` anchors, each a list of nine aliases of the one before: 9**levels strings."""
    lines = [f"{indent}a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels):
        lines.append(f"{indent}a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]")
    return "\n".join(lines) + "\n"


BOMBS = {
    "mkdocs.yml": "site_name: Bomb\nextra:\n" + bomb(10, "  "),
    "glossary.yml": bomb(10),
    "measures/m.md": "---\ntitle: Bomb\n" + bomb(10) + "---\n",
}


def repo(tmp_path: Path, rel: str, text: str) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(BASE, root)
    (root / rel).write_text(text)
    return root


@pytest.mark.parametrize("rel", sorted(BOMBS))
def test_an_alias_bomb_is_refused_with_little_memory(tmp_path: Path, rel: str) -> None:
    root = repo(tmp_path, rel, BOMBS[rel])
    tracemalloc.start()
    try:
        _, problems = load_repo(root)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [(p.path, p.code) for p in problems if p.is_error] == [(rel, "PS113")]
    assert peak < 20 * 1024 * 1024  # the 3.5 billion strings are never made


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BOUND, MEMORY_BOUND))


@pytest.mark.slow
def test_build_refuses_an_alias_bomb_within_bounds(tmp_path: Path) -> None:
    """In a process limited to 1 GiB: before the fix, mkdocs.yml's aliases reached the engine,
    and a bomb of nine levels took it 6 GB and 85 s to build."""
    root = repo(tmp_path, "mkdocs.yml", BOMBS["mkdocs.yml"])
    result = subprocess.run(
        [sys.executable, "-c", "from pumpsite.cli import main; main()", "build", str(root)],
        preexec_fn=_limit_memory,
        capture_output=True,
        text=True,
        timeout=TIME_BOUND,
    )
    assert result.returncode == 1, result.stderr
    assert "[PS113]" in result.stdout and "Traceback" not in result.stderr
    assert not (root / "site").exists()


def test_aliases_within_reason_are_allowed_in_mkdocs_yml() -> None:
    text = "x: &shared {a: 1}\ny: *shared\n" + bomb(5)  # 9**5 = 59,049 values
    value, _, problems = load_tolerant(text, "mkdocs.yml")
    assert problems == [] and isinstance(value, dict) and value["y"] == {"a": 1}
    assert MAX_EXPANDED_NODES < 9**6  # a level more is refused
    assert [p.code for p in load_tolerant(bomb(6), "mkdocs.yml")[2]] == ["PS113"]


def test_a_recursive_alias_is_measured_not_followed() -> None:
    value, _, problems = load_tolerant("a: &a [*a, *a]\n", "mkdocs.yml")
    assert problems == [] and isinstance(value, dict)


PYTHON_TAGS = [
    "!!python/object/apply:os.system ['touch {marker}']",
    "!!python/object/new:os.system ['touch {marker}']",
    "!!python/object:os.system {{}}",
    "!!python/module:os",
]


@pytest.mark.parametrize("tag", PYTHON_TAGS)
@pytest.mark.parametrize("rel", ["mkdocs.yml", "glossary.yml", "measures/m.md"])
def test_python_tags_are_problems_never_objects(tmp_path: Path, rel: str, tag: str) -> None:
    marker = tmp_path / "pwned"
    value = tag.format(marker=marker)
    text = {
        "mkdocs.yml": f"site_name: x\nextra:\n  evil: {value}\n",
        "glossary.yml": f"Evil: {value}\n",
        "measures/m.md": (BASE / "measures" / "m.md")
        .read_text()
        .replace("owner: Dana Ortiz", f"owner: {value}"),
    }[rel]
    _, problems = load_repo(repo(tmp_path, rel, text))
    assert [(p.path, p.code) for p in problems if p.is_error] == [(rel, "PS114")]
    assert not marker.exists()


def test_python_name_stays_allowed_in_mkdocs_yml() -> None:
    """Material's documented emoji setting: the engine imports a name, and builds nothing."""
    text = "markdown_extensions:\n  - pymdownx.emoji:\n      emoji_index: !!python/name:x.y\n"
    assert load_tolerant(text, "mkdocs.yml")[2] == []


def test_a_character_written_as_its_two_utf16_halves_is_that_character() -> None:
    node = yaml.compose('unit: "\\ud800\\udc00 cases"')
    assert node is not None
    data, problems = build_node(node, "measures/m.md", ())
    assert data.value == {"unit": "\U00010000 cases"}
    assert problems == []


def test_half_a_utf16_pair_is_a_problem_not_a_crash_later() -> None:
    node = yaml.compose('unit: "a \\ud800 b"')
    assert node is not None
    data, problems = build_node(node, "measures/m.md", ())
    assert data.value == {"unit": "a \ufffd b"}
    assert [(p.line, p.code, p.message) for p in problems] == [
        (
            1,
            "PS105",
            "'unit' holds half of a UTF-16 pair (a \\u escape from D800 to DFFF): expected whole "
            "characters. Write the character itself, or both halves of its pair.",
        )
    ]
