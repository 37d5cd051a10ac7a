"""What a coordinator reads at the desk, in French: the answers and errors of the cascade, `list` and `show`.

One afternoon on the small inline CPTS (Monday 15 January 2024, Europe/Paris) goes through every branch:
out of protocol, the 15, the treating doctor's window, a refusal, an escalation, a double accept, a
direct booking, an expiry by tick, a no-show, a synthesis, `list`, `show`, a bad request id and a
bad time. Each answer is checked line by line; none shows an internal code; and `--json` and the
ledger are the same bytes, whatever the language.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from snpctl.i18n import activate

from conftest import PROTOCOLS, ROSTER, Desk, make_workspace

DAY = "2024-01-15"

# (what it shows, when, command): the afternoon, in the order the desk types it
AFTERNOON: list[tuple[str, str, tuple[str, ...]]] = [
    ("redirect", "16:00", ("intake", "--motif", "renouvellement", "--source", "cot")),
    ("the 15", "16:00", ("intake", "--motif", "douleur_thoracique", "--source", "cot")),
    ("intake", "16:00", ("intake", "--motif", "fievre", "--source", "cot", "--treating-doctor", "gp-a")),
    ("window", "16:01", ("notify", "003H")),
    ("intake 2", "16:05", ("intake", "--motif", "fievre", "--source", "web", "--treating-doctor", "gp-b")),
    ("window 2", "16:06", ("notify", "004J")),
    ("refusal", "16:07", ("refuse", "004J", "--by", "gp-b", "--reason", "away")),
    ("reserved", "16:10", ("accept", "003H", "--by", "gp-b", "--at", "17:30")),
    ("intake 3", "16:15", ("intake", "--motif", "fievre", "--source", "samu")),
    ("direct booking", "16:16", ("book", "005K", "--by", "gp-cami", "--at", "16:30", "--site", "cami")),
    ("intake 4", "16:20", ("intake", "--motif", "fievre", "--source", "cot")),
    ("community", "16:21", ("notify", "006L")),
    ("escalation", "17:02", ("tick",)),
    ("accept", "17:05", ("accept", "003H", "--by", "gp-cami", "--at", "17:45")),
    ("double accept", "17:06", ("accept", "003H", "--by", "gp-b", "--at", "18:00")),
    ("bad time", "17:10", ("accept", "004J", "--by", "gp-a", "--at", "16:00")),
    ("accept at the practice", "17:11", ("accept", "004J", "--by", "gp-a", "--at", "17:40")),
    ("no-show", "18:00", ("outcome", "005K", "no-show")),
    ("expiry", "18:22", ("tick",)),
    ("seen", "18:30", ("outcome", "003H", "seen")),
    ("synthesis", "18:35", ("synthesis", "003H", "--by", "gp-cami", "--text", "Angine virale, paracétamol.")),
    ("intake 5", "18:36", ("intake", "--motif", "fievre", "--source", "cot", "--treating-doctor", "gp-b")),
    ("window 3", "18:37", ("notify", "007M")),
    ("bad id", "18:40", ("notify", "099B")),
    ("list", "18:40", ("list",)),
    ("list, a window ran out", "19:38", ("list",)),
    ("show", "19:39", ("show", "003H")),
]

# What --json printed and what the ledger held for this afternoon before issue 13 (main at 7e892ce, where
# every answer was English): the sha256 of the outputs (exit code, newline, output, one command after the
# other) and of the ledger's bytes. Issue 14 added the withdrawn_member messages (on by default): with
# `withdrawn = false` the afternoon still hashes to 06203ee1… and 8de280c1…; these are with them (6 entries more).
JSON_BEFORE = "1a27554782d393bce1e0ef46c71a6c883d77d0f82fb5a590f2c08426d2ddb70c"
LEDGER_BEFORE = "4e08118732e7274cb8502692bc6d56fb4f995d005af062dbfba42c7b35308992"

# the codes of the contract that must never reach a person
CODES = (
    "treating_doctor_window",
    "no_show",
    "transferred_15",
    "community",
    "given_up",
    "gave_up",
    "treating_doctor_refused",
    "window_ended",
    "out_of_scope",
    "redirected",
    "notify_member",
    "accepted_patient",
    "synthesis_treating_doctor",
)


@pytest.fixture(autouse=True)
def _english_after() -> Iterator[None]:
    """A French command switches this process to French: leave English behind for the tests that follow."""
    yield
    activate("en")


def afternoon(home: Path, *extra: str, **env: str) -> tuple[Desk, dict[str, tuple[int, str]]]:
    """Each command of the afternoon typed at its time; what it printed (stdout and stderr), by label."""
    desk = make_workspace(home)
    said = {}
    for label, at, args in AFTERNOON:
        run = desk(*args, *extra, now=f"{DAY}T{at}", COLUMNS="160", **env)
        said[label] = (run.code, "\n".join(line.rstrip() for line in (run.out + run.err).splitlines()))
    return desk, said


@pytest.fixture(scope="module")
def french(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, str]]:
    return afternoon(tmp_path_factory.mktemp("fr") / "cpts", SNPCTL_LANG="fr")[1]


def test_out_of_protocol(french: dict[str, tuple[int, str]]) -> None:
    assert french["redirect"] == (
        0,
        "Demande 001C : hors protocole (Renouvellement d'ordonnance). Orientez le patient vers son médecin.",
    )


def test_a_red_flag_goes_to_the_15(french: dict[str, tuple[int, str]]) -> None:
    assert french["the 15"] == (
        0,
        "Demande 002E : réorientée vers le 15. TRANSFÉREZ L'APPEL AU 15 MAINTENANT : Douleur thoracique est un "
        "signe de gravité. Restez en ligne jusqu'à ce que le 15 ait pris l'appel.",
    )


def test_an_open_request_says_what_comes_next(french: dict[str, tuple[int, str]]) -> None:
    assert french["intake"] == (0, "Demande 003H : ouverte (Fièvre). Ensuite : snpctl notify 003H")


def test_the_treating_doctors_window(french: dict[str, tuple[int, str]]) -> None:
    assert french["window"] == (
        0,
        "Demande 003H : réservée au médecin traitant (Dr A) jusqu'à 17h01. Prévenu : Dr A (gp-a).",
    )


def test_another_member_is_refused_during_the_window(french: dict[str, tuple[int, str]]) -> None:
    assert french["reserved"] == (
        1,
        "snpctl: La demande 003H est réservée à son médecin traitant, Dr A (gp-a), jusqu'à 17h01 ; les autres "
        "pourront l'accepter ensuite, ou dès que Dr A la refusera.",
    )


def test_the_treating_doctors_refusal_opens_the_community(french: dict[str, tuple[int, str]]) -> None:
    assert french["refusal"] == (
        0,
        "Demande 004J : refus de Dr B (gp-b) enregistré ; la demande ne lui sera plus proposée.\n"
        "Le médecin traitant a refusé : la demande 004J est ouverte à la communauté jusqu'à 18h06 ; "
        "prévenus (2) : Dr A (gp-a), Dr C (gp-cami).",
    )


def test_without_a_treating_doctor_the_community_is_notified(french: dict[str, tuple[int, str]]) -> None:
    assert french["community"] == (
        0,
        "Demande 006L : ouverte à la communauté jusqu'à 18h21 ; prévenus (3) : Dr A (gp-a), Dr B (gp-b), "
        "Dr C (gp-cami).",
    )


def test_a_direct_booking(french: dict[str, tuple[int, str]]) -> None:
    assert french["direct booking"] == (
        0,
        "Demande 005K : prise en charge par Dr C (réservation directe), rendez-vous à 16h30, CAMI, 1 rue du Test.",
    )


def test_tick_escalates_when_the_window_runs_out(french: dict[str, tuple[int, str]]) -> None:
    assert french["escalation"] == (
        0,
        "Demande 003H : le délai du médecin traitant est écoulé ; ouverte à la communauté.",
    )


def test_an_accept(french: dict[str, tuple[int, str]]) -> None:
    assert french["accept"] == (0, "Demande 003H : prise en charge par Dr C, rendez-vous à 17h45, CAMI, 1 rue du Test.")
    assert french["accept at the practice"] == (
        0,
        "Demande 004J : prise en charge par Dr A, rendez-vous à 17h40, à son cabinet.",
    )


def test_a_second_accept_is_told_who_was_first(french: dict[str, tuple[int, str]]) -> None:
    assert french["double accept"] == (
        1,
        "snpctl: La demande 003H a déjà été prise en charge par Dr C (gp-cami) à 17h05, rendez-vous à 17h45 ; "
        "rien à faire.",
    )


def test_an_appointment_in_the_past(french: dict[str, tuple[int, str]]) -> None:
    assert french["bad time"] == (1, "snpctl: Le rendez-vous à 16h00 est déjà passé ; donnez une heure à venir.")


def test_outcomes(french: dict[str, tuple[int, str]]) -> None:
    assert french["no-show"] == (0, "Demande 005K : lapin (patient non venu).")
    assert french["seen"] == (0, "Demande 003H : patient vu.")


def test_tick_says_a_request_was_not_filled(french: dict[str, tuple[int, str]]) -> None:
    assert french["expiry"] == (
        0,
        "Demande 006L : NON POURVUE, personne n'a accepté. Rappelez le patient (le 15 si son état s'aggrave, "
        "sinon la maison médicale de garde du soir).",
    )


def test_a_synthesis(french: dict[str, tuple[int, str]]) -> None:
    assert french["synthesis"] == (
        0,
        "Demande 003H : synthèse enregistrée ; elle est dans la boîte d'envoi, à transmettre à la main au "
        "médecin traitant, Dr A (gp-a).",
    )


def test_a_request_id_with_a_wrong_check_letter(french: dict[str, tuple[int, str]]) -> None:
    assert french["bad id"] == (
        1,
        "snpctl: 099B n'est pas un numéro de demande valable : sa lettre de contrôle ne correspond pas à son "
        "numéro ; relisez-le (`snpctl list` montre les demandes en cours).",
    )


def test_list(french: dict[str, tuple[int, str]]) -> None:
    assert french["list"] == (
        0,
        "demande  état                          jusqu'à  motif   origine                    pris par  rendez-vous\n"
        "004J     prise en charge               -        fievre  formulaire web             Dr A      17h40\n"
        "007M     réservée au médecin traitant  19h37    fievre  COT (la ligne de la CPTS)  -         -\n"
        "6 choses à faire : snpctl todo",  # the messages left in the outbox, the patient of 006L to call back
    )


def test_list_tells_a_window_ran_out_before_tick_records_it(french: dict[str, tuple[int, str]]) -> None:
    code, text = french["list, a window ran out"]
    assert code == 0
    assert "007M     réservée au médecin traitant (délai écoulé ; mise à jour dans la minute)  19h37" in text


def test_show(french: dict[str, tuple[int, str]]) -> None:
    assert french["show"] == (
        0,
        "Demande 003H : patient vu.\n"
        "quand  ce qui s'est passé\n"
        "16h00  appel reçu : Fièvre (à déclencher), origine : COT (la ligne de la CPTS), médecin traitant : "
        "Dr A (gp-a)\n"
        "16h01  déclenchée : réservée au médecin traitant jusqu'à 17h01 ; prévenus : Dr A\n"
        "16h01  message pour Dr A (demande à un médecin) : dans la boîte d'envoi, à transmettre à la main\n"
        "17h02  ouverte à la communauté (le délai du médecin traitant est écoulé) jusqu'à 18h01 ; prévenus (2) : "
        "Dr B, Dr C\n"
        "17h02  message pour Dr B (demande à un médecin) : dans la boîte d'envoi, à transmettre à la main\n"
        "       message pour Dr C (demande à un médecin) : dans la boîte d'envoi, à transmettre à la main\n"
        "17h05  prise en charge par Dr C (gp-cami) : rendez-vous à 17h45, CAMI, 1 rue du Test\n"
        "17h05  message pour le patient (rendez-vous au patient) : dans la boîte d'envoi, à transmettre à la main\n"
        "       message pour Dr A (demande retirée, à un médecin sollicité) : dans la boîte d'envoi, à transmettre à "
        "la main\n"
        "       message pour Dr B (demande retirée, à un médecin sollicité) : dans la boîte d'envoi, à transmettre à "
        "la main\n"
        "18h30  patient vu\n"
        "18h35  synthèse de Dr C (gp-cami), pour le médecin traitant\n"
        "18h35  message pour Dr A (synthèse au médecin traitant) : dans la boîte d'envoi, à transmettre à la main",
    )


def test_another_day_is_named(tmp_path: Path) -> None:
    """The day is named when it is not today's: `show` the next morning."""
    desk, _ = afternoon(tmp_path / "cpts", SNPCTL_LANG="fr")
    shown = desk("show", "005K", now="2024-01-16T09:00", SNPCTL_LANG="fr", COLUMNS="160").out
    assert (
        "lundi 15 janvier à 16h16  prise en charge par Dr C (gp-cami) (réservation directe) : rendez-vous le "
        "lundi 15 janvier à 16h30, CAMI, 1 rue du Test"
    ) in shown


def test_no_internal_code_reaches_a_person(french: dict[str, tuple[int, str]]) -> None:
    said = "\n".join(text for _, text in french.values())
    assert [code for code in CODES if code in said] == []


def test_the_same_afternoon_in_english_has_no_french(tmp_path: Path) -> None:
    english = afternoon(tmp_path / "cpts", SNPCTL_LANG="en")[1]
    assert english["double accept"] == (
        1,
        "snpctl: Request 003H was already taken by Dr C (gp-cami) at 17:05, appointment at 17:45; nothing to do.",
    )
    said = "\n".join(text for _, text in english.values())
    assert [word for word in ("Demande", "réservée", "prise en charge", "17h") if word in said] == []
    assert [code for code in CODES if code in said and code != "community"] == []  # "open to the community"


def test_json_and_the_ledger_are_the_bytes_they_were_before_whatever_the_language(tmp_path: Path) -> None:
    for language in ("fr", "en"):
        desk = make_workspace(tmp_path / language)
        outputs = []
        for _label, at, args in AFTERNOON:
            run = desk(*args, "--json", now=f"{DAY}T{at}", SNPCTL_LANG=language)
            assert run.code == 1 if not run.out else json.loads(run.out)
            outputs.append(f"{run.code}\n{run.out}")
        assert hashlib.sha256("".join(outputs).encode()).hexdigest() == JSON_BEFORE, language
        assert hashlib.sha256(desk.ledger_bytes()).hexdigest() == LEDGER_BEFORE, language


def test_a_people_answer_writes_the_same_ledger_as_json(tmp_path: Path) -> None:
    french_desk, _ = afternoon(tmp_path / "fr", SNPCTL_LANG="fr")
    assert hashlib.sha256(french_desk.ledger_bytes()).hexdigest() == LEDGER_BEFORE


def test_a_message_given_up_is_told_in_words(tmp_path: Path) -> None:
    """An SMS the gateway refuses, retried once, then given up: `tick`, `list` and `show` say so in words."""
    desk = make_workspace(
        tmp_path / "cpts",
        protocols=PROTOCOLS + '\n[messaging]\nretry = ["1m"]\n\n[messaging.sms]\ncommand = "false"\n',
        roster=ROSTER.replace('id = "gp-a"\n', 'id = "gp-a"\nsms = "+33612345678"\n'),
    )

    def french(*args: str, at: str) -> str:
        run = desk(*args, now=f"{DAY}T{at}", SNPCTL_LANG="fr", COLUMNS="160")
        assert run.code == 0, run.err
        return "\n".join(line.rstrip() for line in run.out.splitlines())

    french("intake", "--motif", "fievre", "--source", "cot", "--treating-doctor", "gp-a", at="16:00")
    french("notify", "001C", at="16:01")
    french("tick", at="16:02")  # the second attempt, the last
    assert french("tick", at="16:03") == (
        "MESSAGE NON DÉLIVRÉ pour la demande 001C : demande à un médecin, pour Dr A, SMS, après 2 essai(s) "
        "(plus aucun nouvel essai) ; transmettez-le à la main."
    )
    assert french("list", at="16:04").splitlines()[0] == (
        "MESSAGE NON DÉLIVRÉ pour la demande 001C : demande à un médecin, pour Dr A, SMS, après 2 essai(s) "
        "(plus aucun nouvel essai) ; transmettez-le à la main."
    )
    assert (
        "16h01  message pour Dr A (demande à un médecin), SMS : ABANDONNÉ (plus aucun nouvel essai) : à "
        "transmettre à la main"
    ) in french("show", "001C", at="16:05").splitlines()


def test_the_rules_refusals_in_french(tmp_path: Path) -> None:
    """Each refusal names the request, its state in words, and what to do."""
    desk = make_workspace(tmp_path / "cpts")

    def said(at: str, *args: str) -> tuple[int, str]:
        run = desk(*args, now=f"{DAY}T{at}", SNPCTL_LANG="fr")
        return run.code, (run.out + run.err).rstrip("\n")

    said("16:00", "intake", "--motif", "fievre", "--source", "cot", "--treating-doctor", "gp-a")
    assert said("16:01", "accept", "001C", "--by", "gp-b", "--at", "17:00") == (
        1,
        "snpctl: La demande 001C n'a pas encore été déclenchée ; lancez d'abord `snpctl notify 001C` (ou "
        "`snpctl book` pour une réservation directe).",
    )
    said("16:02", "notify", "001C")
    assert said("16:03", "notify", "001C") == (
        1,
        "snpctl: La demande 001C a déjà été déclenchée à 16h02 (réservée au médecin traitant) ; rien à faire.",
    )
    assert said("16:04", "synthesis", "001C", "--by", "gp-a", "--text", "x") == (
        1,
        "snpctl: La demande 001C n'a pas encore été prise en charge (réservée au médecin traitant) ; sa "
        "synthèse est écrite par le membre qui voit le patient.",
    )
    assert said("16:05", "accept", "001C", "--by", "dent-a", "--at", "17:00") == (
        1,
        "snpctl: Dr Dent (dent-a) exerce comme dentiste ; la demande 001C (Fièvre) relève d'un generaliste.",
    )
    said("16:06", "accept", "001C", "--by", "gp-a", "--at", "17:00")
    assert said("16:07", "outcome", "001C", "seen") == (
        1,
        "snpctl: Le rendez-vous de la demande 001C est à 17h00 ; enregistrez seen (patient vu) ou no-show "
        "(lapin) une fois l'heure passée.",
    )
    said("17:30", "outcome", "001C", "seen")
    assert said("17:31", "outcome", "001C", "no-show") == (
        1,
        "snpctl: La demande 001C est close (patient vu) ; plus rien ne peut la modifier.",
    )
    assert said("17:00", "synthesis", "001C", "--by", "gp-a", "--text", "x") == (
        1,
        "snpctl: Cette commande est datée de 17h00, avant le dernier événement de la demande 001C (17h30) ; le "
        "temps ne peut pas reculer pour une même demande. Vérifiez --now / SNPCTL_NOW.",
    )
