"""Crashes, torn writes, a failing disk and stale locks (contract sections 7 and 9).

- A process killed at any moment loses nothing it acknowledged, and leaves a ledger the next
  command can use and `verify` accepts.
- A write cut anywhere inside the last line (a power loss) is moved to ``private/quarantine/`` by
  the next writing command, which records a ``recovery`` event, warns, and goes on; readers warn
  and write nothing; damage anywhere else stops writers with exit 3.
- When the disk refuses to sync, the command fails (exit 3) and does not claim success.
- A lock left by a dead process is free at once; a lock held by a live one gives "busy" (exit 3).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from snpctl.store.ledger import Ledger
from snpctl.store.verify import verify

from conftest import Desk

MONDAY = "2024-01-15"
FILE = "2024-01.jsonl"


def ledger_file(desk: Desk, name: str = FILE) -> Path:
    return desk.home / "ledger" / name


def quarantined(desk: Desk) -> dict[str, bytes]:
    folder = desk.home / "private" / "quarantine"
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


def small_ledger(desk: Desk) -> None:
    """Four requests: 001C (gp-a's window) and 003H (community) notified, 002E open; the last line is the
    intake of 004J (an intake sends no message, so nothing follows it)."""
    for args, hhmm in [
        (["intake", "--motif", "fievre", "--source", "cot", "--treating-doctor", "gp-a"], "16:00"),
        (["notify", "001C"], "16:01"),
        (["intake", "--motif", "fievre", "--source", "cot", "--treating-doctor", "none"], "16:02"),
        (["intake", "--motif", "fievre", "--source", "samu"], "16:03"),
        (["notify", "003H"], "16:04"),
        (["intake", "--motif", "fievre", "--source", "cot"], "16:05"),
    ]:
        run = desk(*args, "--json", now=f"{MONDAY}T{hhmm}")
        assert run.code == 0, run.err
    assert desk.events()[-1]["type"] == "intake"


def tear_last_line(desk: Desk, keep: int = 40, name: str = FILE) -> tuple[int, bytes]:
    """Cut the write of the last line after ``keep`` bytes; returns its line number and what is left."""
    path = ledger_file(desk, name)
    data = path.read_bytes()
    start = data.rstrip(b"\n").rfind(b"\n") + 1
    path.write_bytes(data[: start + keep])
    return data[:start].count(b"\n") + 1, data[: start + keep]


# -- 1. a process killed while it appends -----------------------------------------------------

# Types intake then notify through the real command line, forever; prints each acknowledged answer.
_APPENDER = """
import contextlib, io, json, sys
from snpctl.cli import main
home, now = sys.argv[1], sys.argv[2]
def run(*args):
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            main([*args, "--home", home, "--now", now, "--json"])
    except SystemExit as done:          # main() always exits; 0 is success
        if done.code:
            print(json.dumps({"command": args[0], "failed": done.code}), flush=True)
            return None
    answer = json.loads(out.getvalue())
    print(json.dumps({"command": args[0], **answer}), flush=True)     # from here on, acknowledged
    return answer["request"]
print(json.dumps({"ready": True}), flush=True)
while True:
    request = run("intake", "--motif", "fievre", "--source", "cot", "--treating-doctor", "none")
    if request:
        run("notify", request)
"""


def acknowledged(output: str) -> list[dict]:
    """The complete JSON lines a killed child printed (a cut last line was never acknowledged)."""
    return [json.loads(line) for line in output.split("\n")[:-1]]


@pytest.mark.slow
def test_a_process_killed_at_random_moments_loses_no_acknowledged_event(desk: Desk) -> None:
    rng = random.Random(20240115)
    now = f"{MONDAY}T16:00"
    acked: list[tuple[str, str]] = []  # (command, request)
    kills = 20
    for kill in range(kills):
        child = subprocess.Popen(
            [sys.executable, "-c", _APPENDER, str(desk.home), now],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None and child.stderr is not None
        assert child.stdout.readline() == '{"ready": true}\n', child.stderr.read()
        first = child.stdout.readline() if kill % 2 else ""  # every other child: once it has acknowledged one
        time.sleep(rng.uniform(0.0, 0.3))
        child.send_signal(signal.SIGKILL)
        out, err = child.communicate(timeout=10)
        assert child.returncode == -signal.SIGKILL
        printed = acknowledged(first + out)
        assert not [line for line in printed if "failed" in line], (printed, err)
        acked += [(line["command"], line["request"]) for line in printed]

        # the next command works (recovering if it must), verify passes, nothing acknowledged is lost
        tick = desk("tick", "--json", now=now)
        assert tick.code == 0, f"after kill {kill}: {tick.err}"
        verify(Ledger(desk.home))
        written = {(e["type"], e["request"]) for e in desk.events() if e["type"] in ("intake", "notify")}
        assert set(acked) <= written, f"after kill {kill}: lost {sorted(set(acked) - written)}"
        intakes = [rid for kind, rid in acked if kind == "intake"]
        assert len([1 for kind, _ in written if kind == "intake"]) <= len(intakes) + kill + 1, (
            "at most one unacknowledged intake per kill"
        )
    assert len(acked) >= kills // 2, "the children hardly wrote anything: the test proves little"
    assert len(set(acked)) == len(acked), "an id was given twice"


# -- 2. a write torn inside the last line --------------------------------------------------------


def test_a_write_torn_at_any_byte_of_the_last_line_is_recovered_by_the_next_command(desk: Desk) -> None:
    small_ledger(desk)
    whole = ledger_file(desk).read_bytes()
    *kept, last = whole.split(b"\n")[:-1]
    prefix = b"".join(line + b"\n" for line in kept)
    kept_hash = hashlib.sha256(kept[-1]).hexdigest()
    for cut in range(1, len(last) + 1):  # up to the whole line without its newline
        fragment = last[:cut]
        ledger_file(desk).write_bytes(prefix + fragment)
        for old in (desk.home / "private" / "quarantine").glob("*"):
            old.unlink()
        run = desk("tick", "--json", now=f"{MONDAY}T16:10")
        where = f"cut after {cut} bytes of {len(last)}"
        assert run.code == 0, f"{where}: {run.err}"
        assert json.loads(run.out) == {**json.loads(run.out), "escalated": [], "expired": []}, where
        assert run.err.count("\n") == 1 and "Recovered the ledger" in run.err, f"{where}: {run.err!r}"
        assert f"({cut} bytes" in run.err and "private/quarantine/" in run.err, f"{where}: {run.err!r}"

        data = ledger_file(desk).read_bytes()
        assert data.startswith(prefix) and data.endswith(b"\n"), where
        recovery = [json.loads(line) for line in data[len(prefix) :].splitlines()]
        assert len(recovery) == 1, f"{where}: {recovery}"
        digest = hashlib.sha256(fragment).hexdigest()
        assert recovery[0] == {
            "type": "recovery",
            "at": "2024-01-15T15:10:00Z",
            "file": FILE,
            "offset": len(prefix),
            "length": cut,
            "sha256": digest,
            "seq": len(kept) + 1,
            "prev": kept_hash,
        }, where
        assert quarantined(desk) == {f"2024-01-{len(prefix)}-{digest[:12]}.torn": fragment}, where
        verify(Ledger(desk.home))


def test_the_quarantine_is_private(desk: Desk) -> None:
    small_ledger(desk)
    with ledger_file(desk).open("ab") as handle:
        handle.write(b'{"action":"trigger","at":"2024-01-15T15:05')
    assert desk("tick", now=f"{MONDAY}T16:10").code == 0
    folder = desk.home / "private" / "quarantine"
    assert folder.stat().st_mode & 0o077 == 0
    assert all(p.stat().st_mode & 0o077 == 0 for p in folder.iterdir())


def test_after_a_recovery_the_torn_command_can_be_typed_again(desk: Desk) -> None:
    """The intake of 004J was cut, so never acknowledged: typed again, it is 004J."""
    small_ledger(desk)
    tear_last_line(desk)
    run = desk("intake", "--motif", "fievre", "--source", "cot", "--json", now=f"{MONDAY}T16:10")
    assert (run.code, run.json) == (0, {"request": "004J", "status": "open"}), run.err
    assert "Recovered the ledger" in run.err
    assert [e["type"] for e in desk.events()][-2:] == ["recovery", "intake"]
    verify(Ledger(desk.home))


def test_a_torn_first_line_of_a_new_month_file_is_recovered(desk: Desk) -> None:
    assert desk("intake", "--motif", "fievre", "--source", "cot", now=f"{MONDAY}T16:00").code == 0
    assert desk("intake", "--motif", "fievre", "--source", "cot", now="2024-02-01T10:00").code == 0
    february = ledger_file(desk, "2024-02.jsonl")
    line = february.read_bytes()
    february.write_bytes(line[:50])
    run = desk("tick", "--json", now="2024-02-01T10:05")
    assert run.code == 0, run.err
    assert "Recovered the ledger" in run.err
    events = [json.loads(raw) for raw in february.read_bytes().splitlines()]
    assert [(e["type"], e["file"], e["offset"], e["length"]) for e in events] == [("recovery", "2024-02.jsonl", 0, 50)]
    verify(Ledger(desk.home))


def test_a_reader_on_a_torn_ledger_works_warns_and_writes_nothing(desk: Desk) -> None:
    small_ledger(desk)
    _line, torn = tear_last_line(desk)  # the intake of 004J, cut
    before = sorted(p.relative_to(desk.home) for p in desk.home.rglob("*"))
    run = desk("list", "--json", now=f"{MONDAY}T16:10")
    assert run.code == 0, run.err
    assert [(r["request"], r["status"]) for r in run.json["requests"]] == [
        ("001C", "treating_doctor_window"),
        ("002E", "open"),
        ("003H", "community"),
    ]
    assert run.err.count("\n") == 1 and "incomplete line" in run.err, run.err
    assert ledger_file(desk).read_bytes() == torn
    assert sorted(p.relative_to(desk.home) for p in desk.home.rglob("*")) == before, "a reader created files"


@pytest.mark.parametrize("command", [("show", "001C", "--json"), ("report", "--format", "json")])
def test_other_readers_on_a_torn_ledger_warn_and_write_nothing(desk: Desk, command: tuple) -> None:
    small_ledger(desk)
    _line, torn = tear_last_line(desk)
    run = desk(*command, now=f"{MONDAY}T16:10")
    assert run.code == 0, run.err
    assert "incomplete line" in run.err
    assert ledger_file(desk).read_bytes() == torn
    assert quarantined(desk) == {}


def test_verify_names_a_torn_last_line_and_says_what_to_do(desk: Desk) -> None:
    small_ledger(desk)
    line, torn = tear_last_line(desk)
    run = desk("verify")
    assert run.code == 3
    assert run.err.startswith(f"snpctl: ledger/{FILE}:{line}: incomplete last line (40 bytes"), run.err
    assert "snpctl tick" in run.err
    assert ledger_file(desk).read_bytes() == torn


WRITERS = [
    pytest.param(("intake", "--motif", "fievre", "--source", "cot", "--json"), id="intake"),
    pytest.param(("notify", "002E", "--json"), id="notify"),
    pytest.param(("tick", "--json"), id="tick"),
]


@pytest.mark.parametrize("command", WRITERS)
def test_a_line_cut_short_before_the_last_stops_writers(desk: Desk, command: tuple) -> None:
    """Only the very end of the newest file can be an interrupted write; anything else is damage."""
    small_ledger(desk)
    lines = ledger_file(desk).read_bytes().split(b"\n")
    n = [json.loads(line).get("request") for line in lines[:-1]].index("002E") + 1  # the intake of 002E
    lines[n - 1] = lines[n - 1][: len(lines[n - 1]) // 2]  # cut short, its newline kept
    ledger_file(desk).write_bytes(b"\n".join(lines))
    before = desk.ledger_bytes()
    run = desk(*command, now=f"{MONDAY}T16:10")
    assert (run.code, run.out) == (3, ""), run.err
    assert run.err.count("\n") == 1 and "Traceback" not in run.err
    assert run.err.startswith(f"snpctl: ledger/{FILE}:{n}: ") and "snpctl verify" in run.err, run.err
    assert desk.ledger_bytes() == before
    assert quarantined(desk) == {}
    assert desk("verify").err.startswith(f"snpctl: ledger/{FILE}:{n}: ")


def test_a_torn_line_in_an_older_month_file_is_damage_not_a_torn_write(desk: Desk) -> None:
    small_ledger(desk)
    assert desk("intake", "--motif", "fievre", "--source", "cot", now="2024-02-01T10:00").code == 0
    line, _torn = tear_last_line(desk)  # January's, with February after it
    before = desk.ledger_bytes()
    run = desk("intake", "--motif", "fievre", "--source", "cot", "--json", now="2024-02-01T10:05")
    assert (run.code, run.out) == (3, ""), run.err
    assert run.err.startswith(f"snpctl: ledger/{FILE}:{line}: ") and "snpctl verify" in run.err, run.err
    assert desk.ledger_bytes() == before
    assert quarantined(desk) == {}


# -- 3. the disk refuses to sync --------------------------------------------------------------------


def _refuse_fsync(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []

    def fsync(fd: int) -> None:
        calls.append(fd)
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "fsync", fsync)
    return calls


def test_a_failing_fsync_fails_the_command_and_records_nothing(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    small_ledger(desk)
    before = desk.ledger_bytes()
    calls = _refuse_fsync(monkeypatch)
    run = desk("intake", "--motif", "fievre", "--source", "cot", "--json", now=f"{MONDAY}T16:10")
    assert calls, "the command never asked the disk to sync"
    assert (run.code, run.out) == (3, ""), f"exit {run.code}, reported {run.out!r}"
    assert run.err.count("\n") == 1 and run.err.startswith("snpctl: ") and "Traceback" not in run.err
    assert "Input/output error" in run.err
    assert desk.ledger_bytes() == before, "the command said nothing was recorded, but the ledger grew"
    monkeypatch.undo()
    again = desk("intake", "--motif", "fievre", "--source", "cot", "--json", now=f"{MONDAY}T16:11")
    assert (again.code, again.json["request"]) == (0, "005K")
    verify(Ledger(desk.home))


def test_a_failing_fsync_of_a_first_line_fails_the_command(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    _refuse_fsync(monkeypatch)
    run = desk("intake", "--motif", "fievre", "--source", "cot", "--json", now=f"{MONDAY}T16:00")
    assert (run.code, run.out) == (3, "")
    assert run.err.count("\n") == 1
    monkeypatch.undo()
    assert desk.ledger_bytes() == b""


def test_a_failing_fsync_without_json_does_not_print_success(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    small_ledger(desk)
    _refuse_fsync(monkeypatch)
    run = desk("notify", "002E", now=f"{MONDAY}T16:10")
    assert (run.code, run.out) == (3, "")
    assert run.err.count("\n") == 1


# -- 4. locks -----------------------------------------------------------------------------------------

_LOCKER = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY)     # the ledger's lock is on ledger/ itself
fcntl.flock(fd, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
"""


def hold_lock(desk: Desk, seconds: float) -> subprocess.Popen:
    child = subprocess.Popen(
        [sys.executable, "-c", _LOCKER, str(desk.home / "ledger"), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None and child.stdout.readline() == "locked\n"
    return child


@pytest.mark.slow
def test_a_lock_left_by_a_killed_process_is_free_at_once(desk: Desk) -> None:
    small_ledger(desk)
    holder = hold_lock(desk, 60)
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=10)
    started = time.monotonic()
    run = desk("intake", "--motif", "fievre", "--source", "cot", "--json", now=f"{MONDAY}T16:10")
    elapsed = time.monotonic() - started
    assert run.code == 0, run.err
    assert elapsed < 1.0, f"waited {elapsed:.1f}s for a lock whose holder is dead"


def timed_intake(desk: Desk, *, lock_timeout: str):
    """An intake typed while another process may hold the lock, and the seconds it took."""
    started = time.monotonic()
    run = desk(
        "intake",
        "--motif",
        "fievre",
        "--source",
        "cot",
        "--json",
        now=f"{MONDAY}T16:10",
        SNPCTL_LOCK_TIMEOUT=lock_timeout,
    )
    return run, time.monotonic() - started


@pytest.mark.slow
def test_a_lock_held_longer_than_the_timeout_is_busy(desk: Desk) -> None:
    small_ledger(desk)
    before = desk.ledger_bytes()
    holder = hold_lock(desk, 30)
    try:
        run, elapsed = timed_intake(desk, lock_timeout="0.3")
    finally:
        holder.kill()
        holder.wait(timeout=10)
    assert (run.code, run.out) == (3, ""), run.err
    assert run.err.count("\n") == 1 and "busy" in run.err, run.err
    assert 0.3 <= elapsed < 3.0, f"gave up after {elapsed:.2f}s with a 0.3s timeout"
    assert desk.ledger_bytes() == before


@pytest.mark.slow
def test_a_lock_released_within_the_timeout_is_waited_for(desk: Desk) -> None:
    small_ledger(desk)
    holder = hold_lock(desk, 0.5)
    try:
        run, elapsed = timed_intake(desk, lock_timeout="5")
    finally:
        holder.wait(timeout=10)
    assert run.code == 0, run.err
    assert 0.2 <= elapsed < 4.0, elapsed


@pytest.mark.slow
def test_the_lock_survives_the_deletion_of_snpctl(desk: Desk) -> None:
    """``rm -rf .snpctl`` (or ``git clean -X``) while a writer holds the ledger: the others still wait for it."""
    small_ledger(desk)
    before = len(desk.events())
    holder = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "snpctl",
            "intake",
            "--motif",
            "fievre",
            "--source",
            "cot",
            "--home",
            str(desk.home),
            "--now",
            f"{MONDAY}T16:10",
        ],
        env={**os.environ, "SNPCTL_TEST_HOLD": "3"},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(1.5)  # it has decided, and holds the lock 3 s before it appends
        shutil.rmtree(desk.home / ".snpctl")
        busy = desk("intake", "--motif", "fievre", "--source", "cot", now=f"{MONDAY}T16:11", SNPCTL_LOCK_TIMEOUT="0.3")
        waited = desk("intake", "--motif", "fievre", "--source", "cot", "--json", now=f"{MONDAY}T16:12")
    finally:
        holder.wait(timeout=30)
    assert holder.returncode == 0
    assert busy.code == 3 and "busy" in busy.err, busy.err
    assert waited.code == 0 and waited.json["request"] == "006L", waited.err
    assert [e["seq"] for e in desk.events()] == list(range(1, before + 3))  # no number given twice
    assert verify(Ledger(desk.home)).events == before + 2


def test_a_full_disk_leaves_no_temporary_file_in_snpctl_and_the_command_succeeds(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    small_ledger(desk)
    (desk.home / ".snpctl" / "snapshot").unlink()  # the next writer writes one
    (desk.home / "protocols.toml").write_text((desk.home / "protocols.toml").read_text() + "# edited\n")
    writing = os.write

    def full_for_snpctl(fd: int, data) -> int:  # the ledger may still be written, .snpctl/ may not
        if "/.snpctl/" in os.readlink(f"/proc/self/fd/{fd}"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return writing(fd, data)

    monkeypatch.setattr(os, "write", full_for_snpctl)
    intake = desk("intake", "--motif", "fievre", "--source", "cot", "--json", now=f"{MONDAY}T16:10")
    report = desk("report", "--format", "json", now=f"{MONDAY}T16:11")
    assert (intake.code, report.code) == (0, 0), intake.err + report.err
    assert intake.json["request"] == "005K" and report.json["calls"] == 5
    assert sorted(path.name for path in (desk.home / ".snpctl").iterdir()) == [
        "protocols.toml.parsed",
        "roster.toml.parsed",
        "stamp",
        "warm",
    ]  # as before the disk filled up
