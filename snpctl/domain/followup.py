"""What a person must do now (``snpctl todo``) and the record that it was done (``snpctl done``). Pure.

Owns the to-do list's items, their kinds and their order (most urgent first), made from the state, the
instant and the time of tick's last run; and the decision of a ``followed_up`` event, which asks
``rules.follow_problem`` as the audit does. Knows nothing of files: the heartbeat's time is given.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from snpctl.domain import rules
from snpctl.domain.cascade import _refusal, find_request
from snpctl.domain.events import new
from snpctl.domain.state import State
from snpctl.domain.vocabulary import EventType

if TYPE_CHECKING:
    from snpctl.config.records import Config

STALE = timedelta(minutes=5)  # requests waiting and tick silent this long: cron no longer runs it
# a request untouched this long leaves the list: too late to call back or pass anything on (``done`` still may)
HORIZON = timedelta(days=30)

# the kinds of to-do, most urgent first (``todo`` lists them in this order, then by time)
KINDS = ("call_back", "given_up", "outbox", "tick_due", "cron_stopped", "cron_never_ran")


class Item(NamedTuple):
    kind: str  # one of KINDS
    request: str | None  # None: about the workspace (cron)
    since: datetime | None  # when it became a to-do (None: tick never ran)
    messages: tuple[int, ...] = ()  # given_up, outbox: the messages to pass on by hand
    step: str | None = None  # tick_due: what tick will record (escalate or expire)


def items(state: State, now: datetime, heartbeat: datetime | None) -> list[Item]:
    """Everything a person must do now, most urgent first."""
    recent = now - HORIZON
    found = [
        item
        for rid in state.to_follow
        if state.requests[rid].last_at >= recent
        for item in _follow_ups(state, rid, now)
    ]
    for rid in state.waiting:
        request = state.requests[rid]
        step = rules.due(request, now)
        if step is not None:
            ended = request.expires_at if step == EventType.EXPIRE.value else request.deadline
            found.append(Item("tick_due", rid, ended, step=step))
    if state.waiting and heartbeat is None:
        found.append(Item("cron_never_ran", None, None))
    elif state.waiting and heartbeat is not None and now - heartbeat > STALE:
        found.append(Item("cron_stopped", None, heartbeat))
    return sorted(found, key=_urgency)


def _follow_ups(state: State, rid: str, now: datetime) -> list[Item]:
    """What ``snpctl done`` records done for request ``rid``: its call-back, its messages to pass on by hand."""
    request = state.requests[rid]
    found = []
    if request.call_back:
        found.append(Item("call_back", rid, request.expires_at or request.last_at))
    given_up = tuple(i for i in request.owed if i in state.given_up)
    if given_up:
        found.append(Item("given_up", rid, min(_given_up_at(state, i) or now for i in given_up), given_up))
    outbox = tuple(i for i in request.owed if i not in state.given_up)
    if outbox:
        found.append(Item("outbox", rid, request.owed_at, outbox))
    return found


def _given_up_at(state: State, message_id: int) -> datetime | None:
    message = state.messages.get(message_id)
    return None if message is None else message.last_at or message.queued_at


def _urgency(item: Item) -> tuple[int, float, str]:
    """By kind, then the oldest first (ids are given in order: the same time, the older request first)."""
    return KINDS.index(item.kind), item.since.timestamp() if item.since else 0.0, item.request or ""


def followed_up(state: State, config: Config, now: datetime, *, request: str) -> list[dict[str, Any]]:
    """Record that every to-do of ``request`` was done; refused when it had none."""
    req = find_request(state, request)
    problem = rules.time_problem(req, now) or rules.follow_problem(req)
    if problem is not None:
        raise _refusal(config, req, problem, None, now)
    return [new(EventType.FOLLOWED_UP, now, request=req.id)]
