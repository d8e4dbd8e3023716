"""Reading the user's text and YAML frontmatter, and validating it with precise problems.

Everything returns problems instead of raising. YAML is composed with a SafeLoader and turned into
plain values here, so that each key keeps the line it was written on, duplicate keys are caught
(PyYAML keeps the last one silently), and unquoted scalars that YAML 1.1 reads as something other
than text (`no`, `1.10`, `2026-03-01`) are remembered for a precise message. `Validator` then maps
pydantic's errors to problems at the line of the key they concern.
"""

from __future__ import annotations

import difflib
import io
import re
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from pumpsite.model import Problem, Tagged

NOT_TEXT = "PS100"
FRONTMATTER = "PS101"
YAML_SYNTAX = "PS102"
UNKNOWN_KEY = "PS103"
MISSING_KEY = "PS104"
WRONG_TYPE = "PS105"
YAML_TRAP = "PS106"
NOT_ALLOWED = "PS107"
BAD_PERIOD = "PS108"
DUPLICATE_KEY = "PS109"
ALIAS = "PS113"
UNSUPPORTED_YAML = "PS114"
OUT_OF_RANGE = "PS115"
UNREADABLE = "PS117"

CODES: dict[str, str] = {
    NOT_TEXT: "A file is not UTF-8 text: invalid bytes, a NUL byte (binary file) or UTF-16.",
    FRONTMATTER: "A file's frontmatter is missing, unclosed, empty or not a mapping of keys.",
    YAML_SYNTAX: "YAML syntax error, or a tab used for indentation.",
    UNKNOWN_KEY: "An unknown key (a typo, or a key of another kind of file).",
    MISSING_KEY: "A required key is missing.",
    WRONG_TYPE: "A value has the wrong type, or is empty.",
    YAML_TRAP: "An unquoted value YAML reads as a boolean, number or date where text is expected.",
    NOT_ALLOWED: "A value is not one of the allowed values.",
    BAD_PERIOD: "An invalid period, quarter or date.",
    DUPLICATE_KEY: "A key appears twice in the same mapping.",
    ALIAS: "A YAML alias (*name) is used; write the value out in full instead.",
    UNSUPPORTED_YAML: "A YAML tag (like !!binary) or a non-text key that pumpsite does not accept.",
    OUT_OF_RANGE: "A number is outside the allowed range.",
    UNREADABLE: "A file cannot be read (permissions, or a folder where a file should be).",
}

Key = str | int
KeyPath = tuple[Key, ...]
ModelT = TypeVar("ModelT", bound=BaseModel)

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_TAG = "tag:yaml.org,2002:"
_TAB_INDENT = re.compile(r"^ *\t")
_EXPONENT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+")


# --- text -----------------------------------------------------------------------------------------


def nul_problem(path: str, line: int) -> Problem:
    return Problem(
        path,
        line,
        NOT_TEXT,
        "The file contains a NUL byte: expected UTF-8 text, got what looks like a binary file.",
    )


def encoding_problem(path: str, line: int, column: int, byte: int, hint: str = "") -> Problem:
    return Problem(
        path,
        line,
        NOT_TEXT,
        f"The file is not valid UTF-8: byte 0x{byte:02x} at column {column} cannot be read. "
        f"Save the file as UTF-8{hint}.",
    )


def utf16_problem(path: str, hint: str = "") -> Problem:
    return Problem(
        path, 1, NOT_TEXT, f"The file is UTF-16: expected UTF-8 text. Save it as UTF-8{hint}."
    )


def decode_text(data: bytes, path: str, hint: str = "") -> tuple[str | None, list[Problem]]:
    """UTF-8 text without its BOM, or None and the reason (with the line of the first bad byte)."""
    if data.startswith(_UTF16_BOMS):
        return None, [utf16_problem(path, hint)]
    data = data.removeprefix(_UTF8_BOM)
    nul = data.find(b"\x00")
    if nul >= 0:
        return None, [nul_problem(path, data.count(b"\n", 0, nul) + 1)]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as error:
        start = error.start
        line = data.count(b"\n", 0, start) + 1
        column = start - data.rfind(b"\n", 0, start)
        return None, [encoding_problem(path, line, column, data[start], hint)]


def split_lines(text: str) -> list[str]:
    """Lines with their endings; '\\r\\n', '\\r' and '\\n' end a line, as they do for YAML."""
    return io.StringIO(text, newline="").readlines()


# --- frontmatter ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Frontmatter:
    yaml: str
    body: str  # verbatim, after the closing '---' line
    yaml_line: int = 2  # the file line of the first YAML line


def split_frontmatter(text: str, path: str) -> tuple[Frontmatter | None, list[Problem]]:
    lines = split_lines(text)
    if not lines or lines[0].rstrip() != "---":
        start = "is empty" if not text.strip() else "does not start with frontmatter"
        message = (
            f"The file {start}: expected a first line '---', then keys like 'title: ...', "
            "then a closing '---'."
        )
        return None, [Problem(path, 1, FRONTMATTER, message)]
    for i in range(1, len(lines)):
        if lines[i].rstrip() == "---":
            return Frontmatter("".join(lines[1:i]), "".join(lines[i + 1 :])), []
    message = "The frontmatter is not closed: expected a line '---' after the last key."
    return None, [Problem(path, 1, FRONTMATTER, message)]


# --- YAML -----------------------------------------------------------------------------------------


@dataclass(slots=True)
class YamlData:
    """Plain values (dict, list, str, int, float, bool, date, None) and the line of each key."""

    value: object
    lines: dict[KeyPath, int] = field(default_factory=dict)  # key (or list item) -> file line
    plain: dict[KeyPath, str] = field(default_factory=dict)  # unquoted scalars not read as text
    refused: set[KeyPath] = field(default_factory=set)  # values already reported (tags, aliases)

    def line(self, at: KeyPath) -> int | None:
        """The line of the deepest known key on the path."""
        for depth in range(len(at), -1, -1):
            if (line := self.lines.get(at[:depth])) is not None:
                return line
        return None

    def is_refused(self, at: KeyPath) -> bool:
        """Whether the value at `at` (or around it) was already reported as unsupported YAML."""
        return any(at[: len(refused)] == refused for refused in self.refused)


def format_path(at: KeyPath) -> str:
    """('roles', 0, 'target') -> 'roles[0].target'."""
    text = ""
    for key in at:
        text += f"[{key}]" if isinstance(key, int) else f".{key}" if text else key
    return text


class _AliasFound(Exception):
    def __init__(self, mark: yaml.Mark) -> None:
        super().__init__("alias")
        self.mark = mark


class _NoAliasLoader(yaml.SafeLoader):
    """Composes nodes only, and stops at the first alias (no alias bombs, no shared values)."""

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise _AliasFound(event.start_mark)
        return super().compose_node(parent, index)


def parse_yaml(
    text: str, path: str, first_line: int = 1, root_line: int | None = None
) -> tuple[YamlData | None, list[Problem]]:
    """Parse one YAML document whose first line is line `first_line` of the file."""
    try:
        node = yaml.compose(text, Loader=_NoAliasLoader)
    except _AliasFound as found:
        message = "YAML aliases (*name) are not supported here: write the value out in full."
        return None, [Problem(path, found.mark.line + first_line, ALIAS, message)]
    except yaml.YAMLError as error:
        return None, [yaml_error_problem(error, text, path, first_line)]
    except RecursionError:
        return None, [Problem(path, first_line, YAML_SYNTAX, "The YAML is nested too deeply.")]
    if node is None:
        return YamlData(None, {(): root_line or first_line}), []
    builder = _Builder(path, first_line)
    value = builder.build(node, ())
    builder.data.value = value
    builder.data.lines[()] = root_line or first_line
    return builder.data, builder.problems


def yaml_error_problem(error: yaml.YAMLError, text: str, path: str, first_line: int) -> Problem:
    if isinstance(error, yaml.reader.ReaderError):
        line = len(split_lines(text[: max(error.position, 0)] + ".")) - 1 + first_line
        message = (
            f"The file contains the control character U+{error.character:04X}, "
            "which YAML does not allow: remove it."
        )
        return Problem(path, line, NOT_TEXT, message)
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    context, context_mark = getattr(error, "context", None), getattr(error, "context_mark", None)
    problem = str(getattr(error, "problem", None) or "the text is not valid YAML")
    if context_mark is not None and ("<stream end>" in problem or "end of stream" in problem):
        mark = context_mark  # found at the end of the file: where the unclosed thing began
        opened = next((name for key, name in _OPENED.items() if key in str(context)), None)
        if opened:
            context, problem = None, f"{opened} that starts on this line is never closed"
    error_line = mark.line if mark is not None else 0
    for i, line_text in enumerate(split_lines(text)[: error_line + 1]):
        if _TAB_INDENT.match(line_text):
            message = "A tab is used for indentation: YAML allows only spaces. Indent with spaces."
            return Problem(path, i + first_line, YAML_SYNTAX, message)
    quote = _open_quote(split_lines(text), error_line)
    if quote is not None:
        line, char = quote
        message = (
            f"YAML syntax error: the quote ({char}) that starts the value on this line is not "
            f"closed on it. End the value with {char}."
        )
        return Problem(path, line + first_line, YAML_SYNTAX, message)
    if context and context_mark is not None and context_mark.line != error_line:
        problem += f" ({context} on line {context_mark.line + first_line})"
    if "mapping values are not allowed" in problem and mark is not None:
        before = split_lines(text)[error_line][: mark.column]
        hint = (
            "Quote a value that contains ': ', like title: \"Cost: per unit\"."
            if ": " in before
            else "This key is indented differently from the keys above it: line them up."
        )
    else:
        hint = "Check the indentation, and quote values that contain ':', '#', '[' or '{'."
    return Problem(
        path, error_line + first_line, YAML_SYNTAX, f"YAML syntax error: {problem}. {hint}"
    )


_OPENED = {
    "flow sequence": "the list in [ ]",
    "flow mapping": "the mapping in { }",
    "quoted scalar": "the quoted value",
}
_QUOTED_VALUE = re.compile(r"^ *(?:- +)*(?:[^\s\"'#-][^:#]*: +)?([\"'])")
_CLOSING = {'"': re.compile(r'(?:[^"\\]|\\.)*"'), "'": re.compile(r"(?:[^']|'')*'")}


def _open_quote(lines: list[str], error_line: int) -> tuple[int, str] | None:
    """The 0-based line and quote character of a quoted value that runs on to the line of the
    error: a quote opened and not closed, which YAML only notices later (or at the end)."""
    for i, line in enumerate(lines[: error_line + 1]):
        match = _QUOTED_VALUE.match(line)
        if match is None or _CLOSING[match[1]].match(line, match.end()):
            continue  # no quote, or closed on its own line
        rest = "".join([line[match.end() :], *lines[i + 1 : error_line + 1]])
        closed = _CLOSING[match[1]].match(rest)
        if closed is None or i + closed.group().count("\n") >= error_line > i:
            return i, match[1]
    return None


_CONSTRUCTOR = SafeConstructor()
_SCALARS: dict[str, Callable[[ScalarNode], object]] = {
    _TAG + "null": _CONSTRUCTOR.construct_yaml_null,
    _TAG + "bool": _CONSTRUCTOR.construct_yaml_bool,
    _TAG + "int": _CONSTRUCTOR.construct_yaml_int,
    _TAG + "float": _CONSTRUCTOR.construct_yaml_float,
    _TAG + "timestamp": _CONSTRUCTOR.construct_yaml_timestamp,
}


class _Builder:
    """Turns composed nodes into plain values, recording lines and problems on the way."""

    def __init__(self, path: str, first_line: int) -> None:
        self.path = path
        self.first_line = first_line
        self.data = YamlData(None)
        self.problems: list[Problem] = []
        self._seen: set[int] = set()

    def line_of(self, node: Node) -> int:
        return int(node.start_mark.line) + self.first_line

    def problem(self, node: Node, code: str, message: str) -> None:
        self.problems.append(Problem(self.path, self.line_of(node), code, message))

    def build(self, node: Node, at: KeyPath) -> object:
        if id(node) in self._seen:  # only an alias can share a node
            self.data.refused.add(at)
            if not any(p.code == ALIAS for p in self.problems):  # one is enough (alias bombs)
                where = f" at {format_path(at)}" if at else ""
                message = f"YAML alias{where} is not supported: write the value out."
                # the node is the anchored one: its line is the anchor's, so use the key's
                line = self.data.line(at if at and isinstance(at[-1], str) else at[:-1])
                self.problems.append(Problem(self.path, line, ALIAS, message))
            return None
        self._seen.add(id(node))
        if isinstance(node, MappingNode):
            return self.mapping(node, at)
        if isinstance(node, SequenceNode):
            return self.sequence(node, at)
        assert isinstance(node, ScalarNode)
        return self.scalar(node, at)

    def unsupported_tag(self, node: Node, at: KeyPath) -> None:
        self.data.refused.add(at)
        where = f" at {format_path(at)}" if at else ""
        tag = str(node.tag).replace(_TAG, "!!")
        self.problem(
            node, UNSUPPORTED_YAML, f"The YAML tag {tag}{where} is not supported: remove it."
        )

    def mapping(self, node: MappingNode, at: KeyPath) -> dict[str, object]:
        if node.tag != _TAG + "map":
            self.unsupported_tag(node, at)
        result: dict[str, object] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                message = "A key must be plain text, got a list or mapping as a key."
                self.problem(key_node, UNSUPPORTED_YAML, message)
                continue
            key = str(key_node.value)  # as written: YAML 1.1 would turn a key `no` into False
            line = self.line_of(key_node)
            if key in result:
                where = f" in {format_path(at)}" if at else ""
                first = self.data.lines[(*at, key)]
                message = f"Duplicate key '{key}'{where}: it is also on line {first}. Keep one."
                self.problem(key_node, DUPLICATE_KEY, message)
                continue
            self.data.lines[(*at, key)] = line
            result[key] = self.build(value_node, (*at, key))
        return result

    def sequence(self, node: SequenceNode, at: KeyPath) -> list[object]:
        if node.tag != _TAG + "seq":
            self.unsupported_tag(node, at)
        items: list[object] = []
        for i, item in enumerate(node.value):
            self.data.lines[(*at, i)] = self.line_of(item)
            items.append(self.build(item, (*at, i)))
        return items

    def scalar(self, node: ScalarNode, at: KeyPath) -> object:
        text = str(node.value)
        construct = _SCALARS.get(str(node.tag))
        if construct is None:
            if node.tag != _TAG + "str":
                self.unsupported_tag(node, at)
            elif node.style is None and _EXPONENT.fullmatch(text):
                self.data.plain[at] = text
                return float(text)  # YAML 1.1 wants a dot in 1.0e5; 1e5 is a number to people
            return text
        try:
            value = construct(node)
        except (ValueError, OverflowError):  # e.g. 2026-13-45 looks like a date but is none
            return text
        if node.style is None and value is not None:
            self.data.plain[at] = text
        return value


# --- describing values ----------------------------------------------------------------------------


def short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe(value: object) -> str:
    """A value as the sentence "got ..." names it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "an empty value"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, datetime):
        return f"the date and time {value.isoformat(' ')}"
    if isinstance(value, date):
        return f"the date {value.isoformat()}"
    if isinstance(value, str):
        return f"text '{short(value)}'" if value else "empty text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _subject(at: KeyPath) -> str:
    if not at:
        return "The frontmatter"
    if isinstance(at[-1], int):
        return format_path(at)
    parent = format_path(at[:-1])
    return f"'{at[-1]}' in {parent}" if parent else f"'{at[-1]}'"


def trap_message(at: KeyPath, raw: str, value: object) -> str:
    """Text expected, but YAML 1.1 read an unquoted scalar as a boolean, number or date."""
    if isinstance(value, bool):
        got = what = "true" if value else "false"
    elif isinstance(value, datetime):
        got, what = value.isoformat(" "), "a date and time"
    elif isinstance(value, date):
        got, what = value.isoformat(), "a date"
    else:
        got = str(value)
        what = f"the number {got}"
    key = f"{at[-1]}: " if at and isinstance(at[-1], str) else ""
    return (
        f"{_subject(at)} expects text, got {got}: YAML reads an unquoted {raw} as {what}. "
        f'Write {key}"{raw}".'
    )


def closest(word: object, choices: list[str]) -> str | None:
    if not isinstance(word, str):
        return None
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(word: object, choices: list[str]) -> str:
    close = closest(word, choices)
    return f" Did you mean '{close}'?" if close else ""


# --- pydantic errors to problems ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Target:
    """Where a pydantic error `loc` points in the schema."""

    path: KeyPath  # the loc without union branch names
    model: type[BaseModel] | None  # the model holding the last key
    info: FieldInfo | None  # the field of the last key (of the list, for a list item)
    type: Any  # the expected type at the end, unwrapped
    union: int | None  # the path length of the union field the loc passed through


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _union_args(tp: Any) -> list[Any]:
    if get_origin(tp) in (Union, types.UnionType):
        return [a for a in get_args(tp) if a is not type(None)]
    return []


def _unwrap(tp: Any) -> Any:
    """Strip Annotated[...] and Optional[...]."""
    while True:
        if get_origin(tp) is Annotated:
            tp = get_args(tp)[0]
        elif len(args := _union_args(tp)) == 1:
            tp = args[0]
        else:
            return tp


def _field(model: type[BaseModel], key: str) -> FieldInfo | None:
    for name, info in model.model_fields.items():
        if key in (name, info.alias):
            return info
    return None


def _keys(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _resolve(model: type[BaseModel], loc: tuple[str | int, ...]) -> _Target:
    tp: Any = model
    path: list[str | int] = []
    parent: type[BaseModel] | None = None
    info: FieldInfo | None = None
    union: int | None = None
    for part in loc:
        tp = _unwrap(tp)
        if _is_model(tp) and isinstance(part, str):
            parent, info = tp, _field(tp, part)
            tp = info.annotation if info else None
            path.append(part)
        elif get_origin(tp) is list and isinstance(part, int):
            tp = get_args(tp)[0]
            path.append(part)
        elif (branches := _union_args(tp)) and isinstance(part, str):
            union = len(path)
            models = [b for b in branches if _is_model(b) and b.__name__ == part]
            tp = models[0] if models else next((b for b in branches if not _is_model(b)), None)
        else:
            tp = None
            path.append(part)
    return _Target(tuple(path), parent, info, _unwrap(tp), union)


def _expected(target: _Target) -> str:
    description = target.info.description if target.info else None
    if _is_model(target.type):
        keys = ", ".join(_keys(target.type))
        if target.path and isinstance(target.path[-1], int):
            return f"a mapping with keys {keys}"
        return f"{description or 'a mapping'} (a mapping with keys {keys})"
    return description or "another value"


class Validator:
    """Validates a YAML document against a model and maps pydantic's errors to problems."""

    def __init__(self, doc: YamlData, path: str, prefix: KeyPath = ()) -> None:
        self.doc = doc
        self.path = path
        self.prefix = prefix
        self.problems: list[Problem] = []

    def validate(
        self, model: type[ModelT], context: dict[str, object] | None = None
    ) -> ModelT | None:
        try:
            return model.model_validate(self.doc.value, context=context)
        except ValidationError as error:
            self.report(model, error)
            return None

    def report(self, model: type[BaseModel], error: ValidationError) -> None:
        unions: dict[KeyPath, list[tuple[Any, _Target]]] = {}
        details = [(d, _resolve(model, d["loc"])) for d in error.errors(include_url=False)]
        typos = {  # 'titel' is reported with "Did you mean 'title'?": title is not also missing
            (*t.path[:-1], close)
            for d, t in details
            if d["type"] == "extra_forbidden" and t.model and t.path
            if (close := closest(t.path[-1], _keys(t.model)))
        }
        for detail, target in details:
            if self.doc.is_refused((*self.prefix, *target.path)):
                continue  # the YAML problem is reported already; its value means nothing
            if detail["type"] == "missing" and target.path in typos:
                continue
            if target.union is None:
                self.one(detail, target)
            else:
                unions.setdefault(target.path[: target.union], []).append((detail, target))
        for at, members in unions.items():
            specific = [(d, t) for d, t in members if not str(d["type"]).endswith("_type")]
            for detail, target in specific:
                self.one(detail, target)
            if not specific:  # no branch fits the value's type: one problem for the field
                self.wrong_type(_resolve(model, at), members[0][0]["input"])

    def add(self, target: _Target, code: str, message: str) -> None:
        line = self.doc.line((*self.prefix, *target.path))
        self.problems.append(Problem(self.path, line, code, message))

    def one(self, detail: Any, target: _Target) -> None:
        kind, value = str(detail["type"]), detail["input"]
        at = (*self.prefix, *target.path)
        subject, expected = _subject(at), _expected(target)
        if kind == "extra_forbidden" and at:
            self.unknown_key(target, at)
        elif kind == "missing" and at:
            where = f" in {format_path(at[:-1])}" if at[:-1] else ""
            message = f"Missing required key '{at[-1]}'{where}: expected {expected}."
            self.add(target, MISSING_KEY, message)
        elif kind == "literal_error":
            allowed = (
                [str(a) for a in get_args(target.type)]
                if get_origin(target.type) is Literal
                else []
            )
            got = f"'{short(value)}'" if isinstance(value, str) else describe(value)
            message = f"{subject} expects one of {', '.join(allowed)}, got {got}."
            self.add(target, NOT_ALLOWED, message + did_you_mean(value, allowed))
        elif kind in _CUSTOM and _is_scalar(value):
            text = str(detail["msg"])
            text = (
                "expects " + text.removeprefix("expected ")
                if text.startswith("expected ")
                else text
            )
            self.add(target, _CUSTOM[kind], f"{subject} {text}.")
        elif kind in _BOUNDS:
            word, key = _BOUNDS[kind]
            message = (
                f"{subject} expects {expected}, got {describe(value)}: "
                f"it must be {word} {detail['ctx'][key]}."
            )
            self.add(target, OUT_OF_RANGE, message)
        elif kind == "string_type" and at in self.doc.plain:
            self.add(target, YAML_TRAP, trap_message(at, self.doc.plain[at], value))
        elif kind.endswith("_type") or kind in _CUSTOM or kind == "string_too_short":
            self.wrong_type(target, value)
        else:
            message = f"{subject} expects {expected}, got {describe(value)}: {detail['msg']}."
            self.add(target, WRONG_TYPE, message)

    def unknown_key(self, target: _Target, at: KeyPath) -> None:
        allowed = _keys(target.model) if target.model else []
        where = f" in {format_path(at[:-1])}" if at[:-1] else ""
        hint = did_you_mean(at[-1], allowed)
        if not hint:
            hint = f" Allowed keys: {', '.join(allowed)}."
        self.add(target, UNKNOWN_KEY, f"Unknown key '{short(str(at[-1]))}'{where}.{hint}")

    def wrong_type(self, target: _Target, value: object) -> None:
        at = (*self.prefix, *target.path)
        hint = ""
        numeric = target.type in (int, float)
        if numeric and isinstance(value, str) and value.strip():
            from pumpsite.csvdata import parse_number  # csvdata imports this module

            number = parse_number(value.strip())
            if number.value is not None:
                hint = " Write it without quotes."
            elif number.suggestion:
                hint = f" Did you mean {number.suggestion}?"
        message = f"{_subject(at)} expects {_expected(target)}, got {describe(value)}.{hint}"
        self.add(target, WRONG_TYPE, message)


def _is_scalar(value: object) -> bool:
    return isinstance(value, str | int | float | date) and not isinstance(value, bool)


_CUSTOM = {  # error types raised by the schema's validators
    "period": BAD_PERIOD,
    "quarter": BAD_PERIOD,
    "date": BAD_PERIOD,
    "number": OUT_OF_RANGE,
}
_BOUNDS = {
    "greater_than_equal": ("at least", "ge"),
    "greater_than": ("more than", "gt"),
    "less_than_equal": ("at most", "le"),
    "less_than": ("less than", "lt"),
}


# --- mkdocs.yml -----------------------------------------------------------------------------------


class _TolerantLoader(yaml.SafeLoader):
    """SafeLoader that keeps MkDocs's custom tags (!ENV, !!python/name:...) as `Tagged` values."""


def _construct_tagged(loader: yaml.SafeLoader, node: Node) -> Tagged:
    value: object
    if isinstance(node, MappingNode):
        value = loader.construct_mapping(node, deep=True)
    elif isinstance(node, SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_scalar(node)  # type: ignore[arg-type]
    return Tagged(str(node.tag), value)


def _lenient(tag: str) -> None:
    strict = _TolerantLoader.yaml_constructors[_TAG + tag]

    def construct(loader: yaml.SafeLoader, node: Node) -> Any:
        try:
            return strict(loader, node)
        except (ValueError, OverflowError):
            return loader.construct_scalar(node)  # type: ignore[arg-type]

    _TolerantLoader.add_constructor(_TAG + tag, construct)


_TolerantLoader.add_constructor(None, _construct_tagged)
for _name in ("int", "float", "timestamp"):
    _lenient(_name)


MAX_EXPANDED_NODES = 100_000
"""Aliases may repeat a value in mkdocs.yml, but not into a 'billion laughs' alias bomb."""
_PYTHON = _TAG + "python/"


def load_tolerant(text: str, path: str) -> tuple[object, Node | None, list[Problem]]:
    """A whole YAML file (aliases allowed, unknown tags kept as `Tagged`) and its root node."""
    try:
        loader = _TolerantLoader(text)  # checks for control characters already
        try:
            node = loader.get_single_node()
            refused = _refuse(node, path) if node else None
            if refused:
                return None, None, [refused]
            return (loader.construct_document(node) if node else None), node, []
        finally:
            loader.dispose()
    except yaml.YAMLError as error:
        return None, None, [yaml_error_problem(error, text, path, 1)]
    except RecursionError:
        return None, None, [Problem(path, 1, YAML_SYNTAX, "The YAML is nested too deeply.")]


def _refuse(root: Node, path: str) -> Problem | None:
    """A node that must not be handed on: a tag that makes a YAML loader build Python objects
    (the engine's loader would: !!python/object/apply runs code), or aliases that expand to more
    than MAX_EXPANDED_NODES values. Memoised by node, so an alias bomb is measured, not expanded."""
    sizes: dict[int, int] = {}

    def children(node: Node) -> list[Node]:
        if isinstance(node, MappingNode):
            return [n for pair in node.value for n in pair]
        return list(node.value) if isinstance(node, SequenceNode) else []

    def size(node: Node) -> int:
        if id(node) not in sizes:
            sizes[id(node)] = 0  # a recursive alias counts once
            sizes[id(node)] = 1 + sum(size(child) for child in children(node))
        return sizes[id(node)]

    def walk(node: Node, seen: set[int]) -> Problem | None:
        tag = str(node.tag)
        if tag.startswith(_PYTHON) and not tag.startswith(_PYTHON + "name:"):
            message = (
                f"The YAML tag {tag.replace(_TAG, '!!')} makes the site engine build a Python "
                "object (and run code) when it reads mkdocs.yml: remove it."
            )
            return Problem(path, int(node.start_mark.line) + 1, UNSUPPORTED_YAML, message)
        big = [child for child in children(node) if size(child) > MAX_EXPANDED_NODES]
        if size(node) > MAX_EXPANDED_NODES and not big:
            message = (
                f"The YAML aliases (*name) here expand to more than {MAX_EXPANDED_NODES:,} "
                "values: write the values out, or use fewer aliases."
            )
            return Problem(path, int(node.start_mark.line) + 1, ALIAS, message)
        for child in big or [c for c in children(node) if id(c) not in seen]:
            seen.add(id(child))
            if found := walk(child, seen):
                return found
        return None

    return walk(root, {id(root)})


def child_node(node: Node | None, key: str) -> Node | None:
    """The value node of `key` in a mapping node (the last one, as YAML would keep)."""
    if not isinstance(node, MappingNode):
        return None
    found = None
    for key_node, value_node in node.value:
        if isinstance(key_node, ScalarNode) and key_node.value == key:
            found = value_node
    return found


def key_line(node: Node | None, key: str) -> int | None:
    """The 1-based line of `key` in a mapping node."""
    if isinstance(node, MappingNode):
        for key_node, _ in reversed(node.value):
            if isinstance(key_node, ScalarNode) and key_node.value == key:
                return int(key_node.start_mark.line) + 1
    return None


def build_node(node: Node, path: str, base: KeyPath) -> tuple[YamlData, list[Problem]]:
    """Plain values and lines for the subtree at `base` of a file parsed with `load_tolerant`."""
    builder = _Builder(path, 1)
    builder.data.value = builder.build(node, base)
    builder.data.lines[base] = builder.line_of(node)
    return builder.data, builder.problems
