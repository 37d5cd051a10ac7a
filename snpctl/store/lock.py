"""The locks: ``flock`` on the folder ``ledger/`` for writers, and on ``.snpctl/warm`` for a fold of all history.

Owns how long a command waits (``SNPCTL_LOCK_TIMEOUT``, ``WARM_WAIT``), the "busy" error a user
reads, and the test switch that turns locking off. The lock is on ``ledger/`` itself, so that
deleting ``.snpctl/`` (``git clean -X``) cannot drop it. Must not know what is done under a lock.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from snpctl import derived
from snpctl.errors import LedgerError
from snpctl.i18n import _
from snpctl.store.files import LEDGER_MODES

LOCK_TIMEOUT_ENV = "SNPCTL_LOCK_TIMEOUT"  # seconds; contract: 10
WARM_WAIT = 120.0  # seconds a writer waits for another to fold all history (10 s at 480K events), then goes on
NO_LOCK_ENV = "SNPCTL_TEST_NO_LOCK"  # test-only: proves the concurrency tests test something


@contextmanager
def locked(folder: Path, path: Path | None = None, *, timeout: float | None = None) -> Iterator[None]:
    """Hold the lock on ``folder`` (``ledger/``), or on the file at ``path``; "busy" after ``timeout`` s.

    The default timeout is the lock wait (``SNPCTL_LOCK_TIMEOUT``, 10 s).
    """
    if os.environ.get(NO_LOCK_ENV) == "1":
        yield
        return
    fd = _open_folder(folder) if path is None else _open_lock_file(path)
    try:
        _take(fd, float(os.environ.get(LOCK_TIMEOUT_ENV, "10")) if timeout is None else timeout)
        yield
    finally:
        os.close(fd)  # closing releases the lock; a process that dies releases it too


def _take(fd: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except OSError as error:
            if error.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            if time.monotonic() >= deadline:
                raise LedgerError(
                    _(
                        "The ledger is busy: another snpctl command has held it for more than "
                        "{seconds:g} seconds. Try again in a moment."
                    ).format(seconds=timeout)
                ) from None
            time.sleep(0.02)


def _open_folder(folder: Path) -> int:
    """``ledger/`` opened to be locked (created 0755 if missing): a lock no deletion in .snpctl/ can drop."""
    try:
        try:
            return os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        except FileNotFoundError:
            derived.make_folder(folder, LEDGER_MODES[0])
            return os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as error:
        raise LedgerError(
            _(
                "Could not open the folder ledger/ to lock it ({error}); check that it is a folder you may write in."
            ).format(error=error.strerror or error)
        ) from None


def _open_lock_file(path: Path) -> int:
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, derived.FILE_MODE)
    except FileNotFoundError:
        derived.make_folder(path.parent)
        return os.open(path, os.O_RDWR | os.O_CREAT, derived.FILE_MODE)
