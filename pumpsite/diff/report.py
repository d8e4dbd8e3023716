"""Changes as a pull-request comment (Markdown, grouped by measure) or as JSON for tools.

The comment starts with a hidden marker, so a workflow can find and update its own comment.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict

from pumpsite.diff.change import KINDS, Change, Diff, Value
from pumpsite.labels import ASSURANCE_CHANGES, EFFECT_NOTES, ROLE_NAMES
from pumpsite.numbers import data_decimals, fmt
from pumpsite.problems import Problem

MARKER = "<!-- pumpsite-diff -->"
NO_NEWS = "No statistical news."
SHOWN_ERRORS = 3
SHORT_TEXT = 40
"""Edited text up to this long is shown before → after; longer text is named only."""
LONG_TEXT = 120

IDENTITY_VERBS = {
    "added": "added",
    "removed": "removed",
    "renamed": "renamed",
    "unreadable": "left out (errors)",
    "repaired": "readable again",
}
ROLE_KINDS = ("role", "target", "deadline")
REASONED = {  # added, removed, reason edited
    "phase": (
        "New phase from {at}: “{reason}”",
        "Phase from {at} removed",
        "Phase from {at}: reason edited",
    ),
    "exclude": (
        "{at} left out of the limits: “{reason}”",
        "{at} back in the limits",
        "Exclusion of {at}: reason edited",
    ),
}


def render_json(diff: Diff) -> str:
    base, head = diff.base, diff.head
    document = {
        "base": {"ref": base.ref, "commit": base.commit},
        "head": {"ref": head.ref, "commit": head.commit} if head else None,
        "report_date": diff.report_date.isoformat(),
        "errors": [
            {"path": p.path, "line": p.line, "code": p.code, "message": p.message}
            for p in diff.errors
        ],
        "changes": [asdict(change) for change in diff.changes],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def render_markdown(diff: Diff) -> str:
    base, head, changes = diff.base, diff.head, diff.changes
    head_name = f"{_code(head.ref)} ({head.short})" if head else "the working tree"
    lines = [
        MARKER,
        "### Statistical news",
        "",
        f"{_code(base.ref)} ({base.short}) → {head_name}, both read at the report date "
        f"{diff.report_date}.",
        "",
    ]
    lines += _errors(diff.errors)
    if not changes:
        return "\n".join([*lines, NO_NEWS])
    lines += [f"**In short:** {_summary(changes)}.", ""]
    for change in (c for c in changes if c.subject == "site"):
        was, now = _plain(change.before), _plain(change.after)
        lines += [f"**Site settings:** {change.label} {was} → {now}.", ""]
    goals = [c for c in changes if c.subject == "goal"]
    if goals:
        lines += ["#### Goals", *(f"- {line}" for line in _goal_lines(goals)), ""]
    lines += _measures([c for c in changes if c.subject == "measure"])
    actions = [c for c in changes if c.subject == "action"]
    if actions:
        lines += ["#### Actions", *(f"- {line}" for line in _action_lines(actions)), ""]
    return "\n".join(lines).rstrip("\n")


def _errors(errors: Sequence[Problem]) -> list[str]:
    if not errors:
        return []
    count = _count(len(errors), "error", "errors")
    lines = [
        f"> **This version has {count}.** `pumpsite check` lists them all; "
        "files with errors are left out of the news below."
    ]
    for problem in errors[:SHOWN_ERRORS]:
        where = f"{problem.path}:{problem.line}" if problem.line else problem.path or "."
        lines.append(f"> - {_code(where)}: {_text(problem.message, LONG_TEXT)} [{problem.code}]")
    if len(errors) > SHOWN_ERRORS:
        lines.append(f"> - and {len(errors) - SHOWN_ERRORS} more")
    return [*lines, ""]


# --- the one-line summary -------------------------------------------------------------------------


def _summary(changes: Sequence[Change]) -> str:
    def count(*kinds: str) -> int:
        return len({(c.id, c.key, c.at) for c in changes if c.kind in kinds})

    def measures(*kinds: str) -> int:
        return len({c.id for c in changes if c.subject == "measure" and c.kind in kinds})

    reached = len([c for c in changes if c.kind == "target_reached" and c.after])
    role_changes = {(c.id, c.at) for c in changes if c.kind == "role"}
    moved = {(c.id, c.at) for c in changes if c.kind in ("target", "deadline")} - role_changes
    parts = [
        _count(count("signal_new"), "new signal", "new signals"),
        _count(count("signal_cleared"), "signal cleared", "signals cleared"),
        _count(count("assurance"), "assurance changed", "assurances changed"),
        _count(reached, "target achieved", "targets achieved"),
        _count(len(role_changes), "role change", "role changes"),
        _count(len(moved), "target or deadline moved", "targets or deadlines moved"),
        _count(measures("stale"), "measure stale", "measures stale"),
    ]
    for subject in ("measure", "goal", "action"):
        for kind, verb in IDENTITY_VERBS.items():
            n = len([c for c in changes if c.subject == subject and c.kind == kind])
            parts.append(_count(n, f"{subject} {verb}", f"{subject}s {verb}"))
    for status, verb in STATUS_VERBS.items():
        n = len([c for c in changes if c.kind == "action_status" and c.key == status])
        parts.append(_count(n, f"action {verb}", f"actions {verb}"))
    parts.append(
        _count(count("followed"), "signal following an action", "signals following actions")
    )
    edited_goals = len({c.id for c in changes if c.subject == "goal" and c.kind == "field"})
    parts += [
        _count(measures("data"), "measure with data changes", "measures with data changes"),
        _count(
            measures("field", "limits_settings"),
            "measure definition edited",
            "measure definitions edited",
        ),
        _count(edited_goals, "goal edited", "goals edited"),
    ]
    return ", ".join(part for part in parts if part) or "see below"


def _count(n: int, singular: str, plural: str) -> str:
    return "" if n == 0 else f"1 {singular}" if n == 1 else f"{n} {plural}"


# --- actions --------------------------------------------------------------------------------------

STATUS_VERBS = {"running": "started", "done": "finished", "dropped": "dropped"}


def _action_lines(changes: Sequence[Change]) -> Iterator[str]:
    for action_id, items in _by_id(changes):
        name = f"**{_text(items[0].title)}** ({_code(action_id)})"
        yield f"{name}: " + "; ".join(_action_part(c) for c in items)


def _action_part(change: Change) -> str:
    if change.kind == "action_status":
        return f"{STATUS_VERBS[change.key]} on {change.at}"
    if change.kind == "followed":
        sentence = str(change.after)
        return f"on {_text(change.label)}: {_text(sentence[:1].lower() + sentence[1:])}"
    return _identity(change)


# --- goals ----------------------------------------------------------------------------------------


def _goal_lines(changes: Sequence[Change]) -> Iterator[str]:
    for goal_id, items in _by_id(changes):
        name = f"**{_text(items[0].title)}** ({_code(goal_id)})"
        yield f"{name}: " + "; ".join(_identity(c) or _field_text(c) for c in items)


def _by_id(changes: Sequence[Change]) -> list[tuple[str, list[Change]]]:
    """Changes grouped by goal or measure, ordered by title, each in the order of KINDS."""
    groups: dict[str, list[Change]] = {}
    for change in changes:
        groups.setdefault(change.id, []).append(change)
    for items in groups.values():
        items.sort(key=lambda c: (KINDS.index(_group(c)), c.at if c.kind in ROLE_KINDS else ""))
    return sorted(groups.items(), key=lambda item: (item[1][0].title.casefold(), item[0]))


def _identity(change: Change) -> str:
    if change.kind == "added":
        return "new"
    if change.kind == "removed":
        return f"removed (was {change.before})"
    if change.kind == "unreadable":
        return "left out: its file has errors now"
    if change.kind == "repaired":
        return "readable again: its file had errors at the base"
    if change.kind == "renamed":
        return f"renamed from {_code(str(change.before))}"
    return ""


# --- measures -------------------------------------------------------------------------------------


def _measures(changes: Sequence[Change]) -> list[str]:
    lines: list[str] = []
    data_only: list[str] = []
    for measure_id, items in _by_id(changes):
        if all(c.kind == "data" and c.key == "added" for c in items):
            data_only.append(f"{_text(items[0].title)} ({items[0].at})")
            continue
        lines += [f"#### {_text(items[0].title)} · {_code(measure_id)}"]
        lines += [f"- {line}" for line in _measure_lines(items)]
        lines.append("")
    if data_only:
        lines += [f"**New data, nothing else to tell:** {'; '.join(data_only)}.", ""]
    return lines


def _measure_lines(items: Sequence[Change]) -> Iterator[str]:
    """One line per change, except the changes told together: the signals at one period,
    the role, target and deadline from one quarter, the data, and the edited fields."""
    lines: dict[tuple[str, str], list[Change]] = {}
    for index, change in enumerate(items):
        lines.setdefault(_line_key(change, index), []).append(change)
    for (group, _), changes in lines.items():
        first = changes[0]
        if group in ("added", "removed", "unreadable", "repaired", "renamed"):
            yield _measure_identity(first)
        elif group in ("signal_new", "signal_cleared"):
            yield _signals(changes)
        elif group == "role":
            yield f"From {first.at}: " + "; ".join(_role_part(c) for c in changes)
        elif group == "data":
            yield "Data: " + "; ".join(_data_part(c) for c in changes)
        elif group == "field":
            yield "Edited: " + "; ".join(_field_text(c) for c in changes)
        else:
            yield LINE[group](first)


def _group(change: Change) -> str:
    return "role" if change.kind in ROLE_KINDS else change.kind


def _line_key(change: Change, index: int) -> tuple[str, str]:
    group = _group(change)
    if group in ("data", "field"):
        return group, ""
    if group in ("signal_new", "signal_cleared", "role"):
        return group, change.at
    return group, str(index)


def _measure_identity(change: Change) -> str:
    if change.kind == "added":
        return f"**New measure**, a {ROLE_NAMES.get(str(change.after), 'KPI')}"
    return _identity(change).capitalize()


def _signals(changes: Sequence[Change]) -> str:
    first = changes[0]
    new = first.kind == "signal_new"
    word = ("New signal" if new else "Cleared signal") + ("s" if len(changes) > 1 else "")
    names = "; ".join(
        f"{c.label}{EFFECT_NOTES.get(str(c.after if new else c.before), '')}" for c in changes
    )
    return f"**{word}** at {first.at}: {names}"


def _assurance(change: Change) -> str:
    was = f" (was {ASSURANCE_CHANGES[str(change.before)]})" if change.before else ""
    return f"Target {change.label}: **{ASSURANCE_CHANGES.get(_str(change.after))}**{was}"


def _reached(change: Change) -> str:
    if change.after:
        return (
            f"Target {change.label} **achieved**: after a signal of improvement, a new phase's "
            "central line is at or past it, on firm limits"
        )
    return f"Target {change.label} no longer achieved"


def _stale(change: Change) -> str:
    was = f" (was {change.before})" if change.before else ""
    return f"**Stale data**: latest value {change.after}{was}, expected {change.at}"


def _limits_moved(change: Change) -> str:
    return f"Limits now {change.after} (were {change.before})"


def _limits_setting(change: Change) -> str:
    old, new = _str(change.before), _str(change.after)
    if change.key in REASONED:
        added, removed, edited = REASONED[change.key]
        text = added if old is None else removed if new is None else edited
        return text.format(at=change.at, reason=_text(new or "", LONG_TEXT))
    if change.key == "baseline":
        return f"Baseline: {_baseline(change.before)} → {_baseline(change.after)}"
    default = {"rules": "site-wide", "run_length": "site-wide", "bounds": "none"}.get(
        change.key, "default"
    )
    return f"{change.label.capitalize()}: {old or default} → {new or default}"


def _baseline(value: Value) -> str:
    return f"first {_value(value)} points" if isinstance(value, int | float) else str(value)


LINE: dict[str, Callable[[Change], str]] = {
    "assurance": _assurance,
    "target_reached": _reached,
    "stale": _stale,
    "limits_moved": _limits_moved,
    "limits_settings": _limits_setting,
}


def _data_part(change: Change) -> str:
    word = {"added": "new", "corrected": "corrected", "removed": "removed"}[change.key]
    n = int(change.after or 0)
    return f"{_count(n, f'{word} value', f'{word} values')} ({change.at})"


def _role_part(change: Change) -> str:
    if change.kind == "role":
        was, now = (ROLE_NAMES[_str(value) or "sustain"] for value in (change.before, change.after))
        return f"**{was} → {now}**"
    was, now = _plain(change.before), _plain(change.after)
    if change.before is None:
        return f"{change.key} {now}"
    if change.after is None:
        return f"no {change.key} (was {was})"
    return f"{change.key} {was} → {now}"


def _field_text(change: Change) -> str:
    if change.key in ("goal", "parent"):
        return f"{change.label} {_id(change.before)} → {_id(change.after)}"
    if _short(change.before) and _short(change.after):
        return f"{change.label} {_pair(change.before, change.after)}"
    return change.label


def _pair(before: Value, after: Value) -> str:
    return f"{_value(before)} → {_value(after)}"


def _id(value: Value) -> str:
    return "none" if value is None else _code(str(value))


def _short(value: Value) -> bool:
    return not isinstance(value, str) or (len(value) <= SHORT_TEXT and "\n" not in value)


def _value(value: Value) -> str:
    """A value for people: numbers and dates as they are, text in quotes."""
    return f"“{_text(value)}”" if isinstance(value, str) else _plain(value)


def _plain(value: Value) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return fmt(value, data_decimals([value]))
    return _text(value)


def _str(value: Value) -> str | None:
    return None if value is None else str(value)


# User text in a comment GitHub renders: every character GitHub-flavoured Markdown gives a meaning
# (links, images, emphasis, code, raw HTML, tables, strikethrough, math, headings) escaped with a
# backslash, which shows the character itself; and what GitHub turns into a link or a
# notification after Markdown — @mentions, #123 and GH-123 references, bare URLs and emails — kept
# apart by an invisible word joiner, so the text reads the same and pings nobody.
_GFM_SPECIAL = re.compile(r"[\\`*_\[\]<>&|~#$!]")
_AUTOLINKED = re.compile(r"(?<=[@#])|(?<=:)(?=//)|(?<=\bwww)(?=\.)|(?<=\bgh)(?=-\d)", re.IGNORECASE)
WORD_JOINER = "\u2060"


def _text(text: str, limit: int | None = None) -> str:
    """User text on one line, shown as the text it is (see above), shortened to `limit`."""
    flat = re.sub(r"\s+", " ", text).strip()
    if limit is not None and len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    return _AUTOLINKED.sub(WORD_JOINER, _GFM_SPECIAL.sub(r"\\\g<0>", flat))


def _code(text: str) -> str:
    """User text as inline code, which GitHub shows as it is: fenced by more backticks than
    any run of them inside, so it cannot end early."""
    flat = re.sub(r"\s+", " ", text).strip()
    fence = "`" * (max(map(len, re.findall("`+", flat)), default=0) + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"
