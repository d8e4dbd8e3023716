"""The Jinja2 environment of the page templates, and user-template failures as problems.

Built-in templates live in `pumpsite/templates/`; a file of the same name in the repository's
`site_templates/` replaces one. A user template that does not parse is found by `pumpsite check`;
one that fails while rendering (an undefined variable, a bad filter) is found by the build. Both
become problems on the user's file and line, never a traceback.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Mapping

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from pumpsite.model import Problem

USER_FOLDER = "site_templates"
SYNTAX_ERROR = "PS601"
RENDER_ERROR = "PS602"
CODES = {
    SYNTAX_ERROR: "a page template in site_templates/ does not parse.",
    RENDER_ERROR: "a page template in site_templates/ fails while rendering a page.",
}


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


def environment(
    templates: Mapping[str, str], filters: Mapping[str, Callable[..., str]]
) -> jinja2.Environment:
    """User templates first (named `site_templates/<name>` in errors), then the built-in ones."""

    def user_template(name: str) -> tuple[str, str, Callable[[], bool]] | None:
        if name not in templates:
            return None
        return templates[name], f"{USER_FOLDER}/{name}", lambda: True

    loader = jinja2.ChoiceLoader(
        [jinja2.FunctionLoader(user_template), jinja2.PackageLoader("pumpsite", "templates")]
    )
    env = SandboxedEnvironment(  # a template from a pull request cannot reach Python
        loader=loader,
        autoescape=False,  # Markdown output: user text goes through the `e` filter instead
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        bytecode_cache=_PAGE_TEMPLATES,  # compiling them is a tenth of a rebuild under serve
    )
    env.filters.update(filters)
    return env


def _sentence(text: str | None) -> str:
    """Jinja's message as a sentence: one full stop, whether Jinja wrote one or not."""
    return (text or "invalid syntax").rstrip().rstrip(".") + "."


def syntax_problems(templates: Mapping[str, str]) -> list[Problem]:
    """Every user template that does not parse, at its line."""
    env = environment(templates, {})
    problems = []
    for name in sorted(templates):
        if name.endswith(".css"):
            continue  # copied, not rendered
        try:
            env.parse(templates[name], name, f"{USER_FOLDER}/{name}")
        except jinja2.TemplateSyntaxError as error:
            problems.append(
                Problem(
                    f"{USER_FOLDER}/{name}",
                    error.lineno,
                    SYNTAX_ERROR,
                    f"The template does not parse: {_sentence(error.message)} "
                    "See docs/templates.md.",
                )
            )
    return problems


def render_problem(error: jinja2.TemplateError, page: str) -> Problem | None:
    """The user template line where rendering `page` failed, or None when no user template is
    involved (then the failure is pumpsite's own bug and should surface as one)."""
    if isinstance(error, jinja2.TemplateSyntaxError) and (error.filename or "").startswith(
        USER_FOLDER + "/"
    ):
        return Problem(
            error.filename or "",
            error.lineno,
            SYNTAX_ERROR,
            f"The template does not parse: {_sentence(error.message)}",
        )
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if frame.filename.startswith(USER_FOLDER + "/")
    ]
    if not frames:
        return None
    frame = frames[-1]
    return Problem(
        frame.filename,
        frame.lineno,
        RENDER_ERROR,
        f"The template failed while rendering {page}: {_sentence(error.message or str(error))} "
        "Each template lists its variables in its first comment; see docs/templates.md.",
    )
