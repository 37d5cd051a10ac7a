"""Sending that tells the truth and survives the operator (issue 11, items 3, 5, 6 and 7).

- Templates are placeholders only: no format spec, conversion, nested field or attribute (``check``
  quotes the offending text); the mail settings are checked too.
- A message that cannot be rendered, written to the outbox or handed over is that message's failure:
  the rest of the batch goes, the command exits 0 and says how many will be retried.
- The batch is sent by a process of its own that Ctrl-C does not stop, several messages at a time,
  each recorded as it comes; ``tick`` never gives up a batch whose sender is alive, retries what a dead
  sender never handed over, and gives up as unknown only what it had handed over.
- A private record is used only by the request whose patient reference it carries; syntheses are
  numbered and bounded; outbox files cannot be forged by a name.

Every time is Monday 15 January 2024, Europe/Paris (UTC+1).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import Desk, make_workspace
from test_messages import (  # noqa: F401
    GP_A,
    GP_B,
    GP_CAMI,
    MONDAY,
    PATIENT,
    PATIENT_2,
    ROSTER,
    accepted_request,
    certificate,
    intake,
    mail_server,
    message_events,
    ok,
    outbox_files,
    protocols,
    sender_pid,
    sms,
    smtp,
    wait_for,
    workspace,
)


def verified(desk: Desk) -> None:
    run = desk("verify")
    assert run.code == 0, run.err


# -- templates and mail settings -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text, quoted",
    [
        ("Rappel à {time:%H}h", "'{time:%H}'"),  # a format spec
        ("Rappel {request!r}", "'{request!r}'"),  # a conversion
        ("Rappel {request:{patient}}", "'{request:{patient}'"),  # a nested field (and a way round the list)
        ("Rappel {request.__class__}", "'{request.__class__}'"),  # an attribute
        ("Rappel {request[0]}", "'{request[0]}'"),  # an index
    ],
)
def test_a_template_with_more_than_a_plain_placeholder_fails_check_quoting_it(tmp_path, text, quoted) -> None:
    desk = workspace(tmp_path, templates=f"reminder_patient = {json.dumps(text)}\n")
    run = desk("check")
    assert run.code == 2 and run.out == ""
    assert run.err.startswith("snpctl: protocols.toml:41:20: reminder_patient: " + quoted)
    assert len(run.err.strip().splitlines()) == 3  # the message, the line quoted, a caret under the value


@pytest.mark.parametrize("seconds", [0, -5, 301])
def test_a_mail_timeout_not_between_1_and_300_seconds_fails_check(tmp_path, seconds) -> None:
    desk = make_workspace(
        tmp_path / "cpts", roster=ROSTER, protocols=protocols(mail_port=2525, cafile=Path("ca.pem"), timeout=seconds)
    )
    run = desk("check")
    assert (run.code, run.out) == (2, "")
    assert run.err.splitlines()[0] == (
        f"snpctl: protocols.toml:48:19: timeout_seconds: must be between 1 and 300 seconds, found {seconds}."
    )


@pytest.mark.parametrize(
    "key, value",
    [
        ("sender", "cot@cpts.example\\r\\nBcc: x@evil.example"),
        ("operator_mail", "regulation@cpts.example\\n"),
        ("sender", "cot\\u001b[31m@cpts.example"),
    ],
)
def test_a_mail_sender_or_address_with_a_line_break_or_control_character_fails_check(tmp_path, key, value) -> None:
    desk = make_workspace(tmp_path / "cpts", roster=ROSTER, protocols=protocols(mail_port=2525, cafile=Path("ca.pem")))
    text = (desk.home / "protocols.toml").read_text(encoding="utf-8")
    text = "\n".join(f'{key} = "{value}"' if line.startswith(f"{key} = ") else line for line in text.splitlines())
    (desk.home / "protocols.toml").write_text(text + "\n", encoding="utf-8")
    run = desk("check")
    assert run.code == 2 and run.out == ""
    assert f"{key}: contains a line break or a control character" in run.err
    assert len(run.err.strip().splitlines()) == 3  # the message, the line quoted, a caret under the value


# -- one message's failure is that message's ------------------------------------------------------


def test_a_message_that_cannot_be_rendered_fails_alone_and_the_command_says_so(tmp_path, sms, monkeypatch) -> None:
    from snpctl.messaging import render

    real = render.render

    def broken_for_gp_b(config, state, message, *rest):
        if message.recipient == "gp-b":
            raise ValueError("a bug in one message's rendering")
        return real(config, state, message, *rest)

    monkeypatch.setattr(render, "render", broken_for_gp_b)  # the forked sender inherits it
    desk = workspace(tmp_path, sms=sms)
    rid = intake(desk, "16:00", treating_doctor="none")
    run = desk("notify", rid, now=f"{MONDAY}T16:01")
    assert run.code == 0 and run.out.startswith(f"Request {rid}: open to the community")
    assert run.err == "snpctl: 1 message could not be sent; tick will retry (see `snpctl list`).\n"
    assert sorted(to for to, _text in sms.sent) == sorted([GP_A["e164"], GP_CAMI["e164"]])
    assert {"type": "failed", "message": 2, "attempt": 1, "error": "render"} in message_events(desk)
    verified(desk)


def test_an_outbox_that_cannot_be_written_fails_those_messages_exits_0_and_tick_sends_them_later(tmp_path, sms) -> None:
    desk = workspace(tmp_path, sms=sms)
    (desk.home / "outbox").write_text("not a folder")  # like a full disk: every outbox write fails
    rid = intake(desk, "16:00", treating_doctor="none")
    run = desk("notify", rid, now=f"{MONDAY}T16:01")
    assert run.code == 0, run.err
    assert run.err == "snpctl: 3 messages could not be sent; tick will retry (see `snpctl list`).\n"
    assert sms.sent == []
    assert [e for e in message_events(desk) if e["type"] == "failed"] == [
        {"type": "failed", "message": n, "attempt": 1, "error": "outbox_error"} for n in (1, 2, 3)
    ]
    (desk.home / "outbox").unlink()
    assert desk("tick", now=f"{MONDAY}T16:02").code == 0
    assert sorted(to for to, _text in sms.sent) == sorted([GP_A["e164"], GP_B["e164"], GP_CAMI["e164"]])
    verified(desk)


def test_a_failed_outbox_only_message_is_retried_through_a_claim_and_verify_passes(tmp_path) -> None:
    desk = workspace(tmp_path)  # no gateway: every message is outbox only
    (desk.home / "outbox").write_text("not a folder")
    rid = intake(desk, "16:00", treating_doctor="none")
    assert desk("notify", rid, now=f"{MONDAY}T16:01").code == 0
    (desk.home / "outbox").unlink()
    run = desk("tick", now=f"{MONDAY}T16:02")
    assert (run.code, run.err) == (0, "")
    steps = [(e["type"], e["message"], e.get("attempt")) for e in message_events(desk) if e["message"] == 1]
    assert steps == [("queue", 1, None), ("failed", 1, 1), ("attempt", 1, 2), ("sent", 1, 2)]
    assert len(outbox_files(desk, "notify_member")) == 3
    verified(desk)


# -- the sender: detached, concurrent, known to tick ------------------------------------------------

TEN = [f"+336100000{n:02d}" for n in range(1, 11)]
TEN_ROSTER = (
    "".join(
        f"""
[[member]]
id = "gp-{n:02d}"
name = "Dr {n:02d}"
profession = "generaliste"
status = "titulaire"
sms = "{number}"
"""
        for n, number in enumerate(TEN, start=1)
    )
    + '\n[[member]]\nid = "dent-a"\nname = "Dr Dent"\nprofession = "dentiste"\nstatus = "titulaire"\n'
)  # check: dents too


def slow_gateway(folder: Path, seconds: float) -> tuple[str, Path]:
    """An SMS command that takes ``seconds`` per SMS, then appends the number it texted to a file."""
    folder.mkdir()
    log, script = folder / "texted", folder / "slow-sms"
    script.write_text(
        f"#!{sys.executable}\nimport sys, time\nsys.stdin.read()\ntime.sleep({seconds})\n"
        f"with open({str(log)!r}, 'a') as out:\n    out.write(sys.argv[1] + '\\n')\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    return f"{script} {{to}}", log


def command(desk: Desk, *args: str, **env: str) -> subprocess.Popen:
    """``snpctl ARGS`` as a person runs it: a process of its own, in its own process group (the terminal's)."""
    return subprocess.Popen(
        [sys.executable, "-m", "snpctl", *args],
        start_new_session=True,
        text=True,
        env={**os.environ, "SNPCTL_HOME": str(desk.home), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.mark.slow
def test_notify_to_ten_members_returns_at_once_and_ctrl_c_loses_none_of_their_sms(tmp_path) -> None:
    gateway, texted = slow_gateway(tmp_path / "gateway", seconds=1.0)
    desk = workspace(tmp_path, roster=TEN_ROSTER)
    (desk.home / "protocols.toml").write_text(
        (desk.home / "protocols.toml").read_text(encoding="utf-8")
        + f"\n[messaging.sms]\ncommand = {json.dumps(gateway)}\n"
    )
    rid = intake(desk, "16:00", treating_doctor="none")
    started = time.monotonic()
    child = command(desk, "notify", rid, "--now", f"{MONDAY}T16:01", SNPCTL_DELIVERY="detach")
    answer = child.stdout.readline()  # the operator reads the answer...
    time.sleep(max(0.0, started + 1.0 - time.monotonic()))
    os.killpg(child.pid, signal.SIGINT)  # ...and presses Ctrl-C: the terminal's whole foreground group
    out, err = child.communicate(timeout=10)
    returned = time.monotonic() - started
    assert returned < 2.0 and child.returncode == 0, (returned, err)
    assert answer.startswith(f"Request {rid}: open to the community") and out == ""
    assert err.startswith("snpctl: interrupted; the command was done and recorded, and ")

    for at in ("16:02", "16:03"):  # the next two ticks, once the senders are done
        assert desk("tick", "--wait", now=f"{MONDAY}T{at}").code == 0
    assert time.monotonic() - started < 5  # 8 at a time: two rounds of 1 s, not ten
    assert sorted(texted.read_text().split()) == TEN  # each texted exactly once
    sent = [e for e in message_events(desk) if e["type"] == "sent"]
    assert sorted(e["message"] for e in sent) == list(range(1, 11))
    verified(desk)


@pytest.mark.slow
def test_a_hanging_gateway_does_not_hold_notify_nor_is_its_batch_given_up_while_its_sender_lives(tmp_path, sms) -> None:
    desk = workspace(tmp_path, sms=sms, sms_behaviour="hangs_once")
    rid = intake(desk, "16:00")
    started = time.monotonic()
    child = command(desk, "notify", rid, "--now", f"{MONDAY}T16:01", SNPCTL_DELIVERY="detach")
    _out, err = child.communicate(timeout=10)
    assert time.monotonic() - started < 3 and child.returncode == 0
    assert err == ("snpctl: 1 message is still being sent in the background; `snpctl list` will show it if it fails.\n")
    wait_for(sms.pidfile)  # the gateway holds the SMS and does not answer

    assert ok(desk, "tick", at="16:12")["failed_messages"] == []  # 11 minutes on: its sender is alive
    assert [e["type"] for e in message_events(desk)] == ["queue", "attempt"]
    sms.release.touch()
    assert desk("tick", "--wait", now=f"{MONDAY}T16:13").code == 0
    assert [e["type"] for e in message_events(desk)] == ["queue", "attempt", "sent"]
    assert len(sms.to(GP_A["e164"])) == 1
    verified(desk)


def notify_and_kill_its_sender_mid_sms(desk: Desk, rid: str, sms, **env: str) -> None:
    """``notify RID``, its sender SIGKILLed once the gateway holds message 1 (``hangs_once``) and has not answered."""
    child = command(desk, "notify", rid, "--now", f"{MONDAY}T16:01", **env)
    try:
        wait_for(sms.pidfile)
        os.kill(sender_pid(desk), signal.SIGKILL)
        child.communicate(timeout=10)
    finally:
        child.kill()


@pytest.mark.slow
def test_a_sender_killed_before_handing_messages_over_has_them_retried_and_sent_once(tmp_path, sms) -> None:
    desk = workspace(tmp_path, sms=sms, sms_behaviour="hangs_once")
    rid = intake(desk, "16:00", treating_doctor="none")  # gp-a, gp-b, gp-cami: messages 1, 2, 3
    notify_and_kill_its_sender_mid_sms(desk, rid, sms, SNPCTL_SEND_WORKERS="1")  # 2 and 3 were waiting their turn
    assert ok(desk, "tick", at="16:02")["failed_messages"] == []
    assert [e for e in message_events(desk) if e["type"] == "failed"] == [
        {"type": "failed", "message": 2, "attempt": 1, "error": "interrupted"},
        {"type": "failed", "message": 3, "attempt": 1, "error": "interrupted"},
    ]
    ok(desk, "tick", at="16:03")  # the first wait (1m) is over
    assert (len(sms.to(GP_B["e164"])), len(sms.to(GP_CAMI["e164"]))) == (1, 1)

    reported = ok(desk, "tick", at="16:12")["failed_messages"]  # message 1 was handed over: unknown
    assert [(m["message"], m["why"]) for m in reported] == [(1, "unknown")]
    assert len(sms.to(GP_A["e164"])) == 1
    assert not list((desk.home / ".snpctl" / "senders").iterdir())  # settled: the dead sender's entry is gone
    verified(desk)


@pytest.mark.slow
def test_without_the_senders_folder_a_message_handed_to_a_dead_sender_is_unknown_after_ten_minutes(
    tmp_path, sms
) -> None:
    desk = workspace(tmp_path, sms=sms, sms_behaviour="hangs_once")
    rid = intake(desk, "16:00")
    notify_and_kill_its_sender_mid_sms(desk, rid, sms)
    for entry in (desk.home / ".snpctl" / "senders").iterdir():  # someone deleted .snpctl/ meanwhile
        entry.unlink()
    assert ok(desk, "tick", at="16:10:59")["failed_messages"] == []
    assert [e["type"] for e in message_events(desk)] == ["queue", "attempt"]
    assert [m["why"] for m in ok(desk, "tick", at="16:11")["failed_messages"]] == ["unknown"]
    assert len(sms.to(GP_A["e164"])) == 1


def test_the_senders_folder_is_made_owner_only_even_when_found_open_to_all(tmp_path, sms) -> None:
    desk = workspace(tmp_path, sms=sms)
    rid = intake(desk, "16:00")
    folder = desk.home / ".snpctl" / "senders"
    folder.mkdir(parents=True)
    folder.chmod(0o777)  # made under umask 000, or by hand
    ok(desk, "notify", rid, at="16:01")
    assert folder.stat().st_mode & 0o777 == 0o700
    assert not list(folder.iterdir())  # the batch is recorded: no entry left


# -- private records belong to their request ---------------------------------------------------------

ORPHAN = {"patient": "pdeadbeef", "name": "Alice Orpheline", "phone": "06 99 88 77 66"}


def leave_orphan(desk: Desk, rid: str = "001C") -> Path:
    """The private record an intake killed before its ledger line leaves behind."""
    path = desk.home / "private" / "requests" / f"{rid}.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(ORPHAN), encoding="utf-8")
    return path


def test_intake_moves_an_orphan_private_record_aside_and_texts_its_own_patient(tmp_path, sms) -> None:
    desk = workspace(tmp_path, sms=sms)
    leave_orphan(desk)
    run = desk(
        "intake",
        "--motif",
        "fievre",
        "--source",
        "cot",
        "--treating-doctor",
        "gp-a",
        "--patient",
        PATIENT["name"],
        "--phone",
        PATIENT["phone"],
        now=f"{MONDAY}T16:00",
    )
    assert run.code == 0
    (moved,) = (desk.home / "private" / "quarantine").glob("001C-pdeadbeef-*.orphan.json")
    assert json.loads(moved.read_text(encoding="utf-8")) == ORPHAN and moved.stat().st_mode & 0o777 == 0o600
    assert run.err == (
        f"snpctl: Request 001C had a private record left by an interrupted intake, not this "
        f"caller's; it was moved to private/quarantine/{moved.name} and is not used.\n"
    )
    ok(desk, "notify", "001C", at="16:01")
    ok(desk, "accept", "001C", "--by", "gp-a", "--at", "19:00", at="16:10")
    (text,) = sms.to(PATIENT["e164"])
    assert text.startswith(f"Hello {PATIENT['name']},")
    assert sms.to("+33699887766") == []


def test_an_orphan_private_record_never_reaches_a_caller_who_gave_no_details(tmp_path, sms) -> None:
    desk = workspace(tmp_path, sms=sms)
    leave_orphan(desk)
    ok(desk, "intake", "--motif", "fievre", "--source", "cot", "--treating-doctor", "gp-a", at="16:00")
    ok(desk, "notify", "001C", at="16:01")
    ok(desk, "accept", "001C", "--by", "gp-a", "--at", "19:00", at="16:10")
    (patient_file,) = outbox_files(desk, "accepted_patient")
    assert "Hello Sir or Madam," in patient_file and "To: the patient <outbox only>" in patient_file
    assert "Alice" not in "".join(outbox_files(desk, "-")) and sms.to("+33699887766") == []


def test_a_private_record_with_another_patient_reference_is_not_rendered(tmp_path, sms) -> None:
    desk = workspace(tmp_path, sms=sms)
    ok(desk, "intake", "--motif", "fievre", "--source", "cot", "--treating-doctor", "gp-a", at="16:00")
    leave_orphan(desk)  # there after the intake: not this request's patient
    ok(desk, "notify", "001C", at="16:01")
    ok(desk, "accept", "001C", "--by", "gp-a", "--at", "19:00", at="16:10")
    (informed,) = outbox_files(desk, "accepted_patient")
    assert "Sir or Madam" in informed and "Alice" not in informed


# -- syntheses ------------------------------------------------------------------------------------------


def test_two_syntheses_of_a_request_are_two_mails_each_with_its_own_text_and_both_are_kept(
    tmp_path, sms, smtp, certificate
) -> None:
    desk = workspace(tmp_path, sms=sms, mail=smtp, certificate=certificate)
    rid = accepted_request(desk, appointment="17:00")
    ok(desk, "synthesis", rid, "--by", "gp-b", "--text", "Première synthèse.", at="17:30")
    ok(desk, "synthesis", rid, "--by", "gp-b", "--text", "Complément : résultats du bilan.", at="18:30")
    first, second = smtp.to(GP_A["mail"])[1:]
    assert "Première synthèse." in first.body and "Complément" not in first.body
    assert "Complément : résultats du bilan." in second.body and "Première" not in second.body
    kept = sorted(p.name for p in (desk.home / "private" / "requests").glob(f"{rid}.synthesis.*"))
    assert kept == [f"{rid}.synthesis.7.txt", f"{rid}.synthesis.8.txt"]  # message 6 told gp-cami it was taken


def test_a_synthesis_over_64_kib_is_refused_with_exit_2_and_nothing_is_written(tmp_path, sms) -> None:
    desk = workspace(tmp_path, sms=sms)
    rid = accepted_request(desk, appointment="17:00")
    before = desk.ledger_bytes()
    big = tmp_path / "big.txt"
    big.write_text("é" * 500_000, encoding="utf-8")  # 1 MB of UTF-8
    run = desk("synthesis", rid, "--by", "gp-b", "--file", str(big), now=f"{MONDAY}T17:30")
    assert (run.code, run.out) == (2, "")
    assert run.err == (
        "snpctl: The synthesis is 977 KiB, more than the 64 KiB a secure mail carries here; shorten "
        "it, nothing was recorded.\n"
    )
    assert desk.ledger_bytes() == before
    assert not list((desk.home / "private" / "requests").glob(f"{rid}.synthesis*"))


# -- outbox files ---------------------------------------------------------------------------------------


def test_a_line_break_or_escape_in_a_name_cannot_forge_an_outbox_header_or_reach_a_terminal(tmp_path) -> None:
    desk = workspace(tmp_path)
    name = "Alice\nTo: Mallory <+33600000000>\x1b[31m"
    ok(
        desk,
        "intake",
        "--motif",
        "fievre",
        "--source",
        "cot",
        "--treating-doctor",
        "gp-a",
        "--patient",
        name,
        "--phone",
        PATIENT_2["phone"],
        at="16:00",
    )
    ok(desk, "notify", "001C", at="16:01")
    ok(desk, "accept", "001C", "--by", "gp-a", "--at", "19:00", at="16:10")
    (written,) = outbox_files(desk, "accepted_patient")
    head, _, body = written.partition("\n\n")
    assert [line for line in head.splitlines() if line.startswith("To:")] == [
        f"To: Alice\\nTo: Mallory <+33600000000>\\x1b[31m <{PATIENT_2['e164']}>"
    ]
    assert "\x1b" not in written
    assert body.startswith("Hello Alice\nTo: Mallory <+33600000000>\\x1b[31m, your appointment")


_CRON_TICK = """
import sys
from snpctl.entry import main
try:
    main(sys.argv[1:])
except SystemExit as exit_:
    print("exit", exit_.code, "typer imported:", "typer" in sys.modules)
"""


@pytest.mark.slow
def test_cron_tick_wait_lets_the_running_sender_finish_first_without_importing_the_command_line_framework(
    tmp_path, sms
) -> None:
    desk = workspace(tmp_path, sms=sms, sms_behaviour="hangs_once")
    rid = intake(desk, "16:00")
    assert command(desk, "notify", rid, "--now", f"{MONDAY}T16:01", SNPCTL_DELIVERY="detach").wait(timeout=10) == 0
    wait_for(sms.pidfile)
    assert [e["type"] for e in message_events(desk)] == ["queue", "attempt"]
    release = __import__("threading").Timer(1.0, sms.release.touch)
    release.start()
    tick = subprocess.run(
        [sys.executable, "-c", _CRON_TICK, "tick", "--wait", "--now", f"{MONDAY}T16:02"],
        env={**os.environ, "SNPCTL_HOME": str(desk.home)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert [e["type"] for e in message_events(desk)] == ["queue", "attempt", "sent"]  # before tick went on
    assert tick.stdout == "exit 0 typer imported: False\n", tick.stderr
    release.join()


def test_on_the_real_clock_a_result_is_stamped_when_the_gateway_answered(tmp_path) -> None:
    gateway, _texted = slow_gateway(tmp_path / "gateway", seconds=1.2)
    desk = make_workspace(tmp_path / "cpts", roster=ROSTER, protocols=protocols(sms_command=gateway))
    run = desk("intake", "--motif", "fievre", "--source", "cot", "--treating-doctor", "gp-a", "--json")
    assert desk("notify", run.json["request"]).code == 0  # no --now: the clock
    (attempt,) = [e for e in desk.events() if e["type"] == "attempt"]
    (sent,) = [e for e in desk.events() if e["type"] == "sent"]
    assert sent["at"] > attempt["at"]
    assert "dated before" not in desk("verify").out


def test_inline_delivery_sends_in_the_command_itself_for_systems_without_fork(tmp_path, sms) -> None:
    desk = workspace(tmp_path, sms=sms)
    rid = intake(desk, "16:00")
    run = desk("notify", rid, "--json", now=f"{MONDAY}T16:01", SNPCTL_DELIVERY="inline")
    assert (run.code, run.err) == (0, "")
    assert [e["type"] for e in message_events(desk)] == ["queue", "attempt", "sent"]
    assert len(sms.to(GP_A["e164"])) == 1
    assert not list((desk.home / ".snpctl" / "senders").iterdir())
