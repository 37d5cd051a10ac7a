"""How people name what the ledger holds in codes and ids: members by their name, the treating doctor,
who a message is for, why it failed, a motif by its label, a place by its address, times the way the
language being spoken writes them (``17h01``; another day ``lundi 15 janvier à 16h45``).

Owns these names for ``render`` (answers, ``list``, ``show``). Must not print nor decide anything.
"""

from __future__ import annotations

from datetime import datetime

from snpctl.config import CABINET
from snpctl.domain.cascade import at_text
from snpctl.i18n import N_, _
from snpctl.store.workspace import Workspace
from snpctl.timefmt import from_stamp, to_local_text

# what a treating doctor who is not a member id is, and who a message is for when not a member
_DOCTOR = {"none": N_("none"), "unknown": N_("not known"), "external": N_("a doctor outside the roster")}
_RECIPIENT = {
    "patient": N_("the patient"),
    "operator": N_("the operator"),
    "treating_doctor": N_("the treating doctor"),
}
# why a message failed (ledger README, `failed`), and why it was given up on (`given_up`)
_ERROR = {
    "connection": N_("no connection to the gateway"),
    "timeout": N_("the gateway did not answer in time"),
    "auth": N_("the gateway refused the login"),
    "tls": N_("the secure connection failed"),
    "recipient_refused": N_("the recipient was refused"),
    "interrupted": N_("the sending was interrupted"),
    "render": N_("its text could not be made"),
    "outbox_full": N_("the disk of the outbox is full"),
    "outbox_denied": N_("the outbox folder cannot be written"),
}
GAVE_UP = {"failed": N_("no retry left"), "unknown": N_("result unknown: it may have arrived")}


def time_text(ws: Workspace, now: datetime, instant: datetime | None) -> str:
    """``17h01`` today, ``lundi 15 janvier à 16h45`` another day."""
    return to_local_text(instant, ws.config.zone, today=now.astimezone(ws.config.zone).date())


def at(ws: Workspace, now: datetime, instant: datetime | None) -> str:
    """``à 17h45`` today, ``le lundi 15 janvier à 16h45`` another day: after "rendez-vous"."""
    return at_text(instant, ws.config.zone, now.astimezone(ws.config.zone).date())


def stamp(ws: Workspace, now: datetime, text: str | None) -> str:
    """A time of the ledger or of a view, for people."""
    return time_text(ws, now, from_stamp(text)) if text else "-"


def name(ws: Workspace, member_id: str) -> str:
    """A member by their name; one who left the roster by their id."""
    member = ws.config.members.get(member_id)
    return member.name if member else member_id


def who(ws: Workspace, member_id: str) -> str:
    """A member by their name and id, where the next command may need the id."""
    member = ws.config.members.get(member_id)
    return f"{member.name} ({member_id})" if member else member_id


def doctor(ws: Workspace, code: str) -> str:
    """The treating doctor: a member, or none / not known / a doctor outside the roster."""
    return _(_DOCTOR[code]) if code in _DOCTOR else who(ws, code)


def recipient(ws: Workspace, code: str) -> str:
    return _(_RECIPIENT[code]) if code in _RECIPIENT else name(ws, code)


def error(code: str) -> str:
    if code.startswith("exit_"):
        return _("the SMS command failed (exit code {code})").format(code=code[5:])
    return _(_ERROR[code]) if code in _ERROR else code


def motif(ws: Workspace, key: str) -> str:
    protocol = ws.config.protocols.get(key)
    return protocol.label if protocol else key


def place(ws: Workspace, member_id: str | None, site: str | None) -> str:
    if site is None:
        return "-"
    if site == CABINET:
        member = ws.config.members.get(member_id or "")
        address = member.address if member else None
        return _("at their practice") + (f", {address}" if address else "")
    known = ws.config.sites.get(site)
    if known is None:
        return site
    return known.label + (f", {known.address}" if known.address else "")


def gave_up(why: str) -> str:
    """Why a message was given up on: no retry left, or its result is unknown."""
    return _(GAVE_UP[why]) if why in GAVE_UP else why
