"""A scenario file (``snpctl/scenarios/NAME.toml`` or a path): read, checked, and turned into records.

Owns the scenario's records (``Scenario`` and its parts) and their reading, through the same table
reader as the configuration (``snpctl.config.Table``), so that a wrong key is named ``file: key:``
like in protocols.toml. Must not know how a period is planned or played, nor the report's figures
beyond the dotted keys an ``[[expect]]`` names.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from snpctl.config import CABINET, DAYS, MEMBER_STATUSES, Table
from snpctl.config.toml import Source, loads
from snpctl.domain.cascade import SOURCES
from snpctl.errors import BadUsage
from snpctl.i18n import _


@dataclass(frozen=True)
class Span:
    """Opening hours on some weekdays, in seconds after local midnight, [start, end)."""

    days: frozenset[int]
    start: int
    end: int


@dataclass(frozen=True)
class Group:
    prefix: str
    count: int
    status: str
    site: str
    registered: bool
    treating: float  # weight of being a patient's declared treating doctor (0: never)
    supervised_by: str | None  # internes: the prefix of their supervisors' group
    label: str


@dataclass(frozen=True)
class Direct:
    site: str
    source: str
    count: int


@dataclass(frozen=True)
class Expect:
    figure: str
    keys: tuple[str, ...]  # report keys (dotted), summed
    per: tuple[str, ...]  # when given: the share keys / per
    value: Any
    round: int | None = None  # the document's value is rounded to this many decimals
    tolerance: float | None = None  # "about": within this distance
    note: str = ""

    @property
    def percent(self) -> bool:
        return isinstance(self.value, float) and self.value <= 1 and (bool(self.per) or "rate" in self.keys[0])


@dataclass
class Scenario:
    name: str
    file: str
    title: str
    source: str
    start: date
    end: date
    timezone: str
    cascade: dict[str, str]
    line_hours: tuple[str, ...]
    line: tuple[Span, ...]
    closed: frozenset[date]
    winter: float
    sources: dict[str, float]
    sites: list[dict[str, Any]]
    groups: list[Group]
    triggered: int
    redirected: int
    transferred_15: int
    accepted: dict[str, int]
    accepted_by_treating_doctor: int
    direct: list[Direct]
    declared: float
    no_treating_doctor: float
    declared_in_roster: float
    treating_doctor_refuses: float
    no_show: dict[str, int | float]
    cancelled: dict[str, int | float]
    takers: int | None
    community_minutes: float
    next_day: float
    seed: int
    expect: list[Expect]
    site_spans: dict[str, tuple[Span, ...]]  # each site's hours, read


def round_half_up(value: float, digits: int = 0) -> Decimal:
    """As a document rounds: 0.5 goes up (shares in the plan, rounded figures in [[expect]])."""
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


# -- reading, through the configuration's table reader --------------------------------------


def _section(table: Table, key: str) -> Table:
    """A sub-table; an absent one reads as empty, so that its missing keys are named."""
    return table.table(key) or Table(table.file, ".".join(p for p in (table.where, key) if p), {})


def _number(table: Table, key: str, default: Any = ..., *, share: bool = False) -> float:
    value: float = table.get(key, (int, float), default)  # checked an int or a float by the reader
    if value < 0 or (share and value > 1):
        table.fail(
            _("should be {what}, found {value!r}.").format(
                what=_("a share between 0 and 1") if share else _("a number of 0 or more"), value=value
            ),
            key,
        )
    return value


def _counts(table: Table, key: str, default: Any = ...) -> dict[str, Any]:
    counts = table.get(key, dict, default)
    for name, value in counts.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            table.fail(_("{name} should be a count or a share, found {value!r}.").format(name=name, value=value), key)
    return dict(counts)


def _seconds(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 3600 + int(minutes) * 60


def _weekdays(spec: str) -> set[int]:
    days: set[int] = set()
    for part in spec.split(","):
        first, _sep, last = part.partition("-")
        a, b = DAYS.index(first), DAYS.index(last or first)
        days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(b + 1)])
    return days


def _spans(table: Table, key: str, texts: list[str]) -> tuple[Span, ...]:
    spans = []
    for text in texts:
        try:
            spec, clock = text.split()
            start, end = (_seconds(t) for t in clock.split("-"))
            days = _weekdays(spec)
        except ValueError:
            table.fail(
                _('{text!r} is not a range of opening hours; write it like "mon-fri 15:30-19:30".').format(text=text),
                key,
            )
        if not 0 <= start < end <= 24 * 3600:
            table.fail(_("{text!r} ends before it starts.").format(text=text), key)
        spans.append(Span(frozenset(days), start, end))
    return tuple(spans)


def _keys(table: Table, key: str, default: Any = ...) -> tuple[str, ...]:
    value = table.get(key, (str, list), default)
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _source(table: Table, key: str, value: str) -> None:
    if value not in SOURCES:
        table.fail(_("{value!r} is not a source; use {known}.").format(value=value, known=", ".join(SOURCES)), key)


def _site(table: Table, key: str, value: str, site_keys: set[str]) -> None:
    if value != CABINET and value not in site_keys:
        table.fail(_('{value!r} is neither "cabinet" nor a [[site]] key.').format(value=value), key)


def _period(root: Table) -> dict[str, Any]:
    start, end = root.get("from", date), root.get("to", date)
    if end < start:
        root.fail(_("the period ends before it starts."), "to")
    zone = root.get("timezone", str, "Europe/Paris")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        root.fail(_("{value!r} is not a time zone.").format(value=zone), "timezone")
    table = _section(root, "cascade")
    cascade = {}
    for key in ("treating_doctor_window", "total_window", "appointment_horizon"):
        table.duration(key)
        cascade[key] = table.data[key]
    table.finish()
    return {"start": start, "end": end, "timezone": zone, "cascade": cascade}


def _line(root: Table) -> dict[str, Any]:
    line = _section(root, "line")
    line_hours = tuple(line.get("hours", list))
    spans = _spans(line, "hours", list(line_hours))
    closed = frozenset(line.get("closed", list, []))
    if not all(isinstance(d, date) for d in closed):
        line.fail(_("should be a list of dates like 2023-05-01."), "closed")
    winter = _number(line, "winter", 0.0, share=True)
    sources = _counts(line, "sources", {"cot": 1})
    for source in sources:
        _source(line, "sources", source)
    line.finish()
    return {"line_hours": line_hours, "line": spans, "closed": closed, "winter": winter, "sources": sources}


def _sites(root: Table) -> dict[str, Any]:
    sites, site_spans = [], {}
    for site in root.tables("site"):
        raw = {"key": site.get("key", str), "label": site.get("label", str), "hours": site.get("hours", list)}
        if site.get("address", str, None):
            raw["address"] = site.data["address"]
        site_spans[raw["key"]] = _spans(site, "hours", raw["hours"])
        site.finish()
        sites.append(raw)
    return {"sites": sites, "site_spans": site_spans}


def _groups(root: Table, site_keys: set[str]) -> list[Group]:
    groups = []
    for group in root.tables("members"):
        status = group.choice("status", MEMBER_STATUSES)
        site = group.get("site", str, CABINET)
        _site(group, "site", site, site_keys)
        groups.append(
            Group(
                prefix=group.get("prefix", str),
                count=int(_number(group, "count")),
                status=status,
                site=site,
                registered=group.get("registered", bool, True),
                treating=_number(group, "treating", 0.0),
                supervised_by=group.get("supervised_by", str, None),
                label=group.get("label", str, ""),
            )
        )
        group.finish()
    return groups


def _direct(plan: Table, site_keys: set[str]) -> list[Direct]:
    direct = []
    for item in plan.tables("direct"):
        direct.append(
            Direct(site=item.get("site", str), source=item.get("source", str), count=int(_number(item, "count")))
        )
        if direct[-1].site not in site_keys:
            item.fail(_("{value!r} is not a [[site]] key.").format(value=direct[-1].site), "site")
        _source(item, "source", direct[-1].source)
        item.finish()
    return direct


def _treating(plan: Table) -> dict[str, Any]:
    treating = _section(plan, "treating_doctor")
    shares = {
        "declared": _number(treating, "declared", share=True),
        "no_treating_doctor": _number(treating, "none", share=True),
        "declared_in_roster": _number(treating, "in_roster", share=True),
        "treating_doctor_refuses": _number(treating, "refuses", 0.0, share=True),
    }
    treating.finish()
    return shares


def _plan(root: Table, site_keys: set[str]) -> tuple[Table, dict[str, Any]]:
    """The [plan] table's records, and the table itself: its own keys are read after title and source."""
    plan = _section(root, "plan")
    direct = _direct(plan, site_keys)
    shares = _treating(plan)
    accepted = _counts(plan, "accepted")
    for site in accepted:
        _site(plan, "accepted", site, site_keys)
    return plan, {"direct": direct, **shares, "accepted": {k: int(v) for k, v in accepted.items()}}


def _counted(plan: Table) -> dict[str, Any]:
    return {
        "triggered": int(_number(plan, "triggered")),
        "redirected": int(_number(plan, "redirected", 0)),
        "transferred_15": int(_number(plan, "transferred_15", 0)),
        "accepted_by_treating_doctor": int(_number(plan, "accepted_by_treating_doctor", 0)),
        "no_show": _counts(plan, "no_show", {}),
        "cancelled": _counts(plan, "cancelled", {}),
        "takers": plan.get("takers", int, None),
        "community_minutes": _number(plan, "community_minutes", 25.0),
        "next_day": _number(plan, "next_day", 0.0, share=True),
    }


def _expects(root: Table) -> list[Expect]:
    expects = []
    for item in root.tables("expect"):
        expect = Expect(
            figure=item.get("figure", str),
            keys=_keys(item, "key"),
            per=_keys(item, "per", None),
            value=item.get("value", (int, float)),
            round=item.get("round", int, None),
            tolerance=item.get("tolerance", (int, float), None),
            note=item.get("note", str, ""),
        )
        if expect.round is not None and expect.tolerance is not None:
            item.fail(_("give round or tolerance, not both."))
        item.finish()
        expects.append(expect)
    return expects


def parse_scenario(text: str, name: str, file: str) -> Scenario:
    """The scenario in ``text`` (named ``name``, read from ``file``); errors name the file and the key (exit 2)."""
    root = Table(file, "", loads(text, file), Source(text))  # errors at their line, as the workspace's files
    fields = {**_period(root), **_line(root), **_sites(root)}
    site_keys = {s["key"] for s in fields["sites"]}
    fields["groups"] = _groups(root, site_keys)
    plan, planned = _plan(root, site_keys)
    fields.update(title=root.get("title", str), source=root.get("source", str), **planned, **_counted(plan))
    plan.finish()
    fields.update(expect=_expects(root), seed=root.get("seed", int, 1))
    root.get("name", str, name)
    root.finish()
    return Scenario(name=name, file=file, **fields)


def scenario_names() -> list[str]:
    folder = resources.files("snpctl").joinpath("scenarios")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def load_scenario(name: str) -> Scenario:
    """A shipped scenario by name, or a scenario file by path."""
    path = Path(name)
    if name.endswith(".toml") and path.is_file():
        return parse_scenario(path.read_text(encoding="utf-8"), path.stem, str(path))
    if name not in scenario_names():
        raise BadUsage(
            _(
                "There is no scenario {name!r}; the shipped scenarios are: {known} (or give the path of a "
                "scenario .toml file)."
            ).format(name=name, known=", ".join(scenario_names()))
        )
    text = resources.files("snpctl").joinpath("scenarios", f"{name}.toml").read_text(encoding="utf-8")
    return parse_scenario(text, name, f"scenarios/{name}.toml")


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def moved(scenario: Scenario, years: int) -> Scenario:
    """The same activity, ``years`` later: same rules, dates moved forward."""
    if not years:
        return scenario
    return replace(
        scenario,
        start=_years_later(scenario.start, years),
        end=_years_later(scenario.end, years),
        closed=frozenset(_years_later(d, years) for d in scenario.closed),
    )
