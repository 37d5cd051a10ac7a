"""``snpctl verify``: read the whole ledger and name its first bad line, or sum it up.

Checks, line by line: a newline ends it, it is not absurdly long, it parses, it is canonical,
it has the shape of its type, its sequence number follows, its ``prev`` is the hash of the line
before (across files), it sits in the right month file, it is legal given the events before it
(``domain.audit``), and it carries nothing that looks like personal data. A checkpoint kept
outside the ledger (line count and hash) also catches events cut off the end.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from snpctl.domain import audit
from snpctl.domain.events import GENESIS, canonical, line_hash, shape_problem
from snpctl.domain.state import State, apply
from snpctl.errors import BadUsage, LedgerError
from snpctl.i18n import _
from snpctl.store.ledger import Ledger

MAX_LINE = 64 * 1024    # no legitimate event comes near this; a longer line is damage


@dataclass
class Summary:
    events: int
    requests: int
    last_hash: str
    files: int
    unordered: int
    checkpoint: str | None = None    # "written", "checked", or None


class Bad(LedgerError):
    def __init__(self, file: str, line: int, problem: str) -> None:
        super().__init__(f"ledger/{file}:{line}: {problem}")
        self.file, self.line, self.problem = file, line, problem


def verify(ledger: Ledger, checkpoint: Path | None = None) -> Summary:
    state = State()
    previous, count = GENESIS, 0
    hashes_at: dict[int, tuple[str, int, str]] = {}
    wanted = _read_checkpoint(checkpoint) if checkpoint is not None else None
    files = ledger.files()
    for index, path in enumerate(files):
        month = path.name[:7]
        data = path.read_bytes()
        parts = data.split(b"\n")
        tail = parts.pop()
        for number, raw in enumerate(parts, 1):
            problem = line_problem(state, raw, previous, month, first=number == 1 and index > 0)
            if problem:
                raise Bad(path.name, number, problem)
            previous = line_hash(raw)
            count += 1
            if wanted is not None and count == wanted[0]:
                hashes_at[count] = (path.name, number, previous)
        if tail:
            where = len(parts) + 1
            if index == len(files) - 1:
                raise Bad(path.name, where, _("incomplete last line ({n} bytes, no newline): an interrupted write. "
                                              "Any writing command (e.g. `snpctl tick`) moves it aside and records "
                                              "the recovery.").format(n=len(tail)))
            raise Bad(path.name, where, _("line without a newline before a later month file"))
    summary = Summary(count, state.request_count, previous, len(files), state.unordered)
    if checkpoint is not None:
        summary.checkpoint = _check_and_advance(checkpoint, wanted, count, previous, hashes_at)
    return summary


def line_problem(state: State, raw: bytes, previous: str, month: str, *, first: bool) -> str | None:
    if len(raw) > MAX_LINE:
        return _("line of {n} bytes, longer than any event ({max})").format(n=len(raw), max=MAX_LINE)
    event = _canonical_event(raw)
    known_canonical = event is not None
    if event is None:
        try:
            event = json.loads(raw)
        except UnicodeDecodeError:
            return _("not UTF-8 text")
        except ValueError as error:
            return _("not valid JSON ({error})").format(error=error)
    problem = shape_problem(event)
    if problem:
        return problem
    if not known_canonical and canonical(event) != raw:
        return _("not canonical JSON (keys sorted, no spaces, UTF-8): the line was edited by hand")
    if event["seq"] != state.seq + 1:
        return _("sequence number {found}, expected {expected} (a line was removed, repeated or moved)") \
            .format(found=event["seq"], expected=state.seq + 1)
    if event["prev"] != previous:
        return _("hash chain broken (expected prev {expected}, found {found}): the line before was changed, or this "
                 "one was moved").format(expected=previous, found=event["prev"])
    event_month = event["at"][:7]
    if event_month > month or (first and event_month != month and event["type"] != "recovery"):
        return _("event of {at} does not belong in the file of {month}").format(at=event["at"], month=month)
    problem = audit.event_problem(state, event)
    if problem:
        return problem
    apply(state, event)
    return None


def _canonical_event(raw: bytes) -> Any:
    """The value of a line that is surely canonical, read by orjson (5x faster); None when only the stdlib can tell.

    The reference is the stdlib (``events.canonical``, what writers write). orjson writes the same
    bytes for the same value except in two places: escapes in strings and the digits of floats
    (every float it writes holds a ``.``, ``e+`` or ``e-``). A line with neither, which orjson
    writes back byte for byte, is therefore canonical, and both parsers read the same value from it.
    Anything else (an escape, a float, a duplicate key, an integer beyond 64 bits, text that is not
    JSON or not UTF-8) is left to the stdlib, which says what is wrong in its own words.
    """
    if b"\\" in raw or b"." in raw or b"e+" in raw or b"e-" in raw:
        return None
    try:
        event = orjson.loads(raw)
        return event if orjson.dumps(event, option=orjson.OPT_SORT_KEYS) == raw else None
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        return None


def _read_checkpoint(path: Path) -> tuple[int, str] | None:
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return int(data["events"]), str(data["last_hash"])
    except (OSError, ValueError, KeyError, TypeError):
        raise BadUsage(_("{path} is not a checkpoint written by `snpctl verify --checkpoint`; give another file.")
                       .format(path=path)) from None


def _check_and_advance(path: Path, wanted: tuple[int, str] | None, count: int, last: str,
                       hashes_at: dict[int, tuple[str, int, str]]) -> str:
    if wanted is not None:
        events, expected = wanted
        if count < events:
            raise LedgerError(_("the ledger has {count} events but the checkpoint {path} recorded {events}: events were "
                                "cut off the end. Restore the ledger from git or a backup.")
                              .format(count=count, path=path, events=events))
        if events:
            file, line, found = hashes_at[events]
            if found != expected:
                raise Bad(file, line, _("does not match the checkpoint {path} (expected hash {expected}, found "
                                        "{found}): the history up to here was rewritten")
                          .format(path=path, expected=expected, found=found))
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps({"events": count, "last_hash": last}) + "\n", encoding="utf-8")
    os.replace(temporary, path)
    return "checked" if wanted is not None else "written"
