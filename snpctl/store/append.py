"""Appending to the ledger: number, chain and check new lines as ``verify`` would, write them, fsync.

Owns which month file a batch goes to, the refusal of a line ``verify`` would reject (nothing is
written, exit 3), the write and its fsync, taking back a write that failed (``undo``), and the
recovery of a torn last line (moved to ``private/quarantine/``, cut off, recorded). Must not know
what the events mean (the caller decided them) nor take the lock (the transaction holds it).
"""

from __future__ import annotations

import hashlib
import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from snpctl import derived
from snpctl.domain.events import canonical, line_hash, new
from snpctl.domain.state import State
from snpctl.errors import LedgerError
from snpctl.i18n import _
from snpctl.store.files import LEDGER_MODES, MonthFiles, Tip, Torn, fsync_dir

if TYPE_CHECKING:
    from snpctl.store.ledger import Ledger


def append(ledger: Ledger, state: State, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Number, chain and fold ``events`` into ``state`` as ``verify`` would, then write and fsync them.

    A line ``verify`` would reject is never written: the command fails (exit 3), nothing is
    recorded, and ``state`` must be dropped (the transaction does).
    """
    if not events:
        return []
    target, size, created = _target(ledger.month, events[0]["at"][:7])
    listed = ledger.month.files()
    first = size == 0 and bool(listed) and listed[0].name != target.name  # a new month file, not the first
    numbered, chunks = _numbered(state, events, target.name[:7], first)
    data = b"".join(chunks)
    _write(ledger.month, target, size, data, created=created, durable=ledger.durable)
    ledger._tail_bytes += len(data)
    end = size + len(data)
    tip = ledger.tip
    line = (tip.line if tip is not None and tip.file == target.name else 0) + len(chunks)
    ledger.tip = Tip(target.name, end - len(chunks[-1]), end, line)
    return numbered


def _target(files: MonthFiles, month: str) -> tuple[Path, int, bool]:
    """The file a batch of ``month`` goes to (the newest file's month, if later), its size, whether it is to create."""
    listed = files.files()
    newest = listed[-1].name[:7] if listed else ""
    target = files.dir / f"{max(newest, month)}.jsonl"
    created = not target.exists()
    return target, 0 if created else target.stat().st_size, created


def _numbered(
    state: State, events: list[dict[str, Any]], month: str, first: bool
) -> tuple[list[dict[str, Any]], list[bytes]]:
    """The events numbered and chained after ``state``, each checked and folded into it, and their lines."""
    numbered: list[dict[str, Any]] = []
    chunks: list[bytes] = []
    for event in events:
        event = {**event, "seq": state.seq + 1, "prev": state.last_hash}
        raw = canonical(event)
        check(state, raw, month, first=first and not chunks)  # folds it in
        state.last_hash = line_hash(raw)
        numbered.append(event)
        chunks.append(raw + b"\n")
    return numbered, chunks


def check(state: State, raw: bytes, month: str, *, first: bool) -> None:
    """Refuse a line ``verify`` would reject after ``state`` (its own per-line checks); else fold it in."""
    from snpctl.store.chain import line_problem

    problem = line_problem(state, raw, state.last_hash, month, first=first)
    if problem:
        raise LedgerError(
            _(
                "This command would write a line that `snpctl verify` rejects ({problem}); nothing "
                "was recorded. Run `snpctl verify`, and report the command if it passes."
            ).format(problem=problem)
        )


def _write(files: MonthFiles, target: Path, size: int, data: bytes, *, created: bool, durable: bool) -> None:
    """Append ``data`` to ``target`` of ``size`` bytes (or ``created``) and fsync it; taken back if that fails."""
    try:
        if created:
            derived.make_folder(files.dir, LEDGER_MODES[0])
            files.forget()
        fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, LEDGER_MODES[1])
        try:
            if created:
                os.fchmod(fd, LEDGER_MODES[1])  # whatever the umask: 077 would hide it from git's readers
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        if created and durable:
            fsync_dir(files.dir)
    except OSError as error:
        undo(target, size, created)
        files.forget()
        raise LedgerError(
            _("Could not write ledger/{file} ({error}); nothing was recorded. Check the disk and try again.").format(
                file=target.name, error=error.strerror or error
            )
        ) from None


def undo(target: Path, size: int, created: bool) -> None:
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


def recover(ledger: Ledger, state: State, torn: Torn, now: datetime) -> str:
    """Move a torn last line out of ledger/ (it may hold personal data), cut it off, record it; the warning."""
    derived.make_folder(ledger.quarantine)
    digest = hashlib.sha256(torn.data).hexdigest()
    target = ledger.quarantine / f"{torn.path.stem}-{torn.offset}-{digest[:12]}.torn"
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
    ledger._append(
        state, [new("recovery", now, file=torn.path.name, offset=torn.offset, length=len(torn.data), sha256=digest)]
    )
    return _(
        "Recovered the ledger: an incomplete last line of ledger/{file} ({length} bytes, from an interrupted "
        "write) was moved to {target}."
    ).format(file=torn.path.name, length=len(torn.data), target=target.relative_to(ledger.home))
