"""The documented sample ledger is exactly what the demo afternoon writes, and its README shows real lines."""

from __future__ import annotations

import json
from pathlib import Path

from snpctl.demo import play
from snpctl.domain.events import SCHEMA, shape_problem

from conftest import REPO


def test_the_demo_afternoon_writes_the_sample_ledger_byte_for_byte(tmp_path: Path) -> None:
    play(tmp_path / "cpts", echo=lambda text: None)
    written = {p.name: p.read_bytes() for p in (tmp_path / "cpts" / "ledger").glob("*.jsonl")}
    sample = {p.name: p.read_bytes() for p in (REPO / "ledger").glob("*.jsonl")}
    assert written == sample, "run `python -m snpctl.demo DIR` and copy DIR/ledger/*.jsonl to ledger/"


def test_the_ledger_readme_shows_one_real_line_per_event_type() -> None:
    readme = (REPO / "ledger" / "README.md").read_text(encoding="utf-8")
    examples = [line for line in readme.splitlines() if line.startswith('{"')]
    sample = set((REPO / "ledger" / "2024-01.jsonl").read_text(encoding="utf-8").splitlines())
    types = []
    for line in examples:
        event = json.loads(line)
        assert shape_problem(event) is None, line
        # no gateway in the demo, never cut short, nobody followed up its requests
        not_in_demo = ("attempt", "failed", "given_up", "recovery", "followed_up")
        assert line in sample or event["type"] in not_in_demo, f"not a line of the sample ledger: {line}"
        types.append(event["type"])
    assert sorted(types) == sorted(SCHEMA)


def test_the_sample_ledger_holds_no_personal_data() -> None:
    text = (REPO / "ledger" / "2024-01.jsonl").read_text(encoding="utf-8")
    for private in ("Léa", "Marc", "Nadia", "Yves", "06 00 00 00", "+336", "39,5", "Angine", "mssante"):
        assert private not in text
