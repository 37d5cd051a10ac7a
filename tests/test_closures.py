"""Closures and absences (issue 14): a site's ``closed`` days and French public holidays refuse an appointment
there with the next opening; a member's ``absent`` days keep them from being asked, accepting or being booked."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from conftest import PROTOCOLS, Desk, make_workspace

CHRISTMAS = "2026-12-25"  # a Friday: the CAMI would be open, but for Noël


def roster(site: str = "", member: str = "") -> str:
    """The CAMI (weekdays 15:30-19:30) with ``site``'s extra lines; Dr A at their practice with ``member``'s,
    Dr B at theirs and Dr C at the CAMI."""
    return dedent("""\
        [[site]]
        key = "cami"
        label = "CAMI"
        hours = ["mon-fri 15:30-19:30"]
        {site}

        [[member]]
        id = "gp-a"
        name = "Dr A"
        profession = "generaliste"
        status = "titulaire"
        {member}

        [[member]]
        id = "gp-b"
        name = "Dr B"
        profession = "generaliste"
        status = "titulaire"

        [[member]]
        id = "gp-cami"
        name = "Dr C"
        profession = "generaliste"
        status = "remplacant"
        site = "cami"

        [[member]]
        id = "dent-a"
        name = "Dr Dent"
        profession = "dentiste"
        status = "titulaire"
        """).format(site=site, member=member)


def workspace(tmp_path: Path, site: str = "", member: str = "", top: str = "") -> Desk:
    return make_workspace(tmp_path / "cpts", top + PROTOCOLS, roster(site, member))


def opened(desk: Desk, at: str, doctor: str = "unknown") -> str:
    result = desk("intake", "--motif", "fievre", "--source", "cot", "--treating-doctor", doctor, "--json", now=at)
    assert result.code == 0, result.err
    return result.json["request"]


def booked(desk: Desk, day: str, by: str = "gp-cami", at: str = "16:00", **env: str) -> tuple[int, str]:
    rid = opened(desk, f"{day}T10:00")
    result = desk("book", rid, "--by", by, "--at", at, now=f"{day}T10:00", **env)
    return result.code, result.err.strip()


# -- public holidays and closed days ------------------------------------------------------------------------


def test_a_booking_at_the_cami_on_christmas_day_is_refused_with_the_next_opening(tmp_path: Path) -> None:
    desk = workspace(tmp_path)
    assert booked(desk, CHRISTMAS) == (
        1,
        "snpctl: CAMI is closed on Friday 25 December (public holiday: Christmas Day); next opening: "
        "Monday 28 December at 15:30.",
    )
    assert [e["type"] for e in desk.events()] == ["intake"]  # nothing written


def test_the_christmas_refusal_in_french(tmp_path: Path) -> None:
    assert booked(workspace(tmp_path), CHRISTMAS, SNPCTL_LANG="fr") == (
        1,
        "snpctl: CAMI est fermé le vendredi 25 décembre (jour férié : Noël) ; prochaine ouverture : "
        "lundi 28 décembre à 15h30.",
    )


def test_accepting_into_a_closure_is_refused_too(tmp_path: Path) -> None:
    desk = workspace(tmp_path)
    rid = opened(desk, f"{CHRISTMAS}T10:00")
    assert desk("notify", rid, now=f"{CHRISTMAS}T10:00").code == 0
    result = desk("accept", rid, "--by", "gp-a", "--at", "16:00", "--site", "cami", now=f"{CHRISTMAS}T10:05")
    assert (result.code, result.err.strip()) == (
        1,
        "snpctl: CAMI is closed on Friday 25 December (public holiday: Christmas Day); next opening: "
        "Monday 28 December at 15:30.",
    )
    at_practice = desk("accept", rid, "--by", "gp-a", "--at", "16:00", now=f"{CHRISTMAS}T10:05")
    assert at_practice.code == 0, at_practice.err  # a member's own practice keeps its own days


def test_a_site_may_open_on_public_holidays(tmp_path: Path) -> None:
    desk = workspace(tmp_path, site="open_on_public_holidays = true")
    assert booked(desk, CHRISTMAS) == (0, "")


def test_a_closed_range_is_refused_on_each_of_its_days_and_reopens_after(tmp_path: Path) -> None:
    desk = workspace(tmp_path, site='closed = ["2026-12-21..2026-12-23", "31/12/2026"]')
    assert booked(desk, "2026-12-22") == (
        1,
        "snpctl: CAMI is closed on Tuesday 22 December (closed = 2026-12-21..2026-12-23 in roster.toml); "
        "next opening: Thursday 24 December at 15:30.",
    )
    assert booked(desk, "2026-12-31")[0] == 1  # written the French way
    assert booked(desk, "2026-12-24") == (0, "")


def test_a_closed_range_in_french(tmp_path: Path) -> None:
    desk = workspace(tmp_path, site='closed = ["2026-12-21..2026-12-23"]')
    assert booked(desk, "2026-12-23", SNPCTL_LANG="fr") == (
        1,
        "snpctl: CAMI est fermé le mercredi 23 décembre (closed = 2026-12-21..2026-12-23 dans roster.toml) ; "
        "prochaine ouverture : jeudi 24 décembre à 15h30.",
    )


def test_a_site_closed_for_a_year_has_no_next_opening_to_quote(tmp_path: Path) -> None:
    desk = workspace(tmp_path, site='closed = ["2026-12-01..2027-12-31"]')
    assert booked(desk, "2026-12-22") == (
        1,
        "snpctl: CAMI is closed on Tuesday 22 December (closed = 2026-12-01..2027-12-31 in roster.toml) and "
        "does not open in the year after; check its hours and closed in roster.toml, or choose another site.",
    )


def test_alsace_moselle_closes_on_good_friday(tmp_path: Path) -> None:
    good_friday = "2026-04-03"
    assert booked(workspace(tmp_path / "paris"), good_friday) == (0, "")
    moselle = workspace(tmp_path / "metz", top='holidays_region = "57"\n')
    assert booked(moselle, good_friday) == (
        1,
        "snpctl: CAMI is closed on Friday 3 April (public holiday: Good Friday); next opening: "
        "Tuesday 7 April at 15:30.",  # Monday 6 April is Easter Monday, everywhere in France
    )


REUNION = PROTOCOLS.replace('timezone = "Europe/Paris"', 'timezone = "Indian/Reunion"\nholidays_region = "974"')


def test_la_reunion_closes_on_20_december_in_its_own_time_zone(tmp_path: Path) -> None:
    desk = make_workspace(tmp_path / "cpts", REUNION, roster())
    assert booked(desk, "2027-12-20", SNPCTL_LANG="fr") == (
        1,
        "snpctl: CAMI est fermé le lundi 20 décembre (jour férié : Abolition de l'esclavage) ; "
        "prochaine ouverture : mardi 21 décembre à 15h30.",
    )


def test_the_day_of_a_closure_is_the_workspace_s_not_utc_s(tmp_path: Path) -> None:
    night = roster().replace('hours = ["mon-fri 15:30-19:30"]', 'hours = ["mon-fri 0:00-6:00"]')
    desk = make_workspace(tmp_path / "cpts", REUNION, night)
    rid = opened(desk, "2027-12-21T00:30")
    # 01:00 in La Réunion on Tuesday 21 December is still Monday 20 December (a holiday there) in UTC
    result = desk("book", rid, "--by", "gp-cami", "--at", "01:00", now="2027-12-21T00:30")
    assert result.code == 0, result.err


def test_a_closure_added_afterwards_does_not_make_the_ledger_fail_verify(tmp_path: Path) -> None:
    desk = workspace(tmp_path, site="open_on_public_holidays = true")
    assert booked(desk, CHRISTMAS) == (0, "")
    (desk.home / "roster.toml").write_text(roster(site='closed = ["2026-12-25"]'), encoding="utf-8")
    assert desk("verify").code == 0


# -- absences -----------------------------------------------------------------------------------------------

AWAY = 'absent = ["2026-12-20..2027-01-03"]'


def test_an_absent_member_is_not_notified(tmp_path: Path) -> None:
    desk = workspace(tmp_path, member=AWAY)
    rid = opened(desk, "2026-12-28T10:00")
    assert desk("notify", rid, "--json", now="2026-12-28T10:00").json["notified"] == ["gp-b", "gp-cami"]


def test_an_absent_treating_doctor_gets_no_window(tmp_path: Path) -> None:
    desk = workspace(tmp_path, member=AWAY)
    rid = opened(desk, "2026-12-28T10:00", doctor="gp-a")
    notified = desk("notify", rid, "--json", now="2026-12-28T10:00").json
    assert (notified["status"], notified["notified"]) == ("community", ["gp-b", "gp-cami"])


def test_an_absent_member_cannot_accept(tmp_path: Path) -> None:
    desk = workspace(tmp_path, member=AWAY)
    rid = opened(desk, "2026-12-28T10:00")
    desk("notify", rid, now="2026-12-28T10:00")
    result = desk("accept", rid, "--by", "gp-a", "--at", "16:00", now="2026-12-28T10:05")
    assert (result.code, result.err.strip()) == (
        1,
        "snpctl: Dr A (gp-a) is away on Monday 28 December (absent = 2026-12-20..2027-01-03 in roster.toml): "
        "cannot accept or be booked that day; back on Monday 4 January 2027.",
    )


def test_an_absent_member_cannot_be_booked(tmp_path: Path) -> None:
    desk = workspace(tmp_path, member=AWAY)
    assert booked(desk, "2027-01-03", by="gp-a", SNPCTL_LANG="fr") == (
        1,
        "snpctl: Dr A (gp-a) est indisponible le dimanche 3 janvier (absent = 2026-12-20..2027-01-03 dans "
        "roster.toml) : ne peut ni accepter ni recevoir de rendez-vous ce jour-là ; de retour le lundi 4 janvier.",
    )


def test_an_absent_member_is_back_the_day_after_without_an_edit(tmp_path: Path) -> None:
    desk = workspace(tmp_path, member=AWAY)
    rid = opened(desk, "2027-01-04T10:00")
    assert desk("notify", rid, "--json", now="2027-01-04T10:00").json["notified"] == ["gp-a", "gp-b", "gp-cami"]
    assert booked(desk, "2027-01-04", by="gp-a") == (0, "")


# -- bad configuration ----------------------------------------------------------------------------------------


def check(desk: Desk, **env: str) -> tuple[int, str]:
    result = desk("check", **env)
    return result.code, result.err


def test_a_day_that_is_no_date_is_refused_at_its_line(tmp_path: Path) -> None:
    desk = workspace(tmp_path, site='closed = ["2026-12-24..2026-12-2x"]')
    assert check(desk) == (
        2,
        "snpctl: roster.toml:5:10: closed: '2026-12-24..2026-12-2x' is not a day or a range of days; write "
        '"2026-12-24" or "2026-12-24..2026-12-26".\n'
        '  5 | closed = ["2026-12-24..2026-12-2x"]\n'
        "    |          ^\n",
    )


def test_a_day_not_in_the_calendar_is_refused_in_french(tmp_path: Path) -> None:
    desk = workspace(tmp_path, member='absent = ["31/02/2027"]')
    code, err = check(desk, SNPCTL_LANG="fr")
    assert (code, err.splitlines()[0]) == (
        2,
        "snpctl: roster.toml:12:10: absent: '31/02/2027' n'est pas un jour du calendrier ; écrivez-le comme "
        "2026-12-24 ou 24/12/2026.",
    )


def test_a_range_that_ends_before_it_starts_is_refused(tmp_path: Path) -> None:
    desk = workspace(tmp_path, member='absent = ["2027-01-03..2026-12-20"]')
    code, err = check(desk)
    assert (code, err.splitlines()[0]) == (
        2,
        "snpctl: roster.toml:12:10: absent: '2027-01-03..2026-12-20' ends before it starts; write the first day, "
        "then the last.",
    )


def test_an_unknown_holidays_region_is_refused_with_the_closest_codes(tmp_path: Path) -> None:
    desk = workspace(tmp_path, top='holidays_region = "975"\n')
    code, err = check(desk)
    assert (code, err.splitlines()[0]) == (
        2,
        "snpctl: protocols.toml:1:19: holidays_region: '975' is not a region of the holidays package (closest: "
        "976, 974, 973); leave it out for mainland France, or use one of 57, 6AE, 971, 972, 973, 974, 976, BL, "
        "MF, NC, PF, PM, TF, WF, Zone A, Zone B, Zone C.",
    )


def test_an_unknown_holidays_region_in_french(tmp_path: Path) -> None:
    desk = workspace(tmp_path, top='holidays_region = "Alsac"\n')
    code, err = check(desk, SNPCTL_LANG="fr")
    assert code == 2
    assert err.startswith(
        "snpctl: protocols.toml:1:19: holidays_region: 'Alsac' n'est pas une région du paquet holidays (les plus "
        "proches : Alsace) ; ne l'indiquez pas pour la métropole, ou choisissez parmi 57, 6AE,"
    )


def test_a_region_may_be_named_as_the_package_names_it(tmp_path: Path) -> None:
    desk = workspace(tmp_path, top='holidays_region = "Moselle"\n')
    assert check(desk) == (0, "")
    assert booked(desk, "2026-04-03")[0] == 1  # Good Friday


# -- simulated workspaces ---------------------------------------------------------------------------------------


def test_simulated_sites_open_on_public_holidays() -> None:
    from snpctl.simulate import load_scenario, roster_toml

    sites = roster_toml(load_scenario("champigny-2023"))["site"]
    assert sites and all(site["open_on_public_holidays"] is True for site in sites)
