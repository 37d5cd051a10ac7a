"""Who takes the acceptances left to members in their own practice (the planner's last draw of people).

Owns ``plan.takers``: exactly that many members take at least one request when the scenario says so,
the rest go by each member's drawn activity. Draws from the period's ``random.Random`` in the order
the planner always did (the same seed writes the same ledger byte for byte). Must not know the
service functions nor the report.
"""

from __future__ import annotations

from snpctl.config import CABINET
from snpctl.i18n import _
from snpctl.simulate.period import Call, Period


def give_takers(period: Period, calls: list[Call]) -> None:
    """Who accepts in their own practice; with plan.takers, exactly that many members take at least one."""
    rng = period.rng
    pending = [c for c in calls if c.fate == "accepted" and c.site == CABINET and not c.by_treating_doctor]
    candidates = [m for m in period.eligible if period.config.members[m].site == CABINET]
    activity = {m: rng.paretovariate(1.3) for m in candidates}  # a few take many, most take some
    fixed = sorted({c.by for c in calls if c.by})
    first, pool = (
        _first_takers(period, candidates, fixed, pending) if period.sc.takers is not None else ([], candidates)
    )
    if pending and not pool:
        period.fail(_("plan.accepted.cabinet needs members who work in their own practice."))
    rng.shuffle(pending)
    _give_one_each(period, first, pending)
    _give_the_rest(period, pending, pool, activity)


def _give_the_rest(period: Period, pending: list[Call], pool: list[str], activity: dict[str, float]) -> None:
    """The acceptances left, to the pool's members by their activity (never the call's own treating doctor)."""
    for call in pending:
        if call.by is None:
            options = [m for m in pool if m != call.treating_doctor]
            call.by = period.rng.choices(options, weights=[activity[m] for m in options])[0]


def _give_one_each(period: Period, first: list[str], pending: list[Call]) -> None:
    for member in first:
        call = next((c for c in pending if c.by is None and c.treating_doctor != member), None)
        if call is None:
            period.fail(_("plan.takers: not enough acceptances to give one to each taker."))
        call.by = member


def _first_takers(
    period: Period, candidates: list[str], fixed: list[str], pending: list[Call]
) -> tuple[list[str], list[str]]:
    """plan.takers: the members drawn to take one each, and the pool of all who take."""
    takers = period.sc.takers or 0
    fresh = [m for m in candidates if m not in fixed]
    need = takers - len(fixed)
    if need < 0 or need > len(fresh) or need > len(pending):
        period.fail(
            _(
                "plan.takers = {n} cannot be reached: {fixed} members already take requests at the "
                "sites or as treating doctors, {fresh} others can accept in their practice, {pending} "
                "acceptances are left to give."
            ).format(n=takers, fixed=len(fixed), fresh=len(fresh), pending=len(pending))
        )
    first = period.rng.sample(fresh, need)
    return first, first + [m for m in candidates if m in fixed]
