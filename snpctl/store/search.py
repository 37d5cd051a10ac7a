"""Search by request: the lines of one request, its history as they make it, its timeline.

Owns finding a request's lines by a search for their bytes (``"request":"<id>"``) instead of a
parse of every line, making one request from them (``holding``, for a state from a snapshot that
left it out), and gathering its part of the message batches that concern it (``timeline``). Must
not know how the state is folded or the ledger written; request ids come from ``domain.ids``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from snpctl.domain.ids import normalize_id, taken_in
from snpctl.domain.state import (
    FINAL_STEPS,
    MESSAGE_STEPS,
    Request,
    State,
    apply,
    put_request,
)
from snpctl.errors import LedgerError
from snpctl.i18n import _
from snpctl.store.files import Where

if TYPE_CHECKING:
    from snpctl.store.ledger import Ledger

Found = list[tuple[Where, dict[str, Any]]]

# how a message step's line ends: keys are sorted, and "type" comes after "at", "messages", "prev" and "seq"
_STEP_ENDINGS = tuple(b'"type":"%s"}' % kind.encode() for kind in MESSAGE_STEPS)


def lines_of(files: list[Path], rid: str) -> Found:
    """The events about request ``rid``, and where each line is, found by a search for their bytes.

    For a ledger whose snapshot fits (its lines were checked as they were folded): an event
    names its request as ``"request":"<id>"``, so only those lines are read, at the cost of a
    search through the files, not of a parse of each line.
    """
    needle = b'"request":"' + rid.encode("ascii") + b'"'
    found = []
    for index, path in enumerate(files):
        data = path.read_bytes()
        at = data.find(needle)
        while at != -1:
            start, end = data.rfind(b"\n", 0, at) + 1, data.find(b"\n", at)
            if end == -1:
                break  # an unfinished last line is no event
            event = orjson.loads(data[start:end])
            if event["request"] == rid:
                found.append((Where(index, start, end), event))
            at = data.find(needle, end)
    return found


def request_of(rid: str, found: Found) -> Request | None:
    """Request ``rid`` as its own lines make it (``ValueError``, ``KeyError``, ``TypeError`` when they do not)."""
    scratch = State(request_count=int(rid[:-1]) - 1)  # its intake numbers it
    for _where, event in found:
        apply(scratch, event)
    return scratch.requests.get(rid)


def holding(ledger: Ledger, state: State, request: str) -> State:
    """``state``, made to hold ``request`` if it exists: a snapshot's holds only the hot requests.

    A request it left out (a synthesis a week after the visit) is made from its own lines
    (``history_of``). An id no request was given (a typo, a check letter that does not match)
    is left to the command's refusal: neither costs a fold of all history.
    """
    rid = normalize_id(request)
    if not state.partial or rid in state.requests or not taken_in(rid, state.request_count):
        return state
    found = ledger.history_of(rid)
    if found is None:
        return ledger.full_state()[0]  # which says what is wrong, if anything is
    put_request(state, found)
    # in the order of their numbers, as a fold keeps them: the snapshot's newest-first walk relies on it
    state.requests = dict(sorted(state.requests.items(), key=lambda item: item[1].number))
    return state


def timeline(
    rid: str, lines_of: Callable[[str], Found], lines_from: Callable[[Where], Iterable[tuple[Where, bytes]]]
) -> list[dict[str, Any]]:
    """Request ``rid``'s events (``lines_of(rid)``) in order, with the steps of its messages (its part of each batch).

    The steps are looked for from its first queued batch on (``lines_from(where)``: the lines from
    there), only until each of its messages is sent or given up and its last batch is passed:
    minutes of the ledger, not the rest of it.
    """
    try:
        own = lines_of(rid)
        batches = {where: [entry[0] for entry in event["messages"]] for where, event in own if event["type"] == "queue"}
        steps = _steps(lines_from(min(batches)), batches) if batches else []
    except (ValueError, KeyError, TypeError):
        raise LedgerError(
            _("A line about request {id} does not read as an event: run `snpctl verify`, which names it.").format(
                id=rid
            )
        ) from None
    return [event for _where, event in sorted(chain(own, steps), key=itemgetter(0))]


def _steps(lines: Iterable[tuple[Where, bytes]], batches: dict[Where, list[int]]) -> Found:
    """The steps of the messages queued in ``batches`` (where each batch is: its message ids), each cut to them."""
    steps: Found = []
    waiting: set[int] = set()
    last = max(batches)
    for where, raw in lines:
        if where in batches:
            waiting.update(batches[where])
        elif waiting and raw.endswith(_STEP_ENDINGS):
            step = _step_of(orjson.loads(raw), waiting)
            if step is not None:
                steps.append((where, step))
        if not waiting and where >= last:
            break
    return steps


def _step_of(event: dict[str, Any], waiting: set[int]) -> dict[str, Any] | None:
    """``event`` cut to the messages in ``waiting`` (None if it names none); those it settles leave ``waiting``."""
    mine = [entry for entry in event["messages"] if entry[0] in waiting]
    if not mine:
        return None
    if event["type"] in FINAL_STEPS:  # no step follows these
        waiting.difference_update(entry[0] for entry in mine)
    return {**event, "messages": mine}
