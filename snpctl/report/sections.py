"""The figures as a coordinator reads them, top to bottom: titled sections of (label, value) rows.

Owns the labels, their order and how a value is written (a share with its percentage, "-" for
none). Shared by the terminal table and the Markdown (``render_table``, ``render_text``). Made from
the figures alone (the JSON of section 6, ``summary``), so that what a coordinator reads, pastes
or loads in a spreadsheet is exactly what an auditor's script gets; knows no ledger nor tallies.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from snpctl.i18n import N_, _, language
from snpctl.report.summary import rate
from snpctl.shown import fill
from snpctl.timefmt import _MONTHS

Rows = list[tuple[str, str]]

# the intake sources, as short as a table row wants them (``words.source`` says them in full)
_SOURCES = {
    "cot": N_("COT"),
    "web": N_("web"),
    "samu": N_("SAMU"),
    "hospital": N_("hospital"),
    "office": N_("practice"),
}


def decimal(value: float, digits: int = 1) -> str:
    """``value`` with ``digits`` decimals, as the language writes them: ``12,5`` in French, ``12.5`` in English."""
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if language() == "fr" else text


def percent(rate: float | None) -> str:
    """A rate as a percentage for people: ``42,5 %`` (French), ``42.5%`` (English); a whole one without decimals."""
    if rate is None:
        return "-"
    value = decimal(rate * 100).removesuffix(",0").removesuffix(".0")
    return _("{value}%").format(value=value)


def day(iso: str) -> str:
    """A date of the period as people write it: ``1er janvier 2024`` (English ``1 January 2024``)."""
    when = date.fromisoformat(iso)
    number = "1er" if when.day == 1 and language() == "fr" else str(when.day)
    return _("{day} {month} {year}").format(day=number, month=_(_MONTHS[when.month - 1]), year=when.year)


def month(key: str) -> str:
    """A month of the period (``2024-01``) as people write it: ``janvier 2024`` (English ``January 2024``)."""
    year, number = key.split("-")
    return _("{month} {year}").format(month=_(_MONTHS[int(number) - 1]), year=year)


def _share(part: int, whole: int) -> str:
    return f"{part} ({percent(rate(part, whole))})" if whole else str(part)


def _number(value: float | None) -> str:
    return "-" if value is None else decimal(value)


def _site_name(site: str) -> str:
    return _("in their own practice") if site == "cabinet" else fill(_("at {site}"), site=site)


def _source(code: str) -> str:
    found = _SOURCES.get(code)
    return fill("{code}", code=code) if found is None else _(found)


def _referrers(by_source: dict[str, int], total: int) -> str:
    parts = [f"{_source(source)} {_share(count, total)}" for source, count in by_source.items() if count]
    return " · ".join(parts) or "-"


def sections(data: dict[str, Any]) -> list[tuple[str, Rows]]:
    """The figures as a coordinator reads them, top to bottom: (section, [(label, value)])."""
    return [
        (_("Calls"), _calls(data)),
        (_("Cascade"), _cascade(data)),
        (_("Appointments"), _appointments(data)),
        (_("Members"), _members(data)),
    ]


def title(data: dict[str, Any]) -> str:
    period = data["period"]
    if period["from"] is None:
        return _("Activity report: no call recorded")
    months = len(data["monthly"])
    return _("Activity report, {start} to {end} ({months})").format(
        start=day(period["from"]),
        end=day(period["to"]),
        months=_("1 month") if months == 1 else _("{n} months").format(n=months),
    )


def _calls(data: dict[str, Any]) -> Rows:
    calls, status = data["calls"], data["treating_doctor_status"]
    return [
        (_("Calls received"), str(calls)),
        (_("  by source"), _referrers(data["sources"], calls)),
        (_("Redirected, out of protocol"), _share(data["redirected"], calls)),
        (_("Transferred to the 15"), _share(data["transferred_15"], calls)),
        (_("Treating doctor declared"), _share(status["declared"], calls)),
        (_("  no treating doctor"), _share(status["none"], calls)),
        (_("  does not know"), _share(status["unknown"], calls)),
    ]


def _cascade(data: dict[str, Any]) -> Rows:
    triggered, delays = data["triggered"], data["time_to_accept_minutes"]
    return [
        (_("Triggered"), str(triggered)),
        (_("  a month on average"), _number(data["triggered_per_month"])),
        (_("Accepted"), f"{data['accepted']} ({percent(data['acceptance_rate'])})"),
        (_("  by the treating doctor"), _share(data["accepted_by_treating_doctor"], data["accepted"])),
        *[
            (f"  {_site_name(site)}", _share(count, data["accepted"]))
            for site, count in data["accepted_by_site"].items()
        ],
        (_("Expired, nobody accepted"), _share(data["expired"], triggered)),
        (_("  patient called back (snpctl done)"), _share(data["expired_followed_up"], data["expired"])),
        (_("Minutes to accept: median"), _number(delays["median"])),
        (_("  9 in 10 within"), _number(delays["p90"])),
    ]


def _appointments(data: dict[str, Any]) -> Rows:
    appointments = data["appointments"]
    rows = [
        (_("Appointments given"), str(appointments["total"])),
        (_("  through the cascade"), str(data["accepted"])),
        (_("  booked directly (SAMU, SAS, hospital)"), str(data["direct_bookings"])),
        (
            _("Seen / no-show / cancelled"),
            f"{appointments['seen']} / {appointments['no_show']} / {appointments['cancelled']}",
        ),
        (_("No-show rate"), percent(appointments["no_show_rate"])),
    ]
    for site, place in data["site_appointments"].items():
        rows.extend(
            [
                (fill(_("At {site}"), site=site), str(place["total"])),
                (_("  seen / no-show"), f"{place['seen']} / {place['no_show']}"),
                (_("  no-show rate"), percent(place["no_show_rate"])),
                (_("  referred by"), _referrers(place["by_source"], place["total"])),
            ]
        )
    return rows


def _members(data: dict[str, Any]) -> Rows:
    return [
        (_("Registered today (roster.toml)"), str(data["members"]["registered"])),
        (_("Accepted or booked at least once"), str(data["members"]["accepted_at_least_once"])),
    ]
