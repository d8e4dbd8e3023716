"""The frontmatter schema of goal, measure and action files: one source of truth.

The loader validates each file's YAML frontmatter against these models; `pumpsite schema` writes
their JSON Schema for editors and CI. Period-valued fields are parsed in the measure's own
frequency, which the loader passes in the validation context as `{"frequency": ...}`.
Every field's `description` doubles as the "expected ..." phrase of problem messages.
"""

from __future__ import annotations

import json
import math
import posixpath
import re
from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl, urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from pumpsite.numbers import LARGEST
from pumpsite.periods import (
    EXAMPLE_LABELS,
    FREQUENCIES,
    Frequency,
    Period,
    parse_label,
    parse_period,
)
from pumpsite.vocabulary import MIN_LIMIT_POINTS, Better, Dispersion, Profile

RoleKind = Literal["sustain", "improve"]
EventKind = Literal["action", "incident", "note"]
ActionStatus = Literal["planned", "running", "done", "dropped"]
Direction = Literal["up", "down"]

PERIOD_PATTERN = r"^\d{4}(-(\d{2}(-\d{2})?|W\d{2}|Q[1-4]))?$"


def _as_text(value: Any) -> Any:
    """YAML turns unquoted dates into date objects; periods and dates are read back as text."""
    return value.isoformat() if isinstance(value, date) else value


def _quarter(value: Any) -> Period:
    text = _as_text(value)
    if isinstance(text, str):
        period = parse_label(text)
        if period is not None and period.frequency == "quarterly":
            return period
        if period is not None:
            raise PydanticCustomError(
                "quarter",
                "expected a quarter like 2026-Q1, got '{value}'; roles change per quarter, "
                "so write {suggestion}",
                {
                    "value": text,
                    "suggestion": str(parse_period(period.start.isoformat(), "quarterly")),
                },
            )
    raise PydanticCustomError(
        "quarter", "expected a quarter like 2026-Q1, got '{value}'", {"value": value}
    )


def _period(value: Any, info: ValidationInfo) -> Period:
    text = _as_text(value)
    frequency: Frequency | None = (info.context or {}).get("frequency")
    if isinstance(text, int) and not isinstance(text, bool):
        text = str(text)  # a bare year
    if isinstance(text, str):
        period = parse_period(text, frequency) if frequency else parse_label(text)
        if period is not None:
            return period
    if frequency is None:
        raise PydanticCustomError(
            "period", "expected a period like 2026-03 or 2026-Q1, got '{value}'", {"value": value}
        )
    raise PydanticCustomError(
        "period",
        "expected a {frequency} period like {example} (or a date), got '{value}'",
        {"frequency": frequency, "example": EXAMPLE_LABELS[frequency], "value": value},
    )


def _date(value: Any) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError(
        "date", "expected a date like 2026-12-31, got '{value}'", {"value": value}
    )


def _number(value: float) -> float:
    if math.isfinite(value) and abs(value) <= LARGEST:
        return value
    if not math.isfinite(value):
        shown = "NaN" if math.isnan(value) else "infinity"
        raise PydanticCustomError(
            "number", "expected a finite number, got {value}", {"value": shown}
        )
    raise PydanticCustomError(
        "number",
        "expected a number between -10^15 and 10^15, got {value}: write it in a larger unit",
        {"value": f"{value:g}"},
    )


def _string_schema(description: str, pattern: str) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "pattern": pattern, "description": description})


Quarter = Annotated[
    Period,
    BeforeValidator(_quarter),
    PlainSerializer(str),
    _string_schema("a quarter like 2026-Q1", r"^\d{4}-Q[1-4]$"),
]
PeriodLabel = Annotated[
    Period,
    BeforeValidator(_period),
    PlainSerializer(str),
    WithJsonSchema(
        {
            "anyOf": [{"type": "string", "pattern": PERIOD_PATTERN}, {"type": "integer"}],
            "description": "a period in the measure's frequency (2026-03-31, 2026-W09, "
            "2026-03, 2026-Q1, 2026) or a date inside it",
        }
    ),
]
Day = Annotated[
    date,
    BeforeValidator(_date),
    PlainSerializer(date.isoformat),
    _string_schema("a date like 2026-12-31", r"^\d{4}-\d{2}-\d{2}$"),
]
Text = Annotated[str, Field(min_length=1)]
Number = Annotated[float, AfterValidator(_number)]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, populate_by_name=True)


class Role(_Strict):
    """A measure's role from a quarter on: a KPI to keep healthy, or a key result to change."""

    start: Quarter = Field(alias="from", description="the first quarter of this role, like 2026-Q1")
    role: RoleKind = Field(
        description="sustain (business as usual: monitored, no target) or improve (a key result)"
    )
    target: Number | None = Field(default=None, description="a number: the level to reach")
    deadline: Day | None = Field(default=None, description="a date like 2026-12-31")
    owner: Text | None = Field(default=None, description="text: who owns the improvement")
    note: Text | None = Field(default=None, description="text: why the role was chosen")


class BaselineRange(_Strict):
    start: PeriodLabel = Field(alias="from", description="the first period of the baseline")
    end: PeriodLabel = Field(alias="to", description="the last period of the baseline")


class PhaseChange(_Strict):
    start: PeriodLabel = Field(alias="from", description="the first period of the new phase")
    reason: Text = Field(description="text: why the process changed (required)")


class Exclusion(_Strict):
    period: PeriodLabel = Field(description="the period to leave out of the limits")
    reason: Text = Field(description="text: why this point is excluded (required)")


class Bounds(_Strict):
    """The natural boundaries of a measure's values: what it cannot go below or above."""

    lower: Number | None = Field(
        default=None, description="a number: the lowest value possible (0 for a count)"
    )
    upper: Number | None = Field(
        default=None, description="a number: the highest value possible (100 for a share in %)"
    )


class LimitsSettings(_Strict):
    baseline: Annotated[int, Field(ge=MIN_LIMIT_POINTS)] | BaselineRange = Field(
        default=20,
        description="the number of first points the limits are computed from (default 20), "
        "or {from, to} periods",
    )
    phases: list[PhaseChange] = Field(
        default_factory=list, description="a list of {from, reason}: where the process changed"
    )
    exclude: list[Exclusion] = Field(
        default_factory=list,
        description="a list of {period, reason}: points kept out of the limits",
    )
    dispersion: Dispersion = Field(
        default="average", description="average (2.66 × mean moving range) or median (3.145)"
    )
    rules: Profile | None = Field(
        default=None, description="the signal rules: wheeler, pump or nhs (default: site-wide)"
    )
    run_length: Annotated[int, Field(ge=5, le=12)] | None = Field(
        default=None, description="a whole number of points for a long run (usually 7 or 8)"
    )
    bounds: Bounds | None = Field(
        default=None,
        description="{lower, upper}: the values the measure can take, like {lower: 0} for a "
        "count; a natural process limit beyond a bound gives way to it ({} for none)",
    )


class Event(_Strict):
    date: PeriodLabel = Field(description="the date or period the event happened in")
    text: Text = Field(description="text: what happened")
    kind: EventKind = Field(default="note", description="action, incident or note")


class Definition(_Strict):
    """The PuMP measure definition: what is counted, how, from where."""

    description: Text | None = Field(default=None, description="text: the measure in plain words")
    formula: Text | None = Field(default=None, description="text: how a value is calculated")
    data_source: Text | None = Field(default=None, description="text: where the data comes from")
    scope: Text | None = Field(default=None, description="text: what is included and excluded")
    custodian: Text | None = Field(default=None, description="text: who looks after the data")


class GoalMeta(_Strict):
    """Frontmatter of a goal file (`kind: goal`): a performance result."""

    kind: Literal["goal"] = Field(description="goal")
    title: Text = Field(description="text: the result, worded as if already happening")
    parent: Text | None = Field(default=None, description="the id of the goal this one serves")
    owner: Text | None = Field(default=None, description="text: who is accountable")


class Aim(_Strict):
    """A measure an action aims to move, and which way."""

    measure: Text = Field(description="the id of a measure the action aims to move")
    direction: Direction | None = Field(
        default=None, description="up or down: the change expected (default: the measure's better)"
    )


class StatusChange(_Strict):
    status: ActionStatus = Field(description="planned, running, done or dropped")
    date: Day = Field(description="a date like 2026-10-01: when the status changed")


class ActionMeta(_Strict):
    """Frontmatter of an action file (`kind: action`): an improvement action, steps 4 and 5 of
    the method: the root causes of a gap, and what is done to close it."""

    kind: Literal["action"] = Field(description="action")
    title: Text = Field(description="text: what is done, like 'Customer success programme'")
    owner: Text = Field(description="text: who leads the action")
    goal: Text = Field(description="the id of the goal the action serves")
    measures: list[Aim] = Field(
        min_length=1, description="a list of {measure, direction}: the measures it aims to move"
    )
    causes: list[Text] = Field(
        default_factory=list, description="a list of texts: the root causes it addresses"
    )
    start: Day = Field(description="a date like 2026-10-01: when the action starts")
    end: Day | None = Field(default=None, description="a date like 2027-03-31: its planned end")
    status: list[StatusChange] = Field(
        min_length=1,
        description="a list of {status, date}, oldest first: planned, running, done or dropped",
    )

    @property
    def current(self) -> StatusChange:
        """The latest status change."""
        return self.status[-1]


Aggregate = Literal["count", "sum", "mean", "median", "ratio"]
FilterValue = str | int | float | bool
RECORD_FILES = (".csv", ".xlsx", ".parquet")
PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
"""`${NAME}` in a connection URL: the value of the environment variable NAME, at pull time."""


class Source(_Strict):
    """Where a measure's data comes from: raw records in a file, or a SQL query. Only `pumpsite
    pull` runs it (docs/sources.md); `check` validates it without running it."""

    file: Text | None = Field(
        default=None, description="a file of records inside the repository: .csv, .xlsx, .parquet"
    )
    sheet: Text | None = Field(default=None, description="text: the sheet of an .xlsx file")
    connection: Text | None = Field(
        default=None, description="a connection named in mkdocs.yml (default: DuckDB, embedded)"
    )
    query: Text | None = Field(default=None, description="text: a SQL query")
    date: Text | None = Field(default=None, description="text: the column with each record's date")
    aggregate: Aggregate = Field(
        default="count", description="count (the default), sum, mean, median or ratio"
    )
    column: Text | None = Field(default=None, description="text: the column to sum, average")
    numerator: Text | None = Field(default=None, description="text: the column summed above")
    denominator: Text | None = Field(
        default=None, description="text: the column summed below (default: the records' count)"
    )
    scale: Number = Field(default=1, description="a number each value is multiplied by (100: %)")
    where: dict[str, FilterValue | list[FilterValue]] = Field(
        default_factory=dict, description="a mapping of column: value, or a list of values"
    )
    decimals: Annotated[int, Field(ge=0, le=10)] | None = Field(
        default=None, description="a whole number of decimal places to round values to"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Source:
        if problems := _source_problems(self):
            raise PydanticCustomError("source", "; ".join(problems))
        return self


def _source_problems(source: Source) -> list[str]:
    """What does not fit together in a source block, as sentences after "'source' …"."""
    if (source.file is None) == (source.query is None):
        return ["needs either file: (records in a file) or query: (SQL), not both or neither"]
    problems = []
    if source.file is not None:
        suffix = posixpath.splitext(source.file.lower())[1]
        if suffix not in RECORD_FILES:
            problems.append(
                f"expects a file ending in {', '.join(RECORD_FILES)}, got '{_short(source.file)}'"
            )
        if source.connection is not None:
            problems.append("takes connection: with query: only, not with file:")
        if source.sheet is not None and suffix != ".xlsx":
            problems.append("takes sheet: with an .xlsx file only")
        if source.date is None:
            problems.append(
                "needs date: the column with each record's date, which decides its period"
            )
    elif source.sheet is not None:
        problems.append("takes sheet: with an .xlsx file only")
    if source.date is None:
        records_only = ["aggregate", "column", "numerator", "denominator", "where", "scale"]
        given = [key for key in records_only if key in source.model_fields_set]
        if given and source.query is not None:
            problems.append(
                f"has {', '.join(given)} but no date: a query without date: returns the "
                "columns period and value itself; with date: its rows are records to aggregate"
            )
        return problems
    return problems + _aggregate_problems(source)


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:39] + "…"


def _aggregate_problems(source: Source) -> list[str]:
    uses = {
        "count": set(),
        "sum": {"column"},
        "mean": {"column"},
        "median": {"column"},
        "ratio": {"numerator", "denominator"},
    }[source.aggregate]
    given = {key for key in ("column", "numerator", "denominator") if getattr(source, key)}
    problems = []
    if uses == {"column"} and source.column is None:
        problems.append(f"needs column: the column whose values {source.aggregate} adds up")
    if source.aggregate == "ratio" and source.numerator is None:
        problems.append("needs numerator: the column summed above the line of the ratio")
    if extra := sorted(given - uses):
        problems.append(
            f"does not use {' or '.join(extra)} with aggregate: {source.aggregate}; "
            + _USES[source.aggregate]
        )
    return problems


_USES = {
    "count": "count counts the records",
    "sum": "sum, mean and median take column:",
    "mean": "sum, mean and median take column:",
    "median": "sum, mean and median take column:",
    "ratio": "ratio takes numerator: and denominator:",
}


def _connection_url(url: str) -> str:
    """A connection URL may name environment variables, never hold a password itself."""
    if PLACEHOLDER.fullmatch(url):
        return url
    parts = urlsplit(PLACEHOLDER.sub("x", url))
    written = urlsplit(url)
    password = written.password if parts.password is not None else None
    secret_in_query = [
        key
        for key, value in parse_qsl(written.query)
        if key.lower() in ("password", "pwd", "passwd", "token", "secret")
        and not PLACEHOLDER.fullmatch(value)
    ]
    if (password is not None and not PLACEHOLDER.fullmatch(password)) or secret_in_query:
        raise PydanticCustomError(
            "connection",
            "holds a password: credentials come from environment variables, never from a file "
            "in the repository. Write ${NAME} where the password goes, like "
            "postgresql://reporter:${PG_PASSWORD}@db.example.com/analytics, and set NAME "
            "where pumpsite pull runs",
        )
    if not parts.scheme:
        raise PydanticCustomError(
            "connection_url",
            "expects a URL like duckdb:data/warehouse.duckdb or "
            "postgresql://reporter:${PG_PASSWORD}@db.example.com/analytics, got '{value}'",
            {"value": url},
        )
    return url


ConnectionURL = Annotated[str, Field(min_length=1), AfterValidator(_connection_url)]


class MeasureMeta(_Strict):
    """Frontmatter of a measure file: a PuMP performance measure and its roles per quarter."""

    kind: Literal["measure"] = Field(default="measure", description="measure (the default)")
    title: Text = Field(description="text: the measure's name")
    goal: Text = Field(description="the id of the goal this measure is evidence of")
    owner: Text | None = Field(default=None, description="text: who owns the measure")
    unit: str = Field(default="", description="text: the unit of a value, like % or days")
    frequency: Frequency = Field(description="one of " + ", ".join(FREQUENCIES))
    better: Better = Field(description="up, down or neutral: which direction is good")
    definition: Definition = Field(default_factory=Definition, description="the measure definition")
    data: Text | None = Field(
        default=None, description="a CSV path inside the repository (default data/<id>.csv)"
    )
    column: Text = Field(default="value", description="the CSV column holding the values")
    roles: list[Role] = Field(
        default_factory=list,
        description="a list of {from, role, target, deadline, owner} per quarter",
    )
    limits: LimitsSettings = Field(default_factory=LimitsSettings, description="limits settings")
    events: list[Event] = Field(default_factory=list, description="a list of {date, text, kind}")
    source: Source | None = Field(
        default=None,
        description="where pumpsite pull gets the data: {file, date, aggregate, …} or {query}",
    )


class SiteSettings(_Strict):
    """`extra: pumpsite:` in mkdocs.yml: settings for the whole site."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    rules: Profile = Field(default="wheeler", description="wheeler, pump or nhs")
    run_length: Annotated[int, Field(ge=5, le=12)] | None = Field(
        default=None, description="a whole number of points for a long run (usually 7 or 8)"
    )
    as_of: Day | None = Field(
        default=None, description="the report date like 2026-11-30 (default: today)"
    )
    glossary: Text = Field(default="glossary.yml", description="the glossary file's path")
    template_seconds: Annotated[int, Field(ge=1, le=3600)] | None = Field(
        default=None,
        description="a whole number of seconds from 1 to 3600: how long the pages may take "
        "to render with the templates in site_templates/",
    )
    connections: dict[str, ConnectionURL] = Field(
        default_factory=dict,
        description="a mapping of name: URL, the databases that measures' sources query; "
        "passwords as ${NAME}, from the environment",
    )


JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def json_schemas() -> dict[str, dict[str, Any]]:
    """JSON Schemas of goal, measure and action frontmatter, for editors and CI."""
    schemas: dict[str, dict[str, Any]] = {}
    models: tuple[tuple[str, type[BaseModel]], ...] = (
        ("goal", GoalMeta),
        ("measure", MeasureMeta),
        ("action", ActionMeta),
    )
    for kind, model in models:
        schema = model.model_json_schema(by_alias=True)
        schemas[kind] = {
            "$schema": JSON_SCHEMA_DIALECT,
            **schema,
            "title": f"pumpsite {kind} frontmatter",
        }
    return schemas


def schema_files() -> dict[str, str]:
    """What `pumpsite schema --out DIR` writes: file name -> JSON text."""
    return {
        f"{kind}.schema.json": json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
        for kind, schema in json_schemas().items()
    }
