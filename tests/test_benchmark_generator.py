"""The benchmark's synthetic repositories stay valid, so the benchmark cannot rot."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from click.testing import CliRunner

from pumpsite.cli import cli
from tests.example_site import ROOT, tree_snapshot


def _generator() -> ModuleType:
    name = "benchmark_generate"
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def test_a_generated_repository_passes_check_and_has_every_feature(tmp_path: Path) -> None:
    _generator().generate(tmp_path, measures=32, points=48, seed=1)
    result = CliRunner().invoke(cli, ["check", "--strict", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "No problems (4 goals, 32 measures, 4 actions)." in result.output
    text = "".join(p.read_text() for p in sorted((tmp_path / "measures").rglob("*.md")))
    features = ("parent: goal-", "role: improve", "phases:", "exclude:", "events:", "kind: action")
    for feature in features:
        assert feature in text, feature


def test_the_same_seed_gives_the_same_repository(tmp_path: Path) -> None:
    generator = _generator()
    generator.generate(tmp_path / "a", measures=6, points=30, seed=3)
    generator.generate(tmp_path / "b", measures=6, points=30, seed=3)
    generator.generate(tmp_path / "c", measures=6, points=30, seed=4)
    assert tree_snapshot(tmp_path / "a") == tree_snapshot(tmp_path / "b")
    assert tree_snapshot(tmp_path / "a") != tree_snapshot(tmp_path / "c")
