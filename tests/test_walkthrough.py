"""The walkthrough of the README, as written: Europe/Paris, in winter, on the shipped example CPTS."""

from __future__ import annotations

import json
import os
from pathlib import Path

from conftest import run_cli


def test_the_readme_walkthrough_on_the_example_cpts(tmp_path: Path) -> None:
    home = tmp_path / "cpts"
    assert run_cli(["init", str(home), "--json"]).json == {"home": str(home)}

    def snpctl(now: str, *args: str) -> tuple[int, dict | None, str]:
        result = run_cli([*args, "--json"], env={"SNPCTL_HOME": str(home), "SNPCTL_NOW": now})
        return result.code, (json.loads(result.out) if result.out else None), result.err

    code, data, _ = snpctl(
        "2024-01-15T16:00",
        "intake",
        "--motif",
        "fievre",
        "--source",
        "cot",
        "--treating-doctor",
        "mg-martin",
        "--patient",
        "Léa Bernard",
        "--phone",
        "06 11 22 33 44",
    )
    assert (code, data) == (0, {"request": "001C", "status": "open"})

    assert snpctl("2024-01-15T16:01", "notify", "001C")[:2] == (
        0,
        {
            "request": "001C",
            "status": "treating_doctor_window",
            "deadline": "2024-01-15T17:01:00+01:00",
            "notified": ["mg-martin"],
        },
    )

    code, data, err = snpctl("2024-01-15T16:10", "accept", "001C", "--by", "mg-dupont", "--at", "17:30")
    assert (code, data) == (1, None)
    assert "reserved for its treating doctor, Dr Claire Martin (mg-martin), until 17:01" in err

    assert snpctl("2024-01-15T17:02", "tick")[:2] == (0, {"escalated": ["001C"], "expired": [], "failed_messages": []})
    assert snpctl("2024-01-15T17:03", "tick")[:2] == (0, {"escalated": [], "expired": [], "failed_messages": []})

    assert snpctl("2024-01-15T17:05", "accept", "001C", "--by", "mg-remy", "--at", "17:45")[:2] == (
        0,
        {
            "request": "001C",
            "status": "accepted",
            "by": "mg-remy",
            "site": "cami",
            "appointment": "2024-01-15T17:45:00+01:00",
        },
    )

    code, data, err = snpctl("2024-01-15T17:06", "accept", "001C", "--by", "mg-dupont", "--at", "18:00")
    assert (code, data) == (1, None)
    assert "was already taken by Dr Julie Rémy (mg-remy) at 17:05, appointment at 17:45" in err

    assert snpctl("2024-01-15T18:30", "outcome", "001C", "seen")[:2] == (0, {"request": "001C", "status": "seen"})

    ledger = b"".join(p.read_bytes() for p in (home / "ledger").iterdir())
    assert b"Bernard" not in ledger and b"06 11 22 33 44" not in ledger and b"33 44" not in ledger
    private = home / "private" / "requests" / "001C.json"
    assert json.loads(private.read_text())["name"] == "Léa Bernard"
    assert os.stat(home / "private").st_mode & 0o777 == 0o700
    assert os.stat(private).st_mode & 0o777 == 0o600


def test_init_writes_the_gitignore_and_gitattributes(tmp_path: Path) -> None:
    home = tmp_path / "cpts"
    run_cli(["init", str(home)])
    assert "private/" in (home / ".gitignore").read_text().splitlines()
    assert "ledger/*.jsonl text eol=lf -merge" in (home / ".gitattributes").read_text()
    assert (home / "protocols.toml").read_bytes() == (Path(__file__).parent.parent / "protocols.toml").read_bytes()
    assert run_cli(["check", "--home", str(home)]).out == ""


def test_init_refuses_an_existing_workspace(tmp_path: Path) -> None:
    home = tmp_path / "cpts"
    run_cli(["init", str(home)])
    before = (home / "roster.toml").read_bytes()
    result = run_cli(["init", str(home)])
    assert result.code == 1
    assert "already a workspace" in result.err
    assert (home / "roster.toml").read_bytes() == before
