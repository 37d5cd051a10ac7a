"""Taken, tell the others (issue 14, contract sections 8 and 10): when a request leaves its window (accepted,
booked, cancelled, expired), the members who were asked and did not answer get a short SMS, template
``withdrawn_member``; the taker and whoever refused get nothing, and the text holds nothing of the patient.
``withdrawn = false`` under ``[messaging]`` switches it off.

No gateway here: every message lands in the outbox, one file per message, named after its template.
Every time is Monday 15 January 2024, Europe/Paris.
"""

from __future__ import annotations

from pathlib import Path

from snpctl.domain import audit
from snpctl.domain.state import fold

from conftest import PROTOCOLS, ROSTER, Desk, make_workspace

EN = "CPTS - request 001C (Fièvre) is no longer to be taken, thank you: nothing to do."
FR = "CPTS - la demande 001C (Fièvre) n'est plus à prendre, merci : rien à faire."
PATIENT = ("Léa Bernard", "06 11 22 33 44", "+33611223344", "Vitry")


def at(clock: str) -> str:
    return f"2024-01-15T{clock}"


def workspace(tmp_path: Path, messaging: str = "") -> Desk:
    return make_workspace(tmp_path / "cpts", PROTOCOLS + messaging, ROSTER)


def intake(desk: Desk, treating_doctor: str = "none", now: str = "16:00", **env: str) -> None:
    name, phone, _e164, commune = PATIENT
    args = ["--motif", "fievre", "--source", "cot", "--treating-doctor", treating_doctor]
    args += ["--patient", name, "--phone", phone, "--commune", commune]
    assert desk("intake", *args, now=at(now), **env).code == 0


def ok(desk: Desk, *args: str, now: str, **env: str) -> None:
    run = desk(*args, now=at(now), **env)
    assert run.code == 0, run.err


def told(desk: Desk) -> list[str]:
    """The members queued a withdrawn_member, in order."""
    return [
        entry[2]
        for event in desk.events()
        if event["type"] == "queue"
        for entry in event["messages"]
        if entry[1] == "withdrawn_member"
    ]


def texts(desk: Desk) -> dict[str, str]:
    """member -> the text of their withdrawn_member file in the outbox (its body, after the headers)."""
    found = {}
    for path in sorted((desk.home / "outbox").rglob("*-withdrawn_member-*.txt")):
        member = path.stem.split("-withdrawn_member-")[1]
        found[member] = path.read_text(encoding="utf-8").split("\n\n", 1)[1].strip()
    return found


def community_asked(desk: Desk, **env: str) -> None:
    """001C open to the community: Dr A, Dr B and Dr C asked at 16:01; Dr A refuses at 16:05."""
    intake(desk, **env)
    ok(desk, "notify", "001C", now="16:01", **env)
    ok(desk, "refuse", "001C", "--by", "gp-a", "--reason", "busy", now="16:05", **env)


def test_an_acceptance_tells_the_members_asked_who_did_not_answer_and_nobody_else(tmp_path) -> None:
    desk = workspace(tmp_path)
    community_asked(desk)
    ok(desk, "accept", "001C", "--by", "gp-b", "--at", "2024-01-15T17:30", now="16:10")
    assert told(desk) == ["gp-cami"]  # not gp-b who took it, not gp-a who refused
    assert texts(desk) == {"gp-cami": EN}


def test_the_text_is_french_in_a_french_workspace(tmp_path) -> None:
    desk = workspace(tmp_path)
    community_asked(desk, SNPCTL_LANG="fr")
    ok(desk, "accept", "001C", "--by", "gp-b", "--at", "2024-01-15T17:30", now="16:10", SNPCTL_LANG="fr")
    assert texts(desk) == {"gp-cami": FR}


def test_the_text_holds_nothing_of_the_patient_not_even_the_commune(tmp_path) -> None:
    desk = workspace(tmp_path)
    community_asked(desk)
    ok(desk, "accept", "001C", "--by", "gp-b", "--at", "2024-01-15T17:30", now="16:10")
    (path,) = (desk.home / "outbox").rglob("*-withdrawn_member-*.txt")
    whole = path.read_text(encoding="utf-8")
    for private in PATIENT:
        assert private not in whole
    assert "Léa" not in whole and "Bernard" not in whole


def test_the_treating_doctor_silent_in_their_window_is_told_when_the_community_takes_it(tmp_path) -> None:
    desk = workspace(tmp_path)
    intake(desk, treating_doctor="gp-a")
    ok(desk, "notify", "001C", now="16:01")  # gp-a's window, until 17:01
    ok(desk, "tick", now="17:02")  # the community: gp-b and gp-cami
    ok(desk, "accept", "001C", "--by", "gp-cami", "--at", "2024-01-15T18:00", now="17:10")
    assert told(desk) == ["gp-a", "gp-b"]


def test_the_treating_doctor_taking_it_in_their_window_leaves_nobody_to_tell(tmp_path) -> None:
    desk = workspace(tmp_path)
    intake(desk, treating_doctor="gp-a")
    ok(desk, "notify", "001C", now="16:01")
    ok(desk, "accept", "001C", "--by", "gp-a", "--at", "2024-01-15T17:30", now="16:10")
    assert told(desk) == []


def test_a_direct_booking_asked_nobody_and_tells_nobody(tmp_path) -> None:
    desk = workspace(tmp_path)
    intake(desk)
    ok(desk, "book", "001C", "--by", "gp-b", "--at", "2024-01-15T17:30", now="16:10")
    assert told(desk) == []


def test_an_expiry_tells_every_member_asked_who_did_not_answer(tmp_path) -> None:
    desk = workspace(tmp_path)
    community_asked(desk)
    ok(desk, "tick", now="18:02")  # the 2 h ran out at 18:01
    assert told(desk) == ["gp-b", "gp-cami"]
    assert texts(desk) == {"gp-b": EN, "gp-cami": EN}
    queued = [entry[1] for e in desk.events() if e["type"] == "queue" for entry in e["messages"]]
    assert queued[-4:] == ["expired_patient", "expired_operator", "withdrawn_member", "withdrawn_member"]


def test_a_request_cancelled_before_anyone_took_it_tells_the_members_asked(tmp_path) -> None:
    desk = workspace(tmp_path)
    community_asked(desk)
    ok(desk, "outcome", "001C", "cancelled", now="16:20")
    assert told(desk) == ["gp-b", "gp-cami"]


def test_a_request_cancelled_after_it_was_taken_tells_nobody_twice(tmp_path) -> None:
    desk = workspace(tmp_path)
    community_asked(desk)
    ok(desk, "accept", "001C", "--by", "gp-b", "--at", "2024-01-15T17:30", now="16:10")
    ok(desk, "outcome", "001C", "cancelled", now="16:20")
    assert told(desk) == ["gp-cami"]  # told once, at the acceptance


def test_withdrawn_false_switches_it_off(tmp_path) -> None:
    desk = workspace(tmp_path, "\n[messaging]\nwithdrawn = false\n")
    community_asked(desk)
    ok(desk, "accept", "001C", "--by", "gp-b", "--at", "2024-01-15T17:30", now="16:10")
    ok(desk, "tick", now="18:02")
    assert told(desk) == [] and texts(desk) == {}


def test_withdrawn_must_be_true_or_false(tmp_path) -> None:
    desk = workspace(tmp_path, '\n[messaging]\nwithdrawn = "non"\n')
    run = desk("check")
    assert (run.code, run.out) == (2, "")
    assert run.err.splitlines()[0] == (
        "snpctl: protocols.toml:34:13: withdrawn: should be true or false, without quotes, found 'non'."
    )


def test_the_text_is_overridden_like_the_others(tmp_path) -> None:
    desk = workspace(tmp_path, '\n[messaging.templates]\nwithdrawn_member = "SNP {request} ({motif}) : pourvue."\n')
    assert desk("check").code == 0
    community_asked(desk)
    ok(desk, "accept", "001C", "--by", "gp-b", "--at", "2024-01-15T17:30", now="16:10")
    assert texts(desk) == {"gp-cami": "SNP 001C (Fièvre) : pourvue."}


def test_an_override_may_not_name_the_patient_nor_their_commune(tmp_path) -> None:
    for text in ("{request} de {patient}", "{request} à {commune}"):
        desk = workspace(tmp_path, f'\n[messaging.templates]\nwithdrawn_member = "{text}"\n')
        run = desk("check")
        assert run.code == 2 and ": withdrawn_member: unknown placeholder" in run.err
        assert "this template can use: {cot_phone}, {motif}, {request}." in run.err


def test_verify_passes_on_a_ledger_with_withdrawn_messages(tmp_path) -> None:
    desk = workspace(tmp_path)
    community_asked(desk)
    ok(desk, "accept", "001C", "--by", "gp-b", "--at", "2024-01-15T17:30", now="16:10")
    intake(desk, now="16:11")
    ok(desk, "notify", "002E", now="16:12")
    ok(desk, "tick", now="18:13")
    assert told(desk) == ["gp-cami", "gp-a", "gp-b", "gp-cami"]
    assert desk("verify").code == 0


def test_the_audit_refuses_a_withdrawn_message_to_the_taker_or_to_a_member_not_asked(tmp_path) -> None:
    desk = workspace(tmp_path)
    community_asked(desk)
    ok(desk, "accept", "001C", "--by", "gp-b", "--at", "2024-01-15T17:30", now="16:10")
    events = desk.events()
    index = next(i for i, e in enumerate(events) if e["type"] == "queue" and e["messages"][-1][1] == "withdrawn_member")
    state = fold(events[:index])
    queue = events[index]
    assert audit.event_problem(state, queue) is None
    for member in ("gp-b", "gp-a", "dent-a"):  # the taker, who refused, never asked
        forged = {**queue, "messages": [*queue["messages"][:-1], [5, "withdrawn_member", member, "outbox"]]}
        assert audit.event_problem(state, forged) == (
            f"messages queued: not allowed, {member} is told that request 001C is no longer to be taken, but was "
            "not asked or answered"
        )


def test_the_audit_refuses_a_withdrawn_message_while_the_request_is_still_waiting(tmp_path) -> None:
    desk = workspace(tmp_path)
    community_asked(desk)
    events = desk.events()
    forged = {**events[2], "at": events[-1]["at"], "messages": [[4, "withdrawn_member", "gp-cami", "outbox"]]}
    assert "gp-cami is told that request 001C is no longer to be taken" in audit.event_problem(fold(events), forged)
