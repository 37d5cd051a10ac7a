"""When each planned call's steps happen: the hour of the call, the delays, the refusals, the slots.

Owns the times: calls in the line's hours (busier in the morning), notification within minutes,
acceptances mostly well within the windows, appointments in a site's free 10-minute slots or in the
member's practice, outcomes after the appointment. Every time is drawn from the period's seeded
``random.Random`` in an order that must not change. Must not know the service functions nor the report.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from snpctl.config import CABINET
from snpctl.i18n import _
from snpctl.simulate.period import MINUTE, Call, Period, ceil_minute
from snpctl.simulate.scenario import Span
from snpctl.timefmt import clock_text, day_text


def _site(call: Call) -> str:
    """Where a call that gets an appointment has it: the planner gave it a site."""
    assert call.site is not None
    return call.site


class Timing:
    """The steps of each call of a period, at their instants; shares the period's draws and doctors on duty."""

    def __init__(self, period: Period) -> None:
        self.sc, self.rng, self.zone = period.sc, period.rng, period.zone
        self.window, self.total, self.horizon = period.window, period.total, period.horizon
        self.site_spans, self.eligible, self.duty = period.site_spans, period.eligible, period.duty
        self.local, self.spans_on, self.has_window, self.fail = (
            period.local,
            period.spans_on,
            period.has_window,
            period.fail,
        )
        self.occupied: dict[tuple[str, datetime], int] = {}

    def _line_span(self, day: date, spans: tuple[Span, ...]) -> Span:
        today = self.spans_on(spans, day)
        return self.rng.choices(today, weights=[s.end - s.start for s in today])[0]

    def _clock(self, low: float, high: float) -> float:
        """A time of call between low and high (seconds), busier in the morning."""
        if self.rng.random() < 0.55:
            return self.rng.triangular(low, high, low + (high - low) * 0.15)
        return self.rng.uniform(low, high)

    def _delay(self, mean: float, low: float, high: float) -> timedelta:
        return timedelta(seconds=int(min(max(self.rng.expovariate(1 / mean), low), high)))

    def plan(self, call: Call) -> None:
        """The steps of one call, each at its instant (intake, notify, refusals, accept or book, outcome)."""
        if call.kind == "direct":
            self._direct(call)
            return
        window = self.has_window(call) and not call.by_treating_doctor
        start, last_accept = self._intake(call, window)
        call.steps.append((start, "intake", {}))
        if call.kind != "trigger":
            return
        notified = start + timedelta(seconds=self.rng.randint(60, 360))
        call.steps.append((notified, "notify", {}))
        if call.by_treating_doctor:
            taken = self._by_treating_doctor(notified)
        else:
            by_community = self._by_community(call, notified, window, last_accept)
            if by_community is None:
                return
            taken = by_community
        appointment = self._slot(call, taken) if call.site != CABINET else self._cabinet(call, taken)
        call.steps.append((taken, "accept", {"by": call.by, "appointment": appointment, "site": call.site}))
        self._outcome(call, taken, appointment)

    def _direct(self, call: Call) -> None:
        """Booked at a site by its own staff: intake, then book a few minutes later."""
        rng, day, site = self.rng, call.day, _site(call)
        spans = self.spans_on(self.site_spans[site], day)
        opening, closing = min(s.start for s in spans), max(s.end for s in spans)
        low = max(8 * 3600, opening - self.horizon.total_seconds() + 3600)
        start = self.local(day, rng.uniform(low, max(low, closing - 2400)))
        call.steps.append((start, "intake", {}))
        booked = start + timedelta(seconds=rng.randint(60, 300))
        appointment = self._slot(call, booked)
        call.steps.append((booked, "book", {"by": call.by, "appointment": appointment, "site": call.site}))
        self._outcome(call, booked, appointment)

    def _intake(self, call: Call, window: bool) -> tuple[datetime, datetime | None]:
        """When the line takes the call, and the last moment a site can still accept it (None: the practice)."""
        day = call.day
        span = self._line_span(day, self.sc.line)
        high: float
        low, high = span.start, span.end - 60
        last_accept = None
        if call.fate == "accepted" and call.site is not None and call.site != CABINET:
            closing = max(s.end for s in self.spans_on(self.site_spans[call.site], day))
            last_accept = self.local(day, closing - 20 * 60)
            high = min(high, closing - 20 * 60 - (self.window.total_seconds() if window else 0) - 9 * 60)
            if high <= low:
                self.fail(
                    _("the line's hours leave no time to accept at {site} on {day}.").format(
                        site=call.site, day=day_text(day)
                    )
                )
        return self.local(day, self._clock(low, high)), last_accept

    def _by_treating_doctor(self, notified: datetime) -> datetime:
        expires = notified + self.total
        if self.rng.random() < 0.85 or self.total - self.window < 5 * MINUTE:
            span_s = self.window.total_seconds()
            return notified + self._delay(span_s * 0.3, 60, span_s - 30)
        # answers late, once the request is open to the community (still eligible)
        community = ceil_minute(notified + self.window)
        return community + self._delay(600, 60, (expires - community).total_seconds() - 60)

    def _by_community(
        self, call: Call, notified: datetime, window: bool, last_accept: datetime | None
    ) -> datetime | None:
        """When a member of the community accepts (None: nobody does, it expires), after the refusals."""
        rng, expires = self.rng, notified + self.total
        community = notified
        if window:
            if call.treating_doctor_refuses:
                community = notified + timedelta(
                    seconds=rng.randint(60, max(61, int(self.window.total_seconds()) - 60))
                )
                call.steps.append(
                    (
                        community,
                        "refuse",
                        {"by": call.treating_doctor, "reason": rng.choice(("busy", "busy", "away", "other"))},
                    )
                )
            else:
                community = ceil_minute(notified + self.window)  # the tick that opens it to the community
        if call.fate == "expired":
            self._refusals(call, community, expires, count=rng.choices((0, 1, 2), (6, 3, 1))[0])
            return None
        limit = expires - MINUTE if last_accept is None else min(expires - MINUTE, last_accept)
        room = (limit - community).total_seconds()
        if room < 60:
            self.fail(
                _(
                    "no time is left to accept request planned on {day}; shorten the treating doctor's "
                    "window or lengthen the total window."
                ).format(day=day_text(call.day))
            )
        taken = community + self._delay(self.sc.community_minutes * 60, 60, room)
        if rng.random() < 0.12 and (taken - community).total_seconds() > 180:
            self._refusals(call, community, taken, count=1)
        return taken

    def _refusals(self, call: Call, after: datetime, before: datetime, count: int) -> None:
        others = [m for m in self.eligible if m not in (call.treating_doctor, call.by)]
        span = int((before - after).total_seconds()) - 60
        if span <= 60:
            return
        moments = sorted(self.rng.randint(30, span) for _i in range(count))
        # fewer members than moments may be left to refuse: the extra moments go unused
        for member, offset in zip(self.rng.sample(others, min(count, len(others))), moments, strict=False):
            call.steps.append(
                (
                    after + timedelta(seconds=offset),
                    "refuse",
                    {"by": member, "reason": self.rng.choice(("busy", "busy", "away", "out_of_scope"))},
                )
            )

    def _slot(self, call: Call, taken: datetime) -> datetime:
        """A 10-minute slot at the site on the day, after the acceptance, within the horizon."""
        site = _site(call)
        earliest = taken + timedelta(seconds=self.rng.randint(15 * 60, 40 * 60))
        latest = taken + self.horizon
        capacity = len(self.duty[site, call.day])
        slots = [
            self.local(call.day, s)
            for span in self.spans_on(self.site_spans[site], call.day)
            for s in range(span.start, span.end - 599, 600)
        ]
        free = [s for s in slots if earliest <= s <= latest and self.occupied.get((site, s), 0) < capacity]
        if not free:
            free = [s for s in slots if taken + 5 * MINUTE <= s <= latest]
        if not free:
            self.fail(
                _("no slot left at {site} on {day} after {at}.").format(
                    site=site, day=day_text(call.day), at=clock_text(taken.astimezone(self.zone))
                )
            )
        nearest = free[:12]  # within about two hours: the patient picks among the free times offered
        slot = self.rng.choices(nearest, weights=range(len(nearest) + 6, 6, -1))[0]
        self.occupied[site, slot] = self.occupied.get((site, slot), 0) + 1
        return slot

    def _cabinet(self, call: Call, taken: datetime) -> datetime:
        """An appointment in the member's practice: later that day, or the next day when the horizon allows."""
        rng, horizon = self.rng, self.horizon
        if self.sc.next_day and rng.random() < self.sc.next_day:
            next_day = (taken.astimezone(self.zone) + timedelta(days=1)).date()
            clock = rng.choice((9, 10, 11, 14, 15, 16, 17)) * 3600 + rng.randint(0, 11) * 300
            appointment = self.local(next_day, clock)
            if taken < appointment <= taken + horizon:
                return appointment
        lead = rng.uniform(20 * 60, min(240 * 60, horizon.total_seconds() - 300))
        appointment = taken + timedelta(seconds=lead)
        appointment = appointment.replace(second=0) + timedelta(minutes=5 - appointment.minute % 5)
        return appointment if appointment <= taken + horizon else ceil_minute(taken + MINUTE)

    def _outcome(self, call: Call, taken: datetime, appointment: datetime) -> None:
        rng = self.rng
        if call.outcome == "cancelled":
            at = taken + (appointment - taken) * rng.uniform(0.2, 0.8)
            at = max(at.replace(microsecond=0), taken + MINUTE)
        elif call.outcome == "no_show":
            at = appointment + timedelta(seconds=rng.randint(20 * 60, 60 * 60))
        else:
            at = appointment + timedelta(seconds=rng.randint(5 * 60, 50 * 60))
        call.steps.append((at, "outcome", {"outcome": call.outcome}))
