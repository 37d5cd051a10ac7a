"""The operator's safety net: ``todo`` (what a person must do now) and ``done`` (it was done).

Each hands ``runner.run`` a call to ``snpctl.todo`` and a renderer from ``render``; nothing else.
"""

from __future__ import annotations

from typing import Annotated

import typer

from snpctl import runner
from snpctl.cli import completion
from snpctl.cli.options import Home, Json, Now, described
from snpctl.i18n import _


@described(
    _(
        "What a person must do now, most urgent first: patients to call back, messages to pass on by hand, "
        "windows tick has not closed yet, a cron that stopped."
    ),
    "snpctl todo",
    _(
        "The patients' names and numbers are shown on the terminal only: --json (for scripts, which cron may "
        "mail) gives the requests, messages and outbox files, never a name or a number. Exit 0 whether or not "
        "there is something to do."
    ),
)
def todo(home: Home = None, now: Now = None, as_json: Json = False) -> None:
    from snpctl import todo as use_case

    runner.run(home, now, as_json, use_case.todo, runner.render("todo"))


@described(
    _("Record that every to-do of a request was done: the patient called back, its messages passed on by hand."),
    'snpctl done 003A --note "rappelée à 17h20, ira à la garde du soir"',
)
def done(
    request: Annotated[
        str,
        typer.Argument(
            help=_("The request id, e.g. 001C."),
            show_default=False,
            autocompletion=completion.requests_to_follow,
        ),
    ],
    note: Annotated[
        str | None,
        typer.Option("--note", help=_("What was done (kept in private/, never in the ledger)."), show_default=False),
    ] = None,
    home: Home = None,
    now: Now = None,
    as_json: Json = False,
) -> None:
    from snpctl import todo as use_case

    runner.run(
        home,
        now,
        as_json,
        lambda ws, at: use_case.done(ws, at, request=request, note=note),
        runner.render("done"),
    )
