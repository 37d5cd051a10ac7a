"""What people read: one or two plain sentences per command, tables for list and show.

Every value from configuration, the ledger or the command line goes through ``shown`` (``fill``,
``literal``): printed as it is written, its control characters escaped, never read as markup.
Codes never reach a person: statuses, outcomes, reasons, causes, sources, channels and templates are
shown as ``words`` gives them, members by their name, times as ``17h01`` (another day: ``lundi
15 janvier à 16h45``), in the language being spoken.

Owns the wording and layout of what a person reads (``--json`` prints the contract's objects
instead). Must not decide anything nor read the ledger: it is given ``service``'s ``Outcome``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from snpctl import naming, words
from snpctl.domain.state import Request
from snpctl.i18n import _
from snpctl.render_todo import done, pointer, todo  # noqa: F401 (runner.render finds todo's and done's here)
from snpctl.service import Outcome
from snpctl.shown import fill, literal
from snpctl.store.workspace import Workspace
from snpctl.timefmt import from_stamp

if TYPE_CHECKING:  # rich is imported at run time only when a table is shown
    from rich.console import Console
    from rich.table import Table


def _console() -> Console:
    from rich.console import Console  # only when a table is shown: an idle cron tick never pays for rich

    return Console(highlight=False, soft_wrap=True, markup=False, emoji=False)  # a "[/b]" in a label is text


def _table() -> Table:
    from rich.table import Table

    return Table(box=None, pad_edge=False)


def _request(result: Outcome) -> Request:
    """The request a command acted on: every command rendered with it returns it."""
    assert result.request is not None
    return result.request


def intake(ws: Workspace, now: datetime, result: Outcome) -> None:
    req = _request(result)
    label = naming.motif(ws, req.motif)
    if req.status == "transferred_15":
        message = _(
            "Request {id}: sent to the 15. TRANSFER THE CALL TO THE 15 NOW: {label} is a red flag. Stay on the "
            "line until the 15 has taken the call."
        )
    elif req.status == "redirected":
        message = _("Request {id}: out of protocol ({label}). Refer the patient to their own doctor.")
    else:
        message = _("Request {id}: open ({label}). Next: snpctl notify {id}")
    print(fill(message, id=req.id, label=label))


def _notified(ws: Workspace, notified: list[str]) -> str:
    return ", ".join(naming.who(ws, m) for m in notified) or _("nobody (no eligible member in roster.toml)")


def notify(ws: Workspace, now: datetime, result: Outcome) -> None:
    req, data = _request(result), result.data
    if req.status == "treating_doctor_window":
        message = _("Request {id}: reserved for the treating doctor ({doctor}) until {deadline}. Notified: {who}.")
    else:
        message = _("Request {id}: open to the community until {deadline}; notified ({n}): {who}.")
    print(
        fill(
            message,
            id=req.id,
            doctor=naming.name(ws, req.treating_doctor),
            deadline=naming.time_text(ws, now, req.deadline),
            n=len(data["notified"]),
            who=_notified(ws, data["notified"]),
        )
    )
    for note in result.notes:
        print(literal(note))


def taken(ws: Workspace, now: datetime, result: Outcome) -> None:
    req = _request(result)
    if req.direct:
        message = _("Request {id}: taken by {who} (direct booking), appointment {at}, {place}.")
    else:
        message = _("Request {id}: taken by {who}, appointment {at}, {place}.")
    print(
        fill(
            message,
            id=req.id,
            who=naming.name(ws, req.by or ""),
            at=naming.at(ws, now, req.appointment),
            place=naming.place(ws, req.by, req.site),
        )
    )


def refused(ws: Workspace, now: datetime, result: Outcome) -> None:
    req, data = _request(result), result.data
    print(
        fill(
            _("Request {id}: refusal of {by} recorded; the request will not be offered to them again."),
            id=req.id,
            by=naming.who(ws, req.refused[-1]),
        )
    )
    if "notified" in data:
        print(
            fill(
                _(
                    "The treating doctor refused: request {id} is open to the community until {deadline}; "
                    "notified ({n}): {who}."
                ),
                id=req.id,
                deadline=naming.time_text(ws, now, req.deadline),
                n=len(data["notified"]),
                who=_notified(ws, data["notified"]),
            )
        )


def outcome(ws: Workspace, now: datetime, result: Outcome) -> None:
    req = _request(result)
    print(fill(_("Request {id}: {status}."), id=req.id, status=words.status(req.status)))


def synthesis(ws: Workspace, now: datetime, result: Outcome) -> None:
    req = _request(result)
    member = ws.config.members.get(req.treating_doctor)
    if member is not None and member.mssante and ws.config.messaging.mail is not None:
        message = _("Request {id}: synthesis recorded; it goes to the treating doctor, {doctor}, by secure mail.")
    else:
        message = _(
            "Request {id}: synthesis recorded; it is in the outbox, to pass on by hand to the treating doctor, "
            "{doctor}."
        )
    print(fill(message, id=req.id, doctor=naming.doctor(ws, req.treating_doctor)))


def _failed(ws: Workspace, now: datetime, rows: list[dict[str, Any]]) -> None:
    for row in rows:
        print(
            fill(
                _(
                    "MESSAGE NOT DELIVERED for request {request}: {template}, for {recipient}, {channel}, after {n} "
                    "attempt(s) ({why}); pass it on by hand."
                ),
                request=row["request"],
                template=words.template(row["template"]),
                recipient=naming.recipient(ws, row["recipient"]),
                channel=words.channel(row["channel"]),
                n=row["attempts"],
                why=naming.gave_up(row["why"]),
            )
        )


def tick(ws: Workspace, now: datetime, result: Outcome) -> None:
    # Silent when nothing moved: cron mails whatever a job prints.
    _failed(ws, now, result.data["failed_messages"])
    for rid in result.data["escalated"]:
        print(fill(_("Request {id}: the treating doctor's window ran out; open to the community."), id=rid))
    for rid in result.data["expired"]:
        print(
            fill(
                _(
                    "Request {id}: NOT FILLED, nobody accepted. Call the patient back (the 15 if it gets worse, "
                    "otherwise the evening duty practice)."
                ),
                id=rid,
            )
        )


def listing(ws: Workspace, now: datetime, result: Outcome) -> None:
    _failed(ws, now, result.data["failed_messages"])
    rows = result.data["requests"]
    if not rows:
        print(_("No request is waiting."))
    else:
        _requests(ws, now, rows)
    ending = pointer(result.to_do)
    if ending:
        print(ending)


def _requests(ws: Workspace, now: datetime, rows: list[dict[str, Any]]) -> None:
    table = _table()
    for title in (_("request"), _("status"), _("until"), _("motif"), _("source"), _("taken by"), _("appointment")):
        # what people type next (the id, the motive's key) is never cut with "…": the other columns wrap
        table.add_column(title, no_wrap=title in (_("request"), _("motif")))
    for row in rows:
        status = words.status(row["status"])
        if row.get("due"):
            status += " " + _("(time is up; updated within the minute)")
        cells = (
            row["request"],
            status,
            naming.stamp(ws, now, row["deadline"]),
            row["motif"],
            words.source(row["source"]),
            naming.name(ws, row["by"]) if row["by"] else "-",
            naming.stamp(ws, now, row["appointment"]),
        )
        table.add_row(*map(literal, cells))
    _console().print(table)


# -- show: a request's timeline, one sentence an event ------------------------------------------

Results = dict[int, tuple[str, str]]  # message id -> the type of its last step, and what it means in words
_Describe = Callable[[Workspace, datetime, dict[str, Any], Results], str]


def _intake(ws: Workspace, now: datetime, event: dict[str, Any], outcome_of: Results) -> str:
    return fill(
        _("call taken: {motif} ({action}), from {source}, treating doctor: {doctor}"),
        motif=naming.motif(ws, event["motif"]),
        action=words.action(event["action"]),
        source=words.source(event["source"]),
        doctor=naming.doctor(ws, event["treating_doctor"]),
    )


def _notify(ws: Workspace, now: datetime, event: dict[str, Any], outcome_of: Results) -> str:
    return fill(
        _("triggered: {status} until {deadline}; notified: {who}"),
        status=words.status(event["status"]),
        deadline=naming.stamp(ws, now, event["deadline"]),
        who=", ".join(naming.name(ws, m) for m in event["notified"]) or "-",
    )


def _escalate(ws: Workspace, now: datetime, event: dict[str, Any], outcome_of: Results) -> str:
    return fill(
        _("open to the community ({cause}) until {deadline}; notified ({n}): {who}"),
        cause=words.cause(event["cause"]),
        deadline=naming.stamp(ws, now, event["deadline"]),
        n=len(event["notified"]),
        who=", ".join(naming.name(ws, m) for m in event["notified"]) or "-",
    )


def _refuse(ws: Workspace, now: datetime, event: dict[str, Any], outcome_of: Results) -> str:
    return fill(_("refused by {by} ({reason})"), by=naming.who(ws, event["by"]), reason=words.reason(event["reason"]))


def _take(ws: Workspace, now: datetime, event: dict[str, Any], outcome_of: Results) -> str:
    if event["type"] == "book":
        message = _("taken by {by} (direct booking): appointment {at}, {place}")
    else:
        message = _("taken by {by}: appointment {at}, {place}")
    return fill(
        message,
        by=naming.who(ws, event["by"]),
        at=naming.at(ws, now, from_stamp(event["appointment"])),
        place=naming.place(ws, event["by"], event["site"]),
    )


def _message(ws: Workspace, entry: list[Any], outcome_of: Results) -> str:
    """One message of a batch and what became of it; one for the outbox is a person's to pass on."""
    mid, template, recipient, channel = entry
    kind, result = outcome_of.get(mid, ("queued", words.message_status("queued")))
    if channel == "outbox":
        message = _("message for {recipient} ({template}): {result}")
        result = _("in the outbox, to pass on by hand") if kind == "sent" else result
    else:
        message = _("message for {recipient} ({template}), {channel}: {result}")
    return fill(
        message,
        recipient=naming.recipient(ws, recipient),
        template=words.template(template),
        channel=words.channel(channel),
        result=result,
    )


def _queue(ws: Workspace, now: datetime, event: dict[str, Any], outcome_of: Results) -> str:
    return "\n".join(_message(ws, entry, outcome_of) for entry in event["messages"])


_DESCRIBE: dict[str, _Describe] = {
    "intake": _intake,
    "notify": _notify,
    "escalate": _escalate,
    "refuse": _refuse,
    "accept": _take,
    "book": _take,
    "expire": lambda ws, now, event, outcome_of: _("not filled: nobody accepted"),
    "outcome": lambda ws, now, event, outcome_of: words.outcome(event["outcome"]),
    "synthesis": lambda ws, now, event, outcome_of: fill(
        _("synthesis by {by}, for the treating doctor"), by=naming.who(ws, event["by"])
    ),
    "queue": _queue,
    "followed_up": lambda ws, now, event, outcome_of: _("followed up: its to-dos were done (snpctl done)"),
}


def _results(events: list[dict[str, Any]]) -> Results:
    """What became of each message (the type of its last step), in words: sent, failed (why; retried), given up."""
    outcome_of: Results = {}
    for event in events:
        kind = event["type"]
        for entry in event["messages"] if kind in ("sent", "failed", "given_up") else ():
            if kind == "sent":
                outcome_of[entry[0]] = kind, words.message_status("sent")
            elif kind == "failed":
                said = fill(_("failed ({error}), will be retried"), error=naming.error(entry[-1]))
                outcome_of[entry[0]] = kind, said
            else:
                said = fill(_("GIVEN UP ({why}): pass it on by hand"), why=naming.gave_up(entry[-1]))
                outcome_of[entry[0]] = kind, said
    return outcome_of


def show(ws: Workspace, now: datetime, result: Outcome) -> None:
    req = _request(result)
    print(fill(_("Request {id}: {status}."), id=req.id, status=words.status(req.status)))
    outcome_of = _results(result.data["events"])
    table = _table()
    table.add_column(_("when"))
    table.add_column(_("what happened"))
    for event in result.data["events"]:
        if event["type"] in ("attempt", "sent", "failed", "given_up"):
            continue
        describe = _DESCRIBE.get(event["type"])
        text = describe(ws, now, event, outcome_of) if describe else literal(words.event(event["type"]))
        table.add_row(naming.time_text(ws, now, from_stamp(event["at"])), text)
    _console().print(table)
