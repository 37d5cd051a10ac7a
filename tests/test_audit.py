"""`snpctl verify` (contract section 9): any tampering with the ledger is caught, at its first bad line.

One afternoon of a small CPTS is typed through the CLI once (requests with every fate); each test
copies it into a fresh workspace, damages it in one way, and reads what `verify` says. Line numbers
are found by looking the event up (the n-th line is the accept of request 004J, ...), so the tests
say which line is to blame, not where it happens to sit today.

Two kinds of damage:
- made by hand and recomputing nothing (a flipped byte, a line deleted, swapped, duplicated,
  edited): the sequence or the hash chain breaks at the first bad line;
- made by a tool that recomputes the whole chain (seq and prev consistent): only the replay of
  the cascade rules (an impossible history) or the personal-data check can tell, and they must.
Plus: events cut off the end are caught with a checkpoint, and a table of malformed lines.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from snpctl import service
from snpctl.domain.audit import personal_data
from snpctl.service import patient_ref
from snpctl.store.ledger import Ledger
from snpctl.store.verify import Bad, verify
from snpctl.store.workspace import Workspace

from conftest import REPO, Desk, Run, make_workspace

MONDAY = "2024-01-15"
FILE = "2024-01.jsonl"

# -- helpers -------------------------------------------------------------------------------


def canonical(event: dict) -> bytes:
    return json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def rechain(events: list[dict]) -> bytes:
    """What a careful forger does: renumber every ``seq`` and recompute every ``prev``."""
    previous, out = "0" * 64, []
    for number, event in enumerate(events, 1):
        raw = canonical({**event, "seq": number, "prev": previous})
        previous = hashlib.sha256(raw).hexdigest()
        out.append(raw + b"\n")
    return b"".join(out)


def line_of(events: list[dict], kind: str, request: str, nth: int = 1) -> int:
    """1-based line number of the ``nth`` event of type ``kind`` for ``request``."""
    found = [
        number for number, event in enumerate(events, 1) if event["type"] == kind and event.get("request") == request
    ]
    assert len(found) >= nth, f"no {kind} #{nth} of {request} in the fixture"
    return found[nth - 1]


def assert_names(run: Run, line: int, *words: str) -> None:
    """verify failed (exit 3) on one plain line that starts with ``ledger/2024-01.jsonl:LINE:``."""
    shown = f"exit {run.code}\nstdout: {run.out!r}\nstderr: {run.err!r}"
    assert run.code == 3, shown
    assert "Traceback" not in run.out + run.err, shown
    assert run.err.count("\n") == 1, shown
    assert run.err.startswith(f"snpctl: ledger/{FILE}:{line}: "), shown
    for word in words:
        assert word in run.err, f"stderr should mention {word!r}\n" + shown


# -- the fixture: one afternoon, every fate --------------------------------------------------

AFTERNOON = [
    # (command, Europe/Paris time); r1..r7 are the request ids in order of intake
    (["intake", "--motif", "fievre", "--source", "cot", "--treating-doctor", "gp-a"], "16:00"),  # r1
    (["notify", "{r1}"], "16:01"),  # gp-a alone until 17:01
    (["intake", "--motif", "renouvellement", "--source", "web"], "16:02"),  # r2
    (["intake", "--motif", "douleur_thoracique", "--source", "cot"], "16:03"),  # r3
    (["intake", "--motif", "fievre", "--source", "cot", "--treating-doctor", "gp-b"], "16:04"),  # r4
    (["notify", "{r4}"], "16:05"),
    (["refuse", "{r4}", "--by", "gp-b", "--reason", "busy"], "16:06"),  # and escalates at once
    (["accept", "{r1}", "--by", "gp-a", "--at", "18:00"], "16:10"),  # in the treating doctor's window
    (["accept", "{r4}", "--by", "gp-cami", "--at", "17:00"], "16:20"),  # at the CAMI
    (["intake", "--motif", "fievre", "--source", "cot", "--treating-doctor", "none"], "16:30"),  # r5
    (["notify", "{r5}"], "16:31"),  # community until 18:31
    (["intake", "--motif", "fievre", "--source", "samu"], "16:40"),  # r6
    (["book", "{r6}", "--by", "gp-cami", "--at", "17:45"], "16:41"),
    (["intake", "--motif", "fievre", "--source", "cot", "--treating-doctor", "gp-a"], "16:50"),  # r7
    (["notify", "{r7}"], "16:51"),  # gp-a alone until 17:51
    (["outcome", "{r4}", "no-show"], "17:30"),
    (["tick"], "17:51"),  # r7 escalates
    (["accept", "{r7}", "--by", "gp-b", "--at", "19:00"], "17:55"),
    (["outcome", "{r1}", "seen"], "18:05"),
    (["outcome", "{r6}", "seen"], "18:10"),
    (["tick"], "18:31"),  # r5 expires
]
IDS = {f"r{n}": rid for n, rid in enumerate(["001C", "002E", "003H", "004J", "005K", "006L", "007M"], 1)}


def play(desk: Desk, steps: list[tuple[list[str], str]]) -> None:
    for args, hhmm in steps:
        args = [a.format(**IDS) for a in args]
        run = desk(*args, "--json", now=f"{MONDAY}T{hhmm}")
        assert run.code == 0, f"fixture step {args} at {hhmm}: exit {run.code}, {run.err}"


@pytest.fixture(scope="module")
def afternoon(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The bytes of ``ledger/2024-01.jsonl`` after the afternoon above, built once for this file."""
    desk = make_workspace(tmp_path_factory.mktemp("afternoon") / "cpts")
    play(desk, AFTERNOON)
    assert [e["request"] for e in desk.events() if e["type"] == "intake"] == list(IDS.values())
    assert desk("verify").code == 0
    return desk.ledger_bytes()


def workspace(tmp_path: Path, ledger: bytes) -> Desk:
    desk = make_workspace(tmp_path / "cpts")
    (desk.home / "ledger" / FILE).write_bytes(ledger)
    return desk


def parts(ledger: bytes) -> list[bytes]:
    """The lines of a ledger, each with its newline."""
    return ledger.splitlines(keepends=True)


def events_of(ledger: bytes) -> list[dict]:
    return [json.loads(line) for line in ledger.splitlines()]


# -- the untouched fixture ---------------------------------------------------------------------


def test_the_untouched_afternoon_verifies(tmp_path: Path, afternoon: bytes) -> None:
    desk = workspace(tmp_path, afternoon)
    run = desk("verify", "--json")
    assert run.code == 0, run.err
    assert run.json["ok"] is True
    assert (run.json["events"], run.json["requests"]) == (len(events_of(afternoon)), 7)
    assert run.json["last_hash"] == hashlib.sha256(afternoon.splitlines()[-1]).hexdigest()


def test_verify_without_json_says_ok_on_one_line(tmp_path: Path, afternoon: bytes) -> None:
    run = workspace(tmp_path, afternoon)("verify")
    assert (run.code, run.err) == (0, "")
    assert run.out.startswith(f"Ledger OK: {len(events_of(afternoon))} events, 7 requests")


# -- damage by hand: nothing recomputed --------------------------------------------------------


def test_a_flipped_byte_in_a_prev_hash_names_that_line(tmp_path: Path, afternoon: bytes) -> None:
    lines = parts(afternoon)
    n = line_of(events_of(afternoon), "accept", IDS["r4"])
    prev = json.loads(lines[n - 1])["prev"]
    lines[n - 1] = lines[n - 1].replace(prev.encode(), (("1" if prev[0] != "1" else "2") + prev[1:]).encode())
    assert_names(workspace(tmp_path, b"".join(lines))("verify"), n, "hash chain broken")


def test_a_flipped_byte_in_a_value_names_the_next_line_as_the_chain_breaks_there(
    tmp_path: Path, afternoon: bytes
) -> None:
    lines = parts(afternoon)
    n = line_of(events_of(afternoon), "accept", IDS["r4"])
    assert b'"by":"gp-cami"' in lines[n - 1]
    lines[n - 1] = lines[n - 1].replace(b'"by":"gp-cami"', b'"by":"gp-camj"')  # still a legal-looking event
    assert_names(workspace(tmp_path, b"".join(lines))("verify"), n + 1, "hash chain broken", "line before was changed")


def test_any_flipped_byte_of_a_line_is_caught_at_that_line_or_the_next(tmp_path: Path, afternoon: bytes) -> None:
    """Every single byte of the accept of 004J, its newline included: never accepted, never blamed elsewhere."""
    desk = workspace(tmp_path, afternoon)
    path = desk.home / "ledger" / FILE
    lines = parts(afternoon)
    n = line_of(events_of(afternoon), "accept", IDS["r4"])
    before, line, after = b"".join(lines[: n - 1]), lines[n - 1], b"".join(lines[n:])
    for position in range(len(line)):
        flipped = bytearray(line)
        flipped[position] ^= 0x01
        path.write_bytes(before + bytes(flipped) + after)
        with pytest.raises(Bad) as caught:
            verify(Ledger(desk.home))
        where = f"byte {position} ({chr(line[position])!r}): {caught.value}"
        assert (caught.value.file, caught.value.line) in ((FILE, n), (FILE, n + 1)), where
        if caught.value.line == n + 1:
            assert "hash chain broken" in caught.value.problem, where


def test_a_deleted_line_names_the_line_that_took_its_place(tmp_path: Path, afternoon: bytes) -> None:
    lines = parts(afternoon)
    n = line_of(events_of(afternoon), "refuse", IDS["r4"])
    del lines[n - 1]
    assert_names(workspace(tmp_path, b"".join(lines))("verify"), n, f"sequence number {n + 1}, expected {n}")


def test_a_deleted_first_line_names_line_1(tmp_path: Path, afternoon: bytes) -> None:
    assert_names(workspace(tmp_path, b"".join(parts(afternoon)[1:]))("verify"), 1, "sequence number 2, expected 1")


def test_two_swapped_lines_name_the_first_of_them(tmp_path: Path, afternoon: bytes) -> None:
    lines = parts(afternoon)
    n = line_of(events_of(afternoon), "accept", IDS["r1"])
    lines[n - 1], lines[n] = lines[n], lines[n - 1]
    assert_names(workspace(tmp_path, b"".join(lines))("verify"), n, f"sequence number {n + 1}, expected {n}")


def test_a_duplicated_line_names_the_copy(tmp_path: Path, afternoon: bytes) -> None:
    lines = parts(afternoon)
    n = line_of(events_of(afternoon), "accept", IDS["r7"])
    lines.insert(n, lines[n - 1])
    assert_names(workspace(tmp_path, b"".join(lines))("verify"), n + 1, f"sequence number {n}, expected {n + 1}")


def test_a_duplicated_last_line_names_the_copy(tmp_path: Path, afternoon: bytes) -> None:
    lines = parts(afternoon)
    total = len(lines)
    assert_names(
        workspace(tmp_path, afternoon + lines[-1])("verify"),
        total + 1,
        f"sequence number {total}, expected {total + 1}",
    )


def test_an_edited_field_names_the_next_line(tmp_path: Path, afternoon: bytes) -> None:
    """The appointment of 001C moved from 18:00 to 18:30 by hand: the next line's prev no longer matches."""
    lines = parts(afternoon)
    n = line_of(events_of(afternoon), "accept", IDS["r1"])
    event = json.loads(lines[n - 1])
    assert event["appointment"] == "2024-01-15T17:00:00Z"
    lines[n - 1] = canonical({**event, "appointment": "2024-01-15T17:30:00Z"}) + b"\n"
    assert_names(workspace(tmp_path, b"".join(lines))("verify"), n + 1, "hash chain broken")


def test_an_edited_line_re_serialised_with_spaces_names_that_line(tmp_path: Path, afternoon: bytes) -> None:
    lines = parts(afternoon)
    n = line_of(events_of(afternoon), "notify", IDS["r5"])
    lines[n - 1] = json.dumps(json.loads(lines[n - 1]), sort_keys=True).encode() + b"\n"
    assert_names(workspace(tmp_path, b"".join(lines))("verify"), n, "not canonical")


HAND_DAMAGE = [
    pytest.param(
        lambda lines, n: lines.__setitem__(n - 1, lines[n - 1].replace(b"gp-cami", b"gp-camj")), id="flipped-byte"
    ),
    pytest.param(lambda lines, n: lines.__delitem__(n - 1), id="deleted-line"),
    pytest.param(lambda lines, n: lines.insert(n, lines[n - 1]), id="duplicated-line"),
    pytest.param(lambda lines, n: lines.__setitem__(slice(n - 1, n + 1), [lines[n], lines[n - 1]]), id="swapped-lines"),
    pytest.param(
        lambda lines, n: lines.__setitem__(n - 1, json.dumps(json.loads(lines[n - 1])).encode() + b"\n"),
        id="re-serialised-line",
    ),
]


@pytest.mark.parametrize("damage", HAND_DAMAGE)
def test_damage_by_hand_also_stops_a_writing_command(tmp_path: Path, afternoon: bytes, damage) -> None:
    lines = parts(afternoon)
    damage(lines, line_of(events_of(afternoon), "accept", IDS["r4"]))
    desk = workspace(tmp_path, b"".join(lines))
    before = desk.ledger_bytes()
    run = desk("intake", "--motif", "fievre", "--source", "cot", "--json", now=f"{MONDAY}T19:00")
    assert (run.code, run.out) == (3, ""), run.err
    assert run.err.count("\n") == 1 and "Traceback" not in run.err
    assert run.err.startswith(f"snpctl: ledger/{FILE}:") and "snpctl verify" in run.err, run.err
    assert desk.ledger_bytes() == before


# -- damage by a tool that recomputes the chain: the replay of the rules catches it --------------


def forged(afternoon: bytes, edit) -> tuple[bytes, int]:
    """Apply ``edit(events) -> line number to blame`` to the events, then recompute the whole chain."""
    events = events_of(afternoon)
    blame = edit(events)
    return rechain(events), blame


def test_the_recomputed_chain_alone_verifies(tmp_path: Path, afternoon: bytes) -> None:
    """Proves the forger below is good: recomputing an untouched ledger gives the same bytes."""
    assert rechain(events_of(afternoon)) == afternoon


def _accept_by_another_in_the_treating_doctors_window(events: list[dict]) -> int:
    n = line_of(events, "accept", IDS["r1"])  # gp-a, 16:10, inside gp-a's window (until 17:01)
    events[n - 1]["by"] = "gp-b"
    return n


def _second_accept(events: list[dict]) -> int:
    n = line_of(events, "accept", IDS["r4"])
    events.insert(n, {**events[n - 1], "by": "gp-a", "site": "cabinet", "at": "2024-01-15T15:21:00Z"})
    return n + 1


def _book_after_accept(events: list[dict]) -> int:
    n = line_of(events, "accept", IDS["r7"])
    events.insert(n, {**events[n - 1], "type": "book", "by": "gp-cami", "site": "cami"})
    return n + 1


def _accept_after_expiry(events: list[dict]) -> int:
    n = line_of(events, "expire", IDS["r5"])  # expired at 18:31 (17:31Z)
    events[n - 1] = {
        "type": "accept",
        "at": events[n - 1]["at"],
        "request": IDS["r5"],
        "by": "gp-b",
        "site": "cabinet",
        "appointment": "2024-01-15T18:00:00Z",
    }
    return n


def _outcome_before_the_appointment(events: list[dict]) -> int:
    n = line_of(events, "outcome", IDS["r1"])  # appointment 18:00 (17:00Z); "seen" at 17:50
    events[n - 1]["at"] = "2024-01-15T16:50:00Z"
    return n


def _escalation_before_the_window_ended(events: list[dict]) -> int:
    n = line_of(events, "escalate", IDS["r7"])  # gp-a's window ran until 17:51 (16:51Z)
    events[n - 1]["at"] = "2024-01-15T16:45:00Z"
    return n


def _expiry_before_the_window_ended(events: list[dict]) -> int:
    n = line_of(events, "expire", IDS["r5"])  # expires at 18:31 (17:31Z)
    events[n - 1]["at"] = "2024-01-15T17:20:00Z"
    return n


def _accept_by_a_member_who_refused(events: list[dict]) -> int:
    n = line_of(events, "accept", IDS["r4"])  # gp-b refused 004J at 16:06
    events[n - 1].update(by="gp-b", site="cabinet")
    return n


def _accept_of_a_request_never_triggered(events: list[dict]) -> int:
    n = line_of(events, "book", IDS["r6"])
    events[n - 1]["type"] = "accept"
    return n


def _appointment_before_the_acceptance(events: list[dict]) -> int:
    n = line_of(events, "accept", IDS["r7"])  # accepted 17:55 (16:55Z)
    events[n - 1]["appointment"] = "2024-01-15T16:30:00Z"
    return n


def _intake_with_a_reused_id(events: list[dict]) -> int:
    n = line_of(events, "intake", IDS["r5"])
    events[n - 1]["request"] = IDS["r4"]
    return n


def _time_going_backwards_within_a_request(events: list[dict]) -> int:
    n = line_of(events, "refuse", IDS["r4"])  # notify at 16:05 (15:05Z)
    events[n - 1]["at"] = "2024-01-15T15:04:00Z"
    return n


ILLEGAL = [
    pytest.param(
        _accept_by_another_in_the_treating_doctors_window,
        "reserved to another member",
        id="accept-by-another-member-in-the-treating-doctors-window",
    ),
    pytest.param(_second_accept, "already accepted", id="second-accept"),
    pytest.param(_book_after_accept, "already accepted", id="book-after-accept"),
    pytest.param(_accept_after_expiry, "had expired", id="accept-after-expiry"),
    pytest.param(_outcome_before_the_appointment, "appointment time had not come", id="outcome-before-appointment"),
    pytest.param(_escalation_before_the_window_ended, "had not ended", id="escalation-before-the-window-ended"),
    pytest.param(_expiry_before_the_window_ended, "had not run out", id="expiry-before-the-window-ended"),
    pytest.param(_accept_by_a_member_who_refused, "had refused", id="accept-by-a-member-who-refused"),
    pytest.param(_accept_of_a_request_never_triggered, "not triggered", id="accept-of-a-request-never-triggered"),
    pytest.param(_appointment_before_the_acceptance, "in the past", id="appointment-before-acceptance"),
    pytest.param(_intake_with_a_reused_id, "expected 005K", id="intake-with-a-reused-id"),
    pytest.param(_time_going_backwards_within_a_request, "dated before", id="time-backwards-within-a-request"),
]


@pytest.mark.parametrize("edit, why", ILLEGAL)
def test_an_impossible_history_with_a_whole_chain_names_the_line(
    tmp_path: Path, afternoon: bytes, edit, why: str
) -> None:
    ledger, blame = forged(afternoon, edit)
    assert_names(workspace(tmp_path, ledger)("verify"), blame, why)


# -- personal data smuggled into a field ----------------------------------------------------------

PERSONAL = [
    pytest.param("patient", "06 12 34 56 78", "a phone number", id="phone-with-spaces"),
    pytest.param("patient", "0612345678", "a phone number", id="phone-digits"),
    pytest.param("patient", "+33 6 12 34 56 78", "a phone number", id="phone-international"),
    pytest.param("patient", "lea.bernard@gmail.com", "an email address", id="email"),
    pytest.param("patient", "1 84 12 75 123 456 78", "a social security number", id="nir-with-spaces"),
    pytest.param("patient", "184127512345678", "a social security number", id="nir-digits"),
    pytest.param("patient", "2 90 05 2A 004 012 33", "a social security number", id="nir-corsica"),
    pytest.param("motif", "fievre 06.12.34.56.78", "a phone number", id="phone-inside-another-field"),
]


@pytest.mark.parametrize("field, value, what", PERSONAL)
def test_personal_data_with_a_whole_chain_is_caught(
    tmp_path: Path, afternoon: bytes, field: str, value: str, what: str
) -> None:
    def smuggle(events: list[dict]) -> int:
        n = line_of(events, "intake", IDS["r5"])
        events[n - 1][field] = value
        return n

    ledger, blame = forged(afternoon, smuggle)
    assert_names(workspace(tmp_path, ledger)("verify"), blame, f"field {field!r} looks like {what}")


def test_a_busy_ledger_of_three_hundred_requests_has_no_false_positive(tmp_path: Path) -> None:
    """Random patient references, sha256 hashes, recoveries, messages: nothing in a normal ledger looks personal."""
    desk = make_workspace(tmp_path / "cpts")
    ws = Workspace(desk.home)
    start = datetime(2024, 1, 15, 14, 0, tzinfo=UTC)  # 15:00 in Paris, a Monday
    members = ["gp-a", "gp-b", "gp-cami"]
    for number in range(300):
        now = start + timedelta(minutes=number)
        if number % 50 == 25:  # a torn write now and then: recovery events
            with (desk.home / "ledger" / FILE).open("ab") as handle:
                handle.write(b'{"at":"2024-01-15T1')
        doctor = ["gp-a", "none", "unknown", "external"][number % 4]
        private = {"patient": "Léa Bernard", "phone": "06 12 34 56 78"} if number % 2 else {}  # texted patients
        rid = service.intake(ws, now, motif="fievre", source="cot", treating_doctor=doctor, **private).data["request"]
        service.notify(ws, now, request=rid)
        if number % 3:
            taker = doctor if doctor == "gp-a" else members[number % 3]
            service.accept(ws, now, request=rid, by=taker, appointment=now + timedelta(hours=1), site="cabinet")
    assert len(list((desk.home / "private" / "quarantine").iterdir())) == 6
    refs = [e["patient"] for e in desk.events() if e["type"] == "intake"]
    assert len(set(refs)) == 300  # really random references
    assert b"Bernard" not in desk.ledger_bytes() and b"06 12" not in desk.ledger_bytes()
    summary = verify(Ledger(desk.home))
    assert (summary.requests, summary.events) == (300, len(desk.events()))


def test_random_patient_references_never_look_personal() -> None:
    for number in range(20000):
        ref = patient_ref(None, number)
        assert personal_data({"patient": ref}) is None, ref


# -- truncation and the checkpoint -----------------------------------------------------------------


def test_events_cut_off_the_end_are_caught_with_a_checkpoint(tmp_path: Path, afternoon: bytes) -> None:
    desk = workspace(tmp_path, afternoon)
    checkpoint = tmp_path / "backup" / "cpts.checkpoint"
    checkpoint.parent.mkdir()
    assert desk("verify", "--checkpoint", str(checkpoint), "--json").json["checkpoint"] == "written"
    total = len(parts(afternoon))
    (desk.home / "ledger" / FILE).write_bytes(b"".join(parts(afternoon)[:-3]))
    assert desk("verify").code == 0  # the chain alone cannot see it
    run = desk("verify", "--checkpoint", str(checkpoint))
    assert run.code == 3 and run.err.count("\n") == 1, run.err
    assert f"the ledger has {total - 3} events but the checkpoint {checkpoint} recorded {total}" in run.err
    assert json.loads(checkpoint.read_text()) == {
        "events": total,
        "last_hash": hashlib.sha256(afternoon.splitlines()[-1]).hexdigest(),
    }, "a failed check must not move the checkpoint"


def test_a_checkpoint_records_the_event_count_and_the_last_hash(tmp_path: Path, afternoon: bytes) -> None:
    desk = workspace(tmp_path, afternoon)
    checkpoint = tmp_path / "cpts.checkpoint"
    run = desk("verify", "--checkpoint", str(checkpoint))
    assert run.code == 0, run.err
    assert json.loads(checkpoint.read_text()) == {
        "events": len(parts(afternoon)),
        "last_hash": hashlib.sha256(afternoon.splitlines()[-1]).hexdigest(),
    }


def test_the_checkpoint_advances_on_success(tmp_path: Path, afternoon: bytes) -> None:
    desk = workspace(tmp_path, afternoon)
    checkpoint = tmp_path / "cpts.checkpoint"
    desk("verify", "--checkpoint", str(checkpoint))
    assert desk("intake", "--motif", "fievre", "--source", "cot", now=f"{MONDAY}T19:00").code == 0
    run = desk("verify", "--checkpoint", str(checkpoint), "--json")
    assert (run.code, run.json["checkpoint"]) == (0, "checked")
    grown = desk.ledger_bytes()
    assert json.loads(checkpoint.read_text()) == {
        "events": len(parts(grown)),
        "last_hash": hashlib.sha256(grown.splitlines()[-1]).hexdigest(),
    }
    (desk.home / "ledger" / FILE).write_bytes(afternoon)  # the new intake cut off: caught now
    run = desk("verify", "--checkpoint", str(checkpoint))
    assert run.code == 3 and "cut off the end" in run.err, run.err


def test_an_edited_last_line_is_caught_by_the_checkpoint(tmp_path: Path, afternoon: bytes) -> None:
    """Nothing follows the last line to break the chain: the checkpoint's hash does."""
    desk = workspace(tmp_path, afternoon)
    checkpoint = tmp_path / "cpts.checkpoint"
    desk("verify", "--checkpoint", str(checkpoint))
    lines = parts(afternoon)
    last = json.loads(lines[-1])
    later = datetime.strptime(last["at"], "%Y-%m-%dT%H:%M:%SZ") + timedelta(minutes=1)
    lines[-1] = canonical({**last, "at": later.strftime("%Y-%m-%dT%H:%M:%SZ")}) + b"\n"  # one minute later
    (desk.home / "ledger" / FILE).write_bytes(b"".join(lines))
    assert_names(desk("verify", "--checkpoint", str(checkpoint)), len(lines), "does not match the checkpoint")


def test_a_rewritten_history_is_caught_by_the_checkpoint_even_with_more_events(
    tmp_path: Path, afternoon: bytes
) -> None:
    """Rewrite an old line, recompute the chain, add events: the checkpoint names its last line."""
    desk = workspace(tmp_path, afternoon)
    checkpoint = tmp_path / "cpts.checkpoint"
    desk("verify", "--checkpoint", str(checkpoint))
    events = events_of(afternoon)
    n = line_of(events, "refuse", IDS["r4"])
    events[n - 1]["reason"] = "away"  # still legal: only the checkpoint can tell
    (desk.home / "ledger" / FILE).write_bytes(rechain(events))
    assert desk("verify").code == 0
    assert desk("intake", "--motif", "fievre", "--source", "cot", now=f"{MONDAY}T19:00").code == 0
    assert_names(desk("verify", "--checkpoint", str(checkpoint)), len(events), "does not match the checkpoint")


# -- a table of malformed lines ------------------------------------------------------------------

SMALL = [
    (["intake", "--motif", "fievre", "--source", "cot", "--treating-doctor", "gp-a"], "16:00"),
    (["notify", "{r1}"], "16:01"),
    (["intake", "--motif", "fievre", "--source", "cot"], "16:02"),
]


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    desk = make_workspace(tmp_path_factory.mktemp("small") / "cpts")
    play(desk, SMALL)
    return desk.ledger_bytes()


def _next(ledger: bytes, **fields) -> dict:
    """A well-formed next event, chained to the last line: the intake of 002E again, as 003H."""
    last = ledger.splitlines()[-1]
    intake = [e for e in events_of(ledger) if e["type"] == "intake"][-1]
    return {
        **intake,
        "at": "2024-01-15T15:03:00Z",
        "request": "003H",
        "patient": "p0a1b2c3d",
        "seq": json.loads(last)["seq"] + 1,
        "prev": hashlib.sha256(last).hexdigest(),
        **fields,
    }


def _without(event: dict, name: str) -> dict:
    return {k: v for k, v in event.items() if k != name}


BAD_LINES = [
    pytest.param(lambda ledger: b"this is not json {", "not valid JSON", id="invalid-json"),
    pytest.param(lambda ledger: b"[1,2,3]", "not a JSON object", id="json-but-not-an-object"),
    pytest.param(
        lambda ledger: canonical(_next(ledger, type="teleport")),
        "unknown event type 'teleport'",
        id="unknown-event-type",
    ),
    pytest.param(
        lambda ledger: canonical(_without(_next(ledger), "patient")), "missing field 'patient'", id="missing-field"
    ),
    pytest.param(lambda ledger: canonical(_without(_next(ledger), "seq")), "missing field 'seq'", id="missing-seq"),
    pytest.param(lambda ledger: canonical(_next(ledger, treating_doctor=5)), "wrong type", id="wrong-type"),
    pytest.param(lambda ledger: canonical(_next(ledger, seq=str(_next(ledger)["seq"]))), "'seq'", id="seq-as-a-string"),
    pytest.param(
        lambda ledger: canonical(_next(ledger)).replace(b"p0a1b2c3d", b"p0a1b\xff\xfe3d"), "UTF-8", id="not-utf8"
    ),
    pytest.param(
        lambda ledger: canonical(_next(ledger, patient="p" + "0" * 1_000_000)),
        "longer than any event",
        id="enormous-line",
    ),
    pytest.param(
        lambda ledger: json.dumps(_next(ledger), sort_keys=True).encode(), "not canonical", id="non-canonical-spaces"
    ),
    pytest.param(lambda ledger: json.dumps(_next(ledger)).encode(), "not canonical", id="non-canonical-key-order"),
    pytest.param(lambda ledger: canonical(_next(ledger, extra="x")), "unexpected field 'extra'", id="unexpected-field"),
]

WRITERS = [
    pytest.param(("intake", "--motif", "fievre", "--source", "cot", "--json"), id="intake"),
    pytest.param(("notify", "002E", "--json"), id="notify"),
    pytest.param(("accept", "001C", "--by", "gp-a", "--at", "17:30", "--json"), id="accept"),
    pytest.param(("tick", "--json"), id="tick"),
]


def with_bad_last_line(tmp_path: Path, small: bytes, make) -> tuple[Desk, int]:
    """The small ledger plus one bad line, complete with its newline (so not a torn write)."""
    desk = workspace(tmp_path, small + make(small) + b"\n")
    return desk, len(parts(small)) + 1


@pytest.mark.parametrize("make, problem", BAD_LINES)
def test_verify_names_a_malformed_line(tmp_path: Path, small: bytes, make, problem: str) -> None:
    desk, n = with_bad_last_line(tmp_path, small, make)
    run = desk("verify")
    assert_names(run, n, problem)
    assert len(run.err) < 500, "the whole line must not be echoed back"


@pytest.mark.parametrize("command", WRITERS)
@pytest.mark.parametrize("make, problem", BAD_LINES)
def test_writing_commands_refuse_a_ledger_with_a_malformed_line(
    tmp_path: Path, small: bytes, make, problem: str, command: tuple
) -> None:
    desk, n = with_bad_last_line(tmp_path, small, make)
    before = desk.ledger_bytes()
    run = desk(*command, now=f"{MONDAY}T16:10")
    shown = f"exit {run.code}\nstdout: {run.out!r}\nstderr: {run.err[:300]!r}"
    assert "Traceback" not in run.out + run.err, shown
    assert (run.code, run.out) == (3, ""), shown
    assert run.err.count("\n") == 1, shown
    assert run.err.startswith(f"snpctl: ledger/{FILE}:{n}: ") and "snpctl verify" in run.err, shown
    assert desk.ledger_bytes() == before, "something was written after a malformed line\n" + shown
    assert not (desk.home / "private" / "quarantine").exists(), "a complete line is damage, not a torn write"


def sample_workspace(tmp_path: Path) -> Desk:
    """The repository's documented sample ledger, in a workspace made from the example CPTS."""
    desk = make_workspace(
        tmp_path / "sample",
        (REPO / "protocols.toml").read_text(encoding="utf-8"),
        (REPO / "roster.toml").read_text(encoding="utf-8"),
    )
    shutil.copy(REPO / "ledger" / FILE, desk.home / "ledger" / FILE)
    return desk


def test_the_repository_sample_ledger_verifies(tmp_path: Path) -> None:
    run = sample_workspace(tmp_path)("verify")
    assert run.code == 0, run.err


def test_two_swapped_lines_of_the_repository_sample_name_the_first(tmp_path: Path) -> None:
    desk = sample_workspace(tmp_path)
    path = desk.home / "ledger" / FILE
    lines = parts(path.read_bytes())
    lines[9], lines[10] = lines[10], lines[9]
    path.write_bytes(b"".join(lines))
    assert_names(desk("verify"), 10, "sequence number 11, expected 10")
