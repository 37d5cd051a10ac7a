"""Sanity of what people type and configure (issue 11, items 4 and 7): nothing absurd reaches the ledger, nothing
typed or configured is interpreted by the terminal, and every such mistake is one plain line with exit 2.

- Configuration values that commands write into ledger lines (keys, ids, categories, professions) are slugs
  and pass verify's own personal-data test, at `check` and at every load.
- Typed times (--now, SNPCTL_NOW, --at, report --from/--to) fall between 2000-01-01 and 2099-12-31; durations
  in the TOML are at most 366 days.
- Labels, names, addresses and free text are printed as written: no rich markup read, control characters escaped.
- `verify --checkpoint` is safe when run many times at once, and says plainly what is wrong with a bad path.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from snpctl.config import load_config
from snpctl.timefmt import parse_duration

from conftest import PROTOCOLS, REPO, ROSTER, Desk, make_workspace, run_cli, run_process
from test_bad_input import MONDAY, assert_clean_failure, at, play

NOW = at(MONDAY, "16:20")
FEVER = (["intake", "--motif", "fievre", "--source", "cot"], at(MONDAY, "16:00"))
NOTIFY = (["notify", "{r1}"], at(MONDAY, "16:01"))


def edited(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} is not in the test's configuration exactly once"
    return text.replace(old, new)


# -- configuration values that reach the ledger (item 4) ------------------------------------------------------

PERSONAL_CONFIG = [
    pytest.param(
        "protocols.toml",
        'category = "dentaire"\naction = "trigger"\nprofession = "dentiste"',
        'category = "dentaire"\naction = "trigger"\nprofession = "Dr Jean Dupont 06 12 34 56 78"',
        "protocols.toml:19:14: profession: 'Dr Jean Dupont 06 12 34 56 78' should be lowercase letters, "
        "digits, '-', '_' or '.', with no spaces.",
        id="profession-with-a-name-and-a-phone-number",
    ),
    pytest.param(
        "protocols.toml",
        'profession = "dentiste"',
        'profession = "dr-0612345678"',
        "protocols.toml:19:14: profession: 'dr-0612345678' looks like a phone number, and this value "
        "is written into the ledger, which must hold no personal data; choose another one.",
        id="profession-slug-with-a-phone-number",
    ),
    pytest.param(
        "roster.toml",
        'id = "gp-b"',
        'id = "mg-0612345678"',
        "roster.toml:16:6: id: 'mg-0612345678' looks like a phone number, and this "
        "value is written into the ledger, which must hold no personal data; choose another one.",
        id="member-id-with-a-phone-number",
    ),
    pytest.param(
        "roster.toml",
        'id = "gp-b"',
        'id = "1850578006084"',
        "roster.toml:16:6: id: '1850578006084' looks like a social security number, "
        "and this value is written into the ledger, which must hold no personal data; choose another one.",
        id="member-id-a-social-security-number",
    ),
    pytest.param(
        "roster.toml",
        'id = "gp-b"',
        'id = "jean.dupont@gmail.com"',
        "roster.toml:16:6: id: 'jean.dupont@gmail.com' should be lowercase "
        "letters, digits, '-', '_' or '.', with no spaces.",
        id="member-id-an-email-address",
    ),
    pytest.param(
        "roster.toml",
        'key = "cami"',
        'key = "cami-0145678901"',
        "roster.toml:2:7: key: 'cami-0145678901' looks like a phone number, and this value is written "
        "into the ledger, which must hold no personal data; choose another one.",
        id="site-key-with-a-phone-number",
    ),
    pytest.param(
        "protocols.toml",
        'category = "infectieux"',
        'category = "cat.0612345678"',
        "protocols.toml:11:12: category: 'cat.0612345678' looks like a phone number, and this value "
        "is written into the ledger, which must hold no personal data; choose another one.",
        id="category-with-a-phone-number",
    ),
]


@pytest.mark.parametrize("file, old, new, message", PERSONAL_CONFIG)
def test_check_refuses_a_config_value_that_verify_would_refuse_in_the_ledger(
    desk: Desk, file, old, new, message
) -> None:
    path = desk.home / file
    path.write_text(edited(path.read_text(encoding="utf-8"), old, new), encoding="utf-8")
    run = desk("check")
    first, *quoted = run.err.splitlines()  # the message, then the line quoted and a caret under the value
    assert (run.code, first, len(quoted)) == (2, f"snpctl: {message}", 2), run.err


def test_the_personal_data_test_runs_at_every_load_even_from_the_kept_parse(desk: Desk) -> None:
    """The parse of a file is kept in .snpctl/ (a shortcut); the checks are not: the second command refuses too."""
    (desk.home / ".snpctl").mkdir()
    path = desk.home / "roster.toml"
    path.write_text(edited(path.read_text(encoding="utf-8"), 'id = "gp-b"', 'id = "mg-0612345678"'), encoding="utf-8")
    for _attempt in range(2):
        run = desk("intake", "--motif", "fievre", "--source", "cot", "--json", now=NOW)
        assert_clean_failure(
            run,
            2,
            ["roster.toml:16:6: id:", "phone number"],
            before=b"",
            after=desk.ledger_bytes(),
        )
        assert (desk.home / ".snpctl" / "roster.toml.parsed").exists(), "the parse was not kept: no shortcut tested"


def test_the_shipped_example_loads() -> None:
    config = load_config(REPO)
    assert config.protocols and config.members


def test_every_shipped_scenario_loads(tmp_path: Path) -> None:
    import tomli_w
    from snpctl.simulate import load_scenario, protocols_toml, roster_toml, scenario_names

    for name in scenario_names():
        scenario = load_scenario(name)
        home = tmp_path / name
        make_workspace(home, tomli_w.dumps(protocols_toml(scenario)), tomli_w.dumps(roster_toml(scenario)))
        assert load_config(home).members, name


@pytest.mark.parametrize(
    "old, new, message",
    [
        pytest.param(
            "[cascade]",
            "cascade = 5\n[unused]",
            "protocols.toml:3:11: cascade: should be a table of keys, found 5; "
            "write it as a [section] with its keys below it.",
            id="cascade-a-number",
        ),
        pytest.param(
            "[cascade]",
            "[[cascade]]",
            "protocols.toml:3:1: cascade: should be a table of keys, found [{...}]; write it as a [section] with its "
            "keys below it.",
            id="cascade-a-list-of-tables",
        ),
        pytest.param(
            'label = "Fièvre"',
            "label = 2024-01-15",
            "protocols.toml:10:9: label: should be a text between quotes, found 2024-01-15.",
            id="label-a-date",
        ),
    ],
)
def test_a_value_of_the_wrong_type_is_exit_2_naming_it(tmp_path: Path, old: str, new: str, message: str) -> None:
    desk = make_workspace(tmp_path / "cpts", edited(PROTOCOLS, old, new))
    run = desk("check")
    assert run.code == 2 and run.err.startswith(f"snpctl: {message}\n") and run.err.count("\n") == 3, run.err


# -- typed times (item 7) ----------------------------------------------------------------------------------------

OUT_OF_RANGE = "is out of range: snpctl takes dates from 2000-01-01 to 2099-12-31."


@pytest.mark.parametrize(
    "typed", ["9999-12-31 23:59", "0001-01-01 12:00", "0001-01-01", "1999-12-31 23:59", "2100-01-01T00:00:00+02:00"]
)
def test_now_outside_the_years_of_use_is_exit_2_and_writes_nothing(desk: Desk, typed: str) -> None:
    play(desk, [FEVER])
    files = sorted(p.name for p in (desk.home / "ledger").iterdir())
    before = desk.ledger_bytes()
    run = desk("intake", "--motif", "fievre", "--source", "cot", now=typed)
    assert (run.code, run.err) == (2, f"snpctl: --now {typed!r} {OUT_OF_RANGE}\n")
    assert desk.ledger_bytes() == before
    assert sorted(p.name for p in (desk.home / "ledger").iterdir()) == files  # no ledger/9999-12.jsonl


def test_now_from_the_environment_is_named_as_such(desk: Desk) -> None:
    run = desk("list", SNPCTL_NOW="0001-01-01")
    assert (run.code, run.err) == (2, f"snpctl: SNPCTL_NOW '0001-01-01' {OUT_OF_RANGE}\n")


def test_the_first_and_last_days_of_the_range_are_accepted(desk: Desk) -> None:
    assert desk("intake", "--motif", "fievre", "--source", "cot", now="2000-01-01 00:00").code == 0
    assert desk("intake", "--motif", "fievre", "--source", "cot", now="2099-12-31 23:59").code == 0


def test_cron_tick_refuses_a_now_out_of_range(desk: Desk) -> None:
    """`tick` skips the command-line framework (entry.py): the same range holds there."""
    result = run_process(["tick", "--now", "9999-12-31 23:59"], desk.home)
    assert (result.returncode, result.stderr) == (2, f"snpctl: --now '9999-12-31 23:59' {OUT_OF_RANGE}\n")
    assert list((desk.home / "ledger").iterdir()) == []


def test_an_appointment_out_of_range_is_exit_2(desk: Desk) -> None:
    ids = play(desk, [FEVER, NOTIFY])
    before = desk.ledger_bytes()
    run = desk("accept", ids["r1"], "--by", "gp-b", "--at", "9999-12-31 17:00", now=NOW)
    assert (run.code, run.err) == (2, f"snpctl: --at '9999-12-31 17:00' {OUT_OF_RANGE}\n")
    assert desk.ledger_bytes() == before


@pytest.mark.parametrize("option, typed", [("--from", "1999-12-31"), ("--to", "2100-01-01"), ("--from", "0001-01-01")])
def test_a_report_period_out_of_range_is_exit_2(desk: Desk, option: str, typed: str) -> None:
    run = desk("report", option, typed, "--format", "json")
    assert (run.code, run.out, run.err) == (2, "", f"snpctl: {option} {typed!r} {OUT_OF_RANGE}\n")


def test_a_report_date_that_does_not_exist_is_exit_2(desk: Desk) -> None:
    run = desk("report", "--from", "2024-02-30")
    assert (run.code, run.err) == (
        2,
        "snpctl: --from '2024-02-30' is not a date; write it like 30/11/2026, 30/11 or 2026-11-30.\n",
    )


# -- durations in the configuration (item 7) ---------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["99999999999d", "367d", "8785h", "999999999d999999999h", "9" * 5000 + "m"])
def test_a_duration_longer_than_a_year_is_exit_2_naming_file_and_key(tmp_path: Path, typed: str) -> None:
    desk = make_workspace(
        tmp_path / "cpts", edited(PROTOCOLS, 'appointment_horizon = "12h"', f'appointment_horizon = "{typed}"')
    )
    run = desk("check")
    first, quoted, caret = run.err.splitlines()
    assert (run.code, first) == (
        2,
        f"snpctl: protocols.toml:6:23: appointment_horizon: {typed!r} is longer than "
        "366d, the longest a window, a horizon or a delay may be; give a shorter one.",
    )
    assert len(quoted) < 100 and caret.endswith("|                       ^"), run.err


def test_a_duration_of_a_year_is_accepted(tmp_path: Path) -> None:
    protocols = edited(
        PROTOCOLS,
        'total_window = "2h"\nappointment_horizon = "12h"',
        'total_window = "366d"\nappointment_horizon = "366d"',
    )
    assert make_workspace(tmp_path / "cpts", protocols)("check").code == 0


def test_parsing_a_huge_duration_raises_value_error_never_overflow() -> None:
    for typed in ("99999999999d", "999999999d999999999h999999999m", "9" * 100 + "d"):
        with pytest.raises(ValueError):
            parse_duration(typed)


# -- shown literally, never interpreted (item 7) -----------------------------------------------------------------

MARKUP = "Mal de gorge [/b] otite [adulte] :fire:"
ESCAPES = "Angine\x1b[2J\x1b[31m\nTo: quelqu'un\u202e"
SHOWN = "Angine\\x1b[2J\\x1b[31m\\nTo: quelqu'un\\u202e"


def toml_string(text: str) -> str:
    return '"' + "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text) + '"'


def test_show_prints_rich_markup_in_a_label_as_written(tmp_path: Path) -> None:
    desk = make_workspace(tmp_path / "cpts", edited(PROTOCOLS, 'label = "Fièvre"', f"label = {toml_string(MARKUP)}"))
    ids = play(desk, [FEVER])
    run = desk("show", ids["r1"], now=NOW)
    assert run.code == 0, run.err
    assert MARKUP in run.out


def test_a_label_with_escapes_and_newlines_is_shown_escaped_in_answers_and_show(tmp_path: Path) -> None:
    desk = make_workspace(tmp_path / "cpts", edited(PROTOCOLS, 'label = "Fièvre"', f"label = {toml_string(ESCAPES)}"))
    intake = desk("intake", "--motif", "fievre", "--source", "cot", now=at(MONDAY, "16:00"))
    show = desk("show", "001C", now=NOW)
    assert (intake.code, show.code) == (0, 0)
    assert intake.out == f"Request 001C: open ({SHOWN}). Next: snpctl notify 001C\n"
    assert SHOWN in show.out.replace("\n" + " " * 18, "")  # the table may wrap the cell
    assert "\x1b" not in intake.out + show.out and "\u202e" not in intake.out + show.out


def test_member_names_and_site_addresses_are_shown_escaped(tmp_path: Path) -> None:
    roster = edited(ROSTER, 'name = "Dr B"', f"name = {toml_string('Dr B' + ESCAPES)}")
    roster = edited(roster, 'address = "1 rue du Test"', f"address = {toml_string('1 rue' + ESCAPES)}")
    desk = make_workspace(tmp_path / "cpts", roster=roster)
    ids = play(desk, [FEVER, FEVER])
    notify = desk("notify", ids["r1"], now=at(MONDAY, "16:01"))
    book = desk("book", ids["r2"], "--by", "gp-cami", "--at", "17:00", now=at(MONDAY, "16:02"))
    assert (notify.code, book.code) == (0, 0), notify.err + book.err
    assert f"Dr B{SHOWN} (gp-b)" in notify.out
    assert f"CAMI, 1 rue{SHOWN}." in book.out
    assert "\x1b" not in notify.out + book.out


def test_an_error_quoting_a_label_is_one_line_with_its_escapes_shown(tmp_path: Path) -> None:
    roster = edited(ROSTER, 'label = "CAMI"', f"label = {toml_string('CAMI' + ESCAPES)}")
    desk = make_workspace(tmp_path / "cpts", roster=roster)
    ids = play(desk, [FEVER, NOTIFY])
    run = desk("accept", ids["r1"], "--by", "gp-cami", "--at", "21:00", now=NOW)
    assert run.code == 1
    assert run.err.startswith(f"snpctl: CAMI{SHOWN} is closed at ") and run.err.count("\n") == 1
    assert "\x1b" not in run.err


def test_list_and_report_show_no_raw_control_character(tmp_path: Path) -> None:
    roster = edited(ROSTER, 'label = "CAMI"', f"label = {toml_string(MARKUP + ESCAPES)}")
    desk = make_workspace(tmp_path / "cpts", roster=roster)
    play(desk, [FEVER, NOTIFY, (["accept", "{r1}", "--by", "gp-cami", "--at", "17:00"], at(MONDAY, "16:05"))])
    runs = [desk("list", "--all", now=NOW), *(desk("report", "--format", form) for form in ("table", "markdown"))]
    assert [r.code for r in runs] == [0, 0, 0], [r.err for r in runs]
    assert not any("\x1b" in r.out for r in runs)


# -- verify --checkpoint (item 7) --------------------------------------------------------------------------------


@pytest.mark.slow
def test_sixteen_verifies_at_once_on_one_checkpoint_all_succeed(desk: Desk, tmp_path: Path) -> None:
    """Three rounds of 16 processes: without the lock, one round in three or so ended with exit 70 (shared .tmp)."""
    import subprocess
    import sys

    play(desk, [FEVER, NOTIFY])
    checkpoint = tmp_path / "backup" / "cpts.checkpoint"
    checkpoint.parent.mkdir()
    env = {**os.environ, "SNPCTL_HOME": str(desk.home)}
    for round_ in range(3):
        children = [
            subprocess.Popen(
                [sys.executable, "-m", "snpctl", "verify", "--checkpoint", str(checkpoint)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(16)
        ]
        results = [(child.wait(), child.stderr.read()) for child in children]
        for child in children:
            child.stderr.close()
        assert results == [(0, "")] * 16, f"round {round_ + 1}"
    assert sorted(p.name for p in checkpoint.parent.iterdir()) == ["cpts.checkpoint", "cpts.checkpoint.lock"]
    assert run_cli(["verify", "--checkpoint", str(checkpoint), "--home", str(desk.home)]).code == 0


def test_a_checkpoint_in_a_missing_folder_is_exit_2(desk: Desk, tmp_path: Path) -> None:
    missing = tmp_path / "not-mounted"
    run = desk("verify", "--checkpoint", str(missing / "cpts.checkpoint"))
    assert (run.code, run.err) == (
        2,
        f"snpctl: the folder {missing} of the checkpoint does not exist; create it or give another path.\n",
    )
    assert not missing.exists()


def test_a_checkpoint_that_is_a_folder_is_exit_2(desk: Desk, tmp_path: Path) -> None:
    run = desk("verify", "--checkpoint", str(tmp_path))
    assert (run.code, run.err) == (2, f"snpctl: the checkpoint {tmp_path} is a folder; give the path of a file.\n")


def test_a_checkpoint_that_cannot_be_read_is_exit_2(desk: Desk, tmp_path: Path) -> None:
    looping = tmp_path / "cpts.checkpoint"
    looping.symlink_to(looping)  # unreadable even by root, unlike a chmod 000
    run = desk("verify", "--checkpoint", str(looping))
    assert (run.code, run.err) == (
        2,
        f"snpctl: the checkpoint {looping} cannot be read (Too many levels of symbolic "
        "links); give a file you can read.\n",
    )


@pytest.mark.parametrize(
    "content",
    ["", "{}", '{"events": -1, "last_hash": "' + "0" * 64 + '"}', '{"events": "3", "last_hash": "abc"}', "\xff\xfe"],
)
def test_a_damaged_checkpoint_is_exit_2(desk: Desk, tmp_path: Path, content: str) -> None:
    checkpoint = tmp_path / "cpts.checkpoint"
    checkpoint.write_text(content, encoding="latin-1")
    run = desk("verify", "--checkpoint", str(checkpoint))
    assert (run.code, run.err) == (
        2,
        f"snpctl: {checkpoint} is damaged or is not a checkpoint written by `snpctl "
        "verify --checkpoint`; restore it from where you keep it, or give another "
        "file.\n",
    )


def test_a_checkpoint_that_cannot_be_written_leaves_no_temporary_file(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    checkpoint = tmp_path / "cpts.checkpoint"
    run = desk("verify", "--checkpoint", str(checkpoint))
    assert (run.code, run.err) == (
        2,
        f"snpctl: the checkpoint {checkpoint} cannot be written (No space left on "
        "device); the ledger itself is sound. Free some space or give another path.\n",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cpts", "cpts.checkpoint.lock"]
