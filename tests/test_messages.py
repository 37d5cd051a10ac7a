"""Messages (contract section 8, issue 5), against real transports.

- The ledger records each message as queue / attempt / sent / failed / given_up: who, which
  template, which channel, which attempt; never a number, an address or a text.
- SMS go through a real command (small scripts written below, run by snpctl as ``<script> {to}``),
  mail through a real SMTP server on 127.0.0.1 (aiosmtpd) that requires STARTTLS (a self-signed
  certificate made with openssl, trusted through ``cafile``) and AUTH (password from the environment).
- Failures are retried by ``tick`` after the configured waits, then given up and reported; nothing
  is ever sent twice, not by two ticks at once, not after a sender was killed mid-way.
- Templates, reminders, expiry, synthesis.

Every time is Monday 15 January 2024, Europe/Paris (UTC+1).
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import json
import os
import shlex
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from textwrap import dedent

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from conftest import PROTOCOLS, Desk, make_workspace, timeline

MONDAY = "2024-01-15"

SENDER = "cot@cpts.example"
SMTP_USER = "cot"
PASSWORD = "s3cret-du-relais"
PASSWORD_ENV = "SNPCTL_TEST_SMTP_PASSWORD"
OPERATOR_SMS, OPERATOR_E164 = "+33 1 00 00 00 00", "+33100000000"
OPERATOR_MAIL = "regulation@cpts.example"
COT_PHONE = "01 99 99 99 99"

GP_A = {"sms": "+33 6 00 00 00 01", "e164": "+33600000001", "mail": "gp-a@medecin.mssante.example"}
GP_B = {"sms": "+33 6 00 00 00 02", "e164": "+33600000002", "mail": "gp-b@medecin.mssante.example"}
GP_CAMI = {"sms": "06 00 00 00 03", "e164": "+33600000003"}  # national form: texted as E.164
GP_B_ADDRESS = "5 avenue du Cabinet, 94500 Champigny-sur-Marne"
CAMI_ADDRESS = "1 rue du Test, 94500 Champigny-sur-Marne"

PATIENT = {
    "name": "Jeanne Martin",
    "phone": "06 11 22 33 44",
    "e164": "+33611223344",
    "commune": "Champigny-sur-Marne",
    "note": "fièvre à 39,5 depuis hier",
}
PATIENT_2 = {"name": "Paul Durand", "phone": "07 81 22 33 44", "e164": "+33781223344"}

# The conftest roster, with where to text and mail the members.
ROSTER = dedent(f"""\
    [[site]]
    key = "cami"
    label = "CAMI"
    hours = ["mon-fri 15:30-19:30"]
    address = "{CAMI_ADDRESS}"

    [[member]]
    id = "gp-a"
    name = "Dr A"
    profession = "generaliste"
    status = "titulaire"
    site = "cabinet"
    address = "3 place du Marché, 94500 Champigny-sur-Marne"
    sms = "{GP_A["sms"]}"
    mssante = "{GP_A["mail"]}"

    [[member]]
    id = "gp-b"
    name = "Dr B"
    profession = "generaliste"
    status = "titulaire"
    site = "cabinet"
    address = "{GP_B_ADDRESS}"
    sms = "{GP_B["sms"]}"
    mssante = "{GP_B["mail"]}"

    [[member]]
    id = "gp-cami"
    name = "Dr C"
    profession = "generaliste"
    status = "remplacant"
    site = "cami"
    sms = "{GP_CAMI["sms"]}"

    [[member]]
    id = "gp-off"
    name = "Dr Off"
    profession = "generaliste"
    status = "titulaire"
    registered = false
    sms = "+33 6 00 00 00 04"

    [[member]]
    id = "gp-away"
    name = "Dr Away"
    profession = "generaliste"
    status = "titulaire"
    active = false
    sms = "+33 6 00 00 00 05"

    [[member]]
    id = "dent-a"
    name = "Dr Dent"
    profession = "dentiste"
    status = "titulaire"
    sms = "+33 6 00 00 00 06"
    """)

MESSAGE_EVENTS = ("queue", "attempt", "sent", "failed", "given_up")


# -- SMS: real commands ------------------------------------------------------------------------

# Shared by every SMS script; LOG, COUNTER, PIDFILE and RELEASE are defined above it.
_SMS_LIB = r'''
import os, sys, time
from pathlib import Path


def runs_before():
    """How many times this script ran before (a counter file next to it). Locked: the sender runs several
    scripts at once, and one reading the file while another rewrote it read "" and crashed (a rare flaky
    test: the message it carried failed and was not sent on time)."""
    import fcntl

    with open(str(COUNTER) + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        n = int(COUNTER.read_text()) if COUNTER.exists() else 0
        COUNTER.write_text(str(n + 1))
    return n


def deliver():
    """Hand the SMS over: one line `to<TAB>text` appended to the log."""
    text = sys.stdin.read()
    with open(LOG, "a", encoding="utf-8") as log:
        log.write(sys.argv[1] + "\t" + text.replace("\n", "\\n") + "\n")


def block():
    """Stay busy up to 30 s, like a gateway that took the SMS but never answers."""
    PIDFILE.with_suffix(".tmp").write_text(str(os.getpid()))
    PIDFILE.with_suffix(".tmp").replace(PIDFILE)
    end = time.monotonic() + 30
    while time.monotonic() < end and not RELEASE.exists():
        time.sleep(0.05)
'''

SMS_BEHAVIOURS = {
    "ok": "deliver()",
    "fails_twice": "if runs_before() < 2:\n    sys.exit(1)\ndeliver()",
    "fails": "sys.stdin.read()\nsys.exit(1)",
    "fails_once_then_slow": "if runs_before() == 0:\n    sys.exit(1)\ntime.sleep(1.5)\ndeliver()",
    "hangs_once": "first = runs_before() == 0\ndeliver()\nif first:\n    block()",
}


class Sms:
    """A folder of SMS gateway scripts; whatever they deliver lands in one log."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir()
        self.folder = folder
        self.log = folder / "sent.tsv"
        self.pidfile = folder / "blocked.pid"
        self.release = folder / "release"

    def command(self, behaviour: str) -> str:
        script = self.folder / f"sms-{behaviour}"
        script.write_text(
            f"#!{sys.executable}\n"
            f"LOG = {str(self.log)!r}\n"
            f"COUNTER = __import__('pathlib').Path({str(self.folder / (behaviour + '.count'))!r})\n"
            f"PIDFILE = __import__('pathlib').Path({str(self.pidfile)!r})\n"
            f"RELEASE = __import__('pathlib').Path({str(self.release)!r})\n"
            + _SMS_LIB
            + SMS_BEHAVIOURS[behaviour]
            + "\n",
            encoding="utf-8",
        )
        script.chmod(0o755)
        return f"{shlex.quote(str(script))} {{to}}"

    @property
    def sent(self) -> list[tuple[str, str]]:
        if not self.log.exists():
            return []
        return [tuple(line.split("\t", 1)) for line in self.log.read_text(encoding="utf-8").splitlines()]

    def to(self, number: str) -> list[str]:
        return [text for to, text in self.sent if to == number]


@pytest.fixture
def sms(tmp_path: Path):
    gateway = Sms(tmp_path / "sms")
    yield gateway
    gateway.release.touch()  # a blocked script exits at once
    if gateway.pidfile.exists():
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(gateway.pidfile.read_text()), signal.SIGKILL)


# -- mail: a real SMTP server with STARTTLS and AUTH -------------------------------------------


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "/usr/bin/openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    tls: bool
    login: bytes | None
    message: EmailMessage

    @property
    def body(self) -> str:
        return self.message.get_content().replace("\r\n", "\n")


class MailServer:
    """aiosmtpd on 127.0.0.1:port: STARTTLS required, AUTH (over TLS only) required."""

    def __init__(self, certificate: tuple[Path, Path], port: int) -> None:
        self.port = port
        self.received: list[Received] = []
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(*map(str, certificate))
        self.controller: Controller | None = None

    def start(self) -> MailServer:
        self.controller = Controller(
            self,
            hostname="127.0.0.1",
            port=self.port,
            tls_context=self.context,
            require_starttls=True,
            auth_required=True,
            auth_require_tls=True,
            authenticator=self.authenticate,
        )
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @staticmethod
    def authenticate(server, session, envelope, mechanism, data) -> AuthResult:
        good = isinstance(data, LoginPassword) and (data.login, data.password) == (
            SMTP_USER.encode(),
            PASSWORD.encode(),
        )
        return AuthResult(success=good, auth_data=data.login if good else None)

    async def handle_DATA(self, server, session, envelope) -> str:
        self.received.append(
            Received(
                mail_from=envelope.mail_from,
                rcpt_tos=list(envelope.rcpt_tos),
                tls=session.ssl is not None,
                login=session.auth_data if session.authenticated else None,
                message=email.message_from_bytes(envelope.content, policy=email.policy.default),
            )
        )
        return "250 OK"

    def to(self, address: str) -> list[Received]:
        return [mail for mail in self.received if mail.rcpt_tos == [address]]


class HangingServer:
    """Accepts connections and never says a word."""

    def __init__(self, port: int) -> None:
        self.listener = socket.create_server(("127.0.0.1", port))
        self.listener.settimeout(0.05)
        self.held: list[socket.socket] = []
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while self.running:
            try:
                self.held.append(self.listener.accept()[0])
            except (TimeoutError, OSError):
                continue

    def close(self) -> None:
        self.running = False
        self.thread.join()
        for connection in self.held:
            connection.close()
        self.listener.close()


@pytest.fixture
def mail_server(certificate, monkeypatch: pytest.MonkeyPatch):
    """A server on a free port, not started yet (nothing listens there until ``start()``)."""
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    server = MailServer(certificate, free_port())
    yield server
    server.stop()


@pytest.fixture
def smtp(mail_server: MailServer) -> MailServer:
    return mail_server.start()


# -- workspaces --------------------------------------------------------------------------------


def protocols(
    *,
    sms_command: str | None = None,
    mail_port: int | None = None,
    cafile: Path | None = None,
    timeout: int = 5,
    templates: str = "",
    reminder_before: str = "1h",
) -> str:
    text = PROTOCOLS + dedent(f"""
        [messaging]
        retry = ["1m", "5m"]
        reminder_before = "{reminder_before}"
        operator_sms = "{OPERATOR_SMS}"
        operator_mail = "{OPERATOR_MAIL}"
        cot_phone = "{COT_PHONE}"
        """)
    if sms_command is not None:
        text += f"\n[messaging.sms]\ncommand = {json.dumps(sms_command)}\n"
    if mail_port is not None:
        text += dedent(f"""
            [messaging.mail]
            host = "127.0.0.1"
            port = {mail_port}
            starttls = true
            sender = "{SENDER}"
            user = "{SMTP_USER}"
            password_env = "{PASSWORD_ENV}"
            cafile = {json.dumps(str(cafile))}
            timeout_seconds = {timeout}
            """)
    if templates:
        text += "\n[messaging.templates]\n" + dedent(templates)
    return text


def workspace(
    tmp_path: Path,
    *,
    sms: Sms | None = None,
    sms_behaviour: str = "ok",
    mail: MailServer | None = None,
    certificate: tuple[Path, Path] | None = None,
    roster: str = ROSTER,
    **options,
) -> Desk:
    return make_workspace(
        tmp_path / "cpts",
        roster=roster,
        protocols=protocols(
            sms_command=sms.command(sms_behaviour) if sms else None,
            mail_port=mail.port if mail else None,
            cafile=certificate[0] if certificate else None,
            **options,
        ),
    )


def ok(desk: Desk, *args: str, at: str) -> dict:
    """Run a command that must succeed at ``at`` (HH:MM on Monday, or an ISO time); its JSON answer."""
    run = desk(*args, "--json", now=at if "T" in at else f"{MONDAY}T{at}")
    assert run.code == 0, run.err
    return run.json


def intake(desk: Desk, at: str, treating_doctor: str = "gp-a", patient: dict = PATIENT) -> str:
    args = [
        "intake",
        "--motif",
        "fievre",
        "--source",
        "cot",
        "--treating-doctor",
        treating_doctor,
        "--patient",
        patient["name"],
        "--phone",
        patient["phone"],
    ]
    if "commune" in patient:
        args += ["--commune", patient["commune"], "--note", patient["note"]]
    return ok(desk, *args, at=at)["request"]


_ENTRY_FIELDS = {
    "queue": ("message", "template", "recipient", "channel"),
    "attempt": ("message", "attempt"),
    "sent": ("message", "attempt"),
    "failed": ("message", "attempt", "error"),
    "given_up": ("message", "why"),
}


def message_events(desk: Desk) -> list[dict]:
    """The message events, one per message (the ledger batches them per command), without seq, at and prev."""
    flat = []
    for event in desk.events():
        if event["type"] in MESSAGE_EVENTS:
            common = {k: v for k, v in event.items() if k not in ("seq", "at", "prev", "messages")}
            # each entry has its event type's fields (the schema; verify checks every line so)
            fields = _ENTRY_FIELDS[event["type"]]
            flat.extend({**common, **dict(zip(fields, entry, strict=True))} for entry in event["messages"])
    return flat


def outbox_files(desk: Desk, template: str) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted((desk.home / "outbox").glob(f"*/*{template}*"))]


def accepted_request(desk: Desk, appointment: str = "19:00", at: str = "16:10") -> str:
    """001C: Jeanne Martin, treating doctor gp-a; community from 16:01 (no exclusive window needed:
    gp-a refuses), taken by gp-b at ``at`` for ``appointment`` in gp-b's practice."""
    rid = intake(desk, "16:00")
    ok(desk, "notify", rid, at="16:01")
    ok(desk, "refuse", rid, "--by", "gp-a", "--reason", "busy", at="16:02")
    ok(desk, "accept", rid, "--by", "gp-b", "--at", appointment, at=at)
    return rid


# -- the walkthrough ---------------------------------------------------------------------------


class Watch:
    """What the gateways received since the last look."""

    def __init__(self, sms: Sms, smtp: MailServer) -> None:
        self.sms, self.smtp, self.seen_sms, self.seen_mail = sms, smtp, 0, 0

    def new(self) -> tuple[list[tuple[str, str]], list[Received]]:
        texts, mails = self.sms.sent[self.seen_sms :], self.smtp.received[self.seen_mail :]
        self.seen_sms, self.seen_mail = len(self.sms.sent), len(self.smtp.received)
        return texts, mails


SYNTHESIS = "Angine virale, test rapide négatif.\nParacétamol ; revoir si fièvre au-delà de 3 jours."


def walkthrough(desk: Desk, sms: Sms, smtp: MailServer) -> dict[str, tuple[list[tuple[str, str]], list[Received]]]:
    """001C (Jeanne Martin, MT gp-a) is escalated, taken by gp-b, reminded, seen, synthesised;
    002E (Paul Durand, no MT) is taken by nobody and expires. What each step delivered."""
    watch, steps = Watch(sms, smtp), {}
    rid = intake(desk, "16:00")
    assert rid == "001C"
    steps["intake"] = watch.new()
    assert ok(desk, "notify", rid, at="16:01")["notified"] == ["gp-a"]
    steps["notify"] = watch.new()
    assert intake(desk, "16:30", treating_doctor="none", patient=PATIENT_2) == "002E"
    ok(desk, "notify", "002E", at="16:31")
    steps["notify 002E"] = watch.new()
    assert ok(desk, "tick", at="17:02")["escalated"] == [rid]
    steps["escalation"] = watch.new()
    ok(desk, "accept", rid, "--by", "gp-b", "--at", "19:00", at="17:10")
    steps["accept"] = watch.new()
    ok(desk, "tick", at="17:59")
    steps["tick 17:59"] = watch.new()
    ok(desk, "tick", at="18:00")
    steps["reminder"] = watch.new()
    ok(desk, "tick", at="18:01")
    steps["tick 18:01"] = watch.new()
    assert ok(desk, "tick", at="18:35")["expired"] == ["002E"]
    steps["expiry"] = watch.new()
    ok(desk, "outcome", rid, "seen", at="19:30")
    steps["outcome"] = watch.new()
    ok(desk, "synthesis", rid, "--by", "gp-b", "--text", SYNTHESIS, at="19:40")
    steps["synthesis"] = watch.new()
    return steps


def test_the_walkthrough_delivers_each_sms_and_mail_at_its_step(tmp_path, sms, smtp, certificate) -> None:
    desk = workspace(tmp_path, sms=sms, mail=smtp, certificate=certificate)
    steps = walkthrough(desk, sms, smtp)
    recipients = {
        step: (sorted(to for to, _ in texts), [m.rcpt_tos for m in mails]) for step, (texts, mails) in steps.items()
    }
    assert recipients == {
        "intake": ([], []),
        "notify": ([GP_A["e164"]], []),
        "notify 002E": (sorted([GP_A["e164"], GP_B["e164"], GP_CAMI["e164"]]), []),
        "escalation": (sorted([GP_B["e164"], GP_CAMI["e164"]]), []),  # gp-a was notified already
        # and the members asked who did not answer learn it is taken (withdrawn_member)
        "accept": (sorted([PATIENT["e164"], GP_A["e164"], GP_CAMI["e164"]]), [[GP_A["mail"]]]),
        "tick 17:59": ([], []),
        "reminder": ([PATIENT["e164"]], []),
        "tick 18:01": ([], []),
        "expiry": (
            sorted([PATIENT_2["e164"], OPERATOR_E164, GP_A["e164"], GP_B["e164"], GP_CAMI["e164"]]),
            [[OPERATOR_MAIL]],
        ),
        "outcome": ([], []),
        "synthesis": ([], [[GP_A["mail"]]]),
    }
    for mail in smtp.received:
        assert (mail.tls, mail.login, mail.mail_from, mail.message["From"]) == (True, b"cot", SENDER, SENDER)
        assert mail.message["To"] == mail.rcpt_tos[0]

    # The doctors' SMS: request id, motive, commune, how to answer; no patient identity.
    ((_, notify_text),) = steps["notify"][0]
    for expected in ("001C", "Fièvre", PATIENT["commune"], COT_PHONE, "17:01"):
        assert expected in notify_text
    doctors_texts = [text for step in ("notify", "notify 002E", "escalation") for _, text in steps[step][0]]
    for text in doctors_texts:
        for identity in ("Jeanne", "Martin", "Paul", "Durand", "11 22 33 44", "611223344", "781223344", "39,5"):
            assert identity not in text, text

    # The patient's SMS: time, place and address.
    (accepted_text,) = [text for to, text in steps["accept"][0] if to == PATIENT["e164"]]
    for expected in ("Monday 15 January", "19:00", "Dr B", GP_B_ADDRESS):
        assert expected in accepted_text
    ((_, reminder_text),) = steps["reminder"][0]
    for expected in ("19:00", "Dr B", GP_B_ADDRESS):
        assert expected in reminder_text

    # The mail to the treating doctor is nominative.
    (informed,) = steps["accept"][1]
    assert "001C" in informed.message["Subject"]
    for expected in (PATIENT["name"], "Dr B", "19:00"):
        assert expected in informed.body

    # Expiry: the patient is told what to do now, the operator who to call back.
    (expired_text,) = sms.to(PATIENT_2["e164"])
    assert "002E" in expired_text and "15" in expired_text
    (operator_text,) = sms.to(OPERATOR_E164)
    assert "002E" in operator_text and PATIENT_2["name"] in operator_text
    (operator_mail,) = steps["expiry"][1]
    assert "002E" in operator_mail.message["Subject"] and PATIENT_2["name"] in operator_mail.body

    # The synthesis: nominative, with the text.
    (synthesis,) = steps["synthesis"][1]
    assert "001C" in synthesis.message["Subject"]
    assert PATIENT["name"] in synthesis.body and "Dr B" in synthesis.body
    assert SYNTHESIS in synthesis.body


def test_the_walkthrough_leaves_no_contact_or_text_in_the_ledger_and_verify_passes(
    tmp_path, sms, smtp, certificate
) -> None:
    desk = workspace(tmp_path, sms=sms, mail=smtp, certificate=certificate)
    walkthrough(desk, sms, smtp)
    ledger = desk.ledger_bytes()
    secrets = [
        PATIENT["name"],
        "Jeanne",
        "Durand",
        PATIENT["commune"],
        PATIENT["note"],
        SYNTHESIS[:20],
        "Paracétamol",
        OPERATOR_SMS,
        OPERATOR_E164,
        OPERATOR_MAIL,
        COT_PHONE,
    ]
    for person in (PATIENT, PATIENT_2, GP_A, GP_B, GP_CAMI):
        secrets += [value for key, value in person.items() if key in ("phone", "sms", "e164", "mail")]
        secrets += [person.get("phone", person.get("sms", "")).replace(" ", "")]
    secrets += [text[:30] for _, text in sms.sent] + [mail.body.strip()[:30] for mail in smtp.received]
    for secret in secrets:
        assert secret.encode() not in ledger, secret
    assert b"@" not in ledger
    assert len(sms.sent) == 15 and len(smtp.received) == 3  # the check above looked at real texts

    verified = desk("verify", "--json")
    assert verified.code == 0, verified.err
    assert verified.json["ok"] is True


# -- the ledger's message events -----------------------------------------------------------------


def test_a_message_is_recorded_as_queued_attempted_and_sent_without_number_address_or_text(tmp_path, sms) -> None:
    desk = workspace(tmp_path, sms=sms)
    rid = intake(desk, "16:00")
    ok(desk, "notify", rid, at="16:01")
    assert message_events(desk) == [
        {
            "type": "queue",
            "message": 1,
            "request": rid,
            "template": "notify_member",
            "recipient": "gp-a",
            "channel": "sms",
        },
        {"type": "attempt", "message": 1, "attempt": 1},
        {"type": "sent", "message": 1, "attempt": 1},
    ]
    attempt, sent = [e for e in desk.events() if e["type"] in ("attempt", "sent")]
    assert attempt["seq"] < sent["seq"]
    assert sms.to(GP_A["e164"]) and len(sms.sent) == 1


def test_the_messages_of_one_command_are_one_line_each_step_not_one_per_recipient(tmp_path, sms) -> None:
    desk = workspace(tmp_path, sms=sms)
    rid = intake(desk, "16:00", treating_doctor="none")
    ok(desk, "notify", rid, at="16:01")
    lines = [
        {k: v for k, v in e.items() if k not in ("seq", "at", "prev")}
        for e in desk.events()
        if e["type"] in MESSAGE_EVENTS
    ]
    assert lines == [
        {
            "type": "queue",
            "request": rid,
            "messages": [
                [1, "notify_member", "gp-a", "sms"],
                [2, "notify_member", "gp-b", "sms"],
                [3, "notify_member", "gp-cami", "sms"],
            ],
        },
        {"type": "attempt", "messages": [[1, 1], [2, 1], [3, 1]]},
    ] + [line for line in lines if line["type"] == "sent"]
    # results are recorded as they come in: one line for all that came in since the last line
    assert sorted(entry for line in lines if line["type"] == "sent" for entry in line["messages"]) == [
        [1, 1],
        [2, 1],
        [3, 1],
    ]


def test_every_message_is_also_written_to_the_outbox(tmp_path, sms) -> None:
    desk = workspace(tmp_path, sms=sms)
    rid = intake(desk, "16:00")
    ok(desk, "notify", rid, at="16:01")
    (file,) = outbox_files(desk, "notify_member")
    ((_, text),) = sms.sent
    assert text in file and GP_A["e164"] in file
    assert os.stat(desk.home / "outbox").st_mode & 0o077 == 0


def test_without_an_sms_command_sms_go_to_the_outbox_only_and_are_recorded_as_such(tmp_path) -> None:
    desk = workspace(tmp_path)
    rid = intake(desk, "16:00", treating_doctor="none")
    ok(desk, "notify", rid, at="16:01")
    queued = [e for e in message_events(desk) if e["type"] == "queue"]
    assert [(e["recipient"], e["channel"]) for e in queued] == [
        ("gp-a", "outbox"),
        ("gp-b", "outbox"),
        ("gp-cami", "outbox"),
    ]
    assert len(outbox_files(desk, "notify_member")) == 3


def test_a_member_without_sms_gets_the_outbox_recorded_as_such(tmp_path, sms) -> None:
    roster = ROSTER.replace(f'sms = "{GP_CAMI["sms"]}"\n', "")
    desk = workspace(tmp_path, sms=sms, roster=roster)
    rid = intake(desk, "16:00", treating_doctor="none")
    ok(desk, "notify", rid, at="16:01")
    queued = {e["recipient"]: e["channel"] for e in message_events(desk) if e["type"] == "queue"}
    assert queued == {"gp-a": "sms", "gp-b": "sms", "gp-cami": "outbox"}
    assert sorted(to for to, _ in sms.sent) == [GP_A["e164"], GP_B["e164"]]
    assert len(outbox_files(desk, "notify_member-gp-cami")) == 1
    assert {"type": "sent", "message": 3, "attempt": 1} in message_events(desk)


# -- transports --------------------------------------------------------------------------------


def test_a_message_queued_on_a_channel_since_removed_from_the_configuration_fails_as_transport() -> None:
    """[sms] or [mail] removed after the message was queued: recorded "transport" (retried, then given up),
    as when a hand-over raises; never the SMS command read from standard input, nor a crash."""
    from types import SimpleNamespace

    from snpctl.messaging.render import Rendered
    from snpctl.messaging.transports import handing

    config = SimpleNamespace(messaging=SimpleNamespace(sms_command=None, mail=None))
    rendered = Rendered(to="+33600000001", name="Léa B.", subject="Rendez-vous", text="Bonjour")
    assert handing(config, "sms", rendered)() == "transport"
    assert handing(config, "mail", rendered)() == "transport"


def test_the_sms_command_gets_the_number_as_one_argument_and_the_text_on_stdin_never_through_a_shell(tmp_path) -> None:
    folder = tmp_path / "sms gateway"  # a space in the path: the command must be split like a shell
    folder.mkdir()
    calls = folder / "calls.jsonl"
    script = folder / "send sms"
    script.write_text(
        f"#!{sys.executable}\nimport json, sys\n"
        f"with open({str(calls)!r}, 'a') as log:\n"
        f"    log.write(json.dumps([sys.argv[1:], sys.stdin.read()]) + '\\n')\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    command = f"{shlex.quote(str(script))} --label '$HOME;touch pwned' {{to}}"
    desk = make_workspace(tmp_path / "cpts", roster=ROSTER, protocols=protocols(sms_command=command))
    rid = intake(desk, "16:00")
    ok(desk, "notify", rid, at="16:01")
    ((arguments, text),) = [json.loads(line) for line in calls.read_text().splitlines()]
    assert arguments == ["--label", "$HOME;touch pwned", GP_A["e164"]]
    assert rid in text and COT_PHONE in text
    assert not list(tmp_path.rglob("pwned")) and not (Path.cwd() / "pwned").exists()


def test_mail_goes_through_starttls_and_auth_with_the_password_from_the_environment(
    tmp_path, sms, smtp, certificate
) -> None:
    desk = workspace(tmp_path, sms=sms, mail=smtp, certificate=certificate)
    rid = accepted_request(desk)
    (mail,) = smtp.received
    assert (mail.tls, mail.login, mail.mail_from, mail.rcpt_tos) == (True, b"cot", SENDER, [GP_A["mail"]])
    assert (mail.message["From"], mail.message["To"]) == (SENDER, GP_A["mail"])
    assert mail.message["Subject"] == f"Your patient was taken on (request {rid})"
    assert PATIENT["name"] in mail.body and "Dr B" in mail.body
    assert PASSWORD.encode() not in (desk.home / "protocols.toml").read_bytes()


def test_without_the_password_in_the_environment_the_mail_fails_then_goes_once_it_is_there(
    tmp_path, sms, smtp, certificate, monkeypatch
) -> None:
    monkeypatch.delenv(PASSWORD_ENV)
    desk = workspace(tmp_path, sms=sms, mail=smtp, certificate=certificate)
    accepted_request(desk)
    assert smtp.received == []
    failed = [e for e in message_events(desk) if e["type"] == "failed"]
    assert failed == [{"type": "failed", "message": 5, "attempt": 1, "error": "no_password"}]
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    ok(desk, "tick", at="16:11")
    assert [m.rcpt_tos for m in smtp.received] == [[GP_A["mail"]]]


def test_a_dead_mail_server_delays_nothing_and_the_mail_goes_once_when_it_is_back(
    tmp_path, sms, mail_server, certificate
) -> None:
    desk = workspace(tmp_path, sms=sms, mail=mail_server, certificate=certificate)  # nothing listens yet
    started = time.monotonic()
    rid = accepted_request(desk, at="16:10")
    assert time.monotonic() - started < 5
    assert sms.to(PATIENT["e164"])  # the rest of the command went on
    (failed,) = [e for e in message_events(desk) if e["type"] == "failed"]
    assert failed == {"type": "failed", "message": 5, "attempt": 1, "error": "connection"}

    mail_server.start()
    assert ok(desk, "tick", at="16:10:45")["failed_messages"] == []  # the 1m wait is not over
    assert mail_server.received == []
    ok(desk, "tick", at="16:11")
    ok(desk, "tick", at="16:20")
    ok(desk, "tick", at="17:00")
    assert [m.rcpt_tos for m in mail_server.received] == [[GP_A["mail"]]]
    assert rid in mail_server.received[0].message["Subject"]
    assert message_events(desk)[-2:] == [
        {"type": "attempt", "message": 5, "attempt": 2},
        {"type": "sent", "message": 5, "attempt": 2},
    ]


def test_a_mail_server_that_hangs_delays_nothing_and_the_mail_goes_once_when_it_answers(
    tmp_path, sms, mail_server, certificate
) -> None:
    hanging = HangingServer(mail_server.port)
    try:
        desk = workspace(tmp_path, sms=sms, mail=mail_server, certificate=certificate, timeout=1)
        started = time.monotonic()
        accepted_request(desk, at="16:10")
        assert time.monotonic() - started < 5
        assert hanging.held, "snpctl never connected to the hanging server"
    finally:
        hanging.close()
    mail_server.start()
    ok(desk, "tick", at="16:11")
    ok(desk, "tick", at="16:30")
    assert [m.rcpt_tos for m in mail_server.received] == [[GP_A["mail"]]]
    assert [(e["type"], e["attempt"]) for e in message_events(desk) if e.get("message") == 5 and "attempt" in e] == [
        ("attempt", 1),
        ("failed", 1),
        ("attempt", 2),
        ("sent", 2),
    ]
    (failed,) = [e for e in message_events(desk) if e["type"] == "failed"]
    assert failed == {"type": "failed", "message": 5, "attempt": 1, "error": "timeout"}


# -- retries -----------------------------------------------------------------------------------


def test_a_failed_sms_is_retried_by_tick_after_each_wait_and_sent_once(tmp_path, sms) -> None:
    desk = workspace(tmp_path, sms=sms, sms_behaviour="fails_twice")
    rid = intake(desk, "16:00")
    ok(desk, "notify", rid, at="16:01")  # attempt 1 fails
    for at in ("16:01:59", "16:02", "16:06:59", "16:07", "16:08", "16:30"):
        assert ok(desk, "tick", at=at)["failed_messages"] == []
    assert [(e["type"], e.get("attempt"), e.get("error")) for e in message_events(desk)[1:]] == [
        ("attempt", 1, None),
        ("failed", 1, "exit_1"),
        ("attempt", 2, None),
        ("failed", 2, "exit_1"),  # at 16:02, the first wait (1m) over
        ("attempt", 3, None),
        ("sent", 3, None),  # at 16:07, the second wait (5m) over
    ]
    at_of = {
        (e["type"], entry[1]): e["at"]
        for e in desk.events()
        if e["type"] in ("attempt", "sent")
        for entry in e["messages"]
    }
    assert (at_of["attempt", 2], at_of["attempt", 3]) == (f"{MONDAY}T15:02:00Z", f"{MONDAY}T15:07:00Z")
    assert sms.to(GP_A["e164"]) and len(sms.sent) == 1


def test_an_sms_that_fails_after_the_last_retry_is_given_up_reported_and_the_operator_told(
    tmp_path, sms, smtp, certificate
) -> None:
    desk = workspace(tmp_path, sms=sms, sms_behaviour="fails", mail=smtp, certificate=certificate)
    rid = intake(desk, "16:00")
    ok(desk, "notify", rid, at="16:01")
    assert ok(desk, "tick", at="16:02")["failed_messages"] == []  # attempt 2
    assert ok(desk, "tick", at="16:07")["failed_messages"] == []  # attempt 3, the last
    reported = ok(desk, "tick", at="16:08")["failed_messages"]
    expected = {
        "message": 1,
        "request": rid,
        "template": "notify_member",
        "recipient": "gp-a",
        "channel": "sms",
        "status": "gave_up",
        "attempts": 3,
        "last": f"{MONDAY}T16:07:00+01:00",
        "why": "failed",
    }
    assert reported == [expected]
    assert {"type": "given_up", "message": 1, "why": "failed"} in message_events(desk)
    assert [e for e in message_events(desk) if e["type"] == "attempt" and e["message"] == 1] == [
        {"type": "attempt", "message": 1, "attempt": n} for n in (1, 2, 3)
    ]
    assert ok(desk, "list", at="16:09")["failed_messages"] == [expected]
    assert ok(desk, "tick", at="16:30")["failed_messages"] == []  # reported once by tick

    (alert,) = smtp.to(OPERATOR_MAIL)
    assert rid in alert.message["Subject"]
    assert "request to a doctor for Dr A by SMS" in alert.body and "notify_member" not in alert.body
    assert any(rid in text for text in outbox_files(desk, "failed_operator"))
    assert sms.sent == []


def test_show_lists_each_step_of_the_requests_messages_and_only_its_own(tmp_path, sms) -> None:
    desk = workspace(tmp_path, sms=sms, sms_behaviour="fails")
    rid = intake(desk, "16:00")
    other = intake(desk, "16:00:30")
    ok(desk, "notify", rid, at="16:01")
    ok(desk, "notify", other, at="16:01:30")
    for at in ("16:02", "16:07", "16:08"):  # attempts 2 and 3, then given up
        ok(desk, "tick", at=at)
    events = ok(desk, "show", rid, "--json", at="16:09")["events"]
    assert events == timeline(desk.events(), rid)
    assert {"attempt", "failed", "given_up"} <= {event["type"] for event in events}

    def queued(found: list[dict]) -> set[int]:
        return {entry[0] for event in found if event["type"] == "queue" for entry in event["messages"]}

    assert not queued(events) & queued(timeline(desk.events(), other))


# -- templates ---------------------------------------------------------------------------------


def test_the_default_templates_speak_the_language_of_the_workspace(tmp_path, sms) -> None:
    """English here, as the whole suite speaks; the French texts are tests/test_messages_fr.py's."""
    desk = workspace(tmp_path, sms=sms)
    accepted_request(desk)
    ((_, notify_text),) = [s for s in sms.sent if s[0] == GP_A["e164"]]
    assert "To accept or refuse, call " + COT_PHONE in notify_text
    (patient_text,) = sms.to(PATIENT["e164"])
    assert patient_text.startswith(f"Hello {PATIENT['name']}, your appointment: Monday 15 January at 19:00")
    assert "call 15" in patient_text


def test_templates_are_overridden_in_protocols_toml(tmp_path, sms) -> None:
    desk = workspace(
        tmp_path,
        sms=sms,
        templates="""\
        notify_member = "SNP {request} ({motif}, {commune}) : rappelez le {cot_phone}"
        accepted_patient = "RDV {date} {time}, {place}, {address}"
        """,
    )
    assert desk("check").code == 0
    accepted_request(desk)
    assert sms.to(GP_A["e164"]) == [f"SNP 001C (Fièvre, Champigny-sur-Marne) : rappelez le {COT_PHONE}"]
    assert sms.to(PATIENT["e164"]) == [f"RDV Monday 15 January 19:00, at the doctor's practice, {GP_B_ADDRESS}"]


@pytest.mark.parametrize(
    "name, text",
    [
        ("accepted_patient", "RDV à {heure}"),  # no such placeholder
        ("notify_member", "{patient} a de la fièvre, {request}"),  # no patient identity in the doctors' SMS
        ("reminder_patient", "Rappel {time"),  # unbalanced brace
    ],
)
def test_a_bad_template_fails_check_naming_the_file_and_the_key(tmp_path, name, text) -> None:
    desk = workspace(tmp_path, templates=f"{name} = {json.dumps(text)}\n")
    run = desk("check")
    assert run.code == 2 and run.out == ""
    assert run.err.startswith("snpctl: protocols.toml:41:") and f": {name}: " in run.err  # the template's line, key
    assert len(run.err.strip().splitlines()) == 3 and "Traceback" not in run.err  # its line quoted, a caret


# -- reminders ---------------------------------------------------------------------------------


def test_tick_texts_the_patient_the_reminder_once_an_hour_before(tmp_path, sms) -> None:
    desk = workspace(tmp_path, sms=sms)
    accepted_request(desk, appointment="18:30", at="16:10")
    assert len(sms.to(PATIENT["e164"])) == 1  # the acceptance
    ok(desk, "tick", at="17:29")
    assert len(sms.to(PATIENT["e164"])) == 1
    for at in ("17:30", "17:31", "18:00", "18:29"):
        ok(desk, "tick", at=at)
    reminders = sms.to(PATIENT["e164"])[1:]
    assert len(reminders) == 1 and "18:30" in reminders[0] and GP_B_ADDRESS in reminders[0]
    queued = [e for e in message_events(desk) if e["type"] == "queue" and e["template"] == "reminder_patient"]
    assert queued == [
        {
            "type": "queue",
            "message": 7,  # after gp-cami's withdrawn_member at the acceptance
            "request": "001C",
            "template": "reminder_patient",
            "recipient": "patient",
            "channel": "sms",
        }
    ]


def test_no_reminder_when_the_appointment_was_set_less_than_an_hour_ahead(tmp_path, sms) -> None:
    desk = workspace(tmp_path, sms=sms)
    accepted_request(desk, appointment="17:00", at="16:10")
    for at in ("16:11", "16:30", "16:59"):
        ok(desk, "tick", at=at)
    assert len(sms.to(PATIENT["e164"])) == 1
    assert "reminder_patient" not in [e.get("template") for e in message_events(desk)]


# -- expiry ------------------------------------------------------------------------------------


def test_expiry_tells_the_patient_by_sms_and_the_operator_by_sms_and_mail(tmp_path, sms, smtp, certificate) -> None:
    desk = workspace(tmp_path, sms=sms, mail=smtp, certificate=certificate)
    rid = intake(desk, "16:00", treating_doctor="none", patient=PATIENT_2)
    ok(desk, "notify", rid, at="16:01")
    before = len(sms.sent)
    assert ok(desk, "tick", at="18:01")["expired"] == [rid]
    asked = [GP_A["e164"], GP_B["e164"], GP_CAMI["e164"]]  # told it is no longer to be taken (withdrawn_member)
    assert sorted(to for to, _ in sms.sent[before:]) == sorted([PATIENT_2["e164"], OPERATOR_E164, *asked])
    assert [m.rcpt_tos for m in smtp.received] == [[OPERATOR_MAIL]]
    queued = [
        (e["template"], e["recipient"], e["channel"])
        for e in message_events(desk)
        if e["type"] == "queue" and e["template"].startswith("expired")
    ]
    assert queued == [
        ("expired_patient", "patient", "sms"),
        ("expired_operator", "operator", "sms"),
        ("expired_operator", "operator", "mail"),
    ]
    ok(desk, "tick", at="18:10")
    assert len(sms.sent) == before + 5 and len(smtp.received) == 1


# -- synthesis ---------------------------------------------------------------------------------


def test_only_the_member_who_took_the_request_writes_its_synthesis(tmp_path, sms, smtp, certificate) -> None:
    desk = workspace(tmp_path, sms=sms, mail=smtp, certificate=certificate)
    rid = intake(desk, "16:00")
    ok(desk, "notify", rid, at="16:01")
    early = desk("synthesis", rid, "--by", "gp-a", "--text", "trop tôt", now=f"{MONDAY}T16:05")
    assert early.code == 1
    ok(desk, "refuse", rid, "--by", "gp-a", at="16:06")
    ok(desk, "accept", rid, "--by", "gp-b", "--at", "17:00", at="16:10")
    before = desk.ledger_bytes()
    for other in ("gp-a", "gp-cami"):
        run = desk("synthesis", rid, "--by", other, "--text", "pas moi", now=f"{MONDAY}T17:30")
        assert run.code == 1 and "taken by Dr B (gp-b)" in run.err
    assert desk.ledger_bytes() == before
    assert not list((desk.home / "private" / "requests").glob(f"{rid}.synthesis*"))
    assert [m.message["Subject"] for m in smtp.received] == [f"Your patient was taken on (request {rid})"]


def test_the_synthesis_goes_to_the_private_store_and_by_secure_mail_to_the_treating_doctor(
    tmp_path, sms, smtp, certificate
) -> None:
    desk = workspace(tmp_path, sms=sms, mail=smtp, certificate=certificate)
    rid = accepted_request(desk, appointment="17:00")
    text_file = tmp_path / "synthese.txt"
    text_file.write_text(SYNTHESIS, encoding="utf-8")
    assert ok(desk, "synthesis", rid, "--by", "gp-b", "--file", str(text_file), at="17:30")["synthesis"] is True
    stored = desk.home / "private" / "requests" / f"{rid}.synthesis.7.txt"  # named after its message, 7
    assert stored.read_text(encoding="utf-8") == SYNTHESIS
    assert os.stat(stored).st_mode & 0o777 == 0o600
    (mail,) = smtp.to(GP_A["mail"])[1:]
    assert mail.message["Subject"] == f"Synthesis of a consultation (request {rid})"
    assert PATIENT["name"] in mail.body and "Dr B" in mail.body and SYNTHESIS in mail.body
    synthesis = [e for e in desk.events() if e["type"] == "synthesis"]
    assert [{k: e[k] for k in e if k not in ("seq", "at", "prev")} for e in synthesis] == [
        {"type": "synthesis", "request": rid, "by": "gp-b"}
    ]
    assert b"Paracetamol" not in desk.ledger_bytes() and "Paracétamol".encode() not in desk.ledger_bytes()


def test_synthesis_needs_exactly_one_of_text_and_file(tmp_path, sms) -> None:
    desk = workspace(tmp_path, sms=sms)
    rid = accepted_request(desk, appointment="17:00")
    before = desk.ledger_bytes()
    assert desk("synthesis", rid, "--by", "gp-b", now=f"{MONDAY}T17:30").code == 2
    assert desk("synthesis", rid, "--by", "gp-b", "--text", "a", "--file", "b", now=f"{MONDAY}T17:30").code == 2
    assert desk.ledger_bytes() == before


# -- never twice: concurrent ticks, a killed sender ----------------------------------------------

# Each child imports snpctl, says it is ready, then waits for the start file, so that all run together.
_RACER = """
import os, sys, time
from pathlib import Path
from snpctl.cli import main
Path(sys.argv[1]).touch()
while not os.path.exists(sys.argv[2]):
    time.sleep(0.001)
main(sys.argv[3:])
"""


def run_together(home: Path, commands: list[list[str]]) -> list[subprocess.CompletedProcess]:
    start = home.parent / "start"
    ready = [home.parent / f"ready-{i}" for i in range(len(commands))]
    env = {**os.environ, "SNPCTL_HOME": str(home)}
    children = [
        subprocess.Popen(
            [sys.executable, "-c", _RACER, str(flag), str(start), *command],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for flag, command in zip(ready, commands, strict=True)  # one flag per command
    ]
    deadline = time.monotonic() + 15
    while not all(flag.exists() for flag in ready) and time.monotonic() < deadline:
        time.sleep(0.01)
    start.touch()
    results = []
    for child in children:
        out, err = child.communicate(timeout=30)
        results.append(subprocess.CompletedProcess(child.args, child.returncode, out, err))
    return results


@pytest.mark.slow
def test_two_ticks_at_once_send_a_retry_that_is_due_exactly_once(tmp_path, sms) -> None:
    desk = workspace(tmp_path, sms=sms, sms_behaviour="fails_once_then_slow")
    rid = intake(desk, "16:00")
    ok(desk, "notify", rid, at="16:01")
    assert [e["type"] for e in message_events(desk)] == ["queue", "attempt", "failed"]
    results = run_together(desk.home, [["tick", "--json", "--now", f"{MONDAY}T16:02:30"]] * 2)
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    assert sms.to(GP_A["e164"]) and len(sms.sent) == 1
    assert [e["type"] for e in message_events(desk)] == ["queue", "attempt", "failed", "attempt", "sent"]
    assert desk("verify").code == 0


@pytest.mark.slow
def test_sending_does_not_hold_the_ledger_lock(tmp_path, sms) -> None:
    desk = workspace(tmp_path, sms=sms, sms_behaviour="hangs_once")
    rid = intake(desk, "16:00")
    child = subprocess.Popen(
        [sys.executable, "-m", "snpctl", "notify", rid, "--now", f"{MONDAY}T16:01"],
        env={**os.environ, "SNPCTL_HOME": str(desk.home)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(sms.pidfile)  # the child is inside its SMS command
        started = time.monotonic()
        second = intake(desk, "16:02", treating_doctor="none", patient=PATIENT_2)
        assert time.monotonic() - started < 3 and second == "002E"
        sms.release.touch()
        _out, err = child.communicate(timeout=30)
        assert child.returncode == 0, err
    finally:
        child.kill()
        child.wait()
    assert [e["type"] for e in message_events(desk)] == ["queue", "attempt", "sent"]


def sender_pid(desk: Desk) -> int:
    """The process sending a batch now (there must be one), from its entry in .snpctl/senders."""
    (entry,) = (desk.home / ".snpctl" / "senders").iterdir()
    return [int(line.split()[1]) for line in entry.read_text().splitlines() if line.startswith("sender ")][-1]


def wait_for(path: Path, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.02)


@pytest.mark.slow
def test_a_sender_killed_mid_sms_is_never_resent_and_is_given_up_as_unknown(tmp_path, sms) -> None:
    desk = workspace(tmp_path, sms=sms, sms_behaviour="hangs_once")
    rid = intake(desk, "16:00")
    child = subprocess.Popen(
        [sys.executable, "-m", "snpctl", "notify", rid, "--now", f"{MONDAY}T16:01"],
        env={**os.environ, "SNPCTL_HOME": str(desk.home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(sms.pidfile)  # the gateway has the SMS and has not answered yet
        os.kill(sender_pid(desk), signal.SIGKILL)  # the process sending it, not the command
        assert child.wait(timeout=10) == 0  # the command's work was done: it says so and exits 0
    finally:
        child.kill()
        child.wait()
    assert sms.to(GP_A["e164"]) and len(sms.sent) == 1
    assert [e["type"] for e in message_events(desk)] == ["queue", "attempt"]  # sent? nobody knows

    for at in ("16:02", "16:05", "16:10:59"):  # not stale yet: no re-send, no report
        assert ok(desk, "tick", at=at)["failed_messages"] == []
    assert len(sms.sent) == 1

    reported = ok(desk, "tick", at="16:12")["failed_messages"]  # 11 minutes after the attempt
    assert reported == [
        {
            "message": 1,
            "request": rid,
            "template": "notify_member",
            "recipient": "gp-a",
            "channel": "sms",
            "status": "gave_up",
            "attempts": 1,
            "last": f"{MONDAY}T16:01:00+01:00",
            "why": "unknown",
        }
    ]
    assert {"type": "given_up", "message": 1, "why": "unknown"} in message_events(desk)
    ok(desk, "tick", at="16:30")
    assert len(sms.to(GP_A["e164"])) == 1  # never re-sent
    alerts = outbox_files(desk, "failed_operator-operator")  # operator_sms and operator_mail
    assert len(alerts) == 2 and all(rid in alert and "request to a doctor for Dr A" in alert for alert in alerts)
    assert [to for to, _ in sms.sent] == [GP_A["e164"], OPERATOR_E164]
    assert desk("verify").code == 0
