"""The report's running sums: what became of each request (``Fate``), added up by intake day and month. Pure.

Owns the counting that the figures of contract section 6 are made from: events in, sums out
(``Tallies.read``), and the sums that make one period (``Tallies.select``). Requests are counted
by the local date of their intake; what happened to them later (acceptance, outcome) counts with
them. Knows nothing of files (``store.tallies`` saves these sums beside the ledger, as
``store.snapshot`` saves the state) nor of the figures' names and renderings (``report``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from sys import intern
from typing import Any, cast
from zoneinfo import ZoneInfo

from snpctl.domain.ids import taken_in
from snpctl.timefmt import from_stamp


class Fate:
    """What became of one request, as far as the figures care: filled in as its events are read."""

    # the order of the fields is that of the saved form (``packed``): never sort it
    __slots__ = (
        "day",
        "source",
        "treating_doctor",
        "action",
        "triggered_at",
        "taken",
        "by",
        "site",
        "delay",
        "outcome",
        "expired",
    )

    def __init__(
        self,
        day: int,
        source: str,
        treating_doctor: str,
        action: str,
        triggered_at: int | None = None,
        taken: str | None = None,
        by: str | None = None,
        site: str | None = None,
        delay: float | None = None,
        outcome: str | None = None,
        expired: bool = False,
    ) -> None:
        self.day, self.source, self.treating_doctor, self.action = (
            day,
            source,
            treating_doctor,
            action,
        )  # day: the intake's local date, as an ordinal
        self.triggered_at, self.taken, self.by, self.site = triggered_at, taken, by, site  # taken: accept/book
        self.delay, self.outcome, self.expired = delay, outcome, expired  # delay: minutes, trigger to accept

    def packed(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    @property
    def settled(self) -> bool:
        """Nothing the ledger may still say changes this fate's figures (the rules allow no step after these)."""
        return self.expired or self.outcome is not None or self.action != "trigger"


_FOLLOWED = frozenset({"notify", "accept", "book", "outcome", "expire"})  # what the figures read after intake
_MESSAGES = frozenset({"queue", "attempt", "sent", "failed", "given_up"})  # the figures count requests


class Stale(Exception):
    """A step for a request the tallies hold no open fate of: they cannot take it; count again from the start."""


Sums = dict[Any, tuple[dict[str, int], list[float], list[str]]]  # -> (counters, delays, takers)
Picked = list[tuple[tuple[int, int], tuple[dict[str, int], list[float], list[str]]]]


class Tallies:
    """The figures' running sums by intake day and month, and the fates still open.

    A request's fate adds to the sums of its intake day and month once it is settled; until
    then it is kept whole. So the sums only grow, the open fates stay few, and the figures of a
    period are the sums of its whole months, of the days of the months it cuts, and of its open
    fates. ``.snpctl/figures`` keeps one of these (``store.tallies``) so that a report reads
    only the lines written since.
    """

    def __init__(
        self,
        zone: ZoneInfo,
        days: dict[tuple[int, int], Any] | None = None,
        months: Sums | None = None,
        open_fates: dict[str, Fate] | None = None,
        requests: int = 0,
        unpack: Callable[[Any], Sums] | None = None,
        unfollowed: dict[str, int] | None = None,
    ) -> None:
        self.zone = zone
        # (year, month) -> that month's sums by local day (ordinal); or, as saved, something ``unpack``
        # makes them from on first use: a report of whole months never needs the days of most months
        self.days = {} if days is None else days
        self.unpack = unpack
        self.months = {} if months is None else months  # (year, month) -> sums
        self.open = {} if open_fates is None else open_fates
        self.requests = requests  # intakes read: the requests that exist are numbered 1 to this
        # expired requests not yet followed up (``snpctl done``) -> their intake day: a follow-up counts there
        self.unfollowed = {} if unfollowed is None else unfollowed

    def read(self, events: Iterable[dict[str, Any]], *, strict: bool = False) -> Tallies:
        """Fold ``events`` (the ledger's, in order) into the open fates; settled ones go to their sums.

        An event that does not fit the ones before it (a time that does not read, a request never
        taken in) raises ValueError or KeyError. A step for a request whose fate is settled is one
        the rules do not allow: a full count skips it, a ``strict`` one (on saved tallies) raises ``Stale``.
        """
        zone, fates, steps = self.zone, self.open, _STEPS
        for event in events:
            kind = event["type"]
            if kind in _MESSAGES:
                continue
            at = from_stamp(event["at"])
            if kind == "intake":
                self.requests += 1
                taken_in_now = Fate(
                    at.astimezone(zone).date().toordinal(), event["source"], event["treating_doctor"], event["action"]
                )
                if taken_in_now.settled:
                    self._add(taken_in_now)
                else:
                    fates[event["request"]] = taken_in_now
                continue
            if kind == "recovery":
                continue
            if kind == "followed_up":
                self._followed_up(event["request"])
                continue
            fate = fates.get(event["request"])
            if fate is None:
                self._unknown(kind, event["request"], strict)
                continue
            step = steps.get(kind)
            if step is not None:
                step(fate, kind, event, at)
            if fate.settled:
                self._add(fates.pop(event["request"]))
                if fate.expired:
                    self.unfollowed[event["request"]] = fate.day
        return self

    def _followed_up(self, request: str) -> None:
        """An expired request's patient was called back: ``expired_followed_up`` of its intake day and month.
        A follow-up of another request (messages passed on by hand), or a second one, counts nothing."""
        day = self.unfollowed.pop(request, None)
        if day is None:
            return
        at = date.fromordinal(day)
        month = (at.year, at.month)
        for counts, _delays, _takers in (_sums(self.days_of(month), day), _sums(self.months, month)):
            counts["expired_followed_up"] = counts.get("expired_followed_up", 0) + 1

    def _unknown(self, kind: str, request: str, strict: bool) -> None:
        """A step for a request with no open fate: one never taken in (KeyError), or settled (skipped, or Stale)."""
        if not taken_in(request, self.requests):
            raise KeyError(request)
        if strict and kind in _FOLLOWED:
            raise Stale(request)

    def _add(self, fate: Fate) -> None:
        day = date.fromordinal(fate.day)
        month = (day.year, day.month)
        for sums in (_sums(self.days_of(month), fate.day), _sums(self.months, month)):
            _count(sums, fate)

    def days_of(self, month: tuple[int, int]) -> Sums:
        """The sums of ``month``'s days (made from their saved form on first use)."""
        sums = self.days.get(month)
        if sums is None:
            sums = self.days[month] = {}
        elif type(sums) is not dict:
            assert self.unpack is not None, "saved day sums come with the way to unpack them"
            sums = self.days[month] = self.unpack(sums)
        return sums

    def _edge(self, inside: Callable[[int], bool], opened: Sums, pick: Callable[..., int]) -> date | None:
        """The first (``pick`` is min) or last (max) day with a call in the period, from as few months as may be."""
        found = [day for day in opened if inside(day)]
        for month in sorted(self.days, reverse=pick is max):
            days = [day for day in self.days_of(month) if inside(day)]
            if days:
                found.append(pick(days))
                break
        return date.fromordinal(pick(found)) if found else None

    def select(self, start: date | None = None, end: date | None = None) -> tuple[date | None, date | None, Picked]:
        """The sums that make the period from ``start`` to ``end`` (local days, both optional), each with its month.

        Whole months come from the month sums; the days of a month the period cuts, and the open
        fates, from the day sums. Also the period's first and last day (by default, of the calls).
        """
        period = _Period(start, end)
        opened: Sums = {}
        for fate in self.open.values():
            _count(_sums(opened, fate.day), fate)
        first = start or self._edge(period.inside, opened, min)
        last = end or self._edge(period.inside, opened, max)
        picked = self._months_picked(period)
        for day, sums in opened.items():
            if period.inside(day):
                at = date.fromordinal(day)
                picked.append(((at.year, at.month), sums))
        return first, last, picked

    def _months_picked(self, period: _Period) -> Picked:
        """The sums of the months the period holds whole, and of the days it holds of the months it cuts."""
        picked: Picked = []
        for (year, month), sums in self.months.items():
            head = date(year, month, 1).toordinal()
            tail = (date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)).toordinal() - 1
            if period.inside(head) and period.inside(tail):
                picked.append(((year, month), sums))
            elif period.meets(head, tail):
                days = self.days_of((year, month))
                picked += [((year, month), days[d]) for d in sorted(days) if period.inside(d)]
        return picked


class _Period:
    """Local days from ``start`` to ``end``, as ordinals, either end open when None."""

    __slots__ = ("low", "high")

    def __init__(self, start: date | None, end: date | None) -> None:
        self.low = start.toordinal() if start else None
        self.high = end.toordinal() if end else None

    def inside(self, day: int) -> bool:
        return (self.low is None or day >= self.low) and (self.high is None or day <= self.high)

    def meets(self, head: int, tail: int) -> bool:
        """Whether the days from ``head`` to ``tail`` and the period have a day in common."""
        return (self.low is None or tail >= self.low) and (self.high is None or head <= self.high)


# -- the steps that change a fate, by event type ------------------------------------------------


def _notified(fate: Fate, kind: str, event: dict[str, Any], at: datetime) -> None:
    fate.triggered_at = int(at.timestamp())


def _taken(fate: Fate, kind: str, event: dict[str, Any], at: datetime) -> None:
    fate.taken, fate.by, fate.site = kind, event["by"], event["site"]
    if kind == "accept" and fate.triggered_at is not None:
        fate.delay = (at.timestamp() - fate.triggered_at) / 60


def _outcome(fate: Fate, kind: str, event: dict[str, Any], at: datetime) -> None:
    fate.outcome = event["outcome"]


def _expired(fate: Fate, kind: str, event: dict[str, Any], at: datetime) -> None:
    fate.expired = True


_STEPS: dict[str, Callable[[Fate, str, dict[str, Any], datetime], None]] = {
    "notify": _notified,
    "accept": _taken,
    "book": _taken,
    "outcome": _outcome,
    "expire": _expired,
}


# -- sums -------------------------------------------------------------------------------------


def _sums(table: Sums, key: Any) -> tuple[dict[str, int], list[float], list[str]]:
    sums = table.get(key)
    if sums is None:
        sums = table[key] = ({}, [], [])
    return sums


def _count(sums: tuple[dict[str, int], list[float], list[str]], fate: Fate) -> None:
    counts, delays, takers = sums
    for key in _keys(fate):
        counts[key] = counts.get(key, 0) + 1
    if fate.taken is not None:
        takers.append(intern(cast(str, fate.by)))  # set with taken
        if fate.delay is not None:
            delays.append(fate.delay)


def _keys(fate: Fate) -> list[str]:
    """The counters one request adds to, named as the figures read them back."""
    doctor = fate.treating_doctor if fate.treating_doctor in ("none", "unknown") else "declared"
    keys = ["calls", intern(f"source:{fate.source}"), intern(f"doctor:{doctor}")]
    if fate.action == "redirect":
        keys.append("redirected")
    elif fate.action == "transfer_15":
        keys.append("transferred_15")
    if fate.triggered_at is not None:
        keys.append("triggered")
    if fate.expired:
        keys.append("expired")
    if fate.taken is not None:
        keys += _appointment_keys(fate)
    return keys


def _appointment_keys(fate: Fate) -> list[str]:
    """The counters of a request that was given an appointment (accepted, or booked directly)."""
    keys = ["appointments"]
    outcome = fate.outcome if fate.outcome in ("seen", "no_show", "cancelled") else None
    if outcome:
        keys.append(outcome)
    if fate.taken == "accept":
        keys += ["accepted", intern(f"by_site:{fate.site}")]
        if fate.by == fate.treating_doctor:
            keys.append("by_treating_doctor")
    else:
        keys.append("direct_bookings")
    if fate.site != "cabinet":
        keys += [intern(f"site:{fate.site}"), intern(f"site:{fate.site}:source:{fate.source}")]
        if outcome:
            keys.append(intern(f"site:{fate.site}:{outcome}"))
    return keys
