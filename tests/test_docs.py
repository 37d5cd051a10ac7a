"""The documentation cannot drift: the tests it cites exist, and every command has help with an example."""

from __future__ import annotations

import re

import typer

from snpctl.cli import app
from conftest import REPO, run_cli


def test_every_test_the_readme_cites_exists() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    cited = re.findall(r"`(tests/test_\w+\.py)(?:::(\w+))?`", readme)
    assert cited
    for path, name in cited:
        source = (REPO / path).read_text(encoding="utf-8")
        assert not name or f"def {name}(" in source, f"{path}::{name} is cited by the README but does not exist"
    for name in re.findall(r"`(test_\w+)`", readme):
        assert any(f"def {name}(" in p.read_text(encoding="utf-8") for p in (REPO / "tests").glob("test_*.py")), name


def test_every_command_has_help_with_an_example() -> None:
    group = typer.main.get_command(app)
    for name in group.commands:
        result = run_cli([name, "--help"])
        assert result.code == 0, name
        assert "Example" in result.out, f"`snpctl {name} --help` shows no example"
