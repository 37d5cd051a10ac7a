"""`snpctl simulate`: a documented period of activity, played through the service functions.

A scenario (``snpctl/scenarios/NAME.toml``) describes one CPTS as a source document shows it:
cascade settings, sites, a roster made from counts, the activity to play (``[plan]``: exact
counts of every fate) and the figures the document gives (``[[expect]]``). The simulator

1. plans every call first: its kind, day, treating doctor, fate, who takes it and when. The
   counts are exactly the plan's; the rest (days, hours, delays, who accepts) is drawn from
   ``random.Random`` seeded by the scenario's name and the seed, so that the ledger looks like
   a real period (opening days and hours, more calls in winter, most acceptances well within
   the windows) and the same seed writes the same ledger byte for byte;
2. plays the plan in time order through ``snpctl.service``, the functions the CLI calls, on a
   non-durable workspace; ``tick`` runs at the first whole minute at or after each deadline, which
   is what a per-minute cron line produces (tick writes nothing when nothing is due);
3. computes ``report`` from the ledger it wrote and sets it beside the documented figures.

Nothing is written by hand: a plan that breaks a rule is refused by the service like a user
would be, and the simulation stops naming the step.
"""

from __future__ import annotations

import heapq
import math
import random
import tomllib
from dataclasses import dataclass, replace, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import tomli_w

from snpctl import service
from snpctl.config import CABINET, DAYS, MEMBER_STATUSES, Config
from snpctl.domain.cascade import SOURCES
from snpctl.errors import BadUsage, ConfigError, SnpctlError
from snpctl.i18n import _
from snpctl.quiet import collector_paused
from snpctl.shown import fill, literal
from snpctl.store.workspace import Workspace, default_file
from snpctl.timefmt import UTC, format_duration, parse_duration

MINUTE = timedelta(minutes=1)
GP = "generaliste"
WAITING = ("treating_doctor_window", "community")

# What the operators type, by how often it comes (most frequent motives: infectious diseases,
# ENT, trauma, digestive, dermatology, rheumatology; paediatric fever is the textbook case).
TRIGGER_MOTIFS = {"fievre": 20, "orl": 20, "fievre_enfant": 14, "urinaire": 10, "traumatologie": 12,
                  "digestif": 11, "peau": 7, "lombalgie": 6}
REDIRECT_MOTIFS = {"renouvellement": 5, "certificat": 3, "prolongation_arret": 2}
TRANSFER_MOTIFS = {"douleur_thoracique": 7, "detresse_respiratoire": 2, "signes_avc": 1, "inconscient": 1}

SURNAMES = ("Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent",
            "Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "Girard",
            "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Lefevre", "Faure", "Andre",
            "Mercier", "Blanc", "Guerin", "Boyer", "Garnier", "Chevalier", "Francois", "Legrand", "Gauthier", "Garcia")


# -- the scenario file --------------------------------------------------------------------

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
    treating: float            # weight of being a patient's declared treating doctor (0: never)
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
    keys: tuple[str, ...]              # report keys (dotted), summed
    per: tuple[str, ...]               # when given: the share keys / per
    value: Any
    round: int | None = None           # the document's value is rounded to this many decimals
    tolerance: float | None = None     # "about": within this distance
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


class _Reader:
    """A TOML table being read; errors name the file and the key (exit 2)."""

    def __init__(self, file: str, data: Any, where: str = "") -> None:
        self.file, self.data, self.where = file, data, where
        self.used: set[str] = set()
        if not isinstance(data, dict):
            self.fail(_("must be a table"))

    def fail(self, problem: str, key: str | None = None) -> NoReturn:
        place = ".".join(p for p in (self.where, key) if p)
        raise ConfigError(f"{self.file}: {place}: {problem}" if place else f"{self.file}: {problem}")

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
        self.used.add(key)
        if key not in self.data:
            if default is ...:
                self.fail(_("missing key {key!r}; add it.").format(key=key))
            return default
        value = self.data[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
            self.fail(_("has the wrong type ({value!r}).").format(value=value), key)
        return value

    def number(self, key: str, default: Any = ..., *, share: bool = False) -> float:
        value = self.get(key, (int, float), default)
        if value < 0 or (share and value > 1):
            self.fail(_("should be {what}, found {value!r}.").format(
                what=_("a share between 0 and 1") if share else _("a number of 0 or more"), value=value), key)
        return value

    def table(self, key: str) -> _Reader:
        self.used.add(key)
        return _Reader(self.file, self.data.get(key, {}), ".".join(p for p in (self.where, key) if p))

    def tables(self, key: str) -> list[_Reader]:
        self.used.add(key)
        items = self.data.get(key, [])
        if not isinstance(items, list):
            self.fail(_("should be a list of tables, written [[{key}]].").format(key=key), key)
        return [_Reader(self.file, item, f"{key}[{i + 1}]") for i, item in enumerate(items)]

    def counts(self, key: str, default: Any = ...) -> dict[str, Any]:
        table = self.get(key, dict, default)
        for name, value in table.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                self.fail(_("{name} should be a count or a share, found {value!r}.").format(name=name, value=value),
                          key)
        return dict(table)

    def finish(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            self.fail(_("unknown key {key!r} (a typo?); the keys read here are: {known}.")
                      .format(key=unknown[0], known=", ".join(sorted(self.used))))


def _seconds(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 3600 + int(minutes) * 60


def _spans(reader: _Reader, key: str, texts: list[str]) -> tuple[Span, ...]:
    spans = []
    for text in texts:
        try:
            spec, clock = text.split()
            start, end = (_seconds(t) for t in clock.split("-"))
            days: set[int] = set()
            for part in spec.split(","):
                first, _sep, last = part.partition("-")
                a, b = DAYS.index(first), DAYS.index(last or first)
                days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
        except ValueError:
            reader.fail(_("{text!r} is not a range of opening hours; write it like \"mon-fri 15:30-19:30\".")
                        .format(text=text), key)
        if not 0 <= start < end <= 24 * 3600:
            reader.fail(_("{text!r} ends before it starts.").format(text=text), key)
        spans.append(Span(frozenset(days), start, end))
    return tuple(spans)


def _keys(reader: _Reader, key: str, default: Any = ...) -> tuple[str, ...]:
    value = reader.get(key, (str, list), default)
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def parse_scenario(text: str, name: str, file: str) -> Scenario:
    try:
        root = _Reader(file, tomllib.loads(text))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(_("{file}: not valid TOML ({error}); fix that line.").format(file=file, error=error)) \
            from None
    start, end = root.get("from", date), root.get("to", date)
    if end < start:
        root.fail(_("the period ends before it starts."), "to")
    zone = root.get("timezone", str, "Europe/Paris")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        root.fail(_("{value!r} is not a time zone.").format(value=zone), "timezone")
    cascade_reader = root.table("cascade")
    cascade = {}
    for key in ("treating_doctor_window", "total_window", "appointment_horizon"):
        cascade[key] = cascade_reader.get(key, str)
        try:
            parse_duration(cascade[key])
        except ValueError:
            cascade_reader.fail(_("{value!r} is not a duration.").format(value=cascade[key]), key)
    cascade_reader.finish()

    line = root.table("line")
    line_hours = tuple(line.get("hours", list))
    spans = _spans(line, "hours", list(line_hours))
    closed = frozenset(line.get("closed", list, []))
    if not all(isinstance(d, date) for d in closed):
        line.fail(_("should be a list of dates like 2023-05-01."), "closed")
    winter = line.number("winter", 0.0, share=True)
    sources = line.counts("sources", {"cot": 1})
    for source in sources:
        if source not in SOURCES:
            line.fail(_("{value!r} is not a source; use {known}.").format(value=source, known=", ".join(SOURCES)),
                      "sources")
    line.finish()

    sites = []
    for site in root.tables("site"):
        raw = {"key": site.get("key", str), "label": site.get("label", str), "hours": site.get("hours", list)}
        if site.get("address", str, None):
            raw["address"] = site.data["address"]
        _spans(site, "hours", raw["hours"])
        site.finish()
        sites.append(raw)
    site_keys = {s["key"] for s in sites}

    groups = []
    for group in root.tables("members"):
        status = group.get("status", str)
        if status not in MEMBER_STATUSES:
            group.fail(_("{value!r} is not one of {known}.").format(value=status, known=", ".join(MEMBER_STATUSES)),
                       "status")
        site = group.get("site", str, CABINET)
        if site != CABINET and site not in site_keys:
            group.fail(_("{value!r} is neither \"cabinet\" nor a [[site]] key.").format(value=site), "site")
        groups.append(Group(prefix=group.get("prefix", str), count=int(group.number("count")), status=status,
                            site=site, registered=group.get("registered", bool, True),
                            treating=group.number("treating", 0.0), supervised_by=group.get("supervised_by", str, None),
                            label=group.get("label", str, "")))
        group.finish()

    plan = root.table("plan")
    direct = []
    for item in plan.tables("direct"):
        direct.append(Direct(site=item.get("site", str), source=item.get("source", str),
                             count=int(item.number("count"))))
        if direct[-1].site not in site_keys:
            item.fail(_("{value!r} is not a [[site]] key.").format(value=direct[-1].site), "site")
        if direct[-1].source not in SOURCES:
            item.fail(_("{value!r} is not a source; use {known}.").format(value=direct[-1].source,
                                                                          known=", ".join(SOURCES)), "source")
        item.finish()
    treating = plan.table("treating_doctor")
    declared = treating.number("declared", share=True)
    no_doctor = treating.number("none", share=True)
    in_roster = treating.number("in_roster", share=True)
    refuses = treating.number("refuses", 0.0, share=True)
    treating.finish()
    accepted = plan.counts("accepted")
    for site in accepted:
        if site != CABINET and site not in site_keys:
            plan.fail(_("{value!r} is neither \"cabinet\" nor a [[site]] key.").format(value=site), "accepted")
    scenario = Scenario(
        name=name, file=file, title=root.get("title", str), source=root.get("source", str),
        start=start, end=end, timezone=zone, cascade=cascade, line_hours=line_hours, line=spans, closed=closed,
        winter=winter, sources=sources, sites=sites, groups=groups,
        triggered=int(plan.number("triggered")), redirected=int(plan.number("redirected", 0)),
        transferred_15=int(plan.number("transferred_15", 0)), accepted={k: int(v) for k, v in accepted.items()},
        accepted_by_treating_doctor=int(plan.number("accepted_by_treating_doctor", 0)), direct=direct,
        declared=declared, no_treating_doctor=no_doctor, declared_in_roster=in_roster,
        treating_doctor_refuses=refuses, no_show=plan.counts("no_show", {}), cancelled=plan.counts("cancelled", {}),
        takers=plan.get("takers", int, None), community_minutes=plan.number("community_minutes", 25.0),
        next_day=plan.number("next_day", 0.0, share=True), seed=root.get("seed", int, 1), expect=[])
    plan.finish()
    for item in root.tables("expect"):
        expect = Expect(figure=item.get("figure", str), keys=_keys(item, "key"), per=_keys(item, "per", None),
                        value=item.get("value", (int, float)), round=item.get("round", int, None),
                        tolerance=item.get("tolerance", (int, float), None), note=item.get("note", str, ""))
        if expect.round is not None and expect.tolerance is not None:
            item.fail(_("give round or tolerance, not both."))
        item.finish()
        scenario.expect.append(expect)
    root.get("name", str, name)
    root.finish()
    return scenario


def scenario_names() -> list[str]:
    folder = resources.files("snpctl").joinpath("scenarios")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def load_scenario(name: str) -> Scenario:
    """A shipped scenario by name, or a scenario file by path."""
    path = Path(name)
    if name.endswith(".toml") and path.is_file():
        return parse_scenario(path.read_text(encoding="utf-8"), path.stem, str(path))
    if name not in scenario_names():
        raise BadUsage(_("There is no scenario {name!r}; the shipped scenarios are: {known} (or give the path of a "
                         "scenario .toml file).").format(name=name, known=", ".join(scenario_names())))
    text = resources.files("snpctl").joinpath("scenarios", f"{name}.toml").read_text(encoding="utf-8")
    return parse_scenario(text, name, f"scenarios/{name}.toml")


# -- the workspace it describes -----------------------------------------------------------

def roster_toml(scenario: Scenario) -> dict[str, Any]:
    members: list[dict[str, Any]] = []
    ids_by_prefix: dict[str, list[str]] = {}
    number = 0
    for group in scenario.groups:
        ids_by_prefix[group.prefix] = []
        for i in range(1, group.count + 1):
            member_id = f"{group.prefix}-{i:03d}"
            surname = SURNAMES[number % len(SURNAMES)] + ("" if number < len(SURNAMES) else
                                                          f"-{SURNAMES[(number // len(SURNAMES)) % len(SURNAMES)]}")
            number += 1
            member = {"id": member_id, "name": f"Dr {surname}", "profession": GP, "status": group.status,
                      "site": group.site, "registered": group.registered}
            if group.supervised_by:
                bosses = ids_by_prefix.get(group.supervised_by)
                if not bosses:
                    raise ConfigError(_("{file}: members: supervised_by {value!r} must name the prefix of an earlier "
                                        "group.").format(file=scenario.file, value=group.supervised_by))
                member["supervisor"] = bosses[(i - 1) % len(bosses)]
            ids_by_prefix[group.prefix].append(member_id)
            members.append(member)
    return {"site": scenario.sites, "member": members}


def protocols_toml(scenario: Scenario) -> dict[str, Any]:
    data = tomllib.loads(default_file("protocols.toml").decode("utf-8"))
    data["timezone"] = scenario.timezone
    data["cascade"] = dict(scenario.cascade)
    return data


def _write_workspace(scenario: Scenario, home: Path, seed: int) -> None:
    service.init(home)
    header = (f"# Written by `snpctl simulate {scenario.name} --seed {seed}`: {scenario.title}.\n"
              "# Fictional members made from the scenario's counts.\n\n")
    (home / "protocols.toml").write_text(header + tomli_w.dumps(protocols_toml(scenario)), encoding="utf-8")
    (home / "roster.toml").write_text(header + tomli_w.dumps(roster_toml(scenario)), encoding="utf-8")


# -- planning -----------------------------------------------------------------------------

@dataclass
class _Call:
    kind: str                  # trigger | redirect | transfer_15 | direct
    source: str = ""
    motif: str = ""
    treating_doctor: str = "unknown"
    day: date | None = None
    site: str | None = None    # where the appointment takes place, when it gets one
    fate: str = ""             # for triggered calls: accepted | expired
    by_treating_doctor: bool = False
    treating_doctor_refuses: bool = False
    by: str | None = None
    outcome: str | None = None
    steps: list[tuple[datetime, str, dict[str, Any]]] = field(default_factory=list)


def _round_half_up(value: float, digits: int = 0) -> Decimal:
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def _share_count(spec: int | float, total: int) -> int:
    """An integer in the plan is a count; a fraction is a share of ``total``."""
    return spec if isinstance(spec, int) else int(_round_half_up(spec * total))


def _split(total: int, weights: dict[str, float]) -> list[str]:
    """Exactly ``total`` labels in the proportions of ``weights`` (largest remainders)."""
    whole = sum(weights.values())
    exact = {k: total * w / whole for k, w in weights.items()}
    counts = {k: int(v) for k, v in exact.items()}
    for k in sorted(exact, key=lambda k: counts[k] - exact[k])[:total - sum(counts.values())]:
        counts[k] += 1
    return [k for k, n in counts.items() for _i in range(n)]


def _ceil_minute(instant: datetime) -> datetime:
    floor = instant.replace(second=0, microsecond=0)
    return floor if floor == instant else floor + MINUTE


class _Planner:
    def __init__(self, scenario: Scenario, config: Config, rng: random.Random) -> None:
        self.sc, self.config, self.rng = scenario, config, rng
        self.zone = config.zone
        self.window = config.treating_doctor_window
        self.total = config.total_window
        self.horizon = config.appointment_horizon
        self.site_spans = {s["key"]: _spans(_Reader(scenario.file, s), "hours", s["hours"]) for s in scenario.sites}
        self.eligible = [m.id for m in config.members.values() if m.active and m.registered and m.profession == GP]
        self.eligible_set = set(self.eligible)
        self.occupied: dict[tuple[str, datetime], int] = {}
        self.duty: dict[tuple[str, date], list[str]] = {}

    def fail(self, problem: str) -> NoReturn:
        raise ConfigError(f"{self.sc.file}: {problem}")

    def local(self, day: date, seconds: float) -> datetime:
        naive = datetime.combine(day, time()) + timedelta(seconds=int(seconds))
        return naive.replace(tzinfo=self.zone).astimezone(UTC)

    def spans_on(self, spans: tuple[Span, ...], day: date) -> list[Span]:
        return [s for s in spans if day.weekday() in s.days]

    def has_window(self, call: _Call) -> bool:
        member = self.config.members.get(call.treating_doctor)
        return bool(self.window) and member is not None and member.id in self.eligible_set

    # -- who, and what becomes of each call --

    def calls(self) -> list[_Call]:
        sc = self.sc
        calls = ([_Call("trigger") for _i in range(sc.triggered)] + [_Call("redirect") for _i in range(sc.redirected)]
                 + [_Call("transfer_15") for _i in range(sc.transferred_15)])
        for source, call in zip(self._shuffled(_split(len(calls), sc.sources)), calls):
            call.source = source
        calls += [_Call("direct", source=d.source, site=d.site) for d in sc.direct for _i in range(d.count)]
        self._treating_doctors(calls)
        self._motifs(calls)
        self._fates([c for c in calls if c.kind == "trigger"])
        self._days(calls)
        self._outcomes(calls)
        self._takers(calls)
        for call in calls:
            self._times(call)
        return calls

    def _shuffled(self, items: list[str]) -> list[str]:
        self.rng.shuffle(items)
        return items

    def _treating_doctors(self, calls: list[_Call]) -> None:
        sc, rng = self.sc, self.rng
        total = len(calls)
        declared = int(_round_half_up(sc.declared * total))
        none = int(_round_half_up(sc.no_treating_doctor * total))
        if declared + none > total:
            self.fail(_("plan.treating_doctor: declared + none is more than every call."))
        statuses = self._shuffled(["declared"] * declared + ["none"] * none + ["unknown"] * (total - declared - none))
        weights = {f"{g.prefix}-{i:03d}": g.treating for g in sc.groups for i in range(1, g.count + 1) if g.treating}
        doctors, cumulative = list(weights), list(_cumulate(weights.values()))
        for call, status in zip(calls, statuses):
            if status != "declared":
                call.treating_doctor = status
            elif doctors and rng.random() < sc.declared_in_roster:
                call.treating_doctor = rng.choices(doctors, cum_weights=cumulative)[0]
            else:
                call.treating_doctor = "external"

    def _motifs(self, calls: list[_Call]) -> None:
        pools = {}
        for kind, action, weights in (("trigger", "trigger", TRIGGER_MOTIFS), ("direct", "trigger", TRIGGER_MOTIFS),
                                      ("redirect", "redirect", REDIRECT_MOTIFS),
                                      ("transfer_15", "transfer_15", TRANSFER_MOTIFS)):
            usable = {k: w for k, w in weights.items() if k in self.config.protocols
                      and self.config.protocols[k].action == action and self.config.protocols[k].profession == GP}
            pools[kind] = (list(usable), list(_cumulate(usable.values())))
        for call in calls:
            keys, cumulative = pools[call.kind]
            if not keys:
                self.fail(_("protocols.toml has no {kind} motif for the simulated calls.").format(kind=call.kind))
            call.motif = self.rng.choices(keys, cum_weights=cumulative)[0]

    def _fates(self, triggered: list[_Call]) -> None:
        sc, rng = self.sc, self.rng
        if sum(sc.accepted.values()) > len(triggered):
            self.fail(_("plan.accepted is more than plan.triggered."))
        in_window = [c for c in triggered if self.has_window(c)]
        if sc.accepted_by_treating_doctor > len(in_window):
            self.fail(_("plan.accepted_by_treating_doctor ({n}) is more than the {m} requests whose treating doctor is "
                        "a registered member; raise plan.treating_doctor.in_roster or the groups' `treating` weights.")
                      .format(n=sc.accepted_by_treating_doctor, m=len(in_window)))
        left = dict(sc.accepted)
        for call in rng.sample(in_window, sc.accepted_by_treating_doctor):
            call.fate, call.by_treating_doctor, call.by = "accepted", True, call.treating_doctor
            call.site = self.config.members[call.treating_doctor].site
            left[call.site] = left.get(call.site, 0) - 1
            if left[call.site] < 0:
                self.fail(_("plan.accepted.{site} is smaller than the treating doctors' acceptances there.")
                          .format(site=call.site))
        rest = [c for c in triggered if not c.by_treating_doctor]
        rng.shuffle(rest)
        position = 0
        for site, count in left.items():
            for call in rest[position:position + count]:
                call.fate, call.site = "accepted", site
            position += count
        for call in rest[position:]:
            call.fate = "expired"
        for call in in_window:
            if not call.by_treating_doctor:
                call.treating_doctor_refuses = rng.random() < sc.treating_doctor_refuses

    def _days(self, calls: list[_Call]) -> None:
        sc = self.sc
        period = [sc.start + timedelta(days=n) for n in range((sc.end - sc.start).days + 1)]
        period = [d for d in period if d not in sc.closed]
        line_days = [d for d in period if self.spans_on(sc.line, d)]
        choices: dict[str | None, tuple[list[date], list[float]]] = {}

        def pool(site: str | None, via_line: bool) -> tuple[list[date], list[float]]:
            key = (site, via_line)
            if key not in choices:
                days = line_days if via_line else period
                if site is not None and site != CABINET:
                    days = [d for d in days if self.spans_on(self.site_spans[site], d)]
                if not days:
                    self.fail(_("no day of the period is open for the calls to {site}.").format(site=site or "-"))
                weights = [1 + sc.winter * math.cos(2 * math.pi * (d.timetuple().tm_yday - 15) / 365.25) for d in days]
                choices[key] = (days, list(_cumulate(weights)))
            return choices[key]

        for call in calls:
            days, cumulative = pool(call.site, call.kind != "direct")
            call.day = self.rng.choices(days, cum_weights=cumulative)[0]
        # the doctors on duty at each site: one, or two on a busy day
        load: dict[tuple[str, date], int] = {}
        for call in calls:
            if call.site not in (None, CABINET):
                load[call.site, call.day] = load.get((call.site, call.day), 0) + 1
        for (site, day), count in sorted(load.items()):
            staff = [m for m in self.eligible if self.config.members[m].site == site]
            if not staff:
                self.fail(_("nobody registered works at {site}; add a [[members]] group with site = {site!r}.")
                          .format(site=site))
            self.duty[site, day] = self.rng.sample(staff, min(len(staff), 1 if count <= 10 else 2))

    def _outcomes(self, calls: list[_Call]) -> None:
        by_site: dict[str, list[_Call]] = {}
        for call in calls:
            if call.site is not None:
                by_site.setdefault(call.site, []).append(call)
        for site, taken in by_site.items():
            cancelled = _share_count(self.sc.cancelled.get(site, 0), len(taken))
            no_show = _share_count(self.sc.no_show.get(site, 0), len(taken) - cancelled)
            if cancelled + no_show > len(taken):
                self.fail(_("plan: more no-shows and cancellations at {site} than appointments.").format(site=site))
            order = list(taken)
            self.rng.shuffle(order)
            for index, call in enumerate(order):
                call.outcome = ("cancelled" if index < cancelled else "no_show" if index < cancelled + no_show
                                else "seen")
            if site != CABINET:
                for call in taken:
                    call.by = call.by or self.rng.choice(self.duty[site, call.day])

    def _takers(self, calls: list[_Call]) -> None:
        """Who accepts in their own practice; with plan.takers, exactly that many members take at least one."""
        sc, rng = self.sc, self.rng
        pending = [c for c in calls if c.fate == "accepted" and c.site == CABINET and not c.by_treating_doctor]
        candidates = [m for m in self.eligible if self.config.members[m].site == CABINET]
        activity = {m: rng.paretovariate(1.3) for m in candidates}   # a few take many, most take some
        fixed = sorted({c.by for c in calls if c.by})
        first: list[str] = []
        pool = candidates
        if sc.takers is not None:
            fresh = [m for m in candidates if m not in fixed]
            need = sc.takers - len(fixed)
            if need < 0 or need > len(fresh) or need > len(pending):
                self.fail(_("plan.takers = {n} cannot be reached: {fixed} members already take requests at the "
                            "sites or as treating doctors, {fresh} others can accept in their practice, {pending} "
                            "acceptances are left to give.").format(n=sc.takers, fixed=len(fixed), fresh=len(fresh),
                                                        pending=len(pending)))
            first = rng.sample(fresh, need)
            pool = first + [m for m in candidates if m in fixed]
        if pending and not pool:
            self.fail(_("plan.accepted.cabinet needs members who work in their own practice."))
        rng.shuffle(pending)
        for member in first:
            call = next((c for c in pending if c.by is None and c.treating_doctor != member), None)
            if call is None:
                self.fail(_("plan.takers: not enough acceptances to give one to each taker."))
            call.by = member
        for call in pending:
            if call.by is None:
                options = [m for m in pool if m != call.treating_doctor]
                call.by = rng.choices(options, weights=[activity[m] for m in options])[0]

    # -- when --

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

    def _times(self, call: _Call) -> None:
        rng, steps, day = self.rng, call.steps, call.day
        if call.kind == "direct":
            spans = self.spans_on(self.site_spans[call.site], day)
            opening, closing = min(s.start for s in spans), max(s.end for s in spans)
            low = max(8 * 3600, opening - self.horizon.total_seconds() + 3600)
            start = self.local(day, rng.uniform(low, max(low, closing - 2400)))
            steps.append((start, "intake", {}))
            booked = start + timedelta(seconds=rng.randint(60, 300))
            appointment = self._slot(call, booked)
            steps.append((booked, "book", {"by": call.by, "appointment": appointment, "site": call.site}))
            self._outcome(call, booked, appointment)
            return
        span = self._line_span(day, self.sc.line)
        low, high = span.start, span.end - 60
        window = self.has_window(call) and not call.by_treating_doctor
        last_accept = None
        if call.fate == "accepted" and call.site != CABINET:
            closing = max(s.end for s in self.spans_on(self.site_spans[call.site], day))
            last_accept = self.local(day, closing - 20 * 60)
            high = min(high, closing - 20 * 60 - (self.window.total_seconds() if window else 0) - 9 * 60)
            if high <= low:
                self.fail(_("the line's hours leave no time to accept at {site} on {day}.")
                          .format(site=call.site, day=day))
        start = self.local(day, self._clock(low, high))
        steps.append((start, "intake", {}))
        if call.kind != "trigger":
            return
        notified = start + timedelta(seconds=rng.randint(60, 360))
        expires = notified + self.total
        steps.append((notified, "notify", {}))
        window_end = notified + self.window
        if call.by_treating_doctor:
            if rng.random() < 0.85 or self.total - self.window < 5 * MINUTE:
                span_s = self.window.total_seconds()
                taken = notified + self._delay(span_s * 0.3, 60, span_s - 30)
            else:   # answers late, once the request is open to the community (still eligible)
                community = _ceil_minute(window_end)
                taken = community + self._delay(600, 60, (expires - community).total_seconds() - 60)
        else:
            community = notified
            if window:
                if call.treating_doctor_refuses:
                    community = notified + timedelta(seconds=rng.randint(60, max(61, int(self.window.total_seconds())
                                                                                 - 60)))
                    steps.append((community, "refuse", {"by": call.treating_doctor,
                                                        "reason": rng.choice(("busy", "busy", "away", "other"))}))
                else:
                    community = _ceil_minute(window_end)   # the tick that opens it to the community
            if call.fate == "expired":
                self._refusals(call, community, expires, count=rng.choices((0, 1, 2), (6, 3, 1))[0])
                return
            limit = expires - MINUTE if last_accept is None else min(expires - MINUTE, last_accept)
            room = (limit - community).total_seconds()
            if room < 60:
                self.fail(_("no time is left to accept request planned on {day}; shorten the treating doctor's "
                            "window or lengthen the total window.").format(day=day))
            taken = community + self._delay(self.sc.community_minutes * 60, 60, room)
            if rng.random() < 0.12 and (taken - community).total_seconds() > 180:
                self._refusals(call, community, taken, count=1)
        appointment = self._slot(call, taken) if call.site != CABINET else self._cabinet(call, taken)
        steps.append((taken, "accept", {"by": call.by, "appointment": appointment, "site": call.site}))
        self._outcome(call, taken, appointment)

    def _refusals(self, call: _Call, after: datetime, before: datetime, count: int) -> None:
        others = [m for m in self.eligible if m not in (call.treating_doctor, call.by)]
        span = int((before - after).total_seconds()) - 60
        if span <= 60:
            return
        moments = sorted(self.rng.randint(30, span) for _i in range(count))
        for member, offset in zip(self.rng.sample(others, min(count, len(others))), moments):
            call.steps.append((after + timedelta(seconds=offset), "refuse",
                               {"by": member, "reason": self.rng.choice(("busy", "busy", "away", "out_of_scope"))}))

    def _slot(self, call: _Call, taken: datetime) -> datetime:
        """A 10-minute slot at the site on the day, after the acceptance, within the horizon."""
        earliest = taken + timedelta(seconds=self.rng.randint(15 * 60, 40 * 60))
        latest = taken + self.horizon
        capacity = len(self.duty[call.site, call.day])
        slots = [self.local(call.day, s) for span in self.spans_on(self.site_spans[call.site], call.day)
                 for s in range(span.start, span.end - 599, 600)]
        free = [s for s in slots if earliest <= s <= latest and self.occupied.get((call.site, s), 0) < capacity]
        if not free:
            free = [s for s in slots if taken + 5 * MINUTE <= s <= latest]
        if not free:
            self.fail(_("no slot left at {site} on {day} after {at}.").format(site=call.site, day=call.day, at=taken))
        nearest = free[:12]     # within about two hours: the patient picks among the free times offered
        slot = self.rng.choices(nearest, weights=range(len(nearest) + 6, 6, -1))[0]
        self.occupied[call.site, slot] = self.occupied.get((call.site, slot), 0) + 1
        return slot

    def _cabinet(self, call: _Call, taken: datetime) -> datetime:
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
        return appointment if appointment <= taken + horizon else _ceil_minute(taken + MINUTE)

    def _outcome(self, call: _Call, taken: datetime, appointment: datetime) -> None:
        rng = self.rng
        if call.outcome == "cancelled":
            at = taken + (appointment - taken) * rng.uniform(0.2, 0.8)
            at = max(at.replace(microsecond=0), taken + MINUTE)
        elif call.outcome == "no_show":
            at = appointment + timedelta(seconds=rng.randint(20 * 60, 60 * 60))
        else:
            at = appointment + timedelta(seconds=rng.randint(5 * 60, 50 * 60))
        call.steps.append((at, "outcome", {"outcome": call.outcome}))


def _cumulate(values) -> list[float]:
    total, out = 0.0, []
    for value in values:
        total += value
        out.append(total)
    return out


# -- playing ------------------------------------------------------------------------------

@dataclass
class _Player:
    """Plays the plan as the CLI would: each command, then the delivery of what it queued; tick when due."""

    ws: Workspace
    patient_seed: str
    deliver: bool = True
    status: dict[str, str] = field(default_factory=dict)
    window_end: dict[str, datetime] = field(default_factory=dict)
    expires: dict[str, datetime] = field(default_factory=dict)
    reminders: dict[str, tuple[datetime, datetime]] = field(default_factory=dict)   # rid -> (from, appointment)
    deadlines: list[tuple[datetime, str]] = field(default_factory=list)
    last_tick: datetime | None = None
    ticks: int = 0

    def _due(self, rid: str, minute: datetime) -> bool:
        status = self.status.get(rid)
        if status == "treating_doctor_window" and minute >= self.window_end[rid]:
            return True
        if status in WAITING and minute >= self.expires[rid]:
            return True
        reminder = self.reminders.get(rid)
        return status == "accepted" and reminder is not None and reminder[0] <= minute < reminder[1]

    def ticks_until(self, instant: datetime | None) -> None:
        """Run tick at each whole minute where something is due, up to ``instant``: what a per-minute cron does,
        since a tick with nothing due writes nothing."""
        while self.deadlines and (instant is None or self.deadlines[0][0] <= instant):
            minute, rid = heapq.heappop(self.deadlines)
            if (self.last_tick is not None and minute <= self.last_tick) or not self._due(rid, minute):
                continue
            result = service.tick(self.ws, minute)
            if self.deliver:
                service.deliver(self.ws, minute)
            self.ticks += 1
            self.last_tick = minute
            for escalated in result.data["escalated"]:
                self.status[escalated] = "community"
            for expired in result.data["expired"]:
                self.status[expired] = "expired"
            for reminded in [r for r, (start, _end) in self.reminders.items() if start <= minute]:
                del self.reminders[reminded]

    def _at(self, minute: datetime, rid: str) -> None:
        heapq.heappush(self.deadlines, (_ceil_minute(minute), rid))

    def step(self, call: _Call, rid: str | None, at: datetime, kind: str, args: dict[str, Any]) -> str:
        ws = self.ws
        if kind == "intake":
            result = service.intake(ws, at, motif=call.motif, source=call.source,
                                    treating_doctor=call.treating_doctor, seed=self.patient_seed)
            rid = result.data["request"]
        elif kind == "notify":
            result = service.notify(ws, at, request=rid)
            request = result.request
            if request.status == "treating_doctor_window":
                self.window_end[rid] = request.deadline
                self._at(request.deadline, rid)
            self.expires[rid] = request.expires_at
            self._at(request.expires_at, rid)
        elif kind == "refuse":
            result = service.refuse(ws, at, request=rid, **args)
        elif kind in ("accept", "book"):
            result = (service.accept if kind == "accept" else service.book)(ws, at, request=rid, **args)
            before = ws.config.messaging.reminder_before
            start = args["appointment"] - before
            if before and start > at:
                self.reminders[rid] = (start, args["appointment"])
                self._at(start, rid)
        else:
            result = service.outcome(ws, at, request=rid, **args)
        self.status[rid] = result.data["status"]
        if self.deliver and result.messages:
            service.deliver(ws, at, result.messages)
        return rid


@dataclass
class Row:
    figure: str
    key: str
    documented: Any
    computed: Any
    rule: str
    ok: bool
    percent: bool
    note: str = ""


def _lookup(data: dict[str, Any], key: str) -> Any:
    value: Any = data
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _compare(expect: Expect, data: dict[str, Any]) -> Row:
    parts = [_lookup(data, k) for k in expect.keys]
    computed = None if any(p is None for p in parts) else sum(parts)
    if computed is not None and expect.per:
        below = [_lookup(data, k) for k in expect.per]
        total = None if any(p is None for p in below) else sum(below)
        computed = round(computed / total, 4) if total else None
    key = "+".join(expect.keys) + (" / " + "+".join(expect.per) if expect.per else "")
    if expect.round is not None:
        if expect.percent:
            rule = _("rounds to {value:.{digits}f}%").format(value=expect.value * 100, digits=max(expect.round - 2, 0))
        elif expect.round < 0:
            rule = _("rounds to the nearest {unit}").format(unit=10 ** -expect.round)
        else:
            rule = _("rounds to {digits} decimals").format(digits=expect.round)
        ok = computed is not None and \
            _round_half_up(computed, expect.round) == _round_half_up(expect.value, expect.round)
    elif expect.tolerance is not None:
        rule = _("within ±{tolerance}").format(tolerance=expect.tolerance)
        ok = computed is not None and abs(computed - expect.value) <= expect.tolerance
    else:
        rule = _("exact")
        ok = computed == expect.value
    return Row(expect.figure, key, expect.value, computed, rule, ok, expect.percent, expect.note)


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:                     # 29 February
        return day.replace(year=day.year + years, day=28)


def _moved(scenario: Scenario, years: int) -> Scenario:
    """The same activity, ``years`` later: same rules, dates moved forward."""
    if not years:
        return scenario
    return replace(scenario, start=_years_later(scenario.start, years), end=_years_later(scenario.end, years),
                   closed=frozenset(_years_later(d, years) for d in scenario.closed))


def simulate(name: str, into: Path, *, seed: int | None = None, years: int = 1) -> dict[str, Any]:
    """Build a workspace in ``into``, play the scenario (``years`` times in a row), return the side-by-side.

    The documented figures are compared on the first year; later years are the same activity, dates
    moved forward, drawn with their own seed: the big ledgers the benchmarks are measured on.
    """
    scenario = load_scenario(name)
    seed = scenario.seed if seed is None else seed
    _write_workspace(scenario, into, seed)
    ws = Workspace(into, durable=False, write_outbox=False)
    with collector_paused():
        return _play(scenario, into, ws, seed, years)


def _play(scenario: Scenario, into: Path, ws: Workspace, seed: int, years: int) -> dict[str, Any]:
    player = _Player(ws, f"{scenario.name}:{seed}")
    plan: list = []
    for year in range(years):
        period = _moved(scenario, year)
        draws = f"snpctl-simulate:{scenario.name}:{seed}" + (f":{year}" if year else "")
        calls = _Planner(period, ws.config, random.Random(draws)).calls()
        plan = sorted(((at, index, number, kind, args) for index, call in enumerate(calls)
                       for number, (at, kind, args) in enumerate(call.steps)), key=lambda s: s[:3])
        ids: list[str | None] = [None] * len(calls)
        for at, index, _number, kind, args in plan:
            player.ticks_until(at)
            try:
                ids[index] = player.step(calls[index], ids[index], at, kind, args)
            except SnpctlError as error:
                local = at.astimezone(ws.config.zone).strftime("%Y-%m-%d %H:%M:%S")
                raise ConfigError(_("{file}: the simulation broke a rule at {at} ({kind} of request {id}): {error} "
                                    "Fix the scenario's plan.").format(file=scenario.file, at=local, kind=kind,
                                                                       id=ids[index] or "-",
                                                                       error=error.message)) from None
    player.ticks_until(None)
    ws.ledger.settle()
    last = plan[-1][0] if plan else datetime.combine(scenario.end, time(), UTC)
    figures = service.report(ws, _ceil_minute(last), start=scenario.start, end=scenario.end).data
    rows = [_compare(expect, figures) for expect in scenario.expect]
    events = sum(path.read_bytes().count(b"\n") for path in ws.ledger.files())
    return {
        "scenario": scenario.name, "title": scenario.title, "source": scenario.source, "seed": seed,
        "home": str(into.absolute()),
        "period": {"from": scenario.start.isoformat(), "to": scenario.end.isoformat()},
        "settings": {**scenario.cascade, "line_hours": list(scenario.line_hours),
                     "sites": {s["key"]: s["hours"] for s in scenario.sites},
                     "members_registered": figures["members"]["registered"]},
        "events": events, "ticks": player.ticks,
        "rows": [{"figure": r.figure, "key": r.key, "documented": r.documented, "computed": r.computed,
                  "rule": r.rule, "ok": r.ok, "percent": r.percent, "note": r.note} for r in rows],
        "ok": all(r.ok for r in rows),
    }


# -- for people ---------------------------------------------------------------------------

def _shown(value: Any, percent: bool) -> str:
    if value is None:
        return "-"
    if percent:
        return f"{value * 100:.2f}%".replace(".00%", "%")
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def render(data: dict[str, Any]) -> str:
    """The side-by-side table: each documented figure and the one `report` computes from the ledger."""
    settings = data["settings"]
    window = _("treating-doctor window {window} of {total}, appointments within {horizon}").format(
        window=format_duration(parse_duration(settings["treating_doctor_window"])),
        total=format_duration(parse_duration(settings["total_window"])),
        horizon=format_duration(parse_duration(settings["appointment_horizon"])))
    sites = "; ".join(f"{key} {', '.join(hours)}" for key, hours in settings["sites"].items()) or _("no site")
    out = [
        literal(data["title"]),
        _("Scenario {name}, seed {seed}: {start} to {end}.").format(
            name=data["scenario"], seed=data["seed"], start=data["period"]["from"], end=data["period"]["to"]),
        fill(_("Source: {source}."), source=data["source"]),
        _("Settings: {window}; calls {line}; {sites}; {registered} registered members.").format(
            window=window, line=", ".join(settings["line_hours"]), sites=sites,
            registered=settings["members_registered"]),
        "",
    ]
    header = (_("figure"), _("documented"), _("computed"), _("rule"), _("ok"))
    table = [(literal(r["figure"]), _shown(r["documented"], r["percent"]), _shown(r["computed"], r["percent"]),
              literal(r["rule"]), _("yes") if r["ok"] else _("NO")) for r in data["rows"]]
    widths = [max(len(row[i]) for row in [header, *table]) for i in range(5)]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join((cell.rjust(width) if i in (1, 2) else cell.ljust(width)) for i, (cell, width)
                         in enumerate(zip(cells, widths))).rstrip()

    out.append(line(header))
    out.append(line(tuple("-" * w for w in widths)))
    out += [line(row) for row in table]
    out.append("")
    matched = sum(r["ok"] for r in data["rows"])
    if data["ok"]:
        out.append(_("All {n} documented figures match the report computed from the ledger.").format(n=matched))
    else:
        out.append(_("{bad} of {n} documented figures do NOT match the report computed from the ledger.")
                   .format(bad=len(data["rows"]) - matched, n=len(data["rows"])))
    out.append(_("{events} events written to {home}/ledger/ ({ticks} ticks). See it all: snpctl report --home {home} "
                 "--from {start} --to {end}").format(events=data["events"], home=data["home"], ticks=data["ticks"],
                                                     start=data["period"]["from"], end=data["period"]["to"]))
    return "\n".join(out) + "\n"
