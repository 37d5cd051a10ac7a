"""The figures as a coordinator reads them, top to bottom: titled sections of (label, value) rows.

Owns the labels, their order and how a value is written (a share with its percentage, "-" for
none). Shared by the terminal table and the Markdown (``render_table``, ``render_text``). Made from
the figures alone (the JSON of section 6, ``summary``), so that what a coordinator reads, pastes
or loads in a spreadsheet is exactly what an auditor's script gets; knows no ledger nor tallies.
"""

from __future__ import annotations

from typing import Any

from snpctl.i18n import _
from snpctl.report.summary import rate
from snpctl.shown import fill, literal

Rows = list[tuple[str, str]]


def percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate * 100:.0f}%"


def _share(part: int, whole: int) -> str:
    return f"{part} ({percent(rate(part, whole))})" if whole else str(part)


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _site_name(site: str) -> str:
    return _("in their own practice") if site == "cabinet" else fill(_("at {site}"), site=site)


def _referrers(by_source: dict[str, int], total: int) -> str:
    parts = [f"{literal(source)} {_share(count, total)}" for source, count in by_source.items() if count]
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
        start=period["from"], end=period["to"], months=_("1 month") if months == 1 else _("{n} months").format(n=months)
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
