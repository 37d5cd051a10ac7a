"""Files get the modes they need whatever the umask (issue 11).

The ledger is readable by git and backups and writable by its owner only (ledger/ 0755, its
files 0644); what is derived or private is the owner's alone (.snpctl/ and private/ 0700, their
files 0600): under ``umask 000`` any local account could otherwise edit a snapshot or a parsed copy.
"""

from __future__ import annotations

import marshal
import os
import stat
from pathlib import Path

import pytest
from snpctl import derived
from snpctl.store.workspace import Workspace

from conftest import Desk, run_cli

MONDAY = "2024-01-15T16:00"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def modes_under(folder: Path) -> dict[str, int]:
    return {os.fspath(path.relative_to(folder)): mode(path) for path in [folder, *sorted(folder.rglob("*"))]}


def a_day_of_work(home: Path) -> None:
    """init, then commands that write each kind of file: ledger, snapshot, stamp, sums, parsed copies, private."""
    assert run_cli(["init", str(home)]).code == 0
    desk = Desk(home)
    for args in (
        ["intake", "--motif", "fievre", "--source", "cot", "--patient", "Alice Martin", "--phone", "06 12 34 56 78"],
        ["check"],
        ["report", "--format", "json"],
    ):
        run = desk(*args, now=MONDAY)
        assert run.code == 0, run.err


@pytest.fixture(params=[0o000, 0o077], ids=["umask 000", "umask 077"])
def umask(request):
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def test_the_ledger_is_0644_in_0755_whatever_the_umask(tmp_path: Path, umask: int) -> None:
    a_day_of_work(tmp_path / "cpts")
    assert modes_under(tmp_path / "cpts" / "ledger") == {".": 0o755, "2024-01.jsonl": 0o644}


def test_derived_files_are_the_owners_alone_whatever_the_umask(tmp_path: Path, umask: int) -> None:
    a_day_of_work(tmp_path / "cpts")
    found = modes_under(tmp_path / "cpts" / ".snpctl")
    assert found.pop(".") == 0o700
    assert {"snapshot", "stamp", "figures", "protocols.toml.parsed", "roster.toml.parsed"} <= set(found)
    assert set(found.values()) == {0o600}, found


def test_private_records_are_the_owners_alone_whatever_the_umask(tmp_path: Path, umask: int) -> None:
    a_day_of_work(tmp_path / "cpts")
    found = modes_under(tmp_path / "cpts" / "private")
    assert found == {".": 0o700, "requests": 0o700, "requests/001C.json": 0o600}


def test_the_workspace_and_its_configuration_are_not_writable_by_others(tmp_path: Path, umask: int) -> None:
    a_day_of_work(tmp_path / "cpts")
    home = tmp_path / "cpts"
    assert {name: mode(home / name) for name in (".", "protocols.toml", "roster.toml", ".gitignore")} == {
        ".": 0o755,
        "protocols.toml": 0o644,
        "roster.toml": 0o644,
        ".gitignore": 0o644,
    }


def test_a_snpctl_folder_left_open_to_all_is_closed_and_its_caches_forgotten(desk: Desk) -> None:
    desk("intake", "--motif", "fievre", "--source", "cot", now=MONDAY)
    desk("check")
    folder = desk.home / ".snpctl"
    os.chmod(folder, 0o777)  # as an older snpctl left it under umask 000
    copy = folder / "protocols.toml.parsed"  # where anyone could then forge a copy, seal and all
    version, source_digest, tables = marshal.loads(derived.unseal(copy.read_bytes()))
    tables["messaging"] = {"sms": {"command": "/tmp/exfiltrate {to}"}}
    copy.write_bytes(derived.seal(marshal.dumps((version, source_digest, tables))))
    assert Workspace(desk.home).config.messaging.sms_command is None
    assert mode(folder) == 0o700
    assert desk("intake", "--motif", "fievre", "--source", "cot", "--json", now=MONDAY).json["request"] == "002E"
