"""Who is sending which messages: ``.snpctl/senders/``, one file per sending process.

A sender (the process that sends a batch after a command has answered) creates its file and
holds an exclusive ``flock`` on it for its whole life, so that anyone can tell whether it is
still running: the kernel releases the lock when it dies, however it dies. In the file:

    sender 4242         the process that sends (written again by a forked sender)
    claimed 3 4 5       the messages it claimed (its ``attempt`` line), written under the ledger lock
    handed 4            a message about to be handed to a gateway (SMS command, mail server)

``tick`` reads this under the ledger lock to tell a batch still being sent (never given up,
whatever its age) from one whose sender died: a message it never handed over was not sent
(recorded failed, ``interrupted``, and retried); one it handed over may have been (given up as
``unknown``, never sent twice). Owner-only; losing the folder only brings back the rule of a
fixed delay (``SENDING_STALE``). No fsync: a power cut stops the sender and its gateway too.
Must not know what a message says nor how the ledger records it: only message ids and pids.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from contextlib import suppress
from pathlib import Path
from typing import NamedTuple

FOLDER = Path(".snpctl") / "senders"


def folder(home: Path) -> Path:
    return home / FOLDER


class Entry:
    """This process's entry: created, locked, written as the batch goes, removed at the end."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path, self.fd = path, fd

    def _write(self, line: str) -> None:
        if self.fd >= 0:
            with suppress(OSError):  # without it, a dead sender's messages fall back to the fixed delay
                os.write(self.fd, line.encode("ascii"))  # one short append: atomic between threads

    def sender(self, pid: int) -> None:
        self._write(f"sender {pid}\n")

    def claimed(self, ids: list[int]) -> None:
        self._write("claimed " + " ".join(map(str, ids)) + "\n")

    def handed(self, message_id: int) -> None:
        self._write(f"handed {message_id}\n")

    def release(self) -> None:
        """Let go of the file without removing it (a parent that forked its sender: the sender keeps it)."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def done(self) -> None:
        """The batch is recorded: remove the entry, then let go of the lock."""
        with suppress(OSError):
            self.path.unlink(missing_ok=True)
        self.release()


def register(home: Path) -> Entry | None:
    """A new, locked entry for this process; None when ``.snpctl/`` cannot be written (then: the fixed delay)."""
    where = folder(home)
    try:
        where.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(where, 0o700)
        path = where / f"{os.getpid()}-{os.urandom(3).hex()}"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
    except OSError:
        return None
    try:
        os.fchmod(fd, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
    except OSError:
        os.close(fd)
        path.unlink(missing_ok=True)
        return None
    entry = Entry(path, fd)
    entry.sender(os.getpid())
    return entry


class Seen(NamedTuple):
    """Another process's entry as read now."""

    path: Path
    alive: bool
    pid: int | None
    claimed: frozenset[int]
    handed: frozenset[int]


def _alive(path: Path) -> bool | None:
    """Whether the entry's sender still holds it; None if it went away meanwhile."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except OSError as error:
        if error.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return True
        return None
    finally:
        os.close(fd)


def read(home: Path) -> list[Seen]:
    """Every entry, with whether its sender is alive. Nothing (no folder): every sender is unknown."""
    try:
        paths = sorted(folder(home).iterdir())
    except OSError:
        return []
    seen = []
    for path in paths:
        alive = _alive(path)
        if alive is None:
            continue
        pid, claimed, handed = None, set(), set()
        try:
            lines = path.read_text(encoding="ascii", errors="replace").splitlines()
        except OSError:
            continue
        for line in lines:
            word, _, rest = line.partition(" ")
            try:
                numbers = [int(n) for n in rest.split()]
            except ValueError:
                continue  # a line cut short by a crash: the rest of the entry still counts
            if word == "sender" and numbers:
                pid = numbers[-1]
            elif word == "claimed":
                claimed.update(numbers)
            elif word == "handed":
                handed.update(numbers)
        seen.append(Seen(path, alive, pid, frozenset(claimed), frozenset(handed)))
    return seen


def whereabouts(seen: list[Seen]) -> dict[int, str]:
    """Message id -> ``alive`` (its sender runs), ``handed`` (a dead sender handed it over) or ``interrupted``
    (a dead sender claimed it and never handed it over). A message in no entry is not in the answer."""
    where: dict[int, str] = {}
    rank = {"interrupted": 0, "handed": 1, "alive": 2}
    for entry in seen:
        for message_id in entry.claimed:
            state = "alive" if entry.alive else "handed" if message_id in entry.handed else "interrupted"
            if rank[state] > rank.get(where.get(message_id, ""), -1):
                where[message_id] = state
    return where


def forget_settled(seen: list[Seen], sending: set[int]) -> None:
    """Remove the entries of dead senders none of whose messages is still being sent (``sending``)."""
    for entry in seen:
        if not entry.alive and not entry.claimed & sending:
            with suppress(OSError):
                entry.path.unlink(missing_ok=True)


def wait_idle(home: Path, seconds: float) -> bool:
    """Wait until no sender is running (at most ``seconds``); whether none is."""
    deadline = time.monotonic() + seconds
    while any(entry.alive for entry in read(home)):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True
