"""Names as people type them: motives, members, sources, sites, outcomes, reasons and request ids.

A name is matched whatever its case, accents and separators (``fièvre`` is ``fievre``, ``GP-A`` is
``gp-a``), and the ledger and ``--json`` then hold the name as the configuration spells it, byte for
byte what they held when it was typed exactly. A name that matches none is refused with the closest
ones; a request id without its check letter, or with a wrong one, is refused with the ids it may
have meant, never taken for one of them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from snpctl import i18n, matching
from snpctl.errors import BadUsage

from conftest import Desk, Run, make_workspace

MOTIFS = [
    "fievre",
    "fievre_enfant",
    "toux",
    "angine",
    "otite",
    "conjonctivite",
    "cystite",
    "brulure",
    "plaie",
    "entorse",
    "lombalgie",
    "douleur_thoracique",
    "dyspnee",
    "renouvellement",
    "certificat",
    "vaccin",
]


@pytest.fixture(autouse=True)
def _english() -> None:
    """The unit tests read the English sentences, whatever a French command before them left active."""
    i18n.activate("en")


# -- the matching ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, meant",
    [
        ("fièvre", "fievre"),
        ("FIEVRE", "fievre"),
        ("Fièvre enfant", "fievre_enfant"),
        ("fievre-enfant", "fievre_enfant"),
        ("Brûlure", "brulure"),
        ("  toux ", "toux"),
    ],
)
def test_a_motive_is_found_whatever_its_case_accents_and_separators(typed: str, meant: str) -> None:
    assert matching.choose(typed, MOTIFS, "motif") == meant


def test_a_member_is_found_whatever_its_case() -> None:
    assert matching.choose("MG-Bernard", ["mg-martin", "mg-bernard"], "member") == "mg-bernard"


def test_two_choices_that_fold_alike_need_the_exact_spelling() -> None:
    assert matching.find("a_b", ["a-b", "a_b"]) == "a_b"
    assert matching.find("A-B", ["a-b", "a_b"]) is None


@pytest.mark.parametrize(
    "typed, closest",
    [
        ("fievr", ["fievre", "fievre_enfant"]),
        ("fiévre enfnt", ["fievre_enfant", "fievre"]),
        ("otitte", ["otite", "cystite"]),
        ("douleur", ["douleur_thoracique"]),
        ("xyz", []),
    ],
)
def test_the_closest_motives_come_first(typed: str, closest: list[str]) -> None:
    assert matching.closest(typed, MOTIFS) == closest


def test_at_most_three_are_offered() -> None:
    assert matching.closest("a", ["a1", "a2", "a3", "a4"]) == ["a1", "a2", "a3"]


def refused(typed: str, choices: list[str], what: str) -> str:
    with pytest.raises(BadUsage) as error:
        matching.choose(typed, choices, what)
    return error.value.message


def test_an_unknown_motive_is_refused_with_the_closest_ones() -> None:
    assert refused("fievr", MOTIFS, "motif") == "Unknown motif 'fievr'; did you mean: fievre, fievre_enfant?"


def test_nothing_close_among_few_lists_them_all() -> None:
    assert refused("xyz", ["cot", "web", "samu"], "source") == "Unknown source 'xyz'; use one of: cot, web, samu."


def test_nothing_close_among_many_says_where_they_are() -> None:
    assert refused("xyz", MOTIFS, "motif") == (
        "Unknown motif 'xyz'; see the motifs in protocols.toml (the key of each [[protocol]])."
    )


def test_a_piece_of_a_member_id_offers_that_member() -> None:
    assert refused("martin", ["gp-a", "mg-martin"], "member") == (
        "There is no member 'martin' in roster.toml; did you mean: mg-martin?"
    )


# -- the commands: accepted ----------------------------------------------------------------------

NOW = "2024-01-15T16:00"  # a Monday, Europe/Paris


def afternoon(desk: Desk, motif: str, source: str, doctor: str, by: str, site: str, outcome: str) -> list[str]:
    """One request from intake to outcome, with the names typed as given; the --json answers."""
    steps = [
        (("intake", "--motif", motif, "--source", source, "--treating-doctor", doctor), "16:00"),
        (("notify", "001C"), "16:01"),
        (("refuse", "001C", "--by", doctor, "--reason", "Busy"), "16:02"),
        (("accept", "001C", "--by", by, "--at", "17:00", "--site", site), "16:05"),
        (("outcome", "001C", outcome), "18:00"),
    ]
    answers = []
    for args, time in steps:
        run = desk(*args, "--json", now=f"2024-01-15T{time}")
        assert run.code == 0, (args, run.err)
        answers.append(run.out)
    return answers


def test_names_typed_loosely_write_the_same_ledger_and_json_as_exact_ones(tmp_path: Path) -> None:
    exact, loose = make_workspace(tmp_path / "exact"), make_workspace(tmp_path / "loose")
    typed_exactly = afternoon(exact, "fievre", "cot", "gp-a", "gp-cami", "cami", "seen")
    typed_loosely = afternoon(loose, "Fièvre", "COT", "GP-A", "Gp-Cami", "CAMI", "Seen")
    assert typed_loosely == typed_exactly
    assert loose.ledger_bytes() == exact.ledger_bytes()


def test_no_show_is_found_written_either_way(desk: Desk) -> None:
    for args, time in [
        (("intake", "--motif", "fievre", "--source", "cot"), "16:00"),
        (("book", "001C", "--by", "gp-b", "--at", "16:30"), "16:05"),
        (("outcome", "001C", "No-Show", "--json"), "17:00"),
    ]:
        run = desk(*args, now=f"2024-01-15T{time}")
        assert run.code == 0, run.err
    assert desk.events()[-1]["outcome"] == "no_show"


# -- the commands: refused ------------------------------------------------------------------------


def refused_run(desk: Desk, *args: str, code: int = 2, **env: str) -> str:
    before = desk.ledger_bytes()
    run = desk(*args, now=NOW, **env)
    assert run.code == code, run.err
    assert desk.ledger_bytes() == before
    assert run.out == ""
    return run.err


def test_intake_refuses_an_unknown_motive_with_the_closest(desk: Desk) -> None:
    err = refused_run(desk, "intake", "--motif", "fievr", "--source", "cot")
    assert err == "snpctl: Unknown motif 'fievr'; did you mean: fievre?\n"


def test_intake_refuses_an_unknown_source_listing_the_five(desk: Desk) -> None:
    err = refused_run(desk, "intake", "--motif", "fievre", "--source", "telephone")
    assert err == "snpctl: Unknown source 'telephone'; use one of: cot, web, samu, hospital, office.\n"


def test_intake_refuses_an_unknown_treating_doctor_with_the_closest(desk: Desk) -> None:
    err = refused_run(desk, "intake", "--motif", "fievre", "--source", "cot", "--treating-doctor", "gp-z")
    assert err == (
        "snpctl: --treating-doctor 'gp-z' is not a member id of roster.toml, nor none, unknown or external; "
        "did you mean: gp-b, gp-a, gp-off?\n"
    )


def opened(desk: Desk, count: int = 1) -> None:
    for _ in range(count):
        assert desk("intake", "--motif", "fievre", "--source", "cot", now=NOW).code == 0


def test_accept_refuses_an_unknown_member_with_the_closest(desk: Desk) -> None:
    opened(desk)
    assert desk("notify", "001C", now=NOW).code == 0
    err = refused_run(desk, "accept", "001C", "--by", "cami", "--at", "17:00", code=1)
    assert err == "snpctl: There is no member 'cami' in roster.toml; did you mean: gp-cami?\n"


def test_accept_refuses_an_unknown_site_with_the_closest(desk: Desk) -> None:
    opened(desk)
    assert desk("notify", "001C", now=NOW).code == 0
    err = refused_run(desk, "accept", "001C", "--by", "gp-b", "--at", "17:00", "--site", "camii")
    assert err == "snpctl: There is no site 'camii'; did you mean: cami?\n"


def test_refuse_refuses_an_unknown_reason(desk: Desk) -> None:
    opened(desk)
    assert desk("notify", "001C", now=NOW).code == 0
    err = refused_run(desk, "refuse", "001C", "--by", "gp-b", "--reason", "tired")
    assert err == "snpctl: Unknown reason 'tired'; use one of: busy, away, out_of_scope, other.\n"


def test_outcome_refuses_an_unknown_outcome_with_the_closest(desk: Desk) -> None:
    opened(desk)
    err = refused_run(desk, "outcome", "001C", "seeen")
    assert err == "snpctl: Unknown outcome 'seeen'; did you mean: seen?\n"


def test_an_unknown_motive_in_french(desk: Desk) -> None:
    err = refused_run(desk, "intake", "--motif", "fievr", "--source", "cot", SNPCTL_LANG="fr")
    assert err == "snpctl: Motif 'fievr' inconnu ; vouliez-vous dire : fievre ?\n"


def test_an_unknown_member_in_french(desk: Desk) -> None:
    opened(desk)
    err = refused_run(desk, "book", "001C", "--by", "GP-Z", "--at", "16:30", code=1, SNPCTL_LANG="fr")
    assert err == "snpctl: Aucun membre 'GP-Z' dans roster.toml ; vouliez-vous dire : gp-b, gp-a, gp-off ?\n"


# -- request ids ----------------------------------------------------------------------------------


def notify(desk: Desk, typed: str, **env: str) -> Run:
    before = desk.ledger_bytes()
    run = desk("notify", typed, now=NOW, **env)
    assert desk.ledger_bytes() == before, "a refused id wrote to the ledger"
    return run


@pytest.mark.parametrize("typed", ["010", "10", "010Y", "010A", "0-10"])
def test_an_id_without_its_check_letter_or_with_a_wrong_one_is_refused_with_the_id_it_may_mean(
    desk: Desk, typed: str
) -> None:
    opened(desk, 10)
    run = notify(desk, typed)
    assert (run.code, run.err) == (
        1,
        f"snpctl: There is no request {typed}; did you mean 010X? Read the id again, with its check letter.\n",
    )


def test_a_wrong_digit_offers_the_ids_one_slip_away_with_that_letter(desk: Desk) -> None:
    opened(desk, 11)
    run = notify(desk, "001X")  # 001C, or 010X with two digits swapped
    assert (
        run.err
        == "snpctl: There is no request 001X; did you mean 001C, 010X? Read the id again, with its check letter.\n"
    )


def test_an_id_beyond_the_last_request_offers_none(desk: Desk) -> None:
    opened(desk)
    run = notify(desk, "999")
    assert (run.code, run.err) == (
        1,
        "snpctl: There is no request 999; check the id (`snpctl list --all` shows every request).\n",
    )


def test_the_check_letter_is_read_in_either_case(desk: Desk) -> None:
    opened(desk)
    assert desk("notify", "001c", "--json", now=NOW).json["request"] == "001C"


def test_an_id_without_its_check_letter_in_french(desk: Desk) -> None:
    opened(desk, 10)
    run = notify(desk, "010", SNPCTL_LANG="fr")
    assert run.err == (
        "snpctl: La demande 010 n'existe pas ; vouliez-vous dire 010X ? Relisez le numéro avec sa lettre de contrôle.\n"
    )


def test_a_member_status_in_roster_toml_is_read_whatever_its_case(tmp_path: Path) -> None:
    from snpctl.config.load import load_config

    from conftest import PROTOCOLS, ROSTER

    desk = make_workspace(
        tmp_path / "cpts", PROTOCOLS, ROSTER.replace('status = "remplacant"', 'status = "Remplaçant"')
    )
    assert load_config(desk.home).members["gp-cami"].status == "remplacant"
