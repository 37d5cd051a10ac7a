"""The contract's codes as the words a coordinator knows, in the language being spoken.

``--json`` and the ledger keep the codes (contract sections 4 and 9); everything a person reads shows
these words instead: "réservée au médecin traitant", "lapin (patient non venu)", "non pourvue".
A code this table does not know (a newer ledger read by an older tool) is shown as it is.
"""

from __future__ import annotations

from collections.abc import Mapping

from snpctl.domain.vocabulary import (
    Action,
    Cause,
    Channel,
    EventType,
    MessageStatus,
    Outcome,
    Reason,
    Source,
    Status,
)
from snpctl.i18n import N_, _

_STATUS: dict[str, str] = {
    Status.OPEN: N_("open, not notified yet"),
    Status.REDIRECTED: N_("out of protocol"),
    Status.TRANSFERRED_15: N_("sent to the 15"),
    Status.TREATING_DOCTOR_WINDOW: N_("reserved for the treating doctor"),
    Status.COMMUNITY: N_("open to the community"),
    Status.ACCEPTED: N_("taken"),
    Status.EXPIRED: N_("not filled"),
    Status.SEEN: N_("seen"),
    Status.NO_SHOW: N_("no-show (patient did not come)"),
    Status.CANCELLED: N_("cancelled"),
}
_ACTION: dict[str, str] = {
    Action.TRIGGER: N_("to trigger"),
    Action.REDIRECT: N_("out of protocol"),
    Action.TRANSFER_15: N_("transfer to the 15"),
}
_SOURCE: dict[str, str] = {
    Source.COT: N_("COT (the CPTS line)"),
    Source.WEB: N_("web form"),
    Source.SAMU: N_("SAMU (the 15)"),
    Source.HOSPITAL: N_("hospital"),
    Source.OFFICE: N_("a practice"),
}
_REASON: dict[str, str] = {
    Reason.BUSY: N_("no slot"),
    Reason.AWAY: N_("away"),
    Reason.OUT_OF_SCOPE: N_("outside their practice"),
    Reason.OTHER: N_("other reason"),
}
_OUTCOME: dict[str, str] = {
    Outcome.SEEN: N_("seen"),
    Outcome.NO_SHOW: N_("no-show (patient did not come)"),
    Outcome.CANCELLED: N_("cancelled"),
}
_CHANNEL: dict[str, str] = {
    Channel.SMS: N_("SMS"),
    Channel.MAIL: N_("mail"),
    Channel.OUTBOX: N_("outbox (to pass on by hand)"),
}
_MESSAGE_STATUS: dict[str, str] = {
    MessageStatus.QUEUED: N_("waiting to be sent"),
    MessageStatus.SENDING: N_("being sent"),
    MessageStatus.SENT: N_("sent"),
    MessageStatus.FAILED: N_("failed, will be retried"),
    MessageStatus.GAVE_UP: N_("given up"),
}
_CAUSE: dict[str, str] = {
    Cause.WINDOW_ENDED: N_("the treating doctor's window ran out"),
    Cause.TREATING_DOCTOR_REFUSED: N_("the treating doctor refused"),
}
_EVENT: dict[str, str] = {
    EventType.INTAKE: N_("call taken"),
    EventType.NOTIFY: N_("notified"),
    EventType.ESCALATE: N_("opened to the community"),
    EventType.REFUSE: N_("refused"),
    EventType.ACCEPT: N_("accepted"),
    EventType.BOOK: N_("booked"),
    EventType.EXPIRE: N_("expired"),
    EventType.OUTCOME: N_("outcome"),
    EventType.SYNTHESIS: N_("synthesis"),
    EventType.QUEUE: N_("messages queued"),
    EventType.ATTEMPT: N_("sending"),
    EventType.SENT: N_("sent"),
    EventType.FAILED: N_("sending failed"),
    EventType.GIVEN_UP: N_("given up"),
    EventType.RECOVERY: N_("recovery"),
    EventType.FOLLOWED_UP: N_("followed up"),
}

_TEMPLATE: dict[str, str] = {
    "notify_member": N_("request to a doctor"),
    "accepted_patient": N_("appointment to the patient"),
    "informed_treating_doctor": N_("news to the treating doctor"),
    "reminder_patient": N_("reminder to the patient"),
    "expired_patient": N_("no doctor found, to the patient"),
    "expired_operator": N_("call-back to make, to the operator"),
    "synthesis_treating_doctor": N_("synthesis to the treating doctor"),
    "failed_operator": N_("message not delivered, to the operator"),
    "withdrawn_member": N_("request taken, to a doctor asked"),
}


class _Words:
    """One table of codes: called with a code, the word in the language spoken (the code when unknown)."""

    def __init__(self, table: Mapping[str, str]) -> None:
        self._table = dict(table)

    def __call__(self, code: str) -> str:
        found = self._table.get(code)
        return code if found is None else _(found)


status = _Words(_STATUS)
action = _Words(_ACTION)
source = _Words(_SOURCE)
reason = _Words(_REASON)
outcome = _Words(_OUTCOME)
channel = _Words(_CHANNEL)
message_status = _Words(_MESSAGE_STATUS)
cause = _Words(_CAUSE)
event = _Words(_EVENT)
template = _Words(_TEMPLATE)  # a message's template for people: "request to a doctor", not ``notify_member``
