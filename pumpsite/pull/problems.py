"""Problems found by running a source, each at the line of the measure's `source` block (or of
the key it concerns). A source that fails raises `SourceError`, caught per measure by `run`:
one bad source never stops the others, and never leaves a CSV half-written."""

from __future__ import annotations

from pumpsite.problems import (
    BAD_DATE,
    CANNOT_CONNECT,
    CANNOT_WRITE,
    EMPTY_RESULT,
    MISSING_ENV,
    MISSING_FILE,
    NOT_PULLED,
    QUERY_FAILED,
    UNDATED_RECORDS,
    UNKNOWN_COLUMN,
    UNREADABLE_FILE,
)
from pumpsite.problems import DUPLICATE_QUERY_PERIOD as DUPLICATE_PERIOD
from pumpsite.problems import VALUE_OUT_OF_RANGE as OUT_OF_RANGE
from pumpsite.problems import WRONG_TYPE_IN_RECORDS as WRONG_TYPE

__all__ = [
    "BAD_DATE",
    "CANNOT_CONNECT",
    "CANNOT_WRITE",
    "DUPLICATE_PERIOD",
    "EMPTY_RESULT",
    "MISSING_ENV",
    "MISSING_FILE",
    "NOT_PULLED",
    "OUT_OF_RANGE",
    "QUERY_FAILED",
    "UNDATED_RECORDS",
    "UNKNOWN_COLUMN",
    "UNREADABLE_FILE",
    "WRONG_TYPE",
    "SourceError",
]


class SourceError(Exception):
    """A source cannot give its data: the problem's code, its message, and the key of the
    `source` block it concerns (its line is the problem's)."""

    def __init__(self, code: str, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.key = key
