"""Problems with the user's files: the `Problem` value, and the one registry of its codes.

Every code is registered here with its severity, the stage that reports it and a one-line
meaning; a `Problem` with an unregistered code cannot be made. `docs/problems.md` is generated
from this registry (`make docs`). Codes are stable: a code keeps its meaning, and a retired code
is not given to another problem.

The ranges: PS1xx a file and its YAML, PS2xx references between files, PS3xx data, PS4xx PuMP
lint, PS5xx the glossary and mkdocs.yml, PS6xx page templates, PS7xx pumpsite's own folders,
PS80x a measure's data source as `check` sees it, PS81x–PS82x what `pumpsite pull` finds running
one.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from pumpsite.vocabulary import MIN_LIMIT_POINTS

Stage = Literal["load", "checks", "lint", "templates", "build", "sources", "pull"]
"""What reports a code: the loader, the checks across files, the PuMP and limits lint, the page
templates, the build's own folders, a measure's `source` as `check` sees it (without running
it), or `pumpsite pull` running a source."""


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    severity: Severity
    stage: Stage
    meaning: str  # one line, for the docs


REGISTRY: dict[str, Code] = {}


def _code(code: str, stage: Stage, meaning: str, severity: Severity = Severity.ERROR) -> str:
    REGISTRY[code] = Code(code, severity, stage, meaning)
    return code


def _warning(code: str, stage: Stage, meaning: str) -> str:
    return _code(code, stage, meaning, Severity.WARNING)


def codes_of(stage: Stage) -> dict[str, Code]:
    """The codes a stage reports, in order."""
    return {code: entry for code, entry in sorted(REGISTRY.items()) if entry.stage == stage}


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with the user's files: where, a registered code, and a sentence saying
    what. The code decides the severity."""

    path: str  # repo-relative, '/'-separated; "" for the repository as a whole
    line: int | None  # 1-based; None for the whole file
    code: str  # registered below, e.g. "PS103"
    message: str

    def __post_init__(self) -> None:
        if self.code not in REGISTRY:
            raise ValueError(f"Unregistered problem code {self.code!r}: add it to {__name__}.")

    def __str__(self) -> str:
        """One line, as `pumpsite check` prints it: whatever the path and message hold."""
        where = f"{printable(self.path)}:{self.line}" if self.line else printable(self.path) or "."
        return f"{where}: {self.severity.value}: {printable(self.message)} [{self.code}]"

    @property
    def severity(self) -> Severity:
        return REGISTRY[self.code].severity

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Stable, readable order: by file, then line, then code; duplicates removed."""
    unique = dict.fromkeys(problems)
    return sorted(unique, key=lambda p: (p.path, p.line or 0, p.code, p.message))


# --- wording -------------------------------------------------------------------------------------


def printable(text: str) -> str:
    """`text` with every character that acts on a terminal or on the order of text written as
    an escape (`\\x1b`, `\\n`, `\\u202e`): a file name or a value printed in a message must
    not colour the terminal, start a line that looks like another problem, or reverse the text
    around it. Letters, digits, punctuation and spaces of every script stay as they are."""
    if text.isprintable():
        return text
    return "".join(char.encode("unicode_escape").decode() if _acts(char) else char for char in text)


def _acts(char: str) -> bool:
    # Cc: controls (ESC, newline, DEL, C1); Cf: formats (bidi overrides, zero widths); Cs: lone
    # surrogates (undecodable bytes in a file name); Zl, Zp: line and paragraph separators.
    return unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp")


def short(text: str, limit: int = 40) -> str:
    """`text` cut to `limit` characters with an ellipsis, to quote it in a message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def closest(word: object, choices: Iterable[str]) -> str | None:
    """The choice closest to `word` (difflib, as click's "no such option" does), if one is."""
    if not isinstance(word, str):
        return None
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(word: object, choices: Iterable[str]) -> str:
    """The choice closest to `word` as " Did you mean 'x'?", or "" when none is close."""
    close = closest(word, choices)
    return f" Did you mean '{close}'?" if close else ""


# --- PS1xx: a file and its YAML ------------------------------------------------------------------

NOT_TEXT = _code(
    "PS100", "load", "A file is not UTF-8 text: invalid bytes, a NUL byte (binary file) or UTF-16."
)
FRONTMATTER = _code(
    "PS101", "load", "A file's frontmatter is missing, unclosed, empty or not a mapping of keys."
)
YAML_SYNTAX = _code("PS102", "load", "YAML syntax error, or a tab used for indentation.")
UNKNOWN_KEY = _code("PS103", "load", "An unknown key (a typo, or a key of another kind of file).")
MISSING_KEY = _code("PS104", "load", "A required key is missing.")
WRONG_TYPE = _code("PS105", "load", "A value has the wrong type, or is empty.")
YAML_TRAP = _code(
    "PS106",
    "load",
    "An unquoted value YAML reads as a boolean, number or date where text is expected.",
)
NOT_ALLOWED = _code("PS107", "load", "A value is not one of the allowed values.")
BAD_PERIOD = _code("PS108", "load", "An invalid period, quarter or date.")
DUPLICATE_KEY = _code("PS109", "load", "A key appears twice in the same mapping.")
BAD_ID = _code("PS110", "load", "A file name is not a valid id (it becomes a URL).")
DUPLICATE_ID = _code(
    "PS111", "load", "Two goal, measure or action files have the same name (the id)."
)
UNKNOWN_KIND = _code("PS112", "load", "'kind' is neither goal, measure nor action.")
ALIAS = _code("PS113", "load", "A YAML alias (*name) is used; write the value out in full instead.")
UNSUPPORTED_YAML = _code(
    "PS114", "load", "A YAML tag (like !!binary) or a non-text key that pumpsite does not accept."
)
OUT_OF_RANGE = _code("PS115", "load", "A number is outside the allowed range.")
NO_MEASURES = _code("PS116", "load", "The repository has no measures/ folder.")
UNREADABLE = _code(
    "PS117", "load", "A file cannot be read (permissions, or a folder where a file should be)."
)
BAD_LINK = _code(
    "PS118", "load", "A file or folder pumpsite would read is a symbolic link (it follows none)."
)
RESERVED_ID = _code(
    "PS119", "load", "A goal or measure id names a page the site makes itself (index, README)."
)
TOO_DEEP = _code("PS120", "checks", "Goals are nested more than 20 levels deep.")
REVERSED_BOUNDS = _code(
    "PS121",
    "checks",
    "A measure's bounds are reversed: the lower bound is not below the upper one.",
)
UNCONFIRMED_BETTER = _warning(
    "PS122", "load", "A measure's better: is a guess to confirm (up? as pumpsite new wrote it)."
)

# --- PS2xx: references between files -------------------------------------------------------------

NO_SUCH_GOAL = _code("PS201", "checks", "A measure's goal does not exist.")
NO_SUCH_PARENT = _code("PS202", "checks", "A goal's parent does not exist.")
GOAL_CYCLE = _code("PS203", "checks", "Goals form a cycle through their parents.")
EMPTY_GOAL = _warning("PS204", "checks", "A goal has no measures and no sub-goals.")
NOT_A_GOAL = _code("PS205", "checks", "A measure's goal is not a goal file.")
ROLES_SAME_QUARTER = _code("PS206", "checks", "Two roles start in the same quarter.")
EVENT_AFTER_DATA = _warning(
    "PS207", "checks", "An event is after the last row of the data: not on the chart yet."
)
NO_SUCH_ACTION_GOAL = _code("PS208", "checks", "An action's goal does not exist.")
NO_SUCH_AIM = _code("PS209", "checks", "An action names a measure that does not exist.")
STATUS_ORDER = _code(
    "PS210", "checks", "An action's status changes are not in date order, or start before it."
)

# --- PS3xx: data ---------------------------------------------------------------------------------

DATA_OUTSIDE = _code(
    "PS301", "load", "A measure's data path is outside the repository, hidden, or ignored by git."
)
NO_DATA_FILE = _code("PS302", "load", "A measure's CSV file does not exist.")
EMPTY_FILE = _code("PS303", "load", "A CSV file (or xmr input) is empty: no header row.")
NO_COLUMN = _code("PS304", "load", "The value column is not in the CSV header.")
NOT_A_NUMBER = _code("PS305", "load", "A value is not a number.")
DECIMAL_COMMA = _code("PS306", "load", "A value uses a decimal comma (12,5): write 12.5.")
THOUSANDS = _code(
    "PS307", "load", "A value uses a thousands separator (1,234 or 1 234): write 1234."
)
NOT_FINITE = _code(
    "PS308", "load", "A value is NaN or infinite: leave the cell empty for a missing value."
)
SEPARATOR = _code(
    "PS309", "load", "A CSV file is separated by semicolons or tabs instead of commas."
)
NO_DATA_YET = _warning("PS310", "checks", "A measure has no data yet.")
FEW_VALUES = _warning(
    "PS311", "checks", f"Fewer than {MIN_LIMIT_POINTS} values: a run chart without limits."
)
OUTSIDE_DATA = _code(
    "PS312", "checks", "A phase, exclusion, baseline or event period lies outside the data."
)
EMPTY_BASELINE = _code("PS313", "checks", "A baseline range is empty or reversed.")
CELL_COUNT = _code("PS320", "load", "A CSV row has more or fewer cells than the header.")
CSV_SYNTAX = _code(
    "PS321", "load", "A CSV file cannot be parsed: an unclosed quote or a cell larger than 1 MB."
)
BAD_PERIOD_CELL = _code("PS322", "load", "A period label is empty or invalid.")
OTHER_FREQUENCY = _code(
    "PS323", "load", "A period label is in another frequency than the measure's."
)
DUPLICATE_PERIOD = _code("PS324", "load", "Two rows have the same period.")
UNORDERED = _code("PS325", "load", "Periods are not in ascending order.")
DUPLICATE_COLUMN = _code("PS326", "load", "Two CSV columns have the same name.")
NO_HEADER = _code("PS327", "load", "A CSV file has no header row: its first row looks like data.")
WHICH_COLUMN = _code(
    "PS328", "load", "xmr input: no column is named 'value' and several columns hold numbers."
)
TOO_LARGE = _code(
    "PS329",
    "load",
    "A value is beyond ±10^15: write it in a larger unit (thousands, millions).",
)
FAR_APART = _code(
    "PS330",
    "load",
    "A period comes more than a century after the row before it (a mistyped year?).",
)
TOO_SMALL = _code(
    "PS331", "load", "A value is too close to zero to store: it would become 0 (like 1e-400)."
)
TOO_MANY_ROWS = _code("PS332", "load", "A CSV file has more than 100,000 rows.")
OUTSIDE_BOUNDS = _code("PS333", "checks", "A value lies outside the measure's bounds.")
FEW_MOVING_RANGES = _warning(
    "PS334", "lint", "Missing periods leave the current baseline too few moving ranges for limits."
)
CHUNKY_DATA = _warning(
    "PS335", "lint", "The current phase's data are too coarse for limits: chunky data."
)
UNDECLARED_BOUNDARY = _warning(
    "PS336",
    "lint",
    "A natural process limit lies beyond 0 (or 100%) where no value has ever been, and the "
    "measure declares no bounds.",
)

# --- PS4xx: PuMP lint ----------------------------------------------------------------------------

WEASEL_WORD = _warning("PS401", "lint", "A goal title uses a weasel word.")
ACTIVITY_GOAL = _warning("PS402", "lint", "A goal is worded as an activity, not a result.")
INCOMPLETE_ROLE = _warning("PS403", "lint", "An improve role lacks a target, deadline or owner.")
TOO_MANY_KEY_RESULTS = _warning(
    "PS404", "lint", "More than 5 key results under one goal in a quarter."
)
PAST_DEADLINE = _warning("PS405", "lint", "An improve role is past its deadline.")
TARGET_WITHIN_LIMITS = _warning(
    "PS406", "lint", "A target sits inside (or on) the natural process limits."
)
SUSTAIN_TARGET = _warning("PS407", "lint", "A sustain role has a target.")
OUTDATED_LIMITS = _warning(
    "PS413", "lint", "Most recent values are signals: the limits no longer describe the process."
)
STALE_DATA = _warning(
    "PS418", "lint", "A measure's latest value is older than its last full period."
)
OVERDUE_ACTION = _warning("PS419", "lint", "A running action is past its planned end.")
WISHFUL_NUMBER = _warning(
    "PS420", "lint", "Wishful number: a target the process cannot reach, and no action for it."
)
NO_BASELINE_TARGET = _warning(
    "PS421", "lint", "A key result starts before its measure has the values a baseline needs."
)
DEADLINE_TEST = _warning(
    "PS422", "lint", "The deadline test: a key result for four quarters or more, or pushed out."
)
EVERYTHING_OKR = _warning(
    "PS423", "lint", "Everything is an OKR: more key results than KPIs in a quarter."
)
PASSIVE_MONITORING = _warning(
    "PS424", "lint", "A KPI has had an unwanted signal for a quarter, with no decision or action."
)

# --- PS5xx: the glossary and mkdocs.yml ----------------------------------------------------------

GLOSSARY_NOT_MAPPING = _code("PS501", "load", "The glossary is not a mapping of term: definition.")
BAD_DEFINITION = _code("PS502", "load", "A glossary definition is not text.")
NO_GLOSSARY = _code(
    "PS503", "load", "The glossary file set in extra: pumpsite: glossary does not exist."
)
GLOSSARY_OUTSIDE = _code(
    "PS504", "load", "The glossary path is outside the repository, hidden, or ignored by git."
)
BAD_SETTINGS = _code(
    "PS505", "load", "mkdocs.yml, its extra: or extra: pumpsite: is not a mapping."
)
LONG_DEFINITION = _code("PS506", "load", "A glossary definition is longer than 1,000 characters.")
LONG_TERM = _code("PS507", "load", "A glossary term is longer than 100 characters.")
TOO_MANY_TERMS = _code("PS508", "load", "The glossary has more than 500 terms.")

# --- PS6xx: page templates -----------------------------------------------------------------------

TEMPLATE_SYNTAX = _code("PS601", "templates", "A page template in site_templates/ does not parse.")
TEMPLATE_FAILS = _code(
    "PS602", "templates", "A page template in site_templates/ fails while rendering a page."
)
TEMPLATES_TOO_SLOW = _code(
    "PS603",
    "templates",
    "The page templates took longer than `template_seconds` to render the pages.",
)
TEMPLATE_TOO_MUCH_MEMORY = _code(
    "PS604", "templates", "A page template needed more memory than rendering a page may use."
)
PAGE_TOO_LARGE = _code(
    "PS605", "templates", "A page template made a page larger than a page may be."
)
TEMPLATE_WORKER_STOPPED = _code(
    "PS606",
    "templates",
    "The process rendering the page templates stopped without an answer.",
)

# --- PS7xx: pumpsite's own folders ---------------------------------------------------------------

PROJECT_NOT_FOLDER = _code(
    "PS700", "build", ".pumpsite is a symbolic link or a file, not pumpsite's folder."
)
PROJECT_HOLDS_LINK = _code(
    "PS701", "build", ".pumpsite holds a symbolic link, which pumpsite never writes through."
)
PROJECT_NOT_OURS = _code("PS702", "build", ".pumpsite is a folder pumpsite did not make.")
SITE_NOT_FOLDER = _code(
    "PS703", "build", "The site folder is a symbolic link not named with --site-dir, or a file."
)
SITE_NOT_OURS = _code(
    "PS704", "build", "The site folder holds something other than a site pumpsite built."
)
SITE_MOUNT_POINT = _code(
    "PS705", "build", "The site folder is a mount point, which cannot be swapped."
)
NOT_WRITTEN = _code(
    "PS706", "build", "The site could not be written (a full disk, a read-only folder…)."
)


# --- PS8xx: data sources -------------------------------------------------------------------------

BAD_SOURCE = _code(
    "PS800", "sources", "A measure's source block has keys that do not fit together."
)
SOURCE_FILE_OUTSIDE = _code(
    "PS801", "sources", "A source's file is absolute, outside the repository, or hidden."
)
UNKNOWN_CONNECTION = _code(
    "PS802", "sources", "A source names a connection that mkdocs.yml does not define."
)
PASSWORD_IN_URL = _code(
    "PS803", "sources", "A connection URL in mkdocs.yml holds a password instead of ${NAME}."
)
NOT_A_URL = _code("PS804", "sources", "A connection in mkdocs.yml is not a URL.")
MISSING_FILE = _code("PS810", "pull", "A source's file does not exist.")
UNREADABLE_FILE = _code(
    "PS811", "pull", "A source's file cannot be read as records (or its sheet does not exist)."
)
UNKNOWN_COLUMN = _code(
    "PS812", "pull", "A column the source names is not in its records or its query's result."
)
WRONG_TYPE_IN_RECORDS = _code(
    "PS813", "pull", "A column holds values of the wrong type (text where numbers are summed)."
)
BAD_DATE = _code(
    "PS814", "pull", "A date or period in the records or the query's result cannot be read."
)
EMPTY_RESULT = _code("PS815", "pull", "A source gave no records or rows (after its filters).")
MISSING_ENV = _code(
    "PS816", "pull", "A connection URL names an environment variable that is not set."
)
CANNOT_CONNECT = _code(
    "PS817", "pull", "A connection cannot be opened (refused, no such host, no driver)."
)
QUERY_FAILED = _code(
    "PS818", "pull", "A query fails (SQL syntax, unknown table, an error in the database)."
)
DUPLICATE_QUERY_PERIOD = _code("PS819", "pull", "A query returns two rows for one period.")
UNDATED_RECORDS = _warning("PS820", "pull", "Records without a date are left out.")
VALUE_OUT_OF_RANGE = _code("PS821", "pull", "A value is not finite or beyond ±10^15.")
CANNOT_WRITE = _code(
    "PS822", "pull", "The snapshot CSV cannot be written (the previous one is unchanged)."
)
NOT_PULLED = _code(
    "PS823", "pull", "A measure with a source has errors in its file, so it is not pulled."
)
