"""LoadMemo: what `pumpsite serve` keeps between rebuilds gives exactly what a fresh load gives,
re-reads only what changed (by content, not modification time), and holds nothing the
repository no longer has."""

from __future__ import annotations

import gc
import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from pumpsite.checks.inspection import GC_THRESHOLD, fewer_collections, inspect
from pumpsite.load.memo import LoadMemo
from pumpsite.load.repo import load_repo
from tests.example_site import copy_example
from tests.test_corpus import CASES, make_case, read_case

TODAY = date(2026, 11, 30)


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "example")


def _a_csv(root: Path) -> Path:
    return sorted((root / "data").glob("*.csv"))[0]


def test_a_memo_load_is_a_fresh_load_and_a_second_one_reads_nothing_again(example: Path) -> None:
    memo = LoadMemo()
    fresh = load_repo(example)
    assert load_repo(example, memo) == fresh
    assert memo.hits == 0 and memo.misses > 0
    memo.settle()
    again = load_repo(example, memo)
    assert again == fresh
    assert memo.misses == 0 and memo.hits > 0
    first = load_repo(example, memo)[0]
    for measure_id, measure in again[0].measures.items():  # the very objects: nothing re-read
        assert first.measures[measure_id].meta is measure.meta
        assert first.measures[measure_id].series is measure.series


def test_an_edited_csv_is_read_again_even_with_the_same_size_and_time(example: Path) -> None:
    memo = LoadMemo()
    inspect(example, today=TODAY, memo=memo)
    csv = _a_csv(example)
    before = os.stat(csv)
    data = csv.read_bytes()
    digit = next(i for i in range(len(data) - 1, 0, -1) if data[i : i + 1].isdigit())
    changed = b"1" if data[digit : digit + 1] != b"1" else b"2"
    csv.write_bytes(data[:digit] + changed + data[digit + 1 :])  # same size
    os.utime(csv, ns=(before.st_atime_ns, before.st_mtime_ns))  # same modification time
    repo, problems = load_repo(example, memo)
    assert memo.misses == 1  # that one table
    assert (repo, problems) == load_repo(example)


def test_analyses_are_kept_for_unchanged_measures_and_redone_for_a_changed_one(
    example: Path,
) -> None:
    memo = LoadMemo()
    first = inspect(example, today=TODAY, memo=memo)
    second = inspect(example, today=TODAY, memo=memo)
    assert second.analyses == first.analyses
    assert all(second.analyses[k] is first.analyses[k] for k in first.analyses)
    csv = _a_csv(example)
    lines = csv.read_text().splitlines()
    period, value, *rest = lines[-1].split(",")
    lines[-1] = ",".join([period, str(float(value) + 1000), *rest])
    csv.write_text("\n".join(lines) + "\n")
    third = inspect(example, today=TODAY, memo=memo)
    fresh = inspect(example, today=TODAY)
    assert third.analyses == fresh.analyses and third.problems == fresh.problems
    edited = {k for k in fresh.analyses if third.analyses[k] is not first.analyses[k]}
    measure = next(m for m in fresh.repo.measures.values() if m.data_path.endswith(csv.name))
    assert edited == {measure.id}


def test_the_memo_holds_only_the_files_of_the_latest_load(example: Path) -> None:
    memo = LoadMemo()
    inspect(example, today=TODAY, memo=memo)
    held = len(memo)
    template = next((example / "measures").rglob("*.md")).read_text()
    extra = example / "measures" / "extra"
    extra.mkdir()
    for n in range(30):  # files come and go, as a hostile branch's may
        (extra / f"copy-{n}.md").write_text(template)
        (example / "data" / f"copy-{n}.csv").write_bytes(_a_csv(example).read_bytes())
    inspect(example, today=TODAY, memo=memo)
    assert len(memo) > held
    shutil.rmtree(extra)
    inspect(example, today=TODAY, memo=memo)
    assert len(memo) == held
    (example / "measures").rename(example / "gone")
    inspect(example, today=TODAY, memo=memo)
    assert len(memo) == 0


def test_the_same_bytes_under_two_names_are_two_entries(repo_of: object) -> None:
    """An entry is found by its path and its bytes: a file cannot stand for another one."""
    measure = "---\ntitle: {t}\ngoal: g\nfrequency: monthly\nbetter: up\n---\n"
    files = {
        "measures/g.md": "---\nkind: goal\ntitle: G\n---\n",
        "measures/a.md": measure.format(t="A"),
        "measures/b.md": measure.format(t="B"),
        "data/a.csv": "period,value\n2025-01,x\n",
        "data/b.csv": "period,value\n2025-01,x\n",
    }
    root = repo_of(files)  # type: ignore[operator]
    memo = LoadMemo()
    assert load_repo(root, memo) == load_repo(root)
    _, problems = load_repo(root, memo)
    assert sorted(p.path for p in problems if p.code == "PS305") == ["data/a.csv", "data/b.csv"]


@pytest.mark.parametrize("name", CASES)
def test_every_bad_corpus_case_loads_the_same_through_the_memo(name: str, tmp_path: Path) -> None:
    root = make_case(read_case(name), tmp_path)
    memo = LoadMemo()
    fresh = load_repo(root)
    assert load_repo(root, memo) == fresh
    memo.settle()
    assert load_repo(root, memo) == fresh


def test_inspecting_collects_garbage_less_often_and_then_as_before(example: Path) -> None:
    before = gc.get_threshold()
    with pytest.raises(KeyError), fewer_collections():
        assert gc.get_threshold()[0] >= GC_THRESHOLD
        assert gc.get_threshold()[1:] == before[1:]
        raise KeyError
    assert gc.get_threshold() == before
    inspect(example, today=TODAY)
    assert gc.get_threshold() == before
