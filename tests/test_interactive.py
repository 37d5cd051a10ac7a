"""The interactive intake: `snpctl intake` without --motif, at a terminal, asks; in a script it never does.

Each test runs snpctl in a pseudo-terminal, as an operator's terminal would, types the answers when
a question is asked, and reads the whole exchange as the operator sees it (what is typed is echoed).
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import subprocess
import sys
import termios
import time
from pathlib import Path

from conftest import Desk, make_workspace

NOW = "2026-11-30 10:00"
CTRL_C = "\x03"
TIMEOUT = 60.0  # seconds without a byte before the exchange is taken as stuck (two cores, eight engineers)


def _controlling_terminal() -> None:
    """In the child: the pseudo-terminal becomes its terminal, so that Ctrl-C typed there interrupts it."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def in_a_terminal(args: list[str], answers: list[str] | str, env: dict[str, str]) -> tuple[int, str]:
    """Run ``snpctl ARGS`` with stdin, stdout and stderr a pseudo-terminal; type each of ``answers`` when a
    question waits (the output ends with ": " or "] "); return the exit code and all the terminal showed."""
    pending = [answers] if isinstance(answers, str) else list(answers)
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "snpctl", *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
        preexec_fn=_controlling_terminal,  # the child is single-threaded at this point
    )
    os.close(slave)
    shown = b""
    try:
        while select.select([master], [], [], TIMEOUT)[0]:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            shown += chunk
            if pending and shown.endswith((b": ", b"] ")):
                if pending[0] == CTRL_C:  # a person is never that quick: let the child reach its read first
                    time.sleep(0.5)
                os.write(master, pending.pop(0).encode())
        code = process.wait(TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(master)
    return code, shown.decode().replace("\r\n", "\n")


def _env(desk: Desk, **more: str) -> dict[str, str]:
    return {**os.environ, "SNPCTL_HOME": str(desk.home), "SNPCTL_SEED": "test", "TERM": "dumb", **more}


MOTIVES = """\
Motives:
  To trigger
     1  fievre              Fièvre
     2  dent                Douleur dentaire
  Out of protocol
     3  renouvellement      Renouvellement d'ordonnance
  Transfer to the 15
     4  douleur_thoracique  Douleur thoracique
"""
SOURCES = """\
Source of the call:
     1  cot       COT (the CPTS line)
     2  web       web form
     3  samu      SAMU (the 15)
     4  hospital  hospital
     5  office    a practice
"""
MOTIVE = "Motive (its number, or a piece of its name): "
SOURCE = "Source (its number, or its name): "
DOCTOR = "Treating doctor (a piece of a name or an id; none, unknown, external; Enter: unknown): "
PATIENT = "Patient's name (Enter: none): "
PHONE = "Patient's phone number, for the SMS (Enter: none): "


def test_at_a_terminal_intake_asks_for_the_call_then_records_it(desk: Desk) -> None:
    code, shown = in_a_terminal(
        ["intake", "--now", NOW], ["fièv\n", "1\n", "dent\n", "Léa B.\n", "\n", "o\n"], _env(desk)
    )
    assert (code, shown) == (
        0,
        MOTIVES
        + MOTIVE
        + "fièv\n"
        + SOURCES
        + SOURCE
        + "1\n"
        + DOCTOR
        + "dent\n"
        + PATIENT
        + "Léa B.\n"
        + PHONE
        + "\n"
        + "To record:\n"
        + "  Motive          : Fièvre (fievre), to trigger\n"
        + "  Source          : COT (the CPTS line)\n"
        + "  Treating doctor : Dr Dent (dent-a)\n"
        + "  Patient         : Léa B.\n"
        + "  Phone           : -\n"
        + "Confirm? [y/N] o\n"
        + "Request 001C: open (Fièvre). Next: snpctl notify 001C\n",
    )


def test_the_questions_record_what_the_same_options_would(desk: Desk, tmp_path: Path) -> None:
    """The same service call: the ledger is byte for byte the one of the command typed with its options."""
    code, _shown = in_a_terminal(
        ["intake", "--now", NOW], ["douleur t\n", "samu\n", "\n", "\n", "\n", "oui\n"], _env(desk)
    )
    assert code == 0
    typed = make_workspace(tmp_path / "typed")
    assert typed("intake", "--motif", "douleur_thoracique", "--source", "samu", now=NOW).code == 0
    assert desk.ledger_bytes() == typed.ledger_bytes()


def test_only_what_the_line_left_out_is_asked(desk: Desk) -> None:
    code, shown = in_a_terminal(
        ["intake", "--now", NOW, "--source", "web", "--treating-doctor", "gp-b", "--patient", "Ana", "--phone", ""],
        ["2\n", "y\n"],
        _env(desk),
    )
    assert code == 0, shown
    assert shown.startswith(MOTIVES + MOTIVE + "2\nTo record:\n")
    assert "Source of the call" not in shown and DOCTOR not in shown and PATIENT not in shown
    assert desk.events()[0]["treating_doctor"] == "gp-b"


def test_an_answer_not_understood_is_asked_again_with_why(desk: Desk) -> None:
    code, shown = in_a_terminal(
        ["intake", "--now", NOW],
        ["9\n", "e\n", "ordonnance\n", "cot\n", "dr\n", "zz\n", "Away\n", "\n", "\n", "o\n"],
        _env(desk),
    )
    assert code == 0, shown
    assert MOTIVE + "9\nThere is no number 9 in the list; type a number from 1 to 4.\n" in shown
    assert (
        MOTIVE + "e\nSeveral match 'e': 1 fievre, 2 dent, 3 renouvellement, 4 douleur_thoracique; type the number.\n"
        in shown
    )
    assert DOCTOR + "dr\nSeveral members match 'dr': Dr A (gp-a), Dr B (gp-b), Dr C (gp-cami), " in shown
    assert "No member of roster.toml matches 'zz'" in shown
    event = desk.events()[0]
    assert (event["motif"], event["source"], event["treating_doctor"]) == ("renouvellement", "cot", "gp-away")


def test_three_answers_not_understood_record_nothing(desk: Desk) -> None:
    code, shown = in_a_terminal(["intake", "--now", NOW], ["x\n", "y\n", "0\n"], _env(desk))
    assert code == 2
    assert shown.endswith("snpctl: Three answers were not understood: nothing was recorded.\n")
    assert desk.ledger_bytes() == b""


def test_not_confirmed_records_nothing(desk: Desk) -> None:
    code, shown = in_a_terminal(["intake", "--now", NOW], ["1\n", "1\n", "\n", "\n", "\n", "\n"], _env(desk))
    assert code == 1
    assert shown.endswith("Confirm? [y/N] \nsnpctl: Not confirmed: nothing was recorded.\n")
    assert desk.ledger_bytes() == b""


def test_ctrl_c_leaves_with_130_and_records_nothing(desk: Desk) -> None:
    code, shown = in_a_terminal(["intake", "--now", NOW], ["1\n", CTRL_C], _env(desk))
    assert code == 130
    assert shown.endswith(SOURCE + "^C\nsnpctl: Interrupted: nothing was recorded.\n")
    assert desk.ledger_bytes() == b""


def test_the_end_of_the_input_leaves_with_1_and_records_nothing(desk: Desk) -> None:
    code, shown = in_a_terminal(["intake", "--now", NOW], ["1\n", "\x04"], _env(desk))
    assert code == 1
    assert shown.endswith(SOURCE + "\nsnpctl: No answer (end of input): nothing was recorded.\n")
    assert desk.ledger_bytes() == b""


def test_a_phone_number_is_checked_and_stored_as_sent(desk: Desk) -> None:

    code, shown = in_a_terminal(
        ["intake", "--now", NOW, "--source", "cot", "--treating-doctor", "gp-a", "--patient", "Léa"],
        ["1\n", "06 12\n", "06 12 34 56 78\n", "o\n"],
        _env(desk),
    )
    assert code == 0, shown
    assert PHONE + "06 12\n" in shown and PHONE + "06 12 34 56 78\n" in shown
    assert "  Phone           : +33612345678\n" in shown


def test_with_stdin_not_a_terminal_nothing_is_asked(desk: Desk) -> None:
    """A script, a pipe, cron: the usage error of before, exit 2, not one question."""
    result = subprocess.run(
        [sys.executable, "-m", "snpctl", "intake", "--source", "cot"],
        input="1\n",
        capture_output=True,
        text=True,
        env=_env(desk),
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "snpctl: Missing option '--motif'. (see `snpctl intake --help`)\n"
    assert desk.ledger_bytes() == b""


def test_with_stdout_not_a_terminal_nothing_is_asked(desk: Desk) -> None:
    master, slave = pty.openpty()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "snpctl", "intake"], stdin=slave, capture_output=True, text=True, env=_env(desk)
        )
    finally:
        os.close(slave)
        os.close(master)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "snpctl: Missing option '--motif'. (see `snpctl intake --help`)\n"


def test_with_json_nothing_is_asked(desk: Desk) -> None:
    code, shown = in_a_terminal(["intake", "--json", "--source", "cot"], [], _env(desk))
    assert (code, shown) == (2, "snpctl: Missing option '--motif'. (see `snpctl intake --help`)\n")


def test_an_unreadable_configuration_is_said_before_any_question(desk: Desk) -> None:
    (desk.home / "roster.toml").write_text("[[member]]\nid = 3\n", encoding="utf-8")
    code, shown = in_a_terminal(["intake"], [], _env(desk))
    assert code == 2
    assert shown.startswith("snpctl: ") and MOTIVE not in shown


def test_in_french_the_questions_and_the_summary_are_french(desk: Desk) -> None:
    code, shown = in_a_terminal(
        ["intake", "--now", NOW],
        ["thora\n", "3\n", "aucun\n", "\n", "\n", "o\n"],
        _env(desk, SNPCTL_LANG="fr"),
    )
    assert code == 0, shown
    assert shown.startswith(
        "Motifs :\n"
        "  À déclencher\n"
        "     1  fievre              Fièvre\n"
        "     2  dent                Douleur dentaire\n"
        "  Hors protocole\n"
        "     3  renouvellement      Renouvellement d'ordonnance\n"
        "  Transfert au 15\n"
        "     4  douleur_thoracique  Douleur thoracique\n"
        "Motif (son numéro, ou une partie de son nom) : thora\n"
        "Source de l'appel :\n"
        "     1  cot       COT (la ligne de la CPTS)\n"
        "     2  web       formulaire web\n"
        "     3  samu      SAMU (le 15)\n"
        "     4  hospital  hôpital\n"
        "     5  office    un cabinet\n"
        "Source (son numéro, ou son nom) : 3\n"
        "Médecin traitant (une partie du nom ou de l'identifiant ; aucun, inconnu, externe ; Entrée : inconnu) : "
        "aucun\n"
        "Nom du patient (Entrée : aucun) : \n"
        "Téléphone du patient, pour le SMS (Entrée : aucun) : \n"
        "À enregistrer :\n"
        "  Motif            : Douleur thoracique (douleur_thoracique), transfert au 15\n"
        "  Source           : SAMU (le 15)\n"
        "  Médecin traitant : aucun\n"
        "  Patient          : -\n"
        "  Téléphone        : -\n"
        "Confirmer ? [o/N] o\n"
    ), shown
    event = desk.events()[0]
    assert (event["motif"], event["source"], event["treating_doctor"]) == ("douleur_thoracique", "samu", "none")
