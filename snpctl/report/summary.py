"""The figures of contract section 6 (the JSON a report prints), made from the tallies' sums.

Owns the figures' keys, their order and their arithmetic (rates, quantiles, months of a period).
``figures`` is pure: events in, a dict out. Knows nothing of files (``store.tallies`` saves the
sums) nor of how the figures are shown (``render_table``, ``render_text``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from snpctl.domain.cascade import SOURCES
from snpctl.domain.tallies import Picked, Tallies

MONTH_KEYS = (
    "calls",
    "redirected",
    "transferred_15",
    "triggered",
    "accepted",
    "expired",
    "direct_bookings",
    "appointments",
    "seen",
    "no_show",
    "cancelled",
)


def figures(
    events: Iterable[dict[str, Any]],
    zone: ZoneInfo,
    *,
    start: date | None = None,
    end: date | None = None,
    registered: int = 0,
    sites: Iterable[str] = (),
) -> dict[str, Any]:
    """Contract section 6 from the events alone; ``registered`` (today's roster) is the one figure that is not.

    ``sites`` only names the sites to show even when they had nothing in the period.
    """
    return summarize(*Tallies(zone).read(events).select(start, end), registered=registered, sites=sites)


def summarize(
    first: date | None, last: date | None, picked: Picked, *, registered: int = 0, sites: Iterable[str] = ()
) -> dict[str, Any]:
    """Contract section 6 for the period from ``first`` to ``last``, from the sums ``Tallies.select`` picked."""
    months = _months(first, last) if first and last and first <= last else []
    by_month, delays, takers = _by_month(months, picked)
    total: dict[str, int] = {}
    for row in by_month.values():
        for key, count in row.items():
            total[key] = total.get(key, 0) + count
    get = total.get
    triggered, accepted, calls = get("triggered", 0), get("accepted", 0), get("calls", 0)
    return {
        "period": {"from": first.isoformat() if first else None, "to": last.isoformat() if last else None},
        "calls": calls,
        "redirected": get("redirected", 0),
        "transferred_15": get("transferred_15", 0),
        "triggered": triggered,
        "triggered_per_month": round(triggered / len(months), 4) if months else None,
        "accepted": accepted,
        "acceptance_rate": rate(accepted, triggered),
        "accepted_by_treating_doctor": get("by_treating_doctor", 0),
        "accepted_by_site": _named(total, "by_site:", ["cabinet", *sites]),
        "expired": get("expired", 0),
        "expired_followed_up": get("expired_followed_up", 0),
        "direct_bookings": get("direct_bookings", 0),
        "appointments": _appointments(total),
        "site_appointments": {site: _place(total, site) for site in _names(total, "site:", sites)},
        "sources": _named(total, "source:", SOURCES),
        "treating_doctor_status": {k: get(f"doctor:{k}", 0) for k in ("declared", "none", "unknown")},
        "time_to_accept_minutes": {"median": _quantile(delays, 0.5), "p90": _quantile(delays, 0.9)},
        "members": {"registered": registered, "accepted_at_least_once": len(takers)},
        "monthly": _monthly(by_month),
    }


def _by_month(months: list[str], picked: Picked) -> tuple[dict[str, dict[str, int]], list[float], set[str]]:
    """The counters of the picked sums added up month by month, with all their delays and takers."""
    by_month: dict[str, dict[str, int]] = {m: {} for m in months}
    delays: list[float] = []
    takers: set[str] = set()
    for (year, month), (counts, some_delays, some_takers) in picked:
        row = by_month[f"{year:04d}-{month:02d}"]  # every picked sum lies within the period's months
        for key, count in counts.items():
            row[key] = row.get(key, 0) + count
        delays += some_delays
        takers.update(some_takers)
    return by_month, delays, takers


def _monthly(by_month: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    monthly = []
    for month, row in by_month.items():
        line: dict[str, Any] = {"month": month, **{k: row.get(k, 0) for k in MONTH_KEYS}}
        line["acceptance_rate"] = rate(line["accepted"], line["triggered"])
        monthly.append(line)
    return monthly


def _appointments(total: dict[str, int]) -> dict[str, Any]:
    get = total.get
    appointments: dict[str, Any] = {
        "total": get("appointments", 0),
        "seen": get("seen", 0),
        "no_show": get("no_show", 0),
        "cancelled": get("cancelled", 0),
    }
    appointments["no_show_rate"] = rate(appointments["no_show"], appointments["seen"] + appointments["no_show"])
    return appointments


def rate(numerator: int, denominator: int) -> float | None:
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


def _names(counts: dict[str, int], prefix: str, first: Iterable[str]) -> list[str]:
    """The names in ``first``, in that order, then any other ``prefix + name`` counter's, sorted."""
    first = list(dict.fromkeys(first))
    size = len(prefix)
    return first + sorted(
        {key[size:] for key in counts if key.startswith(prefix) and ":" not in key[size:]} - set(first)
    )


def _named(counts: dict[str, int], prefix: str, first: Iterable[str]) -> dict[str, int]:
    """``{name: count}`` of the counters ``prefix + name``, named as ``_names`` orders them."""
    return {name: counts.get(prefix + name, 0) for name in _names(counts, prefix, first)}


def _place(counts: dict[str, int], site: str) -> dict[str, Any]:
    prefix = f"site:{site}"
    place: dict[str, Any] = {
        "total": counts.get(prefix, 0),
        **{o: counts.get(f"{prefix}:{o}", 0) for o in ("seen", "no_show", "cancelled")},
        "by_source": _named(counts, f"{prefix}:source:", SOURCES),
    }
    place["no_show_rate"] = rate(place["no_show"], place["seen"] + place["no_show"])
    return place
