"""The options and arguments several commands share, typed once for typer (their help is the contract's).

Owns only the shared ``Annotated`` types and the parsing of an appointment time; the commands that use
them live in the modules beside this one.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from snpctl.i18n import _
from snpctl.store.workspace import Workspace
from snpctl.timefmt import parse_when

Home = Annotated[
    Path | None,
    typer.Option(
        "--home", help="The workspace folder (default: $SNPCTL_HOME, else the current folder).", show_default=False
    ),
]
Now = Annotated[
    str | None,
    typer.Option(
        "--now",
        help="Run as of this instant (default: $SNPCTL_NOW, else the clock); for backfilling a paper log and tests.",
        show_default=False,
    ),
]
Json = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout, for scripts.")]
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
        help='Where the appointment takes place: "cabinet" or a site key (default: the member\'s site).',
        show_default=False,
    ),
]
Member = Annotated[str, typer.Option("--by", help="The member's id in roster.toml.", show_default=False)]
RequestId = Annotated[str, typer.Argument(help="The request id, e.g. 001C.", show_default=False)]


def appointment(ws: Workspace, now: datetime, typed: str) -> datetime:
    """The instant ``--at`` names, in the CPTS's time zone, a time alone being today's (as of ``now``)."""
    return parse_when(typed, ws.config.zone, now)
