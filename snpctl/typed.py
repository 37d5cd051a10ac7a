"""What people type for a time, a day, a month, a duration or opening hours, read into plain values.

French and English words, with or without accents or capitals: ``demain 9h``, ``lundi 14 h 05``,
``30/11/2026 à 14h05``, ``novembre``, ``1h30``, ``2 sem``, ``lun-ven 15h30-19h30``. Owns the words and
the grammar, and the refusals that name the typed text with an example that works. Knows no time zone
and reads no clock: the caller passes the local wall-clock ``now`` (``timefmt`` attaches the zone).
Ambiguous input is refused, never guessed: a two-digit year, a bare number, a month past 12.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta

from snpctl.errors import BadUsage
from snpctl.i18n import _

_WEEKDAY_WORDS = (
    ("lundi", "lun", "monday", "mon"),
    ("mardi", "mar", "tuesday", "tue", "tues"),
    ("mercredi", "mer", "wednesday", "wed"),
    ("jeudi", "jeu", "thursday", "thu", "thur", "thurs"),
    ("vendredi", "ven", "friday", "fri"),
    ("samedi", "sam", "saturday", "sat"),
    ("dimanche", "dim", "sunday", "sun"),
)
WEEKDAYS = {word: index for index, words in enumerate(_WEEKDAY_WORDS) for word in words}

_MONTH_WORDS = (
    ("janvier", "janv", "january", "jan"),
    ("fevrier", "fevr", "fev", "february", "feb"),
    ("mars", "march"),
    ("avril", "avr", "april", "apr"),
    ("mai", "may"),
    ("juin", "june", "jun"),
    ("juillet", "juil", "july", "jul"),
    ("aout", "august", "aug"),
    ("septembre", "sept", "september", "sep"),
    ("octobre", "october", "oct"),
    ("novembre", "november", "nov"),
    ("decembre", "december", "dec"),
)
MONTHS = {word: index + 1 for index, words in enumerate(_MONTH_WORDS) for word in words}

# Days from today (``fold`` has made a typographic apostrophe plain; some type none at all).
RELATIVE = {
    "aujourd'hui": 0, "aujourdhui": 0, "auj": 0, "today": 0,
    "demain": 1, "tomorrow": 1, "apres-demain": 2,
    "hier": -1, "yesterday": -1, "avant-hier": -2,
}  # fmt: skip
_FILLERS = {"a", "at", "le", "on", "the", "vers", ","}  # "à" folds to "a"

_CLOCK = r"(\d{1,2})\s*(?:h\s*(\d{2})?|:\s*(\d{2})(?::(\d{2}))?)"
_TOKEN = re.compile(
    rf"(?P<iso>\d{{4}}-\d{{1,2}}-\d{{1,2}})|(?P<slash>\d+/\d+(?:/\d+)*)|(?P<clock>{_CLOCK})(?![\d:])"
    r"|(?P<number>\d+)|(?P<word>[a-z']+(?:-[a-z]+)?)|(?P<other>\S)"
)


def fold(text: str) -> str:
    """Lower case, no accents, plain apostrophes, single spaces: how typed words are compared."""
    plain = text.replace("\u2019", "'").replace("`", "'")
    plain = unicodedata.normalize("NFKD", plain).encode("ascii", "ignore").decode()
    return " ".join(plain.lower().split())


# -- clock times and days ---------------------------------------------------------------------------------------


def clock(hour: str, minute_a: str | None = None, minute_b: str | None = None, second: str | None = None) -> time:
    """The time of day of a ``_CLOCK`` match: ``14 h 05``, ``14h``, ``14:05``; ValueError when impossible."""
    return time(int(hour), int(minute_a or minute_b or 0), int(second or 0))


def _no_time(typed: str, what: str) -> BadUsage:
    return BadUsage(
        _("{what} {typed!r} has no time of day; add one, e.g. {example}.").format(
            what=what, typed=typed, example=f"{typed.strip()} 9h"
        )
    )


def unreadable_time(typed: str, what: str) -> BadUsage:
    return BadUsage(
        _(
            "{what} {typed!r} is not a time I can read; write it like 17:45, tomorrow 9:00, monday 9:00, "
            "30/11 14:05 or 2026-11-30 14:05."
        ).format(what=what, typed=typed)
    )


def _date_of(token: str, today: date, typed: str, what: str) -> date:
    """``2026-11-30``, ``30/11/2026`` or ``30/11`` (this year): day first, the year in full."""
    if "-" in token:
        year, month, day = (int(part) for part in token.split("-"))
    else:
        parts = token.split("/")
        if len(parts) > 3:
            raise _not_a_date(typed, what)
        if len(parts) == 3 and len(parts[2]) != 4:
            example = "/".join([*parts[:2], f"20{parts[2][-2:]:0>2}"])
            raise BadUsage(
                _("{what} {typed!r}: give the year in full, e.g. {example}.").format(
                    what=what, typed=typed, example=example
                )
            )
        day, month = int(parts[0]), int(parts[1])
        year = int(parts[2]) if len(parts) == 3 else today.year
        if month > 12:
            example = f"{month:02d}/{day:02d}/{year}" if day <= 12 and month <= 31 else f"30/11/{year}"
            raise BadUsage(
                _("{what} {typed!r}: there is no month {month}; write the day first, e.g. {example}.").format(
                    what=what, typed=typed, month=month, example=example
                )
            )
    try:
        return date(year, month, day)
    except ValueError:
        raise _not_a_date(typed, what) from None


def _not_a_date(typed: str, what: str) -> BadUsage:
    return BadUsage(
        _("{what} {typed!r} is not a date; write it like 30/11/2026, 30/11 or 2026-11-30.").format(
            what=what, typed=typed
        )
    )


class _Parts:
    """The pieces of one typed instant, as the tokens give them."""

    def __init__(self) -> None:
        self.day: date | None = None
        self.shift: int | None = None  # days from today
        self.weekday: int | None = None
        self.clock: time | None = None


def _read_token(parts: _Parts, kind: str, token: str, today: date, typed: str, what: str) -> None:
    slot, value = _meaning(kind, token, today, typed, what)
    if slot is not None:
        if getattr(parts, slot) is not None:  # two dates, two times, two weekdays
            raise unreadable_time(typed, what)
        setattr(parts, slot, value)


def _meaning(kind: str, token: str, today: date, typed: str, what: str) -> tuple[str | None, object]:
    """Which piece of an instant one token gives (``day``, ``shift``, ``weekday``, ``clock``), None for a filler."""
    if kind in ("iso", "slash"):
        return "day", _date_of(token, today, typed, what)
    if kind == "clock":
        match = re.fullmatch(_CLOCK, token)
        assert match is not None
        return "clock", clock(*match.groups())
    if kind == "number":
        raise _bare_number(token, typed, what)
    if token in _FILLERS:
        return None, None
    if token in ("midi", "noon"):
        return "clock", time(12)
    if token in RELATIVE:
        return "shift", RELATIVE[token]
    if token in WEEKDAYS:
        return "weekday", WEEKDAYS[token]
    raise unreadable_time(typed, what)


def _bare_number(token: str, typed: str, what: str) -> BadUsage:
    hour, minute = (token[:-2], token[-2:]) if len(token) > 2 else (token, "")
    if len(token) > 4 or int(hour) > 23 or int(minute or 0) > 59:
        return unreadable_time(typed, what)
    return BadUsage(
        _("{what} {typed!r}: a number alone is ambiguous; write the time like {example}.").format(
            what=what, typed=typed, example=f"{int(hour)}h{minute}"
        )
    )


def read_when(typed: str, now: datetime, *, what: str) -> datetime:
    """The naive local wall-clock time ``typed`` names, ``now`` being the local wall-clock time now.

    A time alone is today's; ``demain 9h`` tomorrow's, ``hier 9h`` yesterday's; ``lundi 9h`` is the
    first Monday 9h after ``now`` (today's if it is Monday before 9h, else next week's); ``30/11 14h05``
    is in the current year. BadUsage, naming ``typed`` and with an example that works, for what is no
    time, is ambiguous (``1130``, ``30/11/26``, ``11/30/2026``) or is impossible (``25h``, ``31/11``).
    """
    folded = fold(typed)
    parts = _Parts()
    try:
        for match in _TOKEN.finditer(folded):
            kind = match.lastgroup or "other"
            _read_token(parts, kind, match.group(kind), now.date(), typed, what)
    except ValueError:
        raise unreadable_time(typed, what) from None
    if parts.clock is None:
        if parts.weekday is not None or parts.shift is not None or parts.day is not None:
            raise _no_time(typed, what)
        raise unreadable_time(typed, what)
    return _resolve(parts, parts.clock, now, typed, what)


def _resolve(parts: _Parts, at: time, now: datetime, typed: str, what: str) -> datetime:
    if parts.day is not None and parts.shift is not None:
        raise unreadable_time(typed, what)
    day = parts.day or now.date() + timedelta(days=parts.shift or 0)
    if parts.weekday is not None and parts.day is None and parts.shift is None:
        day = now.date() + timedelta(days=(parts.weekday - now.weekday()) % 7)
        if datetime.combine(day, at) <= now:
            day += timedelta(days=7)
    elif parts.weekday is not None and day.weekday() != parts.weekday:
        raise BadUsage(
            _("{what} {typed!r}: {day} is not that day of the week; give the date or the day, e.g. {example}.").format(
                what=what,
                typed=typed,
                day=f"{day:%d/%m/%Y}",
                example=f"{day:%d/%m/%Y} " + _("{hour}:{minute}").format(hour=at.hour, minute=f"{at.minute:02d}"),
            )
        )
    return datetime.combine(day, at)


def read_day(typed: str, today: date, *, what: str) -> date:
    """``30/11/2026``, ``30/11`` (this year), ``2026-11-30``, ``aujourd'hui``, ``hier``, ``demain``."""
    folded = fold(typed)
    if folded in RELATIVE:
        return today + timedelta(days=RELATIVE[folded])
    if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}|\d+/\d+(?:/\d+)?", folded):
        return _date_of(folded, today, typed, what)
    raise _not_a_date(typed, what)


# -- months ----------------------------------------------------------------------------------------------------


def read_month(typed: str, today: date, *, what: str) -> tuple[date, date]:
    """The first and last day of a month: ``2026-11``, ``11/2026``, ``novembre 2026``, or ``novembre`` alone,
    the last November that has begun (this year's, or last year's before November)."""
    folded = fold(typed)
    year, month = today.year, 0
    if match := re.fullmatch(r"(\d{4})-(\d{1,2})", folded):
        year, month = int(match[1]), int(match[2])
    elif match := re.fullmatch(r"(\d{1,2})/(\d{4})", folded):
        year, month = int(match[2]), int(match[1])
    elif (match := re.fullmatch(r"([a-z]+)\.?(?: (\d{4}))?", folded)) and match[1] in MONTHS:
        month = MONTHS[match[1]]
        year = int(match[2]) if match[2] else today.year - (month > today.month)
    if not 1 <= month <= 12:
        raise BadUsage(
            _("{what} {typed!r} is not a month; write it like november, november 2026, 11/2026 or 2026-11.").format(
                what=what, typed=typed
            )
        )
    try:
        following = date(year + month // 12, month % 12 + 1, 1)
        return date(year, month, 1), following - timedelta(days=1)
    except ValueError:
        raise BadUsage(_("{what} {typed!r} is out of range.").format(what=what, typed=typed)) from None


# -- durations -------------------------------------------------------------------------------------------------

MONTH_DAYS = 30  # "3 mois": a month of a duration is 30 days, the same whatever the calendar month
_UNITS = (  # largest first: a duration names each unit once, in this order
    (MONTH_DAYS * 1440, ("mois", "month", "months")),
    (7 * 1440, ("sem", "sems", "semaine", "semaines", "w", "wk", "wks", "week", "weeks")),
    (1440, ("j", "jr", "jrs", "jour", "jours", "d", "day", "days")),
    (60, ("h", "hr", "hrs", "heure", "heures", "hour", "hours")),
    (1, ("m", "mn", "min", "mins", "minute", "minutes")),
)
_UNIT = {word: rank for rank, (_minutes, words) in enumerate(_UNITS) for word in words}
_AMOUNT = re.compile(r"(\d+)\s*([a-z]*)\.?\s*")


def read_duration(typed: str) -> int:
    """Minutes in ``10m``, ``1h30``, ``1h30m``, ``90 min``, ``30mn``, ``2 h``, ``1 j``, ``2d``, ``2 sem``,
    ``3 mois``, ``3 months``. ``m`` is minutes, a month 30 days. ValueError when it does not read,
    OverflowError for an amount of more than nine digits."""
    folded = fold(typed) if isinstance(typed, str) else ""
    position, last_rank, minutes = 0, -1, 0
    while position < len(folded):
        match = _AMOUNT.match(folded, position)
        if not match:
            raise ValueError(typed)
        if len(match.group(1)) > 9:
            raise OverflowError(typed)  # never an int of thousands of digits: longer than any duration allowed
        amount, unit = match.groups()
        if not unit and last_rank == _UNIT["h"] and match.end() == len(folded):
            unit = "m"  # "1h30": minutes after hours
        rank = _UNIT.get(unit, -1)
        if rank <= last_rank:
            raise ValueError(typed)
        minutes += int(amount) * _UNITS[rank][0]
        position, last_rank = match.end(), rank
    if last_rank < 0:
        raise ValueError(typed)
    return minutes


# -- opening hours ---------------------------------------------------------------------------------------------

_HOURS = re.compile(rf"(?:du |le |les )?(.+?)\s+(?:de )?{_CLOCK}\s*(?:-|a)\s*{_CLOCK}")
# "du lundi au vendredi", "lundi et mercredi": the days as a sentence says them
_DAY_WORDS = re.compile(r"\s+(au|to|et|and)\s+")


def read_hours(typed: str) -> tuple[str, time, time] | None:
    """``lun-ven 15h30-19h30`` -> the days as typed (folded), the start and the end (``24h``: ``time.max``).

    Also as a sentence says it: ``du lundi au vendredi de 9h à 12h``, ``lundi et mercredi 9h-12h``.

    None when it is no range at all; ValueError for an impossible time of day.
    """
    match = _HOURS.fullmatch(fold(typed))
    if not match:
        return None
    days, *times = match.groups()
    days = _DAY_WORDS.sub(lambda word: "-" if word[1] in ("au", "to") else ",", days)
    start, end = clock(*times[:4]), times[4:]
    if int(end[0]) == 24 and not int(end[1] or end[2] or 0) and not end[3]:
        return days, start, time.max
    return days, start, clock(*end)


def read_weekdays(spec: str) -> tuple[tuple[int, int], ...] | None:
    """``lun-ven``, ``mon,wed``, ``sam`` -> runs of weekdays (0 = Monday), None when a name is unknown."""
    runs = []
    for part in spec.replace(" ", "").split(","):
        ends = part.split("-")
        if len(ends) > 2 or any(end not in WEEKDAYS for end in ends):
            return None
        runs.append((WEEKDAYS[ends[0]], WEEKDAYS[ends[-1]]))
    return tuple(runs)
