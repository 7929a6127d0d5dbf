"""The two kinds of failure the CLI turns into exit codes.

Library code raises these with a message that names the problem and a hint that
names the fix; `etl.cli` is the one place they become a line on stderr.
"""

from __future__ import annotations


class EtlError(Exception):
    """Base class: `message` says what went wrong, `hint` how to fix it."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class UserInputError(EtlError):
    """Bad usage or input: exit code 2."""

    exit_code = 2


class RunFailure(EtlError):
    """A failure at run time (network, database, filesystem): exit code 1."""

    exit_code = 1
