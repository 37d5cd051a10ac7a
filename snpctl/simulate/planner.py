"""The plan of a period: every call, its kind, source, motif, treating doctor, day, fate, taker and outcome.

Owns the counts: the plan plays exactly the scenario's ``[plan]``; what a document does not give
(days, who accepts, which ones are no-shows) is drawn from the period's seeded ``random.Random``,
in an order that must not change (the same seed writes the same ledger byte for byte). The times of
each step are ``timing.py``'s; who takes the acceptances left in members' own practices is
``takers.py``'s, drawn last. Must not know the service functions nor the report.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

from snpctl.config import CABINET
from snpctl.i18n import _
from snpctl.simulate.period import Call, Period, cumulate
from snpctl.simulate.scenario import round_half_up
from snpctl.simulate.takers import give_takers
from snpctl.simulate.timing import Timing
from snpctl.simulate.workspace import GP

# What the operators type, by how often it comes (most frequent motives: infectious diseases,
# ENT, trauma, digestive, dermatology, rheumatology; paediatric fever is the textbook case).
TRIGGER_MOTIFS = {
    "fievre": 20,
    "orl": 20,
    "fievre_enfant": 14,
    "urinaire": 10,
    "traumatologie": 12,
    "digestif": 11,
    "peau": 7,
    "lombalgie": 6,
}
REDIRECT_MOTIFS = {"renouvellement": 5, "certificat": 3, "prolongation_arret": 2}
TRANSFER_MOTIFS = {"douleur_thoracique": 7, "detresse_respiratoire": 2, "signes_avc": 1, "inconscient": 1}


def _share_count(spec: int | float, total: int) -> int:
    """An integer in the plan is a count; a fraction is a share of ``total``."""
    return spec if isinstance(spec, int) else int(round_half_up(spec * total))


def _split(total: int, weights: dict[str, float]) -> list[str]:
    """Exactly ``total`` labels in the proportions of ``weights`` (largest remainders)."""
    whole = sum(weights.values())
    exact = {k: total * w / whole for k, w in weights.items()}
    counts = {k: int(v) for k, v in exact.items()}
    for k in sorted(exact, key=lambda k: counts[k] - exact[k])[: total - sum(counts.values())]:
        counts[k] += 1
    return [k for k, n in counts.items() for _i in range(n)]


class Planner(Period):
    """Who, and what becomes of each call; then ``Timing`` says when."""

    def calls(self) -> list[Call]:
        sc = self.sc
        calls = (
            [Call("trigger") for _i in range(sc.triggered)]
            + [Call("redirect") for _i in range(sc.redirected)]
            + [Call("transfer_15") for _i in range(sc.transferred_15)]
        )
        for source, call in zip(self._shuffled(_split(len(calls), sc.sources)), calls, strict=True):
            call.source = source
        calls += [Call("direct", source=d.source, site=d.site) for d in sc.direct for _i in range(d.count)]
        self._treating_doctors(calls)
        self._motifs(calls)
        self._fates([c for c in calls if c.kind == "trigger"])
        self._days(calls)
        self._outcomes(calls)
        give_takers(self, calls)
        timing = Timing(self)
        for call in calls:
            timing.plan(call)
        return calls

    def _shuffled(self, items: list[str]) -> list[str]:
        self.rng.shuffle(items)
        return items

    def _treating_doctors(self, calls: list[Call]) -> None:
        sc, rng = self.sc, self.rng
        total = len(calls)
        declared = int(round_half_up(sc.declared * total))
        none = int(round_half_up(sc.no_treating_doctor * total))
        if declared + none > total:
            self.fail(_("plan.treating_doctor: declared + none is more than every call."))
        statuses = self._shuffled(["declared"] * declared + ["none"] * none + ["unknown"] * (total - declared - none))
        weights = {f"{g.prefix}-{i:03d}": g.treating for g in sc.groups for i in range(1, g.count + 1) if g.treating}
        doctors, cumulative = list(weights), list(cumulate(weights.values()))
        for call, status in zip(calls, statuses, strict=True):  # one status per call
            if status != "declared":
                call.treating_doctor = status
            elif doctors and rng.random() < sc.declared_in_roster:
                call.treating_doctor = rng.choices(doctors, cum_weights=cumulative)[0]
            else:
                call.treating_doctor = "external"

    def _motifs(self, calls: list[Call]) -> None:
        pools = {}
        for kind, action, weights in (
            ("trigger", "trigger", TRIGGER_MOTIFS),
            ("direct", "trigger", TRIGGER_MOTIFS),
            ("redirect", "redirect", REDIRECT_MOTIFS),
            ("transfer_15", "transfer_15", TRANSFER_MOTIFS),
        ):
            usable = {
                k: w
                for k, w in weights.items()
                if k in self.config.protocols
                and self.config.protocols[k].action == action
                and self.config.protocols[k].profession == GP
            }
            pools[kind] = (list(usable), list(cumulate(usable.values())))
        for call in calls:
            keys, cumulative = pools[call.kind]
            if not keys:
                self.fail(_("protocols.toml has no {kind} motif for the simulated calls.").format(kind=call.kind))
            call.motif = self.rng.choices(keys, cum_weights=cumulative)[0]

    def _fates(self, triggered: list[Call]) -> None:
        sc, rng = self.sc, self.rng
        if sum(sc.accepted.values()) > len(triggered):
            self.fail(_("plan.accepted is more than plan.triggered."))
        in_window = [c for c in triggered if self.has_window(c)]
        if sc.accepted_by_treating_doctor > len(in_window):
            self.fail(
                _(
                    "plan.accepted_by_treating_doctor ({n}) is more than the {m} requests whose treating doctor is "
                    "a registered member; raise plan.treating_doctor.in_roster or the groups' `treating` weights."
                ).format(n=sc.accepted_by_treating_doctor, m=len(in_window))
            )
        left = dict(sc.accepted)
        for call in rng.sample(in_window, sc.accepted_by_treating_doctor):
            call.fate, call.by_treating_doctor, call.by = "accepted", True, call.treating_doctor
            call.site = self.config.members[call.treating_doctor].site
            left[call.site] = left.get(call.site, 0) - 1
            if left[call.site] < 0:
                self.fail(
                    _("plan.accepted.{site} is smaller than the treating doctors' acceptances there.").format(
                        site=call.site
                    )
                )
        rest = [c for c in triggered if not c.by_treating_doctor]
        rng.shuffle(rest)
        position = 0
        for site, count in left.items():
            for call in rest[position : position + count]:
                call.fate, call.site = "accepted", site
            position += count
        for call in rest[position:]:
            call.fate = "expired"
        for call in in_window:
            if not call.by_treating_doctor:
                call.treating_doctor_refuses = rng.random() < sc.treating_doctor_refuses

    def _days(self, calls: list[Call]) -> None:
        sc = self.sc
        period = [sc.start + timedelta(days=n) for n in range((sc.end - sc.start).days + 1)]
        period = [d for d in period if d not in sc.closed]
        line_days = [d for d in period if self.spans_on(sc.line, d)]
        choices: dict[tuple[str | None, bool], tuple[list[date], list[float]]] = {}

        def pool(site: str | None, via_line: bool) -> tuple[list[date], list[float]]:
            key = (site, via_line)
            if key not in choices:
                days = line_days if via_line else period
                if site is not None and site != CABINET:
                    days = [d for d in days if self.spans_on(self.site_spans[site], d)]
                if not days:
                    self.fail(_("no day of the period is open for the calls to {site}.").format(site=site or "-"))
                weights = [1 + sc.winter * math.cos(2 * math.pi * (d.timetuple().tm_yday - 15) / 365.25) for d in days]
                choices[key] = (days, list(cumulate(weights)))
            return choices[key]

        for call in calls:
            days, cumulative = pool(call.site, call.kind != "direct")
            call.day = self.rng.choices(days, cum_weights=cumulative)[0]
        # the doctors on duty at each site: one, or two on a busy day
        load: dict[tuple[str, date], int] = {}
        for call in calls:
            if call.site not in (None, CABINET):
                load[call.site, call.day] = load.get((call.site, call.day), 0) + 1
        for (site, day), count in sorted(load.items()):
            staff = [m for m in self.eligible if self.config.members[m].site == site]
            if not staff:
                self.fail(
                    _("nobody registered works at {site}; add a [[members]] group with site = {site!r}.").format(
                        site=site
                    )
                )
            self.duty[site, day] = self.rng.sample(staff, min(len(staff), 1 if count <= 10 else 2))

    def _outcomes(self, calls: list[Call]) -> None:
        by_site: dict[str, list[Call]] = {}
        for call in calls:
            if call.site is not None:
                by_site.setdefault(call.site, []).append(call)
        for site, taken in by_site.items():
            cancelled = _share_count(self.sc.cancelled.get(site, 0), len(taken))
            no_show = _share_count(self.sc.no_show.get(site, 0), len(taken) - cancelled)
            if cancelled + no_show > len(taken):
                self.fail(_("plan: more no-shows and cancellations at {site} than appointments.").format(site=site))
            order = list(taken)
            self.rng.shuffle(order)
            for index, call in enumerate(order):
                call.outcome = (
                    "cancelled" if index < cancelled else "no_show" if index < cancelled + no_show else "seen"
                )
            if site != CABINET:
                for call in taken:
                    call.by = call.by or self.rng.choice(self.duty[site, call.day])
