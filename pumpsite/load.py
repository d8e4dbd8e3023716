"""Load the repository: goals and measures, their data, the glossary and the site settings.

The only module that reads the user's files. `load_repo` never raises on bad input: every problem
comes back with the file, the line, a stable code and a sentence saying what was expected, what
was found and what to do, so that one `pumpsite check` shows everything wrong in a pull request.
"""

from __future__ import annotations

import difflib
import os
import posixpath
import re
import unicodedata
from pathlib import Path, PureWindowsPath
from typing import Any

from pumpsite import csvdata, frontmatter, yaml_values
from pumpsite.csvdata import (
    read_measure_csv,
    read_series_bytes,
    read_series_file,
    read_series_text,
)
from pumpsite.frontmatter import YAML_TRAP, short
from pumpsite.glossary import BUILTIN_GLOSSARY
from pumpsite.model import Goal, Measure, Problem, Repo, Series, sort_problems
from pumpsite.periods import FREQUENCIES, Frequency
from pumpsite.schema import GoalMeta, MeasureMeta, SiteSettings
from pumpsite.validation import Validator, describe, did_you_mean, trap_message
from pumpsite.yaml_values import YamlData

__all__ = [
    "PROBLEM_CODES",
    "load_repo",
    "read_series_bytes",
    "read_series_file",
    "read_series_text",
]

BAD_ID = "PS110"
DUPLICATE_ID = "PS111"
UNKNOWN_KIND = "PS112"
NO_MEASURES = "PS116"
BAD_LINK = "PS118"
DATA_OUTSIDE = "PS301"
NO_DATA_FILE = "PS302"
GLOSSARY_NOT_MAPPING = "PS501"
BAD_DEFINITION = "PS502"
NO_GLOSSARY = "PS503"
GLOSSARY_OUTSIDE = "PS504"
BAD_SETTINGS = "PS505"

_CODES: dict[str, str] = {
    BAD_ID: "A file name is not a valid id (it becomes a URL).",
    DUPLICATE_ID: "Two goal or measure files have the same name (the id).",
    UNKNOWN_KIND: "'kind' is neither goal nor measure.",
    NO_MEASURES: "The repository has no measures/ folder.",
    BAD_LINK: "A file is a symbolic link to outside the repository, or to itself.",
    DATA_OUTSIDE: "A measure's data path points outside the repository.",
    NO_DATA_FILE: "A measure's CSV file does not exist.",
    GLOSSARY_NOT_MAPPING: "The glossary is not a mapping of term: definition.",
    BAD_DEFINITION: "A glossary definition is not text.",
    NO_GLOSSARY: "The glossary file set in extra: pumpsite: glossary does not exist.",
    GLOSSARY_OUTSIDE: "The glossary path points outside the repository.",
    BAD_SETTINGS: "mkdocs.yml, its extra: or extra: pumpsite: is not a mapping.",
}

PROBLEM_CODES: dict[str, str] = dict(
    sorted({**frontmatter.CODES, **_CODES, **csvdata.CODES}.items())
)
"""Every problem code the loader reports, with a one-line description (for the docs)."""

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
"""A valid goal or measure id (the file name without .md), which becomes part of a URL."""
_DEFAULT_GLOSSARY = "glossary.yml"


def load_repo(root: Path) -> tuple[Repo, list[Problem]]:
    """The repository at `root` and every problem found in its files, sorted."""
    loader = _Loader(root)
    site_config, settings, settings_doc = loader.settings()
    glossary = loader.glossary(settings, settings_doc)
    templates = loader.templates()
    documents = loader.documents()
    repo = Repo(
        root=root,
        goals={d.id: d for d in documents if isinstance(d, Goal)},
        measures={d.id: d for d in documents if isinstance(d, Measure)},
        glossary=glossary,
        settings=settings,
        site_config=site_config,
        templates=templates,
        broken=loader.broken,
    )
    return repo, sort_problems(loader.problems)


# --- the loader -----------------------------------------------------------------------------------


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9_-]+", "-", ascii_name).strip("-_").lower()


def _goals_named(data: dict[str, Any]) -> frozenset[str] | None:
    """The goal ids a goal or measure file names (its parent, its goal); None when unknown."""
    kind = data.get("kind", "measure")
    key = {"goal": "parent", "measure": "goal"}.get(kind) if isinstance(kind, str) else None
    ref = data.get(key) if key else None
    if isinstance(ref, str):
        return frozenset({ref})
    return frozenset() if key == "parent" and ref is None else None


class _Loader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.real_root = root.resolve()
        self.problems: list[Problem] = []
        self.refs: dict[str, frozenset[str] | None] = {}  # path -> goal ids it names
        self.broken: dict[str, frozenset[str] | None] = {}  # see Repo.broken

    def problem(self, path: str, line: int | None, code: str, message: str) -> None:
        self.problems.append(Problem(path, line, code, message))

    # --- files

    def link_problem(self, path: Path) -> str | None:
        """Why a path is a symbolic link that cannot be followed, if it is one."""
        try:
            if path.resolve().is_relative_to(self.real_root):
                return None
        except (OSError, RuntimeError):  # RuntimeError: a symlink loop
            return "is a symbolic link that points to itself"
        return "is a symbolic link to a file outside the repository"

    def read_text(self, rel: str, hint: str = "") -> str | None:
        path = self.root / rel
        link = self.link_problem(path)
        if link:
            message = (
                f"The file {link}: expected a regular file inside the repository. "
                "Replace the link with the file."
            )
            self.problem(rel, None, BAD_LINK, message)
            return None
        try:
            data = path.read_bytes()
        except OSError as error:
            message = f"The file cannot be read: {error.strerror}."
            self.problem(rel, None, frontmatter.UNREADABLE, message)
            return None
        text, problems = frontmatter.decode_text(data, rel, hint)
        self.problems += problems
        return text

    def walk(self, folder: str, suffix: str = "") -> list[str]:
        """Repo-relative paths of the files under `folder`, skipping hidden ones; sorted."""
        found = []
        for dirpath, dirnames, filenames in os.walk(self.root / folder):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            rel_dir = Path(dirpath).relative_to(self.root).as_posix()
            found += [
                f"{rel_dir}/{name}"
                for name in filenames
                if name.endswith(suffix) and not name.startswith(".")
            ]
        return sorted(found)

    def resolve_ref(self, ref: str) -> tuple[str, str | None]:
        """A path written in a file: normalised, and why it is not inside the repository."""
        text = ref.replace("\\", "/")
        norm = posixpath.normpath(text)
        if text.startswith("/") or PureWindowsPath(ref).drive:
            return norm, "is absolute"
        if norm == ".." or norm.startswith("../"):
            return norm, "points outside the repository"
        return norm, self.link_problem(self.root / norm)

    # --- settings, glossary, templates

    def settings(self) -> tuple[dict[str, Any], SiteSettings, YamlData | None]:
        if not (self.root / "mkdocs.yml").exists():
            return {}, SiteSettings(), None
        text = self.read_text("mkdocs.yml")
        if text is None:
            return {}, SiteSettings(), None
        value, node, problems = yaml_values.load_tolerant(text, "mkdocs.yml")
        self.problems += problems
        if value is None:
            return {}, SiteSettings(), None
        if not isinstance(value, dict):
            message = (
                f"mkdocs.yml is {describe(value)}, not a mapping: "
                "expected settings like site_name: Our measures."
            )
            self.problem("mkdocs.yml", 1, BAD_SETTINGS, message)
            return {}, SiteSettings(), None
        extra, extra_node = value.get("extra"), yaml_values.child_node(node, "extra")
        pumpsite = extra.get("pumpsite") if isinstance(extra, dict) else None
        for key, found, parent in (("extra", extra, node), ("pumpsite", pumpsite, extra_node)):
            if found is not None and not isinstance(found, dict):
                message = (
                    f"'{key}' in mkdocs.yml expects a mapping of settings, got {describe(found)}."
                )
                line = yaml_values.key_line(parent, key)
                self.problem("mkdocs.yml", line, BAD_SETTINGS, message)
                return value, SiteSettings(), None
        pumpsite_node = yaml_values.child_node(extra_node, "pumpsite")
        if pumpsite is None or pumpsite_node is None:
            return value, SiteSettings(), None
        doc, problems = yaml_values.build_node(pumpsite_node, "mkdocs.yml", ("extra", "pumpsite"))
        self.problems += problems
        validator = Validator(doc, "mkdocs.yml", ("extra", "pumpsite"))
        settings = validator.validate(SiteSettings)
        self.problems += validator.problems
        return value, settings or SiteSettings(), doc

    def glossary(self, settings: SiteSettings, settings_doc: YamlData | None) -> dict[str, str]:
        terms = dict(BUILTIN_GLOSSARY)
        ref = settings.glossary
        line = settings_doc.line(("extra", "pumpsite", "glossary")) if settings_doc else None
        rel, outside = self.resolve_ref(ref)
        if outside:
            message = f"The glossary path '{ref}' {outside}: expected a path inside the repository."
            self.problem("mkdocs.yml", line, GLOSSARY_OUTSIDE, message)
            return terms
        if not (self.root / rel).exists():
            if ref != _DEFAULT_GLOSSARY:
                message = (
                    f"Glossary file '{rel}' does not exist: expected a YAML file of "
                    "'term: definition' lines. Create it, or fix glossary: in extra: pumpsite:."
                )
                self.problem("mkdocs.yml", line, NO_GLOSSARY, message)
            return terms
        text = self.read_text(rel)
        if not text:
            return terms
        doc, problems = yaml_values.parse_yaml(text, rel)
        self.problems += problems
        if doc is None or doc.value is None:
            return terms
        if not isinstance(doc.value, dict):
            message = (
                f"The glossary is {describe(doc.value)}, not a mapping: "
                "expected one 'term: definition' per line."
            )
            self.problem(rel, 1, GLOSSARY_NOT_MAPPING, message)
            return terms
        for term, definition in doc.value.items():
            self.add_term(terms, rel, doc, term, definition)
        return terms

    def add_term(
        self, terms: dict[str, str], rel: str, doc: YamlData, term: str, definition: object
    ) -> None:
        line = doc.line((term,))
        if doc.is_refused((term,)):
            return
        if definition is None or (isinstance(definition, str) and not definition.strip()):
            terms.pop(term, None)  # an empty definition removes a built-in term
        elif isinstance(definition, str):
            terms[term] = definition.strip()
        elif (term,) in doc.plain:
            self.problem(
                rel, line, YAML_TRAP, trap_message((term,), doc.plain[(term,)], definition)
            )
        else:
            message = f"'{term}' expects a definition (text), got {describe(definition)}."
            self.problem(rel, line, BAD_DEFINITION, message)

    def templates(self) -> dict[str, str]:
        folder = "site_templates"
        templates = {}
        for rel in self.walk(folder) if (self.root / folder).is_dir() else []:
            text = self.read_text(rel)
            if text is not None:
                templates[rel.removeprefix(folder + "/")] = text
        return templates

    # --- goals and measures

    def documents(self) -> list[Goal | Measure]:
        if not (self.root / "measures").is_dir():
            message = (
                "There is no measures/ folder: expected goal and measure files in measures/. "
                "Run pumpsite init, or create the folder."
            )
            self.problem("measures", None, NO_MEASURES, message)
            return []
        paths = self.walk("measures", ".md")
        skip, unsettled = self.check_ids(paths)
        loaded = [self.document(rel, with_data=rel not in unsettled) for rel in paths]
        for rel, item in zip(paths, loaded, strict=True):
            if item is None or rel in skip:
                self.broken[posixpath.basename(rel).removesuffix(".md")] = self.refs.get(rel)
        return [item for rel, item in zip(paths, loaded, strict=True) if item and rel not in skip]

    def check_ids(self, paths: list[str]) -> tuple[set[str], set[str]]:
        """Report invalid and duplicate ids. Returns the paths not to load into the repository,
        and the paths whose id will change (their default data path with it)."""
        skip: set[str] = set()
        unsettled: set[str] = set()
        by_id: dict[str, list[str]] = {}
        for rel in paths:
            file_id = posixpath.basename(rel).removesuffix(".md")
            by_id.setdefault(file_id.casefold(), []).append(rel)
            if not ID_PATTERN.fullmatch(file_id):
                slug = slugify(file_id)
                rename = f"{slug}.md" if slug else "a name like on-time-delivery.md"
                message = (
                    f"Invalid id '{file_id}': the file name becomes a URL, so expected letters, "
                    f"digits, '-' and '_', starting with a letter or digit. Rename it to {rename}."
                )
                self.problem(rel, None, BAD_ID, message)
                skip.add(rel)
        for same in by_id.values():
            if len(same) < 2:
                continue
            skip.update(same[1:])  # the first (in path order) is loaded
            unsettled.update(same)
            for rel in same:
                others = ", ".join(other for other in same if other != rel)
                file_id = posixpath.basename(rel).removesuffix(".md")
                message = (
                    f"Duplicate id '{file_id}': {others} has the same file name, and ids must be "
                    "unique across measures/ (folders do not count). Rename one of them."
                )
                self.problem(rel, None, DUPLICATE_ID, message)
        return skip, unsettled | skip

    def document(self, rel: str, with_data: bool = True) -> Goal | Measure | None:
        """The goal or measure in a file; without its data when its id is invalid or shared (the
        default data path follows the id, which will change when the file is renamed)."""
        text = self.read_text(rel)
        if text is None:
            return None
        split, problems = frontmatter.split_frontmatter(text, rel)
        self.problems += problems
        if split is None:
            return None
        doc, problems = yaml_values.parse_yaml(split.yaml, rel, split.yaml_line, root_line=1)
        self.problems += problems
        if doc is None:
            return None
        if not isinstance(doc.value, dict):
            shape = "empty" if doc.value is None else f"{describe(doc.value)}, not a mapping"
            message = f"The frontmatter is {shape}: expected keys like 'title: ...', one per line."
            self.problem(rel, 1, frontmatter.FRONTMATTER, message)
            return None
        self.refs[rel] = _goals_named(doc.value)
        return self.typed_document(rel, doc, doc.value, split.body, with_data)

    def typed_document(
        self, rel: str, doc: YamlData, data: dict[str, Any], body: str, with_data: bool
    ) -> Goal | Measure | None:
        file_id = posixpath.basename(rel).removesuffix(".md")
        kind = data.get("kind", "measure")
        frequency = data.get("frequency")
        context = {"frequency": frequency if frequency in FREQUENCIES else None}
        validator = Validator(doc, rel)
        lines = {".".join(map(str, at)): line for at, line in doc.lines.items() if at}
        if kind == "goal":
            goal = validator.validate(GoalMeta, context)
            self.problems += validator.problems
            return Goal(file_id, rel, goal, body, lines) if goal else None
        if kind != "measure":
            got = f"'{short(kind)}'" if isinstance(kind, str) else describe(kind)
            hint = did_you_mean(kind, ["goal", "measure"])
            message = f"Unknown kind {got}: expected goal or measure (the default).{hint}"
            self.problem(rel, doc.line(("kind",)), UNKNOWN_KIND, message)
            return None
        measure = validator.validate(MeasureMeta, context)
        self.problems += validator.problems
        if measure is not None and not with_data:
            return Measure(file_id, rel, measure, body, f"data/{file_id}.csv", None, lines)
        if measure is not None:
            data_path, series = self.series(
                rel, file_id, doc, measure.data, measure.column, measure.frequency
            )
            return Measure(file_id, rel, measure, body, data_path, series, lines)
        if with_data and frequency in FREQUENCIES:  # check the data anyway, with raw settings
            ref, column = data.get("data"), data.get("column")
            self.series(
                rel,
                file_id,
                doc,
                ref if isinstance(ref, str) and ref else None,
                column if isinstance(column, str) and column else "value",
                frequency,
            )
        return None

    # --- data

    def series(
        self,
        rel: str,
        file_id: str,
        doc: YamlData,
        ref: str | None,
        column: str,
        frequency: Frequency,
    ) -> tuple[str, Series | None]:
        default = f"data/{file_id}.csv"
        line = doc.line(("data",)) if ref else 1
        data_path, outside = self.resolve_ref(ref or default)
        if outside:
            fix = (
                "a regular file inside the repository. Replace the link with the file."
                if "symbolic link" in outside
                else f"a path inside the repository, like {default}."
            )
            message = f"Data path '{ref or default}' {outside}: expected {fix}"
            self.problem(rel, line, DATA_OUTSIDE, message)
            return data_path, None
        path = self.root / data_path
        if not path.exists():
            self.problem(rel, line, NO_DATA_FILE, self.missing_data(data_path, column))
            return data_path, None
        series, problems = read_measure_csv(path, data_path, column, frequency)
        self.problems += problems
        if any(p.is_error for p in problems):
            return data_path, None  # nothing downstream computes on part of the data
        return data_path, series

    def missing_data(self, data_path: str, column: str) -> str:
        candidates: set[str] = set()
        for folder in {"data", posixpath.dirname(data_path)}:
            try:
                names = [p.name for p in (self.root / folder).iterdir() if p.is_file()]
            except OSError:
                continue
            prefix = f"{folder}/" if folder else ""
            candidates |= {prefix + name for name in names if name.lower().endswith(".csv")}
        close = difflib.get_close_matches(data_path, sorted(candidates), n=1, cutoff=0.6)
        if close:
            return f"Data file '{data_path}' does not exist. Did you mean '{close[0]}'?"
        return (
            f"Data file '{data_path}' does not exist: expected a CSV file with a header row like "
            f"period,{column}. Create it, or set data: to the measure's CSV file."
        )
