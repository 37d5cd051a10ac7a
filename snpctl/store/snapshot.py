"""A derived snapshot of the state, so that a command costs what is open, not all of history.

``.snpctl/snapshot`` (never in git) holds the state as of one line of the ledger: its sequence
number, the hash of that line and where it ends. A writer reads it, checks it against the
ledger, and folds only the lines after it. It is never trusted blindly and never needed: if it
is missing, unreadable, sealed with another SHA-256 than its content's (edited by hand: a status,
a count, a deadline), from another ledger, or the ledger changed under it (an older file's size or
time, the newest file's stamp, the hash of its line), it is ignored and rebuilt.
``verify`` and ``report`` never read it. A writer writes a new one once ``EVERY`` events, or
``EVERY_BYTES`` bytes of lines, came after the one it read (counted from the snapshot's own
sequence, whoever wrote those lines): so a command never folds more than that, however the
ledger was written (one command at a time, simulated, pulled from git).

Only the *hot* part of the state is kept: requests not yet closed, that moved in the last
48 hours or that a person must still follow up (``snpctl todo``, for ``followup.HORIZON``),
messages not yet settled, given up lately or not yet followed up. A command about any other request asks
the ledger for the full state (``State.partial`` says when that may be needed).

Owns the snapshot's file format (sealed, versioned) and what is hot; must not know whether it fits
the ledger (``fold.fits``) nor when it is renewed (``fold.due``).
"""

from __future__ import annotations

import marshal
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from snpctl import derived
from snpctl.domain.followup import HORIZON
from snpctl.domain.state import Message, Request, State, put_message, put_request
from snpctl.store.files import (
    Tip,
)
from snpctl.timefmt import UTC

FORMAT = 3  # 2: sealed with the SHA-256 of its content (``derived.seal``); 3: requests carry their to-dos
EVERY = 256  # events appended since the snapshot before a new one is written
EVERY_BYTES = 256 * 1024  # or bytes of lines since it (batches of many messages make long lines)
RECENT = timedelta(hours=48)  # closed requests and given-up messages this recent stay hot
LIFETIME = timedelta(days=30)  # a request older than this that moved lately is left out (a command on it folds all)


class Snapshot(NamedTuple):
    state: State
    tip: Tip | None
    files: list[tuple[str, int, int]]  # (name, size, mtime_ns) of each ledger file when it was taken


_Record = TypeVar("_Record", Request, Message)
_REQUEST_FIELDS = list(Request._fields)
_MESSAGE_FIELDS = list(Message._fields)
_TIMES = {
    "intake_at",
    "last_at",
    "triggered_at",
    "deadline",
    "expires_at",
    "appointment",
    "taken_at",
    "queued_at",
    "owed_at",
}


def _pack(record: Request | Message, names: list[str]) -> tuple[Any, ...]:
    return tuple(
        int(v.timestamp()) if n in _TIMES and v is not None else v for n, v in ((n, getattr(record, n)) for n in names)
    )


def _unpack(kind: type[_Record], names: list[str], values: tuple[Any, ...]) -> _Record:
    # not strict: the values are read from a file, whose record may be shorter than today's fields (then the
    # record's own defaults or its TypeError decide, as before)
    fields: dict[str, Any] = {
        n: datetime.fromtimestamp(v, UTC) if n in _TIMES and v is not None else v
        for n, v in zip(names, values, strict=False)
    }
    return kind(**fields)


def hot(state: State) -> tuple[list[Request], list[Message]]:
    """What a command may need without asking for history. Costs what is open, not all of history."""
    since = (state.last_at or datetime.min.replace(tzinfo=UTC)) - RECENT
    messages = _hot_messages(state, since)
    to_follow = {rid for rid in state.to_follow if state.requests[rid].last_at >= since + RECENT - HORIZON}
    for rid in to_follow:  # on the to-do list until done (or too old to act on): its given-up messages with it
        messages.update((i, state.messages[i]) for i in state.requests[rid].owed if i in state.given_up)
    wanted = {m.request for m in messages.values()} | state.waiting | state.accepted | to_follow
    requests = {rid: state.requests[rid] for rid in wanted if rid in state.requests}
    for request in _moved_lately(state, since):
        requests.setdefault(request.id, request)
    return sorted(requests.values(), key=lambda r: r.number), sorted(messages.values(), key=lambda m: m.id)


def _hot_messages(state: State, since: datetime) -> dict[int, Message]:
    """Messages not yet settled, given up since ``since``, and the messages these are about."""
    messages = {i: state.messages[i] for i in state.undelivered}
    for i in state.given_up:
        message = state.messages[i]
        if (message.last_at or message.queued_at) >= since:
            messages[i] = message
    for about in [m.about for m in messages.values() if m.about is not None]:
        if about in state.messages:
            messages.setdefault(about, state.messages[about])
    return messages


def _moved_lately(state: State, since: datetime) -> Iterator[Request]:
    """Requests open or that moved since ``since``, newest first: stops once intakes are older than any such can be."""
    horizon = since - LIFETIME
    for request in reversed(state.requests.values()):
        if request.intake_at < horizon:
            break
        if not request.closed or request.last_at >= since:
            yield request


def save(path: Path, state: State, tip: Tip | None, files: list[tuple[str, int, int]]) -> None:
    requests, messages = hot(state)
    payload = (
        FORMAT,
        state.seq,
        state.last_hash,
        int(state.last_at.timestamp()) if state.last_at else None,
        state.unordered,
        state.request_count,
        state.message_count,
        None if tip is None else (tip.file, tip.start, tip.end, tip.line),
        files,
        [_pack(r, _REQUEST_FIELDS) for r in requests],
        [_pack(m, _MESSAGE_FIELDS) for m in messages],
    )
    derived.write(path, derived.seal(marshal.dumps(payload)))


def load(path: Path) -> Snapshot | None:
    """The snapshot as written, or None if it is missing or unreadable (whether it fits the ledger: ``fold.fits``)."""
    try:
        content = derived.unseal(path.read_bytes())
        if content is None:
            return None  # damaged, or edited by hand
        payload = marshal.loads(content)
        (version, seq, last_hash, last_at, unordered, request_count, message_count, tip, files, requests, messages) = (
            payload
        )
        if version != FORMAT:
            return None
        state = State(
            seq=seq,
            last_hash=last_hash,
            unordered=unordered,
            request_count=request_count,
            message_count=message_count,
            partial=True,
            last_at=datetime.fromtimestamp(last_at, UTC) if last_at is not None else None,
        )
        for values in requests:
            request = _unpack(Request, _REQUEST_FIELDS, values)
            put_request(state, request)
            if request.call_back or request.owed:
                state.to_follow.add(request.id)
        for values in messages:
            put_message(state, _unpack(Message, _MESSAGE_FIELDS, values))
        return Snapshot(state, Tip(*tip) if tip is not None else None, [tuple(f) for f in files])
    except (OSError, EOFError, ValueError, TypeError, KeyError):
        return None
