"""Problems found by running a source, each at the line of the measure's `source` block (or of
the key it concerns). A source that fails raises `SourceError`, caught per measure by `run`:
one bad source never stops the others, and never leaves a CSV half-written."""

from __future__ import annotations

MISSING_FILE = "PS810"
UNREADABLE_FILE = "PS811"
UNKNOWN_COLUMN = "PS812"
WRONG_TYPE = "PS813"
BAD_DATE = "PS814"
EMPTY_RESULT = "PS815"
MISSING_ENV = "PS816"
CANNOT_CONNECT = "PS817"
QUERY_FAILED = "PS818"
DUPLICATE_PERIOD = "PS819"
UNDATED_RECORDS = "PS820"
OUT_OF_RANGE = "PS821"
CANNOT_WRITE = "PS822"
NOT_PULLED = "PS823"

PROBLEM_CODES: dict[str, str] = {
    MISSING_FILE: "A source's file does not exist.",
    UNREADABLE_FILE: "A source's file cannot be read as records (or its sheet does not exist).",
    UNKNOWN_COLUMN: "A column the source names is not in its records or its query's result.",
    WRONG_TYPE: "A column holds values of the wrong type (text where numbers are summed).",
    BAD_DATE: "A date or period in the records or the query's result cannot be read.",
    EMPTY_RESULT: "A source gave no records or rows (after its filters).",
    MISSING_ENV: "A connection URL names an environment variable that is not set.",
    CANNOT_CONNECT: "A connection cannot be opened (refused, no such host, no driver).",
    QUERY_FAILED: "A query fails (SQL syntax, unknown table, an error in the database).",
    DUPLICATE_PERIOD: "A query returns two rows for one period.",
    UNDATED_RECORDS: "Records without a date are left out (warning).",
    OUT_OF_RANGE: "A value is not finite or beyond ±10^15.",
    CANNOT_WRITE: "The snapshot CSV cannot be written (the previous one is unchanged).",
    NOT_PULLED: "A measure with a source has errors in its file, so it is not pulled.",
}


class SourceError(Exception):
    """A source cannot give its data: the problem's code, its message, and the key of the
    `source` block it concerns (its line is the problem's)."""

    def __init__(self, code: str, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.key = key
