"""protocols.toml and roster.toml, read into typed, validated records (``load_config``).

Owns which table and key of each file makes which field of which record, the defaults, the rules
of a range of opening hours (the other rules of one value are ``values``') and the rules between
values (a window within the total, a site a member names, an interne's supervisor). Every problem
is reported as ``FILE:LINE:COLUMN: KEY: what is wrong; what to do`` with the line quoted (exit 2),
the first one found, before any command decides anything. Knows nothing of the ledger; reading a
file is ``toml``'s job.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from snpctl.config.closures import days, holidays_region
from snpctl.config.records import (
    ACTIONS,
    CABINET,
    MEMBER_STATUSES,
    TREATING_DOCTOR_WORDS,
    Config,
    Hours,
    Mail,
    Member,
    Messaging,
    Protocol,
    Site,
)
from snpctl.config.toml import Source, Table, read_toml
from snpctl.config.values import identifier, one_line, template
from snpctl.errors import ConfigError
from snpctl.i18n import _
from snpctl.timefmt import parse_duration
from snpctl.typed import WEEKDAYS, read_hours, read_weekdays

PORT_MAX = 65535
# one mail address: no space, no line break (a header would be forged), one @, a domain with a dot
MAIL_ADDRESS = re.compile(r"[^@\s,;<>\"]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
MAIL_TIMEOUT_MAX = 300  # seconds: a longer wait would only hold a sender that cron's next tick needs


def load_config(home: Path, keep: Path | None = None) -> Config:
    """Both files of the workspace ``home``, checked; ``keep``: a folder for the parsed copies (``read_toml``)."""
    if not home.is_dir():
        raise ConfigError(
            _(
                "protocols.toml: not found, {home} is not a workspace folder; give the folder that holds "
                "protocols.toml and roster.toml with --home or SNPCTL_HOME (`snpctl init DIR` creates "
                "one)."
            ).format(home=home)
        )
    zone, mt_window, total, horizon, protocols, messaging, language, region = load_protocols(
        home / "protocols.toml", keep
    )
    sites, members = load_roster(home / "roster.toml", keep)
    return Config(
        zone=zone,
        treating_doctor_window=mt_window,
        total_window=total,
        appointment_horizon=horizon,
        protocols=protocols,
        sites=sites,
        members=members,
        messaging=messaging,
        language=language,
        holidays_region=region,
    )


# -- opening hours ----------------------------------------------------------------------------


def hours(table: Table, text: str) -> Hours:
    """One range of a site's ``hours``: ``lun-ven 15h30-19h30``, ``mon-fri 15:30-19:30``, ``sam 9h-12h``,
    ``lun,mer 9h-12h``; French or English day names, short or full, and either way of writing a time."""
    try:
        read = read_hours(text)
    except ValueError:
        table.fail(_("{text!r} has an impossible time of day.").format(text=text), "hours")
    if read is None:
        table.fail(
            _('{text!r} is not a range of opening hours; write it like "mon-fri 15:30-19:30".').format(text=text),
            "hours",
        )
    spec, start, end = read
    runs = read_weekdays(spec)
    if runs is None:
        part = next((w for w in re.split(r"[\s,-]+", spec) if w not in WEEKDAYS), spec)
        table.fail(
            _(
                "{text!r}: {part!r} is not a day name; use mon tue wed thu fri sat sun, a range "
                "like mon-fri or a list like mon,wed."
            ).format(text=text, part=part),
            "hours",
        )
    if end <= start:
        table.fail(
            _("{text!r} ends before it starts; a range cannot run past midnight, split it in two.").format(text=text),
            "hours",
        )
    days = frozenset(day % 7 for first, last in runs for day in range(first, last + 1 + 7 * (last < first)))
    return Hours(days, start, end, text.strip(), runs)


# -- protocols.toml ---------------------------------------------------------------------------


LANGUAGES = ("fr", "en")


def load_protocols(
    path: Path, keep: Path | None = None
) -> tuple[ZoneInfo, timedelta, timedelta, timedelta, dict[str, Protocol], Messaging, str | None, str | None]:
    root = Table(path.name, "", read_toml(path, keep), Source(path))
    language = root.get("language", str, None)
    if language is not None and language not in LANGUAGES:
        root.fail(
            _('{value!r} is not a language of snpctl; write "fr" (French) or "en" (English).').format(value=language),
            "language",
        )
    zone_name = root.get("timezone", str, "Europe/Paris")
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        root.fail(_("{value!r} is not a time zone; use a name like Europe/Paris.").format(value=zone_name), "timezone")
    region = holidays_region(root)
    mt_window, total, horizon = _cascade(root)
    protocols = _protocols(root)
    messaging = _messaging(root.table("messaging"))
    root.finish()
    return zone, mt_window, total, horizon, protocols, messaging, language, region


def _cascade(root: Table) -> tuple[timedelta, timedelta, timedelta]:
    """``[cascade]``: the treating doctor's window, the total window and the appointment horizon."""
    cascade = root.table("cascade")
    if cascade is None:
        root.fail(
            _("missing table [cascade] with treating_doctor_window, total_window and appointment_horizon; add it.")
        )
    mt_window = cascade.duration("treating_doctor_window")
    total = cascade.duration("total_window")
    horizon = cascade.duration("appointment_horizon")
    if total <= timedelta(0):
        cascade.fail(_("must be longer than 0m."), "total_window")
    if mt_window > total:
        cascade.fail(
            _("is longer than total_window; the treating doctor's window is part of the total."),
            "treating_doctor_window",
        )
    if horizon <= timedelta(0):
        cascade.fail(_("must be longer than 0m."), "appointment_horizon")
    cascade.finish()
    return mt_window, total, horizon


def _protocols(root: Table) -> dict[str, Protocol]:
    protocols: dict[str, Protocol] = {}
    for table in root.tables("protocol"):
        key = identifier(table, "key")
        if key in protocols:
            table.fail(_("key {key!r} is used twice; each protocol needs its own key.").format(key=key), "key")
        protocols[key] = Protocol(
            key=key,
            label=table.get("label", str),
            category=identifier(table, "category"),
            action=table.choice("action", ACTIONS),
            profession=identifier(table, "profession", "generaliste"),
        )
        table.finish()
    if not protocols:
        root.fail(_("no [[protocol]] is defined; add at least one."))
    return protocols


def _messaging(table: Table | None) -> Messaging:
    if table is None:
        return Messaging()
    defaults = Messaging()
    retry = _retry(table, defaults.retry)
    sms_command = _sms_command(table.table("sms"))
    mail = _mail(table.table("mail"))
    templates = _templates(table.table("templates"))
    messaging = Messaging(
        outbox=table.get("outbox", str, defaults.outbox),
        reminder_before=table.duration("reminder_before", defaults.reminder_before),
        retry=retry,
        operator_sms=table.phone("operator_sms"),
        operator_mail=one_line(table, "operator_mail", None),
        cot_phone=one_line(table, "cot_phone", None),
        sms_command=sms_command,
        mail=mail,
        withdrawn=table.get("withdrawn", bool, defaults.withdrawn),
        templates=templates,
    )
    table.finish()
    return messaging


def _retry(table: Table, default: tuple[timedelta, ...]) -> tuple[timedelta, ...]:
    texts = table.get("retry", list, None)
    if texts is None:
        return default
    parsed = []
    for text in texts:
        try:
            parsed.append(parse_duration(text))
        except (ValueError, TypeError):
            table.fail(_("{value!r} is not a duration; write it like 1m or 1h.").format(value=text), "retry")
    return tuple(parsed)


def _sms_command(table: Table | None) -> str | None:
    if table is None:
        return None
    command = str(table.get("command", str))
    table.finish()
    return command


def _mail(table: Table | None) -> Mail | None:
    if table is None:
        return None
    mail = Mail(
        host=one_line(table, "host"),
        port=table.get("port", int, 587),
        sender=one_line(table, "sender"),
        starttls=table.get("starttls", bool, True),
        user=one_line(table, "user", None),
        password_env=table.get("password_env", str, None),
        cafile=table.get("cafile", str, None),
        timeout=float(table.get("timeout_seconds", int, 10)),
    )
    if not 0 < mail.port <= PORT_MAX:
        table.fail(_("must be between 1 and {most}, found {value}.").format(most=PORT_MAX, value=mail.port), "port")
    if not 0 < mail.timeout <= MAIL_TIMEOUT_MAX:
        table.fail(
            _("must be between 1 and {most} seconds, found {value:g}.").format(
                most=MAIL_TIMEOUT_MAX, value=mail.timeout
            ),
            "timeout_seconds",
        )
    table.finish()
    return mail


def _templates(table: Table | None) -> dict[str, str]:
    templates: dict[str, str] = {}
    if table is None:
        return templates
    from snpctl.domain.messages import TEMPLATES

    for name in TEMPLATES:
        text = template(table, name)
        if text is not None:
            templates[name] = text
    table.finish()
    return templates


# -- roster.toml ------------------------------------------------------------------------------


def load_roster(path: Path, keep: Path | None = None) -> tuple[dict[str, Site], dict[str, Member]]:
    root = Table(path.name, "", read_toml(path, keep), Source(path))
    sites = _sites(root)
    tables = root.tables("member")
    members = _members(tables, sites)
    for table, member in zip(tables, members.values(), strict=True):  # one member per table, or it failed
        _supervisor_check(table, member, members)
    root.finish()
    return sites, members


def _sites(root: Table) -> dict[str, Site]:
    sites: dict[str, Site] = {}
    for table in root.tables("site"):
        key = identifier(table, "key")
        if key == CABINET:
            table.fail(_("'cabinet' means a member's own practice and cannot name a site; choose another key."), "key")
        if key in sites:
            table.fail(_("key {key!r} is used twice; each site needs its own key.").format(key=key), "key")
        texts = table.get("hours", list)
        if not texts or not all(isinstance(t, str) for t in texts):
            table.fail(_('should be a list of ranges like ["mon-fri 15:30-19:30"].'), "hours")
        sites[key] = Site(
            key=key,
            label=table.get("label", str),
            hours=tuple(hours(table, t) for t in texts),
            address=table.get("address", str, None),
            closed=days(table, "closed"),
            open_on_public_holidays=table.get("open_on_public_holidays", bool, False),
        )
        table.finish()
    return sites


def _members(tables: list[Table], sites: dict[str, Site]) -> dict[str, Member]:
    members: dict[str, Member] = {}
    for table in tables:
        table.where = f"{table.where} ({table.get('id', str)})"  # named by its id in every error, its own too
        member_id = identifier(table, "id")
        if member_id in TREATING_DOCTOR_WORDS:
            table.fail(
                _("{id!r} is a reserved word for --treating-doctor; choose another id.").format(id=member_id), "id"
            )
        if member_id in members:
            table.fail(_("id {id!r} is used twice; each member needs their own id.").format(id=member_id), "id")
        site = table.get("site", str, CABINET)
        if site != CABINET and site not in sites:
            table.fail(
                _('{value!r} is neither "cabinet" nor the key of a [[site]]; known sites: {known}.').format(
                    value=site, known=", ".join([CABINET, *sites])
                ),
                "site",
            )
        members[member_id] = Member(
            id=member_id,
            name=table.get("name", str),
            profession=identifier(table, "profession"),
            status=table.choice("status", MEMBER_STATUSES),
            site=site,
            registered=table.get("registered", bool, True),
            active=table.get("active", bool, True),
            supervisor=table.get("supervisor", str, None),
            address=table.get("address", str, None),
            sms=table.phone("sms"),
            mssante=mail_address(table, "mssante"),
            absent=days(table, "absent"),
        )
        table.finish()
    return members


def mail_address(table: Table, key: str) -> str | None:
    """One mail address (``martin@medecin.mssante.fr``), or None when the key is not written."""
    value: str | None = table.get(key, str, None)
    if value is not None and not MAIL_ADDRESS.fullmatch(value):
        table.fail(
            _(
                "{value!r} is not one mail address; write a single address like name@domain.mssante.fr, on one "
                "line, without spaces."
            ).format(value=value),
            key,
        )
    return value


def _supervisor_check(table: Table, member: Member, members: dict[str, Member]) -> None:
    """An interne has a supervisor; a supervisor is another member of the roster, and no interne."""
    if member.status == "interne" and member.supervisor is None:
        table.fail(_('an interne needs a supervisor; add supervisor = "<id of their maître de stage>".'), "supervisor")
    if member.supervisor is None:
        return
    boss = members.get(member.supervisor)
    if boss is None or boss.id == member.id:
        table.fail(
            _("{value!r} is not the id of another member of the roster.").format(value=member.supervisor), "supervisor"
        )
    if boss.status == "interne":
        table.fail(
            _("{value!r} is an interne too; the supervisor must be a practising doctor.").format(
                value=member.supervisor
            ),
            "supervisor",
        )
