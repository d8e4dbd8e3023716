"""Validating plain YAML values with the pydantic schema, and turning pydantic's errors into
problems at the line of the key they concern, worded for the person who wrote the file.
"""

from __future__ import annotations

import types
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from pumpsite.load.yaml_values import YamlData, format_path
from pumpsite.model import KeyPath
from pumpsite.numbers import foreign_digit, parse_number
from pumpsite.problems import (
    BAD_PERIOD,
    BAD_SOURCE,
    MISSING_KEY,
    NOT_A_URL,
    NOT_ALLOWED,
    OUT_OF_RANGE,
    PASSWORD_IN_URL,
    UNKNOWN_KEY,
    WRONG_TYPE,
    YAML_TRAP,
    Problem,
    closest,
    did_you_mean,
    short,
)

ModelT = TypeVar("ModelT", bound=BaseModel)


# --- describing values ----------------------------------------------------------------------------


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


# Words people write for an allowed value that spelling alone does not find ('annual' is far
# from 'yearly'): suggested only when the word they stand for is allowed where they are written.
SYNONYMS = {
    "annual": "yearly",
    "annually": "yearly",
    "year": "yearly",
    "higher": "up",
    "increase": "up",
    "more": "up",
    "lower": "down",
    "decrease": "down",
    "less": "down",
}


def _meant(word: object, allowed: list[str]) -> str:
    same = SYNONYMS.get(word.strip().casefold()) if isinstance(word, str) else None
    return f" Did you mean '{same}'?" if same in allowed else did_you_mean(word, allowed)


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
            self.add(target, NOT_ALLOWED, message + _meant(value, allowed))
        elif kind in _CUSTOM and (_is_scalar(value) or kind == "source"):
            text = _briefly(str(detail["msg"]), detail.get("ctx", {}))
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
        hint = _number_hint(target, value)
        message = f"{_subject(at)} expects {_expected(target)}, got {describe(value)}.{hint}"
        self.add(target, WRONG_TYPE, message)


def _number_hint(target: _Target, value: object) -> str:
    """What a text that looks like a number needs to be one."""
    if not isinstance(value, str) or not value.strip():
        return ""
    number = parse_number(value.strip())
    mean = f" Did you mean {number.suggestion}?" if number.suggestion else ""
    if digit := foreign_digit(value):
        return f" It contains {digit}.{mean}"
    if target.type not in (int, float):
        return ""
    return " Write it without quotes." if number.value is not None else mean


def _briefly(message: str, context: dict[str, Any]) -> str:
    """A message from the schema with the long values it quotes shortened."""
    for value in context.values():
        if isinstance(value, str) and value != short(value):
            message = message.replace(value, short(value))
    return message


def _is_scalar(value: object) -> bool:
    return isinstance(value, str | int | float | date) and not isinstance(value, bool)


_CUSTOM = {  # error types raised by the schema's validators
    "period": BAD_PERIOD,
    "quarter": BAD_PERIOD,
    "date": BAD_PERIOD,
    "number": OUT_OF_RANGE,
    "source": BAD_SOURCE,
    "connection": PASSWORD_IN_URL,
    "connection_url": NOT_A_URL,
}
_BOUNDS = {
    "greater_than_equal": ("at least", "ge"),
    "greater_than": ("more than", "gt"),
    "less_than_equal": ("at most", "le"),
    "less_than": ("less than", "lt"),
}
