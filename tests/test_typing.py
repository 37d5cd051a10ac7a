"""Times, dates, durations and opening hours as a French coordinator types them (issue 13).

Each accepted form is read in the workspace's zone; each ambiguous or impossible one is refused with
an example that works (exit 2, one line, nothing written). ``--json`` and the ledger do not change
with the way a time was typed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from snpctl.config import load_config
from snpctl.errors import BadUsage
from snpctl.i18n import activate
from snpctl.timefmt import TooLong, duration_text, format_duration, parse_day, parse_duration, parse_when

from conftest import PROTOCOLS, ROSTER, Desk, make_workspace

PARIS = ZoneInfo("Europe/Paris")
WEDNESDAY = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # Wednesday 25 November 2026, 10:00 in Paris


def when(typed: str, now: datetime = WEDNESDAY, zone: ZoneInfo = PARIS) -> str:
    """What ``typed`` means as of ``now``, as the zone's wall clock with its offset."""
    return parse_when(typed, zone, now).astimezone(zone).isoformat(timespec="minutes")


def refusal(typed: str, now: datetime = WEDNESDAY, zone: ZoneInfo = PARIS) -> str:
    with pytest.raises(BadUsage) as caught:
        parse_when(typed, zone, now)
    return caught.value.message


# -- times and dates in --at, --now, SNPCTL_NOW ----------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, meant",
    [
        pytest.param("17h45", "2026-11-25T17:45+01:00", id="17h45"),
        pytest.param("17h", "2026-11-25T17:00+01:00", id="17h"),
        pytest.param("17:45", "2026-11-25T17:45+01:00", id="17:45"),
        pytest.param("14 h 05", "2026-11-25T14:05+01:00", id="14 h 05"),
        pytest.param("16h30", "2026-11-25T16:30+01:00", id="16h30-as-before"),
        pytest.param("aujourd'hui 14h", "2026-11-25T14:00+01:00", id="aujourd'hui 14h"),
        pytest.param("Aujourd\u2019hui 14h", "2026-11-25T14:00+01:00", id="aujourd'hui-curly-apostrophe"),
        pytest.param("demain 9h", "2026-11-26T09:00+01:00", id="demain 9h"),
        pytest.param("demain à 9h", "2026-11-26T09:00+01:00", id="demain à 9h"),
        pytest.param("demain midi", "2026-11-26T12:00+01:00", id="demain midi"),
        pytest.param("après-demain 9h", "2026-11-27T09:00+01:00", id="après-demain 9h"),
        pytest.param("hier 18h", "2026-11-24T18:00+01:00", id="hier 18h"),
        pytest.param("tomorrow 9:00", "2026-11-26T09:00+01:00", id="tomorrow 9:00"),
        pytest.param("lundi 9h", "2026-11-30T09:00+01:00", id="lundi 9h"),
        pytest.param("LUNDI 9H", "2026-11-30T09:00+01:00", id="LUNDI 9H"),
        pytest.param("Monday 9:00", "2026-11-30T09:00+01:00", id="Monday 9:00"),
        pytest.param("mercredi 11h", "2026-11-25T11:00+01:00", id="weekday-today-still-ahead"),
        pytest.param("mercredi 9h", "2026-12-02T09:00+01:00", id="weekday-today-already-past"),
        pytest.param("lundi 30/11/2026 9h", "2026-11-30T09:00+01:00", id="weekday-and-its-date"),
        pytest.param("30/11 14h05", "2026-11-30T14:05+01:00", id="30/11 14h05"),
        pytest.param("30/11/2026 14:05", "2026-11-30T14:05+01:00", id="30/11/2026 14:05"),
        pytest.param("30/11/2026 à 14h05", "2026-11-30T14:05+01:00", id="30/11/2026 à 14h05"),
        pytest.param("le 1/12/2026 à 9h", "2026-12-01T09:00+01:00", id="le 1/12/2026 à 9h"),
        pytest.param("2026-11-30 14:05", "2026-11-30T14:05+01:00", id="iso-date-and-time"),
        pytest.param("2026-11-30 14h05", "2026-11-30T14:05+01:00", id="iso-date-french-time"),
        pytest.param("2026-11-30T14:05:00+02:00", "2026-11-30T13:05+01:00", id="iso-with-offset-is-exact"),
    ],
)
def test_a_time_typed_the_french_way_is_read_in_the_workspace_zone(typed: str, meant: str) -> None:
    assert when(typed) == meant


def test_a_weekday_is_the_first_such_instant_after_now() -> None:
    monday_morning = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # Monday 08:00 in Paris
    assert when("lundi 9h", monday_morning) == "2026-11-30T09:00+01:00"
    assert when("lundi 8h", monday_morning) == "2026-12-07T08:00+01:00"  # now is not after now


@pytest.mark.parametrize(
    "typed, message",
    [
        pytest.param(
            "30/11/26 14h", "--at '30/11/26 14h': give the year in full, e.g. 30/11/2026.", id="two-digit-year"
        ),
        pytest.param(
            "11/30/2026 14:05",
            "--at '11/30/2026 14:05': there is no month 30; write the day first, e.g. 30/11/2026.",
            id="month-first",
        ),
        pytest.param("1130", "--at '1130': a number alone is ambiguous; write the time like 11h30.", id="bare-number"),
        pytest.param("17", "--at '17': a number alone is ambiguous; write the time like 17h.", id="bare-hour"),
        pytest.param("lundi", "--at 'lundi' has no time of day; add one, e.g. lundi 9h.", id="weekday-no-time"),
        pytest.param("demain", "--at 'demain' has no time of day; add one, e.g. demain 9h.", id="demain-no-time"),
        pytest.param("30/11", "--at '30/11' has no time of day; add one, e.g. 30/11 9h.", id="date-no-time"),
        pytest.param(
            "demain matin",
            "--at 'demain matin' is not a time I can read; write it like 17:45, tomorrow 9:00, monday 9:00, "
            "30/11 14:05 or 2026-11-30 14:05.",
            id="unknown-word",
        ),
        pytest.param(
            "25h",
            "--at '25h' is not a time I can read; write it like 17:45, tomorrow 9:00, monday 9:00, "
            "30/11 14:05 or 2026-11-30 14:05.",
            id="impossible-hour",
        ),
        pytest.param(
            "31/11/2026 9h",
            "--at '31/11/2026 9h' is not a date; write it like 30/11/2026, 30/11 or 2026-11-30.",
            id="impossible-day",
        ),
        pytest.param(
            "mardi 30/11/2026 9h",
            "--at 'mardi 30/11/2026 9h': 30/11/2026 is not that day of the week; give the date or the day, "
            "e.g. 30/11/2026 9:00.",
            id="weekday-not-the-date's",
        ),
        pytest.param(
            "30/11/1999 9h",
            "--at '30/11/1999 9h' is out of range: snpctl takes dates from 2000-01-01 to 2099-12-31.",
            id="out-of-range",
        ),
    ],
)
def test_an_ambiguous_or_impossible_time_is_refused_with_an_example(typed: str, message: str) -> None:
    assert refusal(typed) == message


def test_a_refused_time_on_the_command_line_is_exit_2_one_line_nothing_written(desk: Desk) -> None:
    desk("intake", "--motif", "fievre", "--source", "cot", "--treating-doctor", "none", now="2026-11-25T10:00")
    desk("notify", "001C", now="2026-11-25T10:01")
    before = desk.ledger_bytes()
    run = desk("accept", "001C", "--by", "gp-b", "--at", "11/30/2026 14:05", now="2026-11-25T10:02")
    assert (run.code, run.out, run.err) == (
        2,
        "",
        "snpctl: --at '11/30/2026 14:05': there is no month 30; write the day first, e.g. 30/11/2026.\n",
    )
    assert desk.ledger_bytes() == before


def test_now_from_the_environment_takes_the_same_forms(desk: Desk) -> None:
    run = desk("intake", "--motif", "fievre", "--source", "cot", "--json", SNPCTL_NOW="30/11/2026 à 14h05")
    assert run.code == 0
    assert desk.events()[-1]["at"] == "2026-11-30T13:05:00Z"


# -- across a daylight-saving change (Europe/Paris: 2026-03-29 forward, 2026-10-25 back) ----------------------

SPRING_EVE = datetime(2026, 3, 28, 9, 0, tzinfo=UTC)  # Saturday 10:00 +01:00
AUTUMN_EVE = datetime(2026, 10, 24, 8, 0, tzinfo=UTC)  # Saturday 10:00 +02:00


def test_tomorrow_across_the_spring_change_takes_the_new_offset() -> None:
    assert when("demain 9h", SPRING_EVE) == "2026-03-29T09:00+02:00"
    assert when("dimanche 9h", SPRING_EVE) == "2026-03-29T09:00+02:00"


def test_tomorrow_across_the_autumn_change_takes_the_new_offset() -> None:
    assert when("demain 9h", AUTUMN_EVE) == "2026-10-25T09:00+01:00"
    assert when("lundi 9h", AUTUMN_EVE) == "2026-10-26T09:00+01:00"


def test_a_time_the_spring_change_skips_is_refused() -> None:
    assert refusal("demain 2h30", SPRING_EVE) == (
        "'demain 2h30' does not exist in Europe/Paris: the clocks skip that hour; give a time outside it."
    )


def test_a_time_the_autumn_change_repeats_is_refused_with_both_offsets() -> None:
    assert refusal("25/10/2026 2h30", AUTUMN_EVE) == (
        "'25/10/2026 2h30' happens twice in Europe/Paris (the clocks go back); add the offset, e.g. "
        "2026-10-25T02:30+02:00 or 2026-10-25T02:30+01:00."
    )


# -- in another zone: "demain" is the zone's tomorrow ------------------------------------------------------------


def test_tomorrow_in_cayenne_is_cayenne_s_tomorrow_not_utc_s() -> None:
    late_sunday = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # Sunday 29 November, 23:00 in Cayenne (UTC-3)
    assert when("demain 9h", late_sunday, ZoneInfo("America/Cayenne")) == "2026-11-30T09:00-03:00"
    assert when("aujourd'hui 14h", late_sunday, ZoneInfo("America/Cayenne")) == "2026-11-29T14:00-03:00"


def test_a_reunion_workspace_books_demain_9h_on_reunion_s_tomorrow(tmp_path: Path) -> None:
    protocols = PROTOCOLS.replace('timezone = "Europe/Paris"', 'timezone = "Indian/Reunion"').replace(
        'appointment_horizon = "12h"', 'appointment_horizon = "2 j"'
    )
    desk = make_workspace(tmp_path / "cpts", protocols)
    now = "2026-11-30T01:00"  # Monday 01:00 in Reunion (UTC+4), still Sunday 21:00 in UTC
    desk("intake", "--motif", "fievre", "--source", "cot", "--treating-doctor", "none", now=now)
    desk("notify", "001C", now=now)
    run = desk("accept", "001C", "--by", "gp-b", "--at", "demain 9h", "--json", now=now)
    assert run.json["appointment"] == "2026-12-01T09:00:00+04:00"


# -- days and periods of report ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, meant",
    [
        pytest.param("30/11/2026", date(2026, 11, 30), id="30/11/2026"),
        pytest.param("30/11", date(2026, 11, 30), id="30/11-this-year"),
        pytest.param("1/2", date(2026, 2, 1), id="1/2-this-year"),
        pytest.param("2026-11-30", date(2026, 11, 30), id="iso"),
        pytest.param("hier", date(2026, 11, 24), id="hier"),
        pytest.param("aujourd'hui", date(2026, 11, 25), id="aujourd'hui"),
    ],
)
def test_a_day_typed_the_french_way(typed: str, meant: date) -> None:
    assert parse_day(typed, what="--from", today=date(2026, 11, 25)) == meant


def report_period(desk: Desk, *args: str, now: str = "2027-01-10T10:00") -> dict[str, str | None]:
    run = desk("report", "--json", *args, now=now)
    assert run.code == 0, run.err
    return run.json["period"]


@pytest.mark.parametrize(
    "args, period",
    [
        pytest.param(("--from", "01/11/2026", "--to", "30/11/2026"), ("2026-11-01", "2026-11-30"), id="french-days"),
        pytest.param(("--from", "01/11", "--to", "31/12"), ("2027-11-01", "2027-12-31"), id="days-this-year"),
        pytest.param(("--from", "novembre", "--to", "décembre"), ("2026-11-01", "2026-12-31"), id="month-names"),
        pytest.param(("--from", "janvier"), ("2027-01-01", None), id="this-january-has-begun"),
        pytest.param(("--month", "2026-11"), ("2026-11-01", "2026-11-30"), id="month-iso"),
        pytest.param(("--month", "11/2026"), ("2026-11-01", "2026-11-30"), id="month-slash"),
        pytest.param(("--month", "novembre"), ("2026-11-01", "2026-11-30"), id="month-name-last-begun"),
        pytest.param(("--month", "Février 2024"), ("2024-02-01", "2024-02-29"), id="month-name-and-year"),
    ],
)
def test_report_periods_typed_the_french_way(desk: Desk, args: tuple[str, ...], period: tuple[str, str | None]) -> None:
    assert report_period(desk, *args) == {"from": period[0], "to": period[1]}


@pytest.mark.parametrize(
    "args, message",
    [
        pytest.param(
            ("--month", "2026-11", "--from", "01/11/2026"),
            "--month is a whole month: give it alone, or --from and --to, not both.",
            id="month-with-from",
        ),
        pytest.param(
            ("--month", "13/2026"),
            "--month '13/2026' is not a month; write it like november, november 2026, 11/2026 or 2026-11.",
            id="month-13",
        ),
        pytest.param(
            ("--month", "11"),
            "--month '11' is not a month; write it like november, november 2026, 11/2026 or 2026-11.",
            id="month-number-alone",
        ),
        pytest.param(
            ("--from", "01/11/26"), "--from '01/11/26': give the year in full, e.g. 01/11/2026.", id="two-digit-year"
        ),
        pytest.param(
            ("--from", "11/30/2026"),
            "--from '11/30/2026': there is no month 30; write the day first, e.g. 30/11/2026.",
            id="month-first",
        ),
        pytest.param(
            ("--to", "lundi"),
            "--to 'lundi' is not a date; write it like 30/11/2026, 30/11 or 2026-11-30.",
            id="weekday",
        ),
    ],
)
def test_a_report_period_that_does_not_read_is_exit_2_with_an_example(
    desk: Desk, args: tuple[str, ...], message: str
) -> None:
    run = desk("report", "--json", *args, now="2027-01-10T10:00")
    assert (run.code, run.out, run.err) == (2, "", f"snpctl: {message}\n")


# -- durations ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, meant",
    [
        ("10m", timedelta(minutes=10)),
        ("1h30", timedelta(hours=1, minutes=30)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1 h 30", timedelta(hours=1, minutes=30)),
        ("90 min", timedelta(minutes=90)),
        ("90m", timedelta(minutes=90)),
        ("30mn", timedelta(minutes=30)),
        ("45 minutes", timedelta(minutes=45)),
        ("2 h", timedelta(hours=2)),
        ("2 heures", timedelta(hours=2)),
        ("2 hours", timedelta(hours=2)),
        ("1 j", timedelta(days=1)),
        ("2 jours", timedelta(days=2)),
        ("2d", timedelta(days=2)),
        ("2 sem", timedelta(weeks=2)),
        ("3 semaines", timedelta(weeks=3)),
        ("1 week", timedelta(weeks=1)),
        ("3 mois", timedelta(days=90)),
        ("3 months", timedelta(days=90)),
        ("0m", timedelta(0)),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_a_duration_typed_the_french_way(typed: str, meant: timedelta) -> None:
    assert parse_duration(typed) == meant


@pytest.mark.parametrize("typed", ["10", "1.5h", "30m1h", "1h1h", "une heure", "3 mo", ""])
def test_a_duration_that_does_not_read_is_a_value_error(typed: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_duration(typed)
    assert not isinstance(caught.value, TooLong)


def test_a_month_is_30_days_and_13_months_is_past_the_366_day_cap() -> None:
    assert parse_duration("12 mois") == timedelta(days=360)
    with pytest.raises(TooLong):
        parse_duration("13 mois")


def test_configuration_takes_french_durations(tmp_path: Path) -> None:
    protocols = PROTOCOLS.replace('treating_doctor_window = "1h"', 'treating_doctor_window = "45 min"')
    protocols = protocols.replace('total_window = "2h"', 'total_window = "1h30"')
    protocols = protocols.replace('appointment_horizon = "12h"', 'appointment_horizon = "1 j"')
    desk = make_workspace(tmp_path / "cpts", protocols)
    assert desk("check").code == 0
    config = load_config(desk.home)
    assert (config.treating_doctor_window, config.total_window, config.appointment_horizon) == (
        timedelta(minutes=45),
        timedelta(minutes=90),
        timedelta(days=1),
    )


def test_a_duration_for_people_and_one_for_configuration() -> None:
    assert [duration_text(timedelta(minutes=m)) for m in (90, 120, 45, 2 * 1440, 1440 + 150)] == [
        "1 h 30",
        "2 h",
        "45 min",
        "2 d",
        "1 d 2 h 30",
    ]
    assert format_duration(timedelta(minutes=90)) == "1h30m"  # what configuration and JSON show, as before


# -- opening hours in roster.toml --------------------------------------------------------------------------------


def site_hours(tmp_path: Path, typed: str) -> tuple[frozenset[int], time, time]:
    desk = make_workspace(tmp_path / "cpts", roster=ROSTER.replace('"mon-fri 15:30-19:30"', f'"{typed}"'))
    span = load_config(desk.home).sites["cami"].hours[0]
    return span.days, span.start, span.end


WEEK = frozenset(range(5))


@pytest.mark.parametrize(
    "typed, days, start, end",
    [
        ("lun-ven 15h30-19h30", WEEK, time(15, 30), time(19, 30)),
        ("mon-fri 15:30-19:30", WEEK, time(15, 30), time(19, 30)),
        ("lun-ven 15h30-19:30", WEEK, time(15, 30), time(19, 30)),
        ("Lundi-Vendredi 8h-12h", WEEK, time(8), time(12)),
        ("sam 9h-12h", frozenset({5}), time(9), time(12)),
        ("samedi 9h à 12h", frozenset({5}), time(9), time(12)),
        ("lun,mer 9h-12h", frozenset({0, 2}), time(9), time(12)),
        ("lun, mer 9h-12h", frozenset({0, 2}), time(9), time(12)),
        ("sam-lun 20h-24h", frozenset({5, 6, 0}), time(20), time.max),
        ("du lundi au vendredi de 9h à 12h", WEEK, time(9), time(12)),
        ("lundi et mercredi de 14h à 18h30", frozenset({0, 2}), time(14), time(18, 30)),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_opening_hours_typed_the_french_way(
    tmp_path: Path, typed: str, days: frozenset[int], start: time, end: time
) -> None:
    assert site_hours(tmp_path, typed) == (days, start, end)


@pytest.mark.parametrize(
    "typed, message",
    [
        (
            "lun-vendr 9h-12h",
            "'lun-vendr 9h-12h': 'vendr' is not a day name; use mon tue wed thu fri sat sun, a range like mon-fri "
            "or a list like mon,wed.",
        ),
        ("lun-ven 9h", "'lun-ven 9h' is not a range of opening hours; write it like \"mon-fri 15:30-19:30\"."),
        (
            "lun-ven 19h-9h",
            "'lun-ven 19h-9h' ends before it starts; a range cannot run past midnight, split it in two.",
        ),
        ("lun-ven 9h-25h", "'lun-ven 9h-25h' has an impossible time of day."),
    ],
    ids=lambda value: value if "'" not in value else "",
)
def test_opening_hours_that_do_not_read_are_exit_2_with_an_example(tmp_path: Path, typed: str, message: str) -> None:
    desk = make_workspace(tmp_path / "cpts", roster=ROSTER.replace('"mon-fri 15:30-19:30"', f'"{typed}"'))
    run = desk("check")
    line = f'hours = ["{typed}"]'
    assert (run.code, run.err) == (
        2,
        f"snpctl: roster.toml:4:9: hours: {message}\n  4 | {line}\n    | {' ' * 8}^\n",
    )


def test_opening_hours_are_shown_in_the_reader_s_language(tmp_path: Path) -> None:
    desk = make_workspace(tmp_path / "cpts", roster=ROSTER.replace('"mon-fri 15:30-19:30"', '"lun-ven 15h30-19h30"'))
    assert load_config(desk.home).sites["cami"].hours_text == "mon-fri 15:30-19:30"


# -- the JSON and the ledger do not depend on how a time was typed -----------------------------------------------


def afternoon(desk: Desk, at: str, start: str) -> list[str]:
    outs = [
        desk("intake", "--motif", "fievre", "--source", "cot", "--treating-doctor", "none", "--json", now=start).out,
        desk("notify", "001C", "--json", now=start).out,
        desk("accept", "001C", "--by", "gp-b", "--at", at, "--json", now=start).out,
    ]
    return [*outs, desk("report", "--json", "--from", "01/11/2026" if "/" in at else "2026-11-01", now=start).out]


def test_json_and_ledger_are_the_same_whichever_way_a_time_is_typed(tmp_path: Path) -> None:
    iso = make_workspace(tmp_path / "iso")
    french = make_workspace(tmp_path / "french")
    assert afternoon(iso, "2026-11-30 16:30", "2026-11-30T16:00") == afternoon(
        french, "30/11/2026 à 16h30", "30/11/2026 16h"
    )
    assert iso.ledger_bytes() == french.ledger_bytes()


# -- in French, the language of the tool -------------------------------------------------------------------------


@pytest.fixture
def french() -> Iterator[None]:
    activate("fr")
    yield
    activate("en")


@pytest.mark.parametrize(
    "typed, message",
    [
        pytest.param(
            "30/11/26 14h", "--at '30/11/26 14h' : écrivez l'année en entier, par exemple 30/11/2026.", id="year"
        ),
        pytest.param(
            "11/30/2026 14:05",
            "--at '11/30/2026 14:05' : il n'y a pas de mois 30 ; écrivez le jour d'abord, par exemple 30/11/2026.",
            id="month-first",
        ),
        pytest.param(
            "1130", "--at '1130' : un nombre seul est ambigu ; écrivez l'heure comme 11h30.", id="bare-number"
        ),
        pytest.param("lundi", "--at 'lundi' : il manque l'heure ; ajoutez-la, par exemple lundi 9h.", id="no-time"),
        pytest.param(
            "demain matin",
            "--at 'demain matin' n'est pas une heure que je sais lire ; écrivez-la comme 17h45, demain 9h, lundi 9h, "
            "30/11 14h05 ou 30/11/2026 14h05.",
            id="unknown-word",
        ),
    ],
)
def test_a_refusal_in_french_gives_a_french_example(french: None, typed: str, message: str) -> None:
    assert refusal(typed) == message


def test_a_refused_time_in_french_on_the_command_line(desk: Desk) -> None:
    run = desk("intake", "--motif", "fievre", "--source", "cot", now="30/11/26 14h", SNPCTL_LANG="fr")
    assert (run.code, run.out) == (2, "")
    assert run.err.endswith("--now '30/11/26 14h' : écrivez l'année en entier, par exemple 30/11/2026.\n")
    assert desk.ledger_bytes() == b""


def test_durations_and_hours_for_people_in_french(french: None, tmp_path: Path) -> None:
    assert [duration_text(timedelta(minutes=m)) for m in (90, 2 * 1440, 45)] == ["1 h 30", "2 j", "45 min"]
    desk = make_workspace(tmp_path / "cpts", roster=ROSTER.replace('"mon-fri 15:30-19:30"', '"Mon-Fri 15:30-19:30"'))
    assert load_config(desk.home).sites["cami"].hours_text == "lun-ven 15h30-19h30"


def test_a_wrong_day_name_in_the_roster_in_french(tmp_path: Path) -> None:
    desk = make_workspace(tmp_path / "cpts", roster=ROSTER.replace('"mon-fri 15:30-19:30"', '"lun-vendr 9h-12h"'))
    run = desk("check", SNPCTL_LANG="fr")
    assert run.code == 2
    assert run.err.splitlines()[0].endswith(
        "'lun-vendr 9h-12h' : 'vendr' n'est pas un nom de jour ; utilisez lun mar mer jeu ven sam dim, une plage "
        "comme lun-ven ou une liste comme lun,mer."
    )
