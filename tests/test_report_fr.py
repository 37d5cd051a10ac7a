"""`report`, `verify`, `check` and `simulate` in French, the language of the tool; and the CSV a French
spreadsheet opens as is (`--csv-dialect fr`) beside the default one for scripts, unchanged.

One small ledger, typed at the desk like in tests/test_report.py: six calls over two months
(Europe/Paris). r1: the treating doctor accepts after 19 minutes, the patient is seen. r2: nobody
accepts, not filled at the tick. r3: the SAMU books at the CAMI, the patient does not come. r4:
out of protocol. r5, r6: taken, never triggered.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from textwrap import dedent

import pytest

from conftest import Desk, make_workspace, run_cli

FRENCH = {"SNPCTL_LANG": "fr"}

STEPS = [
    ("2024-01-15T09:00", "intake --motif fievre --source cot --treating-doctor gp-a"),
    ("2024-01-15T09:01", "notify {r1}"),
    ("2024-01-15T09:20", "accept {r1} --by gp-a --at 11:00"),
    ("2024-01-15T10:00", "intake --motif fievre --source web --treating-doctor none"),
    ("2024-01-15T10:02", "notify {r2}"),
    ("2024-01-15T11:10", "outcome {r1} seen"),
    ("2024-01-15T12:31", "tick"),
    ("2024-02-01T14:00", "intake --motif fievre --source samu --treating-doctor none"),
    ("2024-02-01T14:05", "book {r3} --by gp-cami --at 17:00 --site cami"),
    ("2024-02-01T15:00", "intake --motif renouvellement --source cot"),
    ("2024-02-01T16:00", "intake --motif fievre --source office"),
    ("2024-02-01T16:30", "intake --motif fievre --source hospital"),
    ("2024-02-01T17:20", "outcome {r3} no-show"),
]
NOW = "2024-03-31T12:00"


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Desk:
    desk = make_workspace(tmp_path_factory.mktemp("fr") / "cpts")
    ids: dict[str, str] = {}
    for when, command in STEPS:
        args = command.format(**ids).split()
        run = desk(*args, "--json", now=when)
        assert run.code == 0, f"{command}: {run.err}"
        if args[0] == "intake":
            ids[f"r{len(ids) + 1}"] = run.json["request"]
    return desk


def report(desk: Desk, *args: str, **env: str) -> str:
    run = desk("report", *args, now=NOW, **env)
    assert run.code == 0 and run.err == "", run.err
    return run.out


def copy_of(desk: Desk, tmp_path: Path) -> Desk:
    home = tmp_path / "copy"
    shutil.copytree(desk.home, home)
    return Desk(home)


# -- report: the table and the Markdown, in French ------------------------------------------------

TABLE = """\
Rapport d'activité du 15 janvier 2024 au 1er février 2024 (2 mois)

APPELS
  Appels reçus                                         6
    par origine                                     COT 2 (33,3 %) · web 1 (16,7 %) · SAMU 1 (16,7 %) · \
hôpital 1 (16,7 %) · cabinet 1 (16,7 %)
  Hors protocole                                       1 (16,7 %)
  Réorientées vers le 15                               0 (0 %)
  Médecin traitant déclaré                             1 (16,7 %)
    sans médecin traitant                              2 (33,3 %)
    ne sait pas                                        3 (50 %)

CASCADE
  Déclenchées                                          2
    en moyenne par mois                              1,0
  Acceptées                                            1 (50 %)
    par le médecin traitant                            1 (100 %)
    en cabinet de ville                                1 (100 %)
    sur le site cami                                   0 (0 %)
  Non pourvues (personne n'a accepté)                  1 (50 %)
    patient rappelé (snpctl done)                      0 (0 %)
  Minutes avant acceptation : médiane               19,0
    9 sur 10 en moins de                            19,0

RENDEZ-VOUS
  Rendez-vous donnés                                   2
    par la cascade                                     1
    pris directement (SAMU, SAS, hôpital)              1
  Vus / lapins / annulés                               1 / 1 / 0
  Taux de lapins (patients non venus)                 50 %
  Sur le site cami                                     1
    vus / lapins                                       0 / 1
    taux de lapins                                   100 %
    adressés par                                    SAMU 1 (100 %)

MEMBRES
  Inscrits aujourd'hui (roster.toml)                   4
  Ont accepté ou reçu un patient au moins une fois     2

PAR MOIS   █ acceptées  ▓ déclenchées, non acceptées  ░ autres appels
                appels  décl.   acc.
  janvier 2024       2      2      1  █████████▓▓▓▓▓▓▓▓▓
  février 2024       4      0      0  ░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░

Pour un tableur : snpctl report --format csv --csv-dialect fr
"""


def test_the_table_is_french_by_default(desk: Desk) -> None:
    """No SNPCTL_LANG, no language in protocols.toml, no locale: French."""
    run = desk("report", now=NOW, SNPCTL_LANG="", LANGUAGE="", LC_ALL="", LC_MESSAGES="", LANG="")
    assert run.code == 0 and run.out == TABLE


def test_the_table_in_french_words_dates_and_numbers(desk: Desk) -> None:
    assert report(desk, **FRENCH) == TABLE


MARKDOWN = """\
## Rapport d'activité du 15 janvier 2024 au 1er février 2024 (2 mois)

### Appels

| Indicateur | Valeur |
|---|---:|
| Appels reçus | 6 |
| &nbsp;&nbsp;par origine | COT 2 (33,3 %) · web 1 (16,7 %) · SAMU 1 (16,7 %) · hôpital 1 (16,7 %) · \
cabinet 1 (16,7 %) |
| Hors protocole | 1 (16,7 %) |
| Réorientées vers le 15 | 0 (0 %) |
| Médecin traitant déclaré | 1 (16,7 %) |
| &nbsp;&nbsp;sans médecin traitant | 2 (33,3 %) |
| &nbsp;&nbsp;ne sait pas | 3 (50 %) |

### Cascade

| Indicateur | Valeur |
|---|---:|
| Déclenchées | 2 |
| &nbsp;&nbsp;en moyenne par mois | 1,0 |
| Acceptées | 1 (50 %) |
| &nbsp;&nbsp;par le médecin traitant | 1 (100 %) |
| &nbsp;&nbsp;en cabinet de ville | 1 (100 %) |
| &nbsp;&nbsp;sur le site cami | 0 (0 %) |
| Non pourvues (personne n'a accepté) | 1 (50 %) |
| &nbsp;&nbsp;patient rappelé (snpctl done) | 0 (0 %) |
| Minutes avant acceptation : médiane | 19,0 |
| &nbsp;&nbsp;9 sur 10 en moins de | 19,0 |

### Rendez-vous

| Indicateur | Valeur |
|---|---:|
| Rendez-vous donnés | 2 |
| &nbsp;&nbsp;par la cascade | 1 |
| &nbsp;&nbsp;pris directement (SAMU, SAS, hôpital) | 1 |
| Vus / lapins / annulés | 1 / 1 / 0 |
| Taux de lapins (patients non venus) | 50 % |
| Sur le site cami | 1 |
| &nbsp;&nbsp;vus / lapins | 0 / 1 |
| &nbsp;&nbsp;taux de lapins | 100 % |
| &nbsp;&nbsp;adressés par | SAMU 1 (100 %) |

### Membres

| Indicateur | Valeur |
|---|---:|
| Inscrits aujourd'hui (roster.toml) | 4 |
| Ont accepté ou reçu un patient au moins une fois | 2 |

### Par mois

| Mois | Appels | Déclenchées | Acceptées | Taux d'acceptation | Non pourvues | Rendez-vous directs | Vus | Lapins |
|---|---:|---:|---:|---:|---:|---:|---:|---:|
| janvier 2024 | 2 | 2 | 1 | 50 % | 1 | 0 | 1 | 0 |
| février 2024 | 4 | 0 | 0 | - | 0 | 1 | 0 | 1 |
"""


def test_the_markdown_in_french(desk: Desk) -> None:
    assert report(desk, "--format", "markdown", **FRENCH) == MARKDOWN


def test_the_same_table_in_english_with_snpctl_lang_en(desk: Desk) -> None:
    table = report(desk, SNPCTL_LANG="en")
    assert table.startswith("Activity report, 15 January 2024 to 1 February 2024 (2 months)\n\nCALLS\n")
    assert "    by source   " in table and "COT 2 (33.3%) · web 1 (16.7%)" in table
    assert "  February 2024       4      0      0  " in table
    assert table.endswith("\nFor a spreadsheet: snpctl report --format csv --csv-dialect fr\n")


def test_the_json_is_the_same_in_both_languages(desk: Desk) -> None:
    french = report(desk, "--format", "json", **FRENCH)
    assert report(desk, "--json", SNPCTL_LANG="en") == french
    data = json.loads(french)
    assert data["period"] == {"from": "2024-01-15", "to": "2024-02-01"}
    assert data["sources"] == {"cot": 2, "web": 1, "samu": 1, "hospital": 1, "office": 1}
    assert data["appointments"]["no_show_rate"] == 0.5


# -- report: the two CSV dialects -------------------------------------------------------------

CSV_FOR_SCRIPTS = (
    "month,calls,redirected,transferred_15,triggered,accepted,expired,direct_bookings,"
    "appointments,seen,no_show,cancelled,acceptance_rate\n"
    "2024-01,2,0,0,2,1,1,0,1,1,0,0,0.5\n"
    "2024-02,4,1,0,0,0,0,1,1,0,1,0,\n"
)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_default_csv_is_unchanged_whatever_the_language(desk: Desk, language: str) -> None:
    assert report(desk, "--format", "csv", SNPCTL_LANG=language) == CSV_FOR_SCRIPTS
    assert report(desk, "--format", "csv", "--csv-dialect", "default", SNPCTL_LANG=language) == CSV_FOR_SCRIPTS


CSV_FOR_A_FRENCH_SPREADSHEET = (
    b"\xef\xbb\xbf"  # the byte order mark: Excel reads the file as UTF-8
    b"Mois;Appels;Hors protocole;R\xc3\xa9orient\xc3\xa9es vers le 15;D\xc3\xa9clench\xc3\xa9es;"
    b"Accept\xc3\xa9es;Non pourvues;Rendez-vous directs;Rendez-vous;Vus;Lapins (patients non venus);"
    b"Annul\xc3\xa9s;Taux d'acceptation (de 0 \xc3\xa0 1)\r\n"
    b"2024-01;2;0;0;2;1;1;0;1;1;0;0;0,5\r\n"
    b"2024-02;4;1;0;0;0;0;1;1;0;1;0;\r\n"
)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_french_csv_dialect_byte_for_byte(desk: Desk, language: str) -> None:
    """UTF-8 with a BOM, `;`, decimal commas, French headers, CRLF: whatever the language spoken."""
    out = report(desk, "--format", "csv", "--csv-dialect", "fr", SNPCTL_LANG=language)
    assert out.encode("utf-8") == CSV_FOR_A_FRENCH_SPREADSHEET


def test_an_unknown_csv_dialect_is_refused(desk: Desk) -> None:
    run = desk("report", "--format", "csv", "--csv-dialect", "excel", now=NOW, **FRENCH)
    assert run.code == 2 and run.out == ""
    assert run.err == (
        "snpctl: Dialecte 'excel' inconnu pour --csv-dialect ; choisissez fr (un tableur en français) "
        "ou default (les scripts).\n"
    )


def test_the_csv_dialect_goes_with_the_csv_format_only(desk: Desk) -> None:
    run = desk("report", "--csv-dialect", "fr", now=NOW, **FRENCH)
    assert run.code == 2 and run.out == ""
    assert run.err == "snpctl: --csv-dialect va avec --format csv : snpctl report --format csv --csv-dialect fr\n"


# -- verify and check, in French ----------------------------------------------------------------


def test_verify_a_sound_ledger_in_french(desk: Desk) -> None:
    run = desk("verify", **FRENCH)
    assert run.code == 0 and run.err == ""
    assert run.out == "Registre intact : 23 événements, 6 demandes, dernière empreinte d79f0a6883b9bc6a.\n"


def test_verify_a_deleted_line_in_french(desk: Desk, tmp_path: Path) -> None:
    damaged = copy_of(desk, tmp_path)
    month = damaged.home / "ledger" / "2024-01.jsonl"
    lines = month.read_bytes().splitlines(keepends=True)
    month.write_bytes(b"".join(lines[:2] + lines[3:]))
    run = damaged("verify", **FRENCH)
    assert run.code == 3 and run.out == ""
    assert run.err == (
        "snpctl: ledger/2024-01.jsonl:3: numéro d'ordre 4 au lieu de 3 (une ligne a été supprimée, répétée ou "
        "déplacée)\n"
    )


def rechained(events: list[dict]) -> dict[str, bytes]:
    """What a careful forger writes: every ``seq`` and ``prev`` recomputed, each event in its month's file."""
    previous, files = "0" * 64, {}
    for number, event in enumerate(events, 1):
        raw = json.dumps(
            {**event, "seq": number, "prev": previous}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode("utf-8")
        previous = hashlib.sha256(raw).hexdigest()
        name = event["at"][:7] + ".jsonl"
        files[name] = files.get(name, b"") + raw + b"\n"
    return files


def test_verify_an_impossible_history_in_french(desk: Desk, tmp_path: Path) -> None:
    """The chain recomputed, but the patient of 001C is said seen before the time of their appointment."""
    forged = copy_of(desk, tmp_path)
    events = forged.events()
    seen = next(n for n, e in enumerate(events) if e["type"] == "outcome" and e["request"] == "001C")
    events[seen]["at"] = "2024-01-15T09:50:00Z"  # 10h50 in Paris, the appointment was at 11h00
    for name, data in rechained(events).items():
        (forged.home / "ledger" / name).write_bytes(data)
    run = forged("verify", **FRENCH)
    assert run.code == 3
    assert run.err == (
        f"snpctl: ledger/2024-01.jsonl:{seen + 1}: suite : impossible, l'heure du rendez-vous n'était pas arrivée\n"
    )


def test_check_is_silent_when_all_is_well_in_french(desk: Desk) -> None:
    run = desk("check", **FRENCH)
    assert (run.code, run.out, run.err) == (0, "", "")


def test_check_json_is_the_contracts_in_french_too(desk: Desk) -> None:
    run = desk("check", "--json", **FRENCH)
    assert (run.code, run.json) == (0, {"ok": True})


def test_verify_writes_then_checks_its_checkpoint_in_french(desk: Desk, tmp_path: Path) -> None:
    checkpoint = tmp_path / "cpts.checkpoint"
    first = desk("verify", "--checkpoint", str(checkpoint), **FRENCH)
    again = desk("verify", "--checkpoint", str(checkpoint), **FRENCH)
    assert (first.code, again.code) == (0, 0)
    assert first.out.splitlines()[1] == f"Point de contrôle {checkpoint} écrit, il en est maintenant à l'événement 23."
    assert (
        again.out.splitlines()[1] == f"Point de contrôle {checkpoint} vérifié, il en est maintenant à l'événement 23."
    )


def test_check_names_the_file_of_a_mistake_and_exits_2(desk: Desk, tmp_path: Path) -> None:
    """The wording of configuration errors is the configuration's (i13-config); the exit code is the contract's."""
    damaged = copy_of(desk, tmp_path)
    protocols = damaged.home / "protocols.toml"
    protocols.write_text(protocols.read_text(encoding="utf-8").replace("Europe/Paris", "Europe/Pariss"), "utf-8")
    run = damaged("check", **FRENCH)
    assert run.code == 2 and run.out == ""
    assert run.err.startswith("snpctl: ") and "protocols.toml" in run.err and "Europe/Pariss" in run.err


# -- simulate: the documented figures beside the computed ones, in French ----------------------------

A_WEEK = dedent("""\
    title = "Une semaine dans une petite CPTS"
    source = "un test"
    from = 2024-01-15
    to = 2024-01-19

    [cascade]
    treating_doctor_window = "30m"
    total_window = "2h"
    appointment_horizon = "12h"

    [line]
    hours = ["mon-fri 09:00-17:00"]

    [[site]]
    key = "cami"
    label = "CAMI"
    hours = ["mon-fri 16:00-19:00"]

    [[members]]
    prefix = "mg"
    count = 4
    status = "titulaire"
    treating = 1.0

    [[members]]
    prefix = "cami"
    count = 1
    status = "remplacant"
    site = "cami"

    [plan]
    triggered = 20
    redirected = 2
    accepted = { cami = 8, cabinet = 6 }
    accepted_by_treating_doctor = 2
    no_show = { cami = 2 }

    [plan.treating_doctor]
    declared = 0.8
    none = 0.1
    in_roster = 1.0

    [[expect]]
    figure = "Déclenchées"
    key = "triggered"
    value = 20

    [[expect]]
    figure = "Taux d'acceptation"
    key = "acceptance_rate"
    value = 0.7
    round = 2

    [[expect]]
    figure = "Lapins au CAMI"
    key = "site_appointments.cami.no_show_rate"
    value = 0.25
    tolerance = 0.005
    """)


def test_simulate_sets_the_figures_side_by_side_in_french(tmp_path: Path) -> None:
    scenario = tmp_path / "semaine.toml"
    scenario.write_text(A_WEEK, encoding="utf-8")
    into = tmp_path / "cpts"
    run = run_cli(["simulate", str(scenario), "--into", str(into), "--seed", "1"], env=FRENCH)
    assert run.code == 0, run.err
    assert run.out == SIDE_BY_SIDE.format(home=into.absolute())


SIDE_BY_SIDE = """\
Une semaine dans une petite CPTS
Scénario semaine, graine 1 : du 15 janvier 2024 au 19 janvier 2024.
Source : un test.
Réglages : délai du médecin traitant 30 min sur 2 h, rendez-vous dans les 12 h ; appels mon-fri 09:00-17:00 ; \
cami mon-fri 16:00-19:00 ; 5 membres inscrits.

indicateur          documenté  calculé  règle           conforme
------------------  ---------  -------  --------------  --------
Déclenchées                20       20  exact           oui
Taux d'acceptation       70 %     70 %  arrondi à 70 %  oui
Lapins au CAMI           25 %     25 %  à ±0,005 près   oui

Les 3 indicateurs documentés correspondent tous au rapport calculé depuis le registre.
228 événements écrits dans {home}/ledger/ (33 passages de tick). \
Pour tout voir : snpctl report --home {home} --from 2024-01-15 --to 2024-01-19
"""


def test_simulate_json_keeps_its_english_rules(tmp_path: Path) -> None:
    """--json is the same whatever the language: the rule of each row stays the English it always was."""
    scenario = tmp_path / "semaine.toml"
    scenario.write_text(A_WEEK, encoding="utf-8")
    run = run_cli(["simulate", str(scenario), "--into", str(tmp_path / "cpts"), "--seed", "1", "--json"], env=FRENCH)
    assert run.code == 0, run.err
    assert [row["rule"] for row in json.loads(run.out)["rows"]] == ["exact", "rounds to 70%", "within ±0.005"]
