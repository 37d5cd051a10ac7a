"""Why a message was not delivered, in words a coordinator can act on, in the language spoken.

The ledger and ``--json`` keep the codes (a ``failed`` entry's error, a ``given_up`` entry's why); people
read these sentences: the operator's "message not delivered" SMS and mail, and any face that shows a failure
(``why``). A code this table does not know (written by a newer snpctl) is shown as it is.
"""

from __future__ import annotations

import re

from snpctl.i18n import N_, _

# code -> sentence. The codes are those of messaging.transports (each channel's), delivery ("render"),
# the sender ("transport") and domain.messages (a sender interrupted; "failed" and "unknown" when given up).
_WHY = {
    # given up (domain.messages.duties)
    "failed": N_("every attempt failed"),
    "unknown": N_("no answer from the gateway: the sending was cut off, the message may have been received"),
    # before any channel
    "render": N_("its text could not be written: a template or the patient's record could not be read"),
    "interrupted": N_("the sending was interrupted before the message reached the gateway"),
    "transport": N_("the sending broke off unexpectedly, or its gateway was removed from protocols.toml"),
    "no_number": N_("there is no phone number to text"),
    "no_address": N_("there is no mail address to write to"),
    # the outbox
    "outbox_full": N_("the disk is full: the outbox file could not be written"),
    "outbox_denied": N_("snpctl may not write in the outbox folder (permissions)"),
    "outbox_error": N_("the outbox file could not be written"),
    # the SMS command
    "command_unparsable": N_("the SMS command in protocols.toml cannot be read (a quote left open?)"),
    "command_not_found": N_("the SMS command was not found"),
    "command_not_executable": N_("the SMS command may not be run (permissions)"),
    "command_failed": N_("the SMS command could not be started"),
    "timeout": N_("the gateway did not answer in time"),
    # the mail server
    "bad_address": N_("the mail address in roster.toml is not valid"),
    "no_password": N_("the mail password is not in the environment (password_env in protocols.toml)"),
    "auth": N_("the mail server refused the user name or the password"),
    "recipient_refused": N_("the mail server refused the address"),
    "starttls_unsupported": N_("the mail server offers no encrypted connection (STARTTLS)"),
    "tls": N_("the encrypted connection to the mail server failed (its certificate?)"),
    "disconnected": N_("the mail server hung up"),
    "smtp": N_("the mail server refused the message"),
    "connection": N_("the mail server could not be reached"),
}
_EXIT = re.compile(r"exit_(-?\d+)")


def why(code: str) -> str:
    """``exit_1`` -> "the SMS gateway refused it (its command ended with code 1)"; ``outbox_full`` -> "the disk is
    full: ..."; an unknown code as it is."""
    sentence = _WHY.get(code)
    if sentence is not None:
        return _(sentence)
    exited = _EXIT.fullmatch(code)
    if exited is not None:
        return _("the SMS gateway refused it (its command ended with code {code})").format(code=exited.group(1))
    return code
