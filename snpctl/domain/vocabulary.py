"""The words of the ledger and of the contract: the one place they are spelled.

Each is a ``StrEnum`` whose values are the contract's codes (contract section 4) and the ledger's
strings. A member IS its string: ``Status.OPEN == "open"``, it hashes like ``"open"`` and
``json.dumps`` writes ``"open"``, so typing the vocabulary changes no byte of the ledger.

What goes into an event or a ``State`` is the member's ``.value``, a plain interned ``str``
(``events.new`` turns members into it): the state is kept with ``marshal`` and ``sys.intern``,
which take no ``str`` subclass, and sets and dicts of plain strings have CPython's fast path.
So the domain's constant tuples and sets (``state.CLOSED``, ``cascade.SOURCES`` ...) hold values.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Where a request is (contract section 4)."""

    OPEN = "open"
    REDIRECTED = "redirected"
    TRANSFERRED_15 = "transferred_15"
    TREATING_DOCTOR_WINDOW = "treating_doctor_window"
    COMMUNITY = "community"
    ACCEPTED = "accepted"
    EXPIRED = "expired"
    SEEN = "seen"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


class Action(StrEnum):
    """What a protocol does with a call (protocols.toml ``action``)."""

    TRIGGER = "trigger"
    REDIRECT = "redirect"
    TRANSFER_15 = "transfer_15"


class Source(StrEnum):
    """Who sent the call (``intake --source``)."""

    COT = "cot"
    WEB = "web"
    SAMU = "samu"
    HOSPITAL = "hospital"
    OFFICE = "office"


class Reason(StrEnum):
    """Why a member refused (``refuse --reason``)."""

    BUSY = "busy"
    AWAY = "away"
    OUT_OF_SCOPE = "out_of_scope"
    OTHER = "other"


class Outcome(StrEnum):
    """What became of an accepted or booked request (``outcome``)."""

    SEEN = "seen"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


class Channel(StrEnum):
    """How a message goes."""

    SMS = "sms"
    MAIL = "mail"
    OUTBOX = "outbox"


class MessageStatus(StrEnum):
    """Where a message's delivery is."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    GAVE_UP = "gave_up"


class Cause(StrEnum):
    """Why a request went to the community (an ``escalate`` event's ``cause``)."""

    WINDOW_ENDED = "window_ended"
    TREATING_DOCTOR_REFUSED = "treating_doctor_refused"


class EventType(StrEnum):
    """The ``type`` of a ledger line (``events.SCHEMA``)."""

    INTAKE = "intake"
    NOTIFY = "notify"
    ESCALATE = "escalate"
    REFUSE = "refuse"
    ACCEPT = "accept"
    BOOK = "book"
    EXPIRE = "expire"
    OUTCOME = "outcome"
    SYNTHESIS = "synthesis"
    QUEUE = "queue"
    ATTEMPT = "attempt"
    SENT = "sent"
    FAILED = "failed"
    GIVEN_UP = "given_up"
    RECOVERY = "recovery"
    FOLLOWED_UP = "followed_up"


class TreatingDoctor(StrEnum):
    """What ``--treating-doctor`` takes besides a member id."""

    NONE = "none"
    UNKNOWN = "unknown"
    EXTERNAL = "external"


class Contact(StrEnum):
    """How the patient may be reached (an ``intake`` event's ``contact``)."""

    SMS = "sms"
    NONE = "none"
