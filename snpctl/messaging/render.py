"""The text of a message, rendered at sending time: templates + ledger state + private store.

Owns the placeholders' values, in the language spoken (``snpctl.i18n``): dates and times as people say
them, the place of an appointment after the taker's profession, who a message is for and why one was not
delivered, in words; numbers in E.164, and who a message goes to. Knows nothing of channels' delivery
(``transports``) nor of the ledger's files: it is given the state, the configuration and the request's
private data.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from snpctl import phones, words
from snpctl.config.records import CABINET, Config, Member
from snpctl.domain.messages import fill, subject_text, template_text
from snpctl.domain.state import Message, Request, State
from snpctl.i18n import N_, _
from snpctl.messaging import failures
from snpctl.timefmt import clock_text, day_text, to_local_text

# the templates that greet the patient: a name not given is "Madame, Monsieur" there, and said so elsewhere
_GREETING = frozenset({"accepted_patient", "reminder_patient", "expired_patient"})

# where a member who receives in their own practice sees the patient, after their profession (roster.toml);
# a profession not here: "au cabinet de Dr X"
_PRACTICE = {
    "generaliste": N_("at the doctor's practice"),
    "medecin": N_("at the doctor's practice"),
    "medecin_generaliste": N_("at the doctor's practice"),
    "pediatre": N_("at the paediatrician's practice"),
    "dentiste": N_("at the dental practice"),
    "chirurgien_dentiste": N_("at the dental practice"),
    "kine": N_("at the physiotherapist's practice"),
    "kinesitherapeute": N_("at the physiotherapist's practice"),
    "masseur_kinesitherapeute": N_("at the physiotherapist's practice"),
    "infirmier": N_("at the nurses' practice"),
    "infirmiere": N_("at the nurses' practice"),
    "sage_femme": N_("at the midwife's practice"),
    "orthophoniste": N_("at the speech therapist's practice"),
    "podologue": N_("at the podiatrist's practice"),
    "pedicure_podologue": N_("at the podiatrist's practice"),
}


@dataclass
class Rendered:
    to: str | None  # E.164 number or mail address; None: outbox only
    name: str  # who it is for, for people reading the outbox
    subject: str
    text: str


def _texted(number: str | None) -> str | None:
    """The patient's E.164 number to text, or None (the message then fails as "no_number" and is reported).

    Intake checks it and keeps it in E.164 (``phones``), and so does the configuration for the
    members' and the operator's, which are texted as they are. A patient's number is read again: a
    private record written before the checks holds it as typed, and "06 12", once texted as
    +33612 by hand-written code, is no number, so nobody is texted at a wrong one.
    """
    return phones.number(number) if number else None


def render(
    config: Config,
    state: State,
    message: Message,
    private: dict[str, str],
    synthesis: str = "",
    failure: str | None = None,
) -> Rendered:
    """``message`` as its recipient reads it. ``failure``: for ``failed_operator``, the code the message it
    reports last failed with (None: not known)."""
    request = state.requests[message.request]
    today = message.queued_at.astimezone(config.zone).date()
    context = {
        **_request_context(config, request, private, today),
        **_appointment_context(config, request),
        "patient": _patient(message.template, private),
        "text": synthesis,
    }
    if message.template == "failed_operator":
        context.update(_failure_context(config, state, message, private, failure))
    to, _name = _address(config, message, private)
    subject = fill(subject_text(message.template), context)
    text = fill(template_text(config, message.template), context)
    return Rendered(to=to, name=_addressee(config, message.recipient, private), subject=subject, text=text)


def _patient(template: str, private: dict[str, str]) -> str:
    """The patient's name; when it was not given, "Madame, Monsieur" to greet them, "(nom non donné)" elsewhere."""
    name = private.get("name")
    if name:
        return name
    return _("Sir or Madam") if template in _GREETING else _("(name not given)")


def _request_context(config: Config, request: Request, private: dict[str, str], today: date) -> dict[str, str]:
    """The placeholders about the call: its id, motif and deadline, the patient's number, the line to call back."""
    protocol = config.protocols.get(request.motif)
    return {
        "request": request.id,
        "motif": protocol.label if protocol else request.motif,
        "commune": private.get("commune") or _("town not given"),
        "cot_phone": config.messaging.cot_phone or _("the CPTS line"),
        "deadline": to_local_text(request.deadline, config.zone, today=today) if request.deadline else "",
        "phone": phones.shown(private["phone"]) if private.get("phone") else _("no number given"),
    }


def _appointment_context(config: Config, request: Request) -> dict[str, str]:
    """The placeholders about the appointment: when ("lundi 15 janvier", "16h45"), with whom, where."""
    local = request.appointment.astimezone(config.zone) if request.appointment else None
    taker = config.members.get(request.by or "")
    place, address = _place(config, request, taker)
    return {
        "date": day_text(local.date(), year=False) if local else "",
        "time": clock_text(local) if local else "",
        "doctor": taker.name if taker else (request.by or ""),
        "place": place,
        "address": address or _("address given by phone"),
    }


def _place(config: Config, request: Request, taker: Member | None) -> tuple[str, str]:
    """Where the appointment is, and its address ("" if unknown): the taker's own practice, or a site."""
    if request.site == CABINET:
        if taker is None:  # a member since removed from the roster: the request's profession says the practice
            return practice(request.profession, request.by or ""), ""
        return practice(taker.profession, taker.name), taker.address or ""
    site = config.sites.get(request.site or "")
    if site is None:
        return request.site or "", ""
    return site.label, site.address or ""


def practice(profession: str, name: str) -> str:
    """Where a member of ``profession`` receives in their own practice: "au cabinet du médecin", "au cabinet
    dentaire", "au cabinet du kinésithérapeute"...; for a profession this does not know, "au cabinet de
    {name}" (elided: "au cabinet d'Anne Roy")."""
    key = unicodedata.normalize("NFKD", profession).encode("ascii", "ignore").decode("ascii").lower()
    known = _PRACTICE.get(key.replace("-", "_").replace(" ", "_"))
    if known is not None:
        return _(known)
    return fill(_("at the practice of {name}"), {"name": name}) if name else _("at the practice")


def _failure_context(
    config: Config, state: State, message: Message, private: dict[str, str], failure: str | None
) -> dict[str, str]:
    """The placeholders of ``failed_operator``, in words: which message was given up, for whom, how, and why."""
    last = state.messages.get(message.about or 0, message)
    why = "unknown" if last.gave_up_why == "unknown" else (failure or "failed")
    recipient = _addressee(config, last.recipient, private)
    if last.recipient == "patient" and private.get("name"):
        recipient = _("the patient ({name})").format(name=private["name"])
    return {
        "template": words.template(last.template),
        "recipient": recipient,
        "channel": words.channel(last.channel),
        "attempts": str(last.attempts),
        "why": failures.why(why),
    }


def _addressee(config: Config, recipient: str, private: dict[str, str]) -> str:
    """Who a message is for, named for people: the patient's or the member's name, "the operator"..."""
    if recipient == "patient":
        return private.get("name") or _("the patient")
    if recipient == "operator":
        return _("the operator")
    member = config.members.get(recipient)
    if member is not None:
        return member.name
    return _("the treating doctor") if recipient == "treating_doctor" else recipient


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
