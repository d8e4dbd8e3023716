"""The one base of the errors that stop a command: the CLI prints the message, exits with the code.

Bad input is not an error (see `pumpsite.problems`): it is collected and reported. These are for
what stops a command outright: git missing, a publish that cannot go on, a folder `pumpsite init`
will not write into, an address the server cannot listen on.
"""

from __future__ import annotations


class PumpsiteError(Exception):
    """A command cannot go on; the message says why and what to do."""

    exit_code = 1

    @property
    def message(self) -> str:
        return str(self)
