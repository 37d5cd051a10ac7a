"""The rules one configuration value must follow, each read from a ``Table`` and failing with its file and key.

Owns what a slug written into the ledger may be (and that it holds no personal data), what a range
of opening hours is, what may go into a mail header or a command line, and that a message template
only uses its own placeholders. Knows nothing of which table holds which value (``load`` does);
it calls the domain's own tests (``domain.personal``, ``domain.messages``) so that a value the
ledger's checks would refuse is refused here first.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Any

from snpctl.config.records import DAYS, Hours
from snpctl.config.toml import Table
from snpctl.domain.personal import personal_kind
from snpctl.i18n import _

_KEY = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


def identifier(table: Table, key: str, default: Any = ...) -> str:
    """A value that commands write into ledger lines (a key, an id, a category, a profession).

    It must be a slug, and pass the very test ``verify`` puts to every string of a line: a value
    that looked like a phone number would make every line that carries it, and so the ledger, fail.
    """
    value = table.get(key, str, default)
    if not _KEY.match(value):
        table.fail(_("{value!r} should be lowercase letters, digits, '-', '_' or '.', with no spaces.")
                   .format(value=value), key)
    what = personal_kind(value)
    if what:
        table.fail(_("{value!r} looks like {what}, and this value is written into the ledger, which must hold no "
                     "personal data; choose another one.").format(value=value, what=_(what)), key)
    return str(value)


def one_line(table: Table, key: str, default: Any = ...) -> Any:
    """A string that goes into a mail header or onto a command line: no line breaks or control characters."""
    value = table.get(key, str, default)
    if isinstance(value, str) and any(ord(c) < 32 or 127 <= ord(c) < 160 for c in value):
        table.fail(_("contains a line break or a control character; write it on one line, as plain text."), key)
    return value


def template(table: Table, name: str) -> str | None:
    """The text of message template ``name`` if the table sets it, checked as ``check`` and sending need it."""
    from snpctl.domain.messages import template_problem
    text = table.get(name, str, None)
    if text is not None:
        problem = template_problem(name, text)
        if problem:
            table.fail(problem, name)
    return None if text is None else str(text)


# -- opening hours ----------------------------------------------------------------------------

_HOURS = re.compile(r"^\s*(\S+)\s+(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def hours(table: Table, text: str) -> Hours:
    """One range like ``mon-fri 15:30-19:30`` of a site's ``hours``."""
    match = _HOURS.match(text)
    if not match:
        table.fail(_("{text!r} is not a range of opening hours; write it like \"mon-fri 15:30-19:30\".")
                   .format(text=text), "hours")
    spec, h1, m1, h2, m2 = match.groups()
    days = _day_set(table, text, spec.lower())
    try:
        start = time(int(h1), int(m1))
        end = time.max if (int(h2), int(m2)) == (24, 0) else time(int(h2), int(m2))
    except ValueError:
        table.fail(_("{text!r} has an impossible time of day.").format(text=text), "hours")
    if end <= start:
        table.fail(_("{text!r} ends before it starts; a range cannot run past midnight, split it in two.")
                   .format(text=text), "hours")
    return Hours(days, start, end, text.strip())


def _day_set(table: Table, text: str, spec: str) -> frozenset[int]:
    days: set[int] = set()
    for part in spec.split(","):
        ends = part.split("-")
        if len(ends) > 2 or any(end not in DAYS for end in ends):
            table.fail(_("{text!r}: {part!r} is not a day name; use mon tue wed thu fri sat sun, a range "
                         "like mon-fri or a list like mon,wed.").format(text=text, part=part), "hours")
        first, last = DAYS.index(ends[0]), DAYS.index(ends[-1])
        day = first
        while True:
            days.add(day)
            if day == last:
                break
            day = (day + 1) % 7
    return frozenset(days)
