"""The report's saved sums (``.snpctl/figures``) can only make it faster, never different."""

from __future__ import annotations

import json
import marshal
import os
import tempfile
from datetime import date, datetime
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from snpctl import report, service
from snpctl.domain.tallies import Stale, Tallies
from snpctl.store import tallies
from snpctl.store.ledger import Ledger
from snpctl.store.workspace import Workspace

from conftest import Desk, make_workspace, run_cli
from test_snapshot import busy_afternoon, play, step

PARIS = ZoneInfo("Europe/Paris")
NOW = "2024-01-16T09:00"


def counted_afresh(home: Path, start: date | None = None, end: date | None = None) -> dict:
    """The figures from every line, as if no sums had ever been saved."""
    ws = Workspace(home)
    return report.figures(
        (event for _line, event in ws.ledger.stream()),
        ws.config.zone,
        start=start,
        end=end,
        registered=sum(1 for m in ws.config.members.values() if m.registered and m.active),
        sites=ws.config.sites,
    )


def figures_path(desk: Desk) -> Path:
    return desk.home / ".snpctl" / "figures"


def test_a_report_saves_its_sums_and_the_next_one_reads_only_the_lines_after_them(desk: Desk) -> None:
    busy_afternoon(desk)
    first = desk("report", "--format", "json", now=NOW).json
    assert figures_path(desk).exists()
    desk("intake", "--motif", "fievre", "--source", "web", now="2024-01-16T08:00")
    with mock.patch.object(Ledger, "stream", autospec=True, side_effect=Ledger.stream) as stream:
        data = service.report(Workspace(desk.home), datetime.now(PARIS)).data
    assert stream.call_args.args[1] is not None  # it started after the saved line, not at the first
    assert data == counted_afresh(desk.home)
    assert data["calls"] == first["calls"] + 1


def test_a_missing_truncated_or_edited_sums_file_is_ignored_and_written_anew(desk: Desk) -> None:
    busy_afternoon(desk)
    expected = desk("report", "--format", "json", now=NOW).json
    middle = lambda b: b[: len(b) // 2] + bytes([b[len(b) // 2] ^ 1]) + b[len(b) // 2 + 1 :]  # noqa: E731
    damages = (
        lambda b: b"",
        lambda b: b[: len(b) // 2],
        lambda b: b"garbage",
        lambda b: b[:-1] + bytes([b[-1] ^ 1]),
        middle,
    )
    for damage in damages:
        path = figures_path(desk)
        path.write_bytes(damage(path.read_bytes()))
        assert desk("report", "--format", "json", now=NOW).json == expected
        assert tallies._load(Ledger(desk.home), PARIS) is not None  # written anew, and it fits
    figures_path(desk).unlink()
    assert desk("report", "--format", "json", now=NOW).json == expected


def test_sums_edited_so_that_they_still_read_are_ignored(desk: Desk) -> None:
    busy_afternoon(desk)
    expected = desk("report", "--format", "json", now=NOW).json
    path = figures_path(desk)
    data = path.read_bytes()
    payload = list(marshal.loads(data[32:]))
    for counters, _delays, _takers in payload[7].values():  # the month sums
        counters["calls"] += 1
    path.write_bytes(data[:32] + marshal.dumps(tuple(payload)))
    assert desk("report", "--format", "json", now=NOW).json == expected


def test_sums_from_another_ledger_are_ignored(tmp_path: Path) -> None:
    one, other = make_workspace(tmp_path / "one"), make_workspace(tmp_path / "other")
    busy_afternoon(one)
    other("intake", "--motif", "renouvellement", "--source", "web", now="2024-01-15T13:00")  # differs from line 1
    busy_afternoon(other, requests=2)
    one("report", "--format", "json", now=NOW)
    os.replace(figures_path(one), figures_path(other))
    assert tallies._load(Ledger(other.home), PARIS) is None
    assert other("report", "--format", "json", now=NOW).json == counted_afresh(other.home)


def test_sums_made_in_another_time_zone_are_ignored(desk: Desk) -> None:
    busy_afternoon(desk)
    desk("report", "--format", "json", now=NOW)
    assert tallies._load(Ledger(desk.home), ZoneInfo("America/Cayenne")) is None
    assert tallies._load(Ledger(desk.home), PARIS) is not None


def test_a_ledger_edited_by_hand_is_not_hidden_by_the_sums(desk: Desk) -> None:
    busy_afternoon(desk)
    desk("report", "--format", "json", now=NOW)
    path = next((desk.home / "ledger").glob("*.jsonl"))
    path.write_bytes(path.read_bytes().replace(b'"source":"cot"', b'"source":"web"', 1))
    result = desk("report", "--format", "json", now=NOW)
    assert result.code == 3
    assert "ledger/2024-01.jsonl:2: the hash of the previous line does not match" in result.err


def test_a_workspace_where_the_sums_cannot_be_written_still_reports(desk: Desk) -> None:
    busy_afternoon(desk)
    figures_path(desk).mkdir(parents=True)  # in the way: the sums cannot be saved there
    assert desk("report", "--format", "json", now=NOW).json == counted_afresh(desk.home)
    assert figures_path(desk).is_dir()


def test_verify_never_reads_the_sums(desk: Desk) -> None:
    busy_afternoon(desk)
    desk("report", "--format", "json", now=NOW)
    figures_path(desk).write_bytes(b"nonsense")
    assert desk("verify", "--json").json["requests"] == 6


def test_the_sums_are_never_tracked_by_git(tmp_path: Path) -> None:
    home = tmp_path / "cpts"
    run_cli(["init", str(home)])
    assert ".snpctl/" in (home / ".gitignore").read_text().splitlines()
    assert tallies.path_of(Ledger(home)).parent == home / ".snpctl"


def intake(request: str, action: str = "trigger") -> dict:
    return {
        "type": "intake",
        "at": "2024-01-15T13:00:00Z",
        "request": request,
        "source": "cot",
        "treating_doctor": "none",
        "action": action,
    }


def test_a_step_for_a_settled_request_makes_saved_sums_count_again() -> None:
    """The rules allow no step after a request settles; if the ledger holds one, only a full count may place it."""
    sums = Tallies(PARIS).read([intake("001C", action="redirect")])
    late = {"type": "outcome", "at": "2024-01-15T14:00:00Z", "request": "001C", "outcome": "cancelled"}
    with pytest.raises(Stale):
        sums.read([late], strict=True)
    assert Tallies(PARIS).read([intake("001C", action="redirect"), late]).requests == 1  # a full count skips it


def test_a_step_for_a_request_never_taken_in_does_not_fit() -> None:
    with pytest.raises(KeyError):
        Tallies(PARIS).read([intake("001C"), {"type": "notify", "at": "2024-01-15T14:00:00Z", "request": "002E"}])


def test_a_period_cutting_months_adds_whole_months_and_the_days_it_keeps(desk: Desk) -> None:
    for day in ("2024-01-31", "2024-02-01", "2024-02-29", "2024-03-01"):
        desk("intake", "--motif", "renouvellement", "--source", "cot", now=f"{day}T10:00")
    desk("report", "--format", "json", now="2024-03-02T09:00")
    run = desk("report", "--format", "json", "--from", "2024-02-01", "--to", "2024-03-01", now="2024-03-02T09:00")
    assert [(m["month"], m["calls"]) for m in run.json["monthly"]] == [("2024-02", 2), ("2024-03", 1)]
    assert run.json == counted_afresh(desk.home, date(2024, 2, 1), date(2024, 3, 1))


def test_a_report_unpacks_only_the_saved_day_sums_it_needs(desk: Desk) -> None:
    for day in ("2024-01-31", "2024-02-10", "2024-03-01", "2024-04-02"):
        desk("intake", "--motif", "renouvellement", "--source", "cot", now=f"{day}T10:00")
    desk("report", "--format", "json", now="2024-04-03T09:00")
    saved, _torn = tallies.count(Ledger(desk.home), PARIS)
    saved.select()  # the first and last months' days give the period's first and last day
    assert [month for month, sums in sorted(saved.days.items()) if type(sums) is dict] == [(2024, 1), (2024, 4)]
    saved.select(date(2024, 2, 5), date(2024, 3, 31))  # cuts February only
    assert [month for month, sums in sorted(saved.days.items()) if type(sums) is dict] == [
        (2024, 1),
        (2024, 2),
        (2024, 4),
    ]


# -- property: saved sums + the lines after them == a count from the first line ----------------


@settings(max_examples=30, deadline=None)
@given(
    st.lists(step, min_size=1, max_size=40),
    st.integers(min_value=1, max_value=10),
    st.sampled_from([None, date(2024, 1, 15), date(2024, 1, 16)]),
)
def test_saved_sums_plus_the_lines_after_them_equal_a_full_count(steps, report_every, start) -> None:
    def report_now_and_then(ws: Workspace, now: datetime, index: int) -> None:
        if (index + 1) % report_every == 0:
            service.report(ws, now)  # saves the sums (every line read, here)

    with tempfile.TemporaryDirectory() as folder, mock.patch.object(tallies, "EVERY", 1):
        home = Path(folder) / "cpts"
        make_workspace(home)
        now = play(home, steps, report_now_and_then)
        if (home / ".snpctl" / "figures").exists():
            assert tallies._load(Ledger(home), PARIS) is not None  # sums left behind fit: the next report uses them
        data = service.report(Workspace(home), now, start=start).data
        assert json.dumps(data) == json.dumps(counted_afresh(home, start=start))
