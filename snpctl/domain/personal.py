"""What personal data looks like: the test ``verify`` puts to every string of a ledger line (``audit``), and
``config`` to every configuration value that commands write into lines. Pure, and light to import (cron's tick
loads the configuration every minute; the audit is only needed by ``verify``)."""

from __future__ import annotations

import re

STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")  # a ledger time: UTC, to the second

_PERSONAL = [
    ("a phone number", re.compile(r"(?<![0-9A-Za-z])(?:\+\s?33\s?|0033\s?|0)[1-9](?:[ .-]?\d{2}){4}(?![0-9A-Za-z])")),
    ("an email address", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")),
    (
        "a social security number",
        re.compile(
            r"(?<![0-9A-Za-z])[12][ .]?\d{2}[ .]?(?:0[1-9]|1[0-2]|[2-9]\d)[ .]?(?:\d{2}|2[AB])[ .]?\d{3}[ .]?\d{3}"
            r"(?:[ .]?\d{2})?(?![0-9A-Za-z])"
        ),
    ),
]

CLEAN: set[str] = set()  # strings already found clean: member ids and templates repeat on every line


def personal_kind(text: str) -> str | None:
    """The kind of personal data ``text`` looks like ("a phone number"...), or None: what verify refuses in a line."""
    if text in CLEAN:
        return None
    if len(text) >= 10 or "@" in text:  # shorter: no phone (10 at least), social security number (13) nor email
        if STAMP.match(text):
            return None  # a UTC stamp has at most 8 digits in a row and no @; not cached, each is new
        for what, pattern in _PERSONAL:
            if pattern.search(text):
                return what
    if len(CLEAN) < 1_000_000:
        CLEAN.add(text)
    return None
