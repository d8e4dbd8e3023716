"""Load the repository: goals and measures, their data, the glossary and the site settings.

The only module that reads the user's files. `load_repo` never raises on bad input: every problem
comes back with the file, the line, a stable code and a sentence saying what was expected, what
was found and what to do, so that one `pumpsite check` shows everything wrong in a pull request.
"""

from __future__ import annotations

import os
import posixpath
import re
import unicodedata
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path, PureWindowsPath
from typing import Any

from pumpsite.git import GitError, run_git
from pumpsite.load import yaml_values
from pumpsite.load.csvdata import (
    read_measure_bytes,
    read_measure_csv,
    read_series_bytes,
    read_series_file,
    read_series_text,
    small_file,
)
from pumpsite.load.document import ParsedFile, parse_file
from pumpsite.load.glossary import BUILTIN_GLOSSARY
from pumpsite.load.memo import LoadMemo, digest
from pumpsite.load.text import decode_text
from pumpsite.load.validation import Validator, describe, trap_message
from pumpsite.load.yaml_values import YamlData
from pumpsite.model import (
    Action,
    Goal,
    GoalReference,
    Measure,
    Repo,
    Series,
    default_data_path,
)
from pumpsite.numbers import listed
from pumpsite.periods import Frequency
from pumpsite.problems import (
    BAD_DEFINITION,
    BAD_ID,
    BAD_LINK,
    BAD_SETTINGS,
    DATA_OUTSIDE,
    DUPLICATE_ID,
    GLOSSARY_NOT_MAPPING,
    GLOSSARY_OUTSIDE,
    LONG_DEFINITION,
    LONG_TERM,
    NO_DATA_FILE,
    NO_GLOSSARY,
    NO_MEASURES,
    RESERVED_ID,
    TOO_MANY_TERMS,
    UNREADABLE,
    YAML_TRAP,
    Problem,
    did_you_mean,
    short,
    sort_problems,
)
from pumpsite.render.paths import RESERVED_IDS
from pumpsite.schema import ActionMeta, GoalMeta, MeasureMeta, SiteSettings

__all__ = [
    "load_repo",
    "read_series_bytes",
    "read_series_file",
    "read_series_text",
]

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
"""A valid goal or measure id (the file name without .md), which becomes part of a URL."""
_DEFAULT_GLOSSARY = "glossary.yml"
MAX_TERMS = 500
MAX_TERM_LENGTH = 100
MAX_DEFINITION_LENGTH = 1_000
"""Glossary bounds, generous for real use (a term is a word or a short phrase, a definition a
few sentences): every page carries the definitions of the terms it mentions as tooltips."""


def load_repo(root: Path, memo: LoadMemo | None = None) -> tuple[Repo, list[Problem]]:
    """The repository at `root` and every problem found in its files, sorted. With a `memo`
    (`pumpsite serve`), a file whose bytes did not change since the memo's last load is not
    parsed again."""
    loader = _Loader(root, memo)
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
        broken_references=tuple(loader.broken_references),
        actions={d.id: d for d in documents if isinstance(d, Action)},
    )
    return repo, sort_problems(loader.problems)


def _kept(read: tuple[Series | None, list[Problem]]) -> tuple[Series | None, Sequence[Problem]]:
    """A CSV file's reading as the memo keeps it: nothing in it can change afterwards."""
    return read[0], tuple(read[1])


# --- the loader -----------------------------------------------------------------------------------


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9_-]+", "-", ascii_name).strip("-_").lower()


def _hidden(rel: str) -> str | None:
    """Where `rel` is hidden ("a hidden file", "in a hidden folder, .git"); None if it is not."""
    parts = rel.split("/")
    hidden = [i for i, part in enumerate(parts) if part.startswith(".") and part != "."]
    if not hidden:
        return None
    return (
        "a hidden file"
        if hidden[0] == len(parts) - 1
        else f"in a hidden folder, {parts[hidden[0]]}"
    )


def _reserved_message(file_id: str) -> str:
    return (
        f"Id '{file_id}' is reserved: index and README (in any letter case) name a folder's main "
        "page, which the site makes itself, so this goal or measure would replace it or be "
        "dropped. Rename the file; a note for people belongs in the README.md at the top of "
        "the repository."
    )


class _Loader:
    def __init__(self, root: Path, memo: LoadMemo | None = None) -> None:
        self.root = root
        self.base = str(root)
        self.memo = memo
        self.links: set[str] = set()  # symbolic links reported
        self.links_seen: dict[str, bool] = {}  # path -> whether it is a symbolic link
        self.problems: list[Problem] = []
        self.refs: dict[str, frozenset[str] | None] = {}  # path -> goal ids it names
        self.broken: dict[str, frozenset[str] | None] = {}  # see Repo.broken
        self.references: dict[str, GoalReference | None] = {}  # path -> the goal it names
        self.broken_references: list[GoalReference] = []

    def at(self, rel: str) -> str:
        """The path of `rel` (a string: thousands of files, and pathlib's joins add up)."""
        return os.path.join(self.base, rel)

    def problem(self, path: str, line: int | None, code: str, message: str) -> None:
        self.problems.append(Problem(path, line, code, message))

    # --- files

    def linked(self, rel: str) -> bool:
        """Whether a part of `rel` is a symbolic link (the link is reported)."""
        parts = [part for part in rel.split("/") if part not in ("", ".")]
        for depth in range(1, len(parts) + 1):
            if self.is_link("/".join(parts[:depth])):
                self.link_found("/".join(parts[:depth]))
                return True
        return False

    def is_link(self, rel: str) -> bool:
        """Whether `rel` is a symbolic link, asked once per path (every file in a folder asks
        about the folder)."""
        if rel not in self.links_seen:
            self.links_seen[rel] = os.path.islink(self.at(rel))  # False on any OSError
        return self.links_seen[rel]

    def link_found(self, link: str) -> None:
        """Report a symbolic link, once. pumpsite follows none: a link could bring any file of
        the computer into the site (`.git/config`, with the credentials CI puts there)."""
        if link in self.links:
            return
        self.links.add(link)
        kind = "folder" if os.path.isdir(self.root / link) else "file"
        message = (
            f"The {kind} is a symbolic link: expected a regular {kind}. pumpsite follows no "
            "links, so that no change can bring a file from elsewhere on the computer into the "
            f"site. Replace the link with the {kind} itself."
        )
        self.problem(link, None, BAD_LINK, message)

    @cached_property
    def ignored(self) -> frozenset[str]:
        """The paths git ignores (an ignored folder stands for everything in it); none when the
        repository is not in git. One `git ls-files` lists them all: the paths to ask about are
        only known while loading."""
        command = ["ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory"]
        try:
            done = run_git(self.root, *command, needed_by="check")
        except (GitError, OSError):  # git is not installed
            return frozenset()
        if done.returncode != 0:  # not a git repository
            return frozenset()
        names = done.stdout.decode("utf-8", "surrogateescape").split("\0")
        return frozenset(name.rstrip("/") for name in names if name)

    def refusal(self, ref: str, example: str) -> tuple[str, str | None]:
        """A path written in a file (a measure's data:, the glossary setting), normalised, and why
        pumpsite will not read it, "<what it is>: <what was expected, and why>"; None if it may."""
        text = ref.replace("\\", "/")
        norm = posixpath.normpath(text)
        inside = f"expected a path inside the repository, like {example}."
        if text.startswith("/") or PureWindowsPath(ref).drive:
            return norm, f"is absolute: {inside}"
        if norm == ".." or norm.startswith("../"):
            return norm, f"points outside the repository: {inside}"
        if hidden := _hidden(norm):
            return norm, (
                f"is {hidden}: expected a file like {example}. pumpsite reads no hidden files or "
                "folders (their names start with a dot): they hold settings and secrets, like "
                ".env and .git/."
            )
        if ignored := self.ignored_part(norm):
            where = "" if ignored == norm else f" (it is in {ignored}/)"
            return norm, (
                f"is ignored by git{where}: expected a file git does not ignore. pumpsite reads "
                "no ignored files, so that a build publishes nothing kept out of the repository: "
                "take it out of .gitignore, or move the file."
            )
        return norm, None

    def ignored_part(self, rel: str) -> str | None:
        """`rel`, or the folder it is in, when git ignores it."""
        parts = rel.split("/")
        prefixes = ("/".join(parts[:depth]) for depth in range(1, len(parts) + 1))
        return next((prefix for prefix in prefixes if prefix in self.ignored), None)

    def read_bytes(self, rel: str) -> bytes | None:
        if self.linked(rel):
            return None
        try:
            with open(self.at(rel), "rb") as file:
                return file.read()
        except OSError as error:
            message = f"The file cannot be read: {error.strerror}."
            self.problem(rel, None, UNREADABLE, message)
            return None

    def read_text(self, rel: str, hint: str = "") -> str | None:
        data = self.read_bytes(rel)
        if data is None:
            return None
        text, problems = decode_text(data, rel, hint)
        self.problems += problems
        return text

    def walk(self, folder: str, suffix: str = "") -> list[str]:
        """Repo-relative paths of the files under `folder`, sorted. Hidden files and folders are
        skipped; symbolic links are reported and never followed, so no walk leaves the folder."""
        if self.linked(folder) or not (self.root / folder).is_dir():
            return []
        found = []
        for dirpath, dirnames, filenames in os.walk(self.root / folder):
            here = Path(dirpath)
            rel_dir = here.relative_to(self.root).as_posix()
            visible = {n for n in [*dirnames, *filenames] if not n.startswith(".")}
            links = {n for n in visible if (here / n).is_symlink()}
            for name in sorted(links):
                self.link_found(f"{rel_dir}/{name}")
            kept = visible - links
            dirnames[:] = [d for d in dirnames if d in kept]
            found += [f"{rel_dir}/{n}" for n in filenames if n in kept and n.endswith(suffix)]
        return sorted(found)

    # --- settings, glossary, templates

    def settings(self) -> tuple[dict[str, Any], SiteSettings, YamlData | None]:
        if not os.path.lexists(self.root / "mkdocs.yml"):
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
        rel, refused = self.refusal(ref, example=_DEFAULT_GLOSSARY)
        if refused:
            message = f"The glossary path '{short(ref)}' {refused}"
            self.problem("mkdocs.yml", line, GLOSSARY_OUTSIDE, message)
            return terms
        if not os.path.lexists(self.root / rel):
            if ref != _DEFAULT_GLOSSARY:
                message = (
                    f"Glossary file '{short(rel)}' does not exist: expected a YAML file of "
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
        for count, (term, definition) in enumerate(doc.value.items(), 1):
            if count > MAX_TERMS:
                message = (
                    f"The glossary has {len(doc.value):,} terms: expected at most {MAX_TERMS}. "
                    "Each page carries the definitions of the terms it mentions: keep the terms "
                    "your readers need explained."
                )
                self.problem(rel, doc.line((term,)), TOO_MANY_TERMS, message)
                break
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
            if self.term_fits(rel, line, term, definition.strip()):
                terms[term] = definition.strip()
        elif (term,) in doc.plain:
            self.problem(
                rel, line, YAML_TRAP, trap_message((term,), doc.plain[(term,)], definition)
            )
        else:
            message = f"'{short(term)}' expects a definition (text), got {describe(definition)}."
            self.problem(rel, line, BAD_DEFINITION, message)

    def term_fits(self, rel: str, line: int | None, term: str, definition: str) -> bool:
        """Whether a term and its definition are within the glossary's bounds (else reported)."""
        bounds = [
            (LONG_TERM, "The term", term, MAX_TERM_LENGTH, "a word or a short phrase"),
            (
                LONG_DEFINITION,
                "The definition of",
                definition,
                MAX_DEFINITION_LENGTH,
                "a few sentences, as it shows as a tooltip wherever the term appears",
            ),
        ]
        for code, subject, text, most, why in bounds:
            if len(text) > most:
                message = (
                    f"{subject} '{short(term)}' is {len(text):,} characters long: expected at "
                    f"most {most:,}, {why}. Shorten it."
                )
                self.problem(rel, line, code, message)
        return all(len(text) <= most for _, _, text, most, _ in bounds)

    def templates(self) -> dict[str, str]:
        folder = "site_templates"
        templates = {}
        for rel in self.walk(folder):
            text = self.read_text(rel)
            if text is not None:
                templates[rel.removeprefix(folder + "/")] = text
        return templates

    # --- goals and measures

    def documents(self) -> list[Goal | Measure | Action]:
        measures = self.root / "measures"
        if not measures.is_dir() and not measures.is_symlink():
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
                if reference := self.references.get(rel):
                    self.broken_references.append(reference)
        return [item for rel, item in zip(paths, loaded, strict=True) if item and rel not in skip]

    def check_ids(self, paths: list[str]) -> tuple[set[str], set[str]]:
        """Report invalid, reserved and duplicate ids. Returns the paths not to load into the
        repository, and the paths whose id will change (their default data path with it)."""
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
            elif file_id.casefold() in RESERVED_IDS:
                self.problem(rel, None, RESERVED_ID, _reserved_message(file_id))
                skip.add(rel)
        for same in by_id.values():
            if len(same) < 2:
                continue
            skip.update(same[1:])  # the first (in path order) is loaded
            unsettled.update(same)
            for rel in same:
                others = [other for other in same if other != rel]
                file_id = posixpath.basename(rel).removesuffix(".md")
                verb = "has" if len(others) == 1 else "have"
                message = (
                    f"Duplicate id '{file_id}': {listed(others)} {verb} the same file name, and "
                    "ids must be unique across measures/ (folders do not count). "
                    f"Rename {'one of them' if len(same) == 2 else 'all but one'}."
                )
                self.problem(rel, None, DUPLICATE_ID, message)
        return skip, unsettled | skip

    def document(self, rel: str, with_data: bool = True) -> Goal | Measure | Action | None:
        """The goal or measure in a file; without its data when its id is invalid or shared (the
        default data path follows the id, which will change when the file is renamed)."""
        data = self.read_bytes(rel)
        if data is None:
            return None
        if self.memo is None:
            parsed = parse_file(rel, data)
        else:
            parsed = self.memo.recall(("file", rel), digest(data), lambda: parse_file(rel, data))
        self.problems += parsed.problems
        if parsed.doc is None:
            return None
        self.references[rel] = parsed.reference
        self.refs[rel] = parsed.named
        return self.typed_document(rel, parsed, with_data)

    def typed_document(
        self, rel: str, parsed: ParsedFile, with_data: bool
    ) -> Goal | Measure | Action | None:
        file_id = posixpath.basename(rel).removesuffix(".md")
        meta, doc = parsed.meta, parsed.doc
        assert doc is not None, "only files whose frontmatter is a mapping are typed"
        if isinstance(meta, GoalMeta):
            return Goal(file_id, rel, meta, parsed.body, parsed.lines)
        if isinstance(meta, ActionMeta):
            return Action(file_id, rel, meta, parsed.body, parsed.lines)
        if isinstance(meta, MeasureMeta) and not with_data:
            data_path = default_data_path(file_id)
            return Measure(file_id, rel, meta, parsed.body, data_path, None, parsed.lines)
        if isinstance(meta, MeasureMeta):
            data_path, series = self.series(
                rel, file_id, doc, meta.data, meta.column, meta.frequency
            )
            return Measure(file_id, rel, meta, parsed.body, data_path, series, parsed.lines)
        if with_data and (raw := parsed.raw_data):  # check the data anyway, with raw settings
            self.series(rel, file_id, doc, raw.ref, raw.column, raw.frequency)
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
        default = default_data_path(file_id)
        line = doc.line(("data",)) if ref else 1
        data_path, refused = self.refusal(ref or default, example=default)
        if refused:
            self.problem(rel, line, DATA_OUTSIDE, f"Data path '{short(ref or default)}' {refused}")
            return data_path, None
        if self.linked(data_path):
            return data_path, None
        path = self.at(data_path)
        if not os.path.exists(path):  # False for a name too long for the file system, too
            message = self.missing_data(data_path, column)
            if ("source",) in doc.lines:
                message = (
                    f"Data file '{short(data_path)}' does not exist yet: pumpsite pull writes it "
                    "from the measure's source."
                )
            self.problem(rel, line, NO_DATA_FILE, message)
            return data_path, None
        series, problems = self.table(path, data_path, column, frequency)
        self.problems += problems
        if any(p.is_error for p in problems):
            return data_path, None  # nothing downstream computes on part of the data
        return data_path, series

    def table(
        self, path: str, rel: str, column: str, frequency: Frequency
    ) -> tuple[Series | None, Sequence[Problem]]:
        """A CSV file's series and problems; from the memo when its bytes are unchanged."""
        try:
            data = small_file(path)
        except OSError as error:
            message = f"The file cannot be read: {error.strerror}."
            return None, [Problem(rel, None, UNREADABLE, message)]
        if data is None:  # a large file is streamed, and not kept
            return read_measure_csv(Path(path), rel, column, frequency)
        if self.memo is None:
            return read_measure_bytes(data, rel, column, frequency)
        read = self.memo.recall(
            ("table", rel, column, frequency),
            digest(data),
            lambda: _kept(read_measure_bytes(data, rel, column, frequency)),
        )
        return read

    def missing_data(self, data_path: str, column: str) -> str:
        candidates: set[str] = set()
        for folder in {"data", posixpath.dirname(data_path)}:
            if self.linked(folder):
                continue
            try:
                names = [p.name for p in (self.root / folder).iterdir() if p.is_file()]
            except OSError:
                continue
            prefix = f"{folder}/" if folder else ""
            candidates |= {
                prefix + name
                for name in names
                if name.lower().endswith(".csv") and not name.startswith(".")
            }
        if hint := did_you_mean(data_path, sorted(candidates)):
            return f"Data file '{short(data_path)}' does not exist.{hint}"
        return (
            f"Data file '{short(data_path)}' does not exist: expected a CSV file with a header "
            f"row like period,{column}. Create it, or set data: to the measure's CSV file."
        )
