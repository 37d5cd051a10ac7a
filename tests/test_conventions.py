"""What every command-line tool does: --version, -h, shell completion, whole descriptions, NO_COLOR.

Completion is typer's (click's): the script `snpctl --install-completion` installs runs `snpctl` with
`_SNPCTL_COMPLETE=complete_bash` and the words typed so far in COMP_WORDS / COMP_CWORD; the tests do the
same, in-process.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
import typer
from snpctl.cli import app

from conftest import Desk, make_workspace, run_cli, run_process
from test_interactive import in_a_terminal

COMMANDS = list(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


def test_version_says_the_installed_version() -> None:
    result = run_cli(["--version"])
    assert (result.code, result.out, result.err) == (0, "snpctl 0.1.0\n", "")
    assert result.out == f"snpctl {version('snpctl')}\n"


def test_h_is_help_on_the_program_and_on_every_command() -> None:
    assert run_cli(["-h"]).out == run_cli(["--help"]).out
    assert "-h, --help" in run_cli(["-h"]).out
    for name in COMMANDS:
        short, long = run_cli([name, "-h"]), run_cli([name, "--help"])
        assert (short.code, short.out) == (0, long.out), name
        assert "-h, --help" in short.out, name


def test_snpctl_alone_shows_the_help_not_one_escaped_line() -> None:
    result = run_cli([])
    assert (result.code, result.out) == (2, "")
    assert result.err == run_cli(["--help"]).out


def test_the_list_of_commands_shows_each_description_whole() -> None:
    """click cuts a description at 45 characters with "..." unless the command has a short help: each has one,
    the first paragraph of its help, shown whole (wrapped, never cut)."""
    listing = run_cli(["--help"], env={"COLUMNS": "100"}).out
    commands = " ".join(listing.split("Commands:")[1].split())
    assert "..." not in commands and "…" not in commands
    for name in COMMANDS:
        first = " ".join(run_cli([name, "--help"], env={"COLUMNS": "100"}).out.split("\n\n")[1].split())
        assert f"{name} {first}" in commands, name


# -- completion ------------------------------------------------------------------------------


def complete(line: str, **env: str) -> list[str]:
    """What bash offers after ``line`` (the word being typed is its last, possibly empty)."""
    words = line.split(" ")
    result = run_cli(
        [], env={"_SNPCTL_COMPLETE": "complete_bash", "COMP_WORDS": line, "COMP_CWORD": str(len(words) - 1), **env}
    )
    assert (result.code, result.err) == (0, ""), result.err
    return result.out.split()


def test_motif_completes_the_protocol_keys_of_the_workspace(desk: Desk) -> None:
    assert complete(f"snpctl intake --home {desk.home} --motif d") == ["dent", "douleur_thoracique"]
    assert complete(f"snpctl intake --home {desk.home} --motif ") == [
        "fievre",
        "dent",
        "renouvellement",
        "douleur_thoracique",
    ]


def test_member_options_complete_the_member_ids_of_the_roster(desk: Desk) -> None:
    members = ["gp-a", "gp-b", "gp-cami", "gp-off", "gp-away"]
    assert complete(f"snpctl accept 001C --home {desk.home} --by gp") == members
    assert complete(f"snpctl synthesis 001C --home {desk.home} --by d") == ["dent-a"]
    doctors = complete(f"snpctl intake --home {desk.home} --treating-doctor ")
    assert doctors == [*members, "dent-a", "none", "unknown", "external"]


def test_site_completes_the_practice_and_the_site_keys(desk: Desk) -> None:
    assert complete(f"snpctl book 001C --home {desk.home} --site ") == ["cabinet", "cami"]


def test_a_request_argument_completes_the_open_requests(desk: Desk) -> None:
    now = "2026-11-30 10:00"
    assert desk("intake", "--motif", "fievre", "--source", "cot", now=now).code == 0
    assert desk("intake", "--motif", "renouvellement", "--source", "cot", now=now).code == 0  # redirected: closed
    assert desk("intake", "--motif", "dent", "--source", "web", now=now).code == 0
    opened = [r["request"] for r in desk("list", "--json").json["requests"]]
    assert len(opened) == 2
    assert complete(f"snpctl notify --home {desk.home} ") == opened
    assert complete(f"snpctl show --home {desk.home} {opened[1][:3]}") == [opened[1]]


def test_completion_finds_the_workspace_as_commands_do(desk: Desk, tmp_path: Path, monkeypatch) -> None:
    assert complete("snpctl intake --motif f", SNPCTL_HOME=str(desk.home)) == ["fievre"]
    monkeypatch.chdir(desk.home)
    assert complete("snpctl intake --motif f") == ["fievre"]
    other = make_workspace(
        tmp_path / "other", protocols=(desk.home / "protocols.toml").read_text().replace("fievre", "fatigue")
    )
    assert complete(f"snpctl intake --home {other.home} --motif f", SNPCTL_HOME=str(desk.home)) == ["fatigue"]


def test_fixed_words_complete_too(desk: Desk) -> None:
    assert complete("snpctl intake --source h") == ["hospital"]
    assert complete("snpctl outcome 001C n") == ["no-show"]
    assert complete("snpctl report --format m") == ["markdown"]


def test_a_broken_configuration_completes_nothing_and_says_nothing(desk: Desk) -> None:
    (desk.home / "protocols.toml").write_text('timezone = "Europe/Paris"\n[[protocol]\nkey = \n', encoding="utf-8")
    assert complete(f"snpctl intake --home {desk.home} --motif ") == []
    assert complete(f"snpctl accept 001C --home {desk.home} --by ") == []
    assert complete(f"snpctl notify --home {desk.home} ") == []


def test_completing_in_a_shell_never_writes_on_its_terminal(desk: Desk) -> None:
    """The program as the shell runs it: a bad SNPCTL_LANG's warning, a broken configuration, no line on stderr."""
    (desk.home / "protocols.toml").write_text("timezone = \n", encoding="utf-8")
    line = f"snpctl intake --home {desk.home} --motif "
    env = {
        **os.environ,
        "SNPCTL_LANG": "xx",
        "_SNPCTL_COMPLETE": "complete_bash",
        "COMP_WORDS": line,
        "COMP_CWORD": "5",
    }
    result = subprocess.run([sys.executable, "-m", "snpctl"], capture_output=True, text=True, env=env)
    assert (result.returncode, result.stdout.split(), result.stderr) == (0, [], "")


def test_no_workspace_completes_nothing(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert complete("snpctl intake --motif ") == []
    assert complete(f"snpctl notify --home {tmp_path / 'missing'} ") == []


# typer finds the user's shell from the processes above snpctl (a terminal's bash); under a test runner
# (cron-like, make, CI) there may be none: typer's own switch then makes the option take the shell's name.
NAMED_SHELL = {"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}


def test_show_completion_prints_the_script_for_bash(tmp_path: Path) -> None:
    result = run_process(["--show-completion", "bash"], tmp_path, **NAMED_SHELL)
    assert result.returncode == 0, result.stderr
    assert "_SNPCTL_COMPLETE=complete_bash" in result.stdout
    assert "complete -o default -F _snpctl_completion snpctl" in result.stdout


def test_install_completion_writes_the_script_for_bash(tmp_path: Path) -> None:
    result = run_process(["--install-completion", "bash"], tmp_path, HOME=str(tmp_path), **NAMED_SHELL)
    assert result.returncode == 0, result.stderr
    script = tmp_path / ".bash_completions" / "snpctl.sh"
    assert "_SNPCTL_COMPLETE=complete_bash" in script.read_text()
    assert str(script) in (tmp_path / ".bashrc").read_text()


# -- NO_COLOR ----------------------------------------------------------------------------------

_COLOUR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])(?:;[0-9;]*)?m")


@pytest.mark.parametrize("args", [["list"], ["show", "001C"], ["report"], ["-h"], ["intake", "-h"]])
def test_no_color_prints_no_colour_at_a_terminal(desk: Desk, args: list[str]) -> None:
    """rich's consoles (the tables) and the help read NO_COLOR: at a terminal, not one colour code."""
    assert desk("intake", "--motif", "fievre", "--source", "cot", now="2026-11-30 10:00").code == 0
    env = {**os.environ, "SNPCTL_HOME": str(desk.home), "NO_COLOR": "1", "TERM": "xterm-256color"}
    code, out = in_a_terminal(args, "", env)
    assert code == 0, out
    assert not _COLOUR.search(out), repr(out)


# -- in French -----------------------------------------------------------------------------------


def _in_french(*args: str) -> subprocess.CompletedProcess:
    """snpctl in a process of its own: the help texts are translated when the package is imported."""
    env = {**os.environ, "SNPCTL_LANG": "fr", "COLUMNS": "100"}
    return subprocess.run([sys.executable, "-m", "snpctl", *args], capture_output=True, text=True, env=env)


def test_in_french_the_help_is_french_down_to_the_framework_words() -> None:
    result = _in_french("-h")
    assert result.returncode == 0
    assert result.stdout.startswith("Utilisation : snpctl [OPTIONS] COMMAND [ARGS]...\n\n  Soins non programmés")
    assert "  -h, --help            Afficher cette aide et quitter.\n" in result.stdout
    assert "  --version             Afficher la version et quitter.\n" in result.stdout
    assert "\nCommandes:\n  init       Créer un espace de travail" in result.stdout
    accept = _in_french("accept", "-h").stdout
    assert "  Exemple : snpctl accept 001C --by mg-martin --at 17:30\n" in accept
    assert "L'identifiant du membre dans roster.toml.  [obligatoire]" in accept
    assert "Example" not in accept and "required" not in accept


def test_in_french_a_usage_error_is_french() -> None:
    missing = _in_french("intake", "--source", "cot")
    assert (missing.returncode, missing.stdout) == (2, "")
    assert missing.stderr == "snpctl: Il manque l'option '--motif'. (voir `snpctl intake --help`)\n"
    typo = _in_french("intake", "--motiv", "fievre")
    assert typo.stderr == (
        "snpctl: Il n'y a pas d'option --motiv (vouliez-vous dire : --motif, --note ?) (voir `snpctl intake --help`)\n"
    )
    assert _in_french("nope").stderr == "snpctl: Il n'y a pas de commande 'nope'. (voir `snpctl --help`)\n"
