"""`snpctl report`: every key of contract section 6, from small ledgers typed at the desk.

Each ledger is a handful of requests with known fates, typed through the CLI like a coordinator
would; the expected figures are worked out by hand beside them. Times are Europe/Paris;
2024-01-15 is a Monday in winter.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import Desk, make_workspace

DAY = "2024-01-15"

# (time, command). {rN} is the id printed by the N-th intake.
MONDAY = [
    # r1: the treating doctor accepts in their window, 19 minutes after the trigger; seen at the practice
    ("09:00", "intake --motif fievre --source cot --treating-doctor gp-a"),
    ("09:01", "notify {r1}"),
    ("09:20", "accept {r1} --by gp-a --at 11:00"),
    ("11:10", "outcome {r1} seen"),
    # r2: no treating doctor, the CAMI doctor accepts after 30 minutes; the patient does not come
    ("10:00", "intake --motif fievre --source web --treating-doctor none"),
    ("10:02", "notify {r2}"),
    ("10:32", "accept {r2} --by gp-cami --at 16:00 --site cami"),
    # r3: an external treating doctor, nobody accepts: expired by the tick after two hours
    ("10:30", "intake --motif fievre --source cot --treating-doctor external"),
    ("10:31", "notify {r3}"),
    # r4, r5: redirected (out of protocol) and transferred to the 15
    ("11:00", "intake --motif renouvellement --source cot"),
    ("11:05", "intake --motif douleur_thoracique --source cot"),
    ("12:31", "tick"),
    # r6: the SAMU books directly at the CAMI; seen.  r7: the hospital books, then it is cancelled
    ("14:00", "intake --motif fievre --source samu --treating-doctor none"),
    ("14:05", "book {r6} --by gp-cami --at 17:00 --site cami"),
    ("14:10", "intake --motif fievre --source hospital"),
    ("14:12", "book {r7} --by gp-cami --at 17:10 --site cami"),
    ("15:00", "outcome {r7} cancelled"),
    # r8: the treating doctor refuses, gp-a accepts in the community 24 minutes after the trigger; seen
    ("14:20", "intake --motif fievre --source office --treating-doctor gp-b"),
    ("14:21", "notify {r8}"),
    ("14:25", "refuse {r8} --by gp-b --reason busy"),
    ("14:45", "accept {r8} --by gp-a --at 18:00"),
    # r9: taken, never triggered (still open): a call, nothing more
    ("15:00", "intake --motif fievre --source cot"),
    ("16:30", "outcome {r2} no-show"),
    ("17:20", "outcome {r6} seen"),
    ("18:15", "outcome {r8} seen"),
]


def play(desk: Desk, script: list[tuple[str, str]], day: str = DAY) -> dict[str, str]:
    ids: dict[str, str] = {}
    for clock, command in sorted(script, key=lambda step: step[0]):
        when = clock if "T" in clock else f"{day}T{clock}"
        args = command.format(**ids).split()
        run = desk(*args, "--json", now=when)
        assert run.code == 0, f"{command} at {when}: exit {run.code}, {run.err}"
        if args[0] == "intake":
            ids[f"r{len(ids) + 1}"] = run.json["request"]
    return ids


def report(desk: Desk, *args: str, now: str = "2024-03-31T12:00") -> dict:
    run = desk("report", "--format", "json", *args, now=now)
    assert run.code == 0, run.err
    return run.json


@pytest.fixture(scope="module")
def monday(tmp_path_factory: pytest.TempPathFactory) -> Desk:
    desk = make_workspace(tmp_path_factory.mktemp("monday") / "cpts")
    play(desk, MONDAY)
    return desk


@pytest.fixture(scope="module")
def figures(monday: Desk) -> dict:
    return report(monday)


def test_calls_and_triage(figures: dict) -> None:
    assert figures["period"] == {"from": "2024-01-15", "to": "2024-01-15"}
    assert figures["calls"] == 9
    assert figures["redirected"] == 1
    assert figures["transferred_15"] == 1
    assert figures["sources"] == {"cot": 5, "web": 1, "samu": 1, "hospital": 1, "office": 1}
    # declared counts member ids and "external"
    assert figures["treating_doctor_status"] == {"declared": 3, "none": 2, "unknown": 4}


def test_the_cascade(figures: dict) -> None:
    assert figures["triggered"] == 4  # r1, r2, r3, r8: not the booked ones, not r9
    assert figures["triggered_per_month"] == 4.0
    assert figures["accepted"] == 3  # cascade acceptances only
    assert figures["acceptance_rate"] == 0.75
    assert figures["accepted_by_treating_doctor"] == 1
    assert figures["accepted_by_site"] == {"cabinet": 2, "cami": 1}
    assert figures["expired"] == 1
    assert figures["direct_bookings"] == 2


def test_appointments_and_no_shows(figures: dict) -> None:
    assert figures["appointments"] == {"total": 5, "seen": 3, "no_show": 1, "cancelled": 1, "no_show_rate": 0.25}
    assert figures["site_appointments"] == {
        "cami": {
            "total": 3,
            "seen": 1,
            "no_show": 1,
            "cancelled": 1,
            "no_show_rate": 0.5,
            "by_source": {"cot": 0, "web": 1, "samu": 1, "hospital": 1, "office": 0},
        }
    }


def test_time_to_accept_from_the_trigger(figures: dict) -> None:
    # 19, 30 and 24 minutes; p90 interpolates between 24 and 30
    assert figures["time_to_accept_minutes"] == {"median": 24.0, "p90": 28.8}


def test_members(figures: dict) -> None:
    # registered: gp-a, gp-b, gp-cami, dent-a (gp-off is not registered, gp-away is inactive)
    assert figures["members"] == {"registered": 4, "accepted_at_least_once": 2}


def test_monthly(figures: dict) -> None:
    assert figures["monthly"] == [
        {
            "month": "2024-01",
            "calls": 9,
            "redirected": 1,
            "transferred_15": 1,
            "triggered": 4,
            "accepted": 3,
            "expired": 1,
            "direct_bookings": 2,
            "appointments": 5,
            "seen": 3,
            "no_show": 1,
            "cancelled": 1,
            "acceptance_rate": 0.75,
        }
    ]


def test_a_member_who_left_still_counts_for_what_they_did(monday: Desk, tmp_path: Path) -> None:
    home = tmp_path / "cpts"
    shutil.copytree(monday.home, home)
    roster = (home / "roster.toml").read_text(encoding="utf-8")
    start = roster.index('[[member]]\nid = "gp-cami"')
    end = roster.index("[[member]]", start + 1)
    (home / "roster.toml").write_text(roster[:start] + roster[end:], encoding="utf-8")
    after = report(Desk(home))
    assert after["members"] == {"registered": 3, "accepted_at_least_once": 2}  # only `registered` reads the roster
    assert after["accepted_by_site"]["cami"] == 1
    assert after["site_appointments"]["cami"]["total"] == 3


def test_the_same_figures_in_every_form(monday: Desk) -> None:
    table = monday("report", now="2024-03-31T12:00")
    assert table.code == 0
    for heading in ("CALLS", "CASCADE", "APPOINTMENTS", "MEMBERS", "BY MONTH"):
        assert heading in table.out
    assert re.search(r"\n  Accepted +3 \(75%\)\n", table.out)
    assert "  January 2024" in table.out and "█" in table.out and "▓" in table.out  # the monthly bars
    assert "COT 0" not in table.out and "web 1 (33.3%) · SAMU 1 (33.3%) · hospital 1 (33.3%)" in table.out
    assert table.out.endswith("\nFor a spreadsheet: snpctl report --format csv --csv-dialect fr\n")

    csv = monday("report", "--format", "csv", now="2024-03-31T12:00")
    assert csv.out == (
        "month,calls,redirected,transferred_15,triggered,accepted,expired,direct_bookings,"
        "appointments,seen,no_show,cancelled,acceptance_rate\n"
        "2024-01,9,1,1,4,3,1,2,5,3,1,1,0.75\n"
    )

    markdown = monday("report", "--format", "markdown", now="2024-03-31T12:00")
    assert markdown.out.startswith("## Activity report, 15 January 2024 to 15 January 2024 (1 month)\n")
    assert "| Accepted | 3 (75%) |" in markdown.out
    assert "| January 2024 | 9 | 4 | 3 | 75% | 1 | 2 | 3 | 1 |" in markdown.out

    assert json.loads(monday("report", "--json", now="2024-03-31T12:00").out) == report(monday)


# -- the period: intake dates in Europe/Paris -------------------------------------------------

NIGHTS = [
    ("2024-01-01T00:15", "intake --motif fievre --source cot"),  # 2023-12-31 23:15 UTC
    ("2024-01-31T23:30", "intake --motif fievre --source cot --treating-doctor none"),  # 22:30 UTC
    ("2024-01-31T23:31", "notify {r2}"),
    ("2024-02-01T00:10", "accept {r2} --by gp-a --at 2024-02-01T09:00"),  # counted with its intake
    ("2024-02-01T00:30", "intake --motif fievre --source cot --treating-doctor none"),  # 2024-01-31 23:30 UTC
    ("2024-02-01T00:31", "notify {r3}"),
    ("2024-03-01T10:00", "intake --motif renouvellement --source web"),
]


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> Desk:
    desk = make_workspace(tmp_path_factory.mktemp("nights") / "cpts")
    play(desk, NIGHTS)
    return desk


def test_months_are_counted_in_paris_time(nights: Desk) -> None:
    data = report(nights)
    assert data["period"] == {"from": "2024-01-01", "to": "2024-03-01"}
    assert [(m["month"], m["calls"], m["triggered"], m["accepted"]) for m in data["monthly"]] == [
        ("2024-01", 2, 1, 1),
        ("2024-02", 1, 1, 0),
        ("2024-03", 1, 0, 0),
    ]
    assert data["triggered_per_month"] == round(2 / 3, 4)
    # the ledger's files are UTC months: the night of 31 January to 1 February is all in 2024-01.jsonl
    assert sorted(p.name for p in (nights.home / "ledger").glob("*.jsonl")) == [
        "2023-12.jsonl",
        "2024-01.jsonl",
        "2024-03.jsonl",
    ]


def test_the_period_filter_reads_the_intake_date(nights: Desk) -> None:
    february = report(nights, "--from", "2024-02-01", "--to", "2024-02-29")
    assert february["period"] == {"from": "2024-02-01", "to": "2024-02-29"}
    assert (february["calls"], february["triggered"], february["accepted"]) == (1, 1, 0)
    assert february["monthly"] == [{**february["monthly"][0], "month": "2024-02", "calls": 1, "triggered": 1}]

    last_of_january = report(nights, "--from", "2024-01-31", "--to", "2024-01-31")
    assert (last_of_january["calls"], last_of_january["accepted"], last_of_january["acceptance_rate"]) == (1, 1, 1.0)

    up_to = report(nights, "--to", "2024-01-31")
    assert up_to["period"] == {"from": "2024-01-01", "to": "2024-01-31"} and up_to["calls"] == 2
    since = report(nights, "--from", "2024-02-01")
    assert since["period"] == {"from": "2024-02-01", "to": "2024-03-01"} and since["calls"] == 2
    assert since["triggered_per_month"] == 0.5 and since["redirected"] == 1


# -- nothing to count ---------------------------------------------------------------------------


def test_an_empty_ledger_gives_null_rates(desk: Desk) -> None:
    data = report(desk)
    assert data["period"] == {"from": None, "to": None}
    assert data["calls"] == data["triggered"] == data["accepted"] == 0
    assert data["triggered_per_month"] is None
    assert data["acceptance_rate"] is None
    assert data["appointments"]["no_show_rate"] is None
    assert data["site_appointments"]["cami"]["no_show_rate"] is None
    assert data["time_to_accept_minutes"] == {"median": None, "p90": None}
    assert data["members"] == {"registered": 4, "accepted_at_least_once": 0}
    assert data["monthly"] == []
    for form in ("table", "csv", "markdown"):
        run = desk("report", "--format", form, now="2024-03-31T12:00")
        assert run.code == 0 and "Traceback" not in run.err


def test_a_period_with_no_call_has_zero_per_month_and_null_rates(desk: Desk) -> None:
    data = report(desk, "--from", "2024-01-01", "--to", "2024-02-29")
    assert data["triggered_per_month"] == 0.0
    assert data["acceptance_rate"] is None
    assert [m["month"] for m in data["monthly"]] == ["2024-01", "2024-02"]
    assert data["monthly"][0]["acceptance_rate"] is None


def test_every_key_of_the_contract_is_there(figures: dict) -> None:
    contract = {
        "period",
        "calls",
        "redirected",
        "transferred_15",
        "triggered",
        "triggered_per_month",
        "accepted",
        "acceptance_rate",
        "accepted_by_treating_doctor",
        "accepted_by_site",
        "expired",
        "direct_bookings",
        "appointments",
        "site_appointments",
        "sources",
        "treating_doctor_status",
        "time_to_accept_minutes",
        "members",
        "monthly",
    }
    assert contract <= set(figures)
    assert {"total", "seen", "no_show", "no_show_rate", "by_source"} <= set(figures["site_appointments"]["cami"])
    assert {"month", "calls", "triggered", "accepted"} <= set(figures["monthly"][0])
