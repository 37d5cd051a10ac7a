"""``.snpctl/heartbeat``: when ``tick`` last ran, so that ``todo`` sees a cron that stopped.

One line, the UTC stamp of the instant the tick ran as (``2024-01-15T16:02:00Z``), rewritten whole
by each tick (a temporary file, then a rename: one small write a minute). Never in the ledger nor in
git: it says nothing of any request. Missing or unreadable: tick never ran here (as far as is known).
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from pathlib import Path

from snpctl import derived
from snpctl.timefmt import from_stamp, to_stamp


def path_of(home: Path) -> Path:
    return home / ".snpctl" / "heartbeat"


def beat(home: Path, now: datetime) -> None:
    """Record that tick ran as of ``now``; a heartbeat that cannot be written is not worth failing a tick for."""
    with contextlib.suppress(OSError):
        derived.write(path_of(home), (to_stamp(now) + "\n").encode("ascii"))


def last(home: Path) -> datetime | None:
    """When tick last ran, or None if it never did (or its heartbeat cannot be read)."""
    try:
        return from_stamp(path_of(home).read_text(encoding="ascii").strip())
    except (OSError, ValueError, UnicodeDecodeError):
        return None
