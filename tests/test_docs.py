"""The documentation cannot drift: the tests it cites exist, docs/cli.md is --help, every command has an example."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import typer
from snpctl.cli import app

from conftest import REPO, run_cli


def test_every_test_the_readme_cites_exists() -> None:
    """README.md, CONTRIBUTING.md and every page of docs/ name tests as `tests/test_x.py::test_y` or `test_y`."""
    pages = [REPO / "README.md", REPO / "CONTRIBUTING.md", *sorted((REPO / "docs").glob("*.md"))]
    assert (REPO / "docs" / "guarantees.md") in pages
    sources = {p.name: p.read_text(encoding="utf-8") for p in (REPO / "tests").glob("test_*.py")}
    for page in pages:
        text = page.read_text(encoding="utf-8")
        where = page.relative_to(REPO)
        for path, name in re.findall(r"`(tests/test_\w+\.py)(?:::(\w+))?`", text):
            assert (REPO / path).is_file(), f"{path} is cited by {where} but does not exist"
            cited = f"{path}::{name} is cited by {where} but does not exist"
            assert not name or f"def {name}(" in sources[Path(path).name], cited
        for name in re.findall(r"`(test_\w+)`", text):
            cited = f"{name} is cited by {where} but does not exist"
            assert any(f"def {name}(" in source for source in sources.values()), cited
    guarantees = (REPO / "docs" / "guarantees.md").read_text(encoding="utf-8")
    assert len(re.findall(r"\btest_\w+`", guarantees)) > 60  # the table of promises moved there whole


def test_every_link_between_the_pages_leads_to_a_file() -> None:
    for page in [REPO / "README.md", REPO / "CONTRIBUTING.md", REPO / "CHANGELOG.md", *(REPO / "docs").glob("*.md")]:
        for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if "://" not in target:
                assert (page.parent / target).exists(), f"{page.relative_to(REPO)} links to {target}, which is missing"


def test_the_cli_reference_is_what_help_says(tmp_path: Path) -> None:
    """docs/cli.md is typer's own rendering of --help, in French at 100 columns whatever the machine's locale."""
    fresh = tmp_path / "cli.md"
    subprocess.run(
        ["sh", str(REPO / "docs" / "cli.sh"), sys.executable, str(fresh)],
        cwd=REPO,
        check=True,
        capture_output=True,
        env={**os.environ, "LANGUAGE": "fr", "LC_ALL": "fr_FR.UTF-8", "COLUMNS": "40"},
    )
    written = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert fresh.read_text(encoding="utf-8") == written, "docs/cli.md differs from --help: run make docs"


def test_every_command_has_help_with_an_example() -> None:
    group = typer.main.get_command(app)
    for name in group.commands:
        result = run_cli([name, "--help"])
        assert result.code == 0, name
        assert "Example" in result.out, f"`snpctl {name} --help` shows no example"
