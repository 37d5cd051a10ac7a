"""The cascade's commands: a call's intake, the cascade's steps, what became of it, and the views of the requests.

Each hands ``runner.run`` a call to ``service`` and a renderer from ``render``; nothing else.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from snpctl import runner, service
from snpctl.cli.options import At, Home, Json, Member, Now, RequestId, Site, appointment

SEED_ENV = "SNPCTL_SEED"  # reproducible patient references (demo, tests); never set in production

_run, _render = runner.run, runner.render


def intake(
    motif: Annotated[str, typer.Option("--motif", help="The protocol key (protocols.toml).", show_default=False)],
    source: Annotated[str, typer.Option("--source", help="cot, web, samu, hospital or office.", show_default=False)],
    treating_doctor: Annotated[
        str, typer.Option("--treating-doctor", help="A member id, or none, unknown, external.")
    ] = "unknown",
    patient: Annotated[
        str | None, typer.Option("--patient", help="The patient's name (private store).", show_default=False)
    ] = None,
    phone: Annotated[
        str | None, typer.Option("--phone", help="Where to text the patient (private store).", show_default=False)
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="Free text (private store).", show_default=False)] = None,
    commune: Annotated[
        str | None,
        typer.Option(
            "--commune", help="Where the patient is, quoted in the doctors' SMS (private store).", show_default=False
        ),
    ] = None,
    home: Home = None,
    now: Now = None,
    as_json: Json = False,
) -> None:
    """Record a call and triage it: open (to trigger), redirected, or transferred to the 15.

    Example: snpctl intake --motif fievre_enfant --source cot --treating-doctor mg-martin --patient "Léa B." --phone "06 00 00 00 01"
    """  # noqa: E501 - the help's example is one command line, as a coordinator would type it
    _run(
        home,
        now,
        as_json,
        lambda ws, at: service.intake(
            ws,
            at,
            motif=motif,
            source=source,
            treating_doctor=treating_doctor,
            patient=patient,
            phone=phone,
            note=note,
            commune=commune,
            seed=os.environ.get(SEED_ENV),
        ),
        _render("intake"),
    )


def notify(request: RequestId, home: Home = None, now: Now = None, as_json: Json = False) -> None:
    """Trigger the cascade: the treating doctor alone first, else every registered member.

    Example: snpctl notify 001C
    """
    _run(home, now, as_json, lambda ws, at: service.notify(ws, at, request=request), _render("notify"))


def accept(
    request: RequestId, by: Member, at: At, site: Site = None, home: Home = None, now: Now = None, as_json: Json = False
) -> None:
    """Record that a member takes the request, with the appointment time; the first acceptable one wins.

    Example: snpctl accept 001C --by mg-martin --at 17:30
    """
    _run(
        home,
        now,
        as_json,
        lambda ws, instant: service.accept(
            ws, instant, request=request, by=by, appointment=appointment(ws, instant, at), site=site
        ),
        _render("taken"),
    )


def book(
    request: RequestId, by: Member, at: At, site: Site = None, home: Home = None, now: Now = None, as_json: Json = False
) -> None:
    """Book an open request directly, without the cascade (SAMU, SAS or hospital filling the CAMI agenda).

    Example: snpctl book 004H --by mg-remy --at 18:15 --site cami
    """
    _run(
        home,
        now,
        as_json,
        lambda ws, instant: service.book(
            ws, instant, request=request, by=by, appointment=appointment(ws, instant, at), site=site
        ),
        _render("taken"),
    )


def refuse(
    request: RequestId,
    by: Member,
    reason: Annotated[str, typer.Option("--reason", help="busy, away, out_of_scope or other.")] = "other",
    home: Home = None,
    now: Now = None,
    as_json: Json = False,
) -> None:
    """Record a refusal; the treating doctor's refusal opens the request to the community at once.

    Example: snpctl refuse 001C --by mg-martin --reason away
    """
    _run(
        home,
        now,
        as_json,
        lambda ws, at: service.refuse(ws, at, request=request, by=by, reason=reason),
        _render("refused"),
    )


def outcome(
    request: RequestId,
    what: Annotated[
        str, typer.Argument(metavar="seen|no-show|cancelled", help="What became of it.", show_default=False)
    ],
    home: Home = None,
    now: Now = None,
    as_json: Json = False,
) -> None:
    """Record what became of a request: seen, no-show (after the appointment time), or cancelled.

    Example: snpctl outcome 001C seen
    """
    _run(
        home,
        now,
        as_json,
        lambda ws, at: service.outcome(ws, at, request=request, outcome=what.replace("-", "_")),
        _render("outcome"),
    )


def tick(
    home: Home = None,
    now: Now = None,
    as_json: Json = False,
    wait: Annotated[
        bool,
        typer.Option(
            "--wait",
            help="First let the messages still being sent go (at most a "
            "minute), then send this tick's and wait for them too (scripts, "
            "tests).",
        ),
    ] = False,
) -> None:
    """Advance every window that has run out: escalate to the community, expire. Safe every minute from cron.

    Example (crontab): * * * * * SNPCTL_HOME=/srv/cpts /usr/local/bin/snpctl tick
    """
    runner.tick(home, now, as_json, wait)


def show(request: RequestId, home: Home = None, now: Now = None, as_json: Json = False) -> None:
    """Show a request's timeline.

    Example: snpctl show 001C
    """
    _run(home, now, as_json, lambda ws, at: service.show(ws, at, request=request), _render("show"))


def list_(
    everything: Annotated[bool, typer.Option("--all", help="Every request, closed ones too.")] = False,
    home: Home = None,
    now: Now = None,
    as_json: Json = False,
) -> None:
    """List the requests not yet closed, with status and deadline.

    Example: snpctl list --all
    """
    _run(home, now, as_json, lambda ws, at: service.list_requests(ws, at, everything=everything), _render("listing"))
