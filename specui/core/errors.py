"""One error type for everything a user can get wrong.

A `SpecuiError` carries a single-line message meant for a person and the exit code the CLI
should return. Anything else that escapes is a bug and may show a traceback; user errors never do.
"""

from __future__ import annotations


class SpecuiError(Exception):
    """A clear, one-line, user-facing error (bad input, missing file, bad config)."""

    exit_code: int = 2

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        # Keep it to one line whatever the caller passed in.
        one_line = " ".join(str(message).split())
        super().__init__(one_line)
        if exit_code is not None:
            self.exit_code = exit_code

    @property
    def message(self) -> str:
        return str(self)
