"""``.snpctl/figures``: the report's running sums, so that a report reads only what was written since.

It holds the domain's ``Tallies`` (``domain.tallies``: sums by intake day and month, open fates) as of one
line of the ledger, checked against the ledger exactly like the snapshot (``Ledger.fits``: the hash of that
line, the older files' size and time, the newest file's stamp), and against its own SHA-256. It is never
trusted blindly and never needed: missing, damaged, from another ledger or another time zone, or
overtaken by a step it cannot take (``Stale``), it is ignored, the report counts from the first
line, and writes it anew. Each month's day sums are packed apart and unpacked only when a report
needs that month's days (a period that cuts it), so loading costs what a report uses.
Knows nothing of the figures' names nor renderings: it never imports ``snpctl.report``.
"""

from __future__ import annotations

import marshal
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from snpctl import derived
from snpctl.domain.tallies import Fate, Stale, Tallies
from snpctl.errors import LedgerError
from snpctl.i18n import _
from snpctl.store.files import Line, Tip, Torn, damaged
from snpctl.store.ledger import Ledger

FORMAT = 3  # 2: the day sums packed month by month, the whole under its SHA-256; 3: the expired not followed up
EVERY = 256  # lines read past the saved tallies before they are saved again


def path_of(ledger: Ledger) -> Path:
    return ledger.home / ".snpctl" / "figures"


def count(ledger: Ledger, zone: ZoneInfo) -> tuple[Tallies, Torn | None]:
    """The tallies of the whole ledger: the saved ones plus the lines after them, or every line."""
    saved = _load(ledger, zone)
    if saved is not None:
        tallies, tip, seq, last_hash = saved
        reading = _Reading(ledger.stream(tip, seq=seq, previous=last_hash))
        try:
            tallies.read(reading, strict=True)
        except (Stale, LedgerError, KeyError, ValueError, TypeError):
            pass  # count from the first line: it says what is wrong, if anything is
        else:
            if reading.seen >= EVERY:
                _save(ledger, tallies, ledger.tip, seq + reading.seen, ledger.last_hash)
            return tallies, ledger.torn
    reading = _Reading(ledger.stream())
    tallies = Tallies(zone)
    try:
        tallies.read(reading)
    except (KeyError, ValueError, TypeError) as error:
        # raised by Tallies.read on an event, which _Reading yields after setting its line
        assert reading.line is not None, "the error is about an event read, whose line is known"
        raise damaged(
            reading.line, _("the event does not fit the events before it ({error})").format(error=error)
        ) from None
    if reading.seen:
        _save(ledger, tallies, ledger.tip, reading.seen, ledger.last_hash)
    return tallies, ledger.torn


class _Reading:
    """The events of ``(line, event)`` pairs, counted, with the line of the last one (to name it if it is damage)."""

    def __init__(self, pairs: Iterator[tuple[Line, dict[str, Any]]]) -> None:
        self.pairs, self.seen = pairs, 0
        self.line: Line | None = None

    def __iter__(self) -> Iterator[dict[str, Any]]:
        # B020 misreads the target: it is the attribute self.line, set without a local in this per-line loop
        for self.line, event in self.pairs:  # noqa: B020
            self.seen += 1
            yield event


def _load(ledger: Ledger, zone: ZoneInfo) -> tuple[Tallies, Tip, int, str] | None:
    try:
        content = derived.unseal(path_of(ledger).read_bytes())
        if content is None:
            return None  # damaged (checked here: the day sums are unpacked later, when a report needs them)
        (version, zone_key, tip, seq, last_hash, files, days, months, open_fates, requests, unfollowed) = marshal.loads(
            content
        )
        if version != FORMAT or zone_key != zone.key:
            return None
        tip = Tip(*tip)
        if not ledger.fits(tip, last_hash, [tuple(f) for f in files]):
            return None
        fates = {rid: Fate(*packed) for rid, packed in open_fates}
        tallies = Tallies(zone, days, months, fates, requests, unpack=marshal.loads, unfollowed=unfollowed)
        return tallies, tip, seq, last_hash
    except (OSError, EOFError, ValueError, TypeError):
        return None


def _packed(days: dict[tuple[int, int], Any]) -> dict[tuple[int, int], bytes]:
    """Each month's day sums marshalled on their own, so that loading does not make the objects of them all."""
    return {month: sums if type(sums) is bytes else marshal.dumps(sums) for month, sums in days.items()}


def _save(ledger: Ledger, tallies: Tallies, tip: Tip | None, seq: int, last_hash: str) -> None:
    if tip is None:
        return
    payload = (
        FORMAT,
        tallies.zone.key,
        (tip.file, tip.start, tip.end, tip.line),
        seq,
        last_hash,
        ledger.stats(),
        _packed(tallies.days),
        tallies.months,
        [(rid, fate.packed()) for rid, fate in tallies.open.items()],
        tallies.requests,
        tallies.unfollowed,
    )
    with suppress(OSError):  # the sums are only a shortcut: a read-only workspace counts every time
        derived.write(path_of(ledger), derived.seal(marshal.dumps(payload)))
