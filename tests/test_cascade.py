"""The cascade rules of contract section 5, one behaviour per test, on the small inline CPTS."""

from __future__ import annotations

from conftest import PROTOCOLS, Desk, make_workspace

MONDAY = "2024-01-15"


def open_request(desk: Desk, doctor: str = "unknown", motif: str = "fievre", at: str = f"{MONDAY}T16:00") -> str:
    result = desk("intake", "--motif", motif, "--source", "cot", "--treating-doctor", doctor, "--json", now=at)
    assert result.code == 0, result.err
    return result.json["request"]


def triggered(desk: Desk, doctor: str = "unknown", motif: str = "fievre", at: str = f"{MONDAY}T16:00") -> str:
    rid = open_request(desk, doctor, motif, at)
    result = desk("notify", rid, "--json", now=at)
    assert result.code == 0, result.err
    return rid


def moved(desk: Desk, now: str) -> tuple[list[str], list[str]]:
    """What a tick at ``now`` escalated and expired."""
    data = desk("tick", "--json", now=now).json
    return data["escalated"], data["expired"]


def test_intake_triages_by_the_protocol_action(desk: Desk) -> None:
    statuses = [
        desk("intake", "--motif", motif, "--source", "cot", "--json", now=f"{MONDAY}T16:00").json
        for motif in ("fievre", "renouvellement", "douleur_thoracique")
    ]
    assert statuses == [
        {"request": "001C", "status": "open"},
        {"request": "002E", "status": "redirected"},
        {"request": "003H", "status": "transferred_15"},
    ]


def test_request_ids_are_typed_in_any_case_and_with_spaces(desk: Desk) -> None:
    rid = open_request(desk)
    assert desk("notify", " 001c ", "--json", now=f"{MONDAY}T16:01").json["request"] == rid


def test_a_registered_treating_doctor_is_notified_alone_first(desk: Desk) -> None:
    rid = open_request(desk, doctor="gp-a")
    assert desk("notify", rid, "--json", now=f"{MONDAY}T16:01").json == {
        "request": rid,
        "status": "treating_doctor_window",
        "deadline": "2024-01-15T17:01:00+01:00",
        "notified": ["gp-a"],
    }


def test_without_a_registered_treating_doctor_the_community_is_notified_at_once(desk: Desk) -> None:
    for doctor in ("none", "unknown", "external", "gp-off"):
        rid = open_request(desk, doctor=doctor)
        assert desk("notify", rid, "--json", now=f"{MONDAY}T16:01").json == {
            "request": rid,
            "status": "community",
            "deadline": "2024-01-15T18:01:00+01:00",
            "notified": ["gp-a", "gp-b", "gp-cami"],
        }, doctor


def test_a_zero_window_skips_the_treating_doctor(tmp_path) -> None:
    desk = make_workspace(
        tmp_path / "w", protocols=PROTOCOLS.replace('treating_doctor_window = "1h"', 'treating_doctor_window = "0m"')
    )
    rid = open_request(desk, doctor="gp-a")
    assert desk("notify", rid, "--json", now=f"{MONDAY}T16:01").json["notified"] == ["gp-a", "gp-b", "gp-cami"]


def test_dental_pain_goes_to_dentists_only(desk: Desk) -> None:
    rid = open_request(desk, doctor="gp-a", motif="dent")
    assert desk("notify", rid, "--json", now=f"{MONDAY}T16:01").json["notified"] == ["dent-a"]


def test_the_treating_doctors_refusal_opens_the_community_at_once(desk: Desk) -> None:
    rid = triggered(desk, doctor="gp-a")
    assert desk("refuse", rid, "--by", "gp-a", "--reason", "away", "--json", now=f"{MONDAY}T16:05").json == {
        "request": rid,
        "status": "community",
        "deadline": "2024-01-15T18:00:00+01:00",
        "notified": ["gp-b", "gp-cami"],
    }


def test_another_members_refusal_is_recorded_and_they_are_not_asked_again(desk: Desk) -> None:
    rid = triggered(desk, doctor="gp-a")
    assert desk("refuse", rid, "--by", "gp-b", "--json", now=f"{MONDAY}T16:05").json == {
        "request": rid,
        "status": "treating_doctor_window",
    }
    assert moved(desk, f"{MONDAY}T17:00") == ([rid], [])
    escalation = [e for e in desk.events() if e["type"] == "escalate"][-1]
    assert escalation["notified"] == ["gp-cami"]


def test_the_treating_doctor_stays_eligible_in_the_community(desk: Desk) -> None:
    rid = triggered(desk, doctor="gp-a")
    desk("tick", now=f"{MONDAY}T17:00")
    result = desk("accept", rid, "--by", "gp-a", "--at", "18:30", "--json", now=f"{MONDAY}T17:10")
    assert result.json == {
        "request": rid,
        "status": "accepted",
        "by": "gp-a",
        "site": "cabinet",
        "appointment": "2024-01-15T18:30:00+01:00",
    }


def test_once_the_window_ran_out_others_may_accept_before_tick_records_it(desk: Desk) -> None:
    rid = triggered(desk, doctor="gp-a")
    result = desk("accept", rid, "--by", "gp-cami", "--at", "17:30", "--json", now=f"{MONDAY}T17:00")
    assert (result.code, result.json["by"]) == (0, "gp-cami")


def test_tick_expires_a_request_nobody_took_and_is_idempotent(desk: Desk) -> None:
    rid = triggered(desk)
    assert moved(desk, f"{MONDAY}T17:59") == ([], [])
    assert moved(desk, f"{MONDAY}T18:00") == ([], [rid])
    before = desk.ledger_bytes()
    assert moved(desk, f"{MONDAY}T18:01") == ([], [])
    assert desk.ledger_bytes() == before


def test_tick_after_a_long_outage_expires_without_escalating_first(desk: Desk) -> None:
    rid = triggered(desk, doctor="gp-a")
    assert moved(desk, f"{MONDAY}T19:00") == ([], [rid])


def test_tick_prints_nothing_for_cron_when_nothing_moved(desk: Desk) -> None:
    triggered(desk)
    assert desk("tick", now=f"{MONDAY}T16:30").out == ""


def test_a_direct_booking_takes_an_open_request_without_the_cascade(desk: Desk) -> None:
    rid = desk("intake", "--motif", "fievre", "--source", "samu", "--json", now=f"{MONDAY}T15:00").json["request"]
    assert desk("book", rid, "--by", "gp-cami", "--at", "16:00", "--json", now=f"{MONDAY}T15:01").json == {
        "request": rid,
        "status": "accepted",
        "by": "gp-cami",
        "site": "cami",
        "appointment": "2024-01-15T16:00:00+01:00",
    }


def test_outcome_no_show_once_the_appointment_has_come(desk: Desk) -> None:
    rid = triggered(desk)
    desk("accept", rid, "--by", "gp-cami", "--at", "16:30", now=f"{MONDAY}T16:10")
    assert desk("outcome", rid, "no-show", "--json", now=f"{MONDAY}T16:30").json == {
        "request": rid,
        "status": "no_show",
    }


def test_an_open_request_can_be_cancelled(desk: Desk) -> None:
    rid = triggered(desk)
    assert desk("outcome", rid, "cancelled", "--json", now=f"{MONDAY}T16:10").json == {
        "request": rid,
        "status": "cancelled",
    }


def test_list_shows_what_is_waiting_and_all_with_all(desk: Desk) -> None:
    first = triggered(desk)
    second = open_request(desk, at=f"{MONDAY}T16:05")
    desk("outcome", second, "cancelled", now=f"{MONDAY}T16:06")
    waiting = desk("list", "--json", now=f"{MONDAY}T16:10").json["requests"]
    assert [(r["request"], r["status"], r["deadline"]) for r in waiting] == [
        (first, "community", "2024-01-15T18:00:00+01:00")
    ]
    everything = desk("list", "--all", "--json", now=f"{MONDAY}T16:10").json["requests"]
    assert [(r["request"], r["status"]) for r in everything] == [(first, "community"), (second, "cancelled")]


def test_show_gives_the_timeline(desk: Desk) -> None:
    rid = triggered(desk)
    data = desk("show", rid, "--json", now=f"{MONDAY}T16:10").json
    assert (data["request"], data["status"]) == (rid, "community")
    assert [e["type"] for e in data["events"] if e["type"] in ("intake", "notify")] == ["intake", "notify"]


def test_a_bare_time_means_today_in_paris_even_when_utc_is_already_tomorrow(desk: Desk) -> None:
    # 00:30 in Paris on 16 January is still 15 January in UTC: "08:00" means 16 January 08:00 Paris.
    rid = triggered(desk, at="2024-01-16T00:30")
    result = desk("accept", rid, "--by", "gp-a", "--at", "08:00", "--json", now="2024-01-16T00:40")
    assert result.json["appointment"] == "2024-01-16T08:00:00+01:00"


def test_now_with_an_offset_is_taken_as_given(desk: Desk) -> None:
    rid = open_request(desk, at="2024-01-15T15:00:00Z")
    assert desk.events()[-1]["at"] == "2024-01-15T15:00:00Z"
    assert rid == "001C"


# -- daylight saving: windows are real durations -------------------------------------------


def test_windows_are_real_durations_when_clocks_go_forward(desk: Desk) -> None:
    rid = triggered(desk, doctor="gp-a", at="2025-03-30T01:30")
    data = desk("show", rid, "--json", now="2025-03-30T01:31").json
    assert data["deadline"] == "2025-03-30T03:30:00+02:00"
    minute_by_minute = [("2025-03-30T03:29", []), ("2025-03-30T03:30", [rid])]
    for now, escalated in minute_by_minute:
        assert desk("tick", "--json", now=now).json["escalated"] == escalated, now


def test_windows_are_real_durations_when_clocks_go_back(desk: Desk) -> None:
    rid = triggered(desk, doctor="gp-a", at="2025-10-26T01:30")
    assert desk("show", rid, "--json", now="2025-10-26T01:31").json["deadline"] == "2025-10-26T02:30:00+02:00"
    assert desk("tick", "--json", now="2025-10-26T02:29:00+02:00").json["escalated"] == []
    assert desk("tick", "--json", now="2025-10-26T02:30:00+02:00").json["escalated"] == [rid]
    assert (
        desk("list", "--json", now="2025-10-26T02:31:00+02:00").json["requests"][0]["deadline"]
        == "2025-10-26T02:30:00+01:00"
    )
    assert desk("tick", "--json", now="2025-10-26T02:29:00+01:00").json["expired"] == []
    assert desk("tick", "--json", now="2025-10-26T02:30:00+01:00").json["expired"] == [rid]


# -- the ledger's files ---------------------------------------------------------------------


def test_a_later_month_starts_a_new_file_and_a_backfill_goes_to_the_newest(desk: Desk) -> None:
    open_request(desk, at="2024-01-31T23:30")  # 22:30 UTC: January
    open_request(desk, at="2024-02-01T00:30")  # 23:30 UTC on 31 January: still January
    open_request(desk, at="2024-02-01T10:00")  # February
    open_request(desk, at="2024-01-20T10:00")  # backfilled: goes to the newest file
    files = sorted(p.name for p in (desk.home / "ledger").glob("*.jsonl"))
    assert files == ["2024-01.jsonl", "2024-02.jsonl"]
    february = (desk.home / "ledger" / "2024-02.jsonl").read_text().splitlines()
    assert len(february) == 2


def test_every_line_is_canonical_numbered_and_chained(desk: Desk) -> None:
    import hashlib
    import json

    triggered(desk)
    lines = desk.ledger_bytes().splitlines()
    previous = "0" * 64
    for number, line in enumerate(lines, 1):
        event = json.loads(line)
        assert json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode() == line
        assert (event["seq"], event["prev"]) == (number, previous)
        previous = hashlib.sha256(line).hexdigest()
