"""Delivering queued messages: claim them under the lock, render and hand them over, record each result.

Owns ``claim`` (an ``attempt`` line and this sender's entry in ``.snpctl/senders``, under the lock),
``send`` (outside the lock, by a sender process of its own when the runner forks one: see
``runner.deliver``), ``deliver`` (both, here) and the ``sent``/``failed`` lines. Must not know the
commands that queue messages nor how the runner detaches a sender; the rules of who may be sent
what and when are ``domain.messages``'s, the transports and the worker pool ``messaging``'s.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from snpctl.domain import messages
from snpctl.domain.events import new
from snpctl.domain.state import Message, State
from snpctl.errors import SnpctlError
from snpctl.store import senders
from snpctl.store.workspace import Workspace

if TYPE_CHECKING:  # imported at run time only when a message is rendered
    from snpctl.messaging.render import Rendered

SEND_WORKERS = 8  # messages of one batch handed over at once: 50 doctors asked in the time of 7
SEND_WORKERS_ENV = "SNPCTL_SEND_WORKERS"


def _workers() -> int:
    try:
        return max(1, int(os.environ.get(SEND_WORKERS_ENV) or SEND_WORKERS))
    except ValueError:
        return SEND_WORKERS


def synthesis_kind(message_id: int) -> str:
    """The private text of the synthesis that message ``message_id`` carries: ``<request>.synthesis.<id>.txt``."""
    return f"synthesis.{message_id}"


@dataclass
class Batch:
    """Messages claimed for sending (``claim``), and what sending them (``send``) needs."""

    state: State  # as of the claim: what the texts are rendered from
    claimed: list[tuple[Message, int]]  # each message as it was before the claim, and its attempt number
    entry: senders.Entry | None  # this sender in .snpctl/senders (None: no message needed a claim)

    @property
    def to_gateways(self) -> int:
        """How many go to an SMS command or a mail server (the others only to the outbox: written at once)."""
        return sum(1 for message, _attempt in self.claimed if message.channel != "outbox")


def claim(ws: Workspace, now: datetime, ids: list[int] | None = None) -> Batch | None:
    """Claim the given queued messages (default: every one that is due) under the lock; None if none is.

    The claim is an ``attempt`` line, so that no other process sends them too. Only the first try of a
    message on the outbox channel needs none: writing its file twice gives the same file, and it is
    recorded written at once. The sender's entry (``store.senders``) is made before the claim and
    names the claimed messages before the lock is let go, so that ``tick`` always knows who sends them.
    """
    config = ws.config
    with ws.ledger.transaction(now) as tx:
        candidates = sorted(tx.state.undelivered) if ids is None else ids
        claimed = [
            (tx.state.messages[i], tx.state.messages[i].attempts + 1)
            for i in candidates
            if i in tx.state.messages and messages.claimable(tx.state.messages[i], config, now)
        ]
        attempts = [[m.id, attempt] for m, attempt in claimed if m.channel != "outbox" or m.status != "queued"]
        entry = senders.register(ws.home) if attempts else None
        try:
            if attempts:
                tx.append([new("attempt", now, messages=attempts)])
        except BaseException:
            if entry is not None:
                entry.done()
            raise
        if entry is not None:
            entry.claimed([i for i, _attempt in attempts])
        state = tx.state
    return Batch(state, claimed, entry) if claimed else None


def send(
    ws: Workspace, now: datetime, batch: Batch, workers: int | None = None, clock: Callable[[], datetime] | None = None
) -> dict[str, int]:
    """Render, write to the outbox, hand over (``workers`` at a time), and record each result as it comes.

    Results are stamped ``now``, or ``clock()`` when given (a command run on the real clock: a batch
    may take minutes, and the wait before a retry counts from the failure).

    A message that cannot be rendered, written or handed over is recorded as failed with a short code
    (``render``, ``outbox_full``..., the transport's), and the others still go. Results are recorded
    in coalesced lines (one ``sent`` and one ``failed`` line for all that came in since the last).
    """
    from snpctl.messaging import sender, transports

    config = ws.config
    private: dict[str, dict[str, str]] = {}
    ready: list[sender.Result] = []
    jobs: list[sender.Job] = []
    if batch.entry is not None:
        batch.entry.sender(os.getpid())  # a forked sender: the process that now holds the entry
    try:
        for message, attempt in batch.claimed:
            if message.channel == "outbox" and not ws.write_outbox:
                ready.append((message.id, attempt, None))  # a simulation: the outbox is the whole delivery, and off
                continue
            try:
                rendered = _rendered(ws, batch.state, message, private)
            except Exception:  # a template or a record we cannot read: this message only
                ready.append((message.id, attempt, "render"))
                continue
            if ws.write_outbox:
                day = now.astimezone(config.zone).strftime("%Y-%m-%d")
                try:
                    transports.write_outbox(
                        ws.home / config.messaging.outbox,
                        day,
                        message.id,
                        message.template,
                        message.recipient,
                        message.channel,
                        attempt,
                        message.request,
                        rendered,
                    )
                except OSError as error:
                    ready.append((message.id, attempt, transports.outbox_error(error)))
                    continue
            if message.channel == "outbox":
                ready.append((message.id, attempt, None))
            else:
                jobs.append((message.id, attempt, transports.handing(config, message.channel, rendered)))
        return sender.send_batch(
            ready,
            jobs,
            lambda results: _record(ws, clock() if clock else now, results),
            handed=batch.entry.handed if batch.entry is not None else None,
            workers=workers or _workers(),
        )
    finally:
        if batch.entry is not None:
            batch.entry.done()


def deliver(ws: Workspace, now: datetime, ids: list[int] | None = None) -> dict[str, int]:
    """Claim and send here, in this process (the simulator, ``SNPCTL_DELIVERY=inline``); see ``claim`` and ``send``."""
    batch = claim(ws, now, ids)
    return send(ws, now, batch) if batch is not None else {"sent": 0, "failed": 0}


def _rendered(ws: Workspace, state: State, message: Message, private: dict[str, dict[str, str]]) -> Rendered:
    from snpctl.messaging import render

    request = state.requests[message.request]
    if message.request not in private:
        private[message.request] = ws.load_private(message.request, patient=request.patient)
    text = ""
    if message.template == "synthesis_treating_doctor":
        text = ws.load_private_text(message.request, synthesis_kind(message.id))  # this message's, never another's
        if not text:
            raise ValueError("no synthesis text")  # failed ("render"), retried, then the operator is told
    failure = _last_failure(ws, message.request, message.about) if message.template == "failed_operator" else None
    return render.render(ws.config, state, message, private[message.request], text, failure)


def _last_failure(ws: Workspace, request: str, about: int | None) -> str | None:
    """The code message ``about`` (of ``request``) last failed with, from the request's timeline: what the
    operator is told it failed of ("the SMS command was not found"). None when the ledger does not say."""
    try:
        steps = ws.ledger.timeline(request)
    except (SnpctlError, OSError):
        return None  # the operator is still told, with no more than "every attempt failed"
    codes = [entry[2] for step in steps if step["type"] == "failed" for entry in step["messages"] if entry[0] == about]
    return codes[-1] if codes else None


def _record(ws: Workspace, now: datetime, results: list[tuple[int, int, str | None]]) -> tuple[int, int]:
    """One ``sent`` and one ``failed`` line for ``results``: only what is still ours to record, never twice."""
    with ws.ledger.transaction(now) as tx:

        def ours(message_id: int, attempt: int) -> bool:
            message = tx.state.messages.get(message_id)
            return message is not None and (
                (message.status == "sending" and message.attempts == attempt)
                or (message.status == "queued" and attempt == 1)
            )

        sent = [[i, attempt] for i, attempt, error in results if error is None and ours(i, attempt)]
        failed = [[i, attempt, error] for i, attempt, error in results if error is not None and ours(i, attempt)]
        tx.append(
            ([new("sent", now, messages=sent)] if sent else [])
            + ([new("failed", now, messages=failed)] if failed else [])
        )
    return len(sent), len(failed)
