"""Several processes at once: the lock makes every decision see the events of the one before it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import Desk

pytestmark = pytest.mark.slow

# Each child imports snpctl, then waits for the start file, so that all of them run the command together.
_RACER = """
import os, sys, time
from snpctl.cli import main
start = sys.argv[1]
while not os.path.exists(start):
    time.sleep(0.001)
main(sys.argv[2:])
"""


def race(home: Path, commands: list[list[str]], **env: str) -> list[subprocess.CompletedProcess]:
    start = home.parent / "start"
    full_env = {**os.environ, "SNPCTL_HOME": str(home), **env}
    children = [
        subprocess.Popen(
            [sys.executable, "-c", _RACER, str(start), *command],
            env=full_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for command in commands
    ]
    time.sleep(1.0)  # let every child import and wait
    start.touch()
    results = []
    for child in children:
        out, err = child.communicate(timeout=60)
        results.append(subprocess.CompletedProcess(child.args, child.returncode, out, err))
    start.unlink()
    return results


def overdue_request(desk: Desk) -> str:
    rid = desk(
        "intake", "--motif", "fievre", "--source", "cot", "--treating-doctor", "gp-a", "--json", now="2024-01-15T16:00"
    ).json["request"]
    desk("notify", rid, now="2024-01-15T16:01")
    return rid


def test_sixteen_ticks_at_once_escalate_an_overdue_request_exactly_once(desk: Desk) -> None:
    rid = overdue_request(desk)
    results = race(desk.home, [["tick", "--json", "--now", "2024-01-15T17:05"]] * 16)
    assert [r.returncode for r in results] == [0] * 16, [r.stderr for r in results]
    escalated = [json.loads(r.stdout)["escalated"] for r in results]
    assert sorted(escalated, key=len) == [[]] * 15 + [[rid]]
    assert [e["type"] for e in desk.events()].count("escalate") == 1


def test_eight_accepts_at_once_give_exactly_one_success(desk: Desk) -> None:
    rid = desk("intake", "--motif", "fievre", "--source", "cot", "--json", now="2024-01-15T16:00").json["request"]
    desk("notify", rid, now="2024-01-15T16:01")
    members = ["gp-a", "gp-b", "gp-cami"] * 3
    results = race(
        desk.home,
        [
            ["accept", rid, "--by", m, "--at", "18:00", "--site", "cabinet", "--now", "2024-01-15T16:10"]
            for m in members[:8]
        ],
    )
    codes = sorted(r.returncode for r in results)
    assert codes == [0] + [1] * 7, [r.stderr for r in results]
    assert all("was already taken by" in r.stderr for r in results if r.returncode == 1)
    assert [e["type"] for e in desk.events()].count("accept") == 1


def test_without_the_lock_the_same_races_go_wrong(desk: Desk) -> None:
    """Proves the two tests above test something: with locking switched off, decisions overlap."""
    rid = overdue_request(desk)
    hold = {"SNPCTL_TEST_NO_LOCK": "1", "SNPCTL_TEST_HOLD": "0.3"}
    results = race(desk.home, [["tick", "--json", "--now", "2024-01-15T17:05"]] * 16, **hold)
    escalations = sum(1 for r in results if r.returncode == 0 and json.loads(r.stdout)["escalated"] == [rid])
    assert escalations > 1


def test_with_the_lock_a_slow_decision_still_escalates_once(desk: Desk) -> None:
    rid = overdue_request(desk)
    results = race(desk.home, [["tick", "--json", "--now", "2024-01-15T17:05"]] * 4, SNPCTL_TEST_HOLD="0.3")
    assert sorted(json.loads(r.stdout)["escalated"] for r in results) == [[], [], [], [rid]]


def test_without_the_lock_two_accepts_can_both_succeed(desk: Desk) -> None:
    rid = desk("intake", "--motif", "fievre", "--source", "cot", "--json", now="2024-01-15T16:00").json["request"]
    desk("notify", rid, now="2024-01-15T16:01")
    results = race(
        desk.home,
        [
            ["accept", rid, "--by", m, "--at", "18:00", "--site", "cabinet", "--now", "2024-01-15T16:10"]
            for m in ["gp-a", "gp-b", "gp-cami"] * 2 + ["gp-a", "gp-b"]
        ],
        SNPCTL_TEST_NO_LOCK="1",
        SNPCTL_TEST_HOLD="0.3",
    )
    assert sum(1 for r in results if r.returncode == 0) > 1


def test_eight_writers_at_once_on_a_ledger_with_no_snapshot_each_take_the_next_id(desk: Desk) -> None:
    """They fold history outside the lock, one at a time (the others wait and use its snapshot)."""
    overdue_request(desk)
    for n in range(12):
        desk("intake", "--motif", "fievre", "--source", "cot", now=f"2024-01-15T16:{10 + n}")
    (desk.home / ".snpctl" / "snapshot").unlink()
    (desk.home / ".snpctl" / "stamp").unlink()  # as after a git pull: no snapshot can fit
    results = race(
        desk.home, [["intake", "--motif", "fievre", "--source", "cot", "--json", "--now", "2024-01-15T16:40"]] * 8
    )
    assert [r.returncode for r in results] == [0] * 8, [r.stderr for r in results]
    assert sorted(json.loads(r.stdout)["request"] for r in results) == [
        "014H",
        "015J",
        "016K",
        "017L",
        "018M",
        "019R",
        "020U",
        "021X",
    ]
    assert desk("verify", "--json").json["events"] == len(desk.events())
    assert desk("tick", "--json", now="2024-01-15T16:41").code == 0
