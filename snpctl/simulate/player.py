"""Playing a plan through the service functions, as the CLI would, on a non-durable workspace; ``simulate`` itself.

Owns the order of play (every step in time order, ``tick`` at the first whole minute at or after
each deadline, as a per-minute cron line does, and delivery of what each command queued) and the
side-by-side's JSON object. Writes nothing by hand: a plan that breaks a rule is refused by the
service like a user would be, and the simulation stops naming the step. Must not draw anything:
every draw is the planner's.
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from typing import Any

from snpctl import delivery, service
from snpctl.domain.state import Request
from snpctl.errors import ConfigError, SnpctlError
from snpctl.i18n import _
from snpctl.quiet import collector_paused
from snpctl.simulate.compare import compare
from snpctl.simulate.period import Call, ceil_minute
from snpctl.simulate.planner import Planner
from snpctl.simulate.scenario import Scenario, load_scenario, moved
from snpctl.simulate.workspace import write_workspace
from snpctl.store.workspace import Workspace
from snpctl.timefmt import UTC, to_local_text
from snpctl.words import event

WAITING = ("treating_doctor_window", "community")


@dataclass
class _Player:
    """Plays the plan as the CLI would: each command, then the delivery of what it queued; tick when due."""

    ws: Workspace
    patient_seed: str
    deliver: bool = True
    status: dict[str, str] = field(default_factory=dict)
    window_end: dict[str, datetime] = field(default_factory=dict)
    expires: dict[str, datetime] = field(default_factory=dict)
    reminders: dict[str, tuple[datetime, datetime]] = field(default_factory=dict)  # rid -> (from, appointment)
    deadlines: list[tuple[datetime, str]] = field(default_factory=list)
    last_tick: datetime | None = None
    ticks: int = 0

    def _due(self, rid: str, minute: datetime) -> bool:
        status = self.status.get(rid)
        if status == "treating_doctor_window" and minute >= self.window_end[rid]:
            return True
        if status in WAITING and minute >= self.expires[rid]:
            return True
        reminder = self.reminders.get(rid)
        return status == "accepted" and reminder is not None and reminder[0] <= minute < reminder[1]

    def ticks_until(self, instant: datetime | None) -> None:
        """Run tick at each whole minute where something is due, up to ``instant``: what a per-minute cron does,
        since a tick with nothing due writes nothing."""
        while self.deadlines and (instant is None or self.deadlines[0][0] <= instant):
            minute, rid = heapq.heappop(self.deadlines)
            if (self.last_tick is not None and minute <= self.last_tick) or not self._due(rid, minute):
                continue
            result = service.tick(self.ws, minute)
            if self.deliver:
                delivery.deliver(self.ws, minute)
            self.ticks += 1
            self.last_tick = minute
            for escalated in result.data["escalated"]:
                self.status[escalated] = "community"
            for expired in result.data["expired"]:
                self.status[expired] = "expired"
            for reminded in [r for r, (start, _end) in self.reminders.items() if start <= minute]:
                del self.reminders[reminded]

    def _at(self, minute: datetime, rid: str) -> None:
        heapq.heappush(self.deadlines, (ceil_minute(minute), rid))

    def step(self, call: Call, rid: str | None, at: datetime, kind: str, args: dict[str, Any]) -> str:
        ws = self.ws
        if kind == "intake":
            result = service.intake(
                ws,
                at,
                motif=call.motif,
                source=call.source,
                treating_doctor=call.treating_doctor,
                seed=self.patient_seed,
            )
            rid = result.data["request"]
        elif rid is None:
            raise ValueError(f"{kind} before the intake")  # the plan sorts each call's steps: never
        else:
            result = self._command(rid, at, kind, args)
        self.status[rid] = result.data["status"]
        if self.deliver and result.messages:
            delivery.deliver(ws, at, result.messages)
        return rid

    def _command(self, rid: str, at: datetime, kind: str, args: dict[str, Any]) -> service.Outcome:
        ws = self.ws
        if kind == "notify":
            result = service.notify(ws, at, request=rid)
            self._windows(rid, result.request)
        elif kind == "refuse":
            result = service.refuse(ws, at, request=rid, **args)
        elif kind in ("accept", "book"):
            result = (service.accept if kind == "accept" else service.book)(ws, at, request=rid, **args)
            before = ws.config.messaging.reminder_before
            start = args["appointment"] - before
            if before and start > at:
                self.reminders[rid] = (start, args["appointment"])
                self._at(start, rid)
        else:
            result = service.outcome(ws, at, request=rid, **args)
        return result

    def _windows(self, rid: str, request: Request | None) -> None:
        """The deadlines a notified request runs to: tick is due at each."""
        assert request is not None and request.expires_at is not None  # notify returns the request it notified
        if request.status == "treating_doctor_window" and request.deadline is not None:
            self.window_end[rid] = request.deadline
            self._at(request.deadline, rid)
        self.expires[rid] = request.expires_at
        self._at(request.expires_at, rid)


def simulate(name: str, into: Path, *, seed: int | None = None, years: int = 1) -> dict[str, Any]:
    """Build a workspace in ``into``, play the scenario (``years`` times in a row), return the side-by-side.

    The documented figures are compared on the first year; later years are the same activity, dates
    moved forward, drawn with their own seed: the big ledgers the benchmarks are measured on.
    """
    scenario = load_scenario(name)
    seed = scenario.seed if seed is None else seed
    write_workspace(scenario, into, seed)
    ws = Workspace(into, durable=False, write_outbox=False)
    with collector_paused():
        return _play(scenario, into, ws, seed, years)


def _play(scenario: Scenario, into: Path, ws: Workspace, seed: int, years: int) -> dict[str, Any]:
    player = _Player(ws, f"{scenario.name}:{seed}")
    plan: list[tuple[datetime, int, int, str, dict[str, Any]]] = []
    for year in range(years):
        period = moved(scenario, year)
        draws = f"snpctl-simulate:{scenario.name}:{seed}" + (f":{year}" if year else "")
        calls = Planner(period, ws.config, random.Random(draws)).calls()
        plan = sorted(
            (
                (at, index, number, kind, args)
                for index, call in enumerate(calls)
                for number, (at, kind, args) in enumerate(call.steps)
            ),
            key=lambda s: s[:3],
        )
        ids: list[str | None] = [None] * len(calls)
        for at, index, _number, kind, args in plan:
            player.ticks_until(at)
            try:
                ids[index] = player.step(calls[index], ids[index], at, kind, args)
            except SnpctlError as error:
                local = to_local_text(at, ws.config.zone)
                raise ConfigError(
                    _(
                        "{file}: the simulation broke a rule on {at} ({kind}, request {id}): {error} "
                        "Fix the scenario's plan."
                    ).format(file=scenario.file, at=local, kind=event(kind), id=ids[index] or "-", error=error.message)
                ) from None
    player.ticks_until(None)
    ws.ledger.settle()
    last = plan[-1][0] if plan else datetime.combine(scenario.end, time(), UTC)
    figures = service.report(ws, ceil_minute(last), start=scenario.start, end=scenario.end).data
    rows = [compare(expect, figures) for expect in scenario.expect]
    events = sum(path.read_bytes().count(b"\n") for path in ws.ledger.files())
    return {
        "scenario": scenario.name,
        "title": scenario.title,
        "source": scenario.source,
        "seed": seed,
        "home": str(into.absolute()),
        "period": {"from": scenario.start.isoformat(), "to": scenario.end.isoformat()},
        "settings": {
            **scenario.cascade,
            "line_hours": list(scenario.line_hours),
            "sites": {s["key"]: s["hours"] for s in scenario.sites},
            "members_registered": figures["members"]["registered"],
        },
        "events": events,
        "ticks": player.ticks,
        "rows": [
            {
                "figure": r.figure,
                "key": r.key,
                "documented": r.documented,
                "computed": r.computed,
                "rule": r.rule,
                "ok": r.ok,
                "percent": r.percent,
                "note": r.note,
            }
            for r in rows
        ],
        "ok": all(r.ok for r in rows),
    }
