"""Durations and instants: parse what people type, store UTC, show the workspace's zone.

Every datetime that leaves this module is timezone-aware. Nothing here reads the clock:
the caller passes ``now``.
"""

from __future__ import annotations

import re
from datetime import UTC as UTC  # re-exported: the store, runner and simulator take it from here
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from snpctl.errors import BadUsage
from snpctl.i18n import N_, _, language

_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")

# The longest duration configuration may give (windows, horizon, reminder, retries). Unscheduled care is about
# hours; a year (a leap one) is far beyond any sane setting, and keeps every deadline computed from a time of
# FIRST_DAY..LAST_DAY within four-digit years.
LONGEST = timedelta(days=366)


class TooLong(ValueError):
    """A duration that reads, but is longer than ``LONGEST``."""


def parse_duration(text: str) -> timedelta:
    """``10m``, ``1h``, ``1h30m``, ``90m``, ``2d`` -> timedelta. Raises ValueError (TooLong beyond ``LONGEST``)."""
    match = _DURATION.match(text.strip()) if isinstance(text, str) else None
    if not match or not any(match.groups()):
        raise ValueError(text)
    if any(len(g) > 9 for g in match.groups() if g):
        raise TooLong(text)  # never an int of thousands of digits
    days, hours, minutes = (int(g or 0) for g in match.groups())
    minutes += (days * 24 + hours) * 60  # in whole numbers first: a timedelta of them could overflow
    if minutes > LONGEST.total_seconds() // 60:
        raise TooLong(text)
    return timedelta(minutes=minutes)


def format_duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, minutes = divmod(minutes, 1440)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{minutes}m" if minutes else ""]
    return "".join(parts) or "0m"


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


# -- what people type ---------------------------------------------------------------------

_BARE_TIME = re.compile(r"^(\d{1,2})(?::(\d{2})|h(\d{2})?)$")
_DATE_AND_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T](\d{1,2})(?::(\d{2})|h(\d{2})?)(?::(\d{2}))?$")

_HINT = "16:30, 16h30, 16h, 2025-07-15 16:30 or 2025-07-15T16:30:00+02:00"

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


def _clock(hour: str, minute_a: str | None, minute_b: str | None, second: str | None = None) -> time:
    return time(int(hour), int(minute_a or minute_b or 0), int(second or 0))


def parse_when(text: str, zone: ZoneInfo, now: datetime, *, what: str = "--at") -> datetime:
    """Parse a time typed by a person into an aware UTC datetime.

    A bare time means that time *today* in ``zone`` (today as of ``now``); to mean another day,
    give the date. A date-time without offset is read in ``zone``; one with an offset is exact.
    """
    raw = text.strip()
    try:
        match = _BARE_TIME.match(raw)
        if match:
            day = now.astimezone(zone).date()
            return localize(datetime.combine(day, _clock(*match.groups())), zone, raw)
        match = _DATE_AND_TIME.match(raw)
        if match:
            day = date.fromisoformat(match.group(1))
            _in_range(day, text, what)
            return localize(datetime.combine(day, _clock(*match.groups()[1:])), zone, raw)
        value = datetime.fromisoformat(raw)
    except BadUsage:
        raise
    except ValueError:
        raise BadUsage(
            _("{what} {typed!r} is not a time I can read; write it like {hint}.").format(
                what=what, typed=text, hint=_HINT
            )
        ) from None
    _in_range(value.date(), text, what)  # the date as written, before a zone moves it
    if value.tzinfo is None:
        return localize(value, zone, raw)
    return value.astimezone(UTC)


def parse_day(text: str, *, what: str) -> date:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise BadUsage(
            _("{what} {typed!r} is not a date; write it like 2024-01-31.").format(what=what, typed=text)
        ) from None
    _in_range(day, text, what)
    return day
