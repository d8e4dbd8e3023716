"""The corpus of bad repositories (tests/corpus/): every case reports exactly its problems, at once,
without a traceback, and leaves the user's files and the previous site as they were.

A case is a folder laid over the small valid repository in `tests/corpus/_base/`, with an
`expected.txt` listing every problem `pumpsite check` must report (see tests/corpus/README.md).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pumpsite.build.outputs import mark_site
from pumpsite.cli import cli
from pumpsite.load.repo import load_repo

CORPUS = Path(__file__).parent / "corpus"
BASE = CORPUS / "_base"
AS_OF = "2026-01-15"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir() and not p.name.startswith("_"))

Expected = tuple[str, int | None, str, str]  # path, line, code, severity
_PROBLEM = re.compile(
    r"^(?P<path>[^:]+?)(?::(?P<line>\d+))?: (?P<code>PS\d+)(?P<warn> \(warning\))?$"
)
_REPORTED = re.compile(
    r"^(?P<path>.+?)(?::(?P<line>\d+))?: (?P<sev>error|warning): .* \[(?P<code>PS\d+)\]$"
)


# --- files too big or too odd to keep in git, made by the test -----------------------------------


def _rows(header: str, row: Callable[[int], str]) -> bytes:
    return ("\n".join([header, *(row(month) for month in range(1, 13))]) + "\n").encode()


GENERATORS: dict[str, Callable[[], bytes]] = {
    # 5,000 columns; the value column is one of them (a wide export is fine)
    "wide_with_value": lambda: _rows(
        ",".join(["period", *(f"c{i}" for i in range(4998)), "value"]),
        lambda m: ",".join([f"2025-{m:02d}", *("1" for _ in range(4998)), f"9{m % 5}.5"]),
    ),
    # 5,000 columns and none is 'value'
    "wide_without_value": lambda: _rows(
        ",".join(["period", *(f"c{i}" for i in range(4999))]),
        lambda m: ",".join([f"2025-{m:02d}", *("1" for _ in range(4999))]),
    ),
    # a note of 200,000 characters: long, but a legal cell
    "long_note": lambda: _rows(
        "period,value,note",
        lambda m: f"2025-{m:02d},9{m % 5}.5," + ("x" * 200_000 if m == 3 else ""),
    ),
    # an unclosed quote swallows the rest of a 2 MB file: a cell over the 1 MB limit
    "unclosed_quote_2mb": lambda: (
        b'period,value,note\n2025-01,92.1,\n2025-02,94.2,"never closed\n'
        + b"filler line of a long file\n" * 80_000
    ),
    # 100,001 monthly rows from the year 1: one more than a measure's CSV may have
    "rows_100001": lambda: (
        "period,value\n"
        + "".join(f"{1 + n // 12:04}-{n % 12 + 1:02},{n % 7}\n" for n in range(100_001))
    ).encode(),
    # a measure file whose one line is 110,000 characters long, with a syntax error at its end
    "long_frontmatter_line": lambda: (
        "---\ntitle: Orders delivered on time\ngoal: g\nfrequency: monthly\nbetter: up\n"
        "owner: " + "Dana Ortiz " * 10_000 + ": oops\n---\n"
    ).encode(),
}


# --- reading a case ------------------------------------------------------------------------------


@dataclass
class Case:
    name: str
    problems: set[Expected] = field(default_factory=set)
    delete: list[str] = field(default_factory=list)
    symlinks: list[tuple[str, str]] = field(default_factory=list)
    generate: list[tuple[str, str]] = field(default_factory=list)
    same_values: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return not any(severity == "error" for *_, severity in self.problems)


def read_case(name: str) -> Case:
    case = Case(name)
    for raw in (CORPUS / name / "expected.txt").read_text().splitlines():
        line = raw.split("#", 1)[0].strip() if not raw.startswith("#") else ""
        if not line:
            continue
        directive, _, rest = line.partition(": ")
        if directive == "delete":
            case.delete.append(rest)
        elif directive == "symlink":
            link, target = rest.split(" -> ")
            case.symlinks.append((link, target))
        elif directive == "generate":
            path, generator = rest.split()
            case.generate.append((path, generator))
        elif directive == "same-values":
            case.same_values.append(rest)
        else:
            match = _PROBLEM.match(line)
            assert match, f"{name}/expected.txt: cannot read {line!r}"
            number = int(match["line"]) if match["line"] else None
            severity = "warning" if match["warn"] else "error"
            case.problems.add((match["path"], number, match["code"], severity))
    return case


def make_case(case: Case, tmp_path: Path) -> Path:
    """The case's repository at tmp_path/repo, and a file outside it at tmp_path/outside."""
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy2(BASE / "data" / "m.csv", outside / "secret.csv")
    (outside / "x.md").write_bytes((BASE / "measures" / "m.md").read_bytes())
    root = tmp_path / "repo"
    shutil.copytree(BASE, root)
    for rel in case.delete:
        target = root / rel
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    overlay = CORPUS / case.name
    for source in sorted(overlay.rglob("*")):
        rel = source.relative_to(overlay).as_posix()
        if source.is_file() and rel != "expected.txt":
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, root / rel)
    for rel, generator in case.generate:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(GENERATORS[generator]())
    for rel, target in case.symlinks:
        link = root / rel
        link.parent.mkdir(parents=True, exist_ok=True)
        if link.exists() or link.is_symlink():
            link.unlink()
        link.symlink_to(target.replace("{outside}", str(outside)))
    return root


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every file's bytes and every link's target under `folder`, without following links."""
    found: dict[str, bytes | str] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in [*dirnames, *filenames]:
            path = Path(dirpath) / name
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink():
                found[rel] = "-> " + os.readlink(path)
            elif path.is_file():
                found[rel] = path.read_bytes()
            else:
                found[rel] = "<dir>"
    return found


def reported(result: Result) -> set[Expected]:
    problems = set()
    for line in result.output.splitlines():
        if match := _REPORTED.match(line):
            number = int(match["line"]) if match["line"] else None
            path = "" if match["path"] == "." else match["path"]
            problems.add((path, number, match["code"], match["sev"]))
    return problems


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def seed_site(root: Path) -> None:
    """A previously built site (only its shape matters: a failed build must not touch it)."""
    site = root / "site"
    (site / "measures" / "m").mkdir(parents=True)
    mark_site(site)
    (site / "index.html").write_text("<html><body>The previous site.</body></html>")
    (site / "measures" / "m" / "index.html").write_text("<html><body>A chart.</body></html>")
    (site / "marker.txt").write_bytes(b"built yesterday\n")


# --- the tests -----------------------------------------------------------------------------------


def test_the_base_repository_is_clean() -> None:
    result = run("check", str(BASE), "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 60
    assert sum(1 for name in CASES if not read_case(name).accepted) >= 60


# Templates that run until a limit stops them, and inputs made large on purpose.
SLOW_CASES = frozenset(
    {
        *("in-csv-too-many-rows", "in-glossary-too-many-terms", "md-very-long-line"),
        *("template-changes-shared-list", "template-includes-itself", "template-loop-without-end"),
        *("template-macros-missing", "template-page-too-large"),
    }
)


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW_CASES else n for n in CASES]
)
def test_corpus_case(name: str, tmp_path: Path) -> None:
    case = read_case(name)
    root = make_case(case, tmp_path)
    seed_site(root)
    before = snapshot(tmp_path)

    checked = run("check", str(root), "--as-of", AS_OF, "--format", "json")
    rows = json.loads(checked.stdout)
    found = {(r["path"], r["line"], r["code"], r["severity"]) for r in rows}
    assert found == case.problems, "\n".join(
        f"{r['path']}:{r['line']}: {r['message']}" for r in rows
    )
    assert checked.exit_code == (0 if case.accepted else 1)
    assert all(r["message"].strip() for r in rows)

    if case.accepted:
        for measure_id in case.same_values:
            assert _values(root, measure_id) == _values(BASE, measure_id)
    else:
        built = run("build", str(root), "--as-of", AS_OF)
        assert built.exit_code == 1
        assert "The previous site is unchanged" in built.output
        assert reported(built) == case.problems
    assert snapshot(tmp_path) == before  # user files, the outside file and site/ untouched


def _values(root: Path, measure_id: str) -> list[tuple[str, float | None, str]]:
    repo, _ = load_repo(root)
    series = repo.measures[measure_id].series
    assert series is not None
    return [(str(o.period), o.value, o.note) for o in series.observations]
