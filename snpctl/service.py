"""One function per use case: load, decide, append; then deliver what it queued. Called by the CLI and the simulator.

Each takes the workspace, the instant the command runs as (``now``, aware), and typed arguments;
each returns an ``Outcome`` whose ``data`` is the contract's JSON object and whose ``messages``
are the ids it queued. Delivering them is a separate step, taken right after the command's answer
has been printed: ``claim`` (under the lock), then ``send`` (outside it, by a sender process of its
own when the runner forks one: see ``runner.deliver``), so that a slow gateway never holds up
another command nor the operator's prompt; both are in ``snpctl.delivery``.

Owns the use cases and the views of a request and a message in the contract's JSON. Must not know
the command line (options, printing, exit codes: the runner's and cli's), nor how lines are stored.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from snpctl import phones
from snpctl.delivery import synthesis_kind
from snpctl.domain import cascade, messages
from snpctl.domain.state import Message, Request, State
from snpctl.errors import BadUsage, LedgerError
from snpctl.i18n import _
from snpctl.store import senders
from snpctl.store import workspace as ws_files
from snpctl.store.workspace import Workspace
from snpctl.timefmt import to_local_iso

if TYPE_CHECKING:
    from snpctl.config.records import Config
    from snpctl.store.files import Torn


@dataclass
class Outcome:
    data: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    request: Request | None = None  # the request after the command, for people's output
    messages: list[int] = field(default_factory=list)  # ids queued by the command, to deliver
    notes: list[str] = field(default_factory=list)  # sentences added to the answer for people (not in --json)
    to_do: int = 0  # list: how many things a person must do now (``snpctl todo``)


def request_view(ws: Workspace, request: Request, now: datetime | None = None) -> dict[str, Any]:
    zone = ws.config.zone
    view: dict[str, Any] = {
        "request": request.id,
        "status": request.status,
        "deadline": to_local_iso(request.deadline, zone)
        if request.status in ("treating_doctor_window", "community")
        else None,
        "motif": request.motif,
        "source": request.source,
        "treating_doctor": request.treating_doctor,
        "intake": to_local_iso(request.intake_at, zone),
        "by": request.by,
        "site": request.site,
        "appointment": to_local_iso(request.appointment, zone),
    }
    if now is not None:
        view["due"] = request.status_at(now) != request.status  # a window ran out; tick will record it
    return view


def message_view(ws: Workspace, message: Message) -> dict[str, Any]:
    return {
        "message": message.id,
        "request": message.request,
        "template": message.template,
        "recipient": message.recipient,
        "channel": message.channel,
        "status": message.status,
        "attempts": message.attempts,
        "last": to_local_iso(message.last_at, ws.config.zone),
        "why": message.gave_up_why,
    }


def _queued(events: list[dict[str, Any]]) -> list[int]:
    return [entry[0] for e in events if e["type"] == "queue" for entry in e["messages"]]


def _decided(
    ws: Workspace,
    now: datetime,
    decide: Callable[..., list[dict[str, Any]]],
    before_append: Callable[[list[dict[str, Any]]], None] | None = None,
    **arguments: Any,
) -> tuple[State, list[dict[str, Any]], list[str]]:
    """Lock, decide, add the messages the decision causes, append; all or nothing."""
    with ws.ledger.transaction(now) as tx:
        if "request" in arguments:
            tx.need(arguments["request"])
        events = decide(tx.state, ws.config, now, **arguments)
        events = events + messages.plan(tx.state, ws.config, now, events)
        if before_append is not None:
            before_append(events)
        tx.append(events)
        return tx.state, events, tx.warnings


def init(target: Path) -> Outcome:
    home = ws_files.init(target)
    return Outcome({"home": str(home.absolute())})


def patient_ref(seed: str | None, number: int) -> str:
    """A random reference for the patient; reproducible only when a seed is given (demo, simulation)."""
    if seed is None:
        return "p" + os.urandom(4).hex()  # what secrets.token_hex does, without importing random and hmac
    import hashlib

    return "p" + hashlib.sha256(f"{seed}:{number}".encode()).hexdigest()[:8]


def intake(
    ws: Workspace,
    now: datetime,
    *,
    motif: str,
    source: str,
    treating_doctor: str = "unknown",
    patient: str | None = None,
    phone: str | None = None,
    note: str | None = None,
    commune: str | None = None,
    seed: str | None = None,
) -> Outcome:
    if phone:  # checked before anything is decided: a number that cannot be texted is refused, nothing written
        phone = phones.parse(phone)
    details = {k: v for k, v in (("name", patient), ("phone", phone), ("note", note), ("commune", commune)) if v}
    saved: list[str] = []
    moved: list[str] = []

    def keep_private(events: list[dict[str, Any]]) -> None:
        rid = events[0]["request"]
        orphan = ws.quarantine_orphan(rid)  # left by an intake killed before its line: never this patient's
        if orphan is not None:
            moved.append(
                _(
                    "Request {id} had a private record left by an interrupted intake, not this caller's; it "
                    "was moved to {path} and is not used."
                ).format(id=rid, path=orphan)
            )
        if details:
            ws.save_private(rid, {"patient": events[0]["patient"], **details})
            saved.append(rid)

    def decide(state: State, config: Config, at: datetime) -> list[dict[str, Any]]:
        return cascade.intake(
            state,
            config,
            at,
            motif=motif,
            source=source,
            treating_doctor=treating_doctor,
            patient=patient_ref(seed, state.seq + 1),
            texted=bool(phone),
        )

    try:
        state, events, warnings = _decided(ws, now, decide, keep_private)
    except LedgerError:
        for rid in saved:  # the ledger refused the line: leave no orphan private record
            ws.private_path(rid).unlink(missing_ok=True)
        raise
    request = state.requests[events[0]["request"]]
    return Outcome({"request": request.id, "status": request.status}, warnings + moved, request)


def notify(ws: Workspace, now: datetime, *, request: str) -> Outcome:
    state, events, warnings = _decided(ws, now, cascade.notify, request=request)
    req = state.requests[events[0]["request"]]
    doctor = cascade.unreachable_doctor(ws.config, req, now)
    why = (
        [
            _("{name} has no mobile number in roster.toml: the request is open to the community right away.").format(
                name=doctor.name
            )
        ]
        if doctor is not None
        else []
    )
    return Outcome(
        {
            "request": req.id,
            "status": req.status,
            "deadline": to_local_iso(req.deadline, ws.config.zone),
            "notified": list(events[0]["notified"]),
        },
        warnings,
        req,
        _queued(events),
        why,
    )


def _taken(ws: Workspace, state: State, events: list[dict[str, Any]], warnings: list[str]) -> Outcome:
    req = state.requests[events[0]["request"]]
    return Outcome(
        {
            "request": req.id,
            "status": req.status,
            "by": req.by,
            "site": req.site,
            "appointment": to_local_iso(req.appointment, ws.config.zone),
        },
        warnings,
        req,
        _queued(events),
    )


def accept(
    ws: Workspace, now: datetime, *, request: str, by: str, appointment: datetime, site: str | None = None
) -> Outcome:
    return _taken(ws, *_decided(ws, now, cascade.accept, request=request, by=by, appointment=appointment, site=site))


def book(
    ws: Workspace, now: datetime, *, request: str, by: str, appointment: datetime, site: str | None = None
) -> Outcome:
    return _taken(ws, *_decided(ws, now, cascade.book, request=request, by=by, appointment=appointment, site=site))


def refuse(ws: Workspace, now: datetime, *, request: str, by: str, reason: str = "other") -> Outcome:
    state, events, warnings = _decided(ws, now, cascade.refuse, request=request, by=by, reason=reason)
    req = state.requests[events[0]["request"]]
    data: dict[str, Any] = {"request": req.id, "status": req.status}
    escalation = [e for e in events if e["type"] == "escalate"]
    if escalation:
        data["deadline"] = to_local_iso(req.deadline, ws.config.zone)
        data["notified"] = list(escalation[0]["notified"])
    return Outcome(data, warnings, req, _queued(events))


def outcome(ws: Workspace, now: datetime, *, request: str, outcome: str) -> Outcome:
    state, events, warnings = _decided(ws, now, cascade.outcome, request=request, outcome=outcome)
    req = state.requests[events[0]["request"]]
    return Outcome({"request": req.id, "status": req.status}, warnings, req)


SYNTHESIS_MAX = 64 * 1024  # bytes of UTF-8: a few pages; a mail relay refuses far less than a 50 MB file


def synthesis(ws: Workspace, now: datetime, *, request: str, by: str, text: str) -> Outcome:
    if not text.strip():
        raise BadUsage(_("The synthesis is empty; give its text with --text or --file."))
    size = len(text.encode("utf-8"))
    if size > SYNTHESIS_MAX:
        raise BadUsage(
            _(
                "The synthesis is {size} KiB, more than the {most} KiB a secure mail carries here; shorten "
                "it, nothing was recorded."
            ).format(size=-(-size // 1024), most=SYNTHESIS_MAX // 1024)
        )

    written: list[Path] = []

    def keep_private(events: list[dict[str, Any]]) -> None:
        # one file per synthesis, named after the message that carries it: a second one never overwrites the first
        for event in events:
            for entry in event["messages"] if event["type"] == "queue" else ():
                if entry[1] == "synthesis_treating_doctor":
                    ws.save_private_text(event["request"], synthesis_kind(entry[0]), text)
                    written.append(ws.private_path(event["request"], synthesis_kind(entry[0])))

    try:
        state, events, warnings = _decided(ws, now, cascade.synthesis, keep_private, request=request, by=by)
    except LedgerError:
        for path in written:  # the ledger refused the line: no text without its message
            path.unlink(missing_ok=True)
        raise
    req = state.requests[events[0]["request"]]
    return Outcome({"request": req.id, "status": req.status, "synthesis": True}, warnings, req, _queued(events))


def tick(ws: Workspace, now: datetime) -> Outcome:
    """Escalate, expire, queue reminders, give up on messages with no retry left. Deliver with ``deliver``."""
    with ws.ledger.transaction(now) as tx:
        events = cascade.tick(tx.state, ws.config, now)
        tx.append(events + messages.plan(tx.state, ws.config, now, events))
        seen = senders.read(ws.home)  # under the lock: no sender claims or records meanwhile
        duties, given_up = messages.duties(tx.state, ws.config, now, senders.whereabouts(seen))
        tx.append(duties)
        state, warnings = tx.state, tx.warnings
        senders.forget_settled(seen, {m for m in state.undelivered if state.messages[m].status == "sending"})
    return Outcome(
        {
            "escalated": [e["request"] for e in events if e["type"] == "escalate"],
            "expired": [e["request"] for e in events if e["type"] == "expire"],
            "failed_messages": [message_view(ws, state.messages[m]) for m in given_up],
        },
        warnings,
    )


def _torn_warning(torn: Torn | None) -> list[str]:
    if torn is None:
        return []
    return [
        _(
            "ledger/{file} ends with an incomplete line (an interrupted write); it is ignored here and the next "
            "writing command will move it aside."
        ).format(file=torn.path.name)
    ]


def failed_messages(ws: Workspace, state: State, now: datetime, shown: set[str]) -> list[dict[str, Any]]:
    """Messages given up on, for a request still shown or in the last 24 hours: someone must act."""
    from datetime import timedelta

    recent = now - timedelta(hours=24)
    return [
        message_view(ws, m)
        for m in state.messages.values()
        if m.status == "gave_up" and (m.request in shown or (m.last_at or m.queued_at) >= recent)
    ]


def list_requests(ws: Workspace, now: datetime, *, everything: bool = False) -> Outcome:
    state, torn = ws.ledger.read() if everything else ws.ledger.read_hot()
    warnings = _torn_warning(torn)
    requests = sorted(state.requests.values(), key=lambda r: r.number)
    if not everything:
        requests = [r for r in requests if not r.closed]
    shown = {r.id for r in requests}
    return Outcome(
        {
            "requests": [request_view(ws, r, now) for r in requests],
            "failed_messages": failed_messages(ws, state, now, shown),
        },
        warnings,
        to_do=_to_do(ws, state, now),
    )


def _to_do(ws: Workspace, state: State, now: datetime) -> int:
    """How many things ``snpctl todo`` lists (``list`` ends with a line pointing to it)."""
    from snpctl.domain.followup import items
    from snpctl.store.heartbeat import last

    return len(items(state, now, last(ws.home)))


def show(ws: Workspace, now: datetime, *, request: str) -> Outcome:
    state, torn = ws.ledger.read_hot()
    req = cascade.find_request(ws.ledger.holding(state, request), request)
    events = ws.ledger.timeline(req.id)
    return Outcome({**request_view(ws, req, now), "events": events}, _torn_warning(torn), req)


def report(ws: Workspace, now: datetime, *, start: date | None = None, end: date | None = None) -> Outcome:
    from snpctl.report import summarize
    from snpctl.store import tallies

    if start is not None and end is not None and start > end:
        raise BadUsage(
            _("--from {start} is after --to {end}; give the first day, then the last.").format(start=start, end=end)
        )
    config = ws.config
    counted, torn = tallies.count(ws.ledger, config.zone)
    registered = sum(1 for m in config.members.values() if m.registered and m.active)
    data = summarize(*counted.select(start, end), registered=registered, sites=config.sites)
    return Outcome(data, _torn_warning(torn))


def verify(ws: Workspace, *, checkpoint: Path | None = None) -> Outcome:
    from snpctl.store.verify import verify as verify_ledger

    summary = verify_ledger(ws.ledger, checkpoint)
    return Outcome(
        {
            "ok": True,
            "events": summary.events,
            "requests": summary.requests,
            "last_hash": summary.last_hash,
            "files": summary.files,
            "unordered": summary.unordered,
            "checkpoint": summary.checkpoint,
        }
    )


def check(ws: Workspace) -> Outcome:
    ws.config  # noqa: B018 - the property's loading validates both files and the templates; errors name the file and key
    return Outcome({"ok": True})
