"""The snapshot can only make commands faster, never different."""

from __future__ import annotations

import fcntl
import importlib
import marshal
import os
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from snpctl import delivery, service
from snpctl.domain.events import new
from snpctl.domain.state import Request
from snpctl.errors import LedgerError, SnpctlError
from snpctl.store import snapshot
from snpctl.store.ledger import Ledger
from snpctl.store.workspace import Workspace
from snpctl.timefmt import UTC

from conftest import Desk, make_workspace, timeline

START = datetime(2024, 1, 15, 13, 0, tzinfo=UTC)  # 14:00 in Paris, a Monday


def busy_afternoon(desk: Desk, requests: int = 6) -> None:
    for n in range(requests):
        at = f"2024-01-15T{14 + n // 2}:{(n % 2) * 30:02d}"
        rid = desk(
            "intake", "--motif", "fievre", "--source", "cot", "--treating-doctor", "gp-a", "--json", now=at
        ).json["request"]
        desk("notify", rid, now=at)
        if n % 3 == 0:
            desk("accept", rid, "--by", "gp-a", "--at", "19:00", now=at)
    desk("tick", now="2024-01-15T23:00")


def same_hot_state(partial, full) -> None:
    """Everything the snapshot kept is exactly what the full fold says."""
    for name in (
        "seq",
        "last_hash",
        "request_count",
        "message_count",
        "unordered",
        "waiting",
        "accepted",
        "undelivered",
        "last_at",
    ):
        assert getattr(partial, name) == getattr(full, name), name
    for rid, request in partial.requests.items():
        assert request == full.requests[rid], rid
    for mid, message in partial.messages.items():
        assert message == full.messages[mid], mid
    hot_requests, hot_messages = snapshot.hot(full)
    assert {r.id for r in hot_requests} <= set(partial.requests)
    assert {m.id for m in hot_messages} <= set(partial.messages)


def test_a_writer_reads_the_snapshot_and_only_the_lines_after_it(desk: Desk) -> None:
    busy_afternoon(desk)
    ledger = Ledger(desk.home)
    loaded = ledger._from_snapshot()
    assert loaded is not None and loaded[0].partial
    full, _ = Ledger(desk.home).full_state()
    same_hot_state(loaded[0], full)


def test_a_missing_snapshot_is_rebuilt_by_the_next_writer(desk: Desk) -> None:
    busy_afternoon(desk)
    (desk.home / ".snpctl" / "snapshot").unlink()
    assert Ledger(desk.home)._from_snapshot() is None
    assert desk("tick", now="2024-01-15T23:30").code == 0
    assert (desk.home / ".snpctl" / "snapshot").exists()
    assert Ledger(desk.home)._from_snapshot() is not None


def test_a_truncated_or_edited_snapshot_is_ignored_and_the_command_is_right(desk: Desk) -> None:
    busy_afternoon(desk)
    path = desk.home / ".snpctl" / "snapshot"
    damages = (lambda b: b[: len(b) // 2], lambda b: b"garbage", lambda b: b[:-1] + bytes([b[-1] ^ 1]))
    for more, damage in enumerate(damages):
        path.write_bytes(damage(path.read_bytes()))
        result = desk("intake", "--motif", "fievre", "--source", "cot", "--json", now="2024-01-15T23:31")
        assert result.json["request"] == ["007M", "008R", "009U"][more]
        assert len(desk("list", "--all", "--json", now="2024-01-15T23:32").json["requests"]) == 7 + more


def test_a_snapshot_from_another_ledger_is_ignored(tmp_path: Path) -> None:
    one, other = make_workspace(tmp_path / "one"), make_workspace(tmp_path / "other")
    busy_afternoon(one)
    other("intake", "--motif", "renouvellement", "--source", "web", now="2024-01-15T13:00")  # differs from line 1
    busy_afternoon(other, requests=2)
    os.replace(one.home / ".snpctl" / "snapshot", other.home / ".snpctl" / "snapshot")
    assert Ledger(other.home)._from_snapshot() is None
    assert (
        other("intake", "--motif", "fievre", "--source", "cot", "--json", now="2024-01-15T23:40").json["request"]
        == "004J"
    )
    assert desk_count(other) == 4


def desk_count(desk: Desk) -> int:
    return len(desk("list", "--all", "--json", now="2024-01-15T23:30").json["requests"])


def test_a_ledger_edited_by_hand_is_not_hidden_by_the_snapshot(desk: Desk) -> None:
    busy_afternoon(desk)
    path = next((desk.home / "ledger").glob("*.jsonl"))
    data = path.read_bytes()
    path.write_bytes(
        data.replace(b'"reason":', b'"reasoN":', 1)
        if b'"reason":' in data
        else data.replace(b'"source":"cot"', b'"source":"web"', 1)
    )
    result = desk("intake", "--motif", "fievre", "--source", "cot", "--json", now="2024-01-15T23:40")
    assert result.code == 3
    assert "ledger/2024-01.jsonl:" in result.err


def test_verify_never_reads_the_snapshot(desk: Desk) -> None:
    busy_afternoon(desk)
    (desk.home / ".snpctl" / "snapshot").write_bytes(b"nonsense")
    assert desk("verify", "--json").json["requests"] == 6
    path = next((desk.home / "ledger").glob("*.jsonl"))
    path.write_bytes(path.read_bytes().replace(b'"source":"cot"', b'"source":"web"', 1))
    assert desk("verify").code == 3


def test_the_snapshot_is_never_tracked_by_git(tmp_path: Path) -> None:
    from conftest import run_cli

    home = tmp_path / "cpts"
    run_cli(["init", str(home)])
    assert ".snpctl/" in (home / ".gitignore").read_text().splitlines()
    assert Ledger(home).snapshot_path.parent == home / ".snpctl"
    assert ".snpctl/" in (Path(__file__).parent.parent / ".gitignore").read_text().splitlines()


def test_a_command_about_a_request_the_snapshot_left_out_still_sees_it(desk: Desk) -> None:
    rid = desk("intake", "--motif", "renouvellement", "--source", "cot", "--json", now="2024-01-15T14:00").json[
        "request"
    ]
    desk("intake", "--motif", "fievre", "--source", "cot", "--json", now="2024-01-20T14:00")  # 5 days later
    (desk.home / ".snpctl" / "snapshot").unlink()
    desk("tick", now="2024-01-20T14:01")  # rebuilds it
    taken = Ledger(desk.home)._from_snapshot()
    assert taken is not None and rid not in taken[0].requests  # closed and quiet: left out
    result = desk("notify", rid, now="2024-01-20T14:05")
    assert result.code == 1 and "closed (out of protocol)" in result.err


@pytest.mark.parametrize("fold", ["full_state", "read"])
def test_a_rebuild_holds_one_month_file_at_a_time(desk: Desk, monkeypatch: pytest.MonkeyPatch, fold: str) -> None:
    for month in ("01", "02", "03"):
        desk("intake", "--motif", "fievre", "--source", "cot", "--json", now=f"2024-{month}-15T14:00")
    seen: list[str] = []
    opening = Path.open
    monkeypatch.setattr(
        Path, "open", lambda path, *a, **k: seen.append(f"open {path.name[:7]}") or opening(path, *a, **k)
    )
    for module in ("snpctl.store.chain", "snpctl.store.fold"):
        applying = importlib.import_module(module).apply
        monkeypatch.setattr(
            f"{module}.apply",
            lambda state, event, applying=applying: seen.append(f"fold {event['at'][:7]}") or applying(state, event),
        )
    getattr(Ledger(desk.home), fold)()
    assert seen == ["open 2024-01", "fold 2024-01", "open 2024-02", "fold 2024-02", "open 2024-03", "fold 2024-03"]


def no_full_fold(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(ledger: Ledger):
        raise AssertionError("folded every line")

    monkeypatch.setattr(Ledger, "full_state", refused)


def an_old_request(desk: Desk) -> str:
    """A request seen and closed in January, then two months of other work: the snapshot leaves it out."""
    rid = desk("intake", "--motif", "fievre", "--source", "cot", "--json", now="2024-01-15T14:00").json["request"]
    desk("notify", rid, now="2024-01-15T14:01")
    desk("accept", rid, "--by", "gp-b", "--at", "17:00", now="2024-01-15T14:05")
    desk("outcome", rid, "seen", now="2024-01-15T18:00")
    desk("intake", "--motif", "fievre", "--source", "cot", now="2024-03-15T14:00")
    (desk.home / ".snpctl" / "snapshot").unlink()  # the next writer takes a new one
    desk("tick", now="2024-03-15T14:01")
    assert rid not in Ledger(desk.home)._from_snapshot()[0].requests
    return rid


@pytest.mark.parametrize(
    "typo, says", [("001X", "There is no request 001X; did you mean 001C?"), ("999U", "There is no request 999U")]
)
def test_a_typo_in_a_request_id_does_not_fold_all_history(
    desk: Desk, monkeypatch: pytest.MonkeyPatch, typo: str, says: str
) -> None:
    an_old_request(desk)
    no_full_fold(monkeypatch)
    result = desk("notify", typo, now="2024-03-15T14:10")
    assert result.code == 1 and says in result.err


def test_a_command_on_an_old_request_reads_its_lines_not_all_history(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    rid = an_old_request(desk)
    no_full_fold(monkeypatch)
    refused = desk("notify", rid, now="2024-03-15T14:10")
    assert refused.code == 1 and "closed (seen)" in refused.err
    sent = desk("synthesis", rid, "--by", "gp-b", "--text", "Otite, amoxicilline.", "--json", now="2024-03-15T14:11")
    assert sent.code == 0, sent.err
    monkeypatch.undo()
    assert Ledger(desk.home).full_state()[0].requests[rid].synthesis


def test_a_command_on_an_old_request_keeps_the_open_ones_in_the_snapshot(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    rid = an_old_request(desk)
    waiting = desk("intake", "--motif", "fievre", "--source", "cot", "--json", now="2024-03-15T14:05").json["request"]
    monkeypatch.setattr(snapshot, "EVERY", 1)  # the synthesis leaves a snapshot behind
    assert desk("synthesis", rid, "--by", "gp-b", "--text", "Otite.", now="2024-03-15T14:10").code == 0
    taken = Ledger(desk.home)._from_snapshot()[0]
    assert list(taken.requests) == sorted(taken.requests)  # in the order of their numbers, as a full fold
    listed = desk("list", "--json", now="2024-03-15T14:11").json["requests"]
    assert waiting in [r["request"] for r in listed]
    same_hot_state(taken, Ledger(desk.home).full_state()[0])


def test_show_on_an_old_request_reads_its_lines_not_all_history(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    rid = an_old_request(desk)
    no_full_fold(monkeypatch)
    monkeypatch.setattr(Ledger, "read", lambda ledger: pytest.fail("read every line"))
    shown = desk("show", rid, "--json", now="2024-03-15T14:10")
    assert shown.code == 0, shown.err
    assert shown.json["status"] == "seen"
    assert shown.json["events"] == timeline(desk.events(), rid)


@pytest.mark.parametrize(
    "command", [("show", "{rid}", "--json"), ("synthesis", "{rid}", "--by", "gp-b", "--text", "Vu.")]
)
def test_a_line_of_an_old_request_damaged_behind_the_snapshots_back_is_still_caught(desk: Desk, command) -> None:
    rid = an_old_request(desk)
    path = desk.home / "ledger" / "2024-01.jsonl"
    seen = os.stat(path)
    data = path.read_bytes()
    outcome = data.index(b'"outcome":"seen"')
    line = data.rfind(b"\n", 0, outcome) + 1
    path.write_bytes(data[:line] + b"[" + data[line + 1 :])  # same size, no longer JSON
    os.utime(path, ns=(seen.st_atime_ns, seen.st_mtime_ns))  # and the same time: the snapshot fits
    assert Ledger(desk.home)._from_snapshot() is not None
    result = desk(*(word.format(rid=rid) for word in command), now="2024-03-15T14:10")
    assert result.code == 3, result.err
    assert result.err.startswith("snpctl: ledger/2024-01.jsonl:") and result.err.count("\n") == 1


def test_show_names_a_damaged_line_of_a_request_the_snapshot_holds(desk: Desk) -> None:
    rid = desk("intake", "--motif", "fievre", "--source", "cot", "--json", now="2024-01-15T14:00").json["request"]
    desk("notify", rid, now="2024-01-15T14:01")
    (desk.home / ".snpctl" / "snapshot").unlink()
    desk("tick", now="2024-01-15T14:02")  # a snapshot as of the last line
    path = desk.home / "ledger" / "2024-01.jsonl"
    seen, data = os.stat(path), path.read_bytes()
    path.write_bytes(b"[" + data[1:])  # its intake, before the snapshot's line; same size and time
    os.utime(path, ns=(seen.st_atime_ns, seen.st_mtime_ns))
    assert Ledger(desk.home)._from_snapshot() is not None
    result = desk("show", rid, "--json", now="2024-01-15T14:02")
    assert result.code == 3 and result.err.count("\n") == 1, result.err
    assert f"request {rid}" in result.err and "snpctl verify" in result.err


def test_an_old_request_whose_lines_do_not_make_it_is_left_to_the_full_fold(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    rid = an_old_request(desk)
    monkeypatch.setattr(Ledger, "history_of", lambda ledger, rid: None)
    result = desk("notify", rid, now="2024-03-15T14:10")
    assert result.code == 1 and "closed (seen)" in result.err


def folds_of_all_history(monkeypatch: pytest.MonkeyPatch, home: Path) -> list[str]:
    """Each fold of every line from now on, said "locked" or "free" as the ledger's lock then was."""
    seen: list[str] = []
    folding = Ledger._fold_strict

    def fold(ledger: Ledger, lines, state=None):
        if state is None:
            fd = os.open(home / "ledger", os.O_RDONLY | os.O_DIRECTORY)  # the ledger's lock
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                seen.append("free")
            except BlockingIOError:
                seen.append("locked")
            finally:
                os.close(fd)  # and with it the lock this took, if it took it
        return folding(ledger, lines, state)

    monkeypatch.setattr(Ledger, "_fold_strict", fold)
    return seen


def test_a_writer_with_no_snapshot_folds_all_history_without_holding_the_lock(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    busy_afternoon(desk)
    (desk.home / ".snpctl" / "snapshot").unlink()
    folds = folds_of_all_history(monkeypatch, desk.home)
    assert desk("intake", "--motif", "fievre", "--source", "cot", now="2024-01-15T23:40").code == 0
    assert folds == ["free"]  # then, locked, only the lines appended since
    monkeypatch.undo()
    assert desk("list", "--all", "--json", now="2024-01-15T23:41").json["requests"][-1]["request"] == "007M"


def test_a_fold_without_the_lock_that_saw_the_files_move_is_not_kept(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    busy_afternoon(desk)
    (desk.home / ".snpctl" / "snapshot").unlink()
    folds = folds_of_all_history(monkeypatch, desk.home)
    stats, moved = Ledger.stats, iter([[("2024-01.jsonl", 0, 0)]])
    monkeypatch.setattr(Ledger, "stats", lambda ledger: next(moved, None) or stats(ledger))
    assert desk("intake", "--motif", "fievre", "--source", "cot", now="2024-01-15T23:40").code == 0
    assert folds == ["free", "locked"]  # what it read may be half of a change: folded again, locked


def test_a_writer_does_not_wait_for_ever_on_another_that_folds_history(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    busy_afternoon(desk)
    (desk.home / ".snpctl" / "snapshot").unlink()
    folds = folds_of_all_history(monkeypatch, desk.home)
    monkeypatch.setattr("snpctl.store.lock.WARM_WAIT", 0.2)
    held = os.open(desk.home / ".snpctl" / "warm", os.O_RDWR | os.O_CREAT)
    fcntl.flock(held, fcntl.LOCK_EX)  # as by a process stopped in the middle of its fold
    try:
        result = desk("intake", "--motif", "fievre", "--source", "cot", "--json", now="2024-01-15T23:40")
    finally:
        os.close(held)
    assert result.code == 0, result.err
    assert folds == ["locked"]  # it gave up waiting, and folded under the ledger's lock


# -- property: snapshot + tail == full fold, over random histories ---------------------------

step = st.tuples(
    st.sampled_from(["intake", "notify", "accept", "refuse", "outcome", "tick", "cancel", "synthesis"]),
    st.integers(min_value=0, max_value=600),
    st.integers(min_value=0, max_value=9),
    st.sampled_from(["gp-a", "gp-b", "gp-cami"]),
)


def play(home: Path, steps: list[tuple[str, int, int, str]], between=None) -> datetime:
    """Random desk work through the service functions, each step a new process.

    ``between(ws, now, index)`` runs after each step.
    """
    now = START
    for index, (kind, minutes, pick, member) in enumerate(steps):
        now += timedelta(minutes=minutes)
        ws = Workspace(home)  # a new process, as each command is
        try:
            if kind == "intake":
                service.intake(
                    ws, now, motif="fievre", source="cot", treating_doctor=member, phone="0600000000", seed="p"
                )
            elif kind == "tick":
                service.tick(ws, now)
                delivery.deliver(ws, now)
            else:
                state, _ = ws.ledger.read()
                ids = sorted(state.requests)
                if not ids:
                    continue
                rid = ids[pick % len(ids)]
                if kind == "notify":
                    service.notify(ws, now, request=rid)
                elif kind == "accept":
                    service.accept(
                        ws, now, request=rid, by=member, appointment=now + timedelta(hours=2), site="cabinet"
                    )
                elif kind == "refuse":
                    service.refuse(ws, now, request=rid, by=member)
                elif kind == "outcome":
                    service.outcome(ws, now, request=rid, outcome="seen")
                elif kind == "synthesis":
                    service.synthesis(ws, now, request=rid, by=member, text="Vu, revu dans 48 h.")
                else:
                    service.outcome(ws, now, request=rid, outcome="cancelled")
        except SnpctlError:
            pass
        if between is not None:
            between(ws, now, index)
    return now


@settings(max_examples=40, deadline=None)
@given(st.lists(step, min_size=1, max_size=40), st.integers(min_value=1, max_value=40))
def test_snapshot_plus_tail_equals_the_full_fold(steps, snapshot_every) -> None:
    def forget_the_snapshot_now_and_then(ws: Workspace, now: datetime, index: int) -> None:
        if (index + 1) % snapshot_every == 0:
            (home / ".snpctl" / "snapshot").unlink(missing_ok=True)  # the next writer takes a new one

    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "cpts"
        make_workspace(home)
        play(home, steps, forget_the_snapshot_now_and_then)
        taken = Ledger(home)._from_snapshot()
        full, _ = Ledger(home).full_state()
        assert (taken is None) == (not (home / ".snpctl" / "snapshot").exists())  # one left behind must fit
        if taken is not None:
            same_hot_state(taken[0], full)
        events = [event for _line, event in Ledger(home).stream()]
        for rid, request in full.requests.items():
            assert Ledger(home).history_of(rid) == request, rid
            assert Ledger(home).timeline(rid) == timeline(events, rid), rid


# -- a snapshot that keeps up with commands typed one by one (issue 11) -------------------------


def lines_folded_after_the_snapshot(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many lines each command folds after the snapshot it read (one entry per reading of a snapshot)."""
    folded: list[int] = []
    reading = Ledger.lines

    def lines(ledger: Ledger, start=None):
        found = reading(ledger, start)
        if start is not None:
            folded.append(len(found[0]))
        return found

    monkeypatch.setattr(Ledger, "lines", lines)
    return folded


def snapshot_seq(desk: Desk) -> int:
    return snapshot.load(desk.home / ".snpctl" / "snapshot").state.seq


def type_intakes(desk: Desk, count: int) -> None:
    """``count`` intakes typed one by one, each its own command (a new Workspace and Ledger read from the files)."""
    for n in range(count):
        at = (datetime(2024, 1, 15, 8, 0) + timedelta(minutes=n)).isoformat(timespec="minutes")
        assert desk("intake", "--motif", "renouvellement", "--source", "cot", now=at).code == 0


def test_commands_typed_one_by_one_keep_the_snapshot_within_every_events_of_the_end(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(snapshot, "EVERY", 16)
    folded = lines_folded_after_the_snapshot(monkeypatch)
    type_intakes(desk, 70)
    assert 70 - 16 < snapshot_seq(desk) <= 70
    assert max(folded) < 16  # each command folded at most what came since the last snapshot


@pytest.mark.slow
def test_three_hundred_intakes_typed_one_by_one_renew_the_snapshot(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    folded = lines_folded_after_the_snapshot(monkeypatch)
    type_intakes(desk, 300)
    assert 300 - snapshot.EVERY < snapshot_seq(desk) <= 300  # not the first line's, as it was
    assert max(folded) < snapshot.EVERY


def test_long_lines_since_the_snapshot_renew_it_before_every_events(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(snapshot, "EVERY_BYTES", 2_000)  # some 6 intake lines
    folded = lines_folded_after_the_snapshot(monkeypatch)
    type_intakes(desk, 30)
    assert snapshot_seq(desk) > 20
    assert max(folded) <= 8


# -- a snapshot edited by hand is not read (issue 11) ----------------------------------------------


def tamper(desk: Desk, change) -> None:
    """Edit the snapshot's content (``change(payload)``, a list) and keep its seal, as a hand edit would."""
    path = desk.home / ".snpctl" / "snapshot"
    data = path.read_bytes()
    payload = list(marshal.loads(data[32:]))
    change(payload)
    path.write_bytes(data[:32] + marshal.dumps(tuple(payload)))


def request_field(payload: list, rid: str, name: str, value) -> None:
    """Set field ``name`` of request ``rid`` in a snapshot's payload (its requests are its tenth item)."""
    index = Request._fields.index(name)
    payload[9] = [
        tuple(value if i == index and fields[0] == rid else v for i, v in enumerate(fields)) for fields in payload[9]
    ]


def fresh_snapshot(desk: Desk, now: str) -> None:
    (desk.home / ".snpctl" / "snapshot").unlink()
    assert desk("tick", now=now).code == 0  # a snapshot as of the last line
    assert snapshot_seq(desk) == len(desk.events())


def test_a_status_flipped_in_the_snapshot_does_not_let_a_second_member_accept(desk: Desk) -> None:
    rid = desk("intake", "--motif", "fievre", "--source", "cot", "--json", now="2024-01-15T16:00").json["request"]
    desk("notify", rid, now="2024-01-15T16:01")
    assert desk("accept", rid, "--by", "gp-a", "--at", "18:00", "--site", "cabinet", now="2024-01-15T16:05").code == 0
    fresh_snapshot(desk, "2024-01-15T16:06")
    tamper(desk, lambda payload: request_field(payload, rid, "status", "community"))
    second = desk("accept", rid, "--by", "gp-b", "--at", "18:00", "--site", "cabinet", now="2024-01-15T16:07")
    assert second.code == 1 and "already taken by Dr A (gp-a)" in second.err, second.err
    assert [e["type"] for e in desk.events()].count("accept") == 1


def test_a_request_count_zeroed_in_the_snapshot_does_not_give_001C_twice(desk: Desk) -> None:
    desk("intake", "--motif", "fievre", "--source", "cot", now="2024-01-15T16:00")
    fresh_snapshot(desk, "2024-01-15T16:01")
    tamper(desk, lambda payload: payload.__setitem__(5, 0))  # request_count
    again = desk("intake", "--motif", "fievre", "--source", "cot", "--json", now="2024-01-15T16:02")
    assert again.json["request"] == "002E"


def test_a_deadline_changed_in_the_snapshot_still_escalates(desk: Desk) -> None:
    rid = desk(
        "intake", "--motif", "fievre", "--source", "cot", "--treating-doctor", "gp-a", "--json", now="2024-01-15T16:00"
    ).json["request"]
    desk("notify", rid, now="2024-01-15T16:01")  # gp-a's window: one hour
    fresh_snapshot(desk, "2024-01-15T16:02")
    later = int(datetime(2034, 1, 15, tzinfo=UTC).timestamp())  # 2024 -> 2034: one digit
    tamper(desk, lambda payload: request_field(payload, rid, "deadline", later))
    assert desk("tick", "--json", now="2024-01-15T17:05").json["escalated"] == [rid]


# -- a writer never appends a line verify would reject (issue 11) ----------------------------------


def test_a_writer_refuses_a_line_verify_would_reject_and_writes_nothing(desk: Desk) -> None:
    desk("intake", "--motif", "fievre", "--source", "cot", now="2024-01-15T16:00")
    before = desk.ledger_bytes()
    ledger = Ledger(desk.home)
    # a profession a config let through, say
    with pytest.raises(LedgerError) as refused, ledger.transaction(START) as transaction:
        transaction.append(
            [
                new(
                    "intake",
                    START,
                    request="002E",
                    motif="fievre",
                    category="infectieux",
                    profession="Dr Jean Dupont 06 12 34 56 78",
                    source="cot",
                    action="trigger",
                    treating_doctor="none",
                    patient="p-1",
                    contact="none",
                )
            ]
        )
    assert "looks like a phone number" in refused.value.message
    assert "nothing was recorded" in refused.value.message and "\n" not in refused.value.message
    assert desk.ledger_bytes() == before
    assert desk("verify").code == 0


def test_an_edit_of_the_same_size_with_its_time_restored_is_caught_by_verify_not_by_writers(desk: Desk) -> None:
    """What writers do not catch, written down: bit rot or `cp -p` of an older line (same size, same
    mtime) behind the snapshot's back. Writers check sizes, times and the snapshot's own line, not every
    byte of history; `verify` reads every byte and names where the chain breaks. So `verify` runs from cron too."""
    busy_afternoon(desk)
    (desk.home / ".snpctl" / "snapshot").unlink()
    desk("tick", now="2024-01-15T23:01")  # a snapshot as of the last line
    path = next((desk.home / "ledger").glob("*.jsonl"))
    before = os.stat(path)
    path.write_bytes(path.read_bytes().replace(b'"source":"cot"', b'"source":"web"', 1))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert desk("intake", "--motif", "fievre", "--source", "cot", now="2024-01-15T23:05").code == 0
    result = desk("verify")
    assert result.code == 3
    assert result.err.startswith("snpctl: ledger/2024-01.jsonl:2: hash chain broken")  # the line after the edit
