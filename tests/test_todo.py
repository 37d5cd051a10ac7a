"""`snpctl todo` (what a person must do now), `snpctl done` (it was done: a `followed_up` line), the heartbeat
tick leaves in `.snpctl/`, `list`'s pointer and the report's `expired_followed_up` (issue 14).

On main before this change: `todo` and `done` did not exist (usage error, exit 2), an expiry's call-back was
only in tick's output, `list` hid expired requests and said nothing of the outbox, and nothing told a cron
that stopped.
"""

from __future__ import annotations

import hashlib
import json
import stat
from pathlib import Path

import pytest
from snpctl.store.ledger import Ledger

from conftest import PROTOCOLS, ROSTER, Desk, make_workspace

MONDAY = "2024-01-15"
PATIENT = ("--patient", "Léa B.", "--phone", "06 00 00 00 01")


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    """The suite's small CPTS, without the SMS that tells silent members a request is withdrawn
    (tests/test_withdrawn.py has those): the outbox holds only what each test here is about."""
    return make_workspace(tmp_path / "cpts", PROTOCOLS + "\n[messaging]\nwithdrawn = false\n", ROSTER)


def at(time: str) -> str:
    return f"{MONDAY}T{time}"


def intake(desk: Desk, time: str, *extra: str) -> str:
    run = desk("intake", "--motif", "fievre", "--source", "cot", *extra, "--json", now=at(time))
    assert run.code == 0, run.err
    return run.json["request"]


def expired(desk: Desk) -> str:
    """A request nobody accepted: notified at 14:01, expired by the tick of 16:02 (total window 2 h)."""
    rid = intake(desk, "14:00", *PATIENT)
    assert desk("notify", rid, now=at("14:01")).code == 0
    assert desk("tick", now=at("16:02")).code == 0
    return rid


CALL_BACK = (
    "- 001C: call the patient back, Léa B., 06 00 00 00 01: not filled since 16:01, nobody accepted (the 15 if it "
    "gets worse, otherwise the evening duty practice).\n"
)
EXPIRY_MESSAGES = (
    "- 001C: 2 messages in the outbox since 16:02 (no gateway), to pass on by hand:\n"
    "    no doctor found, to the patient, for the patient: outbox/2024-01-15/000004-expired_patient-patient.txt\n"
    "    call-back to make, to the operator, for the operator: "
    "outbox/2024-01-15/000005-expired_operator-operator.txt\n"
)


# -- todo ------------------------------------------------------------------------------------------


def test_nothing_to_do_says_so_and_exits_0(desk: Desk) -> None:
    run = desk("todo", now=at("14:00"))
    assert (run.code, run.out, run.err) == (0, "Nothing to do.\n", "")
    assert desk("todo", "--json", now=at("14:00")).json == {"todo": [], "heartbeat": None}


def test_an_expired_request_asks_to_call_the_patient_back_by_name_and_number(desk: Desk) -> None:
    expired(desk)
    run = desk("todo", now=at("16:10"))
    assert run.code == 0
    assert run.out == (
        "2 things to do, most urgent first:\n"
        + CALL_BACK
        + EXPIRY_MESSAGES
        + "Once done: snpctl done ID [--note TEXT].\n"
    )


def test_the_json_is_for_scripts_and_holds_no_name_nor_number(desk: Desk) -> None:
    expired(desk)
    run = desk("todo", "--json", now=at("16:10"))
    assert "Léa" not in run.out and "00 00 01" not in run.out and "600000001" not in run.out
    message = {"template": "expired_patient", "recipient": "patient"}
    assert run.json == {
        "todo": [
            {"kind": "call_back", "request": "001C", "since": f"{MONDAY}T16:01:00+01:00", "step": None, "messages": []},
            {
                "kind": "outbox",
                "request": "001C",
                "since": f"{MONDAY}T16:02:00+01:00",
                "step": None,
                "messages": [
                    {"message": 4, **message, "file": "outbox/2024-01-15/000004-expired_patient-patient.txt"},
                    {
                        "message": 5,
                        "template": "expired_operator",
                        "recipient": "operator",
                        "file": "outbox/2024-01-15/000005-expired_operator-operator.txt",
                    },
                ],
            },
        ],
        "heartbeat": f"{MONDAY}T16:02:00+01:00",
    }


def test_french_by_default(desk: Desk) -> None:
    expired(desk)
    run = desk("todo", now=at("16:10"), SNPCTL_LANG="fr")
    assert run.out == (
        "2 choses à faire, la plus urgente d'abord :\n"
        "- 001C : rappeler le patient, Léa B., 06 00 00 00 01 : non pourvue depuis 16h01, personne n'a accepté (le 15 "
        "si son état s'aggrave, sinon la maison médicale de garde du soir).\n"
        "- 001C : 2 messages dans la boîte d'envoi depuis 16h02 (pas de passerelle), à transmettre à la main :\n"
        "    aucun médecin trouvé, au patient, pour le patient : "
        "outbox/2024-01-15/000004-expired_patient-patient.txt\n"
        "    patient à rappeler, à l'opérateur, pour l'opérateur : "
        "outbox/2024-01-15/000005-expired_operator-operator.txt\n"
        "Une fois fait : snpctl done ID [--note TEXTE].\n"
    )


def test_messages_of_an_open_request_are_to_pass_on_until_it_closes(desk: Desk) -> None:
    rid = intake(desk, "14:00")
    desk("notify", rid, now=at("14:01"))
    desk("tick", now=at("14:02"))
    assert desk("todo", now=at("14:03")).out == (
        "1 thing to do:\n"
        "- 001C: 3 messages in the outbox since 14:01 (no gateway), to pass on by hand:\n"
        "    request to a doctor, for Dr A: outbox/2024-01-15/000001-notify_member-gp-a.txt\n"
        "    request to a doctor, for Dr B: outbox/2024-01-15/000002-notify_member-gp-b.txt\n"
        "    request to a doctor, for Dr C: outbox/2024-01-15/000003-notify_member-gp-cami.txt\n"
        "Once done: snpctl done ID [--note TEXT].\n"
    )
    desk("accept", rid, "--by", "gp-b", "--at", "15:00", now=at("14:05"))
    desk("outcome", rid, "seen", now=at("15:30"))  # closed: asking the doctors, telling the patient, are moot
    assert desk("todo", now=at("15:31")).out == "Nothing to do.\n"


def test_a_window_that_ran_out_before_any_tick_and_a_tick_that_never_ran(desk: Desk) -> None:
    rid = intake(desk, "14:00")
    desk("notify", rid, now=at("14:01"))
    items = desk("todo", "--json", now=at("16:05")).json["todo"]
    assert [(i["kind"], i["request"], i["since"], i["step"]) for i in items] == [
        ("outbox", "001C", f"{MONDAY}T14:01:00+01:00", None),
        ("tick_due", "001C", f"{MONDAY}T16:01:00+01:00", "expire"),
        ("cron_never_ran", None, None, None),
    ]
    out = desk("todo", now=at("16:05")).out.splitlines()
    assert out[-3:] == [
        "- 001C: its window ran out at 16:01; tick has not recorded it yet (nobody can accept it now).",
        "- tick has never run here and requests are waiting: have cron run it (* * * * * snpctl tick).",
        "Once done: snpctl done ID [--note TEXT].",
    ]
    french = desk("todo", now=at("16:05"), SNPCTL_LANG="fr").out
    assert "- tick n'a jamais tourné ici et des demandes attendent" in french


def test_the_treating_doctors_window_that_ran_out_is_a_tick_due_too(desk: Desk) -> None:
    rid = intake(desk, "14:00", "--treating-doctor", "gp-a")
    desk("notify", rid, now=at("14:01"))
    desk("tick", now=at("15:00"))
    item = desk("todo", "--json", now=at("15:02")).json["todo"][1]
    assert (item["kind"], item["step"], item["since"]) == ("tick_due", "escalate", f"{MONDAY}T15:01:00+01:00")
    assert (
        "- 001C: the treating doctor's window ran out at 15:01; tick has not opened it to the community yet."
        in desk("todo", now=at("15:02")).out
    )


def test_a_cron_that_stopped(desk: Desk) -> None:
    rid = intake(desk, "14:00")
    desk("notify", rid, now=at("14:01"))
    desk("tick", now=at("14:02"))
    assert "cron" not in desk("todo", now=at("14:07")).out  # 5 minutes: not yet
    run = desk("todo", now=at("14:08"))
    assert run.out.splitlines()[-2] == (
        "- cron no longer running? tick last ran at 14:02 and requests are waiting: check the crontab "
        "(snpctl tick every minute)."
    )
    assert desk("todo", "--json", now=at("14:08")).json["todo"][-1] == {
        "kind": "cron_stopped",
        "request": None,
        "since": f"{MONDAY}T14:02:00+01:00",
        "step": None,
        "messages": [],
    }
    french = desk("todo", now=at("14:08"), SNPCTL_LANG="fr").out
    assert "- cron ne tourne plus ? tick a tourné pour la dernière fois à 14h02 et des demandes attendent" in french


def test_a_stale_heartbeat_with_no_request_waiting_is_nothing_to_do(desk: Desk) -> None:
    desk("tick", now=at("09:00"))
    assert desk("todo", now=at("18:00")).out == "Nothing to do.\n"


def test_tick_leaves_a_heartbeat_and_an_idle_tick_prints_nothing(desk: Desk) -> None:
    run = desk("tick", now=at("14:02"))
    assert (run.code, run.out, run.err) == (0, "", "")
    beat = desk.home / ".snpctl" / "heartbeat"
    assert beat.read_text() == "2024-01-15T13:02:00Z\n"
    assert stat.S_IMODE(beat.stat().st_mode) == 0o600
    assert b"heartbeat" not in desk.ledger_bytes() and desk.ledger_bytes() == b""  # not in the ledger
    desk("tick", now=at("14:03"))
    assert beat.read_text() == "2024-01-15T13:03:00Z\n"


def test_the_most_urgent_first(tmp_path: Path) -> None:
    """Call-backs, then messages given up, then the outbox, then ticks due, then the cron; the oldest first."""
    desk = given_up_workspace(tmp_path)
    first = intake(desk, "13:00", *PATIENT)  # 001C
    desk("notify", first, now=at("13:01"))
    desk("tick", now=at("15:02"))  # 001C expires
    second = intake(desk, "15:10")  # 002E: its SMS fail, then are given up
    desk("notify", second, now=at("15:11"))
    for time in ("15:12", "15:17", "15:18"):
        desk("tick", now=at(time))
    items = desk("todo", "--json", now=at("17:30")).json["todo"]
    assert [(i["kind"], i["request"], i["since"][11:16] if i["since"] else None) for i in items] == [
        ("call_back", "001C", "15:01"),
        ("given_up", "001C", "15:12"),  # its doctors' SMS (their last try), then the patient's
        ("given_up", "002E", "15:17"),
        ("outbox", "001C", "15:02"),  # the operator's: no gateway of their own here (and Dr C has no number)
        ("outbox", "002E", "15:11"),
        ("tick_due", "002E", "17:11"),
        ("cron_stopped", None, "15:18"),
    ]
    given_up = items[2]["messages"]
    assert [(m["template"], m["recipient"]) for m in given_up] == [("notify_member", r) for r in ("gp-a", "gp-b")]
    assert all(m["file"].startswith("outbox/2024-01-15/") for m in given_up)
    out = desk("todo", now=at("17:30")).out
    assert "- 002E: 2 messages given up since 15:17, to pass on by hand:\n    request to a doctor, for Dr A: " in out


def given_up_workspace(tmp_path: Path) -> Desk:
    """An SMS gateway that always fails (retries at 1 and 5 minutes), and two members with a number."""
    script = tmp_path / "sms-fails"
    script.write_text("#!/bin/sh\nexit 1\n")
    script.chmod(0o755)
    protocols = PROTOCOLS + f'\n[messaging]\nretry = ["1m", "5m"]\n\n[messaging.sms]\ncommand = "{script} {{to}}"\n'
    roster = ROSTER.replace('id = "gp-a"\n', 'id = "gp-a"\nsms = "06 00 00 00 11"\n').replace(
        'id = "gp-b"\n', 'id = "gp-b"\nsms = "06 00 00 00 12"\n'
    )
    return make_workspace(tmp_path / "cpts", protocols=protocols, roster=roster)


def test_a_call_back_stays_on_the_list_for_30_days_after_the_requests_last_step(desk: Desk) -> None:
    """The snapshot keeps only what is open or recent (48 h): a request to follow up is kept until done, or for
    30 days: then it is too late to call back or pass anything on (`done` may still record it)."""
    expired(desk)
    desk("intake", "--motif", "fievre", "--source", "cot", now="2024-02-10T14:00")
    (desk.home / ".snpctl" / "snapshot").unlink()  # the next writer takes a new one, 26 days on
    desk("tick", now="2024-02-10T14:01")
    assert "001C" in Ledger(desk.home)._from_snapshot()[0].requests
    items = desk("todo", "--json", now="2024-02-10T14:02").json["todo"]
    assert [(i["kind"], i["request"]) for i in items] == [("call_back", "001C"), ("outbox", "001C")]
    assert desk("todo", "--json", now="2024-02-15T14:02").json["todo"] == []
    assert desk("done", "001C", now="2024-02-15T14:03").code == 0


# -- done ------------------------------------------------------------------------------------------


def test_done_records_a_followed_up_line_and_keeps_the_note_in_private(desk: Desk) -> None:
    rid = expired(desk)
    before = desk.ledger_bytes()
    run = desk("done", rid, "--note", "rappelée à 16h20, ira à la garde du soir", now=at("16:20"))
    assert (run.code, run.err) == (0, "")
    assert run.out == (
        "Request 001C: followed up, the patient was called back; nothing is left to do for it.\n"
        "The note is kept in private/requests/001C.followed_up.8.txt (never in the ledger).\n"
    )
    last = desk.events()[-1]
    assert desk.ledger_bytes().startswith(before)
    assert {k: v for k, v in last.items() if k != "prev"} == {
        "at": "2024-01-15T15:20:00Z",
        "request": "001C",
        "seq": 8,
        "type": "followed_up",
    }
    note = desk.home / "private" / "requests" / "001C.followed_up.8.txt"
    assert note.read_text() == "rappelée à 16h20, ira à la garde du soir"
    assert stat.S_IMODE(note.stat().st_mode) == 0o600
    assert "rappelée".encode() not in desk.ledger_bytes()
    assert desk("todo", now=at("16:21")).out == "Nothing to do.\n"
    assert desk("verify").code == 0


def test_done_without_a_note_for_messages_passed_on_by_hand(desk: Desk) -> None:
    rid = intake(desk, "14:00")
    desk("notify", rid, now=at("14:01"))
    run = desk("done", rid, "--json", now=at("14:05"))
    assert run.json == {"request": "001C", "status": "community", "called_back": False, "by_hand": 3, "note": None}
    assert desk("done", rid, now=at("14:06")).code == 1  # nothing left
    assert not (desk.home / "private" / "requests").exists()
    assert [i["kind"] for i in desk("todo", "--json", now=at("14:06")).json["todo"]] == ["cron_never_ran"]


def test_done_is_refused_when_the_request_has_nothing_to_follow_up(desk: Desk) -> None:
    rid = intake(desk, "14:00")  # open, not notified: no message, nobody to call back
    before = desk.ledger_bytes()
    run = desk("done", rid, now=at("14:05"))
    assert (run.code, run.out) == (1, "")
    assert run.err == (
        "snpctl: Request 001C has nothing to follow up (open, not notified yet): no patient to call back, no "
        "message to pass on by hand; `snpctl todo` lists what is left to do.\n"
    )
    assert desk.ledger_bytes() == before
    french = desk("done", rid, now=at("14:05"), SNPCTL_LANG="fr")
    assert french.err.startswith("snpctl: La demande 001C n'a rien à suivre (")


def test_done_twice_is_refused_the_second_time(desk: Desk) -> None:
    rid = expired(desk)
    assert desk("done", rid, now=at("16:20")).code == 0
    run = desk("done", rid, now=at("16:21"))
    assert run.code == 1 and "has nothing to follow up (not filled)" in run.err


def test_done_of_an_unknown_request_is_refused_as_by_the_other_commands(desk: Desk) -> None:
    intake(desk, "14:00")
    run = desk("done", "001D", now=at("14:05"))
    assert run.code == 1
    assert run.err == desk("notify", "001D", now=at("14:05")).err


def test_an_empty_note_is_refused_and_nothing_written(desk: Desk) -> None:
    rid = expired(desk)
    before = desk.ledger_bytes()
    run = desk("done", rid, "--note", "  ", now=at("16:20"))
    assert (run.code, run.err) == (
        2,
        "snpctl: The note is empty; give what was done with --note TEXT, or leave --note out.\n",
    )
    assert desk.ledger_bytes() == before


# -- list, report, verify ----------------------------------------------------------------------


def test_list_ends_with_a_line_pointing_to_todo(desk: Desk) -> None:
    assert "todo" not in desk("list", now=at("14:00")).out
    expired(desk)
    assert desk("list", now=at("16:10")).out == "No request is waiting.\n2 things to do: snpctl todo\n"
    assert desk("list", now=at("16:10"), SNPCTL_LANG="fr").out == (
        "Aucune demande en attente.\n2 choses à faire : snpctl todo\n"
    )
    assert "todo" not in desk("list", "--json", now=at("16:10")).out  # the contract's JSON is unchanged


def test_the_report_counts_the_expired_requests_followed_up(desk: Desk) -> None:
    rid = expired(desk)
    report = desk("report", "--json").json
    assert (report["expired"], report["expired_followed_up"]) == (1, 0)
    desk("done", rid, now=at("16:20"))  # after the report saved its sums in .snpctl/figures
    report = desk("report", "--json").json
    assert (report["expired"], report["expired_followed_up"]) == (1, 1)
    (desk.home / ".snpctl" / "figures").unlink()
    assert desk("report", "--json").json["expired_followed_up"] == 1
    assert "    patient called back (snpctl done)        1 (100%)\n" in desk("report").out


def test_a_follow_up_before_the_expiry_is_not_a_call_back(desk: Desk) -> None:
    rid = intake(desk, "14:00", *PATIENT)
    desk("notify", rid, now=at("14:01"))
    desk("done", rid, now=at("14:05"))  # the doctors were asked by hand
    desk("tick", now=at("16:02"))
    assert desk("report", "--json").json["expired_followed_up"] == 0
    assert desk("todo", "--json", now=at("16:03")).json["todo"][0]["kind"] == "call_back"


def test_show_tells_the_follow_up(desk: Desk) -> None:
    rid = expired(desk)
    desk("done", rid, now=at("16:20"))
    assert "16:20  followed up: its to-dos were done (snpctl done)" in desk("show", rid, now=at("16:21")).out


def canonical(event: dict) -> bytes:
    return json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def rechain(events: list[dict]) -> bytes:
    previous, out = "0" * 64, []
    for number, event in enumerate(events, 1):
        raw = canonical({**event, "seq": number, "prev": previous})
        previous = hashlib.sha256(raw).hexdigest()
        out.append(raw + b"\n")
    return b"".join(out)


def test_verify_accepts_followed_up_lines_and_refuses_one_with_nothing_to_follow_up(desk: Desk) -> None:
    rid = expired(desk)
    desk("done", rid, now=at("16:20"))
    assert desk("verify").code == 0
    events = desk.events()
    forged = {**events[-1], "at": "2024-01-15T15:25:00Z"}  # a second follow-up: nothing was left to do
    (desk.home / "ledger" / "2024-01.jsonl").write_bytes(rechain([*events, forged]))
    run = desk("verify")
    assert run.code == 3
    assert run.err == (
        f"snpctl: ledger/2024-01.jsonl:{len(events) + 1}: followed up: not allowed, the request had nothing to "
        "follow up\n"
    )
