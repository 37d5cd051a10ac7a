"""Durations and instants: parse what people type, store UTC, show the workspace's zone.

Every datetime that leaves this module is timezone-aware. Nothing here reads the clock:
the caller passes ``now``.
"""

from __future__ import annotations

import re
from datetime import UTC as UTC  # re-exported: the store, runner and simulator take it from here
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from snpctl.errors import BadUsage
from snpctl.i18n import N_, _, language
from snpctl.typed import read_day, read_duration, read_month, read_when, unreadable_time

# The longest duration configuration may give (windows, horizon, reminder, retries). Unscheduled care is about
# hours; a year (a leap one) is far beyond any sane setting, and keeps every deadline computed from a time of
# FIRST_DAY..LAST_DAY within four-digit years.
LONGEST = timedelta(days=366)


class TooLong(ValueError):
    """A duration that reads, but is longer than ``LONGEST``."""


def parse_duration(text: str) -> timedelta:
    """``10m``, ``1h30``, ``90 min``, ``30mn``, ``2 h``, ``1 j``, ``2d``, ``2 sem``, ``3 mois`` -> timedelta.

    ``m`` is minutes; a month is 30 days (``typed.MONTH_DAYS``). Raises ValueError (TooLong beyond ``LONGEST``).
    """
    try:
        minutes = read_duration(text)
    except OverflowError:
        raise TooLong(text) from None
    if minutes > LONGEST.total_seconds() // 60:  # in whole numbers first: a timedelta of them could overflow
        raise TooLong(text)
    return timedelta(minutes=minutes)


def format_duration(delta: timedelta) -> str:
    """``1d2h30m``: a duration as configuration files write it (``0m`` for none)."""
    minutes = int(delta.total_seconds() // 60)
    days, minutes = divmod(minutes, 1440)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{minutes}m" if minutes else ""]
    return "".join(parts) or "0m"


def duration_text(delta: timedelta) -> str:
    """A duration for people: ``2 j``, ``1 h 30``, ``45 min``, ``1 j 2 h`` (English ``2 d``, ``1 h 30``...)."""
    minutes = int(delta.total_seconds() // 60)
    days, minutes = divmod(minutes, 1440)
    hours, minutes = divmod(minutes, 60)
    parts = [_("{days} d").format(days=days)] if days else []
    if hours:
        parts.append(f"{hours} h {minutes:02d}" if minutes else f"{hours} h")
    elif minutes or not parts:
        parts.append(_("{minutes} min").format(minutes=minutes))
    return " ".join(parts)


# -- instants in the ledger ---------------------------------------------------------------


def to_stamp(instant: datetime) -> str:
    """UTC, second precision, ``Z``: the only form times take in the ledger."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_READ: dict[str, datetime] = {}  # stamps read lately: a ledger line mostly repeats times of the lines before


def from_stamp(stamp: str) -> datetime:
    value = _READ.get(stamp)
    if value is None:
        value = datetime.fromisoformat(stamp)
        if value.tzinfo is None:
            raise ValueError(stamp)
        value = value.astimezone(UTC)
        if len(_READ) >= 4096:
            _READ.clear()
        _READ[stamp] = value
    return value


def to_local_iso(instant: datetime | None, zone: ZoneInfo) -> str | None:
    """ISO 8601 with the zone's offset, for JSON output."""
    if instant is None:
        return None
    return instant.astimezone(zone).isoformat(timespec="seconds")


_WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"), N_("Sunday"))
_MONTHS = (
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)


def clock_text(local: datetime) -> str:
    """The wall-clock time of an already local datetime: ``17h01`` (English: ``17:01``)."""
    return _("{hour}:{minute}").format(hour=local.hour, minute=f"{local.minute:02d}")


def day_text(day: date, *, year: bool = True) -> str:
    """``lundi 15 janvier 2024`` (English: ``Monday 15 January 2024``); without the year if ``year`` is false."""
    number = "1er" if day.day == 1 and language() == "fr" else str(day.day)  # le 1er janvier, le 2 janvier
    text = _("{weekday} {day} {month}").format(
        weekday=_(_WEEKDAYS[day.weekday()]), day=number, month=_(_MONTHS[day.month - 1])
    )
    return f"{text} {day.year}" if year else text


def to_local_text(instant: datetime | None, zone: ZoneInfo, *, today: date | None = None) -> str:
    """For people, in ``zone``: ``17h01`` when it is ``today``, ``lundi 15 janvier à 16h45`` another day of
    today's year, with the year otherwise or when ``today`` is not given (English: ``17:01``, ``Monday
    15 January at 16:45``); ``-`` for no instant."""
    if instant is None:
        return "-"
    local = instant.astimezone(zone)
    if today is not None and local.date() == today:
        return clock_text(local)
    day = day_text(local.date(), year=today is None or local.year != today.year)
    return _("{day} at {time}").format(day=day, time=clock_text(local))


# -- what people type (the words and the grammar are in snpctl.typed) ----------------------------------------

# The dates a typed time may fall on: a fixed range, wide enough for a century of use and for `simulate --years 50`,
# narrow enough that a slip of the keyboard (9999, 0001) never reaches the ledger as a stamp verify cannot read.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)


def _in_range(day: date, typed: str, what: str) -> None:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise BadUsage(
            _("{what} {typed!r} is out of range: snpctl takes dates from {first} to {last}.").format(
                what=what, typed=typed, first=FIRST_DAY, last=LAST_DAY
            )
        )


def localize(naive: datetime, zone: ZoneInfo, typed: str) -> datetime:
    """Attach ``zone`` to a wall-clock time, refusing one that the zone skips or repeats."""
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        round_trip = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        if round_trip != naive:
            raise BadUsage(
                _("{typed!r} does not exist in {zone}: the clocks skip that hour; give a time outside it.").format(
                    typed=typed, zone=zone.key
                )
            )
        raise BadUsage(
            _("{typed!r} happens twice in {zone} (the clocks go back); add the offset, e.g. {a} or {b}.").format(
                typed=typed,
                zone=zone.key,
                a=first.isoformat(timespec="minutes"),
                b=second.isoformat(timespec="minutes"),
            )
        )
    return first.astimezone(UTC)


_ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}(?::\d{2}(?::\d{2}(?:\.\d+)?)?)?)?(?:Z|[+-]\d{2}:?\d{2})?")


def parse_when(text: str, zone: ZoneInfo, now: datetime, *, what: str = "--at") -> datetime:
    """Parse a time typed by a person into an aware UTC datetime.

    Read in ``zone``, as of ``now``: ``17h45``, ``17:45``, ``14 h 05`` (today), ``aujourd'hui 14h``,
    ``demain 9h``, ``hier 18h``, ``lundi 9h`` (weekdays in French or English: the first such instant
    after now), ``30/11 14h05`` (the current year), ``30/11/2026 à 14h05``, ``2026-11-30 14:05``, and ISO
    8601 as before (with an offset it is exact; a date alone is its midnight). Ambiguous or impossible
    text is refused with an example (``BadUsage``): two-digit years, ``11/30/2026``, ``1130``, a weekday
    without a time, unknown words, a wall-clock time the zone skips or repeats.
    """
    raw = text.strip()
    if _ISO.fullmatch(raw):
        try:
            value = datetime.fromisoformat(raw)
        except ValueError:
            raise unreadable_time(text, what) from None
    else:
        value = read_when(raw, now.astimezone(zone).replace(tzinfo=None), what=what)
    _in_range(value.date(), text, what)  # the date as written, before a zone moves it
    if value.tzinfo is None:
        return localize(value, zone, raw)
    return value.astimezone(UTC)


def parse_day(text: str, *, what: str, today: date) -> date:
    """``30/11/2026``, ``30/11`` (this year), ``2026-11-30``, ``aujourd'hui``, ``hier``; ``today`` in the zone."""
    day = read_day(text, today, what=what)
    _in_range(day, text, what)
    return day


def parse_month(text: str, *, what: str, today: date) -> tuple[date, date]:
    """The first and last day of the month ``text`` names (``novembre``, ``11/2026``, ``2026-11``)."""
    first, last = read_month(text, today, what=what)
    _in_range(first, text, what)
    _in_range(last, text, what)
    return first, last
