"""The command line: parse, call one service function, render. Nothing else lives here.

Owns the commands' names, options and help (the contract's; ``docs/cli.md`` is generated from them)
and the usage errors' one line with exit 2. Must not know the rules, the ledger or the messages'
sending: each command hands ``runner.run`` a call to ``service`` and a renderer from ``render``.

This module holds the typer ``app``, the order of its commands (``--help`` lists them so), the conventions
every command shares (``-h``, ``--version``, shell completion) and ``main``; the commands live by theme
beside it: ``cascade`` (a call's life), ``messages`` (the synthesis), ``workspace`` (init, report, check,
verify, simulate), ``where`` (which workspace, and why); ``options`` has the options they share and
``completion`` what the shell offers for them. Help texts are translated when this package is imported:
``entry`` chooses the language before.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Callable
from typing import Annotated, Any, Protocol

import typer

from snpctl import runner
from snpctl.cli import cascade, followup, framework, messages, where, workspace
from snpctl.i18n import _
from snpctl.language import for_command
from snpctl.shown import literal

HELP_OPTIONS = {"help_option_names": ["-h", "--help"]}


def _version(shown: bool) -> None:
    if shown:
        from importlib.metadata import version

        print(f"snpctl {version('snpctl')}")
        raise typer.Exit()


framework.install()
app = typer.Typer(
    cls=framework.Group,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    no_args_is_help=True,
    context_settings=HELP_OPTIONS,
)


@app.callback(
    help=_(
        "Unscheduled-care cascade of a CPTS: triage calls, ask the treating doctor then the "
        "community, record who takes the patient, report what happened."
    )
)
def _snpctl(
    version: Annotated[
        bool,
        typer.Option("--version", help=_("Show the version and exit."), is_eager=True, callback=_version),
    ] = False,
) -> None:
    """The options before the command's name."""


def _command_of(function: Callable[..., Any], name: str | None = None) -> None:
    """Register a command; the list of commands shows the first paragraph of its help whole, never cut."""
    summary = (function.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
    app.command(name, cls=framework.Command, short_help=summary)(function)


# In the order --help lists them.
_COMMANDS: list[tuple[Callable[..., Any], str | None]] = [
    (workspace.init, None),
    (where.where, None),
    (cascade.intake, None),
    (cascade.notify, None),
    (cascade.accept, None),
    (cascade.book, None),
    (cascade.refuse, None),
    (cascade.outcome, None),
    (messages.synthesis, None),
    (cascade.tick, None),
    (cascade.show, None),
    (cascade.list_, "list"),
    (followup.todo, None),
    (followup.done, None),
    (workspace.report, None),
    (workspace.check, None),
    (workspace.verify, None),
    (workspace.simulate, None),
]
for _function, _name in _COMMANDS:
    _command_of(_function, _name)

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
        return typer.main.get_command(app)  # --help, --version, completion, an unknown command: the whole group
    single = typer.Typer(
        cls=framework.Group,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings=HELP_OPTIONS,
    )
    single.registered_commands = chosen
    single.callback()(lambda: None)  # keep it a group, so that the command's name is parsed
    return typer.main.get_command(single)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; usage errors are one line on stderr with exit 2, never a traceback."""
    argv = sys.argv[1:] if argv is None else argv
    if "_SNPCTL_COMPLETE" in os.environ:  # completing a word for the shell: not one line on its terminal
        with contextlib.redirect_stderr(io.StringIO()):
            _main(argv)
    else:
        _main(argv)


def _main(argv: list[str]) -> None:
    for_command(argv)
    command = _command(argv)
    try:
        code: Any = command.main(args=argv, prog_name="snpctl", standalone_mode=False)
    except _UsageError as error:
        if type(error).__name__ == "NoArgsIsHelpError":  # `snpctl` alone: the help, as click shows it, exit 2
            print(error.format_message(), file=sys.stderr)
            sys.exit(2)
        where = (
            _(" (see `{command} --help`)").format(command=error.ctx.command_path) if getattr(error, "ctx", None) else ""
        )
        print(f"snpctl: {literal(framework.usage_error(error.format_message()))}{where}", file=sys.stderr)
        code = 2
    except KeyboardInterrupt:  # before the command ran (typer makes a Ctrl-C during it an exit 130)
        print(_("snpctl: interrupted; nothing more was written."), file=sys.stderr)
        code = 130
    except typer.Abort:
        code = 130
    except Exception as error:  # a bug: say so on one line; SNPCTL_DEBUG=1 shows the traceback
        runner.internal_error(error)
    sys.exit(code if isinstance(code, int) else 0)
