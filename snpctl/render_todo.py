"""What people read of the to-do list (``todo``), of ``done`` and the line ``list`` ends with.

Beside ``render`` (same conventions: values through ``shown``, words not codes, times as ``17h01``). The
patients' names and numbers come from the outcome's ``contacts``, never from its ``data`` (``--json``).
Must not decide anything nor read the ledger.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from snpctl import naming, phones, words
from snpctl.i18n import _, ngettext
from snpctl.service import Outcome
from snpctl.shown import fill
from snpctl.store.workspace import Workspace


def _when(ws: Workspace, now: datetime, stamp: str | None) -> str:
    return naming.time_text(ws, now, datetime.fromisoformat(stamp)) if stamp else "-"


def _patient(contact: dict[str, str]) -> str:
    shown = [contact[k] if k == "name" else phones.shown(contact[k]) for k in ("name", "phone") if k in contact]
    return ", ".join(shown) if shown else _("name and number not recorded")


def _messages(ws: Workspace, rows: list[dict[str, Any]]) -> list[str]:
    lines = []
    for row in rows:
        text = _("{template}, for {recipient}: {file}") if row["file"] else _("{template}, for {recipient}")
        what = fill(
            text,
            template=words.template(row["template"]) if row["template"] else "?",
            recipient=naming.recipient(ws, row["recipient"]) if row["recipient"] else "?",
            file=row["file"],
        )
        lines.append(f"    {what}")
    return lines


def _item(ws: Workspace, now: datetime, item: dict[str, Any], contacts: dict[str, dict[str, str]]) -> list[str]:
    kind, rid, since = item["kind"], item["request"], _when(ws, now, item["since"])
    if kind == "call_back":
        text = _(
            "{id}: call the patient back, {patient}: not filled since {time}, nobody accepted (the 15 if it gets "
            "worse, otherwise the evening duty practice)."
        )
        return [fill(text, id=rid, patient=_patient(contacts.get(rid, {})), time=since)]
    if kind in ("given_up", "outbox"):
        n = len(item["messages"])
        if kind == "given_up":
            text = ngettext(
                "{id}: {n} message given up since {time}, to pass on by hand:",
                "{id}: {n} messages given up since {time}, to pass on by hand:",
                n,
            )
        else:
            text = ngettext(
                "{id}: {n} message in the outbox since {time} (no gateway), to pass on by hand:",
                "{id}: {n} messages in the outbox since {time} (no gateway), to pass on by hand:",
                n,
            )
        return [fill(text, id=rid, n=n, time=since), *_messages(ws, item["messages"])]
    if kind == "tick_due":
        if item["step"] == "expire":
            text = _("{id}: its window ran out at {time}; tick has not recorded it yet (nobody can accept it now).")
        else:
            text = _(
                "{id}: the treating doctor's window ran out at {time}; tick has not opened it to the community yet."
            )
        return [fill(text, id=rid, time=since)]
    if kind == "cron_stopped":
        text = _(
            "cron no longer running? tick last ran at {time} and requests are waiting: check the crontab "
            "(snpctl tick every minute)."
        )
        return [fill(text, time=since)]
    return [_("tick has never run here and requests are waiting: have cron run it (* * * * * snpctl tick).")]


def todo(ws: Workspace, now: datetime, result: Outcome) -> None:
    items = result.data["todo"]
    if not items:
        print(_("Nothing to do."))
        return
    if len(items) == 1:
        print(_("1 thing to do:"))
    else:
        print(fill(_("{n} things to do, most urgent first:"), n=len(items)))
    contacts = getattr(result, "contacts", {})
    for item in items:
        first, *more = _item(ws, now, item, contacts)
        print(f"- {first}")
        for line in more:
            print(line)
    if any(item["request"] for item in items):
        print(_("Once done: snpctl done ID [--note TEXT]."))


def done(ws: Workspace, now: datetime, result: Outcome) -> None:
    data = result.data
    if data["called_back"]:
        text = _("Request {id}: followed up, the patient was called back; nothing is left to do for it.")
    else:
        text = _("Request {id}: followed up, its messages were passed on by hand; nothing is left to do for it.")
    print(fill(text, id=data["request"]))
    if data["note"]:
        print(fill(_("The note is kept in {path} (never in the ledger)."), path=data["note"]))


def pointer(count: int) -> str | None:
    """The line ``list`` ends with when a person has something to do."""
    if count == 0:
        return None
    if count == 1:
        return _("1 thing to do: snpctl todo")
    return fill(_("{n} things to do: snpctl todo"), n=count)
