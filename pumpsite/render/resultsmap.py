"""The PuMP results map: the goal tree as a hand-written SVG, with no JavaScript and no CDN.

Pure string building. Roots sit at the left and each goal's children to its right (a page grows
downwards, not sideways, so a hundred goals stay readable), laid out as a compact tidy tree: a
parent is centred on its children and no two subtrees overlap. Children are sorted by title, so
the layout is deterministic. Each box links to its goal's page; goals in focus (a key result this
quarter) get a highlighted border and an "in focus" tag. The map is not an image (`role="img"`
would hide its links) but a named group of real links, in the order of the tree (each goal
before its children), named by their hover titles; the connectors are hidden from assistive
technology. Text and lines use `currentColor`, so the
map follows Material's light and dark schemes. A goal whose parent is missing is a root; a cycle
(reported by the checks) cannot loop: a goal already placed is never placed again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from html import escape as _escape

from pumpsite.goal_tree import GoalTree
from pumpsite.model import Goal, Measure
from pumpsite.numbers import counted

BOX_WIDTH = 208.0
FONT = 13.0
LINE = 16.0
PAD_X = 10.0
PAD_Y = 9.0
COLUMN_GAP = 44.0
ROW_GAP = 12.0
ROOT_GAP = 26.0
MARGIN = 12.0
MAX_LINES = 4
CHAR_WIDTH = 0.52
"""Average glyph width in em for wrapping, on the generous side of the usual sans-serif fonts."""
FOCUS = "var(--md-accent-fg-color, #526cfe)"
ON_FOCUS = "var(--md-accent-bg-color, #fff)"
PREFIX = "pumpsite-results-map"


def escape(text: str) -> str:
    """XML-escaped text on one line (quotes too, for attributes): a blank line would end the
    Markdown raw-HTML block the map is pasted into."""
    return _escape(" ".join(text.split()), quote=True)


@dataclass(slots=True)
class _Box:
    goal_id: str
    lines: list[str]
    depth: int
    top: float = 0.0
    children: list[str] = field(default_factory=list)

    @property
    def height(self) -> float:
        return 2 * PAD_Y + LINE * len(self.lines)

    @property
    def middle(self) -> float:
        return self.top + self.height / 2

    @property
    def left(self) -> float:
        return MARGIN + self.depth * (BOX_WIDTH + COLUMN_GAP)


@dataclass(slots=True)
class _Tree:
    goals: GoalTree
    boxes: dict[str, _Box] = field(default_factory=dict)


def wrap(text: str, width: float = BOX_WIDTH - 2 * PAD_X, font: float = FONT) -> list[str]:
    """Greedy word wrap to lines of at most `width` points; words longer than a line are cut;
    at most MAX_LINES lines, the last ending in an ellipsis when text is left over."""
    fits = max(int(width / (CHAR_WIDTH * font)), 4)
    lines: list[str] = []
    for word in text.split():
        while len(word) > fits:
            lines.append(word[: fits - 1] + "-")
            word = word[fits - 1 :]
        if lines and len(lines[-1]) + 1 + len(word) <= fits:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > MAX_LINES:
        last = lines[MAX_LINES - 1]
        lines = [*lines[: MAX_LINES - 1], last[: fits - 1].rstrip() + "…"]
    return lines or [""]


def _order(goals: Mapping[str, Goal], ids: Sequence[str] | Set[str]) -> list[str]:
    return sorted(ids, key=lambda goal_id: (goals[goal_id].title.casefold(), goal_id))


def _place(tree: _Tree, goal_id: str, depth: int, top: float) -> float:
    """Place a goal's subtree from `top` down; the bottom of the space it takes. Recursive, as
    deep as the goals nest: at most checks.MAX_GOAL_LEVELS, a bound the build enforces."""
    box = _Box(goal_id, wrap(tree.goals.goals[goal_id].title), depth)
    tree.boxes[goal_id] = box  # before the children: a cycle back here finds it placed
    cursor = top
    for child in tree.goals.children[goal_id]:
        if child not in tree.boxes:
            box.children.append(child)
            cursor = _place(tree, child, depth + 1, cursor) + ROW_GAP
    if not box.children:
        box.top = top
        return top + box.height
    first, last = tree.boxes[box.children[0]], tree.boxes[box.children[-1]]
    box.top = (first.middle + last.middle) / 2 - box.height / 2
    if box.top < top:  # a parent taller than its children's band: move the band down
        for child in box.children:
            _shift(tree, child, top - box.top)
        cursor += top - box.top
        box.top = top
    return max(cursor - ROW_GAP, box.top + box.height)


def _shift(tree: _Tree, goal_id: str, by: float) -> None:
    box = tree.boxes[goal_id]
    box.top += by
    for child in box.children:
        _shift(tree, child, by)


def layout(goals: Mapping[str, Goal]) -> dict[str, _Box]:
    """Every goal's box: the roots in title order, then, should a cycle leave goals with no
    root above them, each such group from its first goal by title."""
    tree = _Tree(GoalTree.of(goals))
    cursor = MARGIN
    for goal_id in [*tree.goals.roots, *_order(goals, list(goals))]:
        if goal_id not in tree.boxes:
            cursor = _place(tree, goal_id, 0, cursor) + ROOT_GAP
    return tree.boxes


# --- SVG ---------------------------------------------------------------------------------------


def _n(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _connector(parent: _Box, child: _Box) -> str:
    x0 = parent.left + BOX_WIDTH
    x1 = child.left
    middle = x0 + COLUMN_GAP / 2
    return (
        f'<path d="M {_n(x0)} {_n(parent.middle)} H {_n(middle)} V {_n(child.middle)} H {_n(x1)}"/>'
    )


def _box(box: _Box, goal: Goal, href: str, tooltip: str, in_focus: bool) -> list[str]:
    x, y = box.left, box.top
    stroke = (
        f'stroke="{FOCUS}" stroke-width="2.5"'
        if in_focus
        else 'stroke="currentColor" stroke-opacity="0.45" stroke-width="1"'
    )
    weight = ' font-weight="bold"' if box.depth == 0 else ""
    spans = "".join(
        f'<tspan x="{_n(x + PAD_X)}" y="{_n(y + PAD_Y + LINE * (k + 0.78))}">{escape(line)}</tspan>'
        for k, line in enumerate(box.lines)
    )
    parts = [
        f'<a href="{escape(href)}" data-goal="{escape(goal.id)}">',
        f"<title>{escape(tooltip)}</title>",
        f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(BOX_WIDTH)}" height="{_n(box.height)}" '
        f'rx="6" fill="currentColor" fill-opacity="0.05" {stroke}/>',
        f'<text font-size="{_n(FONT)}" fill="currentColor"{weight}>{spans}</text>',
    ]
    if in_focus:
        parts += _focus_tag(x + BOX_WIDTH - 62, y - 8)
    return [*parts, "</a>"]


def _focus_tag(x: float, y: float) -> list[str]:
    return [
        f'<rect x="{_n(x)}" y="{_n(y)}" width="54" height="16" rx="8" fill="{FOCUS}"/>',
        f'<text x="{_n(x + 27)}" y="{_n(y + 11.5)}" font-size="10" font-weight="bold" '
        f'text-anchor="middle" fill="{ON_FOCUS}">in focus</text>',
    ]


def _tooltip(goal: Goal, measures: Sequence[Measure], in_focus: bool) -> str:
    count = len(measures)
    words = [counted(count, "measure")] if count else ["no measures yet"]
    if in_focus:
        words.append("in focus this quarter")
    return f"{' '.join(goal.title.split())} ({', '.join(words)})"


def _description(goals: Mapping[str, Goal], focus: Set[str]) -> str:
    count = len(goals)
    text = f"Results map of {counted(count, 'goal')}"
    in_focus = _order(goals, [goal_id for goal_id in goals if goal_id in focus])
    if in_focus:
        titles = "; ".join(" ".join(goals[g].title.split()) for g in in_focus)
        text += f"; in focus this quarter: {titles}"
    return text + "."


def _open(width: float, height: float, description: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'class="pumpsite-results-map" role="group" '
        f'aria-labelledby="{PREFIX}-title" aria-describedby="{PREFIX}-desc" '
        f'style="font-family: var(--md-text-font-family, sans-serif)">',
        f'<title id="{PREFIX}-title">Results map</title>',
        f'<desc id="{PREFIX}-desc">{escape(description)}</desc>',
    ]


def _by_goal(measures: Mapping[str, Measure]) -> dict[str, list[Measure]]:
    found: dict[str, list[Measure]] = {}
    for measure in sorted(measures.values(), key=lambda m: m.id):
        found.setdefault(measure.meta.goal, []).append(measure)
    return found


def _empty(description: str) -> list[str]:
    text = '<text x="12" y="25" font-size="13" fill="currentColor">No goals yet.</text>'
    return [*_open(240, 40, description), text]


def render_results_map(
    goals: Mapping[str, Goal],
    measures: Mapping[str, Measure],
    *,
    link: Callable[[str], str],
    focus: Set[str] = frozenset(),
) -> str:
    """The goal tree as an inline SVG fragment (no blank line), each box linking to
    `link(goal_id)`; goals in `focus` are highlighted. Deterministic for the same input."""
    boxes = layout(goals)
    description = _description(goals, focus)
    if not boxes:
        return "\n".join([*_empty(description), "</svg>"])
    depth = max(box.depth for box in boxes.values())
    width = 2 * MARGIN + depth * (BOX_WIDTH + COLUMN_GAP) + BOX_WIDTH
    height = max(box.top + box.height for box in boxes.values()) + MARGIN
    lines = _open(width, height, description)
    lines.append(
        '<g fill="none" stroke="currentColor" stroke-opacity="0.45" stroke-width="1.2" '
        'aria-hidden="true">'
    )
    lines += [_connector(box, boxes[child]) for box in boxes.values() for child in box.children]
    lines.append("</g>")
    by_goal = _by_goal(measures)
    for goal_id, box in boxes.items():
        goal, in_focus = goals[goal_id], goal_id in focus
        tooltip = _tooltip(goal, by_goal.get(goal_id, []), in_focus)
        lines += _box(box, goal, link(goal_id), tooltip, in_focus)
    lines.append("</svg>")
    return "\n".join(lines)
