"""Which messages the cascade sends, to whom, on which channel, and when to try again. Pure.

The ledger records a message as queued (who, which template, which channel), then attempted
(claimed under the lock *before* sending, so that nobody sends it twice), then sent or failed;
after the last retry, given up. Each of these is one line per batch (a command's messages),
never one line per recipient. Never the number, the address or the text: those are rendered
at sending time from the templates and the private store.
Owns which event queues which message to whom on which channel (``plan``; ``asked_and_silent``,
the members told a request was withdrawn, shared with the audit), and what ``tick`` owes the
messages (``duties``: reminders, retries, giving up). The texts and their placeholders are
``templates``' (re-exported here). Knows the configuration only as records (``config.records``),
and nothing of rendering nor of sending (``messaging``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from operator import itemgetter
from typing import Any

from snpctl.config.records import Config
from snpctl.domain.events import new
from snpctl.domain.state import WAITING, Message, Request, State
from snpctl.domain.templates import PLACEHOLDERS as PLACEHOLDERS
from snpctl.domain.templates import SUBJECTS as SUBJECTS
from snpctl.domain.templates import TEMPLATES as TEMPLATES
from snpctl.domain.templates import TemplateProblem as TemplateProblem
from snpctl.domain.templates import fill as fill
from snpctl.domain.templates import subject_text as subject_text
from snpctl.domain.templates import template_parts as template_parts
from snpctl.domain.templates import template_problem as template_problem
from snpctl.domain.templates import template_text as template_text
from snpctl.i18n import _

WITHDRAWN = "withdrawn_member"
SENDING_STALE = timedelta(minutes=10)  # an attempt with no result after this: the sender died mid-way

# -- channels -------------------------------------------------------------------------------


def _sms(config: Config, number: str | None) -> str:
    return "sms" if number and config.messaging.sms_command else "outbox"


def _mail(config: Config, address: str | None) -> str:
    return "mail" if address and config.messaging.mail is not None else "outbox"


def _operator(config: Config) -> list[str]:
    channels = []
    if config.messaging.operator_sms:
        channels.append(_sms(config, config.messaging.operator_sms))
    if config.messaging.operator_mail:
        channels.append(_mail(config, config.messaging.operator_mail))
    return channels or ["outbox"]


class _Planner:
    """Numbers the messages and batches them: one ``queue`` line per request, not one per recipient."""

    def __init__(self, state: State, now: datetime) -> None:
        self.state, self.now = state, now
        self.events: list[dict[str, Any]] = []
        self.next_id = state.message_count + 1

    def queue(self, request: str, template: str, recipient: str, channel: str, about: int | None = None) -> None:
        entry = [self.next_id, template, recipient, channel]
        self.next_id += 1
        last = self.events[-1] if self.events else None
        if (
            about is None
            and last is not None
            and last["type"] == "queue"
            and last["request"] == request
            and "about" not in last
        ):
            last["messages"].append(entry)
        else:
            self.events.append(
                new(
                    "queue",
                    self.now,
                    request=request,
                    messages=[entry],
                    **({"about": about} if about is not None else {}),
                )
            )


def plan(state: State, config: Config, now: datetime, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The messages that ``events`` (about to be appended) cause."""
    planner = _Planner(state, now)
    for event in events:
        planned = _PLANS.get(event["type"])
        request = state.requests.get(event.get("request", ""))
        if planned is not None and request is not None:
            planned(planner, config, request, event)
    return planner.events


def _notified(planner: _Planner, config: Config, request: Request, event: dict[str, Any]) -> None:
    for member_id in event["notified"]:
        member = config.members.get(member_id)
        planner.queue(request.id, "notify_member", member_id, _sms(config, member.sms if member else None))


def _taken(planner: _Planner, config: Config, request: Request, event: dict[str, Any]) -> None:
    planner.queue(request.id, "accepted_patient", "patient", _sms(config, "yes" if request.texted else None))
    doctor = config.members.get(request.treating_doctor)
    if doctor is not None and doctor.mssante and doctor.id != event["by"]:
        planner.queue(request.id, "informed_treating_doctor", doctor.id, _mail(config, doctor.mssante))
    _withdrawn(planner, config, request, event)


def _expired(planner: _Planner, config: Config, request: Request, event: dict[str, Any]) -> None:
    planner.queue(request.id, "expired_patient", "patient", _sms(config, "yes" if request.texted else None))
    for channel in _operator(config):
        planner.queue(request.id, "expired_operator", "operator", channel)
    _withdrawn(planner, config, request, event)


def _cancelled(planner: _Planner, config: Config, request: Request, event: dict[str, Any]) -> None:
    if event["outcome"] == "cancelled":
        _withdrawn(planner, config, request, event)


def asked_and_silent(request: Request, taker: str | None) -> list[str]:
    """The members asked about ``request`` (in the treating doctor's window or the community) who neither
    refused nor took it (``taker``), in the order they were asked: those told when it is withdrawn."""
    answered = {*request.refused, taker}
    return [member for member in dict.fromkeys(request.notified) if member not in answered]


_LEFT_ITS_WINDOW = frozenset({"accepted", "expired", "cancelled"})
_TEMPLATE_OF = itemgetter(1)  # of a queue entry [number, template, recipient, channel]


def withdrawn_problem(request: Request, entries: list[list[Any]]) -> str | None:
    """Why the ``withdrawn_member`` entries of a queue line about ``request`` (as it stands after the events
    before the line) could not have been planned, or None (the audit's check): they go to members
    ``asked_and_silent`` about a request that has left its window, to nobody else."""
    if WITHDRAWN not in map(_TEMPLATE_OF, entries):  # C speed: nearly every queue line has none
        return None
    told = asked_and_silent(request, request.by) if request.status in _LEFT_ITS_WINDOW else []
    for _number, template, recipient, _channel in entries:
        if template == WITHDRAWN and recipient not in told:
            return _(
                "{recipient} is told that request {id} is no longer to be taken, but was not asked or answered"
            ).format(recipient=recipient, id=request.id)
    return None


def _withdrawn(planner: _Planner, config: Config, request: Request, event: dict[str, Any]) -> None:
    """A request leaves its window (taken, booked, cancelled, expired): the members asked and silent are told.

    Only while a window runs (``request`` is the state before ``event``): once accepted, they were told then."""
    if config.messaging.withdrawn and request.status in WAITING:
        for member_id in asked_and_silent(request, event.get("by")):
            member = config.members.get(member_id)
            planner.queue(request.id, WITHDRAWN, member_id, _sms(config, member.sms if member else None))


def _synthesis(planner: _Planner, config: Config, request: Request, event: dict[str, Any]) -> None:
    doctor = config.members.get(request.treating_doctor)
    recipient = doctor.id if doctor is not None else "treating_doctor"
    planner.queue(request.id, "synthesis_treating_doctor", recipient, _mail(config, doctor.mssante if doctor else None))


# event type -> the messages it causes (``plan``)
_PLANS: dict[str, Callable[[_Planner, Config, Request, dict[str, Any]], None]] = {
    "notify": _notified,
    "escalate": _notified,
    "accept": _taken,
    "book": _taken,
    "expire": _expired,
    "outcome": _cancelled,
    "synthesis": _synthesis,
}


def duties(
    state: State, config: Config, now: datetime, senders: dict[int, str] | None = None
) -> tuple[list[dict[str, Any]], list[int]]:
    """What ``tick`` owes the messages at ``now``: reminders to queue, messages to give up (and report).

    ``senders`` says where each message being sent stands (``store.senders.whereabouts``): ``alive``
    (its sender still runs: never given up, however long it takes), ``interrupted`` (its sender
    died before handing it to a gateway: it was not sent, so it failed and will be retried) or
    ``handed`` (its sender died after: it may have been sent). A message it does not name, or
    ``handed``, is given up as unknown once ``SENDING_STALE`` has passed.
    Returns the events and the ids of the messages given up by them.
    """
    senders = senders or {}
    planner = _Planner(state, now)
    _reminders(planner, state, config, now)
    undelivered = sorted(state.undelivered)
    interrupted, accounted = _sending(state, undelivered, senders)
    if interrupted:
        planner.events.append(new("failed", now, messages=interrupted))
    hopeless = [(mid, _hopeless(state.messages[mid], config, now)) for mid in undelivered if mid not in accounted]
    given_up: list[list[Any]] = [[mid, why] for mid, why in hopeless if why is not None]
    if given_up:
        planner.events.append(new("given_up", now, messages=given_up))
        _report_given_up(planner, state, config, given_up)
    return planner.events, [mid for mid, _why in given_up]


def _sending(state: State, undelivered: list[int], senders: dict[int, str]) -> tuple[list[list[Any]], set[int]]:
    """Of the messages being sent: the entries of a ``failed`` line for those whose sender was interrupted, and
    the ids of those a sender accounts for (alive or interrupted), that are not to be given up."""
    sending = [mid for mid in undelivered if state.messages[mid].status == "sending"]
    interrupted = [
        [mid, state.messages[mid].attempts, "interrupted"] for mid in sending if senders.get(mid) == "interrupted"
    ]
    return interrupted, {mid for mid in sending if senders.get(mid) in ("alive", "interrupted")}


def _reminders(planner: _Planner, state: State, config: Config, now: datetime) -> None:
    """A reminder to the patient of each accepted request whose time to be reminded has come."""
    before = config.messaging.reminder_before
    if not before:
        return
    for rid in sorted(state.accepted, key=lambda r: state.requests[r].number):
        request = state.requests[rid]
        if _reminder_due(request, before, now):
            planner.queue(rid, "reminder_patient", "patient", _sms(config, "yes" if request.texted else None))


def _report_given_up(planner: _Planner, state: State, config: Config, given_up: list[list[Any]]) -> None:
    """The operator is told of each message given up (but of those that told them of one)."""
    for mid, _why in given_up:
        message = state.messages[mid]
        if message.template != "failed_operator":
            for channel in _operator(config):
                planner.queue(message.request, "failed_operator", "operator", channel, about=mid)


def _reminder_due(request: Request, before: timedelta, now: datetime) -> bool:
    """Once, ``before`` ahead of the appointment, if it was set more than ``before`` ahead."""
    # state.accepted holds only requests whose status is accepted, which only accept and book set, with both
    assert request.appointment is not None and request.taken_at is not None, "an accepted request has its times"
    start = request.appointment - before
    return not request.reminded and request.taken_at < start <= now < request.appointment


# the steps that make a message sending or failed (attempt, and sent or failed for the outbox) set its last_at
_ATTEMPTED = "a message sending or failed was attempted"


def _hopeless(message: Message, config: Config, now: datetime) -> str | None:
    if message.status == "failed" and message.attempts > len(config.messaging.retry):
        return "failed"
    if message.status == "sending":
        assert message.last_at is not None, _ATTEMPTED
        if now - message.last_at >= SENDING_STALE:
            return "unknown"  # attempted, result unknown: say so rather than risk a second text
    return None


def claimable(message: Message, config: Config, now: datetime) -> bool:
    """May this message be (re)sent now? Queued ones at once; failed ones after their wait."""
    if message.status == "queued":
        return True
    if message.status == "failed" and message.attempts <= len(config.messaging.retry):
        assert message.last_at is not None, _ATTEMPTED
        return now >= message.last_at + config.messaging.retry[message.attempts - 1]
    return False
