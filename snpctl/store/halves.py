"""How a ledger's month files are checked, line after line: in one process, or in two halves at once.

Owns the walk (``check``: the files in order, each line through ``chain.line_problem``, ``Bad`` at
the first bad one) and the two-halves machinery for a long ledger (``_Later``: the later half in a
child process). Knows nothing of the command, its output or the checkpoint (``verify``), nor of
the writers' ``Ledger``: it reads the files it is given.
"""

from __future__ import annotations

import os
import pickle
import signal
from dataclasses import dataclass, field, replace
from datetime import datetime
from operator import itemgetter
from pathlib import Path
from typing import Any

from snpctl.domain import audit
from snpctl.domain.events import GENESIS, line_hash
from snpctl.domain.ids import request_id
from snpctl.domain.state import State, apply, note_time
from snpctl.errors import LedgerError
from snpctl.i18n import _
from snpctl.store.chain import _unusual, line_problem, place_problem, read_line
from snpctl.timefmt import from_stamp

TWO_HALVES_FROM = 8 * 1024 * 1024  # bytes of ledger from which a second process pays for itself


class Bad(LedgerError):
    def __init__(self, file: str, line: int, problem: str) -> None:
        super().__init__(f"ledger/{file}:{line}: {problem}")
        self.file, self.line, self.problem = file, line, problem


@dataclass
class Run:
    """Where a check of the ledger stands: the state, the hash of the last line, the lines counted."""

    state: State = field(default_factory=State)
    previous: str = GENESIS
    count: int = 0
    hashes_at: dict[int, tuple[str, int, str]] = field(default_factory=dict)  # for the checkpoint


def check(run: Run, files: list[Path], wanted: tuple[int, str] | None) -> None:
    """Check ``files`` into ``run``, in two halves at once when they are long; raise ``Bad`` at the first bad line."""
    half = _halfway(files)
    if half is None:
        check_files(run, files, 0, len(files), wanted)
    else:
        _check_in_two_halves(run, files, half, wanted)


def check_files(run: Run, files: list[Path], start: int, end: int, wanted: tuple[int, str] | None) -> None:
    """Check ``files[start:end]`` line after line, folding them into ``run``; raise ``Bad`` at the first bad line."""
    for index in range(start, end):
        path = files[index]
        month, parts, tail, plain = _read_file(path)
        for number, raw in enumerate(parts, 1):
            problem = line_problem(run.state, raw, run.previous, month, first=number == 1 and index > 0, plain=plain)
            if problem:
                raise Bad(path.name, number, problem)
            run.previous = line_hash(raw)
            run.count += 1
            if wanted is not None and run.count == wanted[0]:
                run.hashes_at[run.count] = (path.name, number, run.previous)
        if tail:
            raise Bad(path.name, len(parts) + 1, _tail_problem(tail, index == len(files) - 1))


def _read_file(path: Path) -> tuple[str, list[bytes], bytes, bool]:
    """A month file's month, complete lines and bytes after the last newline; and whether it is plain.

    Plain: no byte of it could make orjson's reading differ from the stdlib's (see ``chain._canonical_event``),
    found once for the whole file rather than once per line.
    """
    data = path.read_bytes()
    parts = data.split(b"\n")
    tail = parts.pop()
    return path.name[:7], parts, tail, not _unusual(data)


def _tail_problem(tail: bytes, last_file: bool) -> str:
    if last_file:
        return _(
            "incomplete last line ({n} bytes, no newline): an interrupted write. Any writing command (e.g. "
            "`snpctl tick`) moves it aside and records the recovery."
        ).format(n=len(tail))
    return _("line without a newline before a later month file")


# -- two halves at once ---------------------------------------------------------------------
#
# The later half of the files is checked in a child process while this one checks the first.
# The child cannot know how the first half ends, so it assumes it from its own lines (the first
# line's number and prev, the first intake's request number, the first queued message's number)
# and puts aside what it cannot judge alone: a step of a request taken before its half, or of a
# message queued before it. This process then checks the assumptions against the end of the first
# half and judges the steps put aside there, in the order of the lines, on a copy of its state.
# The first bad line is the first of: a wrong assumption, a step put aside that fails, the first
# problem the child found. When that cannot be told for sure (a batch of messages half put aside
# that fails, a problem on the very line of an assumption), or the child died, the later half is
# checked again, line after line, from the end of the first.


def _halfway(files: list[Path]) -> int | None:
    """The index of the first file of the later half, or None when one process will do."""
    if len(files) < 2 or not hasattr(os, "fork"):
        return None
    sizes = [path.stat().st_size for path in files]
    whole = sum(sizes)
    if whole < TWO_HALVES_FROM:
        return None
    total = 0
    for index, size in enumerate(sizes[:-1]):
        total += size
        if total >= whole / 2:
            return index + 1
    return len(files) - 1


class _Unsure(Exception):
    """The later half cannot be joined for sure: check it again, line after line."""


Position = tuple[int, str, int]  # (ordinal in the later half, file, line)


@dataclass
class _Later:
    """What the child found in the later half."""

    state: State = field(default_factory=State)
    count: int = 0
    previous: str = GENESIS
    # its first event (whose seq and prev it took as right), first intake and first queue (whose numbers it did)
    first: tuple[Position, dict[str, Any], str] | None = None  # (where, event, month of its file)
    request_base: tuple[Position, dict[str, Any]] | None = None
    message_base: tuple[Position, dict[str, Any]] | None = None
    put_aside: list[tuple[Position, str, dict[str, Any]]] = field(default_factory=list)  # (where, how, event)
    # (time, latest time before) of its events dated before its first month: only these can be
    # dated before an event of the first half
    early: list[tuple[datetime, datetime | None]] = field(default_factory=list)
    problem: tuple[Position, str] | None = None  # the first problem it found (it stopped there)
    hashes_at: dict[int, tuple[str, int, str]] = field(default_factory=dict)


def _check_in_two_halves(run: Run, files: list[Path], half: int, wanted: tuple[int, str] | None) -> None:
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # the child: check the later half, hand the findings over, exit
        os.close(reading)
        try:
            later = _check_later(files, half, wanted)
            later.state = State(unordered=later.state.unordered, request_count=later.state.request_count)
            found = pickle.dumps(later)  # without the rest of its state: the parent needs no more
        except BaseException:  # _Unsure, or anything unexpected: the parent checks it again
            found = pickle.dumps(None)
        with os.fdopen(writing, "wb") as pipe:
            pipe.write(found)
        os._exit(0)
    os.close(writing)
    try:
        with os.fdopen(reading, "rb") as pipe:
            check_files(run, files, 0, half, wanted)
            found = pipe.read()
    except BaseException:
        os.kill(child, signal.SIGKILL)
        raise
    finally:
        os.waitpid(child, 0)
    joined: _Later | None = pickle.loads(found) if found else None  # None: the child could not tell
    if joined is None or not _join(run, joined):
        check_files(run, files, half, len(files), wanted)


def _check_later(files: list[Path], half: int, wanted: tuple[int, str] | None) -> _Later:
    later = _Later()
    first_month = files[half].name[:7]
    for index in range(half, len(files)):
        path = files[index]
        month, parts, tail, plain = _read_file(path)
        for number, raw in enumerate(parts, 1):
            later.count += 1
            where = (later.count, path.name, number)
            problem = _later_line_problem(later, raw, where, month, number == 1, plain, first_month)
            if problem:
                later.problem = (where, problem)
                return later
            later.previous = line_hash(raw)
            if wanted is not None:
                assert later.first is not None, "a line without a problem was read, and the first such set it"
                if later.first[1]["seq"] - 1 + later.count == wanted[0]:
                    later.hashes_at[wanted[0]] = (path.name, number, later.previous)
        if tail:
            later.problem = ((later.count + 1, path.name, len(parts) + 1), _tail_problem(tail, index == len(files) - 1))
            return later
    return later


def _later_line_problem(
    later: _Later, raw: bytes, where: Position, month: str, first: bool, plain: bool, first_month: str
) -> str | None:
    """``line_problem`` in the later half: assume what only the first half knows, put aside what needs it."""
    event, problem = read_line(raw, plain)
    if event is None:  # read_line gives an event or a problem
        return problem
    state, kind = later.state, event["type"]
    if later.first is None:
        later.first, later.previous, state.seq = (where, event, month), event["prev"], event["seq"] - 1
    problem = place_problem(event, state.seq + 1, later.previous, month, first)
    if problem:
        return problem
    if kind == "intake" and later.request_base is None:
        later.request_base = (where, event)
        state.request_count = _request_number(event["request"]) - 1
    if kind == "queue" and later.message_base is None and (first_number := _first_message(event)) is not None:
        later.message_base = (where, event)
        state.message_count = first_number - 1
    before = state.last_at
    problem = _later_event_problem(later, event, where)
    if problem is None and event["at"] < first_month:
        later.early.append((from_stamp(event["at"]), before))
    return problem


def _later_event_problem(later: _Later, event: dict[str, Any], where: Position) -> str | None:
    state, kind = later.state, event["type"]
    if kind in audit.REQUEST_STEPS and event["request"] not in state.requests:  # taken in the first half
        problem = audit.own_problem(state, event)
        if problem:
            return problem
        later.put_aside.append((where, "request", event))
        if kind == "queue":
            apply(state, event)  # its messages are this half's; its request is judged with the first
        else:
            note_time(state, event)
        return None
    if kind in ("attempt", "sent", "failed", "given_up"):
        base = _first_message(later.message_base[1]) if later.message_base is not None else None
        theirs = _queued_before(event["messages"], base)
        if len(theirs) == len(event["messages"]) and theirs:
            later.put_aside.append((where, "steps", event))
            note_time(state, event)
            return None
        if theirs:
            ours = {**event, "messages": [entry for entry in event["messages"] if entry[0] >= base]}
            if audit.event_problem(state, ours):
                raise _Unsure  # which entry of the whole batch fails first is not known here
            later.put_aside.append((where, "part", {**event, "messages": theirs}))
            apply(state, ours)
            return None
    problem = audit.event_problem(state, event)
    if problem is None:
        apply(state, event)
    return problem


def _queued_before(entries: list[Any], base: int | None) -> list[Any]:
    """The entries about messages queued before the later half (all of them before its first queue).

    None of them when an entry is misshaped: the batch's shape is checked alike in both halves.
    """
    if base is None:
        return entries
    try:
        if min(map(itemgetter(0), entries), default=base) >= base:
            return []
        return [entry for entry in entries if entry[0] < base]
    except (TypeError, KeyError, IndexError):
        return []


def _request_number(rid: str) -> int:
    """The number of a well-formed request id (``042K`` -> 42); unsure of anything else."""
    digits = rid[:-1]
    if not (digits.isascii() and digits.isdigit()) or request_id(int(digits)) != rid:
        raise _Unsure
    return int(digits)


def _first_message(event: dict[str, Any]) -> int | None:
    """The number of the first message a queue event holds, if it is one."""
    entries = event["messages"]
    first: object = entries[0][0] if entries and type(entries[0]) is list and entries[0] else None
    return first if type(first) is int else None


def _join(run: Run, later: _Later) -> bool:
    """Check the child's assumptions and what it put aside against the end of the first half, in line order.

    Raises ``Bad`` at the first bad line; True once the later half is joined to ``run``; False when
    the later half must be checked again line after line.
    """
    findings: list[tuple[Position, int, str, Any]] = []  # (where, rank of the check on its line, how, what)
    if later.first is not None:
        findings.append((later.first[0], 0, "place", later.first))
    for base in (later.request_base, later.message_base):
        if base is not None:
            if later.problem is not None and later.problem[0] == base[0]:
                return False  # which of its number and its other problem is checked first is not known here
            findings.append((base[0], 1, "own", base[1]))
    findings += [(where, 2, how, event) for where, how, event in later.put_aside]
    if later.problem is not None:
        findings.append((later.problem[0], 3, "found", later.problem[1]))
    findings.sort(key=lambda finding: (finding[0][0], finding[1]))
    judge = _copy(run.state)
    for where, _rank, how, what in findings:
        problem = _finding_problem(run, judge, how, what)
        if problem and how == "part":
            return False  # which entry of the whole batch fails first is not known here
        if problem:
            raise Bad(where[1], where[2], problem)
    _take(run, later)
    return True


def _finding_problem(run: Run, judge: State, how: str, what: Any) -> str | None:
    """Judge one finding of the child on ``judge`` (the state at the end of the first half, and what came since)."""
    if how == "place":  # the first line of the later half, after the last of the first
        _where, event, month = what
        return place_problem(event, run.count + 1, run.previous, month, True)
    if how == "own":  # its first intake or queue, numbered after the first half's
        return audit.own_problem(judge, what)
    if how == "found":  # the problem the child found on its line (``_Later.problem``'s text)
        found: str = what
        return found
    problem = audit.request_problem(judge, what) if how == "request" else audit.event_problem(judge, what)
    if problem is None and not (how == "request" and what["type"] == "queue"):  # its messages: the later half's
        apply(judge, what)
    return problem


def _copy(state: State) -> State:
    """A copy to judge the put-aside steps on: requests and messages are immutable, their maps are copied."""
    return replace(
        state,
        requests=dict(state.requests),
        messages=dict(state.messages),
        waiting=set(state.waiting),
        accepted=set(state.accepted),
        undelivered=set(state.undelivered),
        given_up=set(state.given_up),
    )


def _take(run: Run, later: _Later) -> None:
    """Add the later half to ``run``: its lines, last hash, requests and events dated before an earlier one."""
    latest = run.state.last_at
    overtaken = sum(
        1 for at, before in later.early if latest is not None and at < latest and (before is None or at >= before)
    )
    run.state.unordered += later.state.unordered + overtaken
    if later.request_base is not None:
        run.state.request_count = later.state.request_count
    if later.count:
        run.count += later.count
        run.previous = later.previous
    run.hashes_at.update(later.hashes_at)
