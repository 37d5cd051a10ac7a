"""Is each event of a ledger legal given the events before it? Pure: events in, problems out.

The audit replays the cascade's rules (``rules``) on what the ledger says happened. It does not
use today's configuration (a member who has left, a site whose hours changed since, must not make
history illegal), so roster and site checks are the decisions' business, not the audit's.
Owns the checks of one event against the state before it: its own fields, times, personal data and
message numbering (``own_problem``), then the step of its request (``request_problem``). Knows
nothing of files, lines or hashes (``store.chain`` and ``store.verify`` feed it events).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from itertools import count
from typing import Any

from snpctl.domain import rules
from snpctl.domain.cascade import OUTCOMES, REASONS, SOURCES
from snpctl.domain.events import OPTIONAL, SCHEMA
from snpctl.domain.ids import request_id
from snpctl.domain.messages import TEMPLATES, withdrawn_problem
from snpctl.domain.personal import CLEAN as _CLEAN
from snpctl.domain.personal import STAMP as _STAMP
from snpctl.domain.personal import personal_kind
from snpctl.domain.state import CHANNELS, INTAKE_STATUS, MESSAGE_STEPS, Request, State, find_message, step_keys
from snpctl.i18n import _
from snpctl.timefmt import from_stamp
from snpctl.words import event as event_word
from snpctl.words import message_status

_HEX64 = re.compile(r"^[0-9a-f]{64}$")

_UNSCANNED = ("prev", "sha256", "at")  # hashes and the event's own time


def personal_data(event: dict[str, Any]) -> str | None:
    """Name the kind of personal data a value of ``event`` looks like, if any (hashes are skipped)."""
    for key, value in event.items():
        if key in _UNSCANNED:
            continue
        items = value if isinstance(value, list) else (value,)
        for item in items:
            for text in item if isinstance(item, list) else (item,):
                if isinstance(text, str):
                    what = personal_kind(text)
                    if what:
                        return _("field {key!r} looks like {what}").format(key=key, what=_(what))
    return None


_TIMES = ("deadline", "expires", "appointment")  # besides "at"; well-formed UTC stamps cannot look personal
# per type, the fields personal_data scans that hold a string and may look personal: "type" and the type's own
_TEXT_FIELDS = {
    kind: (
        "type",
        *(name for name, of in fields.items() if of is str and name not in _UNSCANNED and name not in _TIMES),
    )
    for kind, fields in SCHEMA.items()
}


def _personal_problem(event: dict[str, Any], columns: list[tuple[Any, ...]] | None) -> str | None:
    """``personal_data`` of an event of sound shape, fields and times, its strings taken at once.

    Nearly every line holds only strings seen before: they are checked against the cache as a
    set; the line is scanned value by value (to name the value) only when one is new and looks
    personal, or when a list holds something else than strings.
    """
    kind = event["type"]
    texts = list(map(event.__getitem__, _TEXT_FIELDS[kind]))
    if kind in ("notify", "escalate"):
        texts += event["notified"]
    elif kind in _ENTRY:
        if columns is None:
            return personal_data(event)
        for index in _TEXT_COLUMNS[kind]:
            texts += columns[index]
    try:
        if _CLEAN.issuperset(texts):
            return None
        new = set(texts).difference(_CLEAN)
    except TypeError:  # a list in a list: unhashable
        return personal_data(event)
    if set(map(type, new)) == {str} and not any(map(personal_kind, new)):
        return None
    return personal_data(event)


_STAMPS: set[str] = set()  # stamps found well formed lately: a line mostly repeats times of the lines before


def _time(event: dict[str, Any], key: str) -> datetime:
    value = event[key]
    if value not in _STAMPS:
        if not _STAMP.match(value):
            raise ValueError(
                _("field {key!r} is not a UTC time like 2024-01-15T15:00:00Z (found {value!r})").format(
                    key=key, value=value
                )
            )
        if len(_STAMPS) >= 4096:
            _STAMPS.clear()
        _STAMPS.add(value)
    return from_stamp(value)


_EXPECTED_KEYS: set[tuple[Any, ...]] = set()  # (type, keys) of events found without unexpected fields


def event_problem(state: State, event: dict[str, Any]) -> str | None:
    """Why ``event`` could not have happened after the events folded into ``state``; None if it could.

    ``event`` already has the right shape (``events.shape_problem``).
    """
    return own_problem(state, event) or request_problem(state, event)


REQUEST_STEPS = frozenset(SCHEMA) - {"intake", "recovery", "attempt", "sent", "failed", "given_up"}


def own_problem(state: State, event: dict[str, Any]) -> str | None:
    """What is wrong with ``event`` itself: its fields, times, personal data, numbering, message steps.

    Everything but the history of the request it is about (``request_problem``), which comes after.
    """
    kind = event["type"]
    problem = _unexpected_field(kind, event) or _times_problem(event)
    if problem:
        return problem
    columns = _columns(event["messages"], _ENTRY[kind]) if kind in _ENTRY else None
    problem = _personal_problem(event, columns)
    if problem:
        return problem
    check = _OWN_CHECKS.get(kind)
    return None if check is None else check(state, event, columns)


def _unexpected_field(kind: str, event: dict[str, Any]) -> str | None:
    keys = (kind, tuple(event))
    if keys not in _EXPECTED_KEYS:
        extra = set(event) - set(SCHEMA[kind]) - set(OPTIONAL.get(kind, {})) - {"seq", "at", "type", "prev"}
        if extra:
            return _("unexpected field {field!r} in a {kind} event").format(field=sorted(extra)[0], kind=kind)
        if len(_EXPECTED_KEYS) < 10_000:
            _EXPECTED_KEYS.add(keys)
    return None


def _times_problem(event: dict[str, Any]) -> str | None:
    try:
        _time(event, "at")
        for key in _TIMES:
            if key in event:
                _time(event, key)
    except ValueError as error:
        return str(error)
    return None


def _recovery_problem(state: State, event: dict[str, Any], columns: list[tuple[Any, ...]] | None) -> str | None:
    return None if _HEX64.match(event["sha256"]) else _("field 'sha256' is not a SHA-256")


def _intake_problem(state: State, event: dict[str, Any], columns: list[tuple[Any, ...]] | None) -> str | None:
    expected = request_id(state.request_count + 1)
    if event["request"] != expected:
        return _("request id {found}, expected {expected} (ids are given in order and never reused)").format(
            found=event["request"], expected=expected
        )
    if event["action"] not in INTAKE_STATUS:
        return _("unknown action {value!r}").format(value=event["action"])
    if event["source"] not in SOURCES:
        return _("unknown source {value!r}").format(value=event["source"])
    return None


def request_problem(state: State, event: dict[str, Any]) -> str | None:
    """Why the request ``event`` is about could not take this step now (kinds in ``REQUEST_STEPS``).

    ``event`` has no problem of its own (``own_problem``).
    """
    kind = event["type"]
    if kind not in REQUEST_STEPS:
        return None
    request = state.requests.get(event["request"])
    if request is None:
        return _("request {id} has no intake before this line").format(id=event["request"])
    at = _time(event, "at")
    problem = rules.time_problem(request, at)
    if problem is None:
        problem = _step_problem(request, event, at)
    if problem is None:
        return None
    found = rules.PROBLEMS.get(problem)
    why = problem if found is None else _(found)
    return _("{step}: not allowed, {why}").format(step=event_word(kind), why=why)


# -- message batches: one line holds dozens of entries, checked with set operations (C speed);
# when a batch fails, the same check is made entry by entry, to name the first that fails.

_ENTRY = {
    "queue": (int, str, str, str),
    "attempt": (int, int),
    "sent": (int, int),
    "failed": (int, int, str),
    "given_up": (int, str),
}
_TEXT_COLUMNS = {kind: [index for index, of in enumerate(shape) if of is str] for kind, shape in _ENTRY.items()}
_TEMPLATES = frozenset(TEMPLATES)
_CHANNELS = frozenset(CHANNELS)


def _columns(entries: Any, shape: tuple[type, ...]) -> list[tuple[Any, ...]] | None:
    """The entries as columns (ids first), or None unless each is a list of ``shape``'s types.

    type() is, not isinstance: a JSON true must not pass for the number 1. An entry that is not a
    list fails too: it has no length, or its first column is not of numbers (an object's keys are
    strings, and so are a string's letters).
    """
    try:
        if type(entries) is not list or not entries or set(map(len, entries)) != {len(shape)}:
            return None
    except TypeError:
        return None
    # every entry has len(shape) items (checked just above), so as many columns as shape has types; no strict=
    # all the same, on every message line of verify: ~120 ns a zip on Python 3.11 (the note before state.step_keys)
    columns = list(zip(*entries))  # noqa: B905
    for column, kind in zip(columns, shape):  # noqa: B905
        if set(map(type, column)) != {kind}:
            return None
    return columns


def _entries_problem(event: dict[str, Any]) -> str:
    """Why the batch's entries did not make columns (``_columns`` returned None)."""
    if not event["messages"]:
        return _("an empty batch of messages")
    shape = _ENTRY[event["type"]]
    entry = next(e for e in event["messages"] if _columns([e], shape) is None)
    return _("a message entry {entry!r} is not shaped like {shape}").format(
        entry=entry, shape=[t.__name__ for t in shape]
    )


def _misnumbered(ids: tuple[int, ...], expected: int) -> bool:
    return ids != tuple(range(expected, expected + len(ids)))


def _unknown(templates: tuple[str, ...], channels: tuple[str, ...]) -> bool:
    return not (_TEMPLATES.issuperset(templates) and _CHANNELS.issuperset(channels))


def _queue_problem(state: State, event: dict[str, Any], columns: list[tuple[Any, ...]] | None) -> str | None:
    if columns is None:
        return _entries_problem(event)
    ids, templates, _recipients, channels = columns
    first = state.message_count + 1
    if _misnumbered(ids, first) or _unknown(templates, channels):
        for expected, message_id, template, channel in zip(count(first), ids, templates, channels):
            if _misnumbered((message_id,), expected):
                return _("message number {found}, expected {expected}").format(found=message_id, expected=expected)
            if _unknown((template,), (channel,)):
                return _("unknown template {template!r} or channel {channel!r}").format(
                    template=template, channel=channel
                )
    return None


def _may_step(state: State, kind: str, columns: list[tuple[Any, ...]]) -> bool:
    """Whether every message of the batch may take step ``kind`` now (``state.MESSAGE_STEPS``)."""
    try:
        messages = list(map(state.messages.__getitem__, columns[0]))
    except KeyError:  # sent (and so left the state), or never queued: damage
        found = [find_message(state, message_id) for message_id in columns[0]]
        messages = [message for message in found if message is not None]
        if len(messages) != len(found):
            return False
    return MESSAGE_STEPS[kind][0].issuperset(step_keys(kind, messages, columns[1]))


def _step_refusal(state: State, kind: str, entry: tuple[Any, ...]) -> str:
    message = find_message(state, entry[0])
    if message is None:
        return _("message {id} was never queued").format(id=entry[0])
    status = message_status(message.status)
    if kind == "attempt":
        return _("attempt {n} of message {id} while it is {status}").format(n=entry[1], id=message.id, status=status)
    if kind == "given_up":
        return _("message {id} given up while it is {status}").format(id=message.id, status=status)
    step = event_word(kind)
    return _("{step} for message {id} that was not being sent (sent twice?)").format(step=step, id=message.id)


def _message_problem(state: State, event: dict[str, Any], columns: list[tuple[Any, ...]] | None) -> str | None:
    if columns is None:
        return _entries_problem(event)
    kind = event["type"]
    if not _may_step(state, kind, columns):
        for entry in zip(*columns, strict=True):  # columns of one batch: as long as each other
            if not _may_step(state, kind, [(value,) for value in entry]):
                return _step_refusal(state, kind, entry)
    if len(set(columns[0])) != len(columns[0]):
        return _("the same message twice in one batch")
    return None


def _step_problem(request: Request, event: dict[str, Any], at: datetime) -> str | None:
    check = _STEP_CHECKS.get(event["type"])  # a queue's numbering, template and channel are own_problem's
    return None if check is None else check(request, event, at)


def _synthesis_problem(request: Request, event: dict[str, Any], at: datetime) -> str | None:
    return rules.synthesis_problem(request, event["by"])


def _notify_problem(request: Request, event: dict[str, Any], at: datetime) -> str | None:
    problem = rules.notify_problem(request, at)
    if problem:
        return problem
    deadline, expires = from_stamp(event["deadline"]), from_stamp(event["expires"])
    if event["status"] not in ("treating_doctor_window", "community") or not at <= deadline <= expires:
        return _("a notify needs a window status and at <= deadline <= expires")
    if event["status"] == "treating_doctor_window" and event["notified"] != [request.treating_doctor]:
        return _("only the treating doctor is notified in their window")
    return None


def _escalate_problem(request: Request, event: dict[str, Any], at: datetime) -> str | None:
    if request.status != "treating_doctor_window":
        return _("only a request in the treating doctor's window escalates")
    if event["cause"] == "window_ended":
        return None if rules.due(request, at) == "escalate" else _("the window had not ended, or had expired")
    if event["cause"] == "treating_doctor_refused":
        refused = request.treating_doctor in request.refused and request.status_at(at) == "treating_doctor_window"
        return None if refused else _("the treating doctor had not refused in their window")
    return _("unknown cause {value!r}").format(value=event["cause"])


def _refuse_problem(request: Request, event: dict[str, Any], at: datetime) -> str | None:
    if event["reason"] not in REASONS:
        return _("unknown reason {value!r}").format(value=event["reason"])
    return rules.refuse_problem(request, event["by"], at)


def _accept_problem(request: Request, event: dict[str, Any], at: datetime) -> str | None:
    return rules.accept_problem(request, event["by"], at) or _past_appointment(event, at)


def _book_problem(request: Request, event: dict[str, Any], at: datetime) -> str | None:
    return rules.book_problem(request, at) or _past_appointment(event, at)


def _past_appointment(event: dict[str, Any], at: datetime) -> str | None:
    return None if from_stamp(event["appointment"]) >= at else _("the appointment is in the past")


def _expire_problem(request: Request, event: dict[str, Any], at: datetime) -> str | None:
    return None if rules.due(request, at) == "expire" else _("the request's window had not run out")


def _followed_problem(request: Request, event: dict[str, Any], at: datetime) -> str | None:
    return rules.follow_problem(request)


def _outcome_problem(request: Request, event: dict[str, Any], at: datetime) -> str | None:
    if event["outcome"] not in OUTCOMES:
        return _("unknown outcome {value!r}").format(value=event["outcome"])
    return rules.outcome_problem(request, event["outcome"], at)


def _queue_step_problem(request: Request, event: dict[str, Any], at: datetime) -> str | None:
    return withdrawn_problem(request, event["messages"])


# event type -> why the request could not take that step (``request_problem``)
_STEP_CHECKS: dict[str, Callable[[Request, dict[str, Any], datetime], str | None]] = {
    "queue": _queue_step_problem,
    "synthesis": _synthesis_problem,
    "notify": _notify_problem,
    "escalate": _escalate_problem,
    "refuse": _refuse_problem,
    "accept": _accept_problem,
    "book": _book_problem,
    "expire": _expire_problem,
    "outcome": _outcome_problem,
    "followed_up": _followed_problem,
}

# event type -> what else is wrong with an event of that type itself (``own_problem``), once its fields, times
# and personal data are sound
_OWN_CHECKS: dict[str, Callable[[State, dict[str, Any], list[tuple[Any, ...]] | None], str | None]] = {
    "recovery": _recovery_problem,
    "intake": _intake_problem,
    "queue": _queue_problem,
    **dict.fromkeys(("attempt", "sent", "failed", "given_up"), _message_problem),
}
