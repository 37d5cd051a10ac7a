"""`make demo`: an afternoon of the example CPTS, played through the real commands with --now.

    python -m snpctl.demo [DIR]

Creates a workspace in DIR (default: a new temporary folder), plays Monday 15 January 2024 from
14:00 to 18:30 (Europe/Paris) as a coordinator would type it, then prints `list --all` and
`report`. The ledger it writes is the documented sample in the repository's ledger/ folder.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import sys
import tempfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from snpctl import words
from snpctl.cli import main as snpctl
from snpctl.i18n import _
from snpctl.shown import fill
from snpctl.timefmt import clock_text, day_text

DAY = "2024-01-15"
_ID = re.compile(r"\b(\d{3,}[A-Z])\b")  # a request id in an answer, whatever the language: 003H
# The seed of the patient references. This one is chosen so that no hash of the sample ledger happens to
# contain ten digits that a naive phone-number scan (like a pre-commit hook) would flag.
SEED = "demo-3"

# (time in Paris, command). {name} is replaced by the id that an earlier intake printed.
AFTERNOON: list[tuple[str, str]] = [
    ("14:02", "intake --motif renouvellement --source cot --treating-doctor mg-nguyen"),
    (
        "14:10",
        "intake --motif fievre_enfant --source cot --treating-doctor mg-martin --patient 'Léa B.' "
        "--phone '06 00 00 00 99' --note '8 mois, 39,5°C depuis ce matin, boit bien'  # as=lea",
    ),
    ("14:11", "notify {lea}"),
    ("14:25", "accept {lea} --by mg-martin --at 16:45"),
    ("14:40", "intake --motif douleur_thoracique --source cot --treating-doctor mg-dupont"),
    (
        "14:55",
        "intake --motif orl --source cot --treating-doctor mg-dupont --patient 'Marc D.' "
        "--phone '06 00 00 00 98'  # as=marc",
    ),
    ("14:56", "notify {marc}"),
    ("15:05", "refuse {marc} --by mg-dupont --reason busy"),
    ("15:20", "accept {marc} --by mg-remy --at 16:00"),
    ("15:30", "intake --motif certificat --source web"),
    (
        "15:45",
        "intake --motif urinaire --source cot --treating-doctor mg-nguyen --patient 'Nadia K.' "
        "--phone '06 00 00 00 97'  # as=nadia",
    ),
    ("15:46", "notify {nadia}"),
    ("15:50", "tick"),
    ("16:02", "outcome {marc} seen"),
    ("16:05", "intake --motif traumatologie --source samu --treating-doctor none  # as=samu"),
    ("16:06", "book {samu} --by mg-petit --at 16:30 --site cami"),
    (
        "16:15",
        "synthesis {marc} --by mg-remy --text 'Angine virale, TDR négatif. Traitement symptomatique, "
        "revoir si fièvre au-delà de 3 jours.'",
    ),
    (
        "16:20",
        "intake --motif lombalgie --source cot --treating-doctor external --patient 'Yves T.' "
        "--phone '06 00 00 00 96'  # as=yves",
    ),
    ("16:21", "notify {yves}"),
    ("16:47", "tick"),
    ("16:50", "accept {nadia} --by mg-garcia --at 17:30"),
    ("16:55", "outcome {samu} no-show"),
    ("17:10", "outcome {lea} seen"),
    ("17:50", "outcome {nadia} seen"),
    ("18:22", "tick"),
    ("18:30", "list --all"),
    ("18:30", "report"),
]


def run(line: str, home: Path, now: str) -> tuple[int, str]:
    out = io.StringIO()
    env = {
        "SNPCTL_HOME": str(home),
        "SNPCTL_NOW": now,
        "SNPCTL_SEED": SEED,
        "COLUMNS": "100",
        "SNPCTL_DELIVERY": "wait",  # each command's messages are out before the next is typed
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            try:
                snpctl(shlex.split(line))
                code = 0
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return code, out.getvalue()


def play(home: Path, echo: Callable[[str], None] = print) -> None:
    # --no-default: a demo's temporary workspace never becomes the one the user's commands find
    code, text = run(f"init --no-default {shlex.quote(str(home))}", home, f"{DAY}T14:00")
    if code:
        raise SystemExit(text)
    echo(f"$ snpctl init --no-default {home}\n{text}")
    ids: dict[str, str] = {}
    for clock, script in AFTERNOON:
        command, _as, alias = script.partition("  # as=")
        command = command.format(**ids)
        code, text = run(command, home, f"{DAY}T{clock}")
        echo(f"[{clock_text(datetime.fromisoformat(f'{DAY}T{clock}'))}] $ snpctl {command}\n{text}")
        if code:
            raise SystemExit(fill(_("The demo stopped: `snpctl {command}` exited {code}."), command=command, code=code))
        if alias:
            found = _ID.search(text)
            if found is None:
                raise SystemExit(
                    fill(_("The demo stopped: `snpctl {command}` printed no request id."), command=command)
                )
            ids[alias] = found.group(1)


def show_outbox(home: Path, echo: Callable[[str], None] = print) -> None:
    """What the afternoon sent, as the outbox keeps it (no SMS gateway or mail server in the demo)."""
    files = sorted((home / "outbox").rglob("*.txt"))
    kinds: dict[str, list[Path]] = {}
    for path in files:
        kinds.setdefault(path.name.split("-")[1], []).append(path)
    echo(
        fill(
            _("The afternoon sent {n} messages (see {outbox}); the first of each kind:"),
            n=len(files),
            outbox=home / "outbox",
        )
        + "\n"
    )
    for kind, paths in kinds.items():
        head, _blank, text = paths[0].read_text(encoding="utf-8").partition("\n\n")
        to = head.splitlines()[0].partition(": ")[2]  # the header line names whom it is for
        what = fill(_("{what} ({n}), to {to}:"), what=words.template(kind), n=len(paths), to=to)
        echo(f"  {what}\n    {text.strip()}\n")


def main() -> None:
    home = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="snpctl-demo-")) / "cpts"
    print(
        _("An afternoon at the example CPTS, {day} (times are Europe/Paris).").format(
            day=day_text(date.fromisoformat(DAY))
        )
        + "\n"
    )
    play(home)
    show_outbox(home)
    print(
        fill(
            _("The workspace is in {home}: see its ledger/ (what git keeps) and private/ (what it never sees)."),
            home=home,
        )
    )


if __name__ == "__main__":
    main()
