"""The cascade's decisions: ``(state, config, now, command) -> new events``, or a refusal.

Each function checks the command against the rules of contract section 5 and returns the
events to append; it never changes ``state`` and never reads the clock. Raising ``Refused``
(exit 1) or ``BadUsage`` (exit 2) means nothing is written.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from typing import Any

from snpctl.config import CABINET, TREATING_DOCTOR_WORDS, Config, Member
from snpctl.domain.events import new
from snpctl.domain.state import CLOSED, Request, State
from snpctl.errors import BadUsage, Refused
from snpctl.i18n import _
from snpctl.timefmt import format_duration, to_local_text, to_stamp

SOURCES = ("cot", "web", "samu", "hospital", "office")
REASONS = ("busy", "away", "out_of_scope", "other")
OUTCOMES = ("seen", "no_show", "cancelled")

Events = list[dict[str, Any]]

# -- request ids: a number and a check letter, read aloud over the phone ("zero-four-two K") --
# n mod 11 changes with any single wrong digit and any two swapped neighbouring digits, so a
# mistyped id is refused instead of acting on another patient's request.
_CHECK_LETTERS = "ACEHJKLMRUX"
_ID = re.compile(r"^(\d+)([A-Z])$")


def request_id(number: int) -> str:
    return f"{number:03d}{_CHECK_LETTERS[number % 11]}"


def normalize_id(text: str) -> str:
    return re.sub(r"[\s\-_.]", "", text).upper()


def find_request(state: State, text: str) -> Request:
    rid = normalize_id(text)
    request = state.requests.get(rid)
    if request is not None:
        return request
    match = _ID.match(rid)
    if match and request_id(int(match.group(1))) != rid:
        raise Refused(_("{id} is not a valid request id: its check letter does not match its number; read the id "
                        "again (`snpctl list` shows the open requests).").format(id=text))
    raise Refused(_("There is no request {id}; check the id (`snpctl list --all` shows every request).")
                  .format(id=text))


def _when(config: Config, instant: datetime | None) -> str:
    return to_local_text(instant, config.zone)


def _check_time_order(config: Config, request: Request, now: datetime) -> None:
    if now < request.last_at:
        raise Refused(_("This command is dated {now}, before the last event of request {id} ({last}); time cannot "
                        "go backwards within a request. Check --now / SNPCTL_NOW.")
                      .format(now=_when(config, now), id=request.id, last=_when(config, request.last_at)))


def _not_waiting(config: Config, request: Request, status: str) -> Refused:
    """The refusal for a request that is no longer waiting for a taker."""
    if status == "open":
        return Refused(_("Request {id} has not been triggered yet; run `snpctl notify {id}` first (or `snpctl book` "
                         "for a direct booking).").format(id=request.id))
    if status == "accepted":
        return Refused(_("Request {id} is already accepted by {by} at {taken}, appointment {appointment}; nothing "
                         "to do.").format(id=request.id, by=request.by, taken=_when(config, request.taken_at),
                                          appointment=_when(config, request.appointment)))
    if status == "expired":
        return Refused(_("Request {id} expired at {at}: nobody accepted within the window. Call the patient back "
                         "(the 15 if it gets worse, otherwise the evening duty practice).")
                       .format(id=request.id, at=_when(config, request.expires_at)))
    return Refused(_("Request {id} is closed ({status}); nothing can change it now.")
                   .format(id=request.id, status=status))


def _member(config: Config, member_id: str) -> Member:
    member = config.members.get(member_id)
    if member is None:
        raise Refused(_("There is no member {id!r} in roster.toml; check the id.").format(id=member_id))
    return member


def is_eligible(member: Member, profession: str) -> bool:
    """Notified by the cascade: an active, registered member of the protocol's profession."""
    return member.active and member.registered and member.profession == profession


def _check_taker(config: Config, request: Request, member: Member) -> None:
    """Can ``member`` take ``request`` at all (whatever the window)?"""
    if not member.active:
        raise Refused(_("{id} is not active in roster.toml, so cannot take requests.").format(id=member.id))
    if not member.registered:
        raise Refused(_("{id} is not registered on the cascade (registered = false in roster.toml), so cannot take "
                        "requests.").format(id=member.id))
    if member.profession != request.profession:
        raise Refused(_("{id} is a {profession}; request {request} ({motif}) is for a {needed}.")
                      .format(id=member.id, profession=member.profession, request=request.id,
                              motif=request.motif, needed=request.profession))


def community(config: Config, request: Request) -> list[str]:
    """Who the community step notifies: eligible members not yet notified and who did not refuse."""
    skip = set(request.notified) | set(request.refused)
    return [m.id for m in config.members.values() if is_eligible(m, request.profession) and m.id not in skip]


def _check_appointment(config: Config, request: Request, member: Member, now: datetime,
                       appointment: datetime, site: str | None) -> str:
    site = site or member.site
    if site != CABINET and site not in config.sites:
        raise BadUsage(_("There is no site {site!r}; use \"cabinet\" (the member's own practice) or one of: {known}.")
                       .format(site=site, known=", ".join(config.sites) or "-"))
    if appointment < now:
        raise Refused(_("The appointment {at} is in the past; give a time from now on.")
                      .format(at=_when(config, appointment)))
    if appointment > now + config.appointment_horizon:
        raise Refused(_("The appointment {at} is beyond the {horizon} horizon (latest {latest}); appointments are "
                        "given for the same half-day, as the no-show rate shows.")
                      .format(at=_when(config, appointment), horizon=format_duration(config.appointment_horizon),
                              latest=_when(config, now + config.appointment_horizon)))
    if site != CABINET and not config.sites[site].is_open(appointment, config.zone):
        raise Refused(_("{label} is closed at {at} (open {hours}); choose a time within its hours or another site.")
                      .format(label=config.sites[site].label, at=_when(config, appointment),
                              hours=config.sites[site].hours_text))
    return site


# -- the commands -------------------------------------------------------------------------

def intake(state: State, config: Config, now: datetime, *, motif: str, source: str,
           treating_doctor: str, patient: str) -> Events:
    protocol = config.protocols.get(motif)
    if protocol is None:
        raise BadUsage(_("Unknown motif {motif!r}; the motifs of protocols.toml are: {known}.")
                       .format(motif=motif, known=", ".join(config.protocols)))
    if source not in SOURCES:
        raise BadUsage(_("Unknown source {source!r}; use one of: {known}.")
                       .format(source=source, known=", ".join(SOURCES)))
    if treating_doctor not in TREATING_DOCTOR_WORDS and treating_doctor not in config.members:
        raise BadUsage(_("--treating-doctor {value!r} is not a member id of roster.toml; give a member id, or none, "
                         "unknown, or external (a doctor who is not in the roster).").format(value=treating_doctor))
    return [new("intake", now, request=request_id(len(state.requests) + 1), motif=protocol.key,
                category=protocol.category, action=protocol.action, profession=protocol.profession,
                source=source, treating_doctor=treating_doctor, patient=patient)]


def notify(state: State, config: Config, now: datetime, *, request: str) -> Events:
    req = find_request(state, request)
    _check_time_order(config, req, now)
    status = req.status_at(now)
    if status in ("treating_doctor_window", "community"):
        raise Refused(_("Request {id} was already triggered at {at} ({status}); nothing to do.")
                      .format(id=req.id, at=_when(config, req.triggered_at), status=status))
    if status != "open":
        raise _not_waiting(config, req, status)
    expires = now + config.total_window
    doctor = config.members.get(req.treating_doctor)
    if doctor is not None and is_eligible(doctor, req.profession) and config.treating_doctor_window:
        return [new("notify", now, request=req.id, status="treating_doctor_window",
                    deadline=to_stamp(now + config.treating_doctor_window), expires=to_stamp(expires),
                    notified=[doctor.id])]
    return [new("notify", now, request=req.id, status="community", deadline=to_stamp(expires),
                expires=to_stamp(expires), notified=community(config, req))]


def refuse(state: State, config: Config, now: datetime, *, request: str, by: str, reason: str = "other") -> Events:
    if reason not in REASONS:
        raise BadUsage(_("Unknown reason {reason!r}; use one of: {known}.")
                       .format(reason=reason, known=", ".join(REASONS)))
    req = find_request(state, request)
    _check_time_order(config, req, now)
    member = _member(config, by)
    status = req.status_at(now)
    if status not in ("treating_doctor_window", "community"):
        raise _not_waiting(config, req, status)
    _check_taker(config, req, member)
    if member.id in req.refused:
        raise Refused(_("{by} already refused request {id}; nothing to do.").format(by=member.id, id=req.id))
    events = [new("refuse", now, request=req.id, by=member.id, reason=reason)]
    if status == "treating_doctor_window" and member.id == req.treating_doctor:
        after = replace(req, refused=req.refused + (member.id,))
        events.append(new("escalate", now, request=req.id, cause="treating_doctor_refused",
                          deadline=to_stamp(req.expires_at), notified=community(config, after)))
    return events


def accept(state: State, config: Config, now: datetime, *, request: str, by: str, appointment: datetime,
           site: str | None = None) -> Events:
    req = find_request(state, request)
    _check_time_order(config, req, now)
    status = req.status_at(now)
    if status not in ("treating_doctor_window", "community"):
        raise _not_waiting(config, req, status)
    member = _member(config, by)
    _check_taker(config, req, member)
    if member.id in req.refused:
        raise Refused(_("{by} refused request {id} earlier, so cannot accept it.").format(by=member.id, id=req.id))
    if status == "treating_doctor_window" and member.id != req.treating_doctor:
        raise Refused(_("Request {id} is reserved for its treating doctor {doctor} until {deadline}; others can accept "
                        "it after that, or as soon as {doctor} refuses.")
                      .format(id=req.id, doctor=req.treating_doctor, deadline=_when(config, req.deadline)))
    place = _check_appointment(config, req, member, now, appointment, site)
    return [new("accept", now, request=req.id, by=member.id, site=place, appointment=to_stamp(appointment))]


def book(state: State, config: Config, now: datetime, *, request: str, by: str, appointment: datetime,
         site: str | None = None) -> Events:
    req = find_request(state, request)
    _check_time_order(config, req, now)
    status = req.status_at(now)
    if status in ("treating_doctor_window", "community"):
        raise Refused(_("Request {id} is in the cascade ({status}); a direct booking is only for a request that was "
                        "not triggered. Use `snpctl accept {id}` instead.").format(id=req.id, status=status))
    if status != "open":
        raise _not_waiting(config, req, status)
    member = _member(config, by)
    _check_taker(config, req, member)
    place = _check_appointment(config, req, member, now, appointment, site)
    return [new("book", now, request=req.id, by=member.id, site=place, appointment=to_stamp(appointment))]


def outcome(state: State, config: Config, now: datetime, *, request: str, outcome: str) -> Events:
    if outcome not in OUTCOMES:
        raise BadUsage(_("Unknown outcome {outcome!r}; use seen, no-show or cancelled.").format(outcome=outcome))
    req = find_request(state, request)
    _check_time_order(config, req, now)
    status = req.status_at(now)
    if outcome == "cancelled":
        if status in CLOSED:
            raise _not_waiting(config, req, status)
    else:
        if status != "accepted":
            if status in CLOSED:
                raise _not_waiting(config, req, status)
            raise Refused(_("Request {id} has no appointment yet ({status}); seen and no-show are for an accepted or "
                            "booked request.").format(id=req.id, status=status))
        if now < req.appointment:
            raise Refused(_("The appointment of request {id} is at {at}; record seen or no-show once it has come.")
                          .format(id=req.id, at=_when(config, req.appointment)))
    return [new("outcome", now, request=req.id, outcome=outcome)]


def tick(state: State, config: Config, now: datetime) -> Events:
    """Record every window that has run out by ``now``: escalations, then expiries."""
    events: Events = []
    for rid in sorted(state.waiting, key=lambda r: state.requests[r].number):
        req = state.requests[rid]
        if now < req.last_at:
            continue   # a tick dated before this request's last event (a backfill) leaves it alone
        status = req.status_at(now)
        if status == "expired":
            events.append(new("expire", now, request=rid))
        elif status == "community" and req.status == "treating_doctor_window":
            events.append(new("escalate", now, request=rid, cause="window_ended",
                              deadline=to_stamp(req.expires_at), notified=community(config, req)))
    return events
