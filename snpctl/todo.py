"""The use cases of the operator's to-do list: ``todo`` (what a person must do now) and ``done`` (it was done).

Beside ``service`` (whose conventions they follow: the workspace, the instant, typed arguments in; an
``Outcome`` out), in a module of their own. ``todo`` reads only (the hot state, the heartbeat tick leaves
in ``.snpctl/``, the outbox's file names, the patients' contacts for a person's terminal); ``done``
appends one ``followed_up`` line, its note kept in ``private/`` like every free text.
Must not know the command line nor how the list is worded (``render``'s).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from snpctl.domain import followup
from snpctl.domain.state import State
from snpctl.errors import BadUsage
from snpctl.i18n import _
from snpctl.service import Outcome, _torn_warning
from snpctl.store import heartbeat
from snpctl.store.workspace import Workspace
from snpctl.timefmt import to_local_iso

NOTE_MAX = 16 * 1024  # bytes of UTF-8: a note of what was done, not a file


@dataclass
class Todo(Outcome):
    """``data`` is for scripts (no name, no number: cron may mail it); ``contacts`` only for a person's terminal."""

    contacts: dict[str, dict[str, str]] = field(default_factory=dict)  # request -> name, phone (private store)


def todo(ws: Workspace, now: datetime) -> Todo:
    state, torn = ws.ledger.read_hot()
    beat = heartbeat.last(ws.home)
    found = followup.items(state, now, beat)
    files = _outbox_files(ws.home) if any(item.messages for item in found) else {}
    contacts = {}
    for item in found:
        if item.kind == "call_back" and item.request is not None:
            request = state.requests[item.request]
            record = ws.load_private(request.id, patient=request.patient)
            contacts[request.id] = {k: record[k] for k in ("name", "phone") if record.get(k)}
    zone = ws.config.zone
    data = {
        "todo": [
            {
                "kind": item.kind,
                "request": item.request,
                "since": to_local_iso(item.since, zone),
                "step": item.step,
                "messages": [_message(state, i, files.get(i)) for i in item.messages],
            }
            for item in found
        ],
        "heartbeat": to_local_iso(beat, zone),
    }
    return Todo(data, _torn_warning(torn), contacts=contacts)


def _outbox_files(home: Path) -> dict[int, str]:
    """Message id -> its outbox file, relative to the workspace (``outbox/<day>/<id>-<template>-<recipient>.txt``)."""
    found: dict[int, str] = {}
    for path in sorted((home / "outbox").glob("*/*.txt")):
        number = path.name.split("-", 1)[0]
        if number.isdigit():
            found[int(number)] = str(path.relative_to(home))
    return found


def _message(state: State, message_id: int, file: str | None) -> dict[str, Any]:
    """A message to pass on by hand, by codes only; a sent one has left the state: its file's name tells."""
    message = state.messages.get(message_id)
    template: str | None
    recipient: str | None
    if message is not None:
        template, recipient = message.template, message.recipient
    elif file is not None:
        _number, template, recipient = Path(file).stem.split("-", 2)
    else:
        template = recipient = None
    return {"message": message_id, "template": template, "recipient": recipient, "file": file}


def done(ws: Workspace, now: datetime, *, request: str, note: str | None = None) -> Outcome:
    """Record that every to-do of ``request`` was done (event ``followed_up``); the note goes to ``private/``."""
    if note is not None and not note.strip():
        raise BadUsage(_("The note is empty; give what was done with --note TEXT, or leave --note out."))
    if note is not None and len(note.encode("utf-8")) > NOTE_MAX:
        raise BadUsage(
            _("The note is longer than {most} KiB; keep it to what was done, nothing was recorded.").format(
                most=NOTE_MAX // 1024
            )
        )
    written: list[Path] = []
    with ws.ledger.transaction(now) as tx:
        tx.need(request)
        events = followup.followed_up(tx.state, ws.config, now, request=request)
        before = tx.state.requests[events[0]["request"]]
        if note is not None:
            kind = f"followed_up.{tx.state.seq + 1}"  # the line's own number: each note has its file
            ws.save_private_text(before.id, kind, note)
            written.append(ws.private_path(before.id, kind))
        try:
            tx.append(events)
        except BaseException:
            for path in written:  # the ledger refused the line: no note without its line
                path.unlink(missing_ok=True)
            raise
        req = tx.state.requests[before.id]
        warnings = tx.warnings
    data = {
        "request": req.id,
        "status": req.status,
        "called_back": before.call_back,
        "by_hand": len(before.owed),
        "note": written[0].relative_to(ws.home).as_posix() if written else None,
    }
    return Outcome(data, warnings, req)
