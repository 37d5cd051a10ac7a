"""The parsed copies of protocols.toml and roster.toml (``.snpctl/*.parsed``) only save parsing time."""

from __future__ import annotations

import marshal
from pathlib import Path

from snpctl.store.workspace import Workspace

from conftest import ROSTER, Desk

MONDAY = "2024-01-15T14:00"


def copies(desk: Desk) -> list[str]:
    return sorted(p.name for p in (desk.home / ".snpctl").glob("*.parsed"))


def test_a_command_keeps_a_parsed_copy_of_each_file_once_the_workspace_has_its_folder(desk: Desk) -> None:
    assert desk("check").code == 0
    assert not (desk.home / ".snpctl").exists()  # a workspace nobody wrote in yet: nothing kept
    desk("intake", "--motif", "fievre", "--source", "cot", now=MONDAY)
    desk("check")
    assert copies(desk) == ["protocols.toml.parsed", "roster.toml.parsed"]


def test_an_edit_of_the_same_size_is_read_not_the_copy(desk: Desk) -> None:
    desk("intake", "--motif", "fievre", "--source", "cot", now=MONDAY)
    assert desk("check").code == 0
    roster = desk.home / "roster.toml"
    edited = ROSTER.replace('key = "cami"', 'kez = "cami"', 1)
    assert len(edited) == len(ROSTER)
    roster.write_text(edited, encoding="utf-8")
    result = desk("check")
    assert result.code == 2
    assert result.err == "snpctl: roster.toml:1:1: missing key 'key'; add it.\n  1 | [[site]]\n    | ^\n"


def test_a_damaged_copy_is_ignored_and_written_anew(desk: Desk) -> None:
    desk("intake", "--motif", "fievre", "--source", "cot", now=MONDAY)
    desk("check")
    copy = desk.home / ".snpctl" / "roster.toml.parsed"
    for damage in (b"", b"garbage", copy.read_bytes()[:-3]):
        copy.write_bytes(damage)
        assert desk("list", "--json", now=MONDAY).json["requests"][0]["request"] == "001C"
        assert copy.read_bytes() not in (b"", b"garbage")


def test_a_file_that_is_not_valid_toml_is_never_taken_from_a_copy(desk: Desk) -> None:
    desk("intake", "--motif", "fievre", "--source", "cot", now=MONDAY)
    path: Path = desk.home / "protocols.toml"
    good = path.read_text(encoding="utf-8")
    path.write_text(good + "\n[cascade\n", encoding="utf-8")
    result = desk("check")
    assert result.code == 2 and "protocols.toml:33:9: the section [cascade] is already declared at line 3" in result.err
    path.write_text(good, encoding="utf-8")
    assert desk("check").code == 0


def test_an_sms_command_added_to_a_parsed_copy_is_not_obeyed(desk: Desk) -> None:
    desk("intake", "--motif", "fievre", "--source", "cot", now=MONDAY)
    desk("check")  # keeps the copies
    copy = desk.home / ".snpctl" / "protocols.toml.parsed"
    data = copy.read_bytes()
    version, source_digest, tables = marshal.loads(data[32:])  # under the seal: the parse of the TOML bytes
    tables["messaging"] = {"sms": {"command": "/tmp/exfiltrate {to}"}}
    copy.write_bytes(data[:32] + marshal.dumps((version, source_digest, tables)))  # same seal, same bytes' digest
    assert Workspace(desk.home).config.messaging.sms_command is None
    assert desk("check").code == 0
    assert b"exfiltrate" not in copy.read_bytes()  # written anew from protocols.toml
