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

from snpctl import words
from snpctl.config import CABINET
from snpctl.domain.cascade import at_text
from snpctl.domain.state import Request
from snpctl.i18n import N_, _
from snpctl.service import Outcome
from snpctl.shown import fill, literal
from snpctl.store.workspace import Workspace
from snpctl.timefmt import from_stamp, to_local_text

if TYPE_CHECKING:  # rich is imported at run time only when a table is shown
    from rich.console import Console
    from rich.table import Table

# what a treating doctor who is not a member id is, and who a message is for when not a member
_DOCTOR = {"none": N_("none"), "unknown": N_("not known"), "external": N_("a doctor outside the roster")}
_RECIPIENT = {
    "patient": N_("the patient"),
    "operator": N_("the operator"),
    "treating_doctor": N_("the treating doctor"),
}
# why a message failed (ledger README, `failed`), and why it was given up on (`given_up`)
_ERROR = {
    "connection": N_("no connection to the gateway"),
    "timeout": N_("the gateway did not answer in time"),
    "auth": N_("the gateway refused the login"),
    "tls": N_("the secure connection failed"),
    "recipient_refused": N_("the recipient was refused"),
    "interrupted": N_("the sending was interrupted"),
    "render": N_("its text could not be made"),
    "outbox_full": N_("the disk of the outbox is full"),
    "outbox_denied": N_("the outbox folder cannot be written"),
}
_GAVE_UP = {"failed": N_("no retry left"), "unknown": N_("result unknown: it may have arrived")}


def _console() -> Console:
    from rich.console import Console  # only when a table is shown: an idle cron tick never pays for rich

    return Console(highlight=False, soft_wrap=True, markup=False, emoji=False)  # a "[/b]" in a label is text


def _table() -> Table:
    from rich.table import Table

    return Table(box=None, pad_edge=False)


def _time(ws: Workspace, now: datetime, instant: datetime | None) -> str:
    """``17h01`` today, ``lundi 15 janvier à 16h45`` another day."""
    return to_local_text(instant, ws.config.zone, today=now.astimezone(ws.config.zone).date())


def _at(ws: Workspace, now: datetime, instant: datetime | None) -> str:
    """``à 17h45`` today, ``le lundi 15 janvier à 16h45`` another day: after "rendez-vous"."""
    return at_text(instant, ws.config.zone, now.astimezone(ws.config.zone).date())


def _stamp(ws: Workspace, now: datetime, stamp: str | None) -> str:
    return _time(ws, now, from_stamp(stamp)) if stamp else "-"  # a ledger's or a view's time


def _name(ws: Workspace, member_id: str) -> str:
    """A member by their name; one who left the roster by their id."""
    member = ws.config.members.get(member_id)
    return member.name if member else member_id


def _who(ws: Workspace, member_id: str) -> str:
    """A member by their name and id, where the next command may need the id."""
    member = ws.config.members.get(member_id)
    return f"{member.name} ({member_id})" if member else member_id


def _doctor(ws: Workspace, code: str) -> str:
    """The treating doctor: a member, or none / not known / a doctor outside the roster."""
    return _(_DOCTOR[code]) if code in _DOCTOR else _who(ws, code)


def _recipient(ws: Workspace, code: str) -> str:
    return _(_RECIPIENT[code]) if code in _RECIPIENT else _name(ws, code)


def _error(code: str) -> str:
    if code.startswith("exit_"):
        return _("the SMS command failed (exit code {code})").format(code=code[5:])
    return _(_ERROR[code]) if code in _ERROR else code


def _motif(ws: Workspace, key: str) -> str:
    protocol = ws.config.protocols.get(key)
    return protocol.label if protocol else key


def _place(ws: Workspace, member_id: str | None, site: str | None) -> str:
    if site is None:
        return "-"
    if site == CABINET:
        member = ws.config.members.get(member_id or "")
        address = member.address if member else None
        return _("at their practice") + (f", {address}" if address else "")
    known = ws.config.sites.get(site)
    if known is None:
        return site
    return known.label + (f", {known.address}" if known.address else "")


def _request(result: Outcome) -> Request:
    """The request a command acted on: every command rendered with it returns it."""
    assert result.request is not None
    return result.request


def intake(ws: Workspace, now: datetime, result: Outcome) -> None:
    req = _request(result)
    label = _motif(ws, req.motif)
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
    return ", ".join(_who(ws, m) for m in notified) or _("nobody (no eligible member in roster.toml)")


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
            doctor=_name(ws, req.treating_doctor),
            deadline=_time(ws, now, req.deadline),
            n=len(data["notified"]),
            who=_notified(ws, data["notified"]),
        )
    )


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
            who=_name(ws, req.by or ""),
            at=_at(ws, now, req.appointment),
            place=_place(ws, req.by, req.site),
        )
    )


def refused(ws: Workspace, now: datetime, result: Outcome) -> None:
    req, data = _request(result), result.data
    print(
        fill(
            _("Request {id}: refusal of {by} recorded; the request will not be offered to them again."),
            id=req.id,
            by=_who(ws, req.refused[-1]),
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
                deadline=_time(ws, now, req.deadline),
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
    print(fill(message, id=req.id, doctor=_doctor(ws, req.treating_doctor)))


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
                recipient=_recipient(ws, row["recipient"]),
                channel=words.channel(row["channel"]),
                n=row["attempts"],
                why=_(_GAVE_UP[row["why"]]) if row["why"] in _GAVE_UP else row["why"],
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
        return
    table = _table()
    for title in (_("request"), _("status"), _("until"), _("motif"), _("source"), _("taken by"), _("appointment")):
        table.add_column(title)
    for row in rows:
        status = words.status(row["status"])
        if row.get("due"):
            status += " " + _("(time is up; updated within the minute)")
        cells = (
            row["request"],
            status,
            _stamp(ws, now, row["deadline"]),
            row["motif"],
            words.source(row["source"]),
            _name(ws, row["by"]) if row["by"] else "-",
            _stamp(ws, now, row["appointment"]),
        )
        table.add_row(*map(literal, cells))
    _console().print(table)


# -- show: a request's timeline, one sentence an event ------------------------------------------

_Describe = Callable[[Workspace, datetime, dict[str, Any], dict[int, str]], str]


def _intake(ws: Workspace, now: datetime, event: dict[str, Any], outcome_of: dict[int, str]) -> str:
    return fill(
        _("call taken: {motif} ({action}), from {source}, treating doctor: {doctor}"),
        motif=_motif(ws, event["motif"]),
        action=words.action(event["action"]),
        source=words.source(event["source"]),
        doctor=_doctor(ws, event["treating_doctor"]),
    )


def _notify(ws: Workspace, now: datetime, event: dict[str, Any], outcome_of: dict[int, str]) -> str:
    return fill(
        _("triggered: {status} until {deadline}; notified: {who}"),
        status=words.status(event["status"]),
        deadline=_stamp(ws, now, event["deadline"]),
        who=", ".join(_name(ws, m) for m in event["notified"]) or "-",
    )


def _escalate(ws: Workspace, now: datetime, event: dict[str, Any], outcome_of: dict[int, str]) -> str:
    return fill(
        _("open to the community ({cause}) until {deadline}; notified ({n}): {who}"),
        cause=words.cause(event["cause"]),
        deadline=_stamp(ws, now, event["deadline"]),
        n=len(event["notified"]),
        who=", ".join(_name(ws, m) for m in event["notified"]) or "-",
    )


def _refuse(ws: Workspace, now: datetime, event: dict[str, Any], outcome_of: dict[int, str]) -> str:
    return fill(_("refused by {by} ({reason})"), by=_who(ws, event["by"]), reason=words.reason(event["reason"]))


def _take(ws: Workspace, now: datetime, event: dict[str, Any], outcome_of: dict[int, str]) -> str:
    if event["type"] == "book":
        message = _("taken by {by} (direct booking): appointment {at}, {place}")
    else:
        message = _("taken by {by}: appointment {at}, {place}")
    return fill(
        message,
        by=_who(ws, event["by"]),
        at=_at(ws, now, from_stamp(event["appointment"])),
        place=_place(ws, event["by"], event["site"]),
    )


def _queue(ws: Workspace, now: datetime, event: dict[str, Any], outcome_of: dict[int, str]) -> str:
    return "\n".join(
        fill(
            _("message for {recipient} ({template}), {channel}: {result}"),
            recipient=_recipient(ws, recipient),
            template=words.template(template),
            channel=words.channel(channel),
            result=outcome_of.get(mid, words.message_status("queued")),
        )
        for mid, template, recipient, channel in event["messages"]
    )


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
        _("synthesis by {by}, for the treating doctor"), by=_who(ws, event["by"])
    ),
    "queue": _queue,
}


def _results(events: list[dict[str, Any]]) -> dict[int, str]:
    """What became of each message, as words: sent, failed (why; retried), given up (why)."""
    outcome_of: dict[int, str] = {}
    for event in events:
        for entry in event["messages"] if event["type"] in ("sent", "failed", "given_up") else ():
            if event["type"] == "sent":
                outcome_of[entry[0]] = words.message_status("sent")
            elif event["type"] == "failed":
                outcome_of[entry[0]] = fill(_("failed ({error}), will be retried"), error=_error(entry[-1]))
            else:
                why = _(_GAVE_UP[entry[-1]]) if entry[-1] in _GAVE_UP else entry[-1]
                outcome_of[entry[0]] = fill(_("GIVEN UP ({why}): pass it on by hand"), why=why)
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
        table.add_row(_time(ws, now, from_stamp(event["at"])), text)
    _console().print(table)
