"""The text of a message, rendered at sending time: templates + ledger state + private store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from snpctl.config import CABINET, Config
from snpctl.domain.messages import SUBJECTS, fill, template_text
from snpctl.domain.state import Message, State

_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre")


@dataclass
class Rendered:
    to: str | None           # E.164 number or mail address; None: outbox only
    name: str                # who it is for, for people reading the outbox
    subject: str
    text: str


def french_date(instant: datetime, zone: ZoneInfo) -> str:
    local = instant.astimezone(zone)
    return f"{_DAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]}"


def e164(number: str) -> str:
    """``06 12 34 56 78`` or ``+33 6 12 34 56 78`` -> ``+33612345678`` (French numbers by default)."""
    digits = "".join(c for c in number if c.isdigit() or c == "+")
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if digits.startswith("0"):
        digits = "+33" + digits[1:]
    return digits


def render(config: Config, state: State, message: Message, private: dict[str, str], synthesis: str = "") -> Rendered:
    request = state.requests[message.request]
    zone = config.zone
    protocol = config.protocols.get(request.motif)
    taker = config.members.get(request.by or "")
    site = config.sites.get(request.site or "")
    if request.site == CABINET:
        place, address = "au cabinet du médecin", (taker.address if taker and taker.address else "")
    else:
        place, address = (site.label if site else request.site or ""), (site.address if site and site.address else "")
    context = {
        "request": request.id,
        "motif": protocol.label if protocol else request.motif,
        "commune": private.get("commune") or "commune non précisée",
        "cot_phone": config.messaging.cot_phone or "la ligne de la CPTS",
        "deadline": request.deadline.astimezone(zone).strftime("%H:%M") if request.deadline else "",
        "patient": private.get("name") or "Madame, Monsieur",
        "phone": private.get("phone") or "numéro non donné",
        "date": french_date(request.appointment, zone) if request.appointment else "",
        "time": request.appointment.astimezone(zone).strftime("%H:%M") if request.appointment else "",
        "doctor": taker.name if taker else (request.by or ""),
        "place": place,
        "address": address or "adresse donnée par téléphone",
        "text": synthesis,
    }
    if message.template == "failed_operator":
        last = state.messages.get(message.about or 0, message)
        context.update(template=last.template, recipient=last.recipient, channel=last.channel,
                       attempts=str(last.attempts),
                       why="échec de tous les essais" if last.gave_up_why == "failed" else
                       "résultat inconnu, l'envoi a été interrompu : il a peut-être été reçu")
    if message.template == "synthesis_treating_doctor" and request.appointment:
        context["date"] = french_date(request.appointment, zone)
    to, name = _address(config, message, private)
    subject = fill(SUBJECTS.get(message.template, "CPTS {request}"), context)
    return Rendered(to=to, name=name, subject=subject, text=fill(template_text(config, message.template), context))


def _address(config: Config, message: Message, private: dict[str, str]) -> tuple[str | None, str]:
    recipient = message.recipient
    if recipient == "patient":
        phone = private.get("phone")
        return (e164(phone) if phone else None), private.get("name") or "patient"
    if recipient == "operator":
        if message.channel == "mail":
            return config.messaging.operator_mail, "operator"
        number = config.messaging.operator_sms
        return (e164(number) if number else None), "operator"
    member = config.members.get(recipient)
    if member is None:
        return None, recipient
    if message.channel == "mail" or message.template in ("informed_treating_doctor", "synthesis_treating_doctor"):
        return member.mssante, member.name
    return (e164(member.sms) if member.sms else None), member.name
