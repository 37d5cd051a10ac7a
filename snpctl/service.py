"""One function per use case: load, decide, append; then deliver what it queued. Called by the CLI and the simulator.

Each takes the workspace, the instant the command runs as (``now``, aware), and typed arguments;
each returns an ``Outcome`` whose ``data`` is the contract's JSON object and whose ``messages``
are the ids it queued. Delivering them is a separate step, taken right after the command's answer
has been printed: ``claim`` (under the lock), then ``send`` (outside it, by a sender process of its
own when the runner forks one: see ``runner.deliver``), so that a slow gateway never holds up
another command nor the operator's prompt.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from snpctl.domain import cascade, messages
from snpctl.domain.events import new
from snpctl.domain.state import Message, Request, State
from snpctl.errors import BadUsage, LedgerError
from snpctl.i18n import _
from snpctl.store import senders
from snpctl.store import workspace as ws_files
from snpctl.store.workspace import Workspace
from snpctl.timefmt import to_local_iso


SEND_WORKERS = 8     # messages of one batch handed over at once: 50 doctors asked in the time of 7
SEND_WORKERS_ENV = "SNPCTL_SEND_WORKERS"


def _workers() -> int:
    try:
        return max(1, int(os.environ.get(SEND_WORKERS_ENV) or SEND_WORKERS))
    except ValueError:
        return SEND_WORKERS


@dataclass
class Outcome:
    data: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    request: Request | None = None      # the request after the command, for people's output
    messages: list[int] = field(default_factory=list)   # ids queued by the command, to deliver


def request_view(ws: Workspace, request: Request, now: datetime | None = None) -> dict[str, Any]:
    zone = ws.config.zone
    view = {
        "request": request.id, "status": request.status,
        "deadline": to_local_iso(request.deadline, zone) if request.status in ("treating_doctor_window", "community")
        else None,
        "motif": request.motif, "source": request.source, "treating_doctor": request.treating_doctor,
        "intake": to_local_iso(request.intake_at, zone),
        "by": request.by, "site": request.site, "appointment": to_local_iso(request.appointment, zone),
    }
    if now is not None:
        view["due"] = request.status_at(now) != request.status   # a window ran out; tick will record it
    return view


def message_view(ws: Workspace, message: Message) -> dict[str, Any]:
    return {"message": message.id, "request": message.request, "template": message.template,
            "recipient": message.recipient, "channel": message.channel, "status": message.status,
            "attempts": message.attempts, "last": to_local_iso(message.last_at, ws.config.zone),
            "why": message.gave_up_why}


def _queued(events: list[dict[str, Any]]) -> list[int]:
    return [entry[0] for e in events if e["type"] == "queue" for entry in e["messages"]]


def _decided(ws: Workspace, now: datetime, decide: Callable[..., list[dict[str, Any]]],
             before_append: Callable[[list[dict[str, Any]]], None] | None = None,
             **arguments: Any) -> tuple[State, list[dict[str, Any]], list[str]]:
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
        return "p" + os.urandom(4).hex()        # what secrets.token_hex does, without importing random and hmac
    import hashlib
    return "p" + hashlib.sha256(f"{seed}:{number}".encode()).hexdigest()[:8]


def intake(ws: Workspace, now: datetime, *, motif: str, source: str, treating_doctor: str = "unknown",
           patient: str | None = None, phone: str | None = None, note: str | None = None,
           commune: str | None = None, seed: str | None = None) -> Outcome:
    details = {k: v for k, v in (("name", patient), ("phone", phone), ("note", note), ("commune", commune)) if v}
    saved: list[str] = []
    moved: list[str] = []

    def keep_private(events: list[dict[str, Any]]) -> None:
        rid = events[0]["request"]
        orphan = ws.quarantine_orphan(rid)    # left by an intake killed before its line: never this patient's
        if orphan is not None:
            moved.append(_("Request {id} had a private record left by an interrupted intake, not this caller's; it "
                           "was moved to {path} and is not used.").format(id=rid, path=orphan))
        if details:
            ws.save_private(rid, {"patient": events[0]["patient"], **details})
            saved.append(rid)

    def decide(state: State, config, at: datetime) -> list[dict[str, Any]]:
        return cascade.intake(state, config, at, motif=motif, source=source, treating_doctor=treating_doctor,
                              patient=patient_ref(seed, state.seq + 1), texted=bool(phone))
    try:
        state, events, warnings = _decided(ws, now, decide, keep_private)
    except LedgerError:
        for rid in saved:    # the ledger refused the line: leave no orphan private record
            ws.private_path(rid).unlink(missing_ok=True)
        raise
    request = state.requests[events[0]["request"]]
    return Outcome({"request": request.id, "status": request.status}, warnings + moved, request)


def notify(ws: Workspace, now: datetime, *, request: str) -> Outcome:
    state, events, warnings = _decided(ws, now, cascade.notify, request=request)
    req = state.requests[events[0]["request"]]
    return Outcome({"request": req.id, "status": req.status, "deadline": to_local_iso(req.deadline, ws.config.zone),
                    "notified": list(events[0]["notified"])}, warnings, req, _queued(events))


def _taken(ws: Workspace, state: State, events: list[dict[str, Any]], warnings: list[str]) -> Outcome:
    req = state.requests[events[0]["request"]]
    return Outcome({"request": req.id, "status": req.status, "by": req.by, "site": req.site,
                    "appointment": to_local_iso(req.appointment, ws.config.zone)}, warnings, req, _queued(events))


def accept(ws: Workspace, now: datetime, *, request: str, by: str, appointment: datetime,
           site: str | None = None) -> Outcome:
    return _taken(ws, *_decided(ws, now, cascade.accept, request=request, by=by, appointment=appointment, site=site))


def book(ws: Workspace, now: datetime, *, request: str, by: str, appointment: datetime,
         site: str | None = None) -> Outcome:
    return _taken(ws, *_decided(ws, now, cascade.book, request=request, by=by, appointment=appointment, site=site))


def refuse(ws: Workspace, now: datetime, *, request: str, by: str, reason: str = "other") -> Outcome:
    state, events, warnings = _decided(ws, now, cascade.refuse, request=request, by=by, reason=reason)
    req = state.requests[events[0]["request"]]
    data = {"request": req.id, "status": req.status}
    escalation = [e for e in events if e["type"] == "escalate"]
    if escalation:
        data["deadline"] = to_local_iso(req.deadline, ws.config.zone)
        data["notified"] = list(escalation[0]["notified"])
    return Outcome(data, warnings, req, _queued(events))


def outcome(ws: Workspace, now: datetime, *, request: str, outcome: str) -> Outcome:
    state, events, warnings = _decided(ws, now, cascade.outcome, request=request, outcome=outcome)
    req = state.requests[events[0]["request"]]
    return Outcome({"request": req.id, "status": req.status}, warnings, req)


SYNTHESIS_MAX = 64 * 1024    # bytes of UTF-8: a few pages; a mail relay refuses far less than a 50 MB file


def synthesis(ws: Workspace, now: datetime, *, request: str, by: str, text: str) -> Outcome:
    if not text.strip():
        raise BadUsage(_("The synthesis is empty; give its text with --text or --file."))
    size = len(text.encode("utf-8"))
    if size > SYNTHESIS_MAX:
        raise BadUsage(_("The synthesis is {size} KiB, more than the {most} KiB a secure mail carries here; shorten "
                         "it, nothing was recorded.").format(size=-(-size // 1024), most=SYNTHESIS_MAX // 1024))

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
        for path in written:     # the ledger refused the line: no text without its message
            path.unlink(missing_ok=True)
        raise
    req = state.requests[events[0]["request"]]
    return Outcome({"request": req.id, "status": req.status, "synthesis": True}, warnings, req, _queued(events))


def tick(ws: Workspace, now: datetime) -> Outcome:
    """Escalate, expire, queue reminders, give up on messages with no retry left. Deliver with ``deliver``."""
    with ws.ledger.transaction(now) as tx:
        events = cascade.tick(tx.state, ws.config, now)
        tx.append(events + messages.plan(tx.state, ws.config, now, events))
        seen = senders.read(ws.home)       # under the lock: no sender claims or records meanwhile
        duties, given_up = messages.duties(tx.state, ws.config, now, senders.whereabouts(seen))
        tx.append(duties)
        state, warnings = tx.state, tx.warnings
        senders.forget_settled(seen, {m for m in state.undelivered if state.messages[m].status == "sending"})
    return Outcome({"escalated": [e["request"] for e in events if e["type"] == "escalate"],
                    "expired": [e["request"] for e in events if e["type"] == "expire"],
                    "failed_messages": [message_view(ws, state.messages[m]) for m in given_up]}, warnings)


def synthesis_kind(message_id: int) -> str:
    """The private text of the synthesis that message ``message_id`` carries: ``<request>.synthesis.<id>.txt``."""
    return f"synthesis.{message_id}"


@dataclass
class Batch:
    """Messages claimed for sending (``claim``), and what sending them (``send``) needs."""

    state: State                         # as of the claim: what the texts are rendered from
    claimed: list[tuple[Message, int]]   # each message as it was before the claim, and its attempt number
    entry: senders.Entry | None          # this sender in .snpctl/senders (None: no message needed a claim)

    @property
    def to_gateways(self) -> int:
        """How many go to an SMS command or a mail server (the others only to the outbox: written at once)."""
        return sum(1 for message, _attempt in self.claimed if message.channel != "outbox")


def claim(ws: Workspace, now: datetime, ids: list[int] | None = None) -> Batch | None:
    """Claim the given queued messages (default: every one that is due) under the lock; None if none is.

    The claim is an ``attempt`` line, so that no other process sends them too. Only the first try of a
    message on the outbox channel needs none: writing its file twice gives the same file, and it is
    recorded written at once. The sender's entry (``store.senders``) is made before the claim and
    names the claimed messages before the lock is let go, so that ``tick`` always knows who sends them.
    """
    config = ws.config
    with ws.ledger.transaction(now) as tx:
        candidates = sorted(tx.state.undelivered) if ids is None else ids
        claimed = [(tx.state.messages[i], tx.state.messages[i].attempts + 1) for i in candidates
                   if i in tx.state.messages and messages.claimable(tx.state.messages[i], config, now)]
        attempts = [[m.id, attempt] for m, attempt in claimed if m.channel != "outbox" or m.status != "queued"]
        entry = senders.register(ws.home) if attempts else None
        try:
            if attempts:
                tx.append([new("attempt", now, messages=attempts)])
        except BaseException:
            if entry is not None:
                entry.done()
            raise
        if entry is not None:
            entry.claimed([i for i, _attempt in attempts])
        state = tx.state
    return Batch(state, claimed, entry) if claimed else None


def send(ws: Workspace, now: datetime, batch: Batch, workers: int | None = None,
         clock: Callable[[], datetime] | None = None) -> dict[str, int]:
    """Render, write to the outbox, hand over (``workers`` at a time), and record each result as it comes.

    Results are stamped ``now``, or ``clock()`` when given (a command run on the real clock: a batch
    may take minutes, and the wait before a retry counts from the failure).

    A message that cannot be rendered, written or handed over is recorded as failed with a short code
    (``render``, ``outbox_full``..., the transport's), and the others still go. Results are recorded
    in coalesced lines (one ``sent`` and one ``failed`` line for all that came in since the last).
    """
    from snpctl.messaging import sender, transports
    config = ws.config
    private: dict[str, dict[str, str]] = {}
    ready: list[sender.Result] = []
    jobs: list[sender.Job] = []
    if batch.entry is not None:
        batch.entry.sender(os.getpid())       # a forked sender: the process that now holds the entry
    try:
        for message, attempt in batch.claimed:
            if message.channel == "outbox" and not ws.write_outbox:
                ready.append((message.id, attempt, None))  # a simulation: the outbox is the whole delivery, and off
                continue
            try:
                rendered = _rendered(ws, batch.state, message, private)
            except Exception:                          # a template or a record we cannot read: this message only
                ready.append((message.id, attempt, "render"))
                continue
            if ws.write_outbox:
                day = now.astimezone(config.zone).strftime("%Y-%m-%d")
                try:
                    transports.write_outbox(ws.home / config.messaging.outbox, day, message.id, message.template,
                                            message.recipient, message.channel, attempt, message.request, rendered)
                except OSError as error:
                    ready.append((message.id, attempt, transports.outbox_error(error)))
                    continue
            if message.channel == "outbox":
                ready.append((message.id, attempt, None))
            else:
                jobs.append((message.id, attempt, transports.handing(config, message.channel, rendered)))
        return sender.send_batch(ready, jobs, lambda results: _record(ws, clock() if clock else now, results),
                                 handed=batch.entry.handed if batch.entry is not None else None,
                                 workers=workers or _workers())
    finally:
        if batch.entry is not None:
            batch.entry.done()


def deliver(ws: Workspace, now: datetime, ids: list[int] | None = None) -> dict[str, int]:
    """Claim and send here, in this process (the simulator, ``SNPCTL_DELIVERY=inline``); see ``claim`` and ``send``."""
    batch = claim(ws, now, ids)
    return send(ws, now, batch) if batch is not None else {"sent": 0, "failed": 0}


def _rendered(ws: Workspace, state: State, message: Message, private: dict[str, dict[str, str]]):
    from snpctl.messaging import render
    request = state.requests[message.request]
    if message.request not in private:
        private[message.request] = ws.load_private(message.request, patient=request.patient)
    text = ""
    if message.template == "synthesis_treating_doctor":
        text = ws.load_private_text(message.request, synthesis_kind(message.id))    # this message's, never another's
        if not text:
            raise ValueError("no synthesis text")     # failed ("render"), retried, then the operator is told
    return render.render(ws.config, state, message, private[message.request], text)


def _record(ws: Workspace, now: datetime, results: list[tuple[int, int, str | None]]) -> tuple[int, int]:
    """One ``sent`` and one ``failed`` line for ``results``: only what is still ours to record, never twice."""
    with ws.ledger.transaction(now) as tx:
        def ours(message_id: int, attempt: int) -> bool:
            message = tx.state.messages.get(message_id)
            return message is not None and (message.status == "sending" and message.attempts == attempt
                                            or message.status == "queued" and attempt == 1)
        sent = [[i, attempt] for i, attempt, error in results if error is None and ours(i, attempt)]
        failed = [[i, attempt, error] for i, attempt, error in results if error is not None and ours(i, attempt)]
        tx.append(([new("sent", now, messages=sent)] if sent else []) +
                  ([new("failed", now, messages=failed)] if failed else []))
    return len(sent), len(failed)


def _torn_warning(torn) -> list[str]:
    if torn is None:
        return []
    return [_("ledger/{file} ends with an incomplete line (an interrupted write); it is ignored here and the next "
              "writing command will move it aside.").format(file=torn.path.name)]


def failed_messages(ws: Workspace, state: State, now: datetime, shown: set[str]) -> list[dict[str, Any]]:
    """Messages given up on, for a request still shown or in the last 24 hours: someone must act."""
    from datetime import timedelta
    recent = now - timedelta(hours=24)
    return [message_view(ws, m) for m in state.messages.values()
            if m.status == "gave_up" and (m.request in shown or (m.last_at or m.queued_at) >= recent)]


def list_requests(ws: Workspace, now: datetime, *, everything: bool = False) -> Outcome:
    state, torn = ws.ledger.read() if everything else ws.ledger.read_hot()
    warnings = _torn_warning(torn)
    requests = sorted(state.requests.values(), key=lambda r: r.number)
    if not everything:
        requests = [r for r in requests if not r.closed]
    shown = {r.id for r in requests}
    return Outcome({"requests": [request_view(ws, r, now) for r in requests],
                    "failed_messages": failed_messages(ws, state, now, shown)}, warnings)


def show(ws: Workspace, now: datetime, *, request: str) -> Outcome:
    state, torn = ws.ledger.read_hot()
    req = cascade.find_request(ws.ledger.holding(state, request), request)
    events = ws.ledger.timeline(req.id)
    return Outcome({**request_view(ws, req, now), "events": events}, _torn_warning(torn), req)


def report(ws: Workspace, now: datetime, *, start=None, end=None) -> Outcome:
    from snpctl.report import summarize
    from snpctl.store import tallies
    if start is not None and end is not None and start > end:
        raise BadUsage(_("--from {start} is after --to {end}; give the first day, then the last.")
                       .format(start=start, end=end))
    config = ws.config
    counted, torn = tallies.count(ws.ledger, config.zone)
    registered = sum(1 for m in config.members.values() if m.registered and m.active)
    data = summarize(*counted.select(start, end), registered=registered, sites=config.sites)
    return Outcome(data, _torn_warning(torn))


def verify(ws: Workspace, *, checkpoint: Path | None = None) -> Outcome:
    from snpctl.store.verify import verify as verify_ledger
    summary = verify_ledger(ws.ledger, checkpoint)
    return Outcome({"ok": True, "events": summary.events, "requests": summary.requests,
                    "last_hash": summary.last_hash, "files": summary.files, "unordered": summary.unordered,
                    "checkpoint": summary.checkpoint})


def check(ws: Workspace) -> Outcome:
    ws.config   # loading validates both files and the templates; errors name the file and key
    return Outcome({"ok": True})
