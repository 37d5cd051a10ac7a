"""The figures of contract section 6, computed from the ledger's events alone, and their renderings.

``figures`` is pure: events in, a dict out. Requests are counted by the local date of their
intake; what happened to them later (acceptance, outcome) counts with them.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from sys import intern
from typing import Any, Callable, Iterable
from zoneinfo import ZoneInfo

from snpctl.domain.cascade import SOURCES, taken_in
from snpctl.i18n import _
from snpctl.shown import fill, literal
from snpctl.timefmt import from_stamp


class Fate:
    """What became of one request, as far as the figures care: filled in as its events are read."""

    __slots__ = ("day", "source", "treating_doctor", "action", "triggered_at", "taken", "by", "site", "delay",
                 "outcome", "expired")

    def __init__(self, day: int, source: str, treating_doctor: str, action: str, triggered_at: int | None = None,
                 taken: str | None = None, by: str | None = None, site: str | None = None,
                 delay: float | None = None, outcome: str | None = None, expired: bool = False) -> None:
        self.day, self.source, self.treating_doctor, self.action = \
            day, source, treating_doctor, action                # day: the intake's local date, as an ordinal
        self.triggered_at, self.taken, self.by, self.site = triggered_at, taken, by, site   # taken: accept/book
        self.delay, self.outcome, self.expired = delay, outcome, expired    # delay: minutes, trigger to accept

    def packed(self) -> tuple:
        return tuple(getattr(self, name) for name in self.__slots__)

    @property
    def settled(self) -> bool:
        """Nothing the ledger may still say changes this fate's figures (the rules allow no step after these)."""
        return self.expired or self.outcome is not None or self.action != "trigger"


_FOLLOWED = frozenset({"notify", "accept", "book", "outcome", "expire"})   # what the figures read after intake
_MESSAGES = frozenset({"queue", "attempt", "sent", "failed", "given_up"})   # the figures count requests


class Stale(Exception):
    """A step for a request the tallies hold no open fate of: they cannot take it; count again from the start."""


class Tallies:
    """The figures' running sums by intake day and month, and the fates still open.

    A request's fate adds to the sums of its intake day and month once it is settled; until
    then it is kept whole. So the sums only grow, the open fates stay few, and the figures of a
    period are the sums of its whole months, of the days of the months it cuts, and of its open
    fates. ``.snpctl/figures`` keeps one of these (``store.tallies``) so that a report reads
    only the lines written since.
    """

    def __init__(self, zone: ZoneInfo, days: dict[tuple[int, int], Any] | None = None, months: Sums | None = None,
                 open_fates: dict[str, Fate] | None = None, requests: int = 0,
                 unpack: Callable[[Any], Sums] | None = None) -> None:
        self.zone = zone
        # (year, month) -> that month's sums by local day (ordinal); or, as saved, something ``unpack``
        # makes them from on first use: a report of whole months never needs the days of most months
        self.days = {} if days is None else days
        self.unpack = unpack
        self.months = {} if months is None else months      # (year, month) -> sums
        self.open = {} if open_fates is None else open_fates
        self.requests = requests        # intakes read: the requests that exist are numbered 1 to this

    def read(self, events: Iterable[dict[str, Any]], *, strict: bool = False) -> "Tallies":
        """Fold ``events`` (the ledger's, in order) into the open fates; settled ones go to their sums.

        An event that does not fit the ones before it (a time that does not read, a request never
        taken in) raises ValueError or KeyError. A step for a request whose fate is settled is one
        the rules do not allow: a full count skips it, a ``strict`` one (on saved tallies) raises ``Stale``.
        """
        zone, fates = self.zone, self.open
        for event in events:
            kind = event["type"]
            if kind in _MESSAGES:
                continue
            at = from_stamp(event["at"])
            if kind == "intake":
                self.requests += 1
                fate = Fate(at.astimezone(zone).date().toordinal(), event["source"], event["treating_doctor"],
                            event["action"])
                if fate.settled:
                    self._add(fate)
                else:
                    fates[event["request"]] = fate
                continue
            if kind == "recovery":
                continue
            fate = fates.get(event["request"])
            if fate is None:
                if not taken_in(event["request"], self.requests):
                    raise KeyError(event["request"])
                if strict and kind in _FOLLOWED:
                    raise Stale(event["request"])
                continue
            if kind == "notify":
                fate.triggered_at = int(at.timestamp())
            elif kind in ("accept", "book"):
                fate.taken, fate.by, fate.site = kind, event["by"], event["site"]
                if kind == "accept" and fate.triggered_at is not None:
                    fate.delay = (at.timestamp() - fate.triggered_at) / 60
            elif kind == "outcome":
                fate.outcome = event["outcome"]
            elif kind == "expire":
                fate.expired = True
            if fate.settled:
                self._add(fates.pop(event["request"]))
        return self

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
        low, high = (start.toordinal() if start else None), (end.toordinal() if end else None)
        inside = lambda day: (low is None or day >= low) and (high is None or day <= high)   # noqa: E731
        opened: Sums = {}
        for fate in self.open.values():
            _count(_sums(opened, fate.day), fate)
        first = start or self._edge(inside, opened, min)
        last = end or self._edge(inside, opened, max)
        picked: Picked = []
        for (year, month), sums in self.months.items():
            head = date(year, month, 1).toordinal()
            tail = (date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)).toordinal() - 1
            if inside(head) and inside(tail):
                picked.append(((year, month), sums))
            elif (low is None or tail >= low) and (high is None or head <= high):
                days = self.days_of((year, month))
                picked += [((year, month), days[d]) for d in sorted(days) if inside(d)]
        for day, sums in opened.items():
            if inside(day):
                at = date.fromordinal(day)
                picked.append(((at.year, at.month), sums))
        return first, last, picked


Sums = dict[Any, tuple[dict[str, int], list[float], list[str]]]     # -> (counters, delays, takers)
Picked = list[tuple[tuple[int, int], tuple[dict[str, int], list[float], list[str]]]]


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
        takers.append(intern(fate.by))
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
    if fate.taken is None:
        return keys
    keys.append("appointments")
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


MONTH_KEYS = ("calls", "redirected", "transferred_15", "triggered", "accepted", "expired", "direct_bookings",
              "appointments", "seen", "no_show", "cancelled")


def _names(counts: dict[str, int], prefix: str, first: Iterable[str]) -> list[str]:
    """The names in ``first``, in that order, then any other ``prefix + name`` counter's, sorted."""
    first = list(dict.fromkeys(first))
    size = len(prefix)
    return first + sorted({key[size:] for key in counts if key.startswith(prefix) and ":" not in key[size:]}
                          - set(first))


def _named(counts: dict[str, int], prefix: str, first: Iterable[str]) -> dict[str, int]:
    """``{name: count}`` of the counters ``prefix + name``, named as ``_names`` orders them."""
    return {name: counts.get(prefix + name, 0) for name in _names(counts, prefix, first)}


def _place(counts: dict[str, int], site: str) -> dict[str, Any]:
    prefix = f"site:{site}"
    place = {"total": counts.get(prefix, 0), **{o: counts.get(f"{prefix}:{o}", 0) for o in ("seen", "no_show",
                                                                                                "cancelled")},
             "by_source": _named(counts, f"{prefix}:source:", SOURCES)}
    place["no_show_rate"] = _rate(place["no_show"], place["seen"] + place["no_show"])
    return place


def summarize(first: date | None, last: date | None, picked: Picked, *, registered: int = 0,
              sites: Iterable[str] = ()) -> dict[str, Any]:
    """Contract section 6 for the period from ``first`` to ``last``, from the sums ``Tallies.select`` picked."""
    months = _months(first, last) if first and last and first <= last else []
    by_month: dict[str, dict[str, int]] = {m: {} for m in months}
    delays: list[float] = []
    takers: set[str] = set()
    for (year, month), (counts, some_delays, some_takers) in picked:
        row = by_month[f"{year:04d}-{month:02d}"]      # every picked sum lies within the period's months
        for key, count in counts.items():
            row[key] = row.get(key, 0) + count
        delays += some_delays
        takers.update(some_takers)
    total: dict[str, int] = {}
    for row in by_month.values():
        for key, count in row.items():
            total[key] = total.get(key, 0) + count
    get = total.get
    monthly = []
    for month, row in by_month.items():
        line = {"month": month, **{k: row.get(k, 0) for k in MONTH_KEYS}}
        line["acceptance_rate"] = _rate(line["accepted"], line["triggered"])
        monthly.append(line)
    appointments = {"total": get("appointments", 0), "seen": get("seen", 0), "no_show": get("no_show", 0),
                    "cancelled": get("cancelled", 0)}
    appointments["no_show_rate"] = _rate(appointments["no_show"], appointments["seen"] + appointments["no_show"])
    triggered, accepted, calls = get("triggered", 0), get("accepted", 0), get("calls", 0)
    return {
        "period": {"from": first.isoformat() if first else None, "to": last.isoformat() if last else None},
        "calls": calls,
        "redirected": get("redirected", 0),
        "transferred_15": get("transferred_15", 0),
        "triggered": triggered,
        "triggered_per_month": round(triggered / len(months), 4) if months else None,
        "accepted": accepted,
        "acceptance_rate": _rate(accepted, triggered),
        "accepted_by_treating_doctor": get("by_treating_doctor", 0),
        "accepted_by_site": _named(total, "by_site:", ["cabinet", *sites]),
        "expired": get("expired", 0),
        "direct_bookings": get("direct_bookings", 0),
        "appointments": appointments,
        "site_appointments": {site: _place(total, site) for site in _names(total, "site:", sites)},
        "sources": _named(total, "source:", SOURCES),
        "treating_doctor_status": {k: get(f"doctor:{k}", 0) for k in ("declared", "none", "unknown")},
        "time_to_accept_minutes": {"median": _quantile(delays, 0.5), "p90": _quantile(delays, 0.9)},
        "members": {"registered": registered, "accepted_at_least_once": len(takers)},
        "monthly": monthly,
    }


def figures(events: Iterable[dict[str, Any]], zone: ZoneInfo, *, start: date | None = None, end: date | None = None,
            registered: int = 0, sites: Iterable[str] = ()) -> dict[str, Any]:
    """Contract section 6 from the events alone; ``registered`` (today's roster) is the one figure that is not.

    ``sites`` only names the sites to show even when they had nothing in the period.
    """
    return summarize(*Tallies(zone).read(events).select(start, end), registered=registered, sites=sites)


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
    return _("in their own practice") if site == "cabinet" else fill(_("at {site}"), site=site)


def _referrers(by_source: dict[str, int], total: int) -> str:
    parts = [f"{literal(source)} {_share(count, total)}" for source, count in by_source.items() if count]
    return " · ".join(parts) or "-"


def _sections(data: dict[str, Any]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The figures as a coordinator reads them, top to bottom: (section, [(label, value)])."""
    calls, triggered, appointments = data["calls"], data["triggered"], data["appointments"]
    status = data["treating_doctor_status"]
    delays = data["time_to_accept_minutes"]
    sections = [
        (_("Calls"), [
            (_("Calls received"), str(calls)),
            (_("  by source"), _referrers(data["sources"], calls)),
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
            (fill(_("At {site}"), site=site), str(place["total"])),
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
