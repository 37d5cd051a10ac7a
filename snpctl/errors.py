"""Errors are data with an exit code (contract section 7); the CLI prints them on one line."""

from __future__ import annotations


class SnpctlError(Exception):
    """A problem the user can act on. ``str(error)`` is the one line shown."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Refused(SnpctlError):
    """A rule refuses the command (exit 1): the message says which rule and what to do."""

    exit_code = 1


class BadUsage(SnpctlError):
    """The command line is wrong: an unknown motif, a time that does not parse (exit 2)."""

    exit_code = 2


class ConfigError(SnpctlError):
    """protocols.toml or roster.toml is wrong; the message names the file and key (exit 2).

    ``excerpt``: the offending line quoted and a caret under the column, printed under the message
    (contract section 10: the one exception to one-line errors). ``message`` stays one line.
    """

    exit_code = 2

    def __init__(self, message: str, excerpt: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.excerpt = excerpt


class LedgerError(SnpctlError):
    """The ledger is busy or fails its integrity check (exit 3)."""

    exit_code = 3
