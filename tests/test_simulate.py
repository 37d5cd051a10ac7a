"""`snpctl simulate`: the source documents' figures, reproduced by `report` from simulated periods.

Each shipped scenario is played into a new workspace through the CLI, then `report --format json`
(again through the CLI) must give the figures its [[expect]] table quotes from the document:
exact counts equal, rounded ones round to the document's value. The check is written here, apart
from the simulator's own comparison, so that a wrong comparison cannot hide a wrong figure.
"""

from __future__ import annotations

import json
import shutil
import tomllib
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from pathlib import Path
from textwrap import dedent

import pytest
from snpctl.simulate import scenario_names

from conftest import Desk, run_cli

SLOW = {"champigny-2023", "essonne-2023"}  # a year with ~100-200k messages each: see the README's bench


def scenario(name: str) -> dict:
    return tomllib.loads(resources.files("snpctl").joinpath("scenarios", f"{name}.toml").read_text("utf-8"))


def lookup(figures: dict, keys: str | list[str]) -> float:
    total = 0
    for key in [keys] if isinstance(keys, str) else keys:
        value = figures
        for part in key.split("."):
            value = value[part]
        total += value
    return total


def rounded(value: float, digits: int) -> Decimal:
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def simulate(home: Path, name: str, *extra: str) -> dict:
    run = run_cli(["simulate", name, "--into", str(home), "--json", *extra])
    assert run.code == 0, f"exit {run.code}: {run.err}{run.out}"
    return json.loads(run.out)


def ledger(home: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted((home / "ledger").glob("*.jsonl")))


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=[pytest.mark.slow] if n in SLOW else []) for n in scenario_names()]
)
def test_report_gives_the_documented_figures(name: str, tmp_path: Path) -> None:
    home = tmp_path / name
    side_by_side = simulate(home, name)
    assert side_by_side["ok"], [row for row in side_by_side["rows"] if not row["ok"]]

    document = scenario(name)
    run = run_cli(
        [
            "report",
            "--home",
            str(home),
            "--format",
            "json",
            "--from",
            str(document["from"]),
            "--to",
            str(document["to"]),
        ]
    )
    assert run.code == 0, run.err
    figures = run.json
    assert document["expect"], "a scenario must quote at least one documented figure"
    for expect in document["expect"]:
        computed = lookup(figures, expect["key"])
        if "per" in expect:
            computed = computed / lookup(figures, expect["per"])
        where = f"{name}: {expect['figure']} ({expect['key']}): documented {expect['value']}, computed {computed}"
        if "round" in expect:
            assert rounded(computed, expect["round"]) == rounded(expect["value"], expect["round"]), where
        elif "tolerance" in expect:
            assert abs(computed - expect["value"]) <= expect["tolerance"], where
        else:
            assert computed == expect["value"] and isinstance(computed, int), where
    # and the counts the plan played are all there, exactly
    plan = document["plan"]
    assert figures["triggered"] == plan["triggered"]
    assert figures["accepted_by_site"] == {
        "cabinet": 0,
        **{s["key"]: 0 for s in document.get("site", [])},
        **plan["accepted"],
    }
    assert figures["direct_bookings"] == sum(d["count"] for d in plan.get("direct", []))
    assert figures["accepted_by_treating_doctor"] == plan.get("accepted_by_treating_doctor", 0)
    shutil.rmtree(home)  # passed: a simulated year leaves up to 100-200k outbox files; pytest would keep them


def test_the_same_seed_writes_the_same_ledger_byte_for_byte(tmp_path: Path) -> None:
    first = simulate(tmp_path / "a", "vitry-2025", "--seed", "7")
    second = simulate(tmp_path / "b", "vitry-2025", "--seed", "7")
    assert ledger(tmp_path / "a") == ledger(tmp_path / "b")
    for name in ("protocols.toml", "roster.toml"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert first["rows"] == second["rows"]
    other = simulate(tmp_path / "c", "vitry-2025", "--seed", "8")
    assert ledger(tmp_path / "c") != ledger(tmp_path / "a")
    assert other["ok"]  # another draw, the same documented counts


@pytest.mark.slow
def test_the_same_seed_writes_the_same_year_byte_for_byte(tmp_path: Path) -> None:
    simulate(tmp_path / "a", "champigny-2022")
    simulate(tmp_path / "b", "champigny-2022")
    assert ledger(tmp_path / "a") == ledger(tmp_path / "b")


@pytest.fixture(scope="module")
def vitry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("vitry") / "cpts"
    simulate(home, "vitry-2025")
    return home


def test_the_simulated_workspace_is_an_ordinary_one(vitry: Path) -> None:
    desk = Desk(vitry)
    assert desk("check").code == 0
    verify = desk("verify", "--json")
    assert verify.code == 0 and verify.json["unordered"] == 0  # played in time order
    assert desk("list", "--json", now="2025-10-01T09:00").json["requests"] == []  # every request closed
    before = desk.ledger_bytes()
    tick = desk("tick", "--json", now="2025-10-01T09:00")
    assert tick.json == {"escalated": [], "expired": [], "failed_messages": []}
    assert desk.ledger_bytes() == before  # nothing left to send or advance


def test_it_looks_like_the_documented_days_and_hours(vitry: Path) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    paris = ZoneInfo("Europe/Paris")
    events = [json.loads(line) for line in ledger(vitry).splitlines()]
    kinds = {e["type"] for e in events}
    assert {"intake", "notify", "refuse", "escalate", "accept", "expire", "outcome", "queue", "sent"} <= kinds
    for event in events:
        local = datetime.fromisoformat(event["at"]).astimezone(paris)
        if event["type"] == "intake":
            assert local.weekday() < 5 and "09:00" <= local.strftime("%H:%M") < "18:30", event
            assert local.date().isoformat() != "2025-08-15", "a public holiday"
        if event["type"] in ("accept", "book") and event["site"] == "cami":
            slot = datetime.fromisoformat(event["appointment"]).astimezone(paris)
            assert "16:00" <= slot.strftime("%H:%M") < "19:00", event
    taken = {e["request"]: e for e in events if e["type"] == "accept"}
    notified = {e["request"]: e for e in events if e["type"] == "notify"}
    in_window = [
        r
        for r, e in taken.items()
        if notified[r]["status"] == "treating_doctor_window"
        and e["by"] == notified[r]["notified"][0]
        and e["at"] < notified[r]["deadline"]
    ]
    assert in_window, "treating doctors answer within their 10 minutes"


def test_the_side_by_side_for_people(vitry: Path, tmp_path: Path) -> None:
    run = run_cli(["simulate", "vitry-2025", "--into", str(tmp_path / "cpts")])
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert lines[0] == "CPTS de Vitry-sur-Seine, CAMI, 15 July to 30 September 2025"
    header = next(line for line in lines if line.startswith("figure"))
    assert header.split() == ["figure", "documented", "computed", "rule", "ok"]
    assert any(
        line.startswith("Patients seen at the CAMI") and line.split()[-4:] == ["152", "152", "exact", "yes"]
        for line in lines
    )
    assert "All 3 documented figures match" in run.out
    assert f"snpctl report --home {tmp_path / 'cpts'} --from 2025-07-15 --to 2025-09-30" in run.out


# -- a scenario of one's own ----------------------------------------------------------------------

A_WEEK = dedent("""\
    title = "A week at a small CPTS"
    source = "a test"
    from = 2024-01-15
    to = 2024-01-19

    [cascade]
    treating_doctor_window = "30m"
    total_window = "2h"
    appointment_horizon = "12h"

    [line]
    hours = ["mon-fri 09:00-17:00"]

    [[site]]
    key = "cami"
    label = "CAMI"
    hours = ["mon-fri 16:00-19:00"]

    [[members]]
    prefix = "mg"
    count = 4
    status = "titulaire"
    treating = 1.0

    [[members]]
    prefix = "cami"
    count = 1
    status = "remplacant"
    site = "cami"

    [plan]
    triggered = 20
    redirected = 2
    accepted = { cami = 8, cabinet = 6 }
    accepted_by_treating_doctor = 2
    no_show = { cami = 2 }

    [plan.treating_doctor]
    declared = 0.8
    none = 0.1
    in_roster = 1.0

    [[expect]]
    figure = "Triggered"
    key = "triggered"
    value = 20

    [[expect]]
    figure = "Seen at the CAMI"
    key = "site_appointments.cami.seen"
    value = SEEN
    """)


def test_a_scenario_file_of_ones_own(tmp_path: Path) -> None:
    path = tmp_path / "week.toml"
    path.write_text(A_WEEK.replace("SEEN", "6"), encoding="utf-8")
    data = simulate(tmp_path / "cpts", str(path))
    assert data["ok"] and [row["computed"] for row in data["rows"]] == [20, 6]


def test_a_figure_that_does_not_match_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "week.toml"
    path.write_text(A_WEEK.replace("SEEN", "7"), encoding="utf-8")
    run = run_cli(["simulate", str(path), "--into", str(tmp_path / "cpts")])
    assert run.code == 1
    assert any(
        line.startswith("Seen at the CAMI") and line.split()[-4:] == ["7", "6", "exact", "NO"]
        for line in run.out.splitlines()
    )
    assert "1 of 2 documented figures do NOT match" in run.out


@pytest.mark.parametrize(
    "edit, must",
    [
        (("treating = 1.0", "treatin = 1.0"), "week.toml:23:1: unknown key 'treatin': did you mean 'treating'?"),
        (("triggered = 20", "triggered = 10"), "plan.accepted is more than plan.triggered"),
        (
            ('total_window = "2h"', 'total_window = "2 hourz"'),
            "week.toml:8:16: total_window: '2 hourz' is not a duration",
        ),
        (("accepted_by_treating_doctor = 2", "accepted_by_treating_doctor = 50"), "accepted_by_treating_doctor (50)"),
        # read by the configuration's own table reader: the same words as for protocols.toml and roster.toml
        (('prefix = "mg"', 'prefx = "mg"'), "week.toml:20:1: unknown key 'prefx': did you mean 'prefix'?"),
        (("[cascade]", "[cascades]"), "cascade: missing key 'treating_doctor_window'"),
        (('status = "titulaire"', 'status = "titular"'), "week.toml:22:10: status: 'titular' is not one of titulaire,"),
    ],
)
def test_a_wrong_scenario_file_is_exit_2_naming_the_key(tmp_path: Path, edit: tuple[str, str], must: str) -> None:
    path = tmp_path / "week.toml"
    path.write_text(A_WEEK.replace("SEEN", "6").replace(*edit), encoding="utf-8")
    run = run_cli(["simulate", str(path), "--into", str(tmp_path / "cpts")])
    assert run.code == 2, run.err
    assert run.err.startswith(f"snpctl: {path}:") and must in run.err
    assert run.err.count("\n") == (3 if "week.toml:" in must else 1)  # a key's line is quoted, with a caret


def test_unknown_scenario_and_existing_workspace(tmp_path: Path) -> None:
    run = run_cli(["simulate", "paris-2030", "--into", str(tmp_path / "x")])
    assert run.code == 2 and "champigny-2023" in run.err
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "protocols.toml").write_text("", encoding="utf-8")
    run = run_cli(["simulate", "vitry-2025", "--into", str(tmp_path / "taken")])
    assert run.code == 1 and "already a workspace" in run.err
