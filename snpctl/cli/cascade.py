"""The cascade's commands: a call's intake, the cascade's steps, what became of it, and the views of the requests.

Each hands ``runner.run`` a call to ``service`` and a renderer from ``render``; nothing else.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from snpctl import runner, service
from snpctl.cli import asking, completion
from snpctl.cli.options import At, Home, Json, Member, Now, RequestId, Site, appointment, described
from snpctl.i18n import _

SEED_ENV = "SNPCTL_SEED"  # reproducible patient references (demo, tests); never set in production

_run, _render = runner.run, runner.render


@described(
    _("Record a call and triage it: open (to trigger), redirected, or transferred to the 15."),
    'snpctl intake --motif fievre_enfant --source cot --treating-doctor mg-martin --patient "Léa B." '
    '--phone "06 00 00 00 01"',
    _(
        "Without --motif, at a terminal, snpctl asks for the motive, the source, the treating doctor, the "
        "patient and the phone number, then asks to confirm."
    ),
)
def intake(
    ctx: typer.Context,
    motif: Annotated[
        str | None,
        typer.Option(
            "--motif",
            help=_("The protocol key (protocols.toml)."),
            show_default=False,
            autocompletion=completion.motives,
        ),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            help=_("cot, web, samu, hospital or office."),
            show_default=False,
            autocompletion=completion.words(*asking.SOURCES),
        ),
    ] = None,
    treating_doctor: Annotated[
        str | None,
        typer.Option(
            "--treating-doctor",
            help=_("A member id, or none, unknown, external (default: unknown)."),
            show_default=False,
            autocompletion=completion.treating_doctors,
        ),
    ] = None,
    patient: Annotated[
        str | None, typer.Option("--patient", help=_("The patient's name (private store)."), show_default=False)
    ] = None,
    phone: Annotated[
        str | None, typer.Option("--phone", help=_("Where to text the patient (private store)."), show_default=False)
    ] = None,
    note: Annotated[
        str | None, typer.Option("--note", help=_("Free text (private store)."), show_default=False)
    ] = None,
    commune: Annotated[
        str | None,
        typer.Option(
            "--commune",
            help=_("Where the patient is, quoted in the doctors' SMS (private store)."),
            show_default=False,
        ),
    ] = None,
    home: Home = None,
    now: Now = None,
    as_json: Json = False,
) -> None:
    call = asking.Call(motif, source, treating_doctor, patient, phone)
    if motif is None and not as_json and asking.at_a_terminal():
        call = asking.ask(home, call)  # before the command takes the ledger: an operator may take a minute
    for name in ("motif", "source"):
        if getattr(call, name) is None:  # scripts, pipes and --json: the usage error of a required option
            asking.missing(ctx, name)
    _run(
        home,
        now,
        as_json,
        lambda ws, at: service.intake(
            ws,
            at,
            motif=call.motif or "",
            source=call.source or "",
            treating_doctor=call.treating_doctor or "unknown",
            patient=call.patient,
            phone=call.phone,
            note=note,
            commune=commune,
            seed=os.environ.get(SEED_ENV),
        ),
        _render("intake"),
    )


@described(
    _("Trigger the cascade: the treating doctor alone first, else every registered member."),
    "snpctl notify 001C",
)
def notify(request: RequestId, home: Home = None, now: Now = None, as_json: Json = False) -> None:
    _run(home, now, as_json, lambda ws, at: service.notify(ws, at, request=request), _render("notify"))


@described(
    _("Record that a member takes the request, with the appointment time; the first acceptable one wins."),
    "snpctl accept 001C --by mg-martin --at 17:30",
)
def accept(
    request: RequestId, by: Member, at: At, site: Site = None, home: Home = None, now: Now = None, as_json: Json = False
) -> None:
    _take(service.accept, request, by, at, site, home, now, as_json)


@described(
    _("Book an open request directly, without the cascade (SAMU, SAS or hospital filling the CAMI agenda)."),
    "snpctl book 004H --by mg-remy --at 18:15 --site cami",
)
def book(
    request: RequestId, by: Member, at: At, site: Site = None, home: Home = None, now: Now = None, as_json: Json = False
) -> None:
    _take(service.book, request, by, at, site, home, now, as_json)


def _take(
    use_case: Callable[..., service.Outcome],
    request: str,
    by: str,
    at: str,
    site: str | None,
    home: Path | None,
    now: str | None,
    as_json: bool,
) -> None:
    """accept and book: a member takes the request for an appointment, answered alike."""
    _run(
        home,
        now,
        as_json,
        lambda ws, instant: use_case(
            ws, instant, request=request, by=by, appointment=appointment(ws, instant, at), site=site
        ),
        _render("taken"),
    )


@described(
    _("Record a refusal; the treating doctor's refusal opens the request to the community at once."),
    "snpctl refuse 001C --by mg-martin --reason away",
)
def refuse(
    request: RequestId,
    by: Member,
    reason: Annotated[
        str,
        typer.Option(
            "--reason",
            help=_("busy, away, out_of_scope or other."),
            autocompletion=completion.words("busy", "away", "out_of_scope", "other"),
        ),
    ] = "other",
    home: Home = None,
    now: Now = None,
    as_json: Json = False,
) -> None:
    _run(
        home,
        now,
        as_json,
        lambda ws, at: service.refuse(ws, at, request=request, by=by, reason=reason),
        _render("refused"),
    )


@described(
    _("Record what became of a request: seen, no-show (after the appointment time), or cancelled."),
    "snpctl outcome 001C seen",
)
def outcome(
    request: RequestId,
    what: Annotated[
        str,
        typer.Argument(
            metavar="seen|no-show|cancelled",
            help=_("What became of it."),
            show_default=False,
            autocompletion=completion.words("seen", "no-show", "cancelled"),
        ),
    ],
    home: Home = None,
    now: Now = None,
    as_json: Json = False,
) -> None:
    _run(
        home,
        now,
        as_json,
        lambda ws, at: service.outcome(ws, at, request=request, outcome=what.replace("-", "_")),
        _render("outcome"),
    )


@described(
    _("Advance every window that has run out: escalate to the community, expire. Safe every minute from cron."),
    "* * * * * SNPCTL_HOME=/srv/cpts /usr/local/bin/snpctl tick",
)
def tick(
    home: Home = None,
    now: Now = None,
    as_json: Json = False,
    wait: Annotated[
        bool,
        typer.Option(
            "--wait",
            help=_(
                "First let the messages still being sent go (at most a minute), then send this tick's and wait "
                "for them too (scripts, tests)."
            ),
        ),
    ] = False,
) -> None:
    runner.tick(home, now, as_json, wait)


@described(
    _("Show a request's timeline."),
    "snpctl show 001C",
)
def show(request: RequestId, home: Home = None, now: Now = None, as_json: Json = False) -> None:
    _run(home, now, as_json, lambda ws, at: service.show(ws, at, request=request), _render("show"))


@described(
    _("List the requests not yet closed, with status and deadline."),
    "snpctl list --all",
)
def list_(
    everything: Annotated[bool, typer.Option("--all", help=_("Every request, closed ones too."))] = False,
    home: Home = None,
    now: Now = None,
    as_json: Json = False,
) -> None:
    _run(home, now, as_json, lambda ws, at: service.list_requests(ws, at, everything=everything), _render("listing"))
