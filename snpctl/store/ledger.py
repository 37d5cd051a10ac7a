"""The ledger on disk: ``ledger/YYYY-MM.jsonl``, append-only, locked, fsynced, hash-chained.

Writers go through ``Ledger.transaction()``: take the lock (on the folder ``ledger/`` itself, so
that deleting ``.snpctl/`` cannot drop it), recover a torn last line, fold the state, let the
caller decide, check each new line as ``verify`` would, append and fsync, all under that one lock. Readers
(``Ledger.read``) take no lock and never write: a line without its newline is not an event.

``Ledger`` is the store's face: it holds what one command learned of the files (their list, the
tip, the snapshot read, the state after its last transaction) and hands the work to the rooms:
``files`` (month files, lines, torn tail), ``chain`` (line checks), ``fold`` (folds, snapshot,
warm-up), ``lock``, ``append`` (writing, recovery) and ``search`` (one request's lines). It must
not know the rules (``domain``), the config, the report or the commands.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from snpctl import derived
from snpctl.domain.events import GENESIS
from snpctl.domain.state import Request, State
from snpctl.store import fold, lock
from snpctl.store.files import Line, MonthFiles, Stat, Tip, Torn, stat

__all__ = ["HOLD_ENV", "Ledger", "Transaction"]

if TYPE_CHECKING:
    from snpctl.store.search import Found

HOLD_ENV = "SNPCTL_TEST_HOLD"  # test-only: seconds between deciding and appending (widens races)


@dataclass
class Transaction:
    ledger: Ledger
    state: State
    warnings: list[str] = field(default_factory=list)

    def need(self, request: str) -> None:
        """Make sure the state holds ``request`` if it exists (see ``Ledger.holding``)."""
        self.state = self.ledger.holding(self.state, request)

    def append(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        hold = os.environ.get(HOLD_ENV)
        if hold and events:
            time.sleep(float(hold))
        return self.ledger._append(self.state, events)


class Ledger:
    def __init__(self, home: Path, *, durable: bool = True) -> None:
        self.home = home
        self.durable = durable  # False only for throw-away ledgers (simulations): no fsync
        self.dir = home / "ledger"
        self.month = MonthFiles(self.dir)
        self.lock_path = self.dir  # the lock is on ledger/ itself: deleting .snpctl/ (git clean -X) cannot drop it
        self.warm_lock_path = home / ".snpctl" / "warm"  # held while history is folded without the lock
        self.quarantine = home / "private" / "quarantine"
        self.snapshot_path = home / ".snpctl" / "snapshot"
        self.stamp_path = home / ".snpctl" / "stamp"
        self.last_hash = GENESIS  # of the last line read by a reader's check (``fold.checked``)
        self._snapshot_seq: int | None = None  # the sequence of the snapshot read or written last
        self._tail_bytes = 0  # bytes of the lines after it
        self._cache: tuple[Stat | tuple[()], State] | None = None
        self._found: tuple[tuple[str, Stat | tuple[()]], Found] | None = None  # lines_of's last answer

    @property
    def tip(self) -> Tip | None:
        """Where the last complete line read or written is (for the snapshot)."""
        return self.month.tip

    @tip.setter
    def tip(self, tip: Tip | None) -> None:
        self.month.tip = tip

    @property
    def torn(self) -> Torn | None:
        """The newest file's torn tail, as of the last lines read."""
        return self.month.torn

    # -- reading ---------------------------------------------------------------------------

    def files(self) -> list[Path]:
        """The month files, oldest first."""
        return self.month.files()

    def lines(self, start: Tip | None = None) -> tuple[list[Line], Torn | None]:
        """Every complete line after ``start`` (default: all), in order, and the torn tail of the newest file."""
        lines = list(self.month.each_line(self.files(), start))
        return lines, self.torn

    def stream(
        self, start: Tip | None = None, *, seq: int = 0, previous: str = GENESIS
    ) -> Iterator[tuple[Line, dict[str, Any]]]:
        """The lines and events after ``start`` (default: all; line ``seq``, hashed ``previous``).

        Each is checked for shape, sequence and chain, not folded: for a reader that keeps its own
        derived state (the report's tallies), which checks with ``fits`` where it starts. One month
        file is in memory at a time, not the whole history; ``self.torn`` is known once all are read.
        """
        return fold.checked(self.month.each_line(self.files(), start), self, seq=seq, previous=previous)

    def _fold(self, lines: Iterable[Line], state: State | None = None) -> State:
        return fold.fold(lines, self, state)

    def _fold_strict(self, lines: Iterable[Line], state: State | None = None) -> State:
        return fold.fold_strict(lines, State() if state is None else state, self.month)

    def holding(self, state: State, request: str) -> State:
        """``state``, made to hold ``request`` if it exists (``search.holding``)."""
        # imported here: a command that names no request (cron's tick) needs none of it
        from snpctl.store import search

        return search.holding(self, state, request)

    def history_of(self, rid: str) -> Request | None:
        """Request ``rid`` as its own lines make it; None when they do not (the caller folds every line)."""
        from snpctl.store import search

        try:
            return search.request_of(rid, self.lines_of(rid))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def lines_of(self, rid: str) -> Found:
        """The events about request ``rid``, and where each line is (``search.lines_of``)."""
        from snpctl.store import search

        key = (rid, self.month.newest())
        if self._found is None or self._found[0] != key:  # else asked twice by one command (a request, its timeline)
            self._found = (key, search.lines_of(self.files(), rid))
        return self._found[1]

    def timeline(self, rid: str) -> list[dict[str, Any]]:
        """Request ``rid``'s events in order, with the steps of its messages (``search.timeline``)."""
        from snpctl.store import search

        return search.timeline(rid, self.lines_of, self.month.lines_from)

    def read_hot(self) -> tuple[State, Torn | None]:
        """The state of what is open, for a reader that needs no history: snapshot + tail when it fits."""
        loaded = self._from_snapshot()
        return loaded if loaded is not None else self.read()

    def read(self) -> tuple[State, Torn | None]:
        """The state, for commands that only read (no lock, nothing written); one month file in memory at a time."""
        state = self._fold(self.month.each_line(self.files()))
        return state, self.torn

    def full_state(self) -> tuple[State, Torn | None]:
        """The state from the first line, each checked as verify does; one month file in memory at a time."""
        state = self._fold_strict(self.month.each_line(self.files()))
        return state, self.torn

    def fits(self, tip: Tip, last_hash: str, taken: list[Stat]) -> bool:
        """Does something derived from this ledger as of ``tip`` still fit it (``fold.fits``)?"""
        return fold.fits(self.month, self.stamp_path, tip, last_hash, taken)

    def stats(self) -> list[Stat]:
        return [stat(path) for path in self.files()]

    def _from_snapshot(self) -> tuple[State, Torn | None] | None:
        return fold.from_snapshot(self)

    # -- writing ---------------------------------------------------------------------------

    @contextmanager
    def _locked(self, path: Path | None = None, *, timeout: float | None = None) -> Iterator[None]:
        with lock.locked(self.dir, path, timeout=timeout):
            yield

    @contextmanager
    def transaction(self, now: datetime) -> Iterator[Transaction]:
        """Lock, recover a torn tail, fold; the caller decides and appends. Released on exit.

        When no snapshot fits (after a hand edit, a git pull, an upgrade), every line must be folded
        with verify's checks: that is done first without the lock (``fold.warm``), so that the commands
        behind this one (cron's tick, a coordinator's) do not wait for all of history.
        """
        derived.owner_only(self.home / ".snpctl")  # an older snpctl under umask 000 left it open to all
        for warmed in (False, True):
            if warmed:
                fold.warm(self)
            with self._locked():
                begun = self._begin(now, last_try=warmed or not self.durable)
                if begun is None:
                    continue  # leaves the lock to others while it folds
                self._cache = None  # rebuilt below once the transaction succeeded
                transaction, seq = Transaction(self, *begun), begun[0].seq
                yield transaction
                self._end(transaction.state, seq)
                return

    def _begin(self, now: datetime, *, last_try: bool) -> tuple[State, list[str]] | None:
        """Under the lock: the state to decide on, a torn tail recovered; None: fold history without the lock first."""
        if self._cache is not None and self._cache[0] == self.month.newest():
            return self._cache[1], []
        loaded = self._from_snapshot()
        if loaded is None and not last_try:
            return None
        if loaded is None:
            self._snapshot_seq = None
        state, torn = loaded if loaded is not None else self.full_state()
        if torn is None:
            return state, []
        from snpctl.store import append

        return state, [append.recover(self, state, torn, now)]

    def _end(self, state: State, seq: int) -> None:
        """After the caller appended: the stamp, a new snapshot when due, the state kept for the next transaction."""
        if state.seq != seq and self.durable:
            with suppress(OSError):  # without a stamp the next command folds the whole ledger: slower, never wrong
                fold.write_stamp(self.month, self.stamp_path)
        if state.seq and self.durable and fold.due(self, state):
            fold.save(self, state)  # a non-durable run (a simulation) saves it once, in settle()
        self._cache = (self.month.newest(), state)

    def settle(self) -> None:
        """After a run of non-durable transactions (a simulation): leave a snapshot and stamp for the next command."""
        if self._cache is not None and self._cache[1].seq:
            fold.save(self, self._cache[1])

    def _append(self, state: State, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not events:
            return []
        # imported here: an idle tick writes nothing
        from snpctl.store import append

        return append.append(self, state, events)
