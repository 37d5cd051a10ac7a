"""What people read: one or two plain sentences per command, tables for list and show.

Every value from configuration, the ledger or the command line goes through ``shown`` (``fill``,
``literal``): printed as it is written, its control characters escaped, never read as markup.

Owns the wording and layout of what a person reads (``--json`` prints the contract's objects
instead). Must not decide anything nor read the ledger: it is given ``service``'s ``Outcome``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from snpctl.config import CABINET
from snpctl.domain.state import Request
from snpctl.i18n import _
from snpctl.service import Outcome
from snpctl.shown import fill, literal
from snpctl.store.workspace import Workspace
from snpctl.timefmt import from_stamp, to_local_text

if TYPE_CHECKING:  # rich is imported at run time only when a table is shown
    from rich.console import Console
    from rich.table import Table


def _console() -> Console:
    from rich.console import Console  # only when a table is shown: an idle cron tick never pays for rich

    return Console(highlight=False, soft_wrap=True, markup=False, emoji=False)  # a "[/b]" in a label is text


def _table() -> Table:
    from rich.table import Table

    return Table(box=None, pad_edge=False)


def _time(ws: Workspace, now: datetime, instant: datetime | None) -> str:
    return to_local_text(instant, ws.config.zone, today=now.astimezone(ws.config.zone).date())


def _who(ws: Workspace, member_id: str) -> str:
    member = ws.config.members.get(member_id)
    return f"{member.name} ({member_id})" if member else member_id


def _place(ws: Workspace, member_id: str | None, site: str | None) -> str:
    if site is None:
        return "-"
    if site == CABINET:
        member = ws.config.members.get(member_id or "")
        address = member.address if member else None
        return _("own practice") + (f", {address}" if address else "")
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
    protocol = ws.config.protocols.get(req.motif)
    label = protocol.label if protocol else req.motif
    if req.status == "transferred_15":
        print(
            fill(
                _(
                    "Request {id}: TRANSFER TO THE 15 NOW: {label} is a red flag. Stay on the line until the 15 has "
                    "taken the call."
                ),
                id=req.id,
                label=label,
            )
        )
    elif req.status == "redirected":
        print(
            fill(
                _("Request {id}: redirected, out of protocol ({label}). Refer the patient to their own doctor."),
                id=req.id,
                label=label,
            )
        )
    else:
        print(fill(_("Request {id}: open ({label}). Next: snpctl notify {id}"), id=req.id, label=label))


def notify(ws: Workspace, now: datetime, result: Outcome) -> None:
    req, data = _request(result), result.data
    who = ", ".join(_who(ws, m) for m in data["notified"]) or _("nobody (no eligible member in roster.toml)")
    if req.status == "treating_doctor_window":
        print(
            fill(
                _("Request {id}: reserved for the treating doctor until {deadline}. Notified: {who}."),
                id=req.id,
                deadline=_time(ws, now, req.deadline),
                who=who,
            )
        )
    else:
        print(
            fill(
                _("Request {id}: open to the community until {deadline}. Notified ({n}): {who}."),
                id=req.id,
                deadline=_time(ws, now, req.deadline),
                n=len(data["notified"]),
                who=who,
            )
        )


def taken(ws: Workspace, now: datetime, result: Outcome) -> None:
    req = _request(result)
    print(
        fill(
            _("Request {id}: {kind} by {who}. Appointment {at}, {place}."),
            id=req.id,
            kind=_("booked") if req.direct else _("accepted"),
            who=_who(ws, req.by or ""),
            at=_time(ws, now, req.appointment),
            place=_place(ws, req.by, req.site),
        )
    )


def refused(ws: Workspace, now: datetime, result: Outcome) -> None:
    req, data = _request(result), result.data
    print(fill(_("Refusal of request {id} recorded; {by} will not be asked again."), id=req.id, by=req.refused[-1]))
    if "notified" in data:
        print(
            fill(
                _(
                    "The treating doctor refused: request {id} is open to the community until {deadline} ({n} "
                    "notified)."
                ),
                id=req.id,
                deadline=_time(ws, now, req.deadline),
                n=len(data["notified"]),
            )
        )


def outcome(ws: Workspace, now: datetime, result: Outcome) -> None:
    req = _request(result)
    print(fill(_("Request {id}: {status}."), id=req.id, status=req.status))


def synthesis(ws: Workspace, now: datetime, result: Outcome) -> None:
    print(
        fill(
            _("Synthesis of request {id} recorded; it goes to the treating doctor ({doctor}) by secure mail."),
            id=_request(result).id,
            doctor=_request(result).treating_doctor,
        )
    )


def _failed(ws: Workspace, now: datetime, rows: list[dict[str, Any]]) -> None:
    for row in rows:
        print(
            fill(
                _(
                    "MESSAGE NOT DELIVERED: {template} to {recipient} ({channel}) for request {request}, after {n} "
                    "attempt(s); do it by hand."
                ),
                template=row["template"],
                recipient=row["recipient"],
                channel=row["channel"],
                request=row["request"],
                n=row["attempts"],
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
                    "Request {id}: EXPIRED, nobody accepted. Call the patient back (the 15 if it gets worse, "
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
    for title in (_("request"), _("status"), _("deadline"), _("motif"), _("source"), _("taken by"), _("appointment")):
        table.add_column(title)
    for row in rows:
        deadline = _time(ws, now, from_stamp(row["deadline"])) if row["deadline"] else "-"
        status = row["status"] + (" " + _("(window ran out, tick due)") if row.get("due") else "")
        appointment = _time(ws, now, from_stamp(row["appointment"])) if row["appointment"] else "-"
        table.add_row(
            *map(
                literal, (row["request"], status, deadline, row["motif"], row["source"], row["by"] or "-", appointment)
            )
        )
    _console().print(table)


def _describe(ws: Workspace, now: datetime, event: dict[str, Any], outcome_of: dict[int, str]) -> str:
    """One event of a request's timeline, as a sentence."""

    def at(key: str) -> str:
        return _time(ws, now, from_stamp(event[key]))

    kind = event["type"]
    if kind == "intake":
        protocol = ws.config.protocols.get(event["motif"])
        return fill(
            _("call taken: {motif} ({action}), source {source}, treating doctor {doctor}"),
            motif=protocol.label if protocol else event["motif"],
            action=event["action"],
            source=event["source"],
            doctor=event["treating_doctor"],
        )
    if kind == "notify":
        return fill(
            _("triggered: {status} until {deadline}; notified {who}"),
            status=event["status"],
            deadline=at("deadline"),
            who=", ".join(event["notified"]) or "-",
        )
    if kind == "escalate":
        return fill(
            _("open to the community ({cause}) until {deadline}; notified {n}"),
            cause=event["cause"],
            deadline=at("deadline"),
            n=len(event["notified"]),
        )
    if kind == "refuse":
        return fill(_("{by} refused ({reason})"), by=event["by"], reason=event["reason"])
    if kind in ("accept", "book"):
        return fill(
            _("{what} by {by}: appointment {at}, {site}"),
            what=_("accepted") if kind == "accept" else _("booked"),
            by=event["by"],
            at=at("appointment"),
            site=event["site"],
        )
    if kind == "expire":
        return _("expired: nobody accepted")
    if kind == "outcome":
        return literal(event["outcome"])
    if kind == "synthesis":
        return fill(_("synthesis by {by}"), by=event["by"])
    if kind == "queue":
        return "\n".join(
            fill(
                _("message {template} to {recipient} by {channel}: {result}"),
                template=template,
                recipient=recipient,
                channel=channel,
                result=outcome_of.get(mid, _("queued")),
            )
            for mid, template, recipient, channel in event["messages"]
        )
    return literal(kind)


def show(ws: Workspace, now: datetime, result: Outcome) -> None:
    req = _request(result)
    print(fill(_("Request {id}: {status}."), id=req.id, status=req.status))
    outcome_of: dict[int, str] = {}
    word = {"sent": _("sent"), "failed": _("failed ({error}), will retry"), "given_up": _("GIVEN UP ({error})")}
    for event in result.data["events"]:
        if event["type"] in ("sent", "failed", "given_up"):
            for entry in event["messages"]:
                outcome_of[entry[0]] = fill(word[event["type"]], error=entry[-1])
    table = _table()
    table.add_column(_("time"))
    table.add_column(_("what happened"))
    for event in result.data["events"]:
        if event["type"] in ("attempt", "sent", "failed", "given_up"):
            continue
        table.add_row(_time(ws, now, from_stamp(event["at"])), _describe(ws, now, event, outcome_of))
    _console().print(table)
