"""Issue 13 translated what people read; what scripts and auditors read must not have moved by a byte.

The same afternoon (every branch of the cascade, then list, show, report, verify) was played by the
code of ae26ccd, before the French interface, and its ``--json`` outputs, the default CSV report and the
ledger's bytes were kept in ``tests/golden/``. This test plays it again and compares. Its inputs are typed
in the forms both versions read (ISO times, exact ids), on a configuration written here, so that neither
the shipped example's edits nor the suite's shared one move it.
Issue 14 added, on purpose, the ``withdrawn_member`` messages (contract section 10, on by default): the golden
files were kept again with ``keep`` and differ only by those entries, the hashes they move and ``show``'s copy.
"""

from __future__ import annotations

import json
from pathlib import Path
from textwrap import dedent

from conftest import make_workspace

GOLDEN = Path(__file__).parent / "golden"

PROTOCOLS = dedent("""\
    timezone = "Europe/Paris"

    [cascade]
    treating_doctor_window = "1h"
    total_window = "2h"
    appointment_horizon = "12h"

    [[protocol]]
    key = "fievre"
    label = "Fièvre"
    category = "infectieux"
    action = "trigger"

    [[protocol]]
    key = "dent"
    label = "Douleur dentaire"
    category = "dentaire"
    action = "trigger"
    profession = "dentiste"

    [[protocol]]
    key = "renouvellement"
    label = "Renouvellement d'ordonnance"
    category = "hors_protocole"
    action = "redirect"

    [[protocol]]
    key = "douleur_thoracique"
    label = "Douleur thoracique"
    category = "urgence_vitale"
    action = "transfer_15"
    """)

ROSTER = dedent("""\
    [[site]]
    key = "cami"
    label = "CAMI"
    hours = ["mon-fri 15:30-19:30"]
    address = "1 rue du Test"

    [[member]]
    id = "gp-a"
    name = "Dr A"
    profession = "generaliste"
    status = "titulaire"
    site = "cabinet"
    registered = true

    [[member]]
    id = "gp-b"
    name = "Dr B"
    profession = "generaliste"
    status = "titulaire"
    site = "cabinet"
    registered = true

    [[member]]
    id = "gp-cami"
    name = "Dr C"
    profession = "generaliste"
    status = "remplacant"
    site = "cami"
    registered = true

    [[member]]
    id = "dent-a"
    name = "Dr Dent"
    profession = "dentiste"
    status = "titulaire"
    site = "cabinet"
    registered = true
    """)

# (time, command...): every command is run with --json, but for the report in CSV.
AFTERNOON = [
    (
        "2024-01-15T16:00",
        "intake",
        "--motif",
        "fievre",
        "--source",
        "cot",
        "--treating-doctor",
        "gp-a",
        "--patient",
        "Léa B",
        "--phone",
        "06 11 22 33 44",
    ),
    ("2024-01-15T16:01", "notify", "001C"),
    ("2024-01-15T16:10", "accept", "001C", "--by", "gp-b", "--at", "2024-01-15T17:30"),
    ("2024-01-15T16:20", "refuse", "001C", "--by", "gp-a", "--reason", "busy"),
    ("2024-01-15T16:30", "accept", "001C", "--by", "gp-b", "--at", "2024-01-15T17:30"),
    ("2024-01-15T16:31", "accept", "001C", "--by", "gp-cami", "--at", "2024-01-15T17:40"),
    ("2024-01-15T16:35", "intake", "--motif", "renouvellement", "--source", "web", "--treating-doctor", "gp-b"),
    ("2024-01-15T16:36", "intake", "--motif", "douleur_thoracique", "--source", "cot", "--treating-doctor", "none"),
    (
        "2024-01-15T16:40",
        "intake",
        "--motif",
        "fievre",
        "--source",
        "samu",
        "--treating-doctor",
        "gp-b",
        "--patient",
        "Jo C",
        "--phone",
        "06 99 88 77 66",
    ),
    ("2024-01-15T16:41", "notify", "004J"),
    ("2024-01-15T17:42", "tick"),
    ("2024-01-15T18:42", "tick"),
    (
        "2024-01-15T16:50",
        "intake",
        "--motif",
        "dent",
        "--source",
        "office",
        "--treating-doctor",
        "external",
        "--patient",
        "Inès D",
        "--phone",
        "0612345678",
    ),
    ("2024-01-15T18:50", "book", "005K", "--by", "dent-a", "--at", "2024-01-15T19:00"),
    ("2024-01-15T19:00", "outcome", "001C", "no_show"),
    ("2024-01-15T19:10", "outcome", "005K", "seen"),
    ("2024-01-15T19:20", "synthesis", "005K", "--by", "dent-a", "--text", "Carie soignée."),
    ("2024-01-15T19:30", "notify", "999Z"),
    ("2024-01-15T19:30", "list", "--all"),
    ("2024-01-15T19:31", "show", "001C"),
    ("2024-01-15T19:32", "report", "--from", "2024-01-15", "--to", "2024-01-15"),
    ("2024-01-15T19:33", "report", "--from", "2024-01-15", "--to", "2024-01-15", "--format", "csv"),
    ("2024-01-15T19:34", "verify"),
    ("2024-01-15T19:35", "tick"),
]


def play(home: Path) -> tuple[list[dict], bytes]:
    desk = make_workspace(home, PROTOCOLS, ROSTER)
    records = []
    for now, *args in AFTERNOON:
        machine = [] if "csv" in args else ["--json"]
        run = desk(*args, *machine, now=now, SNPCTL_LANG="fr")
        records.append({"command": [now, *args], "code": run.code, "out": run.out})
    return records, desk.ledger_bytes()


def test_json_outputs_and_the_ledger_are_those_of_before_the_french_interface(tmp_path: Path) -> None:
    records, ledger = play(tmp_path / "cpts")
    kept = json.loads((GOLDEN / "afternoon.json").read_text(encoding="utf-8"))
    assert [r["command"] for r in records] == [k["command"] for k in kept]
    for record, before in zip(records, kept, strict=True):
        assert (record["code"], record["out"]) == (before["code"], before["out"]), record["command"]
    assert ledger == (GOLDEN / "afternoon.ledger.jsonl").read_bytes()


def keep(home: Path) -> None:  # run once with the code of ae26ccd: python -c "...keep(...)"
    records, ledger = play(home)
    # one JSON document, not JSON lines: a tracked .jsonl is a ledger, and ledgers hold no phone number
    text = json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    (GOLDEN / "afternoon.json").write_text(text, encoding="utf-8")
    (GOLDEN / "afternoon.ledger.jsonl").write_bytes(ledger)
