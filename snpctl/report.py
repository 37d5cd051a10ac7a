"""The figures of contract section 6, computed from the ledger's events alone, and their renderings.

``figures`` is pure: events in, a dict out. Requests are counted by the local date of their
intake; what happened to them later (acceptance, outcome) counts with them.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Iterable
from zoneinfo import ZoneInfo

from snpctl.domain.cascade import SOURCES
from snpctl.i18n import _
from snpctl.timefmt import from_stamp


@dataclass
class _Fate:
    day: date
    source: str
    treating_doctor: str
    action: str
    triggered_at: datetime | None = None
    taken: str | None = None          # "accept" or "book"
    by: str | None = None
    site: str | None = None
    delay: float | None = None        # minutes from trigger to cascade acceptance
    outcome: str | None = None
    expired: bool = False


_FOLLOWED = frozenset({"notify", "accept", "book", "outcome", "expire"})   # what the figures read after intake


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _quantile(values: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (position - low), 1)


def _months(first: date, last: date) -> list[str]:
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _place() -> dict[str, Any]:
    return {"total": 0, "seen": 0, "no_show": 0, "cancelled": 0, "by_source": {s: 0 for s in SOURCES}}


MONTH_KEYS = ("calls", "redirected", "transferred_15", "triggered", "accepted", "expired", "direct_bookings",
              "appointments", "seen", "no_show", "cancelled")


def figures(events: Iterable[dict[str, Any]], zone: ZoneInfo, *, start: date | None = None, end: date | None = None,
            registered: int = 0, sites: Iterable[str] = ()) -> dict[str, Any]:
    """Contract section 6 from the events alone; ``registered`` (today's roster) is the one figure that is not.

    ``sites`` only names the sites to show even when they had nothing in the period.
    """
    fates: dict[str, _Fate] = {}
    for event in events:
        kind = event["type"]
        if kind == "intake":
            day = from_stamp(event["at"]).astimezone(zone).date()
            if (start is None or day >= start) and (end is None or day <= end):
                fates[event["request"]] = _Fate(day, event["source"], event["treating_doctor"], event["action"])
            continue
        if kind not in _FOLLOWED:
            continue
        fate = fates.get(event["request"])
        if fate is None:
            continue
        if kind == "notify":
            fate.triggered_at = from_stamp(event["at"])
        elif kind in ("accept", "book"):
            fate.taken, fate.by, fate.site = kind, event["by"], event["site"]
            if kind == "accept" and fate.triggered_at is not None:
                fate.delay = (from_stamp(event["at"]) - fate.triggered_at).total_seconds() / 60
        elif kind == "outcome":
            fate.outcome = event["outcome"]
        elif kind == "expire":
            fate.expired = True

    days = [f.day for f in fates.values()]
    first = start or (min(days) if days else None)
    last = end or (max(days) if days else None)
    months = _months(first, last) if first and last and first <= last else []
    monthly = {m: {"month": m, **{k: 0 for k in MONTH_KEYS}} for m in months}

    triggered = accepted = by_treating = expired = direct = 0
    by_site: dict[str, int] = {"cabinet": 0, **{s: 0 for s in sites}}
    appointments = {"total": 0, "seen": 0, "no_show": 0, "cancelled": 0}
    site_appointments: dict[str, dict[str, Any]] = {s: _place() for s in sites}
    sources = {s: 0 for s in SOURCES}
    doctor_status = {"declared": 0, "none": 0, "unknown": 0}
    delays: list[float] = []
    takers: set[str] = set()
    counts = {"redirect": 0, "transfer_15": 0}

    for fate in fates.values():
        row = monthly[fate.day.strftime("%Y-%m")]    # every kept intake lies within the period's months
        row["calls"] += 1
        sources[fate.source] = sources.get(fate.source, 0) + 1
        key = fate.treating_doctor if fate.treating_doctor in ("none", "unknown") else "declared"
        doctor_status[key] += 1
        if fate.action in counts:
            counts[fate.action] += 1
            month_key = "redirected" if fate.action == "redirect" else "transferred_15"
            row[month_key] += 1
        if fate.triggered_at is not None:
            triggered += 1
            row["triggered"] += 1
        if fate.expired:
            expired += 1
            row["expired"] += 1
        if fate.taken is None:
            continue
        takers.add(fate.by)
        appointments["total"] += 1
        row["appointments"] += 1
        if fate.outcome in ("seen", "no_show", "cancelled"):
            appointments[fate.outcome] += 1
            row[fate.outcome] += 1
        if fate.taken == "accept":
            accepted += 1
            row["accepted"] += 1
            by_site[fate.site] = by_site.get(fate.site, 0) + 1
            by_treating += fate.by == fate.treating_doctor
            if fate.delay is not None:
                delays.append(fate.delay)
        else:
            direct += 1
            row["direct_bookings"] += 1
        if fate.site != "cabinet":
            place = site_appointments.setdefault(fate.site, _place())
            place["total"] += 1
            if fate.outcome in ("seen", "no_show", "cancelled"):
                place[fate.outcome] += 1
            place["by_source"][fate.source] = place["by_source"].get(fate.source, 0) + 1

    appointments["no_show_rate"] = _rate(appointments["no_show"], appointments["seen"] + appointments["no_show"])
    for place in site_appointments.values():
        place["no_show_rate"] = _rate(place["no_show"], place["seen"] + place["no_show"])
    for row in monthly.values():
        row["acceptance_rate"] = _rate(row["accepted"], row["triggered"])
    return {
        "period": {"from": first.isoformat() if first else None, "to": last.isoformat() if last else None},
        "calls": len(fates),
        "redirected": counts["redirect"],
        "transferred_15": counts["transfer_15"],
        "triggered": triggered,
        "triggered_per_month": round(triggered / len(months), 4) if months else None,
        "accepted": accepted,
        "acceptance_rate": _rate(accepted, triggered),
        "accepted_by_treating_doctor": by_treating,
        "accepted_by_site": by_site,
        "expired": expired,
        "direct_bookings": direct,
        "appointments": appointments,
        "site_appointments": site_appointments,
        "sources": sources,
        "treating_doctor_status": doctor_status,
        "time_to_accept_minutes": {"median": _quantile(delays, 0.5), "p90": _quantile(delays, 0.9)},
        "members": {"registered": registered, "accepted_at_least_once": len(takers)},
        "monthly": list(monthly.values()),
    }


# -- renderings -----------------------------------------------------------------------------
# Every form is made from the figures alone (the JSON of section 6), so that what a coordinator
# reads, pastes or loads in a spreadsheet is exactly what an auditor's script gets.

def _percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate * 100:.0f}%"


def _share(part: int, whole: int) -> str:
    return f"{part} ({_percent(_rate(part, whole))})" if whole else str(part)


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _site_name(site: str) -> str:
    return _("in their own practice") if site == "cabinet" else _("at {site}").format(site=site)


def _referrers(by_source: dict[str, int], total: int) -> str:
    parts = [f"{source} {_share(count, total)}" for source, count in by_source.items() if count]
    return " · ".join(parts) or "-"


def _sections(data: dict[str, Any]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The figures as a coordinator reads them, top to bottom: (section, [(label, value)])."""
    calls, triggered, appointments = data["calls"], data["triggered"], data["appointments"]
    status = data["treating_doctor_status"]
    delays = data["time_to_accept_minutes"]
    sections = [
        (_("Calls"), [
            (_("Calls received"), str(calls)),
            (_("  by source"), " · ".join(f"{k} {_share(v, calls)}" for k, v in data["sources"].items() if v) or "-"),
            (_("Redirected, out of protocol"), _share(data["redirected"], calls)),
            (_("Transferred to the 15"), _share(data["transferred_15"], calls)),
            (_("Treating doctor declared"), _share(status["declared"], calls)),
            (_("  no treating doctor"), _share(status["none"], calls)),
            (_("  does not know"), _share(status["unknown"], calls)),
        ]),
        (_("Cascade"), [
            (_("Triggered"), str(triggered)),
            (_("  a month on average"), _number(data["triggered_per_month"])),
            (_("Accepted"), f"{data['accepted']} ({_percent(data['acceptance_rate'])})"),
            (_("  by the treating doctor"), _share(data["accepted_by_treating_doctor"], data["accepted"])),
            *[(f"  {_site_name(site)}", _share(count, data["accepted"]))
              for site, count in data["accepted_by_site"].items()],
            (_("Expired, nobody accepted"), _share(data["expired"], triggered)),
            (_("Minutes to accept: median"), _number(delays["median"])),
            (_("  9 in 10 within"), _number(delays["p90"])),
        ]),
        (_("Appointments"), [
            (_("Appointments given"), str(appointments["total"])),
            (_("  through the cascade"), str(data["accepted"])),
            (_("  booked directly (SAMU, SAS, hospital)"), str(data["direct_bookings"])),
            (_("Seen / no-show / cancelled"),
             f"{appointments['seen']} / {appointments['no_show']} / {appointments['cancelled']}"),
            (_("No-show rate"), _percent(appointments["no_show_rate"])),
        ]),
    ]
    for site, place in data["site_appointments"].items():
        sections[-1][1].extend([
            (_("At {site}").format(site=site), str(place["total"])),
            (_("  seen / no-show"), f"{place['seen']} / {place['no_show']}"),
            (_("  no-show rate"), _percent(place["no_show_rate"])),
            (_("  referred by"), _referrers(place["by_source"], place["total"])),
        ])
    sections.append((_("Members"), [
        (_("Registered today (roster.toml)"), str(data["members"]["registered"])),
        (_("Accepted or booked at least once"), str(data["members"]["accepted_at_least_once"])),
    ]))
    return sections


def _title(data: dict[str, Any]) -> str:
    period = data["period"]
    if period["from"] is None:
        return _("Activity report: no call recorded")
    months = len(data["monthly"])
    return _("Activity report, {start} to {end} ({months})").format(
        start=period["from"], end=period["to"],
        months=_("1 month") if months == 1 else _("{n} months").format(n=months))


def _is_number(text: str) -> bool:
    return text == "-" or text.replace(".", "", 1).removesuffix("%").isdigit()


def _table(data: dict[str, Any], width: int = 36) -> str:
    """Sections a coordinator reads top to bottom: numbers line up on the right, words start at the column."""
    sections = _sections(data)
    label_width = max(len(label) for _title, rows in sections for label, _value in rows)
    value_width = max(len(value.split(" ")[0]) for _title, rows in sections for _label, value in rows
                      if _is_number(value.split(" ")[0]))
    out = [_title(data)]
    for title, rows in sections:
        out += ["", title.upper()]
        for label, value in rows:
            head, _space, tail = value.partition(" ")
            cell = f"{head:>{value_width}}{' ' + tail if tail else ''}" if _is_number(head) else value
            out.append(f"  {label:<{label_width}}  {cell}")
    months = data["monthly"]
    if months:
        peak = max(m["calls"] for m in months) or 1
        out += ["", _("BY MONTH") + "   " + _("█ accepted  ▓ triggered, not accepted  ░ other calls"),
                f"  {'':7}  {_('calls'):>6} {_('trig.'):>6} {_('acc.'):>6}"]
        for month in months:
            cells = [round(month[k] * width / peak) for k in ("accepted", "triggered", "calls")]
            bar = "█" * cells[0] + "▓" * (cells[1] - cells[0]) + "░" * (cells[2] - cells[1])
            out.append(f"  {month['month']:7}  {month['calls']:>6} {month['triggered']:>6} {month['accepted']:>6}  "
                       f"{bar}".rstrip())
    return "\n".join(out) + "\n"


def _markdown(data: dict[str, Any]) -> str:
    out = [f"## {_title(data)}"]
    for title, rows in _sections(data):
        out += ["", f"### {title}", "", f"| {_('Figure')} | {_('Value')} |", "|---|---:|"]
        out += [f"| {'&nbsp;&nbsp;' if label.startswith('  ') else ''}{label.strip()} | {value} |"
                for label, value in rows]
    if data["monthly"]:
        headers = (_("Month"), _("Calls"), _("Triggered"), _("Accepted"), _("Acceptance rate"), _("Expired"),
                   _("Direct bookings"), _("Seen"), _("No-show"))
        out += ["", f"### {_('By month')}", "", "| " + " | ".join(headers) + " |",
                "|---|" + "---:|" * (len(headers) - 1)]
        for m in data["monthly"]:
            cells = (m["month"], m["calls"], m["triggered"], m["accepted"], _percent(m["acceptance_rate"]),
                     m["expired"], m["direct_bookings"], m["seen"], m["no_show"])
            out.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(out) + "\n"


CSV_COLUMNS = ("month", *MONTH_KEYS, "acceptance_rate")


def _csv(data: dict[str, Any]) -> str:
    """One row a month, for a spreadsheet; the header row names the columns as the JSON does."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for month in data["monthly"]:
        writer.writerow(["" if month[k] is None else month[k] for k in CSV_COLUMNS])
    return out.getvalue()


def render_report(data: dict[str, Any], form: str) -> str:
    if form == "json":
        return json.dumps(data, ensure_ascii=False) + "\n"
    if form == "csv":
        return _csv(data)
    if form == "markdown":
        return _markdown(data)
    return _table(data)
