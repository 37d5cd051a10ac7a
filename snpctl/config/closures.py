"""The days a site is closed or a member away: ``closed`` and ``absent`` lists, and ``holidays_region``.

Owns how a list of days is written in roster.toml (``"2026-12-24"``, ``"2026-12-24..2026-12-26"``, or
``24/12/2026``), and which subdivision codes of the ``holidays`` package ``holidays_region`` takes. Each
problem is raised by the value's ``Table``, at its line. Split from ``load``, which says which key is which.
"""

from __future__ import annotations

import difflib
import re

from snpctl.config.records import Days
from snpctl.config.toml import Table
from snpctl.errors import BadUsage
from snpctl.i18n import _
from snpctl.timefmt import FIRST_DAY, parse_day

_DAY = r"\s*(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{4})\s*"
_DAYS = re.compile(rf"{_DAY}(?:\.\.{_DAY})?")


def days(table: Table, key: str) -> tuple[Days, ...]:
    """A list of days and ranges, first and last day included: ``["2026-12-24..2026-12-26", "2027-01-01"]``."""
    texts = table.get(key, list, [])
    entries = []
    for text in texts:
        match = _DAYS.fullmatch(text) if isinstance(text, str) else None
        if match is None:
            table.fail(
                _('{value!r} is not a day or a range of days; write "2026-12-24" or "2026-12-24..2026-12-26".').format(
                    value=text
                ),
                key,
            )
        try:
            first = parse_day(match[1], what=key, today=FIRST_DAY)
            last = parse_day(match[2], what=key, today=FIRST_DAY) if match[2] else first
        except BadUsage:
            table.fail(
                _("{value!r} is not a day of the calendar; write it like 2026-12-24 or 24/12/2026.").format(value=text),
                key,
            )
        if last < first:
            table.fail(
                _("{value!r} ends before it starts; write the first day, then the last.").format(value=text), key
            )
        entries.append(Days(first, last, text.strip()))
    return tuple(entries)


def holidays_region(table: Table) -> str | None:
    """``holidays_region``: a subdivision code of the ``holidays`` package for France ("57", "6AE", "974"…),
    or one of its names for it ("Moselle", "La Réunion"); the code is kept."""
    region = table.get("holidays_region", str, None)
    if region is None:
        return None
    # imported here: the package takes ~0.2 s to import, paid only by a workspace that sets a region
    from holidays.countries.france import France

    from snpctl.matching import closest, find

    codes = tuple(France.subdivisions)
    aliases = dict(getattr(France, "subdivisions_aliases", {}))
    code = find(region, codes, aliases)
    if code is None:
        near = closest(region, [*codes, *aliases]) or difflib.get_close_matches(region, codes, n=3, cutoff=0.3)
        table.fail(
            _(
                "{value!r} is not a region of the holidays package{near}; leave it out for mainland France, or "
                "use one of {codes}."
            ).format(
                value=region,
                near=_(" (closest: {names})").format(names=", ".join(near)) if near else "",
                codes=", ".join(codes),
            ),
            "holidays_region",
        )
    return code
