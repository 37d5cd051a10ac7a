"""The facts a plan is drawn within: the period's workspace settings, who may take requests, the random draws.

Owns ``Call`` (one planned call and its steps) and ``Period`` (the scenario, the configuration the
simulated workspace loaded, the seeded ``random.Random``, the doctors on duty), shared by the planner
(who and what) and the timing (when). Must not know the service functions nor the report.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, NoReturn

from snpctl.config import Config
from snpctl.errors import ConfigError
from snpctl.simulate.scenario import Scenario, Span
from snpctl.simulate.workspace import GP
from snpctl.timefmt import UTC

MINUTE = timedelta(minutes=1)


@dataclass
class Call:
    kind: str  # trigger | redirect | transfer_15 | direct
    source: str = ""
    motif: str = ""
    treating_doctor: str = "unknown"
    day: date = date.min  # drawn by the planner before anything else needs it
    site: str | None = None  # where the appointment takes place, when it gets one
    fate: str = ""  # for triggered calls: accepted | expired
    by_treating_doctor: bool = False
    treating_doctor_refuses: bool = False
    by: str | None = None
    outcome: str | None = None
    steps: list[tuple[datetime, str, dict[str, Any]]] = field(default_factory=list)


def ceil_minute(instant: datetime) -> datetime:
    floor = instant.replace(second=0, microsecond=0)
    return floor if floor == instant else floor + MINUTE


def cumulate(values: Iterable[float]) -> list[float]:
    total, out = 0.0, []
    for value in values:
        total += value
        out.append(total)
    return out


class Period:
    """The scenario's period in the simulated workspace: settings, eligible members, doctors on duty."""

    def __init__(self, scenario: Scenario, config: Config, rng: random.Random) -> None:
        self.sc, self.config, self.rng = scenario, config, rng
        self.zone = config.zone
        self.window = config.treating_doctor_window
        self.total = config.total_window
        self.horizon = config.appointment_horizon
        self.site_spans = scenario.site_spans
        self.eligible = [m.id for m in config.members.values() if m.active and m.registered and m.profession == GP]
        self.eligible_set = set(self.eligible)
        self.duty: dict[tuple[str, date], list[str]] = {}  # drawn with the days, used by the slots

    def fail(self, problem: str) -> NoReturn:
        raise ConfigError(f"{self.sc.file}: {problem}")

    def local(self, day: date, seconds: float) -> datetime:
        naive = datetime.combine(day, time()) + timedelta(seconds=int(seconds))
        return naive.replace(tzinfo=self.zone).astimezone(UTC)

    def spans_on(self, spans: tuple[Span, ...], day: date) -> list[Span]:
        return [s for s in spans if day.weekday() in s.days]

    def has_window(self, call: Call) -> bool:
        member = self.config.members.get(call.treating_doctor)
        return bool(self.window) and member is not None and member.id in self.eligible_set
