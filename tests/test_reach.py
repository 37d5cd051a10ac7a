"""Who can be reached: `check` (and every command a person runs) refuses a configuration under which a
request would reach nobody, warns of one where somebody is surely forgotten, and `notify` never leaves a
patient waiting on a doctor nobody can text nor on nobody at all.

Errors (exit 2, the line quoted): an empty roster, no member both active and registered, a protocol whose
profession no active registered member has, an `sms` or an `mssante` that cannot be used, a mail port out
of range. Warnings (stderr, one line each, exit 0): a registered member whose profession no protocol asks
for, a site no active member works at. `tick`, run by cron every minute, neither stops nor warns.
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import PROTOCOLS, ROSTER, Desk, Run, make_workspace

NOW = "2024-01-15T16:00:00+01:00"  # a Monday afternoon


def check(tmp_path: Path, roster: str = ROSTER, protocols: str = PROTOCOLS, **env: str) -> Run:
    return make_workspace(tmp_path / "cpts", protocols, roster)("check", **env)


def fails(run: Run, *lines: str) -> None:
    """``run`` failed with exit 2 and exactly ``lines`` on stderr, nothing on stdout."""
    assert (run.code, run.out, run.err) == (2, "", "".join(f"{line}\n" for line in lines)), run.err


def warns(run: Run, *lines: str) -> None:
    """``run`` passed (exit 0, nothing on stdout) with exactly ``lines`` on stderr."""
    assert (run.code, run.out, run.err) == (0, "", "".join(f"{line}\n" for line in lines)), run.err


ONE_GP = """\
[[member]]
id = "gp-a"
name = "Dr A"
profession = "generaliste"
status = "titulaire"
"""

GP_ONLY = PROTOCOLS.replace('profession = "dentiste"', 'profession = "generaliste"')


def test_check_is_silent_when_everyone_can_be_reached(tmp_path: Path) -> None:
    assert check(tmp_path) == Run(0, "", "")


# -- errors: a request would reach nobody -------------------------------------------------------


def test_a_protocol_for_a_profession_nobody_has_is_an_error(tmp_path: Path) -> None:
    protocols = PROTOCOLS.replace('profession = "dentiste"', 'profession = "kine"')
    fails(
        check(tmp_path, protocols=protocols),
        "snpctl: protocols.toml:19:14: profession: 'kine': no active, registered member of roster.toml has this "
        "profession, so a request for 'dent' would reach nobody; add a member with profession = 'kine' to "
        "roster.toml, or use one the roster has: dentiste, generaliste.",
        '  19 | profession = "kine"',
        "     |              ^",
    )


def test_a_protocol_whose_only_member_is_inactive_is_an_error_with_the_closest_profession(tmp_path: Path) -> None:
    roster = ROSTER.replace(
        'profession = "dentiste"\nstatus = "titulaire"', 'profession = "dentiste"\nstatus = "titulaire"\nactive = false'
    )
    protocols = PROTOCOLS.replace('profession = "dentiste"', 'profession = "generalistes"')
    fails(
        check(tmp_path, roster, protocols),
        "snpctl: protocols.toml:19:14: profession: 'generalistes': no active, registered member of roster.toml "
        "has this profession, so a request for 'dent' would reach nobody; did you mean 'generaliste'? Correct "
        "it, or add a member with profession = 'generalistes' to roster.toml.",
        '  19 | profession = "generalistes"',
        "     |              ^",
    )


def test_a_protocol_asking_the_default_profession_with_no_gp_is_an_error_at_its_header(tmp_path: Path) -> None:
    dentist = ROSTER[ROSTER.index('[[member]]\nid = "dent-a"') :]
    fails(
        check(tmp_path, dentist),
        "snpctl: protocols.toml:8:1: 'generaliste': no active, registered member of roster.toml has this "
        "profession, so a request for 'fievre' would reach nobody; add a member with profession = "
        "'generaliste' to roster.toml, or use one the roster has: dentiste.",
        "  8 | [[protocol]]",
        "    | ^",
    )


def test_an_empty_roster_is_an_error(tmp_path: Path) -> None:
    fails(
        check(tmp_path, "# nobody yet\n", GP_ONLY),
        "snpctl: roster.toml: no [[member]] is written, so every request would reach nobody; add the members "
        "who take requests (id, name, profession, status), then run `snpctl check`.",
    )


def test_a_roster_with_nobody_active_and_registered_is_an_error(tmp_path: Path) -> None:
    fails(
        check(tmp_path, ONE_GP + "registered = false\n", GP_ONLY),
        "snpctl: roster.toml: no member is both active and registered, so every request would reach nobody; "
        "set active = true and registered = true for the members who take requests.",
    )


def test_an_empty_roster_is_an_error_in_french(tmp_path: Path) -> None:
    fails(
        check(tmp_path, "", GP_ONLY, SNPCTL_LANG="fr"),
        "snpctl: roster.toml: aucun [[member]] n'est écrit, donc toute demande resterait sans personne à "
        "solliciter ; ajoutez les membres qui prennent les demandes (id, name, profession, status), puis "
        "lancez `snpctl check`.",
    )


def test_a_reachability_error_stops_every_command_a_person_runs(tmp_path: Path) -> None:
    desk = make_workspace(tmp_path / "cpts", GP_ONLY, ONE_GP + "active = false\n")
    run = desk("intake", "--motif", "fievre", "--source", "cot", now=NOW)
    assert run.code == 2 and "no member is both active and registered" in run.err
    assert desk.ledger_bytes() == b""


def test_tick_is_not_stopped_by_a_reachability_error(tmp_path: Path) -> None:
    """Stopping cron's tick would leave the requests already open without their expiry and its messages."""
    desk = make_workspace(tmp_path / "cpts", GP_ONLY, ONE_GP)
    assert desk("intake", "--motif", "fievre", "--source", "cot", now=NOW).code == 0
    assert desk("notify", "001C", now=NOW).code == 0
    (desk.home / "roster.toml").write_text(ONE_GP + "active = false\n", encoding="utf-8")
    run = desk("tick", "--json", now="2024-01-15T18:01:00+01:00")
    assert (run.code, run.json["expired"], run.err) == (0, ["001C"], "")


# -- errors of one value: sms, mssante, the mail port --------------------------------------------


def test_an_sms_number_one_digit_short_is_refused_at_its_line(tmp_path: Path) -> None:
    fails(
        check(tmp_path, ONE_GP + 'sms = "06 11 00 00 0"\n', GP_ONLY),
        "snpctl: roster.toml:6:7: sms: '06 11 00 00 0' is not a valid phone number (no such number exists); "
        "type it as 06 12 34 56 78, or +32 470 12 34 56 for a number abroad.",
        '  6 | sms = "06 11 00 00 0"',
        "    |       ^",
    )


def test_an_sms_that_is_a_note_is_refused_at_its_line(tmp_path: Path) -> None:
    fails(
        check(tmp_path, ONE_GP + 'sms = "voir secrétariat"\n', GP_ONLY),
        "snpctl: roster.toml:6:7: sms: 'voir secrétariat' is not a valid phone number (it holds letters); "
        "type it as 06 12 34 56 78, or +32 470 12 34 56 for a number abroad.",
        '  6 | sms = "voir secrétariat"',
        "    |       ^",
    )


def test_an_mssante_address_with_a_line_break_is_refused(tmp_path: Path) -> None:
    """A line break in an address would add a header to the mail (``Bcc:``): never sent."""
    fails(
        check(tmp_path, ONE_GP + 'mssante = "a@medecin.mssante.fr\\nBcc: x@example.org"\n', GP_ONLY),
        "snpctl: roster.toml:6:11: mssante: 'a@medecin.mssante.fr\\nBcc: x@example.org' is not one mail "
        "address; write a single address like name@domain.mssante.fr, on one line, without spaces.",
        '  6 | mssante = "a@medecin.mssante.fr\\nBcc: x@example.org"',
        "    |           ^",
    )


def test_mssante_addresses_that_are_not_one_address_are_refused(tmp_path: Path) -> None:
    for typed in ("martin", "martin@", "martin@mssante", "dr martin@medecin.mssante.fr", "a@b.fr, c@d.fr"):
        run = check(tmp_path, ONE_GP + f'mssante = "{typed}"\n', GP_ONLY)
        assert run.code == 2 and f"mssante: {typed!r} is not one mail address" in run.err, typed


def test_a_well_formed_mssante_address_passes(tmp_path: Path) -> None:
    assert check(tmp_path, ONE_GP + 'mssante = "claire.martin@medecin.mssante.fr"\n', GP_ONLY) == Run(0, "", "")


def test_a_mail_port_out_of_range_is_refused(tmp_path: Path) -> None:
    mail = '\n[messaging.mail]\nhost = "smtp.example"\nport = 5870000\nsender = "cot@cpts.example"\n'
    fails(
        check(tmp_path, ONE_GP, GP_ONLY + mail),
        "snpctl: protocols.toml:35:8: port: must be between 1 and 65535, found 5870000.",
        "  35 | port = 5870000",
        "     |        ^",
    )


# -- warnings: nobody is lost, but somebody is surely forgotten -----------------------------------


def test_a_member_whose_profession_no_protocol_asks_for_is_warned_with_the_closest(tmp_path: Path) -> None:
    roster = ONE_GP + '\n[[member]]\nid = "gp-b"\nname = "Dr B"\nprofession = "generalist"\nstatus = "titulaire"\n'
    warns(
        check(tmp_path, roster, GP_ONLY),
        "snpctl: roster.toml:10:14: profession: 'generalist' is asked for by no protocol, so Dr B is never "
        "notified; did you mean 'generaliste'?",
    )


def test_a_member_of_a_profession_no_protocol_asks_for_is_warned_in_french(tmp_path: Path) -> None:
    roster = ONE_GP + '\n[[member]]\nid = "sf-b"\nname = "Mme B"\nprofession = "sage-femme"\nstatus = "titulaire"\n'
    warns(
        check(tmp_path, roster, GP_ONLY, SNPCTL_LANG="fr"),
        "snpctl: roster.toml:10:14: profession: 'sage-femme' n'est demandée par aucun protocole, donc Mme B "
        "n'est jamais sollicité ; les protocoles demandent : generaliste (mettez registered = false si Mme B "
        "n'est dans le roster que pour être informé).",
    )


def test_a_member_only_informed_is_not_warned(tmp_path: Path) -> None:
    roster = ONE_GP + '\n[[member]]\nid = "x"\nname = "Mme X"\nprofession = "infirmier"\nstatus = "titulaire"\n'
    assert check(tmp_path, roster + "registered = false\n", GP_ONLY) == Run(0, "", "")


def test_a_site_nobody_works_at_is_warned(tmp_path: Path) -> None:
    roster = ROSTER.replace('site = "cami"', 'site = "cabinet"')
    warns(
        check(tmp_path, roster),
        "snpctl: roster.toml:2:7: key: CAMI has opening hours but no active member has site = 'cami'; give "
        "that to the members who work there, or remove the site if it is no longer used.",
    )


def test_a_warning_is_printed_by_the_commands_a_person_runs_but_not_by_tick(tmp_path: Path) -> None:
    """cron mails whatever tick prints, every minute: the warning is for people, at their commands."""
    desk = make_workspace(tmp_path / "cpts", PROTOCOLS, ROSTER.replace('site = "cami"', 'site = "cabinet"'))
    listed = desk("list", now=NOW)
    assert (listed.code, listed.err.count("\n"), "has opening hours" in listed.err) == (0, 1, True)
    assert desk("tick", now=NOW) == Run(0, "", "")


# -- notify: no window for a doctor the gateway cannot text, no notify to nobody -------------------

GATEWAY = '\n[messaging.sms]\ncommand = "true {to}"\n'


def _open(desk: Desk, doctor: str = "gp-a", motif: str = "fievre") -> None:
    run = desk("intake", "--motif", motif, "--source", "cot", "--treating-doctor", doctor, now=NOW)
    assert run.code == 0, run.err


def test_with_a_gateway_a_treating_doctor_without_sms_gets_no_window(tmp_path: Path) -> None:
    desk = make_workspace(tmp_path / "cpts", PROTOCOLS + GATEWAY)
    _open(desk)
    run = desk("notify", "001C", now=NOW, SNPCTL_DELIVERY="inline")
    assert run.out.splitlines()[-1] == (
        "Dr A has no mobile number in roster.toml: the request is open to the community right away."
    )
    assert run.out.startswith("Request 001C: open to the community until 18:00; notified (3): ")
    notify = next(e for e in desk.events() if e["type"] == "notify")
    assert (notify["status"], notify["deadline"], notify["expires"]) == (
        "community",
        "2024-01-15T17:00:00Z",
        "2024-01-15T17:00:00Z",
    )
    assert notify["notified"] == ["gp-a", "gp-b", "gp-cami"]
    assert desk("verify").code == 0


def test_the_reason_is_said_in_french(tmp_path: Path) -> None:
    desk = make_workspace(tmp_path / "cpts", PROTOCOLS + GATEWAY)
    _open(desk)
    run = desk("notify", "001C", now=NOW, SNPCTL_DELIVERY="inline", SNPCTL_LANG="fr")
    assert run.out.splitlines()[-1] == (
        "Dr A n'a pas de numéro de portable dans roster.toml : la demande est ouverte à la communauté dès maintenant."
    )


def test_the_json_answer_keeps_its_keys(tmp_path: Path) -> None:
    desk = make_workspace(tmp_path / "cpts", PROTOCOLS + GATEWAY)
    _open(desk)
    run = desk("notify", "001C", "--json", now=NOW, SNPCTL_DELIVERY="inline")
    assert run.json == {
        "request": "001C",
        "status": "community",
        "deadline": "2024-01-15T18:00:00+01:00",
        "notified": ["gp-a", "gp-b", "gp-cami"],
    }


def test_with_a_gateway_a_treating_doctor_with_sms_keeps_the_window(tmp_path: Path) -> None:
    roster = ROSTER.replace('name = "Dr A"', 'name = "Dr A"\nsms = "06 12 34 56 78"')
    desk = make_workspace(tmp_path / "cpts", PROTOCOLS + GATEWAY, roster)
    _open(desk)
    run = desk("notify", "001C", "--json", now=NOW, SNPCTL_DELIVERY="inline")
    assert (run.json["status"], run.json["notified"]) == ("treating_doctor_window", ["gp-a"])


def test_without_a_gateway_a_treating_doctor_without_sms_keeps_the_window(tmp_path: Path) -> None:
    """The outbox reaches everyone: a workspace without a gateway (a simulation) is unchanged."""
    desk = make_workspace(tmp_path / "cpts")
    _open(desk)
    run = desk("notify", "001C", now=NOW)
    assert run.out == "Request 001C: reserved for the treating doctor (Dr A) until 17:00. Notified: Dr A (gp-a).\n"


def test_a_notify_that_would_reach_nobody_is_refused_and_the_request_stays_open(tmp_path: Path) -> None:
    """The dental request was taken in; then the roster lost its dentist and the protocol was moved to the GPs."""
    desk = make_workspace(tmp_path / "cpts")
    _open(desk, "none", "dent")
    (desk.home / "protocols.toml").write_text(GP_ONLY, encoding="utf-8")
    (desk.home / "roster.toml").write_text(ROSTER[: ROSTER.index('[[member]]\nid = "dent-a"')], encoding="utf-8")
    before = desk.ledger_bytes()
    run = desk("notify", "001C", now=NOW)
    assert (run.code, run.out) == (1, "")
    assert run.err == (
        "snpctl: Nobody can be notified for request 001C (Douleur dentaire): roster.toml has no active, "
        "registered member of profession 'dentiste' who is not absent today. Add one (or set active = true, "
        "registered = true), then run `snpctl notify 001C` again. The request stays open meanwhile (if the "
        "patient is seen elsewhere: "
        "`snpctl outcome 001C cancelled`).\n"
    )
    assert desk.ledger_bytes() == before
    assert json.loads(desk("list", "--json", now=NOW).out)["requests"][0]["status"] == "open"
