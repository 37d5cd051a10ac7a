"""Lines into a ``State``: a reader's fold, a writer's strict fold, and the snapshot that spares both.

Owns a reader's checks (``checked``: shape, sequence, chain) and fold (``fold``: each event must
fit the state before it), a writer's fold (``fold_strict``: every check ``verify`` makes, through
``chain.line_problem``), whether something derived still fits the ledger (``fits``), and the
snapshot's use: loading it with the lines after it (``from_snapshot``), renewing it (``due``,
``save``, the stamp) and making one without the writers' lock (``warm``). Must not know how lines
are appended (``append``) nor the rules beyond ``chain`` and ``domain.state.apply``.

The functions that take the ``Ledger`` go through its methods (``lines``, ``fits``, ``stats``,
``_fold_strict``...) rather than around them: the ledger is the one place a test replaces them.
"""

from __future__ import annotations

import marshal
import os
from collections.abc import Iterable, Iterator
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import orjson

from snpctl import derived
from snpctl.domain.events import GENESIS, line_hash, shape_problem
from snpctl.domain.state import State, apply
from snpctl.errors import LedgerError
from snpctl.i18n import _
from snpctl.store import lock, snapshot
from snpctl.store.files import Line, MonthFiles, Stat, Tip, Torn, damaged, stat

if TYPE_CHECKING:
    from snpctl.store.ledger import Ledger


class Chained(Protocol):
    last_hash: str  # the hash of the last line checked


def checked(
    lines: Iterable[Line], into: Chained, *, seq: int = 0, previous: str = GENESIS
) -> Iterator[tuple[Line, dict[str, Any]]]:
    """Each line's event, checked for shape, sequence and chain from the line numbered ``seq`` hashed ``previous``.

    ``into.last_hash`` is the hash of the last line yielded.
    """
    for line in lines:
        try:
            event = orjson.loads(line.raw)
        except orjson.JSONDecodeError:
            raise damaged(line, _("not a valid JSON line")) from None
        problem = shape_problem(event)
        if problem:
            raise damaged(line, problem)
        seq += 1
        if event["seq"] != seq:
            raise damaged(
                line, _("sequence number {found}, expected {expected}").format(found=event["seq"], expected=seq)
            )
        if event["prev"] != previous:
            raise damaged(
                line,
                _("the hash of the previous line does not match (expected {expected}, found {found})").format(
                    expected=previous[:12], found=event["prev"][:12]
                ),
            )
        previous = line_hash(line.raw)
        into.last_hash = previous
        yield line, event


def fold(lines: Iterable[Line], into: Chained, state: State | None = None) -> State:
    """The fold of a reader: lines checked for shape, sequence and chain, and each must fit the state before it."""
    state = State() if state is None else state
    before = state.seq
    for line, event in checked(lines, into, seq=state.seq, previous=state.last_hash):
        try:
            apply(state, event)
        except (KeyError, ValueError, TypeError) as error:
            raise damaged(
                line, _("the event does not fit the events before it ({error})").format(error=error)
            ) from None
    if state.seq != before:  # a line was read
        state.last_hash = into.last_hash
    return state


def fold_strict(lines: Iterable[Line], state: State, files: MonthFiles) -> State:
    """The fold of a writer: every line must pass verify's checks, or nothing is written."""
    rest = iter(lines)
    head = next(rest, None)
    if head is None:
        return state
    from snpctl.store.chain import line_problem

    previous = state.last_hash
    first_file = files.files()[0].name if state.seq == 0 else None
    for line in chain((head,), rest):
        problem = line_problem(
            state, line.raw, previous, line.file[:7], first=line.number == 1 and line.file != first_file
        )
        if problem:
            raise damaged(line, problem)
        previous = state.last_hash = line_hash(line.raw)
    return state


def fits(files: MonthFiles, stamp_path: Path, tip: Tip, last_hash: str, taken: list[Stat]) -> bool:
    """Does something derived from this ledger as of ``tip`` (hashed ``last_hash``) still fit it?

    ``taken`` is each file's (name, size, mtime) when it was derived. The files before the tip's
    must be unchanged, the tip's line must still hash the same, and the newest file must be as
    our last writer left it (its stamp) or as it was taken: else something else wrote it.
    """
    listed = files.files()
    if not listed:
        return False
    try:
        newest = stat(listed[-1])
        if newest not in taken and marshal.loads(stamp_path.read_bytes()) != newest:
            return False  # the newest file was written by something else
        if not _older_files_unchanged(files.dir, {path.name for path in listed}, tip, taken):
            return False
        with (files.dir / tip.file).open("rb") as handle:
            handle.seek(tip.start)
            raw = handle.read(tip.end - tip.start)
        return raw.endswith(b"\n") and line_hash(raw[:-1]) == last_hash  # else another ledger, or rewritten
    except (OSError, ValueError, EOFError, TypeError):
        return False


def _older_files_unchanged(folder: Path, present: set[str], tip: Tip, taken: list[Stat]) -> bool:
    """Whether the month files before the tip's are still there, as they were taken (one stat each: the cheapest)."""
    where = os.fspath(folder)
    for name, size, mtime in taken:
        if name == tip.file:
            break
        if name not in present:
            return False  # an older month file went away
        info = os.stat(f"{where}/{name}")
        if info.st_size != size or info.st_mtime_ns != mtime:
            return False  # an older month file changed
    return True


def from_snapshot(ledger: Ledger) -> tuple[State, Torn | None] | None:
    """The snapshot's state plus the lines after it, or None when the snapshot does not fit this ledger.

    The lines after a snapshot that fits were all appended by our writers since (had anything
    else written the newest file, its stamp would differ and the writer would fold every line
    with verify's checks), and a writer appends only what the rules allowed: so they are
    checked for shape, sequence and chain here, not replayed through the audit again.
    """
    taken = snapshot.load(ledger.snapshot_path)
    if taken is None or taken.tip is None or not ledger.fits(taken.tip, taken.state.last_hash, taken.files):
        return None
    lines, torn = ledger.lines(start=taken.tip)
    # the snapshot's own sequence, not the state's once the lines after it are folded: else it is never renewed
    ledger._snapshot_seq, ledger._tail_bytes = taken.state.seq, sum(len(line.raw) + 1 for line in lines)
    try:
        return ledger._fold(lines, taken.state), torn
    except LedgerError:
        return None  # let the full fold say what is wrong, if anything


def due(ledger: Ledger, state: State) -> bool:
    """Whether the lines since the snapshot cost enough to write a new one: every command folds them."""
    return (
        ledger._snapshot_seq is None
        or state.seq - ledger._snapshot_seq >= snapshot.EVERY
        or ledger._tail_bytes >= snapshot.EVERY_BYTES
    )


def save(ledger: Ledger, state: State) -> None:
    """A new snapshot of ``state`` and the stamp of the newest file; never fails (a snapshot is only a shortcut)."""
    try:
        snapshot.save(ledger.snapshot_path, state, ledger.tip, ledger.stats())
        write_stamp(ledger.month, ledger.stamp_path)
        ledger._snapshot_seq, ledger._tail_bytes = state.seq, 0
    except OSError:
        pass


def write_stamp(files: MonthFiles, stamp_path: Path) -> None:
    """What the newest file looked like after our last write: anything else touched it if it differs."""
    listed = files.files()
    if listed:
        derived.write(stamp_path, marshal.dumps(stat(listed[-1])))


def warm(ledger: Ledger) -> None:
    """Without the writers' lock: fold every line with verify's checks and leave a snapshot of them.

    The writer, once it holds the lock, then folds only what was appended since. The snapshot
    records the files as they were before the reading, and is left only if nothing moved
    meanwhile. Writers that come meanwhile wait for it (``.snpctl/warm``, up to ``lock.WARM_WAIT``:
    a stopped process must not stop cron for good), then use it, rather than fold all of
    history too. Whatever goes wrong here (the wait too) is left to the writer, which folds every
    line under the lock and says what is wrong, if anything is.
    """
    try:
        with lock.locked(ledger.dir, ledger.warm_lock_path, timeout=lock.WARM_WAIT):  # one at a time
            if ledger._from_snapshot() is not None:
                return  # and use what it left
            before = ledger.stats()
            state = ledger._fold_strict(ledger.month.each_line(ledger.files()))
            if ledger.tip is not None and ledger.stats() == before:
                snapshot.save(ledger.snapshot_path, state, ledger.tip, before)
    except (LedgerError, OSError):
        pass
