"""One function per use case: load, decide, append, (later) send. Called by the CLI and the simulator.

Each takes the workspace, the instant the command runs as (``now``, aware), and typed arguments;
each returns an ``Outcome`` whose ``data`` is the contract's JSON object.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from snpctl.domain import cascade
from snpctl.domain.state import Request, State
from snpctl.errors import BadUsage, LedgerError
from snpctl.i18n import _
from snpctl.store import workspace as ws_files
from snpctl.store.workspace import Workspace
from snpctl.timefmt import to_local_iso


@dataclass
class Outcome:
    data: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    request: Request | None = None      # the request after the command, for people's output


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


def _decided(ws: Workspace, now: datetime, decide, **arguments) -> tuple[State, list[dict[str, Any]], list[str]]:
    with ws.ledger.transaction(now) as tx:
        events = decide(tx.state, ws.config, now, **arguments)
        tx.append(events)
        return tx.state, events, tx.warnings


def init(target: Path) -> Outcome:
    home = ws_files.init(target)
    return Outcome({"home": str(home.absolute())})


def patient_ref(seed: str | None, number: int) -> str:
    """A random reference for the patient; reproducible only when a seed is given (demo, simulation)."""
    if seed is None:
        return "p" + secrets.token_hex(4)
    return "p" + hashlib.sha256(f"{seed}:{number}".encode()).hexdigest()[:8]


def intake(ws: Workspace, now: datetime, *, motif: str, source: str, treating_doctor: str = "unknown",
           patient: str | None = None, phone: str | None = None, note: str | None = None,
           seed: str | None = None) -> Outcome:
    with ws.ledger.transaction(now) as tx:
        ref = patient_ref(seed, tx.state.seq + 1)
        events = cascade.intake(tx.state, ws.config, now, motif=motif, source=source,
                                treating_doctor=treating_doctor, patient=ref)
        rid = events[0]["request"]
        details = {k: v for k, v in (("name", patient), ("phone", phone), ("note", note)) if v}
        if details:
            ws.save_private(rid, {"patient": ref, **details})
        try:
            tx.append(events)
        except LedgerError:
            (ws.private / "requests" / f"{rid}.json").unlink(missing_ok=True)
            raise
        request = tx.state.requests[rid]
        warnings = tx.warnings
    return Outcome({"request": rid, "status": request.status}, warnings, request)


def notify(ws: Workspace, now: datetime, *, request: str) -> Outcome:
    state, events, warnings = _decided(ws, now, cascade.notify, request=request)
    req = state.requests[events[-1]["request"]]
    return Outcome({"request": req.id, "status": req.status, "deadline": to_local_iso(req.deadline, ws.config.zone),
                    "notified": list(events[-1]["notified"])}, warnings, req)


def _taken(ws: Workspace, state: State, events: list[dict[str, Any]], warnings: list[str]) -> Outcome:
    req = state.requests[events[-1]["request"]]
    return Outcome({"request": req.id, "status": req.status, "by": req.by, "site": req.site,
                    "appointment": to_local_iso(req.appointment, ws.config.zone)}, warnings, req)


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
    if events[-1]["type"] == "escalate":
        data["deadline"] = to_local_iso(req.deadline, ws.config.zone)
        data["notified"] = list(events[-1]["notified"])
    return Outcome(data, warnings, req)


def outcome(ws: Workspace, now: datetime, *, request: str, outcome: str) -> Outcome:
    state, events, warnings = _decided(ws, now, cascade.outcome, request=request, outcome=outcome)
    req = state.requests[events[0]["request"]]
    return Outcome({"request": req.id, "status": req.status}, warnings, req)


def tick(ws: Workspace, now: datetime) -> Outcome:
    state, events, warnings = _decided(ws, now, cascade.tick)
    escalated = [e["request"] for e in events if e["type"] == "escalate"]
    expired = [e["request"] for e in events if e["type"] == "expire"]
    return Outcome({"escalated": escalated, "expired": expired}, warnings)


def _torn_warning(torn) -> list[str]:
    if torn is None:
        return []
    return [_("ledger/{file} ends with an incomplete line (an interrupted write); it is ignored here and the next "
              "writing command will move it aside.").format(file=torn.path.name)]


def _read(ws: Workspace) -> tuple[State, list[str]]:
    state, torn = ws.ledger.read()
    return state, _torn_warning(torn)


def list_requests(ws: Workspace, now: datetime, *, everything: bool = False) -> Outcome:
    state, warnings = _read(ws)
    requests = sorted(state.requests.values(), key=lambda r: r.number)
    if not everything:
        requests = [r for r in requests if not r.closed]
    return Outcome({"requests": [request_view(ws, r, now) for r in requests]}, warnings)


def show(ws: Workspace, now: datetime, *, request: str) -> Outcome:
    state, warnings = _read(ws)
    req = cascade.find_request(state, request)
    events = [event for _line, event in ws.ledger.events() if event.get("request") == req.id]
    data = {**request_view(ws, req, now), "events": events}
    return Outcome(data, warnings, req)


def verify(ws: Workspace, *, checkpoint: Path | None = None) -> Outcome:
    from snpctl.store.verify import verify as verify_ledger
    summary = verify_ledger(ws.ledger, checkpoint)
    return Outcome({"ok": True, "events": summary.events, "requests": summary.requests,
                    "last_hash": summary.last_hash, "files": summary.files, "unordered": summary.unordered,
                    "checkpoint": summary.checkpoint})


def check(ws: Workspace) -> Outcome:
    ws.config   # loading validates both files; errors name the file and key
    return Outcome({"ok": True})


def report(ws: Workspace, now: datetime, *, start=None, end=None) -> Outcome:
    from snpctl.report import figures
    if start is not None and end is not None and start > end:
        raise BadUsage(_("--from {start} is after --to {end}; give the first day, then the last.")
                       .format(start=start, end=end))
    config = ws.config
    events, torn = ws.ledger.stream()
    registered = sum(1 for m in config.members.values() if m.registered and m.active)
    data = figures(events, config.zone, start=start, end=end, registered=registered, sites=config.sites)
    return Outcome(data, _torn_warning(torn))
