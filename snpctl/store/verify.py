"""``snpctl verify``: read the whole ledger and name its first bad line, or sum it up.

Checks, line by line: a newline ends it, it is not absurdly long, it parses, it is canonical,
it has the shape of its type, its sequence number follows, its ``prev`` is the hash of the line
before (across files), it sits in the right month file, it is legal given the events before it
(``domain.audit``), and it carries nothing that looks like personal data. A checkpoint kept
outside the ledger (line count and hash) also catches events cut off the end.

The walk of the files, in one process or in two halves at once, is ``halves``'s; this module
owns the command's side: the summary and the checkpoint. It must not know how a line is
checked (``chain``) nor how a writer appends (``Ledger``, only its list of files is read).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from snpctl.errors import BadUsage, LedgerError
from snpctl.i18n import _
from snpctl.quiet import collector_paused
from snpctl.store import halves
from snpctl.store.halves import Bad, Run
from snpctl.store.ledger import Ledger


@dataclass
class Summary:
    events: int
    requests: int
    last_hash: str
    files: int
    unordered: int
    checkpoint: str | None = None  # "written", "checked", or None


def verify(ledger: Ledger, checkpoint: Path | None = None) -> Summary:
    with collector_paused(), nullcontext() if checkpoint is None else _checkpoint_held(checkpoint):
        return _verify(ledger, checkpoint)


def _verify(ledger: Ledger, checkpoint: Path | None) -> Summary:
    wanted = _read_checkpoint(checkpoint) if checkpoint is not None else None
    files = ledger.files()
    run = Run()
    halves.check(run, files, wanted)
    summary = Summary(run.count, run.state.request_count, run.previous, len(files), run.state.unordered)
    if checkpoint is not None:
        summary.checkpoint = _check_and_advance(checkpoint, wanted, run.count, run.previous, run.hashes_at)
    return summary


# -- the checkpoint ---------------------------------------------------------------------------

CHECKPOINT_WAIT = 600  # seconds a verify waits for another one using the same checkpoint (a long ledger's verify)
_HASH = re.compile(r"^[0-9a-f]{64}$")


@contextmanager
def _checkpoint_held(path: Path) -> Iterator[None]:
    """The checkpoint to ourselves, from reading it to writing its successor (a lock on ``FILE.lock`` beside it).

    Two verifies at once on one checkpoint would otherwise race: each its own temporary file, and a
    checkpoint moved back by the slower one.
    """
    folder = path.parent
    if not folder.is_dir():
        raise BadUsage(
            (
                _("the folder {folder} of the checkpoint does not exist; create it or give another path.")
                if not folder.exists()
                else _("{folder} is not a folder, so the checkpoint {path} cannot be there; give another path.")
            ).format(folder=folder, path=path)
        )
    if path.is_dir():
        raise BadUsage(_("the checkpoint {path} is a folder; give the path of a file.").format(path=path))
    try:
        lock = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as error:
        raise BadUsage(
            _("the checkpoint {path} cannot be written ({error}); give a path in a folder you can write to.").format(
                path=path, error=error.strerror or error
            )
        ) from None
    try:
        waited_until = time.monotonic() + CHECKPOINT_WAIT
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > waited_until:
                    raise LedgerError(
                        _(
                            "the checkpoint {path} has been in use by another verify for more than {n} "
                            "seconds; try again when it has finished."
                        ).format(path=path, n=CHECKPOINT_WAIT)
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(lock)


def _read_checkpoint(path: Path) -> tuple[int, str] | None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as error:
        raise BadUsage(
            _("the checkpoint {path} cannot be read ({error}); give a file you can read.").format(
                path=path, error=error.strerror or error
            )
        ) from None
    except UnicodeDecodeError:
        text = ""
    try:
        data = json.loads(text)
        events, last_hash = data["events"], data["last_hash"]
    except (ValueError, KeyError, TypeError):
        events = last_hash = None
    if type(events) is not int or events < 0 or not isinstance(last_hash, str) or not _HASH.match(last_hash):
        raise BadUsage(
            _(
                "{path} is damaged or is not a checkpoint written by `snpctl verify --checkpoint`; restore it "
                "from where you keep it, or give another file."
            ).format(path=path)
        )
    return events, last_hash


def _check_and_advance(
    path: Path, wanted: tuple[int, str] | None, count: int, last: str, hashes_at: dict[int, tuple[str, int, str]]
) -> str:
    if wanted is not None:
        events, expected = wanted
        if count < events:
            raise LedgerError(
                _(
                    "the ledger has {count} events but the checkpoint {path} recorded {events}: events were "
                    "cut off the end. Restore the ledger from git or a backup."
                ).format(count=count, path=path, events=events)
            )
        if events:
            file, line, found = hashes_at[events]
            if found != expected:
                raise Bad(
                    file,
                    line,
                    _(
                        "does not match the checkpoint {path} (expected hash {expected}, found "
                        "{found}): the history up to here was rewritten"
                    ).format(path=path, expected=expected, found=found),
                )
    _write_checkpoint(path, {"events": count, "last_hash": last})
    return "checked" if wanted is not None else "written"


def _write_checkpoint(path: Path, data: dict[str, Any]) -> None:
    """Replace the checkpoint at once: a temporary file of its own beside it, then a rename; no temporary left."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(handle, 0o644)  # as a plain file would be: it holds nothing private
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(json.dumps(data) + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise BadUsage(
            _(
                "the checkpoint {path} cannot be written ({error}); the ledger itself is sound. Free some "
                "space or give another path."
            ).format(path=path, error=error.strerror or error)
        ) from None
