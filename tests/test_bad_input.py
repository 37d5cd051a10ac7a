"""Bad input of every kind: each gets the contract's exit code and one plain line on stderr, and writes nothing.

Contract section 7: 1 = refused by a rule, 2 = bad usage or bad configuration (naming the file and
the key or line), 3 = ledger busy or damaged. One line on stderr (a configuration error may add the
offending line quoted and a caret under it, section 10), no traceback, nothing on stdout under
--json, and nothing written to the ledger by a command that fails.

The tables below read like a session at the desk: a few good commands (the setup), then the bad
one, then what the user must be told. Times are Europe/Paris; 2024-01-15 is a Monday in winter.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
from pathlib import Path

import pytest

from conftest import ROSTER, Desk, Run, run_cli

MONDAY = "2024-01-15"
SATURDAY = "2024-01-20"


def at(day: str, hhmm: str) -> str:
    return f"{day}T{hhmm}"


# -- helpers -------------------------------------------------------------------------------


def assert_clean_failure(
    run: Run, code: int, must: list, *, json_given: bool = True, before: bytes | None = None, after: bytes | None = None
) -> None:
    """The common promises of a failing command; ``must`` items are substrings (a tuple = any of them)."""
    shown = f"exit {run.code}\nstdout: {run.out!r}\nstderr: {run.err!r}"
    assert "Traceback" not in run.out + run.err, shown
    assert run.code == code, shown
    assert run.err.startswith("snpctl: "), shown
    _first, *quoted = run.err.splitlines()
    if code == 2 and quoted:  # a configuration file's line, quoted, and a caret under the column
        assert len(quoted) == 2 and re.match(r" +\d+ \| ", quoted[0]) and re.fullmatch(r" +\| +\^", quoted[1]), shown
    assert run.err.endswith("\n") and run.err.count("\n") == 1 + len(quoted), "not one line on stderr\n" + shown
    if json_given:
        assert run.out == "", "something on stdout under --json\n" + shown
    lowered = run.err.lower()
    for item in must:
        options = item if isinstance(item, tuple) else (item,)
        wanted = " or ".join(map(repr, options))
        assert any(o.lower() in lowered for o in options), f"stderr should mention {wanted}\n" + shown
    if before is not None:
        assert after == before, "the ledger changed\n" + shown


def play(desk: Desk, steps: list[tuple]) -> dict[str, str]:
    """Run good commands; collect the request ids printed by each intake as r1, r2, ..."""
    ids: dict[str, str] = {}
    for args, now in steps:
        args = [a.format(**ids) for a in args]
        run = desk(*args, "--json", now=now)
        assert run.code == 0, f"setup step {args} at {now} failed: exit {run.code}, {run.err!r}"
        if args[0] == "intake":
            ids[f"r{len(ids) + 1}"] = run.json["request"]
    return ids


def attempt(desk: Desk, steps: list[tuple], bad: tuple, now: str | None, **env: str) -> tuple[Run, bytes, bytes, dict]:
    ids = play(desk, steps)
    ids["wrong_letter"] = wrong_check_letter(ids["r1"]) if "r1" in ids else ""
    args = [a.format(**ids) for a in bad]
    before = desk.ledger_bytes()
    run = desk(*args, now=now, **env)
    return run, before, desk.ledger_bytes(), ids


def wrong_check_letter(rid: str) -> str:
    """The same number with another check letter: what an operator who misheard the letter types."""
    other = "A" if rid[-1].upper() != "A" else "C"
    return rid[:-1] + other


# Setups, in Europe/Paris local time on Monday 2024-01-15.
FEVER = (["intake", "--motif", "fievre", "--source", "cot"], at(MONDAY, "16:00"))
FEVER_MT_A = (["intake", "--motif", "fievre", "--source", "cot", "--treating-doctor", "gp-a"], at(MONDAY, "16:00"))
TOOTH = (["intake", "--motif", "dent", "--source", "cot"], at(MONDAY, "16:00"))
RENEWAL = (["intake", "--motif", "renouvellement", "--source", "cot"], at(MONDAY, "16:00"))
NOTIFY = (["notify", "{r1}"], at(MONDAY, "16:01"))  # community until 18:01
ACCEPT_B = (["accept", "{r1}", "--by", "gp-b", "--at", "17:00"], at(MONDAY, "16:10"))
OPEN = [FEVER]
COMMUNITY = [FEVER, NOTIFY]
ACCEPTED = [FEVER, NOTIFY, ACCEPT_B]
IN_MT_WINDOW = [FEVER_MT_A, NOTIFY]  # gp-a alone until 17:01


# -- 1. the command line (exit 2) ----------------------------------------------------------

NOW = at(MONDAY, "16:20")

COMMAND_LINE = [
    pytest.param(
        [], ("intake", "--motif", "fievree", "--source", "cot", "--json"), NOW, ["fievree"], id="intake-unknown-motif"
    ),
    pytest.param(
        [],
        ("intake", "--motif", "fievre", "--source", "telephone", "--json"),
        NOW,
        ["telephone"],
        id="intake-unknown-source",
    ),
    pytest.param(
        [],
        ("intake", "--motif", "fievre", "--source", "cot", "--treating-doctor", "gp-zz", "--json"),
        NOW,
        ["gp-zz"],
        id="intake-unknown-treating-doctor",
    ),
    pytest.param(
        COMMUNITY,
        ("refuse", "{r1}", "--by", "gp-b", "--reason", "tired", "--json"),
        NOW,
        ["tired"],
        id="refuse-unknown-reason",
    ),
    pytest.param(
        ACCEPTED, ("outcome", "{r1}", "seenn", "--json"), at(MONDAY, "17:30"), ["seenn"], id="outcome-unknown-word"
    ),
    pytest.param(
        COMMUNITY,
        ("accept", "{r1}", "--by", "gp-b", "--at", "17:00", "--site", "hopital", "--json"),
        NOW,
        ["hopital"],
        id="accept-unknown-site",
    ),
    pytest.param(
        OPEN,
        ("book", "{r1}", "--by", "gp-cami", "--at", "17:00", "--site", "hopital", "--json"),
        NOW,
        ["hopital"],
        id="book-unknown-site",
    ),
    pytest.param(
        COMMUNITY,
        ("accept", "{r1}", "--by", "gp-b", "--at", "demain matin", "--json"),
        NOW,
        ["demain matin"],
        id="accept-at-unreadable",
    ),
    pytest.param(
        COMMUNITY,
        ("accept", "{r1}", "--by", "gp-b", "--at", "25:00", "--json"),
        NOW,
        ["25:00"],
        id="accept-at-impossible-hour",
    ),
    pytest.param(
        [],
        ("intake", "--motif", "fievre", "--source", "cot", "--json"),
        "hier soir",
        ["--now", "hier soir"],
        id="intake-now-unreadable",
    ),
    pytest.param(OPEN, ("list", "--json"), "2024-13-01 10:00", ["2024-13-01 10:00"], id="list-now-impossible-date"),
    pytest.param(
        [(FEVER[0], "2025-03-30T01:00"), (NOTIFY[0], "2025-03-30T01:01")],
        ("accept", "{r1}", "--by", "gp-b", "--at", "2025-03-30 02:30", "--json"),
        "2025-03-30T01:05",
        ["2025-03-30 02:30"],
        id="accept-at-skipped-by-dst",
    ),
    pytest.param(
        [(FEVER[0], "2025-10-26T01:00"), (NOTIFY[0], "2025-10-26T01:01")],
        ("accept", "{r1}", "--by", "gp-b", "--at", "2025-10-26 02:30", "--json"),
        "2025-10-26T01:05",
        ["2025-10-26 02:30"],
        id="accept-at-ambiguous-dst",
    ),
    pytest.param(
        [],
        ("intake", "--motif", "fievre", "--source", "cot", "--json"),
        "2025-03-30 02:30",
        ["2025-03-30 02:30"],
        id="intake-now-skipped-by-dst",
    ),
    pytest.param(
        [],
        ("intake", "--motif", "fievre", "--source", "cot", "--json"),
        "2025-10-26 02:30",
        ["2025-10-26 02:30"],
        id="intake-now-ambiguous-dst",
    ),
    pytest.param(COMMUNITY, ("accept", "{r1}", "--at", "17:00", "--json"), NOW, ["--by"], id="accept-without-by"),
    pytest.param(COMMUNITY, ("accept", "{r1}", "--by", "gp-b", "--json"), NOW, ["--at"], id="accept-without-at"),
    pytest.param([], ("intake", "--source", "cot", "--json"), NOW, ["--motif"], id="intake-without-motif"),
    pytest.param(OPEN, ("notify", "--json"), NOW, ["request"], id="notify-without-request"),
    pytest.param(OPEN, ("list", "--everything", "--json"), NOW, ["--everything"], id="list-unknown-option"),
    pytest.param(OPEN, ("acept", "{r1}", "--json"), NOW, ["acept"], id="unknown-command"),
    pytest.param(OPEN, ("report", "--from", "janvyer", "--json"), NOW, ["janvyer"], id="report-from-unreadable"),
    pytest.param(OPEN, ("report", "--format", "pdf"), NOW, ["pdf"], id="report-unknown-format"),
    pytest.param(
        OPEN,
        ("report", "--from", "2024-02-01", "--to", "2024-01-01", "--format", "json"),
        NOW,
        ["2024-02-01", "2024-01-01"],
        id="report-from-after-to",
    ),
]


@pytest.mark.parametrize("steps, bad, now, must", COMMAND_LINE)
def test_bad_command_line_is_exit_2(desk: Desk, steps, bad, now, must) -> None:
    run, before, after, _ids = attempt(desk, steps, bad, now)
    assert_clean_failure(run, 2, must, json_given="--json" in bad, before=before, after=after)


def test_bad_now_from_the_environment_is_exit_2(desk: Desk) -> None:
    play(desk, OPEN)
    before = desk.ledger_bytes()
    run = desk("intake", "--motif", "fievre", "--source", "cot", "--json", SNPCTL_NOW="bientot")
    assert_clean_failure(run, 2, ["bientot"], before=before, after=desk.ledger_bytes())


# -- 2. the rules (exit 1) -----------------------------------------------------------------

RULES = [
    # which request
    pytest.param(OPEN, ("notify", "002E", "--json"), NOW, ["002E"], id="unknown-request-id"),
    pytest.param(
        OPEN, ("notify", "{wrong_letter}", "--json"), NOW, ["{wrong_letter}", "check letter"], id="wrong-check-letter"
    ),
    pytest.param(
        ACCEPTED,
        ("outcome", "{wrong_letter}", "cancelled", "--json"),
        NOW,
        ["{wrong_letter}", "check letter"],
        id="wrong-check-letter-on-outcome",
    ),
    # which member
    pytest.param(
        COMMUNITY,
        ("accept", "{r1}", "--by", "gp-zz", "--at", "17:00", "--json"),
        NOW,
        ["gp-zz"],
        id="accept-unknown-member",
    ),
    pytest.param(COMMUNITY, ("refuse", "{r1}", "--by", "gp-zz", "--json"), NOW, ["gp-zz"], id="refuse-unknown-member"),
    pytest.param(
        OPEN, ("book", "{r1}", "--by", "gp-zz", "--at", "17:00", "--json"), NOW, ["gp-zz"], id="book-unknown-member"
    ),
    pytest.param(
        COMMUNITY,
        ("accept", "{r1}", "--by", "dent-a", "--at", "17:00", "--json"),
        NOW,
        ["dent-a", "generaliste"],
        id="dentist-accepts-fever",
    ),
    pytest.param(
        [TOOTH, NOTIFY],
        ("accept", "{r1}", "--by", "gp-a", "--at", "17:00", "--json"),
        NOW,
        ["gp-a", "dentiste"],
        id="gp-accepts-tooth",
    ),
    pytest.param(
        [TOOTH],
        ("book", "{r1}", "--by", "gp-cami", "--at", "17:00", "--json"),
        NOW,
        ["gp-cami", "dentiste"],
        id="gp-books-tooth",
    ),
    pytest.param(
        COMMUNITY,
        ("accept", "{r1}", "--by", "gp-away", "--at", "17:00", "--json"),
        NOW,
        ["gp-away", "active"],
        id="inactive-member-accepts",
    ),
    pytest.param(
        COMMUNITY,
        ("accept", "{r1}", "--by", "gp-off", "--at", "17:00", "--json"),
        NOW,
        ["gp-off", "registered"],
        id="unregistered-member-accepts",
    ),
    pytest.param(
        COMMUNITY,
        ("refuse", "{r1}", "--by", "gp-off", "--json"),
        NOW,
        ["gp-off", "registered"],
        id="unregistered-member-refuses",
    ),
    # where the request stands
    pytest.param(
        OPEN,
        ("accept", "{r1}", "--by", "gp-b", "--at", "17:00", "--json"),
        NOW,
        ["{r1}", ("not been triggered", "not yet triggered", "notify")],
        id="accept-before-notify",
    ),
    pytest.param(
        OPEN,
        ("refuse", "{r1}", "--by", "gp-b", "--json"),
        NOW,
        ["{r1}", ("not been triggered", "not yet triggered", "notify")],
        id="refuse-before-notify",
    ),
    pytest.param(COMMUNITY, ("notify", "{r1}", "--json"), NOW, ["{r1}", "already"], id="notify-twice"),
    pytest.param([RENEWAL], ("notify", "{r1}", "--json"), NOW, ["{r1}", "out of protocol"], id="notify-redirected"),
    pytest.param(
        IN_MT_WINDOW,
        ("accept", "{r1}", "--by", "gp-b", "--at", "17:30", "--json"),
        at(MONDAY, "16:30"),
        ["gp-a", ("reserved", "treating doctor")],
        id="accept-during-treating-doctor-window",
    ),
    pytest.param(
        ACCEPTED,
        ("accept", "{r1}", "--by", "gp-a", "--at", "17:30", "--json"),
        at(MONDAY, "16:20"),
        ["already", "gp-b", "16:10"],
        id="accept-already-accepted-names-who-and-when",
    ),
    pytest.param(
        ACCEPTED,
        ("book", "{r1}", "--by", "gp-cami", "--at", "17:30", "--json"),
        at(MONDAY, "16:20"),
        ["already", "gp-b"],
        id="book-already-accepted",
    ),
    pytest.param(
        [FEVER, NOTIFY, (["tick"], at(MONDAY, "18:02"))],
        ("accept", "{r1}", "--by", "gp-b", "--at", "19:00", "--json"),
        at(MONDAY, "18:05"),
        ["{r1}", "not filled"],
        id="accept-after-expiry",
    ),
    pytest.param(
        COMMUNITY,
        ("accept", "{r1}", "--by", "gp-b", "--at", "19:00", "--json"),
        at(MONDAY, "18:05"),
        ["{r1}", "not filled"],
        id="accept-after-expiry-before-tick",
    ),
    pytest.param(
        [FEVER, NOTIFY, (["outcome", "{r1}", "cancelled"], at(MONDAY, "16:05"))],
        ("accept", "{r1}", "--by", "gp-b", "--at", "17:00", "--json"),
        NOW,
        ["{r1}", ("closed", "cancelled")],
        id="accept-cancelled-request",
    ),
    # the appointment
    pytest.param(
        COMMUNITY,
        ("accept", "{r1}", "--by", "gp-b", "--at", "15:00", "--json"),
        NOW,
        ["15:00", "past"],
        id="appointment-in-the-past",
    ),
    pytest.param(
        COMMUNITY,
        ("accept", "{r1}", "--by", "gp-b", "--at", "2024-01-16 09:00", "--json"),
        NOW,
        ["9:00", ("12 h", "horizon")],
        id="appointment-beyond-horizon",
    ),
    pytest.param(
        OPEN,
        ("book", "{r1}", "--by", "gp-cami", "--at", "2024-01-16 09:00", "--json"),
        NOW,
        ["9:00", ("12 h", "horizon")],
        id="booking-beyond-horizon",
    ),
    pytest.param(
        COMMUNITY,
        ("accept", "{r1}", "--by", "gp-a", "--at", "21:00", "--site", "cami", "--json"),
        NOW,
        ["cami", "21:00"],
        id="cami-closed-at-21h",
    ),
    pytest.param(
        COMMUNITY,
        ("accept", "{r1}", "--by", "gp-cami", "--at", "21:00", "--json"),
        NOW,
        ["cami", "21:00"],
        id="cami-closed-default-site",
    ),
    pytest.param(
        [(FEVER[0], at(SATURDAY, "16:00")), (NOTIFY[0], at(SATURDAY, "16:01"))],
        ("accept", "{r1}", "--by", "gp-cami", "--at", "17:00", "--json"),
        at(SATURDAY, "16:10"),
        ["cami", "17:00"],
        id="cami-closed-on-saturday",
    ),
    pytest.param(
        [(FEVER[0], at(SATURDAY, "16:00"))],
        ("book", "{r1}", "--by", "gp-b", "--at", "17:00", "--site", "cami", "--json"),
        at(SATURDAY, "16:10"),
        ["cami", "17:00"],
        id="booking-cami-on-saturday",
    ),
    # refusals
    pytest.param(
        [FEVER, NOTIFY, (["refuse", "{r1}", "--by", "gp-b"], at(MONDAY, "16:05"))],
        ("refuse", "{r1}", "--by", "gp-b", "--json"),
        NOW,
        ["gp-b", "already"],
        id="refuse-twice",
    ),
    pytest.param(
        [FEVER, NOTIFY, (["refuse", "{r1}", "--by", "gp-b"], at(MONDAY, "16:05"))],
        ("accept", "{r1}", "--by", "gp-b", "--at", "17:00", "--json"),
        NOW,
        ["gp-b", "refused"],
        id="accept-after-own-refusal",
    ),
    # direct booking
    pytest.param(
        COMMUNITY,
        ("book", "{r1}", "--by", "gp-cami", "--at", "17:00", "--json"),
        NOW,
        ["{r1}", ("cascade", "triggered", "accept")],
        id="book-triggered-request",
    ),
    # outcomes
    pytest.param(
        ACCEPTED, ("outcome", "{r1}", "seen", "--json"), at(MONDAY, "16:30"), ["17:00"], id="seen-before-appointment"
    ),
    pytest.param(
        ACCEPTED,
        ("outcome", "{r1}", "no-show", "--json"),
        at(MONDAY, "16:30"),
        ["17:00"],
        id="no-show-before-appointment",
    ),
    pytest.param(
        COMMUNITY,
        ("outcome", "{r1}", "seen", "--json"),
        NOW,
        ["{r1}", ("appointment", "accepted")],
        id="seen-without-appointment",
    ),
    pytest.param(
        [RENEWAL],
        ("outcome", "{r1}", "cancelled", "--json"),
        NOW,
        ["{r1}", ("closed", "redirected")],
        id="cancel-redirected-request",
    ),
    pytest.param(
        [FEVER, NOTIFY, ACCEPT_B, (["outcome", "{r1}", "seen"], at(MONDAY, "17:30"))],
        ("outcome", "{r1}", "no-show", "--json"),
        at(MONDAY, "17:40"),
        ["{r1}", ("closed", "seen")],
        id="no-show-after-seen",
    ),
    # time going backwards within a request
    pytest.param(
        OPEN,
        ("notify", "{r1}", "--json"),
        at(MONDAY, "15:00"),
        ["{r1}", ("before", "backwards")],
        id="notify-dated-before-intake",
    ),
    pytest.param(
        ACCEPTED,
        ("outcome", "{r1}", "cancelled", "--json"),
        at(MONDAY, "16:05"),
        ["{r1}", ("before", "backwards")],
        id="cancel-dated-before-acceptance",
    ),
]


@pytest.mark.parametrize("steps, bad, now, must", RULES)
def test_refused_by_a_rule_is_exit_1(desk: Desk, steps, bad, now, must) -> None:
    run, before, after, ids = attempt(desk, steps, bad, now)
    must = [tuple(o.format(**ids) for o in m) if isinstance(m, tuple) else m.format(**ids) for m in must]
    assert_clean_failure(run, 1, must, before=before, after=after)


def test_an_id_typed_without_its_leading_zeros_is_not_blamed_on_its_check_letter(desk: Desk) -> None:
    """Read aloud as "one C", 001C gets typed 1C, and its check letter is right. If the short form is refused,
    the message must not blame the letter (the operator would re-ask the caller for a letter that was correct)."""
    ids = play(desk, OPEN)
    short = ids["r1"].lstrip("0")
    before = desk.ledger_bytes()
    run = desk("show", short, "--json", now=NOW)
    if run.code == 0:
        assert run.json["request"] == ids["r1"]
        return
    assert_clean_failure(run, 1, [short], before=before, after=desk.ledger_bytes())
    assert "check letter" not in run.err.lower(), run.err


# -- 3. the configuration (exit 2, naming the file and the key) --------------------------------

INTERNE = """
[[member]]
id = "int-a"
name = "Interne A"
profession = "generaliste"
status = "interne"
site = "cabinet"
registered = true
"""

CONFIG = [
    pytest.param("protocols.toml", "[cascade]\n", "[cascade\n", ["protocols.toml:3:9:", "]"], id="protocols-not-toml"),
    pytest.param(
        "roster.toml", 'key = "cami"\n', 'key = "cami\n', ["roster.toml:2:12:", "quote"], id="roster-not-toml"
    ),
    pytest.param(
        "protocols.toml", 'total_window = "2h"\n', "", ["protocols.toml", "total_window"], id="missing-total-window"
    ),
    pytest.param("protocols.toml", "[cascade]\n", "", ["protocols.toml", "cascade"], id="missing-cascade-table"),
    pytest.param(
        "protocols.toml",
        'treating_doctor_window = "1h"',
        'treating_doctor_window = "une heure"',
        ["protocols.toml", "treating_doctor_window", "une heure"],
        id="duration-1-hour",
    ),
    pytest.param(
        "protocols.toml",
        'appointment_horizon = "12h"',
        "appointment_horizon = 12",
        ["protocols.toml", "appointment_horizon"],
        id="duration-not-a-string",
    ),
    pytest.param(
        "protocols.toml",
        'treating_doctor_window = "1h"',
        'treating_doctor_window = "3h"',
        ["protocols.toml", "treating_doctor_window", "total_window"],
        id="window-longer-than-total",
    ),
    pytest.param(
        "protocols.toml",
        'timezone = "Europe/Paris"',
        'timezone = "Europe/Pariss"',
        ["protocols.toml", "timezone", "Europe/Pariss"],
        id="unknown-time-zone",
    ),
    pytest.param(
        "protocols.toml",
        'action = "redirect"',
        'action = "rediriger"',
        ["protocols.toml", "action", "rediriger"],
        id="unknown-action",
    ),
    pytest.param(
        "protocols.toml", 'key = "dent"', 'key = "fievre"', ["protocols.toml", "fievre"], id="duplicate-protocol-key"
    ),
    pytest.param(
        "protocols.toml",
        'appointment_horizon = "12h"\n',
        'appointment_horizon = "12h"\nappointment_horizn = "6h"\n',
        ["protocols.toml", "appointment_horizn"],
        id="unknown-key-extra",
    ),
    pytest.param(
        "protocols.toml",
        'treating_doctor_window = "1h"',
        'treating_doctor_windw = "1h"',
        ["protocols.toml", "treating_doctor_windw"],
        id="unknown-key-typo-of-required-key",
    ),
    pytest.param(
        "protocols.toml",
        'profession = "dentiste"',
        'profesion = "dentiste"',
        ["protocols.toml", "profesion"],
        id="unknown-key-typo-of-optional-key",
    ),
    pytest.param(
        "roster.toml",
        '"mon-fri 15:30-19:30"',
        '"mon-fry 15:30-19:30"',
        ["roster.toml", "hours", "fry"],
        id="hours-unknown-day",
    ),
    pytest.param(
        "roster.toml",
        '"mon-fri 15:30-19:30"',
        '"mon-fri 19:30-15:30"',
        ["roster.toml", "hours", "19:30-15:30"],
        id="hours-end-before-start",
    ),
    pytest.param(
        "roster.toml",
        '"mon-fri 15:30-19:30"',
        '"mon-fri 15:30-25:00"',
        ["roster.toml", "hours", "25:00"],
        id="hours-impossible-time",
    ),
    pytest.param("roster.toml", 'id = "gp-b"', 'id = "gp-a"', ["roster.toml", "gp-a", "id"], id="duplicate-member-id"),
    pytest.param(
        "roster.toml", None, ROSTER + INTERNE, ["roster.toml:55:1:", "supervisor"], id="interne-without-supervisor"
    ),
    pytest.param(
        "roster.toml",
        None,
        ROSTER + INTERNE + 'supervisor = "gp-zz"\n',
        ["roster.toml", "supervisor", "gp-zz"],
        id="supervisor-not-a-member",
    ),
    pytest.param(
        "roster.toml",
        'id = "dent-a"\nname = "Dr Dent"\nprofession = "dentiste"\nstatus = "titulaire"\nsite = "cabinet"',
        'id = "dent-a"\nname = "Dr Dent"\nprofession = "dentiste"\nstatus = "titulaire"\nsite = "maison-de-sante"',
        ["roster.toml", "site", "maison-de-sante"],
        id="member-site-unknown",
    ),
    pytest.param(
        "roster.toml",
        'status = "remplacant"',
        'status = "remplaçante"',
        ["roster.toml", "status", "remplaçante"],
        id="unknown-member-status",
    ),
    pytest.param(
        "roster.toml",
        "registered = false",
        'registered = "non"',
        ["roster.toml", "registered"],
        id="registered-not-a-boolean",
    ),
    pytest.param("roster.toml", 'id = "gp-off"', 'id = "none"', ["roster.toml", "none"], id="reserved-member-id-none"),
    pytest.param(
        "roster.toml", 'id = "gp-off"', 'id = "external"', ["roster.toml", "external"], id="reserved-member-id-external"
    ),
    pytest.param(
        "roster.toml", "registered = false", "regsitered = false", ["roster.toml", "regsitered"], id="member-key-typo"
    ),
    pytest.param("roster.toml", "", None, ["roster.toml", "not found"], id="missing-roster"),
    pytest.param("protocols.toml", "", None, ["protocols.toml", "not found"], id="missing-protocols"),
]

CONFIG_COMMANDS = [
    pytest.param(("check", "--json"), None, id="check"),
    pytest.param(("list", "--json"), None, id="list"),  # as a person types it: no --now
    pytest.param(("show", "{r1}", "--json"), None, id="show"),
    pytest.param(("intake", "--motif", "fievre", "--source", "cot", "--json"), at(MONDAY, "16:20"), id="intake"),
    pytest.param(("tick", "--json"), None, id="tick"),  # as cron runs it
]


@pytest.mark.parametrize("command, now", CONFIG_COMMANDS)
@pytest.mark.parametrize("file, old, new, must", CONFIG)
def test_bad_configuration_is_exit_2_for_every_command(desk: Desk, file, old, new, must, command, now) -> None:
    ids = play(desk, COMMUNITY)  # a ledger with history, written under the good configuration
    path = desk.home / file
    if new is None:
        path.unlink()
    elif old is None:
        path.write_text(new, encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"the test's edit {old!r} does not match {file} exactly once"
        path.write_text(text.replace(old, new), encoding="utf-8")
    before = desk.ledger_bytes()
    run = desk(*[a.format(**ids) for a in command], now=now)
    assert_clean_failure(run, 2, must, before=before, after=desk.ledger_bytes())


def test_list_checks_the_configuration_even_when_nothing_is_open(desk: Desk) -> None:
    """A bad roster must stop `list` too, not only when some open request happens to need it."""
    play(desk, [RENEWAL])  # one call, closed at once: nothing is open
    path = desk.home / "roster.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('id = "gp-b"', 'id = "gp-a"'), encoding="utf-8")
    before = desk.ledger_bytes()
    run = desk("list", "--json")
    assert_clean_failure(run, 2, ["roster.toml", "gp-a"], before=before, after=desk.ledger_bytes())


WRONG_HOMES = [
    pytest.param("missing-folder", ("list", "--json"), ["protocols.toml", "not found"], id="list-in-missing-folder"),
    pytest.param("empty-folder", ("list", "--json"), ["protocols.toml", "not found"], id="list-in-empty-folder"),
    pytest.param("empty-folder", ("check", "--json"), ["protocols.toml", "not found"], id="check-in-empty-folder"),
    pytest.param("empty-folder", ("tick", "--json"), ["protocols.toml", "not found"], id="tick-in-empty-folder"),
    pytest.param("a-file", ("check", "--json"), ["protocols.toml"], id="check-home-is-a-file"),
    pytest.param("a-file", ("list", "--json"), ["protocols.toml"], id="list-home-is-a-file"),
    pytest.param(
        "a-file",
        ("intake", "--motif", "fievre", "--source", "cot", "--json"),
        ["protocols.toml"],
        id="intake-home-is-a-file",
    ),
    pytest.param("roster-is-a-folder", ("check", "--json"), ["roster.toml"], id="check-roster-is-a-folder"),
]


@pytest.mark.parametrize("where, command, must", WRONG_HOMES)
def test_a_wrong_workspace_is_exit_2(desk: Desk, tmp_path: Path, where: str, command: tuple, must: list) -> None:
    """The operator or cron points --home at the wrong place: say so, never answer "nothing open"."""
    play(desk, [FEVER])
    home = {
        "missing-folder": tmp_path / "nowhere",
        "empty-folder": tmp_path / "empty",
        "a-file": desk.home / "protocols.toml",
        "roster-is-a-folder": desk.home,
    }[where]
    if where == "empty-folder":
        home.mkdir()
    if where == "roster-is-a-folder":
        (home / "roster.toml").unlink()
        (home / "roster.toml").mkdir()
    before = desk.ledger_bytes()
    run = run_cli([*command, "--home", str(home)])
    assert_clean_failure(run, 2, must, before=before, after=desk.ledger_bytes())


def test_good_configuration_is_silent(desk: Desk) -> None:
    """The counterpart of the table above: the unedited inline files pass `check`."""
    run = desk("check")
    assert (run.code, run.out, run.err) == (0, "", "")


# -- 4. the ledger (exit 3) ---------------------------------------------------------------


def _edit_line(kind: str, raw: bytes) -> bytes:
    if kind == "not-json":
        return b"this is not json {"
    event = json.loads(raw)
    if kind == "unknown-type":
        event["type"] = "teleport"
    elif kind == "prev-edited":
        prev = event["prev"]
        event["prev"] = ("1" if prev[0] != "1" else "2") + prev[1:]
    return json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


DAMAGE = [
    pytest.param("not-json", 2, id="line-not-json"),
    pytest.param("unknown-type", 2, id="unknown-event-type"),
    pytest.param("prev-edited", 2, id="prev-hash-edited"),
    pytest.param("not-json", -1, id="complete-last-line-not-json"),  # it has its newline: not a torn write
]

LEDGER_COMMANDS = [
    pytest.param(("intake", "--motif", "fievre", "--source", "cot", "--json"), id="intake"),
    pytest.param(("notify", "{r2}", "--json"), id="notify"),
    pytest.param(("tick", "--json"), id="tick"),
    pytest.param(("list", "--json"), id="list"),
    pytest.param(("show", "{r1}", "--json"), id="show"),
    pytest.param(("report", "--format", "json"), id="report"),
]


@pytest.mark.parametrize("command", LEDGER_COMMANDS)
@pytest.mark.parametrize("damage, line", DAMAGE)
def test_damaged_ledger_is_exit_3(desk: Desk, damage: str, line: int, command: tuple) -> None:
    ids = play(desk, [FEVER, NOTIFY, (FEVER[0], at(MONDAY, "16:02"))])
    files = sorted((desk.home / "ledger").glob("*.jsonl"))
    assert len(files) == 1
    path = files[0]
    lines = path.read_bytes().split(b"\n")
    assert len(lines) >= 4 and lines[-1] == b""  # at least three events, each ending with its newline
    if line == -1:
        line = len(lines) - 1  # the last complete line
    lines[line - 1] = _edit_line(damage, lines[line - 1])
    path.write_bytes(b"\n".join(lines))
    before = desk.ledger_bytes()
    run = desk(*[a.format(**ids) for a in command], now=at(MONDAY, "16:20"))
    assert_clean_failure(run, 3, [f"ledger/{path.name}:{line}"], before=before, after=desk.ledger_bytes())
    if damage == "unknown-type":
        assert "teleport" in run.err


def test_busy_ledger_is_exit_3(desk: Desk) -> None:
    play(desk, OPEN)
    before = desk.ledger_bytes()
    fd = os.open(desk.home / "ledger", os.O_RDONLY | os.O_DIRECTORY)  # the ledger's lock is on ledger/ itself
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # another command holds the ledger
        run = desk(
            "intake",
            "--motif",
            "fievre",
            "--source",
            "cot",
            "--json",
            now=at(MONDAY, "16:20"),
            SNPCTL_LOCK_TIMEOUT="0.2",
        )
    finally:
        os.close(fd)
    assert_clean_failure(run, 3, ["busy"], before=before, after=desk.ledger_bytes())


def _rechain(lines: list[bytes]) -> list[bytes]:
    """Recompute every ``prev``: damage made by a tool (or a person) that kept the hash chain whole."""
    previous, out = "0" * 64, []
    for raw in lines:
        event = json.loads(raw)
        event["prev"] = previous
        raw = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        previous = hashlib.sha256(raw).hexdigest()
        out.append(raw)
    return out


CONTENT_DAMAGE = [
    pytest.param("at", "hier", id="unreadable-time"),
    pytest.param("request", "099U", id="event-for-a-request-never-taken-in"),
]


@pytest.mark.parametrize("command", LEDGER_COMMANDS)
@pytest.mark.parametrize("field, value", CONTENT_DAMAGE)
def test_event_that_does_not_fit_is_exit_3_even_with_a_whole_chain(
    desk: Desk, field: str, value: str, command: tuple
) -> None:
    """Every command, readers included, refuses the same ledger, with the same file:line."""
    ids = play(desk, [FEVER, NOTIFY, (FEVER[0], at(MONDAY, "16:02"))])
    path = sorted((desk.home / "ledger").glob("*.jsonl"))[0]
    lines = path.read_bytes().splitlines()
    event = json.loads(lines[1])  # the notify of r1
    event[field] = value
    lines[1] = json.dumps(event).encode("utf-8")
    path.write_bytes(b"\n".join(_rechain(lines)) + b"\n")
    before = desk.ledger_bytes()
    run = desk(*[a.format(**ids) for a in command], now=at(MONDAY, "16:20"))
    assert_clean_failure(run, 3, [f"ledger/{path.name}:2"], before=before, after=desk.ledger_bytes())
