"""The configuration as typed records: ``Config`` and what it holds (protocols, sites, members, messaging).

Owns the records and the words they may hold (actions, member statuses, ``cabinet``, the words
``--treating-doctor`` takes besides an id, day names). Knows no TOML, no file and no check:
``load`` makes these records from the two files. The domain imports this module, so it must not
import the domain, the loader or anything that does I/O.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
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


class Site(NamedTuple):
    key: str
    label: str
    hours: tuple[Hours, ...]
    address: str | None = None

    def is_open(self, instant: datetime, zone: ZoneInfo) -> bool:
        local = instant.astimezone(zone).replace(tzinfo=None)
        return any(span.contains(local) for span in self.hours)

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

    def place_label(self, site: str) -> str:
        if site == CABINET:
            return _("own practice")
        return self.sites[site].label
