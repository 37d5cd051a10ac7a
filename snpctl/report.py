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


def figures(events: Iterable[dict[str, Any]], zone: ZoneInfo, *, start: date | None = None, end: date | None = None,
            registered: int = 0, sites: Iterable[str] = ()) -> dict[str, Any]:
    fates: dict[str, _Fate] = {}
    for event in events:
        kind = event["type"]
        if kind == "intake":
            day = from_stamp(event["at"]).astimezone(zone).date()
            if (start is None or day >= start) and (end is None or day <= end):
                fates[event["request"]] = _Fate(day, event["source"], event["treating_doctor"], event["action"])
            continue
        fate = fates.get(event.get("request"))
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
    monthly = {m: {"month": m, "calls": 0, "triggered": 0, "accepted": 0} for m in months}

    triggered = accepted = by_treating = expired = direct = 0
    by_site: dict[str, int] = {"cabinet": 0, **{s: 0 for s in sites}}
    appointments = {"total": 0, "seen": 0, "no_show": 0, "cancelled": 0}
    site_appointments: dict[str, dict[str, Any]] = {}
    sources = {s: 0 for s in SOURCES}
    doctor_status = {"declared": 0, "none": 0, "unknown": 0}
    delays: list[float] = []
    takers: set[str] = set()
    counts = {"redirect": 0, "transfer_15": 0}

    for fate in fates.values():
        row = monthly.get(fate.day.strftime("%Y-%m"))
        if row is not None:
            row["calls"] += 1
        sources[fate.source] = sources.get(fate.source, 0) + 1
        key = fate.treating_doctor if fate.treating_doctor in ("none", "unknown") else "declared"
        doctor_status[key] += 1
        if fate.action in counts:
            counts[fate.action] += 1
        if fate.triggered_at is not None:
            triggered += 1
            if row is not None:
                row["triggered"] += 1
        expired += fate.expired
        if fate.taken is None:
            continue
        takers.add(fate.by)
        appointments["total"] += 1
        if fate.outcome in ("seen", "no_show", "cancelled"):
            appointments[fate.outcome] += 1
        if fate.taken == "accept":
            accepted += 1
            by_site[fate.site] = by_site.get(fate.site, 0) + 1
            by_treating += fate.by == fate.treating_doctor
            if fate.delay is not None:
                delays.append(fate.delay)
            if row is not None:
                row["accepted"] += 1
        else:
            direct += 1
        if fate.site != "cabinet":
            place = site_appointments.setdefault(fate.site, {"total": 0, "seen": 0, "no_show": 0,
                                                             "by_source": {s: 0 for s in SOURCES}})
            place["total"] += 1
            if fate.outcome in ("seen", "no_show"):
                place[fate.outcome] += 1
            place["by_source"][fate.source] = place["by_source"].get(fate.source, 0) + 1

    appointments["no_show_rate"] = _rate(appointments["no_show"], appointments["seen"] + appointments["no_show"])
    for place in site_appointments.values():
        place["no_show_rate"] = _rate(place["no_show"], place["seen"] + place["no_show"])
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

def _percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate * 100:.0f}%"


def _lines(data: dict[str, Any]) -> list[tuple[str, str]]:
    """The headline figures as (label, value) rows, shared by the table and markdown forms."""
    appointments = data["appointments"]
    rows = [
        (_("Period"), f"{data['period']['from'] or '-'} → {data['period']['to'] or '-'}"),
        (_("Calls"), str(data["calls"])),
        (_("Redirected (out of protocol)"), str(data["redirected"])),
        (_("Transferred to the 15"), str(data["transferred_15"])),
        (_("Triggered"), str(data["triggered"])),
        (_("Triggered per month"), "-" if data["triggered_per_month"] is None else f"{data['triggered_per_month']:.1f}"),
        (_("Accepted (cascade)"), f"{data['accepted']} ({_percent(data['acceptance_rate'])})"),
        (_("  by the treating doctor"), str(data["accepted_by_treating_doctor"])),
    ]
    rows += [(f"  {_('at')} {site}", str(count)) for site, count in data["accepted_by_site"].items()]
    rows += [
        (_("Expired (nobody accepted)"), str(data["expired"])),
        (_("Direct bookings"), str(data["direct_bookings"])),
        (_("Appointments"), str(appointments["total"])),
        (_("  seen / no-show / cancelled"),
         f"{appointments['seen']} / {appointments['no_show']} / {appointments['cancelled']}"),
        (_("  no-show rate"), _percent(appointments["no_show_rate"])),
    ]
    for site, place in data["site_appointments"].items():
        referrers = ", ".join(f"{k} {v}" for k, v in place["by_source"].items() if v)
        rows.append((f"{_('Appointments at')} {site}",
                     f"{place['total']} ({_('no-show')} {_percent(place['no_show_rate'])}; {referrers})"))
    status = data["treating_doctor_status"]
    rows += [
        (_("Sources"), ", ".join(f"{k} {v}" for k, v in data["sources"].items())),
        (_("Treating doctor declared / none / unknown"), f"{status['declared']} / {status['none']} / {status['unknown']}"),
        (_("Minutes to accept, median / p90"),
         f"{data['time_to_accept_minutes']['median'] or '-'} / {data['time_to_accept_minutes']['p90'] or '-'}"),
        (_("Members registered / accepted at least once"),
         f"{data['members']['registered']} / {data['members']['accepted_at_least_once']}"),
    ]
    return rows


def _bars(data: dict[str, Any], width: int = 40) -> list[str]:
    peak = max((m["calls"] for m in data["monthly"]), default=0) or 1
    lines = []
    for month in data["monthly"]:
        bar = "".join("█" if i < month["accepted"] * width / peak else
                      "▓" if i < month["triggered"] * width / peak else
                      "░" if i < month["calls"] * width / peak else "" for i in range(width))
        lines.append(f"{month['month']}  {bar:<{width}}  {month['calls']:>4} {month['triggered']:>4} "
                     f"{month['accepted']:>4}")
    return lines


def render_report(data: dict[str, Any], form: str) -> str:
    if form == "json":
        return json.dumps(data, ensure_ascii=False) + "\n"
    if form == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["month", "calls", "triggered", "accepted"])
        for month in data["monthly"]:
            writer.writerow([month["month"], month["calls"], month["triggered"], month["accepted"]])
        return out.getvalue()
    rows = _lines(data)
    if form == "markdown":
        out = [f"| {_('Figure')} | {_('Value')} |", "|---|---:|"]
        out += [f"| {label.strip()} | {value} |" for label, value in rows]
        out += ["", f"| {_('Month')} | {_('Calls')} | {_('Triggered')} | {_('Accepted')} |", "|---|---:|---:|---:|"]
        out += [f"| {m['month']} | {m['calls']} | {m['triggered']} | {m['accepted']} |" for m in data["monthly"]]
        return "\n".join(out) + "\n"
    width = max(len(label) for label, _value in rows)
    out = [f"{label:<{width}}  {value}" for label, value in rows]
    if data["monthly"]:
        out += ["", _("By month: █ accepted ▓ triggered ░ calls") + "        " + _("calls trig. acc.")]
        out += _bars(data)
    return "\n".join(out) + "\n"
