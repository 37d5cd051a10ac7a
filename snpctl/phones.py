"""Phone numbers as people type them, into the E.164 form they are stored and sent in (``+33612345678``).

Owns the reading of a typed number: French by default (``06 12 34 56 78``, ``06.12.34.56.78``,
``+33 (0)6 12 34 56 78``), international accepted (``+32 470 12 34 56``), and refused, with an
example, when it is not a number that can be dialled (``06 12``, two numbers run together,
letters). The parsing and the validation are libphonenumber's (the ``phonenumbers`` port): the
numbering plans of every country, kept up to date there, not by hand here.

    parse(typed, region="FR") -> "+33612345678", or BadUsage (exit 2) saying what is wrong
    problem(typed, region="FR") -> None, or that sentence (for a caller that refuses its own way)
    number(text, region="FR") -> "+33612345678", or None when ``text`` is no valid number (never raises)
    shown(e164) -> "06 12 34 56 78" for a French number, "+32 470 12 34 56" for another: for people to read
    checked(typed) -> number(typed), remembered in the folder ``remember(folder)`` named: roster numbers only

``phonenumbers`` is imported when a number is first read, not with this module: 10 to 20 ms, a
sixth of a command's start-up. Every command reads the roster's numbers, so those found valid are
remembered (``checked``, in ``.snpctl/phones.checked``, sealed like the other derived files) and
the next command reads them back without loading libphonenumber. Only the configuration's numbers
(members', the operator's) are remembered: a patient's stays in ``private/``.
"""

from __future__ import annotations

import contextlib
import marshal
import re
from pathlib import Path

from snpctl import derived
from snpctl.errors import BadUsage
from snpctl.i18n import _

REGION = "FR"  # a number without its +country is French
EXAMPLE = "06 12 34 56 78"


def parse(typed: str, region: str = REGION) -> str:
    """The E.164 form of the number ``typed``; ``BadUsage`` (exit 2) when it is not a valid number."""
    number, why = _read(typed, region)
    if number is None:
        raise BadUsage(why)
    return number


def number(text: str, region: str = REGION) -> str | None:
    """The E.164 form of ``text``, or None when it is not a valid number: for numbers read back, not typed."""
    return _read(text, region)[0]


MEMO_FORMAT, MEMO_MOST = 1, 1000  # of .snpctl/phones.checked; more numbers than that: it starts again
_memo_file: Path | None = None
_memo: dict[str, str] | None = None  # typed -> E.164, numbers libphonenumber found valid


def remember(folder: Path | None) -> None:
    """Where ``checked`` keeps the numbers it found valid (the workspace's ``.snpctl/``); None: nowhere."""
    global _memo_file, _memo
    _memo_file, _memo = (None if folder is None else folder / "phones.checked"), None


def checked(typed: str) -> str | None:
    """``number(typed)``, read back from the numbers found valid before when it is one of them."""
    memo = _remembered()
    if typed in memo:
        return memo[typed]
    found = number(typed)
    if found is not None and _memo_file is not None:
        memo = memo if len(memo) < MEMO_MOST else {}
        memo[typed] = found
        with contextlib.suppress(OSError):  # no .snpctl/ to write in: only a shortcut lost
            derived.write(_memo_file, derived.seal(marshal.dumps((MEMO_FORMAT, memo))))
    return found


def _remembered() -> dict[str, str]:
    global _memo
    if _memo is None:
        _memo = {}
        with contextlib.suppress(OSError, EOFError, ValueError, TypeError):
            content = None if _memo_file is None else derived.unseal(_memo_file.read_bytes())
            version, kept = marshal.loads(content) if content else (None, None)
            if version == MEMO_FORMAT and isinstance(kept, dict):
                _memo = {k: v for k, v in kept.items() if isinstance(k, str) and isinstance(v, str)}
    return _memo


def shown(e164: str) -> str:
    """A stored number as people write it: national for a French one (``06 12 34 56 78``), else international."""
    import phonenumbers

    try:
        parsed = phonenumbers.parse(e164, REGION)
    except phonenumbers.NumberParseException:
        return e164
    if not phonenumbers.is_valid_number(parsed):
        return e164  # as it was typed, in a record older than the checks
    national = phonenumbers.region_code_for_number(parsed) == REGION
    style = phonenumbers.PhoneNumberFormat.NATIONAL if national else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(parsed, style)


def problem(typed: str, region: str = REGION) -> str | None:
    """What is wrong with ``typed`` as a phone number, in one sentence with an example; None when it is valid."""
    return _read(typed, region)[1] or None


def _read(typed: str, region: str) -> tuple[str | None, str]:
    import phonenumbers

    text = typed.strip()
    if re.search(r"[^\W\d_]", text):  # letters: a name, a mail, 06 12 AB...
        return None, _refused(typed, _("it holds letters"))
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as error:
        if error.error_type == phonenumbers.NumberParseException.TOO_LONG:
            return None, _refused(typed, _("it has too many digits: two numbers run together?"))
        return None, _refused(typed, _("it is not a phone number"))
    if not phonenumbers.is_valid_number(number):
        possible = phonenumbers.is_possible_number_with_reason(number)
        if possible == phonenumbers.ValidationResult.TOO_SHORT:
            return None, _refused(typed, _("it is too short"))
        if possible in (phonenumbers.ValidationResult.TOO_LONG, phonenumbers.ValidationResult.INVALID_LENGTH):
            return None, _refused(typed, _("it has too many digits: two numbers run together?"))
        return None, _refused(typed, _("no such number exists"))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), ""


def _refused(typed: str, why: str) -> str:
    return _(
        "{typed!r} is not a valid phone number ({why}); type it as {example}, or +32 470 12 34 56 for a number abroad."
    ).format(typed=typed, why=why, example=EXAMPLE)
