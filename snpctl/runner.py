"""Running one command: find the workspace and the clock, call the service, print, deliver (by a forked sender).

No typer here: the cron path (``snpctl tick``, every minute) goes through ``entry`` straight to
``tick`` below without importing the command-line framework.

Owns the clock of a command (``--now``, ``SNPCTL_NOW``), printing its answer or its error (one line,
the exit code), and the delivery mode after it (a detached sender, waited for, or inline). Must not
know the options' parsing (cli's) nor the rules (service's and the domain's).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

from snpctl import service
from snpctl.delivery import claim, send
from snpctl.errors import SnpctlError
from snpctl.i18n import _, ngettext
from snpctl.language import for_workspace
from snpctl.shown import literal
from snpctl.store.workspace import Workspace, resolve_home
from snpctl.timefmt import UTC, parse_when

NOW_ENV = "SNPCTL_NOW"


def clock(ws: Workspace, typed: str | None, *, from_env: bool = True) -> datetime:
    what = "--now" if typed else NOW_ENV
    typed = typed or (os.environ.get(NOW_ENV) if from_env else None) or None
    real = datetime.now(UTC).replace(microsecond=0)
    if typed is None:
        return real
    zone = ws.config.zone
    return parse_when(typed, zone, real, what=what).replace(microsecond=0)


def run(
    home: Path | str | None,
    now: str | None,
    as_json: bool,
    work: Callable[[Workspace, datetime], service.Outcome],
    render: Callable[[Workspace, datetime, service.Outcome], None],
    *,
    needs_config: bool = True,
    deliver_due: bool = False,
    delivery: str | None = None,
    reach: bool = True,
) -> None:
    """``reach``: review who the configuration can reach (``config.reach``): its errors stop the command (exit 2),
    its warnings go to stderr. ``tick`` does not: a cron job mailing the same warning every minute helps nobody,
    and stopping it would leave the requests already open without their escalation, expiry and messages."""
    ws = Workspace.find(home)
    notes: list[str] = []
    try:
        if needs_config:  # loading it: every command refuses to run on a configuration it cannot trust (exit 2)
            for_workspace(ws.config.language)
            if reach:
                from snpctl.config.reach import review

                notes = review(ws.config, ws.home)
        instant = clock(ws, now, from_env=needs_config)
        result = work(ws, instant)
    except SnpctlError as error:
        fail(error.message, error.exit_code, getattr(error, "excerpt", ()))
    for warning in notes + result.warnings:
        print(f"snpctl: {literal(warning)}", file=sys.stderr)
    if as_json:
        print(json.dumps(result.data, ensure_ascii=False))
    else:
        render(ws, instant, result)
    if result.messages or deliver_due:
        sys.stdout.flush()  # the coordinator reads the answer now; messages go out after it
        live = not (now or (needs_config and os.environ.get(NOW_ENV)))  # on the real clock: results stamped so
        deliver(ws, instant, None if deliver_due else result.messages, delivery, live=live)


DELIVERY_ENV = "SNPCTL_DELIVERY"  # detach (default), wait, or inline
SEND_WAIT_ENV = "SNPCTL_SEND_WAIT"  # seconds a command waits for its detached sender before it returns
SEND_WAIT = 1.0


def deliver(
    ws: Workspace, now: datetime, ids: list[int] | None, mode: str | None = None, *, live: bool = False
) -> None:
    """Send what the command queued, after its answer. The command's work is done and recorded: whatever
    happens here, it exits 0; a message that could not be sent is recorded so, and retried by tick.

    ``detach`` (the default): a sender of its own (``messaging.sender.detached``) that Ctrl-C, a closed
    terminal and this process's exit do not stop; the command waits for it a moment (``SNPCTL_SEND_WAIT``,
    1 s), so that a quick batch is reported here. ``wait``: the same sender, waited for to the end
    (scripts, tests, the demo). ``inline``: no sender process (systems without fork).
    """
    try:
        _deliver(ws, now, ids, mode or os.environ.get(DELIVERY_ENV) or "detach", live)
    except KeyboardInterrupt:  # before the sender took over: what was not claimed or not handed over, tick sends
        print(
            _("snpctl: interrupted; the command was done and recorded, and tick will send its messages."),
            file=sys.stderr,
        )
    except Exception as error:  # a bug while sending: the command itself is done and recorded, so still exit 0
        if os.environ.get("SNPCTL_DEBUG"):
            raise
        _say(("done", {"bug": f"{type(error).__name__}: {error}"}), 0)


def _stamp(now: datetime) -> datetime:
    return max(now, datetime.now(UTC).replace(microsecond=0))


def _deliver(ws: Workspace, now: datetime, ids: list[int] | None, mode: str, live: bool) -> None:
    """``live``: the command runs on the real clock, so results are stamped when they come in."""
    try:
        batch = claim(ws, now, ids)
    except SnpctlError as error:
        print(
            _("snpctl: the messages could not be sent now ({error}); tick will send them.").format(error=error.message),
            file=sys.stderr,
        )
        return
    if batch is None:
        return
    stamp = (lambda: _stamp(now)) if live else None
    outcome: tuple[str, dict[str, Any]] | None = None
    if mode != "inline" and batch.to_gateways:
        from snpctl.messaging import sender

        try:
            wait = None if mode == "wait" else float(os.environ.get(SEND_WAIT_ENV) or SEND_WAIT)
        except ValueError:
            wait = SEND_WAIT
        release = batch.entry.release if batch.entry is not None else None  # the sender holds it now
        outcome = sender.detached(lambda: send(ws, now, batch, clock=stamp), wait=wait, before_wait=release)
    if outcome is None:
        try:
            outcome = "done", send(ws, now, batch, clock=stamp)
        except SnpctlError as error:
            outcome = "done", {"error": error.message}
    _say(outcome, len(batch.claimed))


def _say(outcome: tuple[str, dict[str, Any]], claimed: int) -> None:
    status, summary = outcome
    if status == "running":
        print(
            ngettext(
                "snpctl: {n} message is still being sent in the background; `snpctl list` will show it if it fails.",
                "snpctl: {n} messages are still being sent in the background; `snpctl list` will show any that fail.",
                claimed,
            ).format(n=claimed),
            file=sys.stderr,
        )
    elif status == "interrupted":
        print(
            ngettext(
                "snpctl: interrupted; the command was done and recorded, and its {n} message goes on being sent in "
                "the background (`snpctl list` will show it if it fails).",
                "snpctl: interrupted; the command was done and recorded, and its {n} messages go on being sent in "
                "the background (`snpctl list` will show any that fail).",
                claimed,
            ).format(n=claimed),
            file=sys.stderr,
        )
    elif "error" in summary:
        print(
            _("snpctl: the messages could not all be recorded ({error}); tick will settle them.").format(
                error=summary["error"]
            ),
            file=sys.stderr,
        )
    elif "stopped" in summary:
        print(
            _(
                "snpctl: the sender stopped before it finished; tick will retry what it had not handed over "
                "(`snpctl list` will show any that fail)."
            ),
            file=sys.stderr,
        )
    elif "bug" in summary:
        print(
            _(
                "snpctl: internal error while sending ({error}); tick will retry what was not sent. Run again with "
                "SNPCTL_DEBUG=1 and report it."
            ).format(error=summary["bug"]),
            file=sys.stderr,
        )
    elif summary.get("failed"):
        print(
            ngettext(
                "snpctl: {n} message could not be sent; tick will retry (see `snpctl list`).",
                "snpctl: {n} messages could not be sent; tick will retry (see `snpctl list`).",
                summary["failed"],
            ).format(n=summary["failed"]),
            file=sys.stderr,
        )


def fail(message: str, code: int, excerpt: tuple[str, ...] = ()) -> NoReturn:
    print(f"snpctl: {literal(message)}", file=sys.stderr)  # one line, whatever a value quoted in it holds
    for line in excerpt:  # a configuration error: the line of the file, and a caret under the column
        print(literal(line), file=sys.stderr)
    raise SystemExit(code)


def render(name: str) -> Callable[[Workspace, datetime, service.Outcome], None]:
    def render(ws: Workspace, now: datetime, result: service.Outcome) -> None:
        from snpctl import render as people  # rich is imported only when a person reads the output

        getattr(people, name)(ws, now, result)

    return render


SENDERS_WAIT = 60.0  # seconds `tick --wait` waits for the senders still running


def tick(home: Path | str | None, now: str | None, as_json: bool, wait: bool = False) -> None:
    """``wait``: first let the senders still running finish (at most a minute), then wait for this tick's own."""
    people = render("tick")

    def quiet_when_idle(ws: Workspace, at: datetime, result: service.Outcome) -> None:
        if any(result.data.values()):  # cron mails what a job prints: an idle tick prints nothing
            people(ws, at, result)

    if wait:
        from snpctl.store import senders

        senders.wait_idle(resolve_home(str(home) if home else None), SENDERS_WAIT)
    run(
        home,
        now,
        as_json,
        _beating,
        quiet_when_idle,
        deliver_due=True,
        delivery="wait" if wait else None,
        reach=False,
    )


def _beating(ws: Workspace, now: datetime) -> service.Outcome:
    """A tick, then its heartbeat in ``.snpctl/`` (``todo`` tells when cron stopped running it)."""
    from snpctl.store import heartbeat

    result = service.tick(ws, now)
    heartbeat.beat(ws.home, now)
    return result


def internal_error(error: Exception) -> None:
    """A bug: say so on one line (SNPCTL_DEBUG=1 shows the traceback) and exit 70."""
    if os.environ.get("SNPCTL_DEBUG"):
        raise error
    print(
        _(
            "snpctl: internal error ({kind}: {error}); nothing more was written. Run again with SNPCTL_DEBUG=1 "
            "and report it."
        ).format(kind=type(error).__name__, error=literal(error)),
        file=sys.stderr,
    )
    raise SystemExit(70)
