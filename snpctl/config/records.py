"""The configuration as typed records: ``Config`` and what it holds (protocols, sites, members, messaging).

Owns the records and the words they may hold (actions, member statuses, ``cabinet``, the words
``--treating-doctor`` takes besides an id, day names). Knows no TOML, no file and no check:
``load`` makes these records from the two files. The domain imports this module, so it must not
import the domain, the loader or anything that does I/O.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from snpctl.i18n import N_, _
from snpctl.timefmt import clock_text

ACTIONS = ("trigger", "redirect", "transfer_15")
MEMBER_STATUSES = ("titulaire", "remplacant", "adjoint", "assistant", "interne", "retraite")
CABINET = "cabinet"
TREATING_DOCTOR_WORDS = ("none", "unknown", "external")  # what --treating-doctor takes besides a member id
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# The short day names shown for opening hours (French: lun mar mer jeu ven sam dim); roster.toml takes these,
# French or English, short or full (``snpctl.typed.WEEKDAYS``).
DAY_WORDS = (N_("mon"), N_("tue"), N_("wed"), N_("thu"), N_("fri"), N_("sat"), N_("sun"))


class Protocol(NamedTuple):
    key: str
    label: str
    category: str
    action: str
    profession: str = "generaliste"


class Hours(NamedTuple):  # typed records as NamedTuples: 7 times cheaper to define than dataclasses (cron start-up)
    """One range like ``lun-ven 15h30-19h30``: weekdays (0 = Monday) and a [start, end) span.

    ``text`` is the range as typed; ``runs`` its days as typed, ``((0, 4),)`` for ``lun-ven``, for ``shown``.
    """

    days: frozenset[int]
    start: time
    end: time
    text: str
    runs: tuple[tuple[int, int], ...] = ()

    def contains(self, local: datetime) -> bool:
        return local.weekday() in self.days and self.start <= local.time() < self.end

    @property
    def shown(self) -> str:
        """``lun-ven 15h30-19h30`` in French, ``mon-fri 15:30-19:30`` in English: for people."""
        if not self.runs:
            return self.text
        days = ",".join(
            _(DAY_WORDS[first]) if first == last else f"{_(DAY_WORDS[first])}-{_(DAY_WORDS[last])}"
            for first, last in self.runs
        )
        end = _("24:00") if self.end == time.max else _clock(self.end)
        return f"{days} {_clock(self.start)}-{end}"


def _clock(at: time) -> str:
    return clock_text(datetime.combine(datetime.min, at))


class Days(NamedTuple):
    """One entry of a site's ``closed`` or a member's ``absent``: the days from ``first`` to ``last``, both
    included (a single day has ``first == last``); ``text`` is the entry as typed, quoted back to people."""

    first: date
    last: date
    text: str

    def holds(self, day: date) -> bool:
        return self.first <= day <= self.last


# How far ahead ``Site.next_opening`` looks: a site closed for longer has no next opening worth quoting.
NEXT_OPENING_WITHIN = 366


def public_holiday(day: date, region: str | None) -> str | None:
    """The name of the French public holiday on ``day`` (those of ``region`` too: a subdivision code of the
    ``holidays`` package, "57", "974"…), in the language being spoken; None on a working day."""
    from snpctl.i18n import language

    calendar = _calendar(region, day.year, "fr" if language() == "fr" else "en_US")
    return calendar.get(day)


_CALENDARS: dict[tuple[str | None, int, str], dict[date, str]] = {}


def _calendar(region: str | None, year: int, language: str) -> dict[date, str]:
    key = (region, year, language)
    if key not in _CALENDARS:
        # imported here: the package takes ~0.2 s to import, paid only by a command that checks a closure
        from holidays.countries.france import France

        calendar = France(subdiv=region, years=year, language=language)  # type: ignore[no-untyped-call]
        _CALENDARS[key] = dict(calendar.items())
    return _CALENDARS[key]


class Site(NamedTuple):
    key: str
    label: str
    hours: tuple[Hours, ...]
    address: str | None = None
    closed: tuple[Days, ...] = ()  # whole days the site is closed (roster.toml ``closed``)
    open_on_public_holidays: bool = False

    def is_open(self, instant: datetime, zone: ZoneInfo) -> bool:
        """Within the site's weekly hours (closures aside: ``closure``)."""
        local = instant.astimezone(zone).replace(tzinfo=None)
        return any(span.contains(local) for span in self.hours)

    def closure(self, day: date, region: str | None) -> str | None:
        """Why the site is closed all ``day`` (a day of its ``closed``, a public holiday), or None when it is not."""
        entry = next((days for days in self.closed if days.holds(day)), None)
        if entry is not None:
            return _("closed = {days} in roster.toml").format(days=entry.text)
        holiday = None if self.open_on_public_holidays else public_holiday(day, region)
        return None if holiday is None else _("public holiday: {name}").format(name=holiday)

    def next_opening(self, after: datetime, zone: ZoneInfo, region: str | None) -> datetime | None:
        """The first instant from ``after`` on when the site is within its hours and not closed that day."""
        local = after.astimezone(zone)
        for offset in range(NEXT_OPENING_WITHIN):
            day = local.date() + timedelta(days=offset)
            starts = sorted(span.start for span in self.hours if day.weekday() in span.days)
            if not starts or self.closure(day, region) is not None:
                continue
            if offset == 0 and self.is_open(after, zone):
                return after
            later = [opening for start in starts if (opening := datetime.combine(day, start, zone)) >= local]
            if later:
                return later[0]
        return None

    @property
    def hours_text(self) -> str:
        return ", ".join(span.shown for span in self.hours)


class Member(NamedTuple):
    id: str
    name: str
    profession: str
    status: str
    site: str = CABINET
    registered: bool = True
    active: bool = True
    supervisor: str | None = None
    address: str | None = None
    sms: str | None = None
    mssante: str | None = None
    absent: tuple[Days, ...] = ()  # days the member is away (roster.toml ``absent``): not asked, cannot take

    def absent_on(self, day: date) -> Days | None:
        """The entry of ``absent`` that holds ``day``, or None when the member is there that day."""
        return next((days for days in self.absent if days.holds(day)), None)


class Mail(NamedTuple):
    host: str
    port: int
    sender: str
    starttls: bool = True
    user: str | None = None
    password_env: str | None = None
    cafile: str | None = None  # extra CA to trust (a CPTS's own relay, tests); default: the system's
    timeout: float = 10.0  # seconds to wait for the server


class Messaging(NamedTuple):
    outbox: str = "outbox"
    reminder_before: timedelta = timedelta(hours=1)
    retry: tuple[timedelta, ...] = (
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(minutes=15),
        timedelta(hours=1),
    )
    operator_sms: str | None = None
    operator_mail: str | None = None
    cot_phone: str | None = None
    sms_command: str | None = None
    mail: Mail | None = None
    withdrawn: bool = True  # tell the members asked and silent when a request is taken, cancelled or expires
    # RUF012 asks for ClassVar, which a NamedTuple field cannot be; the default is shared but never changed
    templates: dict[str, str] = {}  # noqa: RUF012 - read-only: replaced, never changed in place


class Config(NamedTuple):
    zone: ZoneInfo
    treating_doctor_window: timedelta
    total_window: timedelta
    appointment_horizon: timedelta
    protocols: dict[str, Protocol]
    sites: dict[str, Site]
    members: dict[str, Member]
    messaging: Messaging = Messaging()
    language: str | None = None  # "fr" or "en" (protocols.toml top level); None: the environment decides
    holidays_region: str | None = None  # whose public holidays close sites besides the national ones ("57", "974")

    def place_label(self, site: str) -> str:
        if site == CABINET:
            return _("own practice")
        return self.sites[site].label
