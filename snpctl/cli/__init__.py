"""The command line: parse, call one service function, render. Nothing else lives here.

Owns the commands' names, options and help (the contract's; ``docs/cli.md`` is generated from them)
and the usage errors' one line with exit 2. Must not know the rules, the ledger or the messages'
sending: each command hands ``runner.run`` a call to ``service`` and a renderer from ``render``.

This module holds the typer ``app``, the order of its commands (``--help`` lists them so) and ``main``;
the commands live by theme beside it: ``cascade`` (a call's life), ``messages`` (the synthesis),
``workspace`` (init, report, check, verify, simulate); ``options`` has the options they share.
"""

from __future__ import annotations

import sys
from typing import Any, Protocol

import typer

from snpctl import runner
from snpctl.cli import cascade, messages, workspace
from snpctl.i18n import _
from snpctl.language import for_command
from snpctl.shown import literal

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    no_args_is_help=True,
    help="Unscheduled-care cascade of a CPTS: triage calls, ask the treating doctor then the "
    "community, record who takes the patient, report what happened.",
)

# In the order --help lists them.
app.command()(workspace.init)
app.command()(cascade.intake)
app.command()(cascade.notify)
app.command()(cascade.accept)
app.command()(cascade.book)
app.command()(cascade.refuse)
app.command()(cascade.outcome)
app.command()(messages.synthesis)
app.command()(cascade.tick)
app.command()(cascade.show)
app.command("list")(cascade.list_)
app.command()(workspace.report)
app.command()(workspace.check)
app.command()(workspace.verify)
app.command()(workspace.simulate)

# -- entry point ----------------------------------------------------------------------------

# click's UsageError, found through typer: typer 0.27 carries its own copy of click, earlier ones import it.
_UsageError: type[Any] = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")


class _Command(Protocol):
    """What ``main`` needs of the click command typer builds (its class lives in click or in typer's copy)."""

    def main(self, *, args: list[str], prog_name: str, standalone_mode: bool) -> Any: ...


def _command(argv: list[str]) -> _Command:
    """The click command to run: only the one named in ``argv`` (building all of them costs a cron tick 18 ms)."""
    name = argv[0] if argv else None
    chosen = [
        info
        for info in app.registered_commands
        if (info.name or getattr(info.callback, "__name__", "").replace("_", "-")) == name
    ]
    if not chosen:
        return typer.main.get_command(app)  # --help, or an unknown command: the whole group says it
    single = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)
    single.registered_commands = chosen
    single.callback()(lambda: None)  # keep it a group, so that the command's name is parsed
    return typer.main.get_command(single)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; usage errors are one line on stderr with exit 2, never a traceback."""
    argv = sys.argv[1:] if argv is None else argv
    for_command(argv)
    command = _command(argv)
    try:
        code: Any = command.main(args=argv, prog_name="snpctl", standalone_mode=False)
    except _UsageError as error:
        where = f" (see `{error.ctx.command_path} --help`)" if getattr(error, "ctx", None) else ""
        print(f"snpctl: {literal(error.format_message())}{where}", file=sys.stderr)
        code = 2
    except KeyboardInterrupt:
        print(_("snpctl: interrupted; nothing more was written."), file=sys.stderr)
        code = 130
    except typer.Abort:
        code = 130
    except Exception as error:  # a bug: say so on one line; SNPCTL_DEBUG=1 shows the traceback
        runner.internal_error(error)
    sys.exit(code if isinstance(code, int) else 0)
