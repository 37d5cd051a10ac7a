"""The checks of one ledger line, shared by ``verify`` and by writers before they append it.

A line is an event (not too long, JSON, canonical, of its type's shape), in its place (its
sequence number, the hash of the line before, its month file) and legal after the events before
it (``domain.audit``: the cascade's rules, and no personal data). Writers check each line they
are about to append with these very functions, so they never write one ``verify`` would reject.
Kept apart from ``verify`` so that a writer does not import what only a whole-ledger check needs.
Must not know files, locks or where a line comes from: it judges one line's bytes after a state.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from snpctl.domain import audit
from snpctl.domain.events import canonical, shape_problem
from snpctl.domain.state import State, apply
from snpctl.i18n import _

MAX_LINE = 64 * 1024  # no legitimate event comes near this; a longer line is damage


def line_problem(
    state: State, raw: bytes, previous: str, month: str, *, first: bool, plain: bool = False
) -> str | None:
    """What is wrong with line ``raw`` after the lines folded into ``state``; None once folded in too.

    ``previous``: the hash of the line before; ``month``: of the file it is in; ``first``: it is
    the first line of a file but the first; ``plain``: its file holds no escape nor float.
    """
    event, problem = read_line(raw, plain)
    if event is None:
        return problem
    problem = place_problem(event, state.seq + 1, previous, month, first) or audit.event_problem(state, event)
    if problem:
        return problem
    apply(state, event)
    return None


def read_line(raw: bytes, plain: bool = False) -> tuple[dict[str, Any], None] | tuple[None, str]:
    """The event a line holds, or what keeps it from being one: its length, JSON, shape, canonical form."""
    if len(raw) > MAX_LINE:
        return None, _("line of {n} bytes, longer than any event ({max})").format(n=len(raw), max=MAX_LINE)
    event = _canonical_event(raw, plain)
    known_canonical = event is not None
    if event is None:
        try:
            event = json.loads(raw)
        except UnicodeDecodeError:
            return None, _("not UTF-8 text")
        except ValueError as error:
            return None, _("not valid JSON ({error})").format(error=error)
    problem = shape_problem(event)
    if problem:
        return None, problem
    if not known_canonical and canonical(event) != raw:
        return None, _("not canonical JSON (keys sorted, no spaces, UTF-8): the line was edited by hand")
    return event, None


def place_problem(event: dict[str, Any], seq: int, previous: str, month: str, first: bool) -> str | None:
    """Is the event where it belongs: numbered ``seq``, after the line hashed ``previous``, in its month's file."""
    if event["seq"] != seq:
        return _("sequence number {found}, expected {expected} (a line was removed, repeated or moved)").format(
            found=event["seq"], expected=seq
        )
    if event["prev"] != previous:
        return _(
            "hash chain broken (expected prev {expected}, found {found}): the line before was changed, or this "
            "one was moved"
        ).format(expected=previous, found=event["prev"])
    event_month = event["at"][:7]
    if event_month > month or (first and event_month != month and event["type"] != "recovery"):
        return _("event of {at} does not belong in the file of {month}").format(at=event["at"], month=month)
    return None


def _unusual(data: bytes) -> bool:
    """Whether ``data`` holds an escape or could hold a float (every float orjson writes has ``.``, ``+`` or ``e-``)."""
    return b"\\" in data or b"." in data or b"+" in data or b"e-" in data


def _canonical_event(raw: bytes, plain: bool) -> Any:
    """The value of a line that is surely canonical, read by orjson (5x faster); None when only the stdlib can tell.

    The reference is the stdlib (``events.canonical``, what writers write). orjson writes the same
    bytes for the same value except in two places: escapes in strings and the digits of floats. A
    line with neither, which orjson writes back byte for byte, is therefore canonical, and both
    parsers read the same value from it. Anything else (an escape, a float, a duplicate key, an
    integer beyond 64 bits, text that is not JSON or not UTF-8) is left to the stdlib, which says
    what is wrong in its own words. ``plain``: the whole file was found free of both.
    """
    if not plain and _unusual(raw):
        return None
    try:
        event = orjson.loads(raw)
        return event if orjson.dumps(event, option=orjson.OPT_SORT_KEYS) == raw else None
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        return None
