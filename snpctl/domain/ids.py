"""Request ids: a number and a check letter, read aloud over the phone ("zero-four-two K").

Owns the id's spelling (``request_id``), its reading from what a user typed (``normalize_id``),
whether an id was given yet (``taken_in``) and the ids a mistyped one may have meant (``meant``).
Knows nothing of the rules, the config or the ledger: the store and the cascade both import it,
so it must stay free of decision code.

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


NUMBER = re.compile(r"^(\d+)([A-Z]?)$")


def meant(text: str, count: int, most: int = 3) -> list[str]:
    """The ids among the first ``count`` requests that ``text``, an id none of them has, may have meant.

    ``010`` (no check letter) and ``010Y`` (a wrong one) may mean ``010X``, the id of that number; a
    letter may also be right and a digit wrong or two neighbouring digits swapped (``011X``, ``001X``
    for ``010X``): the ids of the numbers one such slip away whose letter is the one typed. At most
    ``most``, the id of the same number first. Only suggestions: the command still refuses ``text``.
    """
    match = NUMBER.match(normalize_id(text))
    if not match:
        return []
    digits, letter = match.groups()
    found = [request_id(int(digits))]
    if letter:
        found += sorted(rid for rid in map(request_id, _slips(digits)) if rid[-1] == letter)
    typed = normalize_id(text)
    ids = [rid for rid in dict.fromkeys(found) if rid != typed and taken_in(rid, count)]
    return ids[:most]


def _slips(digits: str) -> set[int]:
    """The numbers ``digits`` is one slip away from: a digit wrong, or two neighbouring digits swapped."""
    wrong = {digits[:i] + d + digits[i + 1 :] for i in range(len(digits)) for d in "0123456789"}
    swapped = {digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :] for i in range(len(digits) - 1)}
    return {int(number) for number in wrong | swapped}
