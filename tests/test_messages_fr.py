"""The messages people receive, in the workspace's language (issue 13).

- French by default, English with ``SNPCTL_LANG=en`` (or ``language = "en"``): each default template's exact
  text in both, as the outbox keeps it; dates and times as people say them ("lundi 15 janvier", "18h30").
- The slips of the old French are gone: the doctors' SMS without a ``cot_phone`` says whom to call, a name
  starting with a vowel is elided ("d'Inès"), a member's own practice follows their profession.
- The operator told of a message not delivered reads words: which message, for whom, by which channel, why.
- An override in protocols.toml is used as written, whatever the language.

Every time is Monday 15 January 2024, Europe/Paris (UTC+1). No gateway: every message goes to the outbox.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from textwrap import dedent

import pytest
from snpctl.domain.french import elide, elides
from snpctl.domain.messages import TEMPLATES, fill
from snpctl.i18n import activate
from snpctl.messaging import failures
from snpctl.messaging.render import practice

from conftest import PROTOCOLS, Desk, make_workspace

MONDAY = "2024-01-15"

MESSAGING = dedent("""
    [messaging]
    cot_phone = "01 00 00 00 00"
    operator_sms = "06 99 99 99 99"
    reminder_before = "1h"
    """)

MORE_PROTOCOLS = dedent("""
    [[protocol]]
    key = "entorse"
    label = "Entorse"
    category = "traumatologie"
    action = "trigger"
    profession = "kine"

    [[protocol]]
    key = "dos"
    label = "Mal de dos"
    category = "rhumatologie"
    action = "trigger"
    profession = "osteopathe"
    """)

ROSTER = dedent("""\
    [[site]]
    key = "cami"
    label = "CAMI"
    hours = ["mon-fri 15:30-19:30"]
    address = "1 rue du Test"

    [[member]]
    id = "mg-a"
    name = "Dr A"
    profession = "generaliste"
    status = "titulaire"
    address = "3 place du Marché"
    sms = "06 00 00 00 01"
    mssante = "a@medecin.mssante.example"

    [[member]]
    id = "mg-b"
    name = "Dr B"
    profession = "generaliste"
    status = "titulaire"
    address = "5 avenue du Cabinet"
    sms = "06 00 00 00 02"

    [[member]]
    id = "dent-d"
    name = "Dr D"
    profession = "dentiste"
    status = "titulaire"
    address = "7 rue des Dents"

    [[member]]
    id = "kine-k"
    name = "Karim K."
    profession = "kine"
    status = "titulaire"
    address = "9 rue du Sport"

    [[member]]
    id = "osteo-r"
    name = "Anne Roy"
    profession = "osteopathe"
    status = "titulaire"
    address = "11 rue du Dos"
    """)


@pytest.fixture(autouse=True)
def _english_after() -> Iterator[None]:
    """A test that speaks French in this process (``activate``, a French command) leaves English behind."""
    yield
    activate("en")


def cpts(home: Path, messaging: str = MESSAGING, templates: str = "") -> Desk:
    protocols = PROTOCOLS + MORE_PROTOCOLS + messaging
    if templates:
        protocols += "\n[messaging.templates]\n" + dedent(templates)
    return make_workspace(home, protocols=protocols, roster=ROSTER)


def at(desk: Desk, clock: str, command: str, *more: str, language: str) -> dict:
    """``snpctl COMMAND MORE...`` at ``clock`` on Monday, speaking ``language``: it must succeed; its JSON answer."""
    run = desk(*command.split(), *more, "--json", now=f"{MONDAY}T{clock}", SNPCTL_LANG=language, SNPCTL_DELIVERY="wait")
    assert run.code == 0, run.err
    return run.json


def outbox(desk: Desk) -> dict[str, list[str]]:
    """template -> the text of each of its messages (the outbox files' bodies), in the order they were sent."""
    found: dict[str, list[str]] = {}
    for path in sorted((desk.home / "outbox").glob("*/*.txt")):
        template = next(name for name in TEMPLATES if f"-{name}-" in path.name)
        found.setdefault(template, []).append(path.read_text(encoding="utf-8").partition("\n\n")[2].removesuffix("\n"))
    return found


def afternoon(home: Path, language: str) -> Desk:
    """Inès D. (treating doctor Dr A, who refuses) is taken by Dr B at 18h30, reminded, and her synthesis goes
    to Dr A; Paul D.'s request finds nobody and expires. Every default template is sent once or more."""
    desk = cpts(home)
    ines = ["--patient", "Inès D.", "--phone", "06 11 22 33 44", "--commune", "Champigny-sur-Marne"]
    at(desk, "16:00", "intake --motif fievre --source cot --treating-doctor mg-a", *ines, language=language)
    at(desk, "16:01", "notify 001C", language=language)
    at(desk, "16:05", "refuse 001C --by mg-a --reason busy", language=language)
    at(desk, "16:10", "accept 001C --by mg-b --at 18:30", language=language)
    paul = ["--patient", "Paul D.", "--phone", "06 55 44 33 22"]
    at(desk, "16:20", "intake --motif fievre --source cot --treating-doctor none", *paul, language=language)
    at(desk, "16:21", "notify 002E", language=language)
    at(desk, "17:30", "tick", language=language)
    at(desk, "18:22", "tick", language=language)
    at(desk, "19:00", "synthesis 001C --by mg-b --text", "Angine virale.", language=language)
    return desk


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Desk]:
    """language -> the workspace of the same afternoon, played in French and in English."""
    return {language: afternoon(tmp_path_factory.mktemp(language) / "cpts", language) for language in ("fr", "en")}


@pytest.fixture(scope="module")
def sent(played: dict[str, Desk]) -> dict[str, dict[str, list[str]]]:
    """language -> template -> texts."""
    return {language: outbox(desk) for language, desk in played.items()}


FRENCH = {
    "notify_member": [
        "CPTS - demande de soins non programmés 001C : Fièvre, Champigny-sur-Marne. À prendre avant 17h01. Pour "
        "accepter ou refuser, appelez le 01 00 00 00 00 en donnant le numéro 001C.",
        "CPTS - demande de soins non programmés 001C : Fièvre, Champigny-sur-Marne. À prendre avant 18h01. Pour "
        "accepter ou refuser, appelez le 01 00 00 00 00 en donnant le numéro 001C.",
        "CPTS - demande de soins non programmés 002E : Fièvre, commune non précisée. À prendre avant 18h21. Pour "
        "accepter ou refuser, appelez le 01 00 00 00 00 en donnant le numéro 002E.",
        "CPTS - demande de soins non programmés 002E : Fièvre, commune non précisée. À prendre avant 18h21. Pour "
        "accepter ou refuser, appelez le 01 00 00 00 00 en donnant le numéro 002E.",
    ],
    "accepted_patient": [
        "Bonjour Inès D., votre rendez-vous : lundi 15 janvier à 18h30 avec Dr B, au cabinet du médecin, "
        "5 avenue du Cabinet. Si votre état s'aggrave, appelez le 15."
    ],
    "informed_treating_doctor": [
        "Votre patient(e) Inès D. a appelé la ligne de soins non programmés de la CPTS (demande 001C, Fièvre). "
        "Dr B l'a pris(e) en charge : rendez-vous le lundi 15 janvier à 18h30, au cabinet du médecin."
    ],
    "reminder_patient": [
        "Rappel : rendez-vous lundi 15 janvier à 18h30 avec Dr B, au cabinet du médecin, 5 avenue du Cabinet. "
        "En cas d'empêchement, prévenez le 01 00 00 00 00."
    ],
    "expired_patient": [
        "Bonjour Paul D., aucun médecin n'a pu vous recevoir à temps (demande 002E). Si votre état s'aggrave, "
        "appelez le 15 ; sinon, ce soir, la maison médicale de garde (appelez le 15 pour être orienté). Pour "
        "toute question, appelez le 01 00 00 00 00."
    ],
    "expired_operator": ["Demande 002E (Fièvre) expirée sans preneur. Rappeler le patient : Paul D., 06 55 44 33 22."],
    "synthesis_treating_doctor": [
        "Synthèse de la consultation d'Inès D. par Dr B le lundi 15 janvier (demande 001C, Fièvre) :\n\nAngine virale."
    ],
    "withdrawn_member": 2 * ["CPTS - la demande 002E (Fièvre) n'est plus à prendre, merci : rien à faire."],
}

ENGLISH = {
    "notify_member": [
        "CPTS - unscheduled care request 001C: Fièvre, Champigny-sur-Marne. To be taken before 17:01. To accept "
        "or refuse, call 01 00 00 00 00 and give the number 001C.",
        "CPTS - unscheduled care request 001C: Fièvre, Champigny-sur-Marne. To be taken before 18:01. To accept "
        "or refuse, call 01 00 00 00 00 and give the number 001C.",
        "CPTS - unscheduled care request 002E: Fièvre, town not given. To be taken before 18:21. To accept or "
        "refuse, call 01 00 00 00 00 and give the number 002E.",
        "CPTS - unscheduled care request 002E: Fièvre, town not given. To be taken before 18:21. To accept or "
        "refuse, call 01 00 00 00 00 and give the number 002E.",
    ],
    "accepted_patient": [
        "Hello Inès D., your appointment: Monday 15 January at 18:30 with Dr B, at the doctor's practice, "
        "5 avenue du Cabinet. If you get worse, call 15."
    ],
    "informed_treating_doctor": [
        "Your patient Inès D. called the CPTS unscheduled care line (request 001C, Fièvre). Dr B took them on: "
        "appointment on Monday 15 January at 18:30, at the doctor's practice."
    ],
    "reminder_patient": [
        "Reminder: appointment Monday 15 January at 18:30 with Dr B, at the doctor's practice, 5 avenue du "
        "Cabinet. If you cannot come, call 01 00 00 00 00."
    ],
    "expired_patient": [
        "Hello Paul D., no doctor could see you in time (request 002E). If you get worse, call 15; otherwise, "
        "tonight, the duty medical centre (call 15 to be directed there). Any question: call 01 00 00 00 00."
    ],
    "expired_operator": [
        "Request 002E (Fièvre) expired with nobody taking it. Call the patient back: Paul D., 06 55 44 33 22."
    ],
    "synthesis_treating_doctor": [
        "Synthesis of the consultation of Inès D. by Dr B on Monday 15 January (request 001C, Fièvre):\n\n"
        "Angine virale."
    ],
    "withdrawn_member": 2 * ["CPTS - request 002E (Fièvre) is no longer to be taken, thank you: nothing to do."],
}


@pytest.mark.parametrize("template", sorted(FRENCH))
def test_each_default_template_in_french(sent, template) -> None:
    assert sent["fr"][template] == FRENCH[template]


@pytest.mark.parametrize("template", sorted(ENGLISH))
def test_each_default_template_in_english(sent, template) -> None:
    assert sent["en"][template] == ENGLISH[template]


def test_the_afternoon_sends_every_default_template_but_the_failure_one(sent) -> None:
    assert set(FRENCH) == set(TEMPLATES) - {"failed_operator"}  # failed_operator: its own tests below
    assert set(sent["fr"]) == set(sent["en"]) == set(FRENCH)


def test_the_ledger_is_the_same_byte_for_byte_whatever_the_language(played) -> None:
    """It names templates and recipients by their codes, and never holds a text."""
    assert played["fr"].ledger_bytes() == played["en"].ledger_bytes()


def test_the_outbox_file_is_written_for_people_in_french(tmp_path) -> None:
    desk = cpts(tmp_path / "cpts")
    at(desk, "16:00", "intake --motif fievre --source cot --treating-doctor mg-a", language="fr")
    at(desk, "16:01", "notify 001C", language="fr")
    (path,) = (desk.home / "outbox" / MONDAY).iterdir()
    assert path.name == "000001-notify_member-mg-a.txt"  # the ledger's codes: what a script may read
    assert path.read_text(encoding="utf-8") == (
        "Destinataire : Dr A <+33600000001>\n"
        "Envoi : boîte d'envoi (à transmettre à la main)\n"
        "Message : demande à un médecin\n"
        "Demande : 001C\n"
        "Essai : 1\n"
        "Objet : CPTS 001C\n"
        "\n"
        "CPTS - demande de soins non programmés 001C : Fièvre, commune non précisée. À prendre avant 17h01. Pour "
        "accepter ou refuser, appelez le 01 00 00 00 00 en donnant le numéro 001C.\n"
    )


def test_french_is_the_default_with_no_language_set_anywhere(tmp_path, monkeypatch) -> None:
    for name in ("SNPCTL_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    desk = cpts(tmp_path / "cpts")
    for clock, args in (("16:00", ["intake", "--motif", "fievre", "--source", "cot"]), ("16:01", ["notify", "001C"])):
        assert desk(*args, now=f"{MONDAY}T{clock}").code == 0
    assert outbox(desk)["notify_member"][0].startswith("CPTS - demande de soins non programmés 001C : Fièvre")


# -- the slips of the old French ---------------------------------------------------------------------------


def test_without_a_cot_phone_the_doctors_are_told_to_call_the_cpts_switchboard(tmp_path) -> None:
    """Not "appelez le la ligne de la CPTS": the fallback is a noun that reads after "appelez le"."""
    texts = {}
    for language in ("fr", "en"):
        desk = cpts(tmp_path / language, messaging="")
        at(desk, "16:00", "intake --motif fievre --source cot --treating-doctor mg-a", language=language)
        at(desk, "16:01", "notify 001C", language=language)
        (texts[language],) = outbox(desk)["notify_member"]
    assert texts["fr"].endswith("Pour accepter ou refuser, appelez le standard de la CPTS en donnant le numéro 001C.")
    assert texts["en"].endswith("To accept or refuse, call the CPTS line and give the number 001C.")


@pytest.mark.parametrize(
    "name, elided",
    [
        ("Inès D.", True),
        ("Élodie", True),
        ("anne", True),
        ("Œdipe", True),
        ("Hélène", True),  # a mute h, the common case for names
        ("Yves", True),  # a y sounded as a vowel
        ("Yann", False),  # a y sounded as a consonant
        ("Paul", False),
        ("Dr Inès", False),
        ("(nom non donné)", False),
        ("06 12 34 56 78", False),
        ("", False),
    ],
)
def test_de_is_elided_before_a_vowel_sound(name, elided) -> None:
    assert elides(name) is elided
    assert elide("Synthèse de ", name) == ("Synthèse d'" if elided else "Synthèse de ")


def test_only_the_word_de_is_elided_and_its_capital_kept() -> None:
    assert elide("De ", "Anne") == "D'"
    assert elide("au cabinet de ", "Anne Roy") == "au cabinet d'"
    assert elide("Aide ", "Inès") == "Aide "  # "de" ends a longer word
    assert elide("de", "Inès") == "de"  # no space: "de" is not before the name


def test_fill_elides_de_before_a_value_and_nowhere_else() -> None:
    context = {"patient": "Inès D.", "doctor": "Dr B", "a": "de ", "b": "Anne"}
    assert fill("Synthèse de la consultation de {patient} par {doctor}", context) == (
        "Synthèse de la consultation d'Inès D. par Dr B"
    )
    assert fill("{a}{b}", context) == "de Anne"  # a value is never changed by the next one
    assert fill("de {{patient}} de {doctor}", context) == "de {patient} de Dr B"


@pytest.mark.parametrize(
    "profession, french, english",
    [
        ("generaliste", "au cabinet du médecin", "at the doctor's practice"),
        ("dentiste", "au cabinet dentaire", "at the dental practice"),
        ("kine", "au cabinet du kinésithérapeute", "at the physiotherapist's practice"),
        ("Kinésithérapeute", "au cabinet du kinésithérapeute", "at the physiotherapist's practice"),
        ("sage-femme", "au cabinet de la sage-femme", "at the midwife's practice"),
        ("infirmier", "au cabinet infirmier", "at the nurses' practice"),
        ("osteopathe", "au cabinet d'Anne Roy", "at the practice of Anne Roy"),  # a profession snpctl does not know
    ],
)
def test_the_practice_follows_the_profession(profession, french, english) -> None:
    activate("fr")
    assert practice(profession, "Anne Roy") == french
    activate("en")
    assert practice(profession, "Anne Roy") == english


@pytest.mark.parametrize(
    "motif, member, place",
    [
        ("dent", "dent-d", "avec Dr D, au cabinet dentaire, 7 rue des Dents."),
        ("entorse", "kine-k", "avec Karim K., au cabinet du kinésithérapeute, 9 rue du Sport."),
        ("dos", "osteo-r", "avec Anne Roy, au cabinet d'Anne Roy, 11 rue du Dos."),
    ],
)
def test_the_patient_of_a_dentist_or_a_kine_is_not_sent_to_the_doctors_practice(tmp_path, motif, member, place) -> None:
    desk = cpts(tmp_path / "cpts")
    at(desk, "16:00", f"intake --motif {motif} --source cot --patient", "Léa B.", language="fr")
    at(desk, "16:01", "notify 001C", language="fr")
    at(desk, "16:10", f"accept 001C --by {member} --at 18:30", language="fr")
    (text,) = outbox(desk)["accepted_patient"]
    assert text == (
        f"Bonjour Léa B., votre rendez-vous : lundi 15 janvier à 18h30 {place} Si votre état s'aggrave, appelez le 15."
    )


# -- the operator told of a message not delivered -----------------------------------------------------------


def failed_afternoon(home: Path, language: str) -> str:
    """Dr A's SMS fails twice (the gateway's command exits 1), is given up, and the operator is told."""
    messaging = MESSAGING + 'retry = ["1m"]\n\n[messaging.sms]\ncommand = "false {to}"\n'
    desk = cpts(home, messaging=messaging)
    at(desk, "16:00", "intake --motif fievre --source cot --treating-doctor mg-a", language=language)
    at(desk, "16:01", "notify 001C", language=language)
    at(desk, "16:02", "tick", language=language)
    assert [m["why"] for m in at(desk, "16:03", "tick", language=language)["failed_messages"]] == ["failed"]
    (text,) = outbox(desk)["failed_operator"]
    return text


@pytest.mark.parametrize(
    "language, expected",
    [
        (
            "fr",
            "Message non délivré : demande à un médecin pour Dr A par SMS (demande 001C, essai(s) : 2). Cause : la "
            "passerelle SMS l'a refusé (sa commande s'est terminée avec le code 1). Vérifier et faire à la main.",
        ),
        (
            "en",
            "Message not delivered: request to a doctor for Dr A by SMS (request 001C, attempt(s): 2). Why: the SMS "
            "gateway refused it (its command ended with code 1). Check and do it by hand.",
        ),
    ],
)
def test_the_operator_reads_which_message_for_whom_how_and_why_in_words(tmp_path, language, expected) -> None:
    text = failed_afternoon(tmp_path / "cpts", language)
    assert text == expected
    for code in ("notify_member", "mg-a", "sms", "exit_1", "failed", "unknown"):
        assert code not in text


# every code a failure is recorded with (messaging.transports, delivery, the sender, domain.messages)
FAILURE_CODES = [
    "failed", "unknown", "render", "interrupted", "transport", "no_number", "no_address", "outbox_full",
    "outbox_denied", "outbox_error", "command_unparsable", "command_not_found", "command_not_executable",
    "command_failed", "timeout", "bad_address", "no_password", "auth", "recipient_refused",
    "starttls_unsupported", "tls", "disconnected", "smtp", "connection", "exit_1",
]  # fmt: skip


@pytest.mark.parametrize("code", FAILURE_CODES)
def test_every_failure_code_has_a_sentence_in_both_languages(code) -> None:
    english = failures.why(code)
    activate("fr")
    french = failures.why(code)
    assert english != code and french != code and french != english
    assert "_" not in english + french or code in ("no_password",)  # password_env: the key to set


def test_a_gateway_that_never_answered_is_said_so() -> None:
    activate("fr")
    assert (
        failures.why("unknown")
        == "pas de réponse de la passerelle : l'envoi a été interrompu, le message a peut-être été reçu"
    )
    assert failures.why("outbox_full") == "le disque est plein : le fichier de la boîte d'envoi n'a pas pu être écrit"
    assert failures.why("exit_-9") == "la passerelle SMS l'a refusé (sa commande s'est terminée avec le code -9)"
    assert failures.why("a_newer_code") == "a_newer_code"  # written by a newer snpctl: shown as it is


# -- overrides ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "language, expected",
    [
        ("fr", "RDV lundi 15 janvier 18h30, au cabinet du médecin (Dr B). Infos : 01 00 00 00 00"),
        ("en", "RDV Monday 15 January 18:30, at the doctor's practice (Dr B). Infos : 01 00 00 00 00"),
    ],
)
def test_an_override_is_used_as_written_whatever_the_language(tmp_path, language, expected) -> None:
    """The text is the coordinator's; the values it takes (a date, a place) are in the language spoken."""
    template = "RDV {date} {time}, {place} ({doctor}). Infos : {cot_phone}"
    desk = cpts(tmp_path / "cpts", templates=f"accepted_patient = {json.dumps(template)}\n")
    at(desk, "16:00", "intake --motif fievre --source cot --patient", "Léa B.", language=language)
    at(desk, "16:01", "notify 001C", language=language)
    at(desk, "16:10", "accept 001C --by mg-b --at 18:30", language=language)
    assert outbox(desk)["accepted_patient"] == [expected]
