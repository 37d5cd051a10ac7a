"""The events of the ledger: their types, required fields and canonical bytes.

An event is a plain dict. The store adds ``seq`` (contiguous from 1) and ``prev`` (SHA-256 of
the previous line's bytes); the core produces everything else. Times are UTC stamps
(``2024-01-15T15:00:00Z``). Nothing personal is ever a field: the patient is a random reference.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from snpctl.timefmt import to_stamp

GENESIS = "0" * 64   # the ``prev`` of the first event

# type -> {field: python type}. Every event also has seq (int), at (str), type (str), prev (str).
SCHEMA: dict[str, dict[str, type | tuple[type, ...]]] = {
    "intake": {"request": str, "motif": str, "category": str, "action": str, "profession": str,
               "source": str, "treating_doctor": str, "patient": str, "contact": str},
    "notify": {"request": str, "status": str, "deadline": str, "expires": str, "notified": list},
    "escalate": {"request": str, "cause": str, "deadline": str, "notified": list},
    "refuse": {"request": str, "by": str, "reason": str},
    "accept": {"request": str, "by": str, "site": str, "appointment": str},
    "book": {"request": str, "by": str, "site": str, "appointment": str},
    "expire": {"request": str},
    "outcome": {"request": str, "outcome": str},
    "synthesis": {"request": str, "by": str},
    # messages, in batches (one line per command, not per recipient): who and how, never the number,
    # the address or the text (rendered at sending time). Each entry of "messages" is
    #   queue: [id, template, recipient, channel]   attempt, sent: [id, attempt]
    #   failed: [id, attempt, error]                given_up: [id, why]
    "queue": {"request": str, "messages": list},
    "attempt": {"messages": list},
    "sent": {"messages": list},
    "failed": {"messages": list},
    "given_up": {"messages": list},
    "recovery": {"file": str, "offset": int, "length": int, "sha256": str},
}
COMMON: dict[str, type] = {"seq": int, "at": str, "type": str, "prev": str}
# fields an event may carry besides its type's required ones
OPTIONAL: dict[str, dict[str, type]] = {
    "queue": {"about": int},     # failed_operator: the message that could not be delivered
}


def new(kind: str, now: datetime, **fields: Any) -> dict[str, Any]:
    """An event as the core makes it: type, UTC time and its fields (not yet numbered)."""
    return {"type": kind, "at": to_stamp(now), **fields}


def canonical(event: dict[str, Any]) -> bytes:
    """The exact bytes of a ledger line, without its newline: sorted keys, compact, UTF-8."""
    return json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def line_hash(line: bytes) -> str:
    """SHA-256 of a line's bytes (without its newline): the next event's ``prev``."""
    return hashlib.sha256(line).hexdigest()


_SOUND: set[tuple] = set()   # layouts of events found well shaped: a ledger repeats a few dozen of them


def shape_problem(event: Any) -> str | None:
    """What is wrong with an event's shape, or None. Used when reading and verifying.

    The answer depends only on the event's type, keys and the types of its values (its layout),
    so a layout found sound once is not checked field by field again.
    """
    if type(event) is dict and type(event.get("type")) is str:
        layout = (event["type"], tuple(event), tuple(map(type, event.values())))
        if layout in _SOUND:
            return None
        problem = _shape_problem(event)
        if problem is None and len(_SOUND) < 10_000:
            _SOUND.add(layout)
        return problem
    return _shape_problem(event)


def _shape_problem(event: Any) -> str | None:
    if not isinstance(event, dict):
        return "not a JSON object"
    for name, kind in COMMON.items():
        if name not in event:
            return f"missing field {name!r}"
        if not isinstance(event[name], kind) or isinstance(event[name], bool):
            return f"field {name!r} should be {kind.__name__}"
    fields = SCHEMA.get(event["type"])
    if fields is None:
        return f"unknown event type {event['type']!r}"
    for name, kind in fields.items():
        if name not in event:
            return f"missing field {name!r} for a {event['type']} event"
        if not isinstance(event[name], kind) or isinstance(event[name], bool):
            return f"field {name!r} has the wrong type"
    for name, kind in OPTIONAL.get(event["type"], {}).items():
        if name in event and (not isinstance(event[name], kind) or isinstance(event[name], bool)):
            return f"field {name!r} has the wrong type"
    return None
