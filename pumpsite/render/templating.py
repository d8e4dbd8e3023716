"""The Jinja2 environment of the page templates, and user-template failures as problems.

Built-in templates live in `pumpsite/templates/`; a file of the same name in the repository's
`site_templates/` replaces one. Templates come in pull requests and CI renders them, so they run
in Jinja's immutable sandbox (no Python, no changing the values pages share). A template that
does not parse is found by `pumpsite check`; any exception while rendering (an undefined
variable, `[].pop()`, a template that includes itself) becomes a problem at the user's file and
line, never a traceback. Time and memory are bounded by `pumpsite.template_worker`.
"""

from __future__ import annotations

import traceback
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from pumpsite.problems import TEMPLATE_FAILS, TEMPLATE_SYNTAX, TEMPLATE_TOO_MUCH_MEMORY, Problem

USER_FOLDER = "site_templates"
MAX_POWER_BITS = 100_000
"""`a ** b` in a template may give at most this many bits (about 30,000 digits): a bigger
power takes the processor for minutes in one step that no timer can interrupt."""


class TemplateFailure(Exception):
    """A user template failed while rendering a page; `problem` says where."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


class OverLimit(Exception):
    """Raised inside a template's rendering when it passes a limit, so that the problem points
    at the template line it had reached; `code` is the problem's."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in memory across builds in one process (`pumpsite serve`).

    Jinja checks each entry against a hash of the template's source, so an edited template is
    compiled afresh. One instance per kind of environment: the bytecode depends on its options.
    The oldest entries go beyond `limit`: each edit of a chart under serve adds one.
    """

    def __init__(self, limit: int = 5000) -> None:
        self._compiled: dict[str, bytes] = {}
        self.limit = limit

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self._compiled:
            bucket.bytecode_from_string(self._compiled[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._compiled[bucket.key] = bucket.bytecode_to_string()
        while len(self._compiled) > self.limit:
            del self._compiled[next(iter(self._compiled))]


_PAGE_TEMPLATES = CompiledTemplates()


SAFE_ATTRIBUTES_KEPT = 10_000
"""(type, attribute name) pairs whose safety a sandbox remembers."""


class Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, and no power too large to compute in bounded time; `used`
    names the user templates it has loaded, in order."""

    intercepted_binops = frozenset({"**"})
    used: list[str]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._safe: dict[tuple[type, str], bool] = {}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        """Jinja's judgement, remembered: it depends only on the object's type and the
        attribute's name (`jinja2.sandbox`: a leading underscore, a function's or frame's
        internals, a mutating method), and asking for it on every attribute a page reads was a
        third of rendering the pages."""
        key = (type(obj), attr)
        known = self._safe.get(key)
        if known is None:
            if len(self._safe) >= SAFE_ATTRIBUTES_KEPT:  # a template inventing names
                self._safe.clear()
            known = self._safe[key] = super().is_safe_attribute(obj, attr, value)
        return known

    def call_binop(self, context: jinja2.runtime.Context, operator: str, *args: Any) -> Any:
        base, exponent = args
        if (
            operator == "**"
            and isinstance(base, int)
            and isinstance(exponent, int)
            and abs(base) > 1
            and exponent * abs(base).bit_length() > MAX_POWER_BITS
        ):
            raise SecurityError(f"a power may have at most {MAX_POWER_BITS:,} bits")
        return super().call_binop(context, operator, *args)


@jinja2.pass_context
def _at_render_time(context: jinja2.runtime.Context, value: object) -> object:
    """Each output as it is. Taking the context keeps Jinja from working out constant output
    while compiling, the other place it would run a template's expressions unbounded."""
    return value


def user_templates(templates: Mapping[str, str]) -> list[str]:
    """The names of the user's page templates (`pumpsite.css` is copied, not rendered)."""
    return sorted(name for name in templates if not name.endswith(".css"))


def environment(templates: Mapping[str, str], filters: Mapping[str, Callable[..., str]]) -> Sandbox:
    """User templates first (named `site_templates/<name>` in errors), then the built-in ones."""
    used: list[str] = []

    def user_template(name: str) -> tuple[str, str, Callable[[], bool]] | None:
        if name not in templates:
            return None
        used.append(name)
        return templates[name], f"{USER_FOLDER}/{name}", lambda: True

    loader = jinja2.ChoiceLoader(
        [jinja2.FunctionLoader(user_template), jinja2.PackageLoader("pumpsite.render", "templates")]
    )
    env = Sandbox(  # a template from a pull request cannot reach Python
        loader=loader,
        autoescape=False,  # Markdown output: user text goes through the `e` filter instead
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        # No constant folding: it runs a template's expressions while compiling it, where
        # Jinja swallows every exception, the worker's timer and MemoryError included.
        optimized=False,
        finalize=_at_render_time,
        bytecode_cache=_PAGE_TEMPLATES,  # compiling them is a tenth of a rebuild under serve
    )
    env.filters.update(filters)
    env.used = used
    return env


def _sentence(text: str | None) -> str:
    """Jinja's message as a sentence: one full stop, whether Jinja wrote one or not."""
    return (text or "invalid syntax").rstrip().rstrip(".") + "."


def syntax_problems(templates: Mapping[str, str]) -> list[Problem]:
    """Every user template that does not parse, at its line."""
    env = environment(templates, {})
    problems = []
    for name in user_templates(templates):
        try:
            env.parse(templates[name], name, f"{USER_FOLDER}/{name}")
        except jinja2.TemplateSyntaxError as error:
            problems.append(
                Problem(
                    f"{USER_FOLDER}/{name}",
                    error.lineno,
                    TEMPLATE_SYNTAX,
                    f"The template does not parse: {_sentence(error.message)} "
                    "See docs/templates.md.",
                )
            )
    return problems


def _what_failed(error: Exception, page: str, where: str = "") -> tuple[str, str]:
    """The problem code and message for an exception raised while rendering `page`; `where`
    adds a sentence on where it happened."""
    if isinstance(error, OverLimit):
        return error.code, f"{_sentence(str(error))} It was rendering {page}."
    if isinstance(error, MemoryError):
        return TEMPLATE_TOO_MUCH_MEMORY, (
            f"The template needed more memory than rendering a page may use, while rendering "
            f"{page}."
        )
    if isinstance(error, RecursionError):
        reason = "templates that include, import or call each other without end"
    elif isinstance(error, jinja2.TemplateError):
        reason = error.message or str(error)
    else:  # an exception of Python's, like IndexError from `[][0]`
        reason = f"{type(error).__name__}: {error}"
    return TEMPLATE_FAILS, (
        f"The template failed while rendering {page}: {_sentence(reason)} {where}"
        "Each template lists its variables in its first comment; see docs/templates.md."
    )


def render_problem(error: Exception, page: str, involved: Sequence[str] = ()) -> Problem | None:
    """The user template line where rendering `page` failed, or None when no user template is
    involved (then the failure is pumpsite's own bug and should surface as one). `involved`
    names the user templates the page may have used, its own first: a limit passed, or a
    built-in template failing, outside their lines is their problem."""
    if isinstance(error, jinja2.TemplateSyntaxError) and (error.filename or "").startswith(
        USER_FOLDER + "/"
    ):
        return Problem(
            error.filename or "",
            error.lineno,
            TEMPLATE_SYNTAX,
            f"The template does not parse: {_sentence(error.message)}",
        )
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if frame.filename.startswith(USER_FOLDER + "/")
    ]
    if frames:
        code, message = _what_failed(error, page)
        lines = [(frame.filename, frame.lineno) for frame in frames]
        path, line = lines[-1]
        if isinstance(error, RecursionError):  # the line that recurs: an include, a call
            path, line = Counter(lines).most_common(1)[0][0]
        return Problem(path, line, code, message)
    paths = [f"{USER_FOLDER}/{name}" for name in involved]
    if isinstance(error, jinja2.TemplateError) and paths:
        # A built-in template failing with the user's: a macro their `_macros.md` lacks.
        where = f"It failed in a built-in template, using yours: {', '.join(paths)}. "
        code, message = _what_failed(error, page, where)
        return Problem(paths[0], None, code, message)
    code, message = _what_failed(error, page)
    if isinstance(error, OverLimit | MemoryError):
        return Problem(paths[0] if paths else USER_FOLDER, None, code, message)
    return None
