"""protocols.toml and roster.toml, read into typed, validated objects.

Every problem is reported as ``FILE: KEY: what is wrong; what to do`` (exit 2), the first
one found, before any command decides anything.
"""

from __future__ import annotations

import hashlib
import marshal
import re
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from snpctl import derived
from snpctl.domain.personal import personal_kind
from snpctl.errors import ConfigError
from snpctl.i18n import _
from snpctl.timefmt import LONGEST, TooLong, format_duration, parse_duration

ACTIONS = ("trigger", "redirect", "transfer_15")
MEMBER_STATUSES = ("titulaire", "remplacant", "adjoint", "assistant", "interne", "retraite")
CABINET = "cabinet"
TREATING_DOCTOR_WORDS = ("none", "unknown", "external")   # what --treating-doctor takes besides a member id
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Protocol(NamedTuple):
    key: str
    label: str
    category: str
    action: str
    profession: str = "generaliste"


class Hours(NamedTuple):  # typed records as NamedTuples: 7 times cheaper to define than dataclasses (cron start-up)
    """One range like ``mon-fri 15:30-19:30``: weekdays (0 = Monday) and a [start, end) span."""

    days: frozenset[int]
    start: time
    end: time
    text: str

    def contains(self, local: datetime) -> bool:
        return local.weekday() in self.days and self.start <= local.time() < self.end


class Site(NamedTuple):
    key: str
    label: str
    hours: tuple[Hours, ...]
    address: str | None = None

    def is_open(self, instant: datetime, zone: ZoneInfo) -> bool:
        local = instant.astimezone(zone).replace(tzinfo=None)
        return any(span.contains(local) for span in self.hours)

    @property
    def hours_text(self) -> str:
        return ", ".join(span.text for span in self.hours)


class Member(NamedTuple):
    id: str
    name: str
    profession: str
    status: str
    site: str = CABINET
    registered: bool = True
    active: bool = True
    supervisor: str | None = None
    address: str | None = None
    sms: str | None = None
    mssante: str | None = None


class Mail(NamedTuple):
    host: str
    port: int
    sender: str
    starttls: bool = True
    user: str | None = None
    password_env: str | None = None
    cafile: str | None = None          # extra CA to trust (a CPTS's own relay, tests); default: the system's
    timeout: float = 10.0              # seconds to wait for the server


class Messaging(NamedTuple):
    outbox: str = "outbox"
    reminder_before: timedelta = timedelta(hours=1)
    retry: tuple[timedelta, ...] = (timedelta(minutes=1), timedelta(minutes=5),
                                    timedelta(minutes=15), timedelta(hours=1))
    operator_sms: str | None = None
    operator_mail: str | None = None
    cot_phone: str | None = None
    sms_command: str | None = None
    mail: Mail | None = None
    templates: dict[str, str] = {}     # read-only: replaced, never changed in place


class Config(NamedTuple):
    zone: ZoneInfo
    treating_doctor_window: timedelta
    total_window: timedelta
    appointment_horizon: timedelta
    protocols: dict[str, Protocol]
    sites: dict[str, Site]
    members: dict[str, Member]
    messaging: Messaging = Messaging()

    def place_label(self, site: str) -> str:
        if site == CABINET:
            return _("own practice")
        return self.sites[site].label


# -- reading ------------------------------------------------------------------------------

class _Table:
    """A TOML table being read, that knows where it is so that errors can say so."""

    def __init__(self, file: str, where: str, data: Any) -> None:
        self.file, self.where, self.data = file, where, data
        if not isinstance(data, dict):
            self.fail(_("should be a table of keys, found {value!r}; write it as a [section] with its keys below it.")
                      .format(value=data))
        self.used: set[str] = set()

    def fail(self, problem: str, key: str | None = None) -> None:
        place = ".".join(p for p in (self.where, key) if p)
        prefix = f"{self.file}: {place}: " if place else f"{self.file}: "
        raise ConfigError(prefix + problem)

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = ..., *, hint: str = "") -> Any:
        self.used.add(key)
        if key not in self.data:
            if default is ...:
                typo = self._typo_of(key)
                if typo:
                    self.fail(_("unknown key {typo!r}: did you mean {key!r}? Fix its spelling.")
                              .format(typo=typo, key=key))
                self.fail(_("missing key {key!r}; add it{hint}.").format(key=key, hint=hint))
            return default
        value = self.data[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if bool in kinds and not isinstance(value, bool) or bool not in kinds and isinstance(value, bool) \
                or not isinstance(value, kinds):
            names = " or ".join(_type_name(k) for k in kinds)
            self.fail(_("should be {names}, found {value!r}.").format(names=names, value=value), key)
        if isinstance(value, str) and not value.strip():
            self.fail(_("is empty; give a value."), key)
        return value

    def _typo_of(self, key: str) -> str | None:
        import difflib
        unknown = [k for k in self.data if isinstance(k, str) and k not in self.used]
        close = difflib.get_close_matches(key, unknown, n=1, cutoff=0.75)
        return close[0] if close else None

    def duration(self, key: str, default: Any = ...) -> timedelta:
        text = self.get(key, str, default)
        if isinstance(text, timedelta):
            return text
        try:
            return parse_duration(text)
        except TooLong:
            self.fail(_("{value!r} is longer than {longest}, the longest a window, a horizon or a delay may be; give a "
                        "shorter one.").format(value=text, longest=format_duration(LONGEST)), key)
        except ValueError:
            self.fail(_("{value!r} is not a duration; write it like 10m, 1h, 1h30m or 2d.").format(value=text), key)

    def choice(self, key: str, choices: tuple[str, ...], default: Any = ...) -> str:
        value = self.get(key, str, default)
        if value not in choices:
            self.fail(_("{value!r} is not one of {choices}.").format(value=value, choices=", ".join(choices)), key)
        return value

    def table(self, key: str) -> _Table | None:
        self.used.add(key)
        if key not in self.data:
            return None
        return _Table(self.file, ".".join(p for p in (self.where, key) if p), self.data[key])

    def tables(self, key: str) -> list[_Table]:
        self.used.add(key)
        items = self.data.get(key, [])
        if not isinstance(items, list):
            self.fail(_("should be a list of tables, written [[{key}]].").format(key=key), key)
        return [_Table(self.file, f"{key}[{i + 1}]", item) for i, item in enumerate(items)]

    def finish(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            known = ", ".join(sorted(self.used))
            self.fail(_("unknown key {key!r} (a typo?); the keys read here are: {known}.")
                      .format(key=unknown[0], known=known))


def _type_name(kind: type) -> str:
    return {str: "a string", int: "a whole number", bool: "true or false", list: "a list",
            dict: "a table", float: "a number"}.get(kind, kind.__name__)


FORMAT = 2     # of the parsed copies kept beside the workspace's files (``.snpctl/NAME.parsed``); 2: sealed


def _read_toml(path: Path, keep: Path | None = None) -> dict:
    """The file's tables; with ``keep`` (a folder), reused from the parse of the very same bytes last time.

    Parsing both files with tomllib costs a command more than reading them: a copy of the parse
    is kept in ``keep`` under the SHA-256 of the bytes it came from, sealed with the SHA-256 of
    its own content (``derived.seal``). It is only a shortcut: any other bytes, a copy that does not
    read, or one edited by hand (an SMS command added to it), and the file is parsed again.
    """
    try:
        data = path.read_bytes()
        digest = hashlib.sha256(data).digest()
        copy = None if keep is None else keep / f"{path.name}.parsed"
        if copy is not None:
            try:
                version, kept_digest, tables = marshal.loads(derived.unseal(copy.read_bytes()))
                if version == FORMAT and kept_digest == digest:
                    return tables
            except (OSError, EOFError, ValueError, TypeError):
                pass
        import tomllib
        try:
            tables = tomllib.loads(data.decode("utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(_("{file}: not valid TOML ({error}); fix that line.")
                              .format(file=path.name, error=error)) from None
        if copy is not None:
            _keep(copy, (FORMAT, digest, tables))
        return tables
    except FileNotFoundError:
        raise ConfigError(_("{file}: not found in {home}; run `snpctl init DIR` to create a workspace, or "
                            "give its folder with --home or SNPCTL_HOME.")
                          .format(file=path.name, home=path.parent)) from None
    except UnicodeDecodeError:
        raise ConfigError(_("{file}: not UTF-8 text; save it as UTF-8.").format(file=path.name)) from None
    except OSError as error:
        raise ConfigError(_("{file}: cannot be read in {home} ({error}); check that --home or SNPCTL_HOME names the "
                            "workspace folder.").format(file=path.name, home=path.parent,
                                                        error=error.strerror or error)) from None


_KEY = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


def _identifier(table: _Table, key: str, default: Any = ...) -> str:
    """A value that commands write into ledger lines (a key, an id, a category, a profession).

    It must be a slug, and pass the very test ``verify`` puts to every string of a line: a value
    that looked like a phone number would make every line that carries it, and so the ledger, fail.
    """
    value = table.get(key, str, default)
    if not _KEY.match(value):
        table.fail(_("{value!r} should be lowercase letters, digits, '-', '_' or '.', with no spaces.")
                   .format(value=value), key)
    what = personal_kind(value)
    if what:
        table.fail(_("{value!r} looks like {what}, and this value is written into the ledger, which must hold no "
                     "personal data; choose another one.").format(value=value, what=_(what)), key)
    return value


def _day_set(table: _Table, text: str, spec: str) -> frozenset[int]:
    days: set[int] = set()
    for part in spec.split(","):
        ends = part.split("-")
        if len(ends) > 2 or any(end not in DAYS for end in ends):
            table.fail(_("{text!r}: {part!r} is not a day name; use mon tue wed thu fri sat sun, a range "
                         "like mon-fri or a list like mon,wed.").format(text=text, part=part), "hours")
        first, last = DAYS.index(ends[0]), DAYS.index(ends[-1])
        day = first
        while True:
            days.add(day)
            if day == last:
                break
            day = (day + 1) % 7
    return frozenset(days)


_HOURS = re.compile(r"^\s*(\S+)\s+(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def _hours(table: _Table, text: str) -> Hours:
    match = _HOURS.match(text)
    if not match:
        table.fail(_("{text!r} is not a range of opening hours; write it like \"mon-fri 15:30-19:30\".")
                   .format(text=text), "hours")
    spec, h1, m1, h2, m2 = match.groups()
    days = _day_set(table, text, spec.lower())
    try:
        start = time(int(h1), int(m1))
        end = time.max if (int(h2), int(m2)) == (24, 0) else time(int(h2), int(m2))
    except ValueError:
        table.fail(_("{text!r} has an impossible time of day.").format(text=text), "hours")
    if end <= start:
        table.fail(_("{text!r} ends before it starts; a range cannot run past midnight, split it in two.")
                   .format(text=text), "hours")
    return Hours(days, start, end, text.strip())


MAIL_TIMEOUT_MAX = 300     # seconds: a longer wait would only hold a sender that cron's next tick needs


def _one_line(table: _Table, key: str, default: Any = ...) -> Any:
    """A string that goes into a mail header or onto a command line: no line breaks or control characters."""
    value = table.get(key, str, default)
    if isinstance(value, str) and any(ord(c) < 32 or 127 <= ord(c) < 160 for c in value):
        table.fail(_("contains a line break or a control character; write it on one line, as plain text."), key)
    return value


def _messaging(table: _Table | None) -> Messaging:
    if table is None:
        return Messaging()
    defaults = Messaging()
    retry_texts = table.get("retry", list, None)
    retry = defaults.retry
    if retry_texts is not None:
        parsed = []
        for text in retry_texts:
            try:
                parsed.append(parse_duration(text))
            except (ValueError, TypeError):
                table.fail(_("{value!r} is not a duration; write it like 1m or 1h.").format(value=text), "retry")
        retry = tuple(parsed)
    sms_table = table.table("sms")
    sms_command = None
    if sms_table is not None:
        sms_command = sms_table.get("command", str)
        sms_table.finish()
    mail = None
    mail_table = table.table("mail")
    if mail_table is not None:
        mail = Mail(host=_one_line(mail_table, "host"), port=mail_table.get("port", int, 587),
                    sender=_one_line(mail_table, "sender"), starttls=mail_table.get("starttls", bool, True),
                    user=_one_line(mail_table, "user", None), password_env=mail_table.get("password_env", str, None),
                    cafile=mail_table.get("cafile", str, None),
                    timeout=float(mail_table.get("timeout_seconds", int, 10)))
        if not 0 < mail.timeout <= MAIL_TIMEOUT_MAX:
            mail_table.fail(_("must be between 1 and {most} seconds, found {value:g}.")
                            .format(most=MAIL_TIMEOUT_MAX, value=mail.timeout), "timeout_seconds")
        mail_table.finish()
    templates: dict[str, str] = {}
    templates_table = table.table("templates")
    if templates_table is not None:
        from snpctl.domain.messages import TEMPLATES, template_problem
        for name in TEMPLATES:
            text = templates_table.get(name, str, None)
            if text is not None:
                problem = template_problem(name, text)
                if problem:
                    templates_table.fail(problem, name)
                templates[name] = text
        templates_table.finish()
    messaging = Messaging(
        outbox=table.get("outbox", str, defaults.outbox),
        reminder_before=table.duration("reminder_before", defaults.reminder_before),
        retry=retry,
        operator_sms=_one_line(table, "operator_sms", None),
        operator_mail=_one_line(table, "operator_mail", None),
        cot_phone=_one_line(table, "cot_phone", None),
        sms_command=sms_command, mail=mail, templates=templates,
    )
    table.finish()
    return messaging


def _keep(copy: Path, payload: tuple) -> None:
    try:
        derived.write(copy, derived.seal(marshal.dumps(payload)))
    except (OSError, ValueError):      # no .snpctl/ to write in, or a value marshal cannot keep (a TOML date)
        pass


def load_protocols(path: Path, keep: Path | None = None) -> tuple[ZoneInfo, timedelta, timedelta, timedelta,
                                                                 dict[str, Protocol], Messaging]:
    root = _Table(path.name, "", _read_toml(path, keep))
    zone_name = root.get("timezone", str, "Europe/Paris")
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        root.fail(_("{value!r} is not a time zone; use a name like Europe/Paris.").format(value=zone_name), "timezone")
    cascade = root.table("cascade")
    if cascade is None:
        root.fail(_("missing table [cascade] with treating_doctor_window, total_window and appointment_horizon; "
                    "add it."))
    mt_window = cascade.duration("treating_doctor_window")
    total = cascade.duration("total_window")
    horizon = cascade.duration("appointment_horizon")
    if total <= timedelta(0):
        cascade.fail(_("must be longer than 0m."), "total_window")
    if mt_window > total:
        cascade.fail(_("is longer than total_window; the treating doctor's window is part of the total."),
                     "treating_doctor_window")
    if horizon <= timedelta(0):
        cascade.fail(_("must be longer than 0m."), "appointment_horizon")
    cascade.finish()
    protocols: dict[str, Protocol] = {}
    for table in root.tables("protocol"):
        key = _identifier(table, "key")
        if key in protocols:
            table.fail(_("key {key!r} is used twice; each protocol needs its own key.").format(key=key), "key")
        protocols[key] = Protocol(
            key=key, label=table.get("label", str), category=_identifier(table, "category"),
            action=table.choice("action", ACTIONS), profession=_identifier(table, "profession", "generaliste"))
        table.finish()
    if not protocols:
        root.fail(_("no [[protocol]] is defined; add at least one."))
    messaging = _messaging(root.table("messaging"))
    root.finish()
    return zone, mt_window, total, horizon, protocols, messaging


def load_roster(path: Path, keep: Path | None = None) -> tuple[dict[str, Site], dict[str, Member]]:
    root = _Table(path.name, "", _read_toml(path, keep))
    sites: dict[str, Site] = {}
    for table in root.tables("site"):
        key = _identifier(table, "key")
        if key == CABINET:
            table.fail(_("'cabinet' means a member's own practice and cannot name a site; choose another key."),
                       "key")
        if key in sites:
            table.fail(_("key {key!r} is used twice; each site needs its own key.").format(key=key), "key")
        texts = table.get("hours", list)
        if not texts or not all(isinstance(t, str) for t in texts):
            table.fail(_("should be a list of ranges like [\"mon-fri 15:30-19:30\"]."), "hours")
        sites[key] = Site(key=key, label=table.get("label", str), hours=tuple(_hours(table, t) for t in texts),
                          address=table.get("address", str, None))
        table.finish()
    members: dict[str, Member] = {}
    tables = root.tables("member")
    for table in tables:
        table.where = f"{table.where} ({table.get('id', str)})"     # named by its id in every error, its own too
        member_id = _identifier(table, "id")
        if member_id in TREATING_DOCTOR_WORDS:
            table.fail(_("{id!r} is a reserved word for --treating-doctor; choose another id.").format(id=member_id),
                       "id")
        if member_id in members:
            table.fail(_("id {id!r} is used twice; each member needs their own id.").format(id=member_id), "id")
        site = table.get("site", str, CABINET)
        if site != CABINET and site not in sites:
            table.fail(_("{value!r} is neither \"cabinet\" nor the key of a [[site]]; known sites: {known}.")
                       .format(value=site, known=", ".join([CABINET, *sites])), "site")
        members[member_id] = Member(
            id=member_id, name=table.get("name", str), profession=_identifier(table, "profession"),
            status=table.choice("status", MEMBER_STATUSES), site=site,
            registered=table.get("registered", bool, True), active=table.get("active", bool, True),
            supervisor=table.get("supervisor", str, None), address=table.get("address", str, None),
            sms=table.get("sms", str, None), mssante=table.get("mssante", str, None))
        table.finish()
    for table, member in zip(tables, members.values()):
        if member.status == "interne" and member.supervisor is None:
            table.fail(_("an interne needs a supervisor; add supervisor = \"<id of their maître de stage>\"."),
                       "supervisor")
        if member.supervisor is not None:
            boss = members.get(member.supervisor)
            if boss is None or boss.id == member.id:
                table.fail(_("{value!r} is not the id of another member of the roster.")
                           .format(value=member.supervisor), "supervisor")
            if boss.status == "interne":
                table.fail(_("{value!r} is an interne too; the supervisor must be a practising doctor.")
                           .format(value=member.supervisor), "supervisor")
    root.finish()
    return sites, members


def load_config(home: Path, keep: Path | None = None) -> Config:
    """Both files of the workspace ``home``, checked; ``keep``: a folder for the parsed copies (``_read_toml``)."""
    if not home.is_dir():
        raise ConfigError(_("protocols.toml: not found, {home} is not a workspace folder; give the folder that holds "
                            "protocols.toml and roster.toml with --home or SNPCTL_HOME (`snpctl init DIR` creates "
                            "one).").format(home=home))
    zone, mt_window, total, horizon, protocols, messaging = load_protocols(home / "protocols.toml", keep)
    sites, members = load_roster(home / "roster.toml", keep)
    return Config(zone=zone, treating_doctor_window=mt_window, total_window=total, appointment_horizon=horizon,
                  protocols=protocols, sites=sites, members=members, messaging=messaging)
