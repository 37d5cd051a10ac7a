"""What may happen to a request at an instant, whatever the configuration says.

These predicates return a problem code, or None when the step is allowed. The decisions
(``cascade``) ask them before adding the roster's and the sites' checks and the user's message;
the audit (``audit``) asks them of every event in the ledger. So each rule is written once.
"""

from __future__ import annotations

from datetime import datetime

from snpctl.domain.state import CLOSED, WAITING, Request
from snpctl.domain.vocabulary import EventType, Outcome, Status
from snpctl.i18n import N_

# the words the rules compare with, as plain strs: the audit asks the rules of every line, and `x == Status.OPEN`
# costs ~80 ns more than `x == _OPEN` (the member is looked up on its class each time)
_OPEN, _ACCEPTED, _EXPIRED, _WINDOW, _COMMUNITY = (
    s.value for s in (Status.OPEN, Status.ACCEPTED, Status.EXPIRED, Status.TREATING_DOCTOR_WINDOW, Status.COMMUNITY)
)
_CANCELLED = Outcome.CANCELLED.value

# code -> what an auditor reads
PROBLEMS = {
    "before_last_event": N_("dated before the request's previous event"),
    "not_triggered": N_("the request was not triggered"),
    "already_triggered": N_("the request was already triggered"),
    "accepted": N_("the request was already accepted"),
    "expired": N_("the request had expired"),
    "closed": N_("the request was closed"),
    "in_cascade": N_("the request was in the cascade"),
    "reserved": N_("the treating doctor's window was reserved to another member"),
    "refused_earlier": N_("the member had refused it"),
    "already_refused": N_("the member had already refused it"),
    "no_appointment": N_("the request had no appointment"),
    "too_early": N_("the appointment time had not come"),
    "not_taker": N_("only the member who took the request writes its synthesis"),
    "nothing_to_follow": N_("the request had nothing to follow up"),
}


def status_problem(status: str) -> str | None:
    """Why a request in ``status`` is not waiting for a taker."""
    if status in WAITING:
        return None
    if status == _OPEN:
        return "not_triggered"
    if status in (_ACCEPTED, _EXPIRED):
        return status
    return "closed"


def follow_problem(request: Request) -> str | None:
    """Why ``snpctl done`` cannot record a follow-up: nothing is left to do (no patient to call back since it
    expired, no message given up or left in the outbox since the last follow-up)."""
    return None if request.call_back or request.owed else "nothing_to_follow"


def time_problem(request: Request, at: datetime) -> str | None:
    return "before_last_event" if at < request.last_at else None


def _still_open(request: Request, at: datetime, if_in_cascade: str) -> str | None:
    """Steps that start from an untriggered request: notify (the cascade) and book (around it)."""
    status = request.status_at(at)
    if status in WAITING:
        return if_in_cascade
    return None if status == _OPEN else status_problem(status)


def notify_problem(request: Request, at: datetime) -> str | None:
    return _still_open(request, at, "already_triggered")


def refuse_problem(request: Request, member: str, at: datetime) -> str | None:
    problem = status_problem(request.status_at(at))
    if problem is None and member in request.refused:
        return "already_refused"
    return problem


def accept_problem(request: Request, member: str, at: datetime) -> str | None:
    status = request.status_at(at)
    problem = status_problem(status)
    if problem is None and member in request.refused:
        return "refused_earlier"
    if problem is None and status == _WINDOW and member != request.treating_doctor:
        return "reserved"
    return problem


def book_problem(request: Request, at: datetime) -> str | None:
    return _still_open(request, at, "in_cascade")


def outcome_problem(request: Request, outcome: str, at: datetime) -> str | None:
    status = request.status_at(at)
    if status in CLOSED:
        return status_problem(status)
    if outcome == _CANCELLED:
        return None
    if status != _ACCEPTED or request.appointment is None:
        return "no_appointment"
    return "too_early" if at < request.appointment else None


def synthesis_problem(request: Request, member: str) -> str | None:
    if request.by is None:
        return "no_appointment"
    return None if request.by == member else "not_taker"


def due(request: Request, at: datetime) -> str | None:
    """What tick records for this request at ``at``: an escalate or expire event's type, or nothing."""
    if request.status not in WAITING:
        return None
    status = request.status_at(at)
    if status == _EXPIRED:
        return EventType.EXPIRE.value
    if status == _COMMUNITY and request.status == _WINDOW:
        return EventType.ESCALATE.value
    return None


# code -> what the person who typed the command reads (``cascade`` fills in the request's id, times, members)
REFUSALS = {
    "before_last_event": N_(
        "This command is dated {now}, before the last event of request {id} ({last}); time "
        "cannot go backwards within a request. Check --now / SNPCTL_NOW."
    ),
    "not_triggered": N_(
        "Request {id} has not been triggered yet; run `snpctl notify {id}` first (or `snpctl "
        "book` for a direct booking)."
    ),
    "already_triggered": N_("Request {id} was already triggered {triggered} ({status}); nothing to do."),
    "accepted": N_("Request {id} was already taken by {by} {taken}, appointment {appointment}; nothing to do."),
    "expired": N_(
        "Request {id} was not filled: nobody accepted before {expires}. Call the patient back "
        "(the 15 if it gets worse, otherwise the evening duty practice)."
    ),
    "closed": N_("Request {id} is closed ({status}); nothing can change it now."),
    "in_cascade": N_(
        "Request {id} is in the cascade ({status}); a direct booking is only for a request that was "
        "not triggered. Use `snpctl accept {id}` instead."
    ),
    "reserved": N_(
        "Request {id} is reserved for its treating doctor, {doctor}, until {deadline}; others can accept "
        "it after that, or as soon as {name} refuses."
    ),
    "refused_earlier": N_("{member} refused request {id} earlier, so cannot accept it."),
    "already_refused": N_("{member} already refused request {id}; nothing to do."),
    "no_appointment": N_(
        "Request {id} has no appointment yet ({status}); seen and no-show are for an accepted or booked request."
    ),
    "too_early": N_("The appointment of request {id} is {appointment}; record seen or no-show once it has come."),
    "not_taker": N_("Request {id} was taken by {by}; only they can send its synthesis to the treating doctor."),
    "untaken": N_(
        "Request {id} has not been taken yet ({status}); its synthesis is written by the member who sees the patient."
    ),
    "nothing_to_follow": N_(
        "Request {id} has nothing to follow up ({status}): no patient to call back, no message to pass on by "
        "hand; `snpctl todo` lists what is left to do."
    ),
}
