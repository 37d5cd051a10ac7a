"""Request ids: a number and a check letter, read aloud over the phone ("zero-four-two K").

Owns the id's spelling (``request_id``), its reading from what a user typed (``normalize_id``)
and whether an id was given yet (``taken_in``). Knows nothing of the rules, the config or the
ledger: the store and the cascade both import it, so it must stay free of decision code.

n mod 11 changes with any single wrong digit and any two swapped neighbouring digits, so a
mistyped id is refused instead of acting on another patient's request.
"""

from __future__ import annotations

import re

CHECK_LETTERS = "ACEHJKLMRUX"
ID = re.compile(r"^(\d+)([A-Z])$")


def request_id(number: int) -> str:
    return f"{number:03d}{CHECK_LETTERS[number % 11]}"


def normalize_id(text: str) -> str:
    """``001c``, `` 1C ``, ``0-01C`` all mean ``001C``."""
    rid = re.sub(r"[\s\-_.]", "", text).upper()
    match = ID.match(rid)
    if match and request_id(int(match.group(1)))[-1] == match.group(2):
        return request_id(int(match.group(1)))
    return rid


def taken_in(rid: str, count: int) -> bool:
    """Whether ``rid`` (normalized) is the id of one of the first ``count`` requests: ids are given in order."""
    number = rid[:-1]
    return number.isascii() and number.isdigit() and 0 < int(number) <= count and request_id(int(number)) == rid
