"""The state of every request, as a fold over the ledger's events.

``apply(state, event)`` is the only place that knows what an event means. Requests are
immutable snapshots; ``State`` maps ids to the latest snapshot and keeps the set of requests
still waiting on a window, so that ``tick`` costs what is open, not all of history.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from itertools import repeat
from operator import attrgetter
from sys import intern
from typing import Any, NamedTuple

from snpctl.domain.events import GENESIS
from snpctl.domain.vocabulary import Action, Channel, Contact, EventType, MessageStatus, Outcome, Status
from snpctl.timefmt import from_stamp

# Plain strings (the members' values), not members: they go into requests kept with marshal, and sets
# and dicts of exact strs take CPython's fast path in the fold (see vocabulary's docstring).
CLOSED = frozenset(
    s.value
    for s in (Status.REDIRECTED, Status.TRANSFERRED_15, Status.EXPIRED, Status.SEEN, Status.NO_SHOW, Status.CANCELLED)
)
WAITING = frozenset({Status.TREATING_DOCTOR_WINDOW.value, Status.COMMUNITY.value})  # a window is running
STATUSES = tuple(s.value for s in Status)
INTAKE_STATUS = {
    Action.TRIGGER.value: Status.OPEN.value,
    Action.REDIRECT.value: Status.REDIRECTED.value,
    Action.TRANSFER_15.value: Status.TRANSFERRED_15.value,
}
OUTCOME_STATUS = {o.value: Status(o.value).value for o in Outcome}  # an outcome's status is its own word

# The words the fold compares and assigns for every event, as plain interned strs: `kind == EventType.QUEUE`
# costs ~95 ns against ~19 ns for `kind == _QUEUE` (the member is looked up on its class each time), and apply
# compares up to ten times per event, ~500,000 events in verify and report (measured 30 Nov 2026, Python 3.11).
_INTAKE, _RECOVERY, _QUEUE, _NOTIFY, _ESCALATE, _REFUSE, _ACCEPT, _BOOK, _EXPIRE, _OUTCOME, _SYNTHESIS, _FOLLOWED = (
    k.value
    for k in (
        EventType.INTAKE,
        EventType.RECOVERY,
        EventType.QUEUE,
        EventType.NOTIFY,
        EventType.ESCALATE,
        EventType.REFUSE,
        EventType.ACCEPT,
        EventType.BOOK,
        EventType.EXPIRE,
        EventType.OUTCOME,
        EventType.SYNTHESIS,
        EventType.FOLLOWED_UP,
    )
)
_MESSAGE_EVENTS = frozenset(
    k.value for k in (EventType.QUEUE, EventType.ATTEMPT, EventType.SENT, EventType.FAILED, EventType.GIVEN_UP)
)
_GIVEN_UP = EventType.GIVEN_UP.value
_TAKING = frozenset({_ACCEPT, _BOOK})
_OPEN, _COMMUNITY, _ACCEPTED, _EXPIRED, _WINDOW = (
    s.value for s in (Status.OPEN, Status.COMMUNITY, Status.ACCEPTED, Status.EXPIRED, Status.TREATING_DOCTOR_WINDOW)
)
_QUEUED, _SENDING, _SENT, _FAILED, _GAVE_UP = (s.value for s in MessageStatus)
_UNDELIVERED = frozenset({_QUEUED, _SENDING, _FAILED})
_SMS = Contact.SMS.value


class Request(NamedTuple):
    """One request as of one event. A named tuple rather than a frozen dataclass: the fold makes a
    new one for every event of the request, and ``_replace`` costs a fifth of ``dataclasses.replace``."""

    id: str
    number: int
    motif: str
    category: str
    profession: str
    source: str
    treating_doctor: str  # a member id, "none", "unknown" or "external"
    patient: str  # random reference into the private store
    status: str
    intake_at: datetime
    last_at: datetime  # time of the request's latest event
    triggered_at: datetime | None = None
    deadline: datetime | None = None  # end of the window now running
    expires_at: datetime | None = None  # trigger + total window
    notified: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()
    by: str | None = None
    site: str | None = None
    appointment: datetime | None = None
    taken_at: datetime | None = None
    direct: bool = False  # booked directly, no cascade
    texted: bool = False  # the patient gave a number to text (kept in the private store)
    reminded: bool = False  # the reminder before the appointment was queued
    synthesis: bool = False  # the member who saw the patient wrote a synthesis
    # what a person must do for it (``snpctl todo``) until ``snpctl done`` (followed_up) or, for the outbox, its close:
    call_back: bool = False  # expired: the patient is to be called back
    owed: tuple[int, ...] = ()  # messages to pass on by hand: written to the outbox only, or given up
    owed_at: datetime | None = None  # when the first of them was queued or given up

    @property
    def closed(self) -> bool:
        return self.status in CLOSED

    def status_at(self, now: datetime) -> str:
        """The status once every window that has run out by ``now`` is applied (what tick will record)."""
        if self.status in WAITING and self.expires_at is not None and now >= self.expires_at:
            return _EXPIRED
        if self.status == _WINDOW and self.deadline is not None and now >= self.deadline:
            return _COMMUNITY
        return self.status


class Message(NamedTuple):
    """A message the cascade sends: its state of delivery, never its text or address.

    There are ten times more messages than requests, queued and settled in batches: a queued batch
    becomes messages in one C-speed step (``_queue``), and a sent message leaves the state, which
    therefore holds what is still to deliver or was given up, not all of history.
    """

    id: int
    request: str
    template: str
    recipient: str  # a member id, "patient", "operator" or "treating_doctor"
    channel: str  # "sms", "mail" or "outbox"
    queued_at: datetime
    status: str = _QUEUED  # a MessageStatus: queued, sending, sent, failed (will retry), gave_up
    attempts: int = 0
    last_at: datetime | None = None
    gave_up_why: str | None = None  # "failed" or "unknown"
    about: int | None = None  # failed_operator: the message that could not be delivered


CHANNELS = tuple(c.value for c in Channel)
_OUTBOX = Channel.OUTBOX.value
# The life of a message, one step per line (a batch): step -> (where a message may take it from,
# the status it leads to). "Where" is (status, channel, the entry's attempt number minus the
# attempts made so far), None for the number of a given_up entry, which has none. A message on the
# outbox channel needs no claim: written, it is recorded sent or failed at once, as attempt 1.
MESSAGE_STEPS: dict[str, tuple[frozenset[tuple[str, str, int | None]], str]] = {
    EventType.ATTEMPT.value: (frozenset((s, c, 1) for s in (_QUEUED, _FAILED) for c in CHANNELS), _SENDING),
    EventType.SENT.value: (frozenset({(_QUEUED, _OUTBOX, 1)} | {(_SENDING, c, 0) for c in CHANNELS}), _SENT),
    EventType.FAILED.value: (frozenset({(_QUEUED, _OUTBOX, 1)} | {(_SENDING, c, 0) for c in CHANNELS}), _FAILED),
    _GIVEN_UP: (frozenset((s, c, None) for s in (_FAILED, _SENDING) for c in CHANNELS), _GAVE_UP),
}


# the steps after which a message takes no other: those leading to a status no step starts from
FINAL_STEPS = frozenset(
    kind
    for kind, (_froms, status) in MESSAGE_STEPS.items()
    if all(status != where[0] for froms, _to in MESSAGE_STEPS.values() for where in froms)
)


@dataclass(slots=True)
class State:
    requests: dict[str, Request] = field(default_factory=dict)
    waiting: set[str] = field(default_factory=set)  # ids in treating_doctor_window or community
    accepted: set[str] = field(default_factory=set)  # ids accepted or booked, no outcome yet
    seq: int = 0
    last_hash: str = GENESIS
    last_at: datetime | None = None
    unordered: int = 0  # events dated before the one before them
    messages: dict[int, Message] = field(default_factory=dict)  # all but the sent ones (see find_message)
    undelivered: set[int] = field(default_factory=set)  # message ids queued, sending or failed (not final)
    given_up: set[int] = field(default_factory=set)  # message ids given up on (rare: reported, kept at hand)
    request_count: int = 0  # requests ever taken: the next id is this + 1
    message_count: int = 0  # messages ever queued
    partial: bool = False  # from a snapshot: closed, quiet requests and settled messages are left out
    to_follow: set[str] = field(default_factory=set)  # ids of requests a person must still do something for


def put_message(state: State, message: Message) -> None:
    """Keep ``message`` (any status but sent: a sent message leaves the state, see ``_message_event``)."""
    state.messages[message.id] = message
    if message.status == _GAVE_UP:
        state.given_up.add(message.id)
    (state.undelivered.add if message.status in _UNDELIVERED else state.undelivered.discard)(message.id)


def find_message(state: State, message_id: int) -> Message | None:
    """Message ``message_id`` as far as its next step goes; None if it was never queued.

    A queued message no longer in the state was sent: a bare sent message stands for it. (In a
    partial state it may also be one given up long ago; either way no step can follow.)
    """
    message = state.messages.get(message_id)
    if message is None and 0 < message_id <= state.message_count:
        return Message(
            message_id, request="", template="", recipient="", channel="", queued_at=datetime.min, status=_SENT
        )
    return message


_STAND = attrgetter("status", "channel", "attempts")

# No strict= on the zips of the fold and of verify's checks (B905 silenced on each, with why its lengths match or
# may not): on Python 3.11 any keyword makes zip() leave its fast path, ~120 ns a call (zip(a, b) 133 ns,
# zip(a, b, strict=True) 250 ns, measured 30 Nov 2026), paid on every message line of a ledger.


def step_keys(kind: str, messages: list[Message], numbers: tuple[Any, ...]) -> set[tuple[str, str, int | None]]:
    """Where the messages stand for step ``kind`` (see ``MESSAGE_STEPS``), at C speed: a batch has few distinct.

    ``numbers``: the attempt number of each message's entry (its why, for given_up: not a number).
    """
    if kind == _GIVEN_UP:
        return {(status, channel, None) for status, channel, _attempts in set(map(_STAND, messages))}
    # one message per number by construction (both from the batch's entries); no strict=: see the note above
    return {
        (status, channel, number - attempts)
        for (status, channel, attempts), number in set(zip(map(_STAND, messages), numbers))  # noqa: B905
    }


_make_message = partial(tuple.__new__, Message)  # Message(*values) in C, without a Python call per message


def _queue(state: State, event: dict[str, Any], at: datetime) -> None:
    # not strict: a damaged batch of entries of unlike lengths keeps failing as it did (or not) in the fold
    ids, templates, recipients, channels = zip(*event["messages"])  # noqa: B905 (no strict=: see the note before step_keys)
    n = len(ids)
    made = map(
        _make_message,
        zip(
            ids,
            repeat(event["request"], n),
            templates,
            recipients,
            channels,
            repeat(at),
            repeat(_QUEUED),
            repeat(0),
            repeat(None),
            repeat(None),
            repeat(event.get("about")),
        ),
    )
    state.messages.update(zip(ids, made))  # noqa: B905 (one message made per id; no strict=: see the note before step_keys)
    state.undelivered.update(ids)
    state.message_count += n
    request = state.requests.get(event["request"])
    if "reminder_patient" in templates and request is not None:  # None: a request this state does not hold
        put_request(state, request := request._replace(reminded=True))
    if _OUTBOX in channels and request is not None:  # no gateway for them: a person passes them on
        by_hand = tuple(i for i, channel in zip(ids, channels) if channel == _OUTBOX)  # noqa: B905 (columns of one batch)
        owe(state, request, by_hand, at)


def _message_event(state: State, event: dict[str, Any], at: datetime) -> None:
    kind = event["type"]
    if kind == _QUEUE:
        _queue(state, event, at)
        return
    status = MESSAGE_STEPS[kind][1]
    if status == _SENT:  # final: nothing asks for it again, and most messages end so
        ids = [message_id for message_id, _attempt in event["messages"]]
        for message_id in ids:
            del state.messages[message_id]
        state.undelivered.difference_update(ids)
        return
    for entry in event["messages"]:
        message = state.messages[entry[0]]
        if kind == _GIVEN_UP:
            put_message(state, message._replace(status=status, gave_up_why=entry[1]))
            request = state.requests.get(message.request)
            if request is not None and message.id not in request.owed:
                owe(state, request, (message.id,), at)
        else:
            put_message(state, message._replace(status=status, attempts=entry[1], last_at=at))


def owe(state: State, request: Request, messages: tuple[int, ...], at: datetime) -> None:
    """Messages of ``request`` a person must pass on by hand: written to the outbox only, or given up."""
    put_request(state, request._replace(owed=request.owed + messages, owed_at=request.owed_at or at))
    state.to_follow.add(request.id)


def _closing(state: State, request: Request) -> dict[str, Any]:
    """At its close, a request's outbox messages need no passing on; those given up, the call-back, wait for done."""
    if not request.owed:
        return {}
    owed = tuple(i for i in request.owed if i in state.given_up)
    if not owed and not request.call_back:
        state.to_follow.discard(request.id)
    return {"owed": owed, "owed_at": None}  # the next message to pass on dates the outbox's to-do again


def put_request(state: State, request: Request) -> None:
    state.requests[request.id] = request
    (state.waiting.add if request.status in WAITING else state.waiting.discard)(request.id)
    (state.accepted.add if request.status == _ACCEPTED else state.accepted.discard)(request.id)


def note_time(state: State, event: dict[str, Any]) -> datetime:
    """Fold an event's number and time into ``state`` (its latest time, how many came dated before it); its time."""
    at = from_stamp(event["at"])
    if state.last_at is not None and at < state.last_at:
        state.unordered += 1
    state.last_at = at if state.last_at is None else max(at, state.last_at)
    state.seq = event.get("seq", state.seq + 1)
    return at


def _shared(names: list[str]) -> tuple[str, ...]:
    """Member ids kept once in memory (interned): a ledger's parser makes a new copy of each name on every
    line, and every request of a CPTS notifies the same members."""
    try:
        return tuple(map(intern, names))
    except TypeError:  # not only strings (the audit does not ask a notified list for that)
        return tuple(names)


def apply(state: State, event: dict[str, Any]) -> State:
    """Fold one event (an ``events.Event``: its fields are read by its ``type``) into ``state``, in place; return it.

    Typed ``dict[str, Any]``: mypy narrows the ``Event`` union by a literal tag, not by ``kind``
    compared with plain strings, and casting it in each branch would cost a call per event."""
    at = note_time(state, event)
    kind = event["type"]
    if kind == _INTAKE:
        state.request_count += 1
        number = state.request_count
        put_request(
            state,
            Request(
                id=event["request"],
                number=number,
                motif=intern(event["motif"]),
                category=intern(event["category"]),
                profession=intern(event["profession"]),
                source=intern(event["source"]),
                treating_doctor=intern(event["treating_doctor"]),
                patient=event["patient"],
                status=INTAKE_STATUS[event["action"]],
                intake_at=at,
                last_at=at,
                texted=event.get("contact") == _SMS,
            ),
        )
        return state
    if kind == _RECOVERY:
        return state
    if kind in _MESSAGE_EVENTS:
        _message_event(state, event, at)
        return state
    request = state.requests[event["request"]]
    changes: dict[str, Any]
    if kind == _NOTIFY:
        changes = {
            "status": intern(event["status"]),
            "triggered_at": at,
            "deadline": from_stamp(event["deadline"]),
            "expires_at": from_stamp(event["expires"]),
            "notified": _shared(event["notified"]),
        }
    elif kind == _ESCALATE:
        changes = {
            "status": _COMMUNITY,
            "deadline": from_stamp(event["deadline"]),
            "notified": request.notified + _shared(event["notified"]),
        }
    elif kind == _REFUSE:
        # RUF005: the fold's spelling, ~20 ns faster than (*refused, by) on Python 3.11
        changes = {"refused": request.refused + (intern(event["by"]),)}  # noqa: RUF005
    elif kind in _TAKING:
        changes = {
            "status": _ACCEPTED,
            "by": intern(event["by"]),
            "site": intern(event["site"]),
            "appointment": from_stamp(event["appointment"]),
            "taken_at": at,
            "direct": kind == _BOOK,
        }
    elif kind == _EXPIRE:
        changes = {"status": _EXPIRED, "call_back": True, **_closing(state, request)}
        state.to_follow.add(request.id)
    elif kind == _OUTCOME:
        changes = {"status": OUTCOME_STATUS[event["outcome"]], **_closing(state, request)}
    elif kind == _SYNTHESIS:
        changes = {"synthesis": True}
    elif kind == _FOLLOWED:
        changes = {"call_back": False, "owed": (), "owed_at": None}
        state.to_follow.discard(request.id)
    else:
        changes = {}
    put_request(state, request._replace(last_at=max(at, request.last_at), **changes))
    return state


def fold(events: Iterable[dict[str, Any]], state: State | None = None) -> State:
    state = State() if state is None else state
    for event in events:
        apply(state, event)
    return state
