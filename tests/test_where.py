"""The workspace is found the same way by every command: --home, else SNPCTL_HOME, else the current folder
or its nearest parent holding protocols.toml, else the default workspace `init` recorded in
$XDG_CONFIG_HOME/snpctl/config.toml; `snpctl where` says which and why."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest
from snpctl.store.workspace import Found, find_home

from conftest import make_workspace, run_cli


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's configuration folder (XDG_CONFIG_HOME) and a current folder that is no workspace."""
    folder = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    return folder


def record(config: Path, home: Path) -> None:
    (config / "snpctl").mkdir(parents=True, exist_ok=True)
    (config / "snpctl" / "config.toml").write_text(f'home = "{home}"\n', encoding="utf-8")


# -- each step of the lookup --------------------------------------------------------------------


def test_home_option_comes_first(tmp_path: Path, config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SNPCTL_HOME", str(make_workspace(tmp_path / "env").home))
    chosen = make_workspace(tmp_path / "given").home
    result = run_cli(["where", "--home", str(chosen)])
    assert (result.code, result.out) == (0, f"Workspace: {chosen}\nWhy: --home\n")


def test_snpctl_home_comes_before_the_current_folder(
    tmp_path: Path, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = make_workspace(tmp_path / "here").home
    monkeypatch.chdir(here)
    named = make_workspace(tmp_path / "named").home
    result = run_cli(["where"], env={"SNPCTL_HOME": str(named)})
    assert (result.code, result.out) == (0, f"Workspace: {named}\nWhy: SNPCTL_HOME\n")


def test_the_current_folder(tmp_path: Path, config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = make_workspace(tmp_path / "cpts").home
    monkeypatch.chdir(home)
    assert run_cli(["where"]).out == f"Workspace: {home}\nWhy: the current folder\n"


def test_from_ledger_the_parent_folder_is_the_workspace(
    tmp_path: Path, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # on main, `snpctl list` from ledger/ failed: protocols.toml: not found in .
    desk = make_workspace(tmp_path / "cpts")
    monkeypatch.chdir(desk.home / "ledger")
    assert run_cli(["where"]).out == f"Workspace: {desk.home}\nWhy: a parent folder\n"
    intake = run_cli(["intake", "--motif", "fievre", "--source", "cot", "--now", "2026-11-30T15:00"])
    assert intake.code == 0, intake.err
    assert [event["type"] for event in desk.events()] == ["intake"]


def test_the_nearest_parent_wins(tmp_path: Path, config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_workspace(tmp_path / "outer")
    inner = make_workspace(tmp_path / "outer" / "inner").home
    (inner / "deep").mkdir()
    monkeypatch.chdir(inner / "deep")
    assert find_home().home == inner


def test_the_default_workspace_init_recorded(tmp_path: Path, config: Path) -> None:
    # on main, `snpctl list` from another folder said: run `snpctl init DIR`
    created = run_cli(["init", str(tmp_path / "cpts")])
    assert created.out.splitlines()[1] == (
        f"It is the default workspace: commands find it from any folder (recorded in {config}/snpctl/config.toml)."
    )
    assert (config / "snpctl" / "config.toml").read_text(encoding="utf-8").endswith(f'home = "{tmp_path / "cpts"}"\n')
    result = run_cli(["where"])
    assert result.out == (
        f"Workspace: {tmp_path / 'cpts'}\nWhy: the default workspace recorded by init in {config}/snpctl/config.toml\n"
    )
    assert run_cli(["check"]).code == 0


def test_init_records_the_default_only_when_there_is_none(tmp_path: Path, config: Path) -> None:
    run_cli(["init", str(tmp_path / "first")])
    second = run_cli(["init", str(tmp_path / "second")])
    assert second.out.count("\n") == 1  # no line about the default: the first one stays
    assert find_home().home == tmp_path / "first"
    run_cli(["init", str(tmp_path / "third"), "--default"])
    assert find_home().home == tmp_path / "third"


def test_init_no_default_records_nothing(tmp_path: Path, config: Path) -> None:
    assert run_cli(["init", str(tmp_path / "demo"), "--no-default"]).code == 0
    assert not (config / "snpctl" / "config.toml").exists()


def test_the_config_file_defaults_to_the_home_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.chdir(tmp_path)
    run_cli(["init", str(tmp_path / "cpts")])
    assert (tmp_path / "user" / ".config" / "snpctl" / "config.toml").is_file()


def test_a_workspace_found_around_comes_before_the_default(
    tmp_path: Path, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record(config, make_workspace(tmp_path / "default").home)
    here = make_workspace(tmp_path / "here").home
    monkeypatch.chdir(here)
    assert run_cli(["where"]).out == (
        f"Workspace: {here}\nWhy: the current folder\nDefault workspace: {tmp_path / 'default'}\n"
    )


def test_a_recorded_default_that_is_gone_is_ignored_with_a_hint(tmp_path: Path, config: Path) -> None:
    record(config, tmp_path / "moved")
    result = run_cli(["list"])
    assert result.code == 2
    assert result.err == (
        f"snpctl: No workspace here ({tmp_path / 'elsewhere'}) nor in a parent folder, and the default one "
        f"recorded in {config}/snpctl/config.toml, {tmp_path / 'moved'}, no longer holds protocols.toml: if it "
        "moved, record its new place with `snpctl where --home DIR --make-default`; if not, create one with "
        "`snpctl init ~/cpts`.\n"
    )


def test_where_make_default_records_a_workspace_that_moved(tmp_path: Path, config: Path) -> None:
    record(config, tmp_path / "old")
    new = make_workspace(tmp_path / "new").home
    assert run_cli(["where", "--home", str(new), "--make-default"]).code == 0
    assert run_cli(["where", "--json"]).json["why"] == "default"
    assert find_home().home == new


def test_init_replaces_a_recorded_default_that_is_gone(tmp_path: Path, config: Path) -> None:
    record(config, tmp_path / "gone")
    run_cli(["init", str(tmp_path / "cpts")])
    assert find_home() == Found(tmp_path / "cpts", "default")


# -- the not-found error --------------------------------------------------------------------------


def test_nothing_found_says_to_create_one_where_it_will_be_found(tmp_path: Path, config: Path) -> None:
    result = run_cli(["list"])
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        f"snpctl: No workspace here ({tmp_path / 'elsewhere'}) nor in a parent folder, and no default workspace: "
        "create one with `snpctl init ~/cpts` (it becomes the default, found from any folder), or name yours "
        "with --home DIR.\n"
    )


def test_a_wrong_home_names_the_workspace_that_would_be_used(
    tmp_path: Path, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = make_workspace(tmp_path / "cpts")
    monkeypatch.chdir(desk.home / "ledger")
    result = run_cli(["list", "--home", str(tmp_path / "elsewhere")])
    assert result.code == 2
    assert "init" not in result.err
    assert result.err == (
        f"snpctl: {tmp_path / 'elsewhere'}, named by --home, is not a workspace (protocols.toml not found there); "
        f"without --home the commands would use {desk.home}: leave --home out, or name the right folder.\n"
    )


def test_a_wrong_snpctl_home_names_the_remembered_workspace(tmp_path: Path, config: Path) -> None:
    record(config, make_workspace(tmp_path / "cpts").home)
    result = run_cli(["check"], env={"SNPCTL_HOME": str(tmp_path / "elsewhere")})
    assert result.code == 2
    assert "init" not in result.err
    assert f"without SNPCTL_HOME the commands would use {tmp_path / 'cpts'}" in result.err


def test_a_wrong_home_with_no_workspace_anywhere(tmp_path: Path, config: Path) -> None:
    result = run_cli(["report", "--home", str(tmp_path / "nope")])
    assert result.err == (
        f"snpctl: {tmp_path / 'nope'}, named by --home, is not a workspace (protocols.toml not found there): name the "
        "folder that holds protocols.toml and roster.toml, or create a workspace with `snpctl init DIR`.\n"
    )


def test_a_workspace_without_its_roster_is_not_sent_to_init(tmp_path: Path, config: Path) -> None:
    desk = make_workspace(tmp_path / "cpts")
    (desk.home / "roster.toml").unlink()
    result = desk("check")
    assert result.code == 2
    assert result.err == (
        f"snpctl: roster.toml: not found in {desk.home}; a workspace holds both protocols.toml and roster.toml: "
        "put it back (from git or a backup), or name the right folder with --home.\n"
    )


def test_where_with_no_workspace_fails_like_the_commands(tmp_path: Path, config: Path) -> None:
    assert run_cli(["where"]).err == run_cli(["list"]).err
    assert run_cli(["where"]).code == 2


# -- where's output -------------------------------------------------------------------------------


def test_where_json(tmp_path: Path, config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    desk = make_workspace(tmp_path / "cpts")
    monkeypatch.chdir(desk.home / "ledger")
    assert run_cli(["where", "--json"]).json == {
        "home": str(desk.home),
        "why": "parent",
        "config": f"{config}/snpctl/config.toml",
        "default": None,
    }


def test_where_in_french(tmp_path: Path, config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CONFIG_HOME")
    run_cli(["init", str(tmp_path / "cpts")], env={"SNPCTL_LANG": "fr"})
    result = run_cli(["where"], env={"SNPCTL_LANG": "fr"})
    assert result.out == (
        f"Espace de travail : {tmp_path / 'cpts'}\n"
        "Pourquoi : l'espace par défaut enregistré par init dans ~/.config/snpctl/config.toml\n"
    )
    monkeypatch.chdir(tmp_path / "cpts" / "ledger")
    assert run_cli(["where"], env={"SNPCTL_LANG": "fr"}).out.splitlines()[1] == "Pourquoi : un dossier parent"


def test_the_language_is_the_found_workspace_s(tmp_path: Path, config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    desk = make_workspace(tmp_path / "cpts")
    protocols = desk.home / "protocols.toml"
    protocols.write_text('language = "fr"\n' + protocols.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(desk.home / "ledger")
    monkeypatch.delenv("SNPCTL_LANG")
    assert run_cli(["where"]).out.startswith("Espace de travail : ")


def test_completion_finds_the_workspace_from_a_parent(tmp_path: Path, config: Path, monkeypatch: pytest.MonkeyPatch):
    from snpctl.cli import completion

    desk = make_workspace(tmp_path / "cpts")
    monkeypatch.chdir(desk.home / "ledger")

    class Context:
        params: ClassVar[dict[str, object]] = {}  # no --home typed on the line

    assert completion.motives(Context(), "fie") == [("fievre", "Fièvre")]  # type: ignore[arg-type]


def test_the_suite_never_reads_the_developer_s_configuration(tmp_path_factory: pytest.TempPathFactory) -> None:
    # conftest gives every test a home folder of its own: a developer's real default workspace is never used
    assert Path.home().is_relative_to(tmp_path_factory.getbasetemp())


def test_a_wrong_home_names_snpctl_home_s_workspace(tmp_path: Path, config: Path) -> None:
    named = make_workspace(tmp_path / "named").home
    result = run_cli(["list", "--home", str(tmp_path / "elsewhere")], env={"SNPCTL_HOME": str(named)})
    assert f"without --home the commands would use {named}: leave --home out" in result.err


def test_verify_outside_any_workspace_says_so(tmp_path: Path, config: Path) -> None:
    # on main: "Ledger OK: 0 events" in any folder
    result = run_cli(["verify"])
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith("snpctl: No workspace here")


def test_verify_of_a_ledger_copied_alone_still_works(tmp_path: Path, config: Path, monkeypatch) -> None:
    desk = make_workspace(tmp_path / "cpts")
    desk("intake", "--motif", "fievre", "--source", "cot", now="2026-11-30T15:00")
    copy = tmp_path / "audit"
    copy.mkdir()
    (copy / "ledger").mkdir()
    for path in (desk.home / "ledger").glob("*.jsonl"):
        (copy / "ledger" / path.name).write_bytes(path.read_bytes())
    monkeypatch.chdir(copy)
    result = run_cli(["verify"])
    assert (result.code, result.out.split(",")[0]) == (0, "Ledger OK: 1 event")
