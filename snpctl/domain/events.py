"""The events of the ledger: their types, required fields and canonical bytes.

An event is a plain dict, of one of the TypedDicts below (``Event``): to add an event type, add its
word to ``vocabulary.EventType``, its TypedDict here and its entry in ``TYPED``; ``SCHEMA``, what every
line is checked against, is made from them. The store adds ``seq`` (contiguous from 1) and ``prev`` (SHA-256 of
the previous line's bytes); the core produces everything else. Times are UTC stamps
(``2024-01-15T15:00:00Z``). Nothing personal is ever a field: the patient is a random reference.
"""

import hashlib
import json
from datetime import datetime
from enum import StrEnum
from typing import Any, NotRequired, TypedDict, get_origin, get_type_hints

from snpctl.domain.vocabulary import EventType
from snpctl.timefmt import to_stamp

# No ``from __future__ import annotations`` here: Python 3.11's TypedDict reads ``NotRequired`` only from
# annotations that are not strings (``__optional_keys__``), and SCHEMA is made from them.

GENESIS = "0" * 64  # the ``prev`` of the first event


# -- one TypedDict per event type: the only place an event's fields are written (SCHEMA is made from them) --


class Line(TypedDict):
    """What every line has: ``seq`` and ``prev`` are added by the store, ``type`` and ``at`` by ``new``."""

    seq: int
    at: str
    type: str
    prev: str


class IntakeEvent(Line):
    request: str
    motif: str
    category: str
    action: str  # vocabulary.Action
    profession: str
    source: str  # vocabulary.Source
    treating_doctor: str  # a member id or a vocabulary.TreatingDoctor
    patient: str  # a random reference into the private store, never a name
    contact: str  # vocabulary.Contact


class NotifyEvent(Line):
    request: str
    status: str  # vocabulary.Status: treating_doctor_window or community
    deadline: str
    expires: str
    notified: list[str]


class EscalateEvent(Line):
    request: str
    cause: str  # vocabulary.Cause
    deadline: str
    notified: list[str]


class RefuseEvent(Line):
    request: str
    by: str
    reason: str  # vocabulary.Reason


class AcceptEvent(Line):
    request: str
    by: str
    site: str
    appointment: str


class BookEvent(Line):
    request: str
    by: str
    site: str
    appointment: str


class ExpireEvent(Line):
    request: str


class OutcomeEvent(Line):
    request: str
    outcome: str  # vocabulary.Outcome


class SynthesisEvent(Line):
    request: str
    by: str


# Messages, in batches (one line per command, not per recipient): who and how, never the number,
# the address or the text (rendered at sending time). Each entry of "messages" is
#   queue: [id, template, recipient, channel]   attempt, sent: [id, attempt]
#   failed: [id, attempt, error]                given_up: [id, why]
class QueueEvent(Line):
    request: str
    messages: list[list[Any]]
    about: NotRequired[int]  # failed_operator: the message that could not be delivered


class AttemptEvent(Line):
    messages: list[list[Any]]


class SentEvent(Line):
    messages: list[list[Any]]


class FailedEvent(Line):
    messages: list[list[Any]]


class GivenUpEvent(Line):
    messages: list[list[Any]]


class FollowedUpEvent(Line):
    """Every to-do of a request was done by a person (``snpctl done``): the patient called back, the messages
    given up or left in the outbox passed on by hand. The note, if any, is in ``private/``, never here."""

    request: str


class RecoveryEvent(Line):
    """A torn last line moved out of ledger/: where it was and its SHA-256."""

    file: str
    offset: int
    length: int
    sha256: str


Event = (
    IntakeEvent
    | NotifyEvent
    | EscalateEvent
    | RefuseEvent
    | AcceptEvent
    | BookEvent
    | ExpireEvent
    | OutcomeEvent
    | SynthesisEvent
    | QueueEvent
    | AttemptEvent
    | SentEvent
    | FailedEvent
    | GivenUpEvent
    | RecoveryEvent
    | FollowedUpEvent
)

TYPED: dict[EventType, Any] = {  # the TypedDict classes
    EventType.INTAKE: IntakeEvent,
    EventType.NOTIFY: NotifyEvent,
    EventType.ESCALATE: EscalateEvent,
    EventType.REFUSE: RefuseEvent,
    EventType.ACCEPT: AcceptEvent,
    EventType.BOOK: BookEvent,
    EventType.EXPIRE: ExpireEvent,
    EventType.OUTCOME: OutcomeEvent,
    EventType.SYNTHESIS: SynthesisEvent,
    EventType.QUEUE: QueueEvent,
    EventType.ATTEMPT: AttemptEvent,
    EventType.SENT: SentEvent,
    EventType.FAILED: FailedEvent,
    EventType.GIVEN_UP: GivenUpEvent,
    EventType.RECOVERY: RecoveryEvent,
    EventType.FOLLOWED_UP: FollowedUpEvent,
}


def _checked(
    typed: Any, keys: frozenset[str], skip: frozenset[str] = frozenset(Line.__annotations__)
) -> dict[str, type]:
    """The fields ``keys`` of a TypedDict but ``skip``, each with the type ``isinstance`` checks (list[str]: list)."""
    return {
        name: get_origin(hint) or hint
        for name, hint in get_type_hints(typed).items()
        if name in keys and name not in skip
    }


# type -> {field: python type}, the required fields besides COMMON's (seq, at, type, prev), in the TypedDicts' order.
# Keys and field names are plain str (``.value``): shape_problem and the audit look them up for every line.
SCHEMA: dict[str, dict[str, type]] = {
    kind.value: _checked(typed, typed.__required_keys__) for kind, typed in TYPED.items()
}
COMMON: dict[str, type] = _checked(Line, Line.__required_keys__, skip=frozenset())
# fields an event may carry besides its type's required ones
OPTIONAL: dict[str, dict[str, type]] = {
    kind.value: _checked(typed, typed.__optional_keys__) for kind, typed in TYPED.items() if typed.__optional_keys__
}


def new(kind: EventType | str, now: datetime, **fields: Any) -> dict[str, Any]:
    """An event as the core makes it: type, UTC time and its fields (not yet numbered).

    A vocabulary member (``EventType.NOTIFY``, ``status=Status.COMMUNITY``) becomes its plain string, as a
    line read back holds it: what folds an event into a state keeps it with ``marshal`` and ``sys.intern``.
    """
    event = {"type": kind.value if isinstance(kind, StrEnum) else kind, "at": to_stamp(now), **fields}
    for name, value in fields.items():
        if type(value) is not str and isinstance(value, StrEnum):  # a plain str first: most fields are
            event[name] = value.value
    return event


def canonical(event: dict[str, Any]) -> bytes:
    """The exact bytes of a ledger line, without its newline: sorted keys, compact, UTF-8."""
    return json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def line_hash(line: bytes) -> str:
    """SHA-256 of a line's bytes (without its newline): the next event's ``prev``."""
    return hashlib.sha256(line).hexdigest()


_SOUND: set[tuple[Any, ...]] = set()  # layouts of events found well shaped: a ledger repeats a few dozen of them


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
