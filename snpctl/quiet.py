"""Pausing Python's cyclic garbage collector around passes over the whole ledger."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block without the cyclic collector, then restore it as it was.

    A pass over years of ledger makes millions of events, requests and messages with no cycle
    between them; the collector would rescan those that stay (the state) again and again as they
    pile up. Reference counting still frees each event once read, so memory stays bounded.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
