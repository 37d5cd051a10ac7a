"""Who is there and what is open on a day: a member's ``absent`` days, a site's closures and public holidays.

The decisions (``cascade``) ask these before an appointment is given (accept, book); each refusal names the
day, why, and what to do. Like the site's hours, these are today's configuration: the audit does not replay
them (a closure added afterwards must not make an acceptance recorded before it illegal).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from snpctl.config.records import Config, Member
from snpctl.errors import Refused
from snpctl.i18n import _
from snpctl.timefmt import day_text, to_local_text


def _day(config: Config, day: date, now: datetime) -> str:
    """``vendredi 25 décembre``, with the year when it is not now's."""
    return day_text(day, year=day.year != now.astimezone(config.zone).year)


def check_present(config: Config, member: Member, now: datetime, appointment: datetime, who: str) -> None:
    """A member away today, or on the appointment's day (roster.toml ``absent``), takes nothing."""
    for instant in (now, appointment):
        day = instant.astimezone(config.zone).date()
        away = member.absent_on(day)
        if away is not None:
            raise Refused(
                _(
                    "{member} is away on {day} (absent = {days} in roster.toml): cannot accept or be booked "
                    "that day; back on {back}."
                ).format(
                    member=who,
                    day=_day(config, day, now),
                    days=away.text,
                    back=_day(config, away.last + timedelta(days=1), now),
                )
            )


def check_open(config: Config, site: str, now: datetime, appointment: datetime) -> None:
    """No appointment at a site on a day it is closed (roster.toml ``closed``, a public holiday)."""
    place = config.sites[site]
    day = appointment.astimezone(config.zone).date()
    why = place.closure(day, config.holidays_region)
    if why is None:
        return
    opening = place.next_opening(appointment, config.zone, config.holidays_region)
    if opening is None:
        raise Refused(
            _(
                "{label} is closed on {day} ({why}) and does not open in the year after; check its hours and "
                "closed in roster.toml, or choose another site."
            ).format(label=place.label, day=_day(config, day, now), why=why)
        )
    raise Refused(
        _("{label} is closed on {day} ({why}); next opening: {next}.").format(
            label=place.label,
            day=_day(config, day, now),
            why=why,
            next=to_local_text(opening, config.zone, today=now.astimezone(config.zone).date()),
        )
    )
