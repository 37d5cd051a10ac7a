"""Which messages the cascade sends, to whom, on which channel, and when to try again. Pure.

The ledger records a message as queued (who, which template, which channel), then attempted
(claimed under the lock *before* sending, so that nobody sends it twice), then sent or failed;
after the last retry, given up. Each of these is one line per batch (a command's messages),
never one line per recipient. Never the number, the address or the text: those are rendered
at sending time from the templates and the private store.
Owns the templates and their placeholders, which event queues which message on which channel
(``plan``), and what ``tick`` owes the messages (``duties``: reminders, retries, giving up). Knows
the configuration only as records (``config.records``), and nothing of rendering nor of sending
(``messaging``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from snpctl.config.records import Config
from snpctl.domain.events import new
from snpctl.domain.french import elide
from snpctl.domain.state import Message, Request, State
from snpctl.i18n import N_, _

SENDING_STALE = timedelta(minutes=10)  # an attempt with no result after this: the sender died mid-way

# template -> (kind of channel, default text). The defaults are English message ids, spoken in the workspace's
# language (the French in snpctl/locale/fr/messages.po); protocols.toml [messaging.templates] overrides them,
# as written, whatever the language (``template_text``).
TEMPLATES: dict[str, tuple[str, str]] = {
    "notify_member": (
        "sms",
        N_(
            "CPTS - unscheduled care request {request}: {motif}, {commune}. To be taken before {deadline}. "
            "To accept or refuse, call {cot_phone} and give the number {request}."
        ),
    ),
    "accepted_patient": (
        "sms",
        N_(
            "Hello {patient}, your appointment: {date} at {time} with {doctor}, {place}, {address}. "
            "If you get worse, call 15."
        ),
    ),
    "informed_treating_doctor": (
        "mail",
        N_(
            "Your patient {patient} called the CPTS unscheduled care line (request {request}, {motif}). "
            "{doctor} took them on: appointment on {date} at {time}, {place}."
        ),
    ),
    "reminder_patient": (
        "sms",
        N_(
            "Reminder: appointment {date} at {time} with {doctor}, {place}, {address}. "
            "If you cannot come, call {cot_phone}."
        ),
    ),
    "expired_patient": (
        "sms",
        N_(
            "Hello {patient}, no doctor could see you in time (request {request}). If you get worse, call 15; "
            "otherwise, tonight, the duty medical centre (call 15 to be directed there). Any question: call "
            "{cot_phone}."
        ),
    ),
    "expired_operator": (
        "sms",
        N_("Request {request} ({motif}) expired with nobody taking it. Call the patient back: {patient}, {phone}."),
    ),
    "synthesis_treating_doctor": (
        "mail",
        N_("Synthesis of the consultation of {patient} by {doctor} on {date} (request {request}, {motif}):\n\n{text}"),
    ),
    "failed_operator": (
        "sms",
        N_(
            "Message not delivered: {template} for {recipient} by {channel} (request {request}, attempt(s): "
            "{attempts}). Why: {why}. Check and do it by hand."
        ),
    ),
}
# template -> the subject of its mail (English message ids, like the templates); "CPTS {request}" for the others
SUBJECTS = {
    "informed_treating_doctor": N_("Your patient was taken on (request {request})"),
    "synthesis_treating_doctor": N_("Synthesis of a consultation (request {request})"),
    "expired_operator": N_("Request {request} expired"),
    "failed_operator": N_("Message not delivered (request {request})"),
}
COMMON = {"request", "motif", "commune", "cot_phone"}
PLACEHOLDERS: dict[str, set[str]] = {
    "notify_member": COMMON | {"deadline"},
    "accepted_patient": COMMON | {"patient", "date", "time", "doctor", "place", "address"},
    "informed_treating_doctor": COMMON | {"patient", "date", "time", "doctor", "place", "address"},
    "reminder_patient": COMMON | {"patient", "date", "time", "doctor", "place", "address"},
    "expired_patient": COMMON | {"patient"},
    "expired_operator": COMMON | {"patient", "phone"},
    "synthesis_treating_doctor": COMMON | {"patient", "date", "doctor", "text"},
    "failed_operator": COMMON | {"template", "recipient", "channel", "attempts", "why"},
}


_NAME = re.compile(r"[a-z_][a-z0-9_]*")


class TemplateProblem(ValueError):
    """Why a template text cannot be rendered: a sentence that quotes the offending text."""


def template_parts(text: str) -> list[tuple[str, bool]]:
    """A template as (literal text, False) and (placeholder name, True) parts.

    Only ``{name}`` placeholders; ``{{`` and ``}}`` are literal braces. No format specs,
    conversions, nested fields, attribute or index access: ``str.format`` would run them, and a
    nested field gets round the list of placeholders a template may use.
    """
    parts: list[tuple[str, bool]] = []
    literal: list[str] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char in "{}" and text.startswith(char * 2, i):
            literal.append(char)
            i += 2
        elif char == "}":
            raise TemplateProblem(
                _("a lone }} at {quoted}; write }}}} for a literal brace.").format(
                    quoted=repr(text[max(0, i - 10) : i + 1])
                )
            )
        elif char == "{":
            end = text.find("}", i + 1)
            field = text[i + 1 : end] if end != -1 else text[i + 1 :]
            if end == -1 or "{" in field:
                shown = text[i : end + 1] if end != -1 else text[i : i + 20]
                raise TemplateProblem(
                    _(
                        "{quoted} is not a placeholder (a brace left open, or one inside another); "
                        "write {{name}}, and {{{{ }}}} for literal braces."
                    ).format(quoted=repr(shown))
                )
            if not _NAME.fullmatch(field):
                raise TemplateProblem(
                    _(
                        "{quoted}: only plain placeholders like {{time}} are allowed, no format "
                        "spec (:), conversion (!), attribute (.) or index ([ ])."
                    ).format(quoted=repr(text[i : end + 1]))
                )
            if literal:
                parts.append(("".join(literal), False))
                literal = []
            parts.append((field, True))
            i = end + 1
        else:
            literal.append(char)
            i += 1
    if literal:
        parts.append(("".join(literal), False))
    return parts


def fill(text: str, context: dict[str, str]) -> str:
    """``text`` with each ``{name}`` replaced by ``context[name]``, nothing else interpreted; "de {name}" is
    "d'{name}" when the value starts with a vowel ("d'Inès", French elision: ``french.elide``)."""
    out: list[str] = []
    after_text = False  # the last part was the template's own text, not a value
    for value, named in template_parts(text):
        if named:
            value = context[value]
            if after_text:
                out[-1] = elide(out[-1], value)
        out.append(value)
        after_text = not named
    return "".join(out)


def template_problem(name: str, text: str) -> str | None:
    """Why a template text would fail when rendered, or None. Checked by ``check`` and every configuration load."""
    try:
        fields = [value for value, named in template_parts(text) if named]
    except TemplateProblem as problem:
        return str(problem)
    for field in fields:
        if field not in PLACEHOLDERS[name]:
            return _("unknown placeholder {{{field}}}; this template can use: {known}.").format(
                field=field, known=", ".join("{" + p + "}" for p in sorted(PLACEHOLDERS[name]))
            )
    return None


def template_text(config: Config, name: str) -> str:
    """The text of template ``name``: protocols.toml's, as written, else the default in the language spoken."""
    return config.messaging.templates.get(name) or _(TEMPLATES[name][1])


def subject_text(name: str) -> str:
    """The subject of a mail of template ``name``, in the language spoken."""
    subject = SUBJECTS.get(name)
    return _(subject) if subject is not None else "CPTS {request}"


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


def _expired(planner: _Planner, config: Config, request: Request, event: dict[str, Any]) -> None:
    planner.queue(request.id, "expired_patient", "patient", _sms(config, "yes" if request.texted else None))
    for channel in _operator(config):
        planner.queue(request.id, "expired_operator", "operator", channel)


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
