"""What a coordinator reads at the desk, in French: the answers and errors of the cascade, `list` and `show`.

One afternoon on the small inline CPTS (Monday 15 January 2024, Europe/Paris) goes through every branch:
out of protocol, the 15, the treating doctor's window, a refusal, an escalation, a double accept, a
direct booking, an expiry by tick, a no-show, a synthesis, `list`, `show`, a bad request id and a
bad time. Each answer is checked line by line; none shows an internal code; and `--json` and the
ledger are the same bytes, whatever the language.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from conftest import Desk, make_workspace

DAY = "2024-01-15"

# (when, command): the afternoon, in the order the desk types it
AFTERNOON: list[tuple[str, tuple[str, ...]]] = [
    (f"{DAY}T16:00", ("intake", "--motif", "renouvellement", "--source", "cot")),
    (f"{DAY}T16:00", ("intake", "--motif", "douleur_thoracique", "--source", "cot")),
    (f"{DAY}T16:00", ("intake", "--motif", "fievre", "--source", "cot", "--treating-doctor", "gp-a")),
    (f"{DAY}T16:01", ("notify", "003H")),
    (f"{DAY}T16:05", ("intake", "--motif", "fievre", "--source", "web", "--treating-doctor", "gp-b")),
    (f"{DAY}T16:06", ("notify", "004J")),
    (f"{DAY}T16:07", ("refuse", "004J", "--by", "gp-b", "--reason", "away")),
    (f"{DAY}T16:10", ("accept", "003H", "--by", "gp-b", "--at", "17:30")),
    (f"{DAY}T16:15", ("intake", "--motif", "fievre", "--source", "samu")),
    (f"{DAY}T16:16", ("book", "005K", "--by", "gp-cami", "--at", "16:30", "--site", "cami")),
    (f"{DAY}T16:20", ("intake", "--motif", "fievre", "--source", "cot")),
    (f"{DAY}T16:21", ("notify", "006L")),
    (f"{DAY}T17:02", ("tick",)),
    (f"{DAY}T17:05", ("accept", "003H", "--by", "gp-cami", "--at", "17:45")),
    (f"{DAY}T17:06", ("accept", "003H", "--by", "gp-b", "--at", "18:00")),
    (f"{DAY}T17:10", ("accept", "004J", "--by", "gp-a", "--at", "16:00")),
    (f"{DAY}T17:11", ("accept", "004J", "--by", "gp-a", "--at", "17:40")),
    (f"{DAY}T18:00", ("outcome", "005K", "no-show")),
    (f"{DAY}T18:22", ("tick",)),
    (f"{DAY}T18:30", ("outcome", "003H", "seen")),
    (f"{DAY}T18:35", ("synthesis", "003H", "--by", "gp-cami", "--text", "Angine virale, paracétamol.")),
    (f"{DAY}T18:36", ("intake", "--motif", "fievre", "--source", "cot", "--treating-doctor", "gp-b")),
    (f"{DAY}T18:37", ("notify", "007M")),
    (f"{DAY}T18:40", ("notify", "004K")),
    (f"{DAY}T18:40", ("list",)),
    (f"{DAY}T18:41", ("show", "003H")),
]
