"""The cascade's decisions: ``(state, config, now, command) -> new events``, or a refusal.

Each function checks the command against the rules of contract section 5 and returns the
events to append; it never changes ``state`` and never reads the clock. Raising ``Refused``
(exit 1) or ``BadUsage`` (exit 2) means nothing is written.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from snpctl import matching
from snpctl.config.records import CABINET, TREATING_DOCTOR_WORDS, Config, Member
from snpctl.domain import rules
from snpctl.domain.availability import check_open, check_present
from snpctl.domain.events import new
from snpctl.domain.ids import ID, meant, normalize_id, request_id
from snpctl.domain.state import Request, State
from snpctl.domain.vocabulary import Cause, Contact, EventType, Outcome, Reason, Source, Status
from snpctl.errors import Refused
from snpctl.i18n import _
from snpctl.timefmt import duration_text, to_local_text, to_stamp

# the words a command takes, as plain strs (the audit checks every line's against them; see vocabulary)
SOURCES = tuple(s.value for s in Source)
REASONS = tuple(r.value for r in Reason)
OUTCOMES = tuple(o.value for o in Outcome)

Events = list[dict[str, Any]]


def find_request(state: State, text: str) -> Request:
    """The request ``text`` names (``001c``, `` 1C ``); refused with the ids it may have meant, never taken for one."""
    rid = normalize_id(text)
    request = state.requests.get(rid)
    if request is not None:
        return request
    near = meant(rid, state.request_count)
    if near:
        raise Refused(
            _("There is no request {id}; did you mean {ids}? Read the id again, with its check letter.").format(
                id=text, ids=", ".join(near)
            )
        )
    match = ID.match(rid)
    if match and request_id(int(match.group(1))) != rid:
        raise Refused(
            _(
                "{id} is not a valid request id: its check letter does not match its number; read the id "
                "again (`snpctl list` shows the open requests)."
            ).format(id=text)
        )
    raise Refused(
        _("There is no request {id}; check the id (`snpctl list --all` shows every request).").format(id=text)
    )


def _when(config: Config, instant: datetime | None, now: datetime | None = None) -> str:
    """``17h01`` on the day of ``now``, ``lundi 15 janvier à 16h45`` another day."""
    return to_local_text(instant, config.zone, today=now.astimezone(config.zone).date() if now else None)


def at_text(instant: datetime | None, zone: ZoneInfo, today: date | None) -> str:
    """When something happens, after a noun: ``à 17h45`` on ``today``, ``le lundi 15 janvier à 16h45``
    another day (English: ``at 17:45``, ``on Monday 15 January at 16:45``)."""
    if instant is None:
        return "-"
    text = to_local_text(instant, zone, today=today)
    if instant.astimezone(zone).date() == today:
        return _("at {time}").format(time=text)
    return _("on {day}").format(day=text)


def _at(config: Config, instant: datetime, now: datetime) -> str:
    return at_text(instant, config.zone, now.astimezone(config.zone).date())


def _member_text(config: Config, member_id: str | None) -> str:
    """A member by name and id (``Dr Rémy (mg-remy)``): the id is what the next command takes."""
    member = config.members.get(member_id or "")
    return f"{member.name} ({member.id})" if member else str(member_id)


def _refusal(
    config: Config, request: Request, problem: str, member: str | None = None, now: datetime | None = None
) -> Refused:
    """The user's sentence for a rule's problem code (``rules.REFUSALS``)."""
    from snpctl.words import status as status_word  # here, not above: fewer lines shared with other branches

    today = now.astimezone(config.zone).date() if now is not None else None
    doctor = config.members.get(request.treating_doctor)

    def when(instant: datetime | None) -> str:
        return _when(config, instant, now)

    def at(instant: datetime | None) -> str:
        return at_text(instant, config.zone, today)

    status = request.status_at(now) if now is not None else request.status
    return Refused(
        _(rules.REFUSALS[problem]).format(
            id=request.id,
            now=when(now),
            last=when(request.last_at),
            triggered=at(request.triggered_at),
            status=status_word(status),
            by=_member_text(config, request.by),
            taken=at(request.taken_at),
            appointment=at(request.appointment),
            expires=when(request.expires_at),
            doctor=_member_text(config, request.treating_doctor),
            name=doctor.name if doctor else request.treating_doctor,
            deadline=when(request.deadline),
            member=_member_text(config, member),
        )
    )


def _allowed(config: Config, request: Request, now: datetime, problem: str | None, member: str | None = None) -> None:
    problem = rules.time_problem(request, now) or problem
    if problem is not None:
        raise _refusal(config, request, problem, member, now)


def _member(config: Config, member_id: str) -> Member:
    member = config.members.get(member_id) or config.members.get(matching.find(member_id, config.members) or "")
    if member is None:
        raise Refused(matching.refusal(member_id, config.members, matching.MEMBER))
    return member


def is_eligible(member: Member, profession: str) -> bool:
    """Notified by the cascade: an active, registered member of the protocol's profession."""
    return member.active and member.registered and member.profession == profession


def eligible(config: Config, profession: str, now: datetime) -> list[Member]:
    """Who the cascade may ask, at ``now``, for a request of ``profession``, in roster order: the one
    place that says who can be reached (notify, escalation, accept and book checks): active, registered,
    of the profession, and not absent on ``now``'s day in the workspace's zone (``absent`` in roster.toml)."""
    day = now.astimezone(config.zone).date()
    return [m for m in config.members.values() if is_eligible(m, profession) and not m.absent_on(day)]


def _check_taker(config: Config, request: Request, member: Member) -> None:
    """Can ``member`` take ``request`` at all (whatever the window)?"""
    if not member.active:
        raise Refused(
            _("{id} is not active in roster.toml, so cannot take requests.").format(id=_member_text(config, member.id))
        )
    if not member.registered:
        raise Refused(
            _(
                "{id} is not registered on the cascade (registered = false in roster.toml), so cannot take requests."
            ).format(id=_member_text(config, member.id))
        )
    if member.profession != request.profession:
        raise Refused(
            _("{id} is a {profession}; request {request} ({motif}) is for a {needed}.").format(
                id=_member_text(config, member.id),
                profession=member.profession,
                request=request.id,
                motif=protocol.label if (protocol := config.protocols.get(request.motif)) else request.motif,
                needed=request.profession,
            )
        )


def community(config: Config, request: Request, now: datetime) -> list[str]:
    """Who the community step notifies: eligible members not yet notified and who did not refuse."""
    skip = set(request.notified) | set(request.refused)
    return [m.id for m in eligible(config, request.profession, now) if m.id not in skip]


def _check_appointment(
    config: Config, request: Request, member: Member, now: datetime, appointment: datetime, site: str | None
) -> str:
    site = matching.choose(site, [CABINET, *config.sites], matching.SITE) if site else member.site
    if appointment < now:
        raise Refused(
            _("The appointment {at} is in the past; give a time from now on.").format(at=_at(config, appointment, now))
        )
    if appointment > now + config.appointment_horizon:
        raise Refused(
            _(
                "The appointment {at} is beyond the {horizon} horizon (latest {latest}); appointments are "
                "given for the same half-day, as the no-show rate shows."
            ).format(
                at=_at(config, appointment, now),
                horizon=duration_text(config.appointment_horizon),
                latest=_when(config, now + config.appointment_horizon, now),
            )
        )
    if site != CABINET:
        check_open(config, site, now, appointment)
    if site != CABINET and not config.sites[site].is_open(appointment, config.zone):
        raise Refused(
            _("{label} is closed {at} (open {hours}); choose a time within its hours or another site.").format(
                label=config.sites[site].label, at=_at(config, appointment, now), hours=config.sites[site].hours_text
            )
        )
    return site


# -- the commands -------------------------------------------------------------------------


def intake(
    state: State,
    config: Config,
    now: datetime,
    *,
    motif: str,
    source: str,
    treating_doctor: str,
    patient: str,
    texted: bool = False,
) -> Events:
    protocol = config.protocols[matching.choose(motif, config.protocols, matching.MOTIF)]
    source = matching.choose(source, SOURCES, matching.SOURCE)
    treating_doctor = matching.choose(
        treating_doctor, [*TREATING_DOCTOR_WORDS, *config.members], matching.TREATING_DOCTOR
    )
    return [
        new(
            EventType.INTAKE,
            now,
            request=request_id(state.request_count + 1),
            motif=protocol.key,
            category=protocol.category,
            action=protocol.action,
            profession=protocol.profession,
            source=source,
            treating_doctor=treating_doctor,
            patient=patient,
            contact=Contact.SMS if texted else Contact.NONE,
        )
    ]


def unreachable_doctor(config: Config, request: Request, now: datetime) -> Member | None:
    """The treating doctor who would have had an exclusive window but cannot be texted: an SMS gateway is
    configured and their roster entry has no ``sms``. Without a gateway everyone is reached through the outbox."""
    doctor = config.members.get(request.treating_doctor)
    if doctor is None or not config.treating_doctor_window or config.messaging.sms_command is None:
        return None
    if doctor.sms is None and doctor in eligible(config, request.profession, now):
        return doctor
    return None


def _nobody(config: Config, request: Request) -> Refused:
    protocol = config.protocols.get(request.motif)
    return Refused(
        _(
            "Nobody can be notified for request {id} ({motif}): roster.toml has no active, registered member "
            "of profession {profession!r} who is not absent today. Add one (or set active = true, registered = "
            "true), then run `snpctl notify {id}` again. The request stays open meanwhile (if the patient is "
            "seen elsewhere: "
            "`snpctl outcome {id} cancelled`)."
        ).format(id=request.id, motif=protocol.label if protocol else request.motif, profession=request.profession)
    )


def notify(state: State, config: Config, now: datetime, *, request: str) -> Events:
    req = find_request(state, request)
    _allowed(config, req, now, rules.notify_problem(req, now))
    pool = eligible(config, req.profession, now)
    if not pool:
        raise _nobody(config, req)
    expires = now + config.total_window
    doctor = config.members.get(req.treating_doctor)
    if doctor in pool and config.treating_doctor_window and unreachable_doctor(config, req, now) is None:
        status, deadline, notified = (
            Status.TREATING_DOCTOR_WINDOW,
            now + config.treating_doctor_window,
            [req.treating_doctor],
        )
    else:  # no window: straight to the community, in the event shape it always had (verify knows it)
        status, deadline, notified = Status.COMMUNITY, expires, community(config, req, now)
    return [
        new(
            EventType.NOTIFY,
            now,
            request=req.id,
            status=status,
            deadline=to_stamp(deadline),
            expires=to_stamp(expires),
            notified=notified,
        )
    ]


def refuse(state: State, config: Config, now: datetime, *, request: str, by: str, reason: str = Reason.OTHER) -> Events:
    reason = matching.choose(reason, REASONS, matching.REASON)
    req = find_request(state, request)
    _allowed(config, req, now, rules.status_problem(req.status_at(now)))
    member = _member(config, by)
    _check_taker(config, req, member)
    _allowed(config, req, now, rules.refuse_problem(req, member.id, now), member.id)
    events = [new(EventType.REFUSE, now, request=req.id, by=member.id, reason=reason)]
    if req.status_at(now) == Status.TREATING_DOCTOR_WINDOW and member.id == req.treating_doctor:
        assert req.expires_at is not None, "a request in its treating doctor's window was notified, which set it"
        after = req._replace(refused=(*req.refused, member.id))
        events.append(
            new(
                EventType.ESCALATE,
                now,
                request=req.id,
                cause=Cause.TREATING_DOCTOR_REFUSED,
                deadline=to_stamp(req.expires_at),
                notified=community(config, after, now),
            )
        )
    return events


def accept(
    state: State,
    config: Config,
    now: datetime,
    *,
    request: str,
    by: str,
    appointment: datetime,
    site: str | None = None,
) -> Events:
    req = find_request(state, request)
    _allowed(config, req, now, rules.status_problem(req.status_at(now)))
    member = _member(config, by)
    _check_taker(config, req, member)
    _allowed(config, req, now, rules.accept_problem(req, member.id, now), member.id)
    check_present(config, member, now, appointment, _member_text(config, member.id))
    place = _check_appointment(config, req, member, now, appointment, site)
    return [new(EventType.ACCEPT, now, request=req.id, by=member.id, site=place, appointment=to_stamp(appointment))]


def book(
    state: State,
    config: Config,
    now: datetime,
    *,
    request: str,
    by: str,
    appointment: datetime,
    site: str | None = None,
) -> Events:
    req = find_request(state, request)
    _allowed(config, req, now, rules.book_problem(req, now))
    member = _member(config, by)
    _check_taker(config, req, member)
    check_present(config, member, now, appointment, _member_text(config, member.id))
    place = _check_appointment(config, req, member, now, appointment, site)
    return [new(EventType.BOOK, now, request=req.id, by=member.id, site=place, appointment=to_stamp(appointment))]


def outcome(state: State, config: Config, now: datetime, *, request: str, outcome: str) -> Events:
    outcome = matching.choose(outcome, OUTCOMES, matching.OUTCOME)
    req = find_request(state, request)
    _allowed(config, req, now, rules.outcome_problem(req, outcome, now))
    return [new(EventType.OUTCOME, now, request=req.id, outcome=outcome)]


def synthesis(state: State, config: Config, now: datetime, *, request: str, by: str) -> Events:
    req = find_request(state, request)
    _allowed(config, req, now, None)
    member = _member(config, by)
    problem = rules.synthesis_problem(req, member.id)
    _allowed(config, req, now, "untaken" if problem == "no_appointment" else problem, member.id)
    return [new(EventType.SYNTHESIS, now, request=req.id, by=member.id)]


def tick(state: State, config: Config, now: datetime) -> Events:
    """Record every window that has run out by ``now``: escalations and expiries, in request order."""
    events: Events = []
    for rid in sorted(state.waiting, key=lambda r: state.requests[r].number):
        req = state.requests[rid]
        if rules.time_problem(req, now):
            continue  # a tick dated before this request's last event (a backfill) leaves it alone
        step = rules.due(req, now)
        if step == EventType.EXPIRE:
            events.append(new(EventType.EXPIRE, now, request=rid))
        elif step == EventType.ESCALATE:
            assert req.expires_at is not None, "a waiting request was notified, which set it"
            events.append(
                new(
                    EventType.ESCALATE,
                    now,
                    request=rid,
                    cause=Cause.WINDOW_ENDED,
                    deadline=to_stamp(req.expires_at),
                    notified=community(config, req, now),
                )
            )
    return events
