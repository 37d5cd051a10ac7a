"""The ``snpctl`` program. ``tick``, which cron runs every minute, skips the command-line framework.

Owns only the choice between the fast ``tick`` path (``runner.tick``) and the full parser (``cli``).
Must not import typer, the service or the ledger before that choice is made.
"""

from __future__ import annotations

import sys


def _tick_arguments(argv: list[str]) -> tuple[str | None, str | None, bool, bool] | None:
    """``tick [--home DIR] [--now TIME] [--json] [--wait]`` read by hand, or None for anything else (then typer
    reads it)."""
    if not argv or argv[0] != "tick":
        return None
    home = now = None
    as_json = wait = False
    rest = list(argv[1:])
    while rest:
        word = rest.pop(0)
        name, equals, value = word.partition("=")
        if word == "--json":
            as_json = True
        elif word == "--wait":
            wait = True
        elif name in ("--home", "--now") and (equals or rest):
            value = value if equals else rest.pop(0)
            if name == "--home":
                home = value
            else:
                now = value
        else:
            return None  # --help, a typo...: the full parser answers
    return home, now, as_json, wait


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    fast = _tick_arguments(argv)
    if fast is not None:
        from snpctl import runner

        try:
            runner.tick(*fast)  # errors of the user's making become one line and their exit code inside
        except Exception as error:  # a bug: one line, like the full parser says it
            runner.internal_error(error)
        sys.exit(0)
    from snpctl.language import for_command

    for_command(argv)  # before the help texts are built, in the language they will be read in
    from snpctl.cli import main as full

    full(argv)
