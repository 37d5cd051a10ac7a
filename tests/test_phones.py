"""Phone numbers as people type them: French by default, international accepted, stored and texted in E.164.

A number that cannot be texted is refused where it is typed (``intake --phone``, exit 2, nothing
written) or read (``roster.toml``'s ``sms``, a configuration error), with an example of what works.
"""

from __future__ import annotations

import json
import marshal
from datetime import UTC, datetime
from pathlib import Path

import pytest
from snpctl import i18n, phones
from snpctl.config.load import load_config
from snpctl.domain.state import Message, State
from snpctl.errors import BadUsage
from snpctl.messaging.render import render

from conftest import PROTOCOLS, ROSTER, Desk, Run, make_workspace


@pytest.fixture(autouse=True)
def _english() -> None:
    """The unit tests read the English sentences, whatever a French command before them left active."""
    i18n.activate("en")


# -- the reading --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("06 12 34 56 78", "+33612345678"),
        ("+33 (0)6 12 34 56 78", "+33612345678"),
        ("06.12.34.56.78", "+33612345678"),
        ("0612345678", "+33612345678"),
        ("06-12-34-56-78", "+33612345678"),
        ("0033 6 12 34 56 78", "+33612345678"),
        ("+33612345678", "+33612345678"),
        ("01 00 00 00 00", "+33100000000"),
        ("+32 470 12 34 56", "+32470123456"),
    ],
)
def test_a_number_typed_the_usual_ways_is_kept_in_e164(typed: str, stored: str) -> None:
    assert phones.parse(typed) == stored


EXAMPLE = "type it as 06 12 34 56 78, or +32 470 12 34 56 for a number abroad."


@pytest.mark.parametrize(
    "typed, why",
    [
        ("06 12", "it is too short"),
        ("06 12 34 56 78 06 98 76 54 32", "it has too many digits: two numbers run together?"),
        ("0612345678 0698765432", "it has too many digits: two numbers run together?"),
        ("06 12 34 56 789", "it has too many digits: two numbers run together?"),
        ("Mme Bernard", "it holds letters"),
        ("06 12 34 56 7a", "it holds letters"),
        ("07 22 33 44 55", "no such number exists"),
    ],
)
def test_a_number_that_cannot_be_texted_is_refused_with_an_example(typed: str, why: str) -> None:
    with pytest.raises(BadUsage) as refused:
        phones.parse(typed)
    assert refused.value.message == f"{typed!r} is not a valid phone number ({why}); {EXAMPLE}"
    assert refused.value.exit_code == 2


def test_a_stored_number_is_shown_as_people_write_it() -> None:
    assert phones.shown("+33612345678") == "06 12 34 56 78"
    assert phones.shown("+32470123456") == "+32 470 12 34 56"
    assert phones.shown("06 12") == "06 12"  # no number: as it was typed


# -- intake --phone -------------------------------------------------------------------------------

NOW = "2024-01-15T16:00"


def intake(desk: Desk, phone: str, *more: str, **env: str) -> Run:
    return desk(
        "intake", "--motif", "fievre", "--source", "cot", "--patient", "Léa B.", "--phone", phone, *more, now=NOW, **env
    )


def test_intake_keeps_the_patients_number_in_e164_in_the_private_store(desk: Desk) -> None:
    run = intake(desk, "06 11 22 33 44", "--json")
    assert run.code == 0, run.err
    record = json.loads((desk.home / "private" / "requests" / "001C.json").read_text(encoding="utf-8"))
    assert record["phone"] == "+33611223344"


def test_the_ledger_is_the_same_however_the_number_was_typed(desk: Desk, tmp_path: Path) -> None:
    """The number goes to private/, never to the ledger: its line and the --json answer are those of before."""
    other = make_workspace(tmp_path / "other")
    typed, plain = intake(desk, "06 11 22 33 44", "--json"), intake(other, "+33611223344", "--json")
    assert (typed.code, typed.out) == (plain.code, plain.out) == (0, '{"request": "001C", "status": "open"}\n')
    assert desk.ledger_bytes() == other.ledger_bytes()
    assert b"611223344" not in desk.ledger_bytes() and b"11 22 33 44" not in desk.ledger_bytes()


@pytest.mark.parametrize("typed", ["06 12", "06 12 34 56 78 06 98 76 54 32", "zero six douze"])
def test_intake_refuses_a_number_that_cannot_be_texted_and_writes_nothing(desk: Desk, typed: str) -> None:
    run = intake(desk, typed)
    assert run.code == 2
    assert run.err.startswith(f"snpctl: {typed!r} is not a valid phone number (")
    assert run.err.endswith(f"; {EXAMPLE}\n")
    assert desk.ledger_bytes() == b""
    assert not (desk.home / "private").exists()


def test_intake_says_in_french_why_a_number_is_refused(desk: Desk) -> None:
    run = intake(desk, "06 12", SNPCTL_LANG="fr")
    assert (run.code, run.err) == (
        2,
        "snpctl: '06 12' n'est pas un numéro de téléphone valable (il est trop court) ; tapez-le comme "
        "06 12 34 56 78, ou +32 470 12 34 56 pour un numéro à l'étranger.\n",
    )


# -- roster.toml's sms -----------------------------------------------------------------------------


def with_sms(number: str) -> str:
    return ROSTER.replace('id = "gp-a"\n', f'id = "gp-a"\nsms = "{number}"\n', 1)


def test_a_members_number_is_kept_in_e164(tmp_path: Path) -> None:
    desk = make_workspace(tmp_path / "cpts", PROTOCOLS, with_sms("06 00 00 00 01"))
    assert load_config(desk.home).members["gp-a"].sms == "+33600000001"


@pytest.mark.parametrize("number", ["06 00 00", "06 00 00 00 01 06 00 00 00 02"])
def test_a_members_number_that_cannot_be_texted_is_a_configuration_error(tmp_path: Path, number: str) -> None:
    desk = make_workspace(tmp_path / "cpts", PROTOCOLS, with_sms(number))
    run = desk("check")
    assert run.code == 2
    assert "roster.toml:9:7: sms: " in run.err  # the line of gp-a's sms, quoted under the sentence
    assert f"{number!r} is not a valid phone number (" in run.err and EXAMPLE in run.err


def test_the_operators_number_is_checked_too(tmp_path: Path) -> None:
    protocols = PROTOCOLS + '\n[messaging]\noperator_sms = "01 00"\n'
    desk = make_workspace(tmp_path / "cpts", protocols, ROSTER)
    run = desk("check")
    assert run.code == 2 and "operator_sms" in run.err and "'01 00' is not a valid phone number" in run.err


# -- a number read back from a record written before the checks -------------------------------------


def texted_to(tmp_path: Path, phone: str) -> str | None:
    """Where the patient's SMS of request 001C goes, its private record holding ``phone`` as typed long ago."""
    desk = make_workspace(tmp_path / "cpts")
    assert desk("intake", "--motif", "fievre", "--source", "cot", now=NOW).code == 0
    from snpctl.store.ledger import Ledger

    state: State = Ledger(desk.home).full_state()[0]
    at = datetime(2024, 1, 15, 15, tzinfo=UTC)
    message = Message(
        id=1, request="001C", template="expired_patient", recipient="patient", channel="sms", queued_at=at
    )
    return render(load_config(desk.home), state, message, {"name": "Léa", "phone": phone}).to


def test_an_old_record_in_the_national_form_is_texted_in_e164(tmp_path: Path) -> None:
    assert texted_to(tmp_path, "06 11 22 33 44") == "+33611223344"


def test_an_old_record_that_is_no_number_is_texted_to_nobody(tmp_path: Path) -> None:
    """Once texted to +33612 by the hand-written normaliser; now nobody: the message fails as no_number, reported."""
    assert texted_to(tmp_path, "06 12") is None


# -- the roster's numbers, remembered ----------------------------------------------------------------


def remembered(desk: Desk) -> dict[str, str]:
    from snpctl import derived

    content = derived.unseal((desk.home / ".snpctl" / "phones.checked").read_bytes())
    assert content is not None
    return marshal.loads(content)[1]


def test_the_roster_numbers_found_valid_are_remembered_never_a_patients(tmp_path: Path) -> None:
    """Every command reads the roster: the next one reads its numbers back without loading libphonenumber."""
    desk = make_workspace(tmp_path / "cpts", PROTOCOLS, with_sms("06 00 00 00 01"))
    assert intake(desk, "06 11 22 33 44").code == 0  # a writing command: .snpctl/ exists from now on
    assert desk("list").code == 0
    assert remembered(desk) == {"06 00 00 00 01": "+33600000001"}


def test_a_remembered_file_edited_by_hand_is_not_believed(tmp_path: Path) -> None:
    """The file is sealed like the other derived files: one written by hand is read as nothing."""
    desk = make_workspace(tmp_path / "cpts", PROTOCOLS, with_sms("06 00 00"))
    (desk.home / ".snpctl").mkdir(mode=0o700)
    (desk.home / ".snpctl" / "phones.checked").write_bytes(marshal.dumps((1, {"06 00 00": "+33600000001"})))
    assert desk("check").code == 2
