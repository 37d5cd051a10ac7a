"""Handing a rendered message over: the outbox (always), an SMS command, an SMTP server.

Each ``send_*`` returns None when the message was handed over, or a short error code that is
safe to write in the ledger (never the server's own words: they may echo an address).
Owns the outbox files' layout and the error codes of each channel (in words: ``failures``). Knows
nothing of templates (``render``), of batches and concurrency (``sender``), nor of the ledger.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from snpctl import words
from snpctl.config.records import Config, Mail
from snpctl.i18n import _
from snpctl.messaging.render import Rendered

if TYPE_CHECKING:
    from email.message import EmailMessage

SMS_TIMEOUT = 20.0  # seconds for the SMS command


def write_outbox(
    folder: Path,
    day: str,
    message_id: int,
    template: str,
    recipient: str,
    channel: str,
    attempt: int,
    request: str,
    rendered: Rendered,
) -> Path:
    """One file per message (rewritten on each attempt), owner-only: it holds names and numbers.

    Named ``<message>-<template>-<recipient>.txt`` (the ledger's codes: what a script may read); its head
    lines are for people, in the language spoken: "Destinataire : Dr A <+33600000001>", "Envoi : SMS"...
    """
    target = folder / day
    target.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)
    path = target / f"{message_id:06d}-{template}-{recipient}.txt"
    head = [
        _("To: {to}").format(to=_escaped(f"{rendered.name} <{rendered.to or _('outbox only')}>")),
        _("Channel: {channel}").format(channel=words.channel(channel)),
        _("Message: {template}").format(template=words.template(template)),
        _("Request: {request}").format(request=request),
        _("Attempt: {attempt}").format(attempt=attempt),
        _("Subject: {subject}").format(subject=_escaped(rendered.subject)),
    ]
    text = _escaped(rendered.text, keep="\n\t")
    body = "\n".join(head) + f"\n\n{text}\n"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        view = memoryview(body.encode("utf-8"))
        while view:  # a full disk may take part of it, then raise
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)
    return path


def outbox_error(error: OSError) -> str:
    """The code recorded for a message whose outbox file could not be written."""
    import errno

    codes: dict[int | None, str] = {  # an OSError's errno may be None
        errno.ENOSPC: "outbox_full",
        errno.EDQUOT: "outbox_full",
        errno.EACCES: "outbox_denied",
        errno.EPERM: "outbox_denied",
        errno.EROFS: "outbox_denied",
    }
    return codes.get(error.errno, "outbox_error")


def handing(config: Config, channel: str, rendered: Rendered) -> Callable[[], str | None]:
    """How to hand ``rendered`` over on ``channel``: a call that returns None (handed over) or an error code.

    A message queued on a channel that the configuration no longer has (its [sms] or [mail] removed since)
    fails as "transport", the code the sender records when a hand-over raises, as it did before this was typed.
    """
    to = rendered.to
    if not to:
        return lambda: "no_number" if channel == "sms" else "no_address"
    command, mail = config.messaging.sms_command, config.messaging.mail
    if channel == "sms":
        return lambda: send_sms(command, to, rendered.text) if command is not None else "transport"
    return lambda: send_mail(mail, to, rendered.subject, rendered.text) if mail is not None else "transport"


def _escaped(text: str, keep: str = "") -> str:
    """``text`` with its control characters written out (a line break as the two characters \\n, ESC as \\x1b),
    but those in ``keep``: a patient's name cannot forge a header line, nor a label colour a terminal."""
    return "".join(
        c if c in keep or not (ord(c) < 32 or 127 <= ord(c) < 160) else c.encode("unicode_escape").decode("ascii")
        for c in text
    )


def send_sms(command: str, number: str, text: str) -> str | None:
    """Run the configured command once, ``{to}`` replaced by the number, the text on standard input."""
    import shlex
    import subprocess

    try:
        arguments = [part.replace("{to}", number) for part in shlex.split(command)]
    except ValueError:
        return "command_unparsable"
    try:
        done = subprocess.run(
            arguments,
            input=text.encode("utf-8"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=SMS_TIMEOUT,
            check=False,
        )
    except FileNotFoundError:
        return "command_not_found"
    except PermissionError:
        return "command_not_executable"
    except subprocess.TimeoutExpired:
        return "timeout"
    except OSError:
        return "command_failed"
    return None if done.returncode == 0 else f"exit_{done.returncode}"


def send_mail(mail: Mail, address: str, subject: str, text: str) -> str | None:
    # imported here: smtplib, ssl and email cost 20 ms, and most messages go to the outbox or the SMS command
    import smtplib
    import ssl
    from email.message import EmailMessage

    message = EmailMessage()
    try:
        message["From"] = mail.sender
        message["To"] = address
        message["Subject"] = subject
    except ValueError:  # a line break in an address (the roster's mssante): never a forged header
        return "bad_address"
    message.set_content(text)
    try:
        return _session(mail, message)
    except (smtplib.SMTPException, ssl.SSLError, ssl.CertificateError, OSError) as error:
        return _mail_error(error)


def _session(mail: Mail, message: EmailMessage) -> str | None:
    """One SMTP session that hands ``message`` over: None, or "no_password"; a failure raises."""
    import smtplib
    import ssl

    with smtplib.SMTP(mail.host, mail.port, timeout=mail.timeout) as server:
        if mail.starttls:
            context = ssl.create_default_context(cafile=mail.cafile)
            server.starttls(context=context)
        if mail.user:
            password = os.environ.get(mail.password_env or "")
            if not password:
                return "no_password"
            server.login(mail.user, password)
        server.send_message(message)
    return None


def _mail_error(error: BaseException) -> str:
    """The code recorded for a mail that failed with ``error``: the first kind of ``_mail_errors`` it is."""
    for kinds, code in _mail_errors():
        if isinstance(error, kinds):
            return code(error) if callable(code) else code
    raise error


@cache
def _mail_errors() -> tuple[tuple[type | tuple[type, ...], str | Callable[[BaseException], str]], ...]:
    """(kinds of error, code), the first that matches wins: smtplib's errors are OSErrors too."""
    import smtplib
    import socket
    import ssl

    return (
        (smtplib.SMTPAuthenticationError, "auth"),
        (smtplib.SMTPRecipientsRefused, "recipient_refused"),
        (smtplib.SMTPNotSupportedError, "starttls_unsupported"),
        ((ssl.SSLError, ssl.CertificateError), "tls"),
        ((socket.timeout, TimeoutError), "timeout"),
        (smtplib.SMTPServerDisconnected, _disconnected),
        (smtplib.SMTPException, "smtp"),
        (OSError, "connection"),
    )


def _disconnected(error: BaseException) -> str:
    """smtplib turns a server that never greets into "Connection unexpectedly closed: timed out"."""
    import socket

    timed_out = isinstance(error.__context__, (socket.timeout, TimeoutError)) or str(error).endswith("timed out")
    return "timeout" if timed_out else "disconnected"
