"""The ledger on disk: ``ledger/YYYY-MM.jsonl``, append-only, locked, fsynced, hash-chained.

Writers go through ``Ledger.transaction()``: take the lock (on the folder ``ledger/`` itself, so
that deleting ``.snpctl/`` cannot drop it), recover a torn last line, fold the state, let the
caller decide, check each new line as ``verify`` would, append and fsync, all under that one lock. Readers
(``Ledger.read``) take no lock and never write: a line without its newline is not an event.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import marshal
import os
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import Any, Iterable, Iterator, NamedTuple

import orjson

from snpctl import derived
from snpctl.domain.events import GENESIS, canonical, line_hash, new, shape_problem
from snpctl.domain.state import FINAL_STEPS, MESSAGE_STEPS, Request, State, apply, put_request
from snpctl.errors import LedgerError
from snpctl.i18n import _
from snpctl.store import snapshot
from snpctl.store.snapshot import Tip

FILE_NAME = re.compile(r"^\d{4}-\d{2}\.jsonl$")
LOCK_TIMEOUT_ENV = "SNPCTL_LOCK_TIMEOUT"      # seconds; contract: 10
LEDGER_MODES = (0o755, 0o644)   # ledger/ and its files: readable by git and backups, writable by the owner only
WARM_WAIT = 120.0   # seconds a writer waits for another to fold all history (10 s at 480K events), then goes on
NO_LOCK_ENV = "SNPCTL_TEST_NO_LOCK"          # test-only: proves the concurrency tests test something
HOLD_ENV = "SNPCTL_TEST_HOLD"                # test-only: seconds between deciding and appending (widens races)


class Line(NamedTuple):       # records as NamedTuples: cheaper to define than dataclasses (start-up)
    file: str          # "2024-01.jsonl"
    number: int        # 1-based line number in that file
    raw: bytes         # without the newline


class Torn(NamedTuple):
    """An incomplete last line: bytes after the last newline of the newest file."""

    path: Path
    offset: int
    data: bytes


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


def _where(line: Line) -> str:
    return f"ledger/{line.file}:{line.number}"


def damaged(line: Line, problem: str) -> LedgerError:
    return LedgerError(_("{where}: {problem}. The ledger is damaged; run `snpctl verify` and restore the file from git "
                         "before going on.").format(where=_where(line), problem=problem))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Where(NamedTuple):
    """Where a line is: its month file (index among the files, oldest first) and its bytes there."""

    file: int
    start: int
    end: int


# how a message step's line ends: keys are sorted, and "type" comes after "at", "messages", "prev" and "seq"
_STEP_ENDINGS = tuple(b'"type":"%s"}' % kind.encode() for kind in MESSAGE_STEPS)


class Ledger:
    def __init__(self, home: Path, *, durable: bool = True) -> None:
        self.home = home
        self.durable = durable      # False only for throw-away ledgers (simulations): no fsync
        self.dir = home / "ledger"
        self.lock_path = self.dir    # the lock is on ledger/ itself: deleting .snpctl/ (git clean -X) cannot drop it
        self.warm_lock_path = home / ".snpctl" / "warm"    # held while history is folded without the lock
        self.quarantine = home / "private" / "quarantine"
        self.snapshot_path = home / ".snpctl" / "snapshot"
        self.stamp_path = home / ".snpctl" / "stamp"
        self.tip: Tip | None = None
        self.torn: Torn | None = None    # the newest file's torn tail, as of the last lines read
        self.last_hash = GENESIS        # of the last line read by checked()
        self._snapshot_seq: int | None = None    # the sequence of the snapshot read or written last
        self._tail_bytes = 0                      # bytes of the lines after it
        self._cache: tuple[tuple, State] | None = None
        self._found: tuple[tuple, list[tuple[Where, dict[str, Any]]]] | None = None   # lines_of's last answer
        self._files: list[Path] | None = None
        self._files_stamp = 0

    # -- reading ---------------------------------------------------------------------------

    def files(self) -> list[Path]:
        """The month files, oldest first; listed again only when the folder changed (its mtime)."""
        try:
            stamp = os.stat(self.dir).st_mtime_ns
        except (FileNotFoundError, NotADirectoryError):
            return []
        if self._files is None or self._files_stamp != stamp:
            names = sorted(name for name in os.listdir(self.dir) if FILE_NAME.match(name))
            self._files, self._files_stamp = [self.dir / name for name in names], stamp
        return self._files

    def lines(self, start: Tip | None = None) -> tuple[list[Line], Torn | None]:
        """Every complete line after ``start`` (default: all), in order, and the torn tail of the newest file.

        Also remembers where the last complete line is (``self.tip``), for the snapshot.
        """
        lines = list(self._each_line(self.files(), start))
        return lines, self.torn

    def checked(self, lines: Iterable[Line], *, seq: int = 0,
                previous: str = GENESIS) -> Iterator[tuple[Line, dict[str, Any]]]:
        """Each line's event, checked for shape, sequence and chain from the line numbered ``seq`` hashed ``previous``."""
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
                raise damaged(line, _("sequence number {found}, expected {expected}")
                              .format(found=event["seq"], expected=seq))
            if event["prev"] != previous:
                raise damaged(line, _("the hash of the previous line does not match (expected {expected}, found "
                                      "{found})").format(expected=previous[:12], found=event["prev"][:12]))
            previous = line_hash(line.raw)
            self.last_hash = previous
            yield line, event

    def _fold(self, lines: Iterable[Line], state: State | None = None) -> State:
        """The fold of a reader: lines checked for shape, sequence and chain, and each must fit the state before it."""
        state = State() if state is None else state
        before = state.seq
        for line, event in self.checked(lines, seq=state.seq, previous=state.last_hash):
            try:
                apply(state, event)
            except (KeyError, ValueError, TypeError) as error:
                raise damaged(line, _("the event does not fit the events before it ({error})")
                              .format(error=error)) from None
        if state.seq != before:       # a line was read
            state.last_hash = self.last_hash
        return state

    def _fold_strict(self, lines: Iterable[Line], state: State | None = None) -> State:
        """The fold of a writer: every line must pass verify's checks, or nothing is written."""
        state = State() if state is None else state
        lines = iter(lines)
        line = next(lines, None)
        if line is None:
            return state
        from snpctl.store.chain import line_problem
        previous = state.last_hash
        first_file = self.files()[0].name if state.seq == 0 else None
        for line in chain((line,), lines):
            problem = line_problem(state, line.raw, previous, line.file[:7],
                                   first=line.number == 1 and line.file != first_file)
            if problem:
                raise damaged(line, problem)
            previous = state.last_hash = line_hash(line.raw)
        return state

    def _each_line(self, files: list[Path], start: Tip | None = None) -> Iterator[Line]:
        """The complete lines after ``start`` (default: all), one month file in memory at a time.

        Once they are all read, ``self.tip`` is where the last one is and ``self.torn`` the newest
        file's bytes after its last newline (an interrupted write), if any.
        """
        self.tip, self.torn = start, None
        for index, path in enumerate(files):
            if start is not None and path.name < start.file:
                continue
            offset, first = (start.end, start.line + 1) if start is not None and path.name == start.file else (0, 1)
            with path.open("rb") as handle:
                handle.seek(offset)
                data = handle.read()
            parts = data.split(b"\n")
            tail = parts.pop()      # b"" when the file ends with a newline
            if tail:
                if index != len(files) - 1:
                    raise damaged(Line(path.name, first + len(parts), tail),
                                  _("the line has no newline but a later month file exists"))
                self.torn = Torn(path, offset + len(data) - len(tail), tail)
            for number, raw in enumerate(parts, first):
                yield Line(path.name, number, raw)
            if parts:
                end = offset + len(data) - len(tail)
                self.tip = Tip(path.name, end - len(parts[-1]) - 1, end, first + len(parts) - 1)

    def stream(self, start: Tip | None = None, *, seq: int = 0,
               previous: str = GENESIS) -> Iterator[tuple[Line, dict[str, Any]]]:
        """The lines and events after ``start`` (default: all; line ``seq``, hashed ``previous``).

        Each is checked for shape, sequence and chain, not folded: for a reader that keeps its own
        derived state (the report's tallies), which checks with ``fits`` where it starts. One month
        file is in memory at a time, not the whole history; ``self.torn`` is known once all are read.
        """
        return self.checked(self._each_line(self.files(), start), seq=seq, previous=previous)

    def holding(self, state: State, request: str) -> State:
        """``state``, made to hold ``request`` if it exists: a snapshot's holds only the hot requests.

        A request it left out (a synthesis a week after the visit) is made from its own lines
        (``history_of``). An id no request was given (a typo, a check letter that does not match)
        is left to the command's refusal: neither costs a fold of all history.
        """
        from snpctl.domain.cascade import normalize_id, taken_in
        rid = normalize_id(request)
        if not state.partial or rid in state.requests or not taken_in(rid, state.request_count):
            return state
        found = self.history_of(rid)
        if found is None:
            return self.full_state()[0]          # which says what is wrong, if anything is
        put_request(state, found)
        # in the order of their numbers, as a fold keeps them: the snapshot's newest-first walk relies on it
        state.requests = dict(sorted(state.requests.items(), key=lambda item: item[1].number))
        return state

    def history_of(self, rid: str) -> Request | None:
        """Request ``rid`` as its own lines make it; None when they do not (the caller folds every line)."""
        scratch = State(request_count=int(rid[:-1]) - 1)     # its intake numbers it
        try:
            for _where, event in self.lines_of(rid):
                apply(scratch, event)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return scratch.requests.get(rid)

    def lines_of(self, rid: str) -> list[tuple[Where, dict[str, Any]]]:
        """The events about request ``rid``, and where each line is, found by a search for their bytes.

        For a ledger whose snapshot fits (its lines were checked as they were folded): an event
        names its request as ``"request":"<id>"``, so only those lines are read, at the cost of a
        search through the files, not of a parse of each line.
        """
        key = (rid, self._cache_key())
        if self._found is not None and self._found[0] == key:
            return self._found[1]              # asked twice by one command (a request and its timeline)
        needle = b'"request":"' + rid.encode("ascii") + b'"'
        found = []
        for index, path in enumerate(self.files()):
            data = path.read_bytes()
            at = data.find(needle)
            while at != -1:
                start, end = data.rfind(b"\n", 0, at) + 1, data.find(b"\n", at)
                if end == -1:
                    break                                   # an unfinished last line is no event
                event = orjson.loads(data[start:end])
                if event["request"] == rid:
                    found.append((Where(index, start, end), event))
                at = data.find(needle, end)
        self._found = (key, found)
        return found

    def timeline(self, rid: str) -> list[dict[str, Any]]:
        """Request ``rid``'s events in order, with the steps of its messages (its part of each batch).

        The steps are looked for from its first queued batch on, only until each of its messages
        is sent or given up and its last batch is passed: minutes of the ledger, not the rest of it.
        """
        try:
            own = self.lines_of(rid)
            batches = {where: [entry[0] for entry in event["messages"]] for where, event in own
                       if event["type"] == "queue"}
            steps: list[tuple[Where, dict[str, Any]]] = []
            waiting: set[int] = set()
            last = max(batches, default=None)
            for where, raw in self._lines_from(min(batches)) if batches else ():
                if where in batches:
                    waiting.update(batches[where])
                elif waiting and raw.endswith(_STEP_ENDINGS):
                    event = orjson.loads(raw)
                    mine = [entry for entry in event["messages"] if entry[0] in waiting]
                    if mine:
                        steps.append((where, {**event, "messages": mine}))
                        if event["type"] in FINAL_STEPS:                 # no step follows these
                            waiting.difference_update(entry[0] for entry in mine)
                if not waiting and where >= last:
                    break
        except (ValueError, KeyError, TypeError):
            raise LedgerError(_("A line about request {id} does not read as an event: run `snpctl verify`, which "
                                "names it.").format(id=rid)) from None
        return [event for _where, event in sorted(own + steps, key=itemgetter(0))]

    def _lines_from(self, first: Where) -> Iterator[tuple[Where, bytes]]:
        """The complete lines from ``first`` on, with where each is."""
        files = self.files()
        for index in range(first.file, len(files)):
            data = files[index].read_bytes()
            start = first.start if index == first.file else 0
            for raw in data[start:].split(b"\n")[:-1]:
                yield Where(index, start, start + len(raw)), raw
                start += len(raw) + 1

    def read_hot(self) -> tuple[State, Torn | None]:
        """The state of what is open, for a reader that needs no history: snapshot + tail when it fits."""
        loaded = self._from_snapshot()
        return loaded if loaded is not None else self.read()

    def read(self) -> tuple[State, Torn | None]:
        """The state, for commands that only read (no lock, nothing written); one month file in memory at a time."""
        state = self._fold(self._each_line(self.files()))
        return state, self.torn

    # -- writing ---------------------------------------------------------------------------

    @contextmanager
    def _locked(self, path: Path | None = None, *, timeout: float | None = None) -> Iterator[None]:
        """Hold the ledger's lock (or the one at ``path``); "busy" after ``timeout`` s (default: the lock wait)."""
        if os.environ.get(NO_LOCK_ENV) == "1":
            yield
            return
        fd = self._open_folder() if path is None else self._open_lock_file(path)
        try:
            timeout = float(os.environ.get(LOCK_TIMEOUT_ENV, "10")) if timeout is None else timeout
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as error:
                    if error.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                        raise
                    if time.monotonic() >= deadline:
                        raise LedgerError(_("The ledger is busy: another snpctl command has held it for more than "
                                            "{seconds:g} seconds. Try again in a moment.").format(seconds=timeout)) \
                            from None
                    time.sleep(0.02)
            yield
        finally:
            os.close(fd)   # closing releases the lock; a process that dies releases it too

    def _open_folder(self) -> int:
        """``ledger/`` opened to be locked (created 0755 if missing): a lock no deletion in .snpctl/ can drop."""
        try:
            try:
                return os.open(self.dir, os.O_RDONLY | os.O_DIRECTORY)
            except FileNotFoundError:
                derived.make_folder(self.dir, LEDGER_MODES[0])
                return os.open(self.dir, os.O_RDONLY | os.O_DIRECTORY)
        except OSError as error:
            raise LedgerError(_("Could not open the folder ledger/ to lock it ({error}); check that it is a folder "
                                "you may write in.").format(error=error.strerror or error)) from None

    @staticmethod
    def _open_lock_file(path: Path) -> int:
        try:
            return os.open(path, os.O_RDWR | os.O_CREAT, derived.FILE_MODE)
        except FileNotFoundError:
            derived.make_folder(path.parent)
            return os.open(path, os.O_RDWR | os.O_CREAT, derived.FILE_MODE)

    def _stat(self, path: Path) -> tuple[str, int, int]:
        info = path.stat()
        return (path.name, info.st_size, info.st_mtime_ns)

    def _cache_key(self) -> tuple:
        files = self.files()
        return self._stat(files[-1]) if files else ()

    def _write_stamp(self) -> None:
        """What the newest file looked like after our last write: anything else touched it if it differs."""
        files = self.files()
        if files:
            derived.write(self.stamp_path, marshal.dumps(self._stat(files[-1])))

    def fits(self, tip: Tip, last_hash: str, taken: list[tuple[str, int, int]]) -> bool:
        """Does something derived from this ledger as of ``tip`` (hashed ``last_hash``) still fit it?

        ``taken`` is each file's (name, size, mtime) when it was derived. The files before the tip's
        must be unchanged, the tip's line must still hash the same, and the newest file must be as
        our last writer left it (its stamp) or as it was taken: else something else wrote it.
        """
        files = self.files()
        if not files:
            return False
        try:
            newest = self._stat(files[-1])
            if newest not in taken and marshal.loads(self.stamp_path.read_bytes()) != newest:
                return False                      # the newest file was written by something else
            folder, present = os.fspath(self.dir), {path.name for path in files}
            for name, size, mtime in taken:       # one stat a month file: the cheapest check there is
                if name == tip.file:
                    break
                if name not in present:
                    return False                  # an older month file went away
                info = os.stat(f"{folder}/{name}")
                if info.st_size != size or info.st_mtime_ns != mtime:
                    return False                  # an older month file changed
            with (self.dir / tip.file).open("rb") as handle:
                handle.seek(tip.start)
                raw = handle.read(tip.end - tip.start)
            return raw.endswith(b"\n") and line_hash(raw[:-1]) == last_hash   # else another ledger, or rewritten
        except (OSError, ValueError, EOFError, TypeError):
            return False

    def stats(self) -> list[tuple[str, int, int]]:
        return [self._stat(path) for path in self.files()]

    def _from_snapshot(self) -> tuple[State, Torn | None] | None:
        """The snapshot's state plus the lines after it, or None when the snapshot does not fit this ledger.

        The lines after a snapshot that fits were all appended by our writers since (had anything
        else written the newest file, its stamp would differ and the writer would fold every line
        with verify's checks), and a writer appends only what the rules allowed: so they are
        checked for shape, sequence and chain here, not replayed through the audit again.
        """
        taken = snapshot.load(self.snapshot_path)
        if taken is None or taken.tip is None or not self.fits(taken.tip, taken.state.last_hash, taken.files):
            return None
        lines, torn = self.lines(start=taken.tip)
        # the snapshot's own sequence, not the state's once the lines after it are folded: else it is never renewed
        self._snapshot_seq, self._tail_bytes = taken.state.seq, sum(len(line.raw) + 1 for line in lines)
        try:
            return self._fold(lines, taken.state), torn
        except LedgerError:
            return None                           # let the full fold say what is wrong, if anything

    def full_state(self) -> tuple[State, Torn | None]:
        """The state from the first line, each checked as verify does; one month file in memory at a time."""
        state = self._fold_strict(self._each_line(self.files()))
        return state, self.torn

    @contextmanager
    def transaction(self, now: datetime) -> Iterator[Transaction]:
        """Lock, recover a torn tail, fold; the caller decides and appends. Released on exit.

        When no snapshot fits (after a hand edit, a git pull, an upgrade), every line must be folded
        with verify's checks: that is done first without the lock (``_warm``), so that the commands
        behind this one (cron's tick, a coordinator's) do not wait for all of history.
        """
        derived.owner_only(self.home / ".snpctl")    # an older snpctl under umask 000 left it open to all
        for warmed in (False, True):
            if warmed:
                self._warm()
            with self._locked():
                warnings: list[str] = []
                if self._cache is not None and self._cache[0] == self._cache_key():
                    state = self._cache[1]
                else:
                    loaded = self._from_snapshot()
                    if loaded is None and not warmed and self.durable:
                        continue                    # leaves the lock to others while it folds
                    if loaded is None:
                        self._snapshot_seq = None
                    state, torn = loaded if loaded is not None else self.full_state()
                    if torn is not None:
                        warnings.append(self._recover(state, torn, now))
                self._cache = None   # rebuilt below once the transaction succeeded
                transaction = Transaction(self, state, warnings)
                seq = state.seq
                yield transaction
                state = transaction.state
                if state.seq != seq and self.durable:
                    try:
                        self._write_stamp()
                    except OSError:
                        pass   # without a stamp the next command folds the whole ledger: slower, never wrong
                if state.seq and self.durable and self._snapshot_due(state):
                    self._save_snapshot(state)          # a non-durable run (a simulation) saves it once, in settle()
                self._cache = (self._cache_key(), state)
                return

    def _snapshot_due(self, state: State) -> bool:
        """Whether the lines since the snapshot cost enough to write a new one: every command folds them."""
        return self._snapshot_seq is None or state.seq - self._snapshot_seq >= snapshot.EVERY \
            or self._tail_bytes >= snapshot.EVERY_BYTES

    def _warm(self) -> None:
        """Without the lock: fold every line with verify's checks and leave a snapshot of them.

        The writer, once it holds the lock, then folds only what was appended since. The snapshot
        records the files as they were before the reading, and is left only if nothing moved
        meanwhile. Writers that come meanwhile wait for it (``.snpctl/warm``, up to ``WARM_WAIT``:
        a stopped process must not stop cron for good), then use it, rather than fold all of
        history too. Whatever goes wrong here (the wait too) is left to the writer, which folds every
        line under the lock and says what is wrong, if anything is.
        """
        try:
            with self._locked(self.warm_lock_path, timeout=WARM_WAIT):   # one at a time: the others wait
                if self._from_snapshot() is not None:
                    return                                            # and use what it left
                before = self.stats()
                state = self._fold_strict(self._each_line(self.files()))
                if self.tip is not None and self.stats() == before:
                    snapshot.save(self.snapshot_path, state, self.tip, before)
        except (LedgerError, OSError):
            pass

    def settle(self) -> None:
        """After a run of non-durable transactions (a simulation): leave a snapshot and stamp for the next command."""
        if self._cache is not None and self._cache[1].seq:
            self._save_snapshot(self._cache[1])

    def _save_snapshot(self, state: State) -> None:
        try:
            snapshot.save(self.snapshot_path, state, self.tip, self.stats())
            self._write_stamp()
            self._snapshot_seq, self._tail_bytes = state.seq, 0
        except OSError:
            pass   # a snapshot is only a shortcut

    def _recover(self, state: State, torn: Torn, now: datetime) -> str:
        """Move a torn last line out of ledger/ (it may hold personal data), cut it off, record it."""
        derived.make_folder(self.quarantine)
        digest = hashlib.sha256(torn.data).hexdigest()
        target = self.quarantine / f"{torn.path.stem}-{torn.offset}-{digest[:12]}.torn"
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, torn.data)
            os.fsync(fd)
        finally:
            os.close(fd)
        with torn.path.open("r+b") as handle:
            handle.truncate(torn.offset)
            handle.flush()
            os.fsync(handle.fileno())
        self._append(state, [new("recovery", now, file=torn.path.name, offset=torn.offset, length=len(torn.data),
                                 sha256=digest)])
        return _("Recovered the ledger: an incomplete last line of ledger/{file} ({length} bytes, from an interrupted "
                 "write) was moved to {target}.").format(file=torn.path.name, length=len(torn.data),
                                                         target=target.relative_to(self.home))

    @staticmethod
    def _check(state: State, raw: bytes, month: str, *, first: bool) -> None:
        """Refuse a line ``verify`` would reject after ``state`` (its own per-line checks); else fold it in."""
        from snpctl.store.chain import line_problem
        problem = line_problem(state, raw, state.last_hash, month, first=first)
        if problem:
            raise LedgerError(_("This command would write a line that `snpctl verify` rejects ({problem}); nothing "
                                "was recorded. Run `snpctl verify`, and report the command if it passes.")
                              .format(problem=problem))

    @staticmethod
    def _undo(target: Path, size: int, created: bool) -> None:
        """Take back a write that was not acknowledged; if even that fails, the next command sees a torn line."""
        try:
            if created:
                target.unlink(missing_ok=True)
            else:
                with target.open("r+b") as handle:
                    handle.truncate(size)
                    handle.flush()
                    os.fsync(handle.fileno())
        except OSError:
            pass

    def _append(self, state: State, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Number, chain and fold ``events`` into ``state`` as ``verify`` would, then write and fsync them.

        A line ``verify`` would reject is never written: the command fails (exit 3), nothing is
        recorded, and ``state`` must be dropped (the transaction does).
        """
        if not events:
            return []
        files = self.files()
        newest = files[-1].name[:7] if files else ""
        month = events[0]["at"][:7]
        target = self.dir / f"{max(newest, month)}.jsonl"
        created = not target.exists()
        size = 0 if created else target.stat().st_size
        first = size == 0 and bool(files) and files[0].name != target.name    # a new month file, not the first
        numbered, chunks = [], []
        for event in events:
            event = {**event, "seq": state.seq + 1, "prev": state.last_hash}
            raw = canonical(event)
            self._check(state, raw, target.name[:7], first=first and not chunks)    # folds it in
            state.last_hash = line_hash(raw)
            numbered.append(event)
            chunks.append(raw + b"\n")
        data = b"".join(chunks)
        try:
            if created:
                derived.make_folder(self.dir, LEDGER_MODES[0])
                self._files = None
            fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, LEDGER_MODES[1])
            try:
                if created:
                    os.fchmod(fd, LEDGER_MODES[1])     # whatever the umask: 077 would hide it from git's readers
                view = memoryview(data)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
                if self.durable:
                    os.fsync(fd)
            finally:
                os.close(fd)
            if created and self.durable:
                _fsync_dir(self.dir)
        except OSError as error:
            self._undo(target, size, created)
            self._files = None
            raise LedgerError(_("Could not write ledger/{file} ({error}); nothing was recorded. Check the disk and "
                                "try again.").format(file=target.name, error=error.strerror or error)) from None
        self._tail_bytes += len(data)
        end = size + len(data)
        line = (self.tip.line if self.tip is not None and self.tip.file == target.name else 0) + len(chunks)
        self.tip = Tip(target.name, end - len(chunks[-1]), end, line)
        return numbered
