"""Configuration errors a coordinator can fix: the file, the line and the column, the line quoted with a
caret under the column, and what to do, in French (golden outputs).

Each test writes a small roster.toml (or protocols.toml) inline, as a coordinator would have typed it,
runs `snpctl check` with SNPCTL_LANG=fr and compares stderr exactly: three lines at most (contract
section 10), exit 2, nothing on stdout. A UTF-8 BOM (Notepad) and CRLF line ends are no error at all.
"""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from conftest import PROTOCOLS as ALL_PROTOCOLS
from conftest import Desk, Run, make_workspace

# one GP in the roster below: its dental protocol asks the GPs too, or `check` says a request would reach nobody
PROTOCOLS = ALL_PROTOCOLS.replace('profession = "dentiste"', 'profession = "generaliste"')

MEMBER = """\
[[member]]
id = "mg-martin"
name = "Dr Martin"
profession = "generaliste"
status = "titulaire"
"""


def check(tmp_path: Path, roster: str = MEMBER, protocols: str = PROTOCOLS, language: str = "fr") -> Run:
    desk = make_workspace(tmp_path / "cpts", protocols, roster)
    return desk("check", SNPCTL_LANG=language)


def fails(run: Run, *lines: str) -> None:
    """``run`` failed with exit 2 and exactly ``lines`` on stderr."""
    assert (run.code, run.out, run.err) == (2, "", "".join(f"{line}\n" for line in lines)), run.err


# -- TOML syntax: a hint for each common mistake -------------------------------------------------


def test_a_missing_closing_quote(tmp_path: Path) -> None:
    run = check(tmp_path, MEMBER.replace('name = "Dr Martin"', 'name = "Dr Martin'))
    fails(
        run,
        'snpctl: roster.toml:3:18: il manque le guillemet fermant " à la fin du texte ; ajoutez-le.',
        '  3 | name = "Dr Martin',
        "    |                  ^",
    )


def test_a_missing_closing_apostrophe_after_accents_keeps_the_caret_in_place(tmp_path: Path) -> None:
    run = check(tmp_path, MEMBER.replace('name = "Dr Martin"', "name = 'Dr Hélène Müller"))
    fails(
        run,
        "snpctl: roster.toml:3:25: il manque l'apostrophe fermante ' à la fin du texte ; ajoutez-la.",
        "  3 | name = 'Dr Hélène Müller",
        "    |                         ^",
    )


def test_a_missing_quote_inside_a_list(tmp_path: Path) -> None:
    roster = '[[site]]\nkey = "cami"\nlabel = "CAMI"\nhours = ["mon-fri 15:30-19:30, "sat 09:00-12:00"]\n'
    fails(
        check(tmp_path, roster),
        'snpctl: roster.toml:4:33: il manque un guillemet " sur cette ligne : chaque texte commence et finit par ".',
        '  4 | hours = ["mon-fri 15:30-19:30, "sat 09:00-12:00"]',
        "    |                                 ^",
    )


@pytest.mark.parametrize("typed, right", [("True", "true"), ("False", "false"), ("oui", "true"), ("FAUX", "false")])
def test_true_and_false_in_lowercase(tmp_path: Path, typed: str, right: str) -> None:
    run = check(tmp_path, MEMBER + f"registered = {typed}\n")
    fails(
        run,
        f"snpctl: roster.toml:6:14: écrivez {right}, en minuscules et sans guillemets : le fichier ne connaît que "
        "true (vrai) et false (faux).",
        f"  6 | registered = {typed}",
        "    |              ^",
    )


def test_true_between_quotes(tmp_path: Path) -> None:
    fails(
        check(tmp_path, MEMBER + 'registered = "oui"\n'),
        "snpctl: roster.toml:6:14: registered: devrait être true ou false, sans guillemets, trouvé 'oui'.",
        '  6 | registered = "oui"',
        "    |              ^",
    )


@pytest.mark.parametrize("opening, closing", [("“", "”"), ("‘", "’"), ("«", "»")])  # noqa: RUF001 - the very quotes Word types
def test_curly_quotes_pasted_from_word(tmp_path: Path, opening: str, closing: str) -> None:
    run = check(tmp_path, MEMBER.replace('"titulaire"', f"{opening}titulaire{closing}"))
    fails(
        run,
        f"snpctl: roster.toml:5:10: le guillemet {opening} vient d'un copier-coller depuis Word ou un mail et n'est "
        'pas compris ; tapez des guillemets droits " " à la place.',
        f"  5 | status = {opening}titulaire{closing}",
        "    |          ^",
    )


def test_curly_quotes_inside_a_text_are_fine(tmp_path: Path) -> None:
    run = check(tmp_path, MEMBER.replace('name = "Dr Martin"', 'name = "Dr “Jo” Martin"'))
    assert (run.code, run.err) == (0, "")


def test_a_missing_member_line(tmp_path: Path) -> None:
    """The second member's [[member]] line was deleted: tomllib says "Cannot overwrite a value"."""
    second = MEMBER.replace("[[member]]\n", "").replace("mg-martin", "mg-dupont").replace("Martin", "Dupont")
    run = check(tmp_path, MEMBER + "\n# le remplaçant du jeudi\n" + second)
    fails(
        run,
        "snpctl: roster.toml:8:1: la clé id est déjà donnée ligne 2 pour ce [[member]] : il manque sans doute une "
        "ligne [[member]] au-dessus de la ligne 7.",
        '  8 | id = "mg-dupont"',
        "    | ^",
    )


def test_a_key_given_twice_outside_a_list_of_tables(tmp_path: Path) -> None:
    run = check(
        tmp_path, protocols=PROTOCOLS.replace('total_window = "2h"', 'total_window = "2h"\ntotal_window = "3h"')
    )
    fails(
        run,
        "snpctl: protocols.toml:6:1: la clé total_window est déjà donnée ligne 5 ; n'en gardez qu'une.",
        '  6 | total_window = "3h"',
        "    | ^",
    )


@pytest.mark.parametrize(
    "typed, right, column",
    [("prénom", "prenom", 3), ("numéro sms", "numero_sms", 4), ("code postal", "code_postal", 6)],
)
def test_accents_or_spaces_in_a_key(tmp_path: Path, typed: str, right: str, column: int) -> None:
    run = check(tmp_path, MEMBER + f'{typed} = "x"\n')
    fails(
        run,
        f"snpctl: roster.toml:6:{column}: un nom de clé s'écrit sans accent ni espace (lettres, chiffres, - et _) : "
        f"{right} et non {typed}.",
        f'  6 | {typed} = "x"',
        "    | " + " " * (column - 1) + "^",
    )


def test_a_tab_pasted_from_a_spreadsheet(tmp_path: Path) -> None:
    run = check(tmp_path, MEMBER + 'site\t"cabinet"\n')
    fails(
        run,
        "snpctl: roster.toml:6:6: cette ligne contient une tabulation (copiée d'un tableur ?) ; écrivez "
        'clé = "valeur", avec des espaces et un signe =.',
        '  6 | site    "cabinet"',  # the tab shown as the editor shows it
        "    |         ^",
    )


def test_tabs_are_fine_where_toml_allows_them(tmp_path: Path) -> None:
    run = check(tmp_path, MEMBER.replace('status = "titulaire"', 'status\t=\t"titulaire"'))
    assert (run.code, run.err) == (0, "")


def test_a_word_without_quotes(tmp_path: Path) -> None:
    fails(
        check(tmp_path, MEMBER + "site = cabinet\n"),
        'snpctl: roster.toml:6:8: un texte s\'écrit entre guillemets droits : "cabinet".',
        "  6 | site = cabinet",
        "    |        ^",
    )


def test_an_apostrophe_inside_a_text_between_apostrophes(tmp_path: Path) -> None:
    run = check(tmp_path, MEMBER.replace('name = "Dr Martin"', "name = 'Dr L'Hôte'"))
    fails(
        run,
        "snpctl: roster.toml:3:13: l'apostrophe termine le texte commencé par ' ; écrivez ce texte entre guillemets "
        'droits " ".',
        "  3 | name = 'Dr L'Hôte'",
        "    |             ^",
    )


def test_a_list_never_closed(tmp_path: Path) -> None:
    roster = '[[site]]\nkey = "cami"\nlabel = "CAMI"\nhours = ["mon-fri 15:30-19:30"\n\n' + MEMBER
    fails(
        check(tmp_path, roster),
        "snpctl: roster.toml:4:9: la liste ouverte ici par [ n'est jamais fermée ; ajoutez ] après sa dernière valeur.",
        '  4 | hours = ["mon-fri 15:30-19:30"',
        "    |         ^",
    )


def test_a_section_name_not_closed(tmp_path: Path) -> None:
    fails(
        check(tmp_path, MEMBER.replace("[[member]]", "[[member]")),
        "snpctl: roster.toml:1:9: il manque le ]] qui ferme le nom de la section ; ajoutez-le.",
        "  1 | [[member]",
        "    |         ^",
    )


def test_a_mistake_with_no_hint_still_says_where_in_french(tmp_path: Path) -> None:
    fails(
        check(tmp_path, MEMBER + "registered = true false\n"),
        "snpctl: roster.toml:6:19: une seule valeur par ligne : ce qui la suit doit être un commentaire, commençant "
        "par #.",
        "  6 | registered = true false",
        "    |                   ^",
    )


def test_the_same_mistake_in_english(tmp_path: Path) -> None:
    run = check(tmp_path, MEMBER + "registered = True\n", language="en")
    fails(
        run,
        "snpctl: roster.toml:6:14: write true, in lowercase and without quotes: TOML knows only true and false.",
        "  6 | registered = True",
        "    |              ^",
    )


def test_a_file_not_saved_as_utf8_names_its_line(tmp_path: Path) -> None:
    desk = make_workspace(tmp_path / "cpts", PROTOCOLS, MEMBER)
    (desk.home / "roster.toml").write_bytes(MEMBER.replace("Martin", "Hélène").encode("latin-1"))
    run = desk("check", SNPCTL_LANG="fr")
    fails(
        run,
        "snpctl: roster.toml:3: ce n'est pas du texte UTF-8 (un accent enregistré par un ancien éditeur ?) ; "
        "enregistrez le fichier en UTF-8.",
    )


# -- a BOM and CRLF line ends: accepted silently -------------------------------------------------


def test_a_bom_and_crlf_line_ends_are_accepted(tmp_path: Path) -> None:
    desk = make_workspace(tmp_path / "cpts", PROTOCOLS, MEMBER)
    for name in ("protocols.toml", "roster.toml"):
        path = desk.home / name
        path.write_bytes(b"\xef\xbb\xbf" + path.read_text(encoding="utf-8").replace("\n", "\r\n").encode())
    run = desk("check", SNPCTL_LANG="fr")
    assert (run.code, run.out, run.err) == (0, "", "")


def test_a_mistake_in_a_file_with_a_bom_and_crlf_is_at_its_line(tmp_path: Path) -> None:
    desk = make_workspace(tmp_path / "cpts", PROTOCOLS, MEMBER)
    text = MEMBER.replace('"titulaire"', "titulaire").replace("\n", "\r\n")
    (desk.home / "roster.toml").write_bytes(b"\xef\xbb\xbf" + text.encode())
    fails(
        desk("check", SNPCTL_LANG="fr"),
        'snpctl: roster.toml:5:10: un texte s\'écrit entre guillemets droits : "titulaire".',
        "  5 | status = titulaire",
        "    |          ^",
    )


def test_the_parsed_copy_of_a_file_with_a_bom_is_used_and_an_edit_is_seen(tmp_path: Path) -> None:
    desk = make_workspace(tmp_path / "cpts", PROTOCOLS, MEMBER)
    (desk.home / ".snpctl").mkdir()
    roster = desk.home / "roster.toml"
    roster.write_bytes(b"\xef\xbb\xbf" + MEMBER.encode())
    assert desk("check").code == 0
    assert (desk.home / ".snpctl" / "roster.toml.parsed").exists()
    assert desk("check").code == 0  # from the kept parse
    roster.write_bytes(b"\xef\xbb\xbf" + MEMBER.replace('"titulaire"', '"titulair"').encode())  # one byte less
    run = desk("check", SNPCTL_LANG="fr")
    assert run.code == 2 and run.err.startswith("snpctl: roster.toml:5:10: status: 'titulair' n'est pas"), run.err


# -- rule errors: at the line of the key, else of its table, else the file -----------------------


def test_a_wrong_value_is_shown_at_its_line_in_the_nth_member(tmp_path: Path) -> None:
    second = MEMBER.replace("mg-martin", "mg-dupont").replace('"titulaire"', '"remplaçante"')
    run = check(tmp_path, MEMBER + "\n" + second)
    fails(
        run,
        "snpctl: roster.toml:11:10: status: 'remplaçante' n'est pas l'une des valeurs possibles : titulaire, "
        "remplacant, adjoint, assistant, interne, retraite.",
        '  11 | status = "remplaçante"',
        "     |          ^",
    )


def test_a_missing_key_is_shown_at_the_line_of_its_table(tmp_path: Path) -> None:
    run = check(tmp_path, MEMBER + "\n" + MEMBER.replace('name = "Dr Martin"\n', "").replace("martin", "dupont"))
    fails(
        run,
        "snpctl: roster.toml:7:1: il manque la clé 'name' ; ajoutez-la.",
        "  7 | [[member]]",
        "    | ^",
    )


def test_an_unknown_key_is_shown_under_the_key(tmp_path: Path) -> None:
    run = check(tmp_path, MEMBER + "regsitered = false\n")
    fails(
        run,
        "snpctl: roster.toml:6:1: clé inconnue 'regsitered' : vouliez-vous dire 'registered' ? Corrigez l'orthographe.",
        "  6 | regsitered = false",
        "    | ^",
    )


def test_a_value_in_a_nested_table_is_shown_at_its_line(tmp_path: Path) -> None:
    protocols = PROTOCOLS + '\n[messaging]\nreminder_before = "une heure"\n'
    fails(
        check(tmp_path, protocols=protocols),
        "snpctl: protocols.toml:34:19: reminder_before: 'une heure' n'est pas une durée ; écrivez-la comme 10 min, "
        "1h30, 2 j ou 3 mois.",
        '  34 | reminder_before = "une heure"',
        "     |                   ^",
    )


def test_a_key_is_found_past_multi_line_lists_and_texts(tmp_path: Path) -> None:
    """What looks like a header or a key inside a multi-line text or list is no header nor key."""
    protocols = PROTOCOLS + dedent('''
        [messaging]
        retry = [
            "1m",  # [[protocol]]
            "5m",
        ]

        [messaging.templates]
        reminder_patient = """Rappel : rendez-vous à {time}.
        timeout_seconds = 1
        [messaging.mail]"""

        [messaging.mail]
        host = "smtp.example"
        sender = "cot@cpts.example"
        timeout_seconds = 900
        ''')
    fails(
        check(tmp_path, protocols=protocols),
        "snpctl: protocols.toml:47:19: timeout_seconds: doit être entre 1 et 300 secondes, trouvé 900.",
        "  47 | timeout_seconds = 900",
        "     |                   ^",
    )


def test_a_problem_of_the_whole_file_names_the_file_alone(tmp_path: Path) -> None:
    protocols = PROTOCOLS.split("[[protocol]]")[0]
    fails(
        check(tmp_path, protocols=protocols),
        "snpctl: protocols.toml: aucun [[protocol]] n'est défini ; ajoutez-en au moins un.",
    )


# -- the language key ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_language_key_takes_fr_or_en(tmp_path: Path, language: str) -> None:
    desk = make_workspace(tmp_path / "cpts", f'language = "{language}"\n' + PROTOCOLS, MEMBER)
    assert desk("check").code == 0
    from snpctl.store.workspace import Workspace

    assert Workspace(desk.home).config.language == language


def test_no_language_key_is_none(desk: Desk) -> None:
    from snpctl.store.workspace import Workspace

    assert Workspace(desk.home).config.language is None


def test_another_language_is_a_rule_error_naming_the_two(tmp_path: Path) -> None:
    fails(
        check(tmp_path, protocols='language = "français"\n' + PROTOCOLS),
        "snpctl: protocols.toml:1:12: language: 'français' n'est pas une langue de snpctl ; écrivez \"fr\" "
        '(français) ou "en" (anglais).',
        '  1 | language = "français"',
        "    |            ^",
    )


def test_the_shipped_example_speaks_french(tmp_path: Path) -> None:
    from conftest import REPO

    assert (REPO / "protocols.toml").read_bytes() == (REPO / "snpctl" / "defaults" / "protocols.toml").read_bytes()
    assert (REPO / "roster.toml").read_bytes() == (REPO / "snpctl" / "defaults" / "roster.toml").read_bytes()
    assert (REPO / "protocols.toml").read_text(encoding="utf-8").count('\nlanguage = "fr"') == 1
