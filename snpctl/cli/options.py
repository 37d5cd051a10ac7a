"""The options and arguments several commands share, typed once for typer (their help is the contract's).

Owns the shared ``Annotated`` types, the help of a command (``described``: translated, with its example)
and the parsing of an appointment time; the commands that use them live in the modules beside this one.
Help texts go through ``_`` when the module is imported: ``entry`` has chosen the language before.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from snpctl.cli import completion
from snpctl.i18n import _
from snpctl.store.workspace import Workspace
from snpctl.timefmt import parse_when

F = TypeVar("F", bound=Callable[..., object])


def described(summary: str, example: str, more: str = "") -> Callable[[F], F]:
    """The command's help, as ``--help`` shows it: ``summary`` (its line in the list of commands, whole),
    ``more``, then ``example``, a command line as a coordinator types it (never translated)."""

    def describe(function: F) -> F:
        shown = _("Example: {command}").format(command=example)
        function.__doc__ = "\n\n".join(part for part in (summary, more, shown) if part)
        return function

    return describe


Home = Annotated[
    Path | None,
    typer.Option(
        "--home",
        help=_(
            "The workspace folder (default: $SNPCTL_HOME, else the current folder or the nearest parent holding "
            "protocols.toml, else the default recorded by init; `snpctl where` says which)."
        ),
        show_default=False,
    ),
]
Now = Annotated[
    str | None,
    typer.Option(
        "--now",
        help=_("Run as of this instant (default: $SNPCTL_NOW, else the clock); for backfilling a paper log and tests."),
        show_default=False,
    ),
]
Json = Annotated[bool, typer.Option("--json", help=_("Print one JSON object on stdout, for scripts."))]
At = Annotated[
    str,
    typer.Option(
        "--at",
        help=_("Appointment time: 17:45 (today), tomorrow 9:00, monday 9:00 (the next Monday), 30/11/2026 14:05."),
        show_default=False,
    ),
]
Site = Annotated[
    str | None,
    typer.Option(
        "--site",
        help=_('Where the appointment takes place: "cabinet" or a site key (default: the member\'s site).'),
        show_default=False,
        autocompletion=completion.sites,
    ),
]
Member = Annotated[
    str,
    typer.Option(
        "--by", help=_("The member's id in roster.toml."), show_default=False, autocompletion=completion.members
    ),
]
RequestId = Annotated[
    str,
    typer.Argument(help=_("The request id, e.g. 001C."), show_default=False, autocompletion=completion.open_requests),
]


def appointment(ws: Workspace, now: datetime, typed: str) -> datetime:
    """The instant ``--at`` names, in the CPTS's time zone, a time alone being today's (as of ``now``)."""
    return parse_when(typed, ws.config.zone, now)
