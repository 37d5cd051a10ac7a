"""Windows are real durations across the 2025 clock changes in Europe/Paris (contract section 5).

On Sunday 30 March 2025 the clocks jump from 02:00 to 03:00 (local 02:30 does not exist); on
Sunday 26 October 2025 they fall back from 03:00 to 02:00 (local 02:30 happens twice). A request
triggered at 01:30 local, with the inline CPTS's 1h treating-doctor window and 2h total window,
must escalate and expire after exactly 1h and 2h of real time. `tick` runs every minute through the
night, with `--now` given as an aware ISO string (the only way to name both 02:30s in October).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from conftest import Desk

PARIS = ZoneInfo("Europe/Paris")
UTC = UTC
QUIET = {"escalated": [], "expired": []}


def local(instant: datetime) -> str:
    """How the instant is typed and shown: ISO 8601 with the Paris offset of that instant."""
    return instant.astimezone(PARIS).isoformat(timespec="seconds")


def every_minute(start: datetime, end: datetime) -> list[datetime]:
    count = int((end - start).total_seconds() // 60)
    return [start + timedelta(minutes=n) for n in range(count + 1)]


NIGHTS = [
    pytest.param(
        datetime(2025, 3, 30, 0, 0, tzinfo=UTC),  # 01:00+01:00
        datetime(2025, 3, 30, 0, 30, tzinfo=UTC),  # notify at 01:30+01:00
        datetime(2025, 3, 30, 3, 0, tzinfo=UTC),  # 05:00+02:00
        "2025-03-30T03:30:00+02:00",
        "2025-03-30T04:30:00+02:00",
        id="spring-forward-30-march",
    ),
    pytest.param(
        datetime(2025, 10, 25, 23, 0, tzinfo=UTC),  # 01:00+02:00
        datetime(2025, 10, 25, 23, 30, tzinfo=UTC),  # notify at 01:30+02:00
        datetime(2025, 10, 26, 4, 0, tzinfo=UTC),  # 05:00+01:00
        "2025-10-26T02:30:00+02:00",
        "2025-10-26T02:30:00+01:00",  # the first 02:30, then the second
        id="fall-back-26-october",
    ),
]


def intake(desk: Desk, at: datetime) -> str:
    """A fever call whose treating doctor, gp-a, is a registered member: gp-a alone for 1h, then everyone."""
    run = desk("intake", "--motif", "fievre", "--source", "cot", "--treating-doctor", "gp-a", "--json", now=local(at))
    assert run.code == 0, run.err
    return run.json["request"]


def trigger(desk: Desk, intake_at: datetime, notify_at: datetime) -> tuple[str, dict]:
    rid = intake(desk, intake_at)
    run = desk("notify", rid, "--json", now=local(notify_at))
    assert run.code == 0, run.err
    return rid, run.json


@pytest.mark.parametrize("start, notify_at, end, escalation, expiry", NIGHTS)
def test_tick_every_minute_escalates_after_one_hour_and_expires_after_two(
    desk: Desk, start: datetime, notify_at: datetime, end: datetime, escalation: str, expiry: str
) -> None:
    rid = intake(desk, start)
    changes: dict[str, dict] = {}  # the minutes at which tick did something
    minutes = every_minute(start, end)
    for instant in minutes:
        run = desk("tick", "--json", now=local(instant))
        assert run.code == 0, f"{local(instant)}: {run.err}"
        result = {key: run.json[key] for key in QUIET}
        if result != QUIET:
            changes[local(instant)] = result
        if instant == notify_at:
            assert desk("notify", rid, "--json", now=local(instant)).code == 0
    assert len(minutes) in (181, 301)  # 3 real hours in March, 5 in October: 01:00 to 05:00 local
    assert changes == {escalation: {"escalated": [rid], "expired": []}, expiry: {"escalated": [], "expired": [rid]}}
    cascade = [
        (e["type"], e["at"])
        for e in desk.events()
        if e.get("request") == rid
        and e["type"] in ("intake", "notify", "escalate", "expire", "accept", "refuse", "book", "outcome")
    ]
    stamp = lambda instant: instant.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    assert cascade == [
        ("intake", stamp(start)),
        ("notify", stamp(notify_at)),
        ("escalate", stamp(notify_at + timedelta(hours=1))),
        ("expire", stamp(notify_at + timedelta(hours=2))),
    ]


@pytest.mark.parametrize("start, notify_at, end, escalation, expiry", NIGHTS)
def test_deadlines_are_shown_with_the_offset_of_their_own_instant(
    desk: Desk, start: datetime, notify_at: datetime, end: datetime, escalation: str, expiry: str
) -> None:
    rid, notified = trigger(desk, start, notify_at)
    assert notified == {
        "request": rid,
        "status": "treating_doctor_window",
        "deadline": escalation,
        "notified": ["gp-a"],
    }
    assert desk("tick", "--json", now=escalation).json["escalated"] == [rid]
    listing = desk("list", "--json", now=escalation).json["requests"]
    assert [(r["request"], r["status"], r["deadline"]) for r in listing] == [(rid, "community", expiry)]


@pytest.mark.parametrize("start, notify_at, end, escalation, expiry", NIGHTS)
def test_the_ledger_keeps_utc_whatever_the_clocks_say(
    desk: Desk, start: datetime, notify_at: datetime, end: datetime, escalation: str, expiry: str
) -> None:
    trigger(desk, start, notify_at)
    notify = next(e for e in desk.events() if e["type"] == "notify")
    assert (notify["at"], notify["deadline"], notify["expires"]) == tuple(
        (notify_at + timedelta(hours=h)).strftime("%Y-%m-%dT%H:%M:%SZ") for h in (0, 1, 2)
    )


@pytest.mark.parametrize("start, notify_at, end, escalation, expiry", NIGHTS)
def test_one_minute_before_each_deadline_nothing_happens(
    desk: Desk, start: datetime, notify_at: datetime, end: datetime, escalation: str, expiry: str
) -> None:
    rid, _ = trigger(desk, start, notify_at)
    just_before = datetime.fromisoformat(escalation) - timedelta(minutes=1)
    assert {k: v for k, v in desk("tick", "--json", now=local(just_before)).json.items() if k in QUIET} == QUIET
    assert desk("tick", "--json", now=escalation).json["escalated"] == [rid]
    just_before = datetime.fromisoformat(expiry) - timedelta(minutes=1)
    assert {k: v for k, v in desk("tick", "--json", now=local(just_before)).json.items() if k in QUIET} == QUIET
    assert desk("tick", "--json", now=expiry).json["expired"] == [rid]
