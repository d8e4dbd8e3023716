"""YAML to plain values that remember where they were written.

YAML is composed with a SafeLoader and turned into plain values here, so that each key keeps the
line it was written on, duplicate keys are caught (PyYAML keeps the last one silently), and
unquoted scalars that YAML 1.1 reads as something other than text (`no`, `1.10`, `2026-03-01`)
are remembered for a precise message. Goal and measure files take no aliases or tags; `mkdocs.yml`
is read tolerantly (MkDocs's own tags kept as `Tagged`), with alias bombs and Python tags refused.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from pumpsite.load.text import split_lines
from pumpsite.model import KeyPath, Tagged, line_of
from pumpsite.numbers import unstorable
from pumpsite.problems import (
    ALIAS,
    DUPLICATE_KEY,
    NOT_TEXT,
    OUT_OF_RANGE,
    UNSUPPORTED_YAML,
    WRONG_TYPE,
    YAML_SYNTAX,
    Problem,
    short,
)

_TAG = "tag:yaml.org,2002:"
_TAB_INDENT = re.compile(r"^ *\t")
_EXPONENT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+")


# --- YAML -----------------------------------------------------------------------------------------


@dataclass(slots=True)
class YamlData:
    """Plain values (dict, list, str, int, float, bool, date, None) and the line of each key."""

    value: object
    lines: dict[KeyPath, int] = field(default_factory=dict)  # key (or list item) -> file line
    plain: dict[KeyPath, str] = field(default_factory=dict)  # unquoted scalars not read as text
    refused: set[KeyPath] = field(default_factory=set)  # values already reported (tags, aliases)

    def line(self, at: KeyPath) -> int | None:
        return line_of(self.lines, at)

    def is_refused(self, at: KeyPath) -> bool:
        """Whether the value at `at` (or around it) was already reported as unsupported YAML."""
        return any(at[: len(refused)] == refused for refused in self.refused)


def format_path(at: KeyPath) -> str:
    """('roles', 0, 'target') -> 'roles[0].target' (a long key shortened)."""
    text = ""
    for key in at:
        text += f"[{key}]" if isinstance(key, int) else f".{short(key)}" if text else short(key)
    return text


_FAST = bool(getattr(yaml, "__with_libyaml__", False))
_UNLIKE_CHARACTERS = frozenset("\t\x85\u2028\u2029\ufeff")
_TAG_START = re.compile(r"(?:^|[\s,\[\]{}])!", re.MULTILINE)


def _python_only(text: str) -> bool:
    """Whether the two parsers may read `text` differently (all rare in a frontmatter): tabs,
    line breaks YAML 1.1 knows besides CR and LF, a BOM within the text, tags (libyaml reads
    `key: !` as text, the Python parser as empty), and a '?' with a flow collection (libyaml
    reads [a?] as a list of 'a?', the Python parser refuses it)."""
    if not _UNLIKE_CHARACTERS.isdisjoint(text) or _TAG_START.search(text):
        return True
    return "?" in text and ("[" in text or "{" in text)


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
    """Parse one YAML document whose first line is line `first_line` of the file.

    libyaml's C parser composes the nodes (with their lines) about six times faster than the
    pure-Python one. Whatever it cannot take as it is (a syntax error, an alias, a character it
    may count lines differently around) is parsed again by the Python parser, which words the
    problems: both paths give the same values, lines and problems (tests hold them together)."""
    if _FAST and not _python_only(text):
        try:
            return _built(yaml.compose(text, Loader=yaml.CSafeLoader), path, first_line, root_line)
        except (yaml.YAMLError, RecursionError, _AliasFound):
            pass  # the Python parser finds and words the problem
    return parse_yaml_python(text, path, first_line, root_line)


def parse_yaml_python(
    text: str, path: str, first_line: int = 1, root_line: int | None = None
) -> tuple[YamlData | None, list[Problem]]:
    """`parse_yaml` with PyYAML's pure-Python parser only."""
    try:
        node = yaml.compose(text, Loader=_NoAliasLoader)
    except _AliasFound as found:
        message = "YAML aliases (*name) are not supported here: write the value out in full."
        return None, [Problem(path, found.mark.line + first_line, ALIAS, message)]
    except yaml.YAMLError as error:
        return None, [yaml_error_problem(error, text, path, first_line)]
    except RecursionError:
        return None, [Problem(path, first_line, YAML_SYNTAX, "The YAML is nested too deeply.")]
    return _built(node, path, first_line, root_line)


def _built(
    node: Node | None, path: str, first_line: int, root_line: int | None
) -> tuple[YamlData, list[Problem]]:
    if node is None:
        return YamlData(None, {(): root_line or first_line}), []
    builder = _Builder(path, first_line, stop_at_alias=True)
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
    elif "cannot start any token" in problem and (
        value := _KEY_VALUE.match(split_lines(text)[error_line])
    ):
        quoted = value[2].replace("\\", "\\\\").replace('"', '\\"')
        hint = f'Quote the value: write {value[1]}: "{quoted}".'
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
_KEY_VALUE = re.compile(r"^ *(?:- +)?([^\s:#\"'][^:#]*): +(\S.*?)\s*$")
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


_SURROGATE = re.compile("[\ud800-\udfff]")


class _Builder:
    """Turns composed nodes into plain values, recording lines and problems on the way."""

    def __init__(self, path: str, first_line: int, stop_at_alias: bool = False) -> None:
        self.path = path
        self.stop_at_alias = stop_at_alias  # raise _AliasFound rather than report it
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
            if self.stop_at_alias:
                raise _AliasFound(node.start_mark)
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
        tag = short(str(node.tag).replace(_TAG, "!!"))
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
                message = (
                    f"Duplicate key '{short(key)}'{where}: it is also on line {first}. Keep one."
                )
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
        text = self.whole_characters(node, at, str(node.value))
        construct = _SCALARS.get(str(node.tag))
        if construct is None:
            if node.tag != _TAG + "str":
                self.unsupported_tag(node, at)
            elif not node.style and _EXPONENT.fullmatch(text):
                self.data.plain[at] = text
                return self.number(node, at, float(text))  # YAML 1.1 wants 1.0e5; 1e5 is fine
            return text
        try:
            value = construct(node)
        except (ValueError, OverflowError):  # e.g. 2026-13-45 looks like a date but is none
            return text
        if not node.style and value is not None:  # plain: None, or '' from libyaml
            self.data.plain[at] = text
        return self.number(node, at, value)

    def whole_characters(self, node: ScalarNode, at: KeyPath, text: str) -> str:
        """YAML's \\u escapes can write a character as two UTF-16 halves ("\\ud800\\udc00", as
        JSON tools do): the pair becomes its character. A half on its own is no character at
        all, and no page or chart could show it: reported, and shown as U+FFFD."""
        if not _SURROGATE.search(text):
            return text
        whole = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        if whole.count("\ufffd") > text.count("\ufffd"):
            where = f"'{format_path(at)}'" if at else "The value"
            message = (
                f"{where} holds half of a UTF-16 pair (a \\u escape from D800 to DFFF): expected "
                "whole characters. Write the character itself, or both halves of its pair."
            )
            self.problem(node, WRONG_TYPE, message)
        return whole

    def number(self, node: ScalarNode, at: KeyPath, value: object) -> object:
        """The value; a number that cannot be stored as written (1e400, 1e-400) is reported."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            return value
        text = str(node.value)
        huge = isinstance(value, int) and abs(value) > sys.float_info.max
        trouble = "overflow" if huge else unstorable(text, float(value))
        if trouble is None:
            return value
        self.data.refused.add(at)
        where = f" at {format_path(at)}" if at else ""
        if trouble == "overflow":
            message = (
                f"The number {short(text)}{where} is too large to store: expected a number "
                "between -10^15 and 10^15. Write it in a larger unit (thousands, millions)."
            )
        else:
            message = (
                f"The number {short(text)}{where} is too close to zero to store as written (a "
                "computer rounds it toward 0): expected 0, or a number at least 10^-307 away "
                "from 0. Write it in a smaller unit (thousandths, millionths)."
            )
        self.problem(node, OUT_OF_RANGE, message)
        return value


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
                f"The YAML tag {short(tag.replace(_TAG, '!!'))} makes the site engine build a "
                "Python object (and run code) when it reads mkdocs.yml: remove it."
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
