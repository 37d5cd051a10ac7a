"""What the shell offers after a Tab: the workspace's protocol keys, the roster's member ids, the open requests.

Owns only the completion callbacks typer calls (``_SNPCTL_COMPLETE``, set by the script that
``snpctl --install-completion`` installs). The workspace is found as the commands find it
(``store.workspace.find_home``), ``--home`` being the one already typed on the line. Completing must never print
an error nor a traceback into the shell: a workspace that cannot be read completes nothing.
"""

from __future__ import annotations

import contextlib
import io
import os
import unicodedata
from collections.abc import Callable, Iterable

import typer

from snpctl.config import CABINET
from snpctl.i18n import _
from snpctl.store.workspace import Workspace

Offers = list[tuple[str, str]]


def folded(text: str) -> str:
    """``text`` without case nor accents: ``Fièvre`` and ``fievre`` complete alike."""
    return "".join(c for c in unicodedata.normalize("NFD", text.casefold()) if not unicodedata.combining(c))


def _workspace(ctx: typer.Context) -> Workspace:
    home = ctx.params.get("home")
    return Workspace.find(str(home) if home else None)


def _quietly(offer: Callable[[Workspace], Iterable[tuple[str, str]]]) -> Callable[[typer.Context, str], Offers]:
    """A completion callback: ``offer``'s pairs (value, what it is) whose value starts with what is typed;
    nothing at all, and nothing printed, when the workspace cannot be read."""

    def complete(ctx: typer.Context, incomplete: str) -> Offers:
        typed = folded(incomplete)
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                pairs = list(offer(_workspace(ctx)))
        except Exception:  # a broken configuration or ledger, an unreadable folder: complete nothing
            if os.environ.get("SNPCTL_DEBUG"):
                raise
            return []
        return [(value, help_) for value, help_ in pairs if folded(value).startswith(typed)]

    return complete


def _motives(ws: Workspace) -> Iterable[tuple[str, str]]:
    return ((p.key, p.label) for p in ws.config.protocols.values())


def _members(ws: Workspace) -> Iterable[tuple[str, str]]:
    return ((m.id, m.name) for m in ws.config.members.values())


def _treating_doctors(ws: Workspace) -> Iterable[tuple[str, str]]:
    yield from _members(ws)
    yield from (("none", _("no treating doctor")), ("unknown", _("not known")), ("external", _("not in the roster")))


def _sites(ws: Workspace) -> Iterable[tuple[str, str]]:
    yield CABINET, _("the member's own practice")
    yield from ((site.key, site.label) for site in ws.config.sites.values())


def _open_requests(ws: Workspace) -> Iterable[tuple[str, str]]:
    state, _torn = ws.ledger.read_hot()
    return ((r.id, r.motif) for r in sorted(state.requests.values(), key=lambda r: r.number) if not r.closed)


def _followed_requests(ws: Workspace) -> Iterable[tuple[str, str]]:
    """The requests ``snpctl done`` may be given: those with something left to do."""
    state, _torn = ws.ledger.read_hot()
    return ((r.id, r.motif) for r in sorted((state.requests[i] for i in state.to_follow), key=lambda r: r.number))


motives = _quietly(_motives)
members = _quietly(_members)
treating_doctors = _quietly(_treating_doctors)
open_requests = _quietly(_open_requests)
sites = _quietly(_sites)
requests_to_follow = _quietly(_followed_requests)


def words(*choices: str) -> Callable[[str], list[str]]:
    """A completion callback offering fixed words (sources, reasons, formats)."""

    def complete(incomplete: str) -> list[str]:
        return [choice for choice in choices if choice.startswith(incomplete)]

    return complete
