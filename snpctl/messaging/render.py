"""The text of a message, rendered at sending time: templates + ledger state + private store.

Owns the placeholders' values (dates in French, places, addresses, numbers in E.164) and who a
message goes to. Knows nothing of channels' delivery (``transports``) nor of the ledger's files:
it is given the state, the configuration and the request's private data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from snpctl import phones
from snpctl.config.records import CABINET, Config, Member
from snpctl.domain.messages import SUBJECTS, fill, template_text
from snpctl.domain.state import Message, Request, State

_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


@dataclass
class Rendered:
    to: str | None  # E.164 number or mail address; None: outbox only
    name: str  # who it is for, for people reading the outbox
    subject: str
    text: str


def french_date(instant: datetime, zone: ZoneInfo) -> str:
    local = instant.astimezone(zone)
    return f"{_DAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]}"


def _texted(number: str | None) -> str | None:
    """The patient's E.164 number to text, or None (the message then fails as "no_number" and is reported).

    Intake checks it and keeps it in E.164 (``phones``), and so does the configuration for the
    members' and the operator's, which are texted as they are. A patient's number is read again: a
    private record written before the checks holds it as typed, and "06 12", once texted as
    +33612 by hand-written code, is no number, so nobody is texted at a wrong one.
    """
    return phones.number(number) if number else None


def render(config: Config, state: State, message: Message, private: dict[str, str], synthesis: str = "") -> Rendered:
    request = state.requests[message.request]
    context = {**_request_context(config, request, private), **_appointment_context(config, request), "text": synthesis}
    if message.template == "failed_operator":
        context.update(_failure_context(state, message))
    to, name = _address(config, message, private)
    subject = fill(SUBJECTS.get(message.template, "CPTS {request}"), context)
    return Rendered(to=to, name=name, subject=subject, text=fill(template_text(config, message.template), context))


def _request_context(config: Config, request: Request, private: dict[str, str]) -> dict[str, str]:
    """The placeholders about the call: its id, motif and deadline, the patient, the line to call back."""
    protocol = config.protocols.get(request.motif)
    return {
        "request": request.id,
        "motif": protocol.label if protocol else request.motif,
        "commune": private.get("commune") or "commune non précisée",
        "cot_phone": config.messaging.cot_phone or "la ligne de la CPTS",
        "deadline": request.deadline.astimezone(config.zone).strftime("%H:%M") if request.deadline else "",
        "patient": private.get("name") or "Madame, Monsieur",
        "phone": phones.shown(private["phone"]) if private.get("phone") else "numéro non donné",
    }


def _appointment_context(config: Config, request: Request) -> dict[str, str]:
    """The placeholders about the appointment: when, with whom, where."""
    zone, appointment = config.zone, request.appointment
    taker = config.members.get(request.by or "")
    place, address = _place(config, request, taker)
    return {
        "date": french_date(appointment, zone) if appointment else "",
        "time": appointment.astimezone(zone).strftime("%H:%M") if appointment else "",
        "doctor": taker.name if taker else (request.by or ""),
        "place": place,
        "address": address or "adresse donnée par téléphone",
    }


def _place(config: Config, request: Request, taker: Member | None) -> tuple[str, str]:
    """Where the appointment is, and its address ("" if unknown): the taker's own practice, or a site."""
    if request.site == CABINET:
        return "au cabinet du médecin", (taker.address if taker and taker.address else "")
    site = config.sites.get(request.site or "")
    if site is None:
        return request.site or "", ""
    return site.label, site.address or ""


def _failure_context(state: State, message: Message) -> dict[str, str]:
    """The placeholders of ``failed_operator``: the message given up, and why."""
    last = state.messages.get(message.about or 0, message)
    return {
        "template": last.template,
        "recipient": last.recipient,
        "channel": last.channel,
        "attempts": str(last.attempts),
        "why": "échec de tous les essais"
        if last.gave_up_why == "failed"
        else "résultat inconnu, l'envoi a été interrompu : il a peut-être été reçu",
    }


def _address(config: Config, message: Message, private: dict[str, str]) -> tuple[str | None, str]:
    recipient = message.recipient
    if recipient == "patient":
        phone = private.get("phone")
        return _texted(phone), private.get("name") or "patient"
    if recipient == "operator":
        if message.channel == "mail":
            return config.messaging.operator_mail, "operator"
        return config.messaging.operator_sms, "operator"
    member = config.members.get(recipient)
    if member is None:
        return None, recipient
    if message.channel == "mail" or message.template in ("informed_treating_doctor", "synthesis_treating_doctor"):
        return member.mssante, member.name
    return member.sms, member.name
