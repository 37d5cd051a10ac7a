"""Running one command: find the workspace and the clock, call the service, print, deliver.

No typer here: the cron path (``snpctl tick``, every minute) goes through ``entry`` straight to
``tick`` below without importing the command-line framework.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Callable

from snpctl import service
from snpctl.errors import SnpctlError
from snpctl.i18n import _
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


def run(home: Path | None, now: str | None, as_json: bool, work: Callable[[Workspace, datetime], service.Outcome],
         render: Callable[[Workspace, datetime, service.Outcome], None], *, needs_config: bool = True,
         deliver_due: bool = False) -> None:
    ws = Workspace(resolve_home(str(home) if home else None))
    try:
        if needs_config:
            ws.config     # every command refuses to run on a configuration it cannot trust (exit 2)
        instant = clock(ws, now, from_env=needs_config)
        result = work(ws, instant)
    except SnpctlError as error:
        fail(error.message, error.exit_code)
    for warning in result.warnings:
        print(f"snpctl: {literal(warning)}", file=sys.stderr)
    if as_json:
        print(json.dumps(result.data, ensure_ascii=False))
    else:
        render(ws, instant, result)
    if result.messages or deliver_due:
        sys.stdout.flush()   # the coordinator reads the answer now; messages go out after it
        deliver(ws, instant, None if deliver_due else result.messages)


def deliver(ws: Workspace, now: datetime, ids: list[int] | None) -> None:
    """Send what the command queued, after its answer; a failure is recorded and retried by tick."""
    try:
        sent = service.deliver(ws, now, ids)
    except SnpctlError as error:
        print(_("snpctl: the messages could not be sent now ({error}); tick will send them.")
              .format(error=error.message), file=sys.stderr)
        return
    if sent["failed"]:
        print(_("snpctl: {n} message(s) could not be sent; tick will retry (see `snpctl list`).")
              .format(n=sent["failed"]), file=sys.stderr)


def fail(message: str, code: int) -> None:
    print(f"snpctl: {literal(message)}", file=sys.stderr)    # one line, whatever a value quoted in it holds
    raise SystemExit(code)


def render(name: str) -> Callable[[Workspace, datetime, service.Outcome], None]:
    def render(ws: Workspace, now: datetime, result: service.Outcome) -> None:
        from snpctl import render as people    # rich is imported only when a person reads the output
        getattr(people, name)(ws, now, result)
    return render




def tick(home: Path | str | None, now: str | None, as_json: bool) -> None:
    people = render("tick")

    def quiet_when_idle(ws: Workspace, at: datetime, result: service.Outcome) -> None:
        if any(result.data.values()):      # cron mails what a job prints: an idle tick prints nothing
            people(ws, at, result)

    run(home, now, as_json, lambda ws, at: service.tick(ws, at), quiet_when_idle, deliver_due=True)


def internal_error(error: Exception) -> None:
    """A bug: say so on one line (SNPCTL_DEBUG=1 shows the traceback) and exit 70."""
    if os.environ.get("SNPCTL_DEBUG"):
        raise error
    print(_("snpctl: internal error ({kind}: {error}); nothing more was written. Run again with SNPCTL_DEBUG=1 "
            "and report it.").format(kind=type(error).__name__, error=literal(error)), file=sys.stderr)
    raise SystemExit(70)
