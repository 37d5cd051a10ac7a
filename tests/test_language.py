"""Which language snpctl speaks: SNPCTL_LANG, else the workspace's `language`, else the locale, else French."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from snpctl.i18n import activate, ngettext, resolve

from conftest import PROTOCOLS, make_workspace

LOCALE = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "SNPCTL_LANG")


@pytest.mark.parametrize(
    ("workspace", "environ", "expected"),
    [
        pytest.param(None, {}, "fr", id="nothing-set-french"),
        pytest.param(None, {"LANG": "en_US.UTF-8"}, "en", id="locale-english"),
        pytest.param(None, {"LANG": "fr_FR.UTF-8"}, "fr", id="locale-french"),
        pytest.param(None, {"LANG": "de_DE.UTF-8"}, "fr", id="another-locale-french"),
        pytest.param(None, {"LANG": "C.UTF-8"}, "fr", id="c-locale-french"),
        pytest.param(None, {"LC_ALL": "en_GB.UTF-8", "LANG": "fr_FR.UTF-8"}, "en", id="lc-all-before-lang"),
        pytest.param(None, {"LANGUAGE": "de:en", "LANG": "fr_FR.UTF-8"}, "en", id="language-list"),
        pytest.param("en", {"LANG": "fr_FR.UTF-8"}, "en", id="workspace-before-locale"),
        pytest.param("fr", {"LANG": "en_US.UTF-8"}, "fr", id="workspace-french"),
        pytest.param("fr", {"SNPCTL_LANG": "en"}, "en", id="snpctl-lang-before-workspace"),
        pytest.param("en", {"SNPCTL_LANG": "FR"}, "fr", id="snpctl-lang-any-case"),
    ],
)
def test_the_language_is_chosen_in_order(workspace: str | None, environ: dict[str, str], expected: str) -> None:
    assert resolve(workspace, environ) == expected


def test_an_unknown_snpctl_lang_is_ignored_with_a_warning(capsys: pytest.CaptureFixture[str]) -> None:
    assert resolve("en", {"SNPCTL_LANG": "de-bzh"}) == "en"
    assert "SNPCTL_LANG='de-bzh'" in capsys.readouterr().err


def _show(home: Path, **environ: str) -> str:
    """`show 001C` the next day in a child process whose environment holds no locale but ``environ``."""
    env = {k: v for k, v in os.environ.items() if k not in LOCALE} | environ
    for args in (["intake", "--motif", "fievre", "--source", "cot", "--treating-doctor", "none"], ["show", "001C"]):
        now = "2024-01-15T16:00" if args[0] == "intake" else "2024-01-16T09:00"
        done = subprocess.run(
            [sys.executable, "-m", "snpctl", *args, "--home", str(home), "--now", now],
            env=env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
    return done.stdout


def test_with_no_locale_at_all_snpctl_speaks_french(tmp_path: Path) -> None:
    assert "lundi 15 janvier à 16h00" in _show(make_workspace(tmp_path / "cpts").home)


def test_the_workspace_language_beats_the_locale(tmp_path: Path) -> None:
    home = make_workspace(tmp_path / "cpts", 'language = "en"\n' + PROTOCOLS).home
    assert "Monday 15 January at 16:00" in _show(home, LANG="fr_FR.UTF-8")


def test_snpctl_lang_beats_the_workspace_language(tmp_path: Path) -> None:
    home = make_workspace(tmp_path / "cpts", 'language = "en"\n' + PROTOCOLS).home
    assert "lundi 15 janvier à 16h00" in _show(home, SNPCTL_LANG="fr")


def test_an_english_locale_without_a_workspace_language_speaks_english(tmp_path: Path) -> None:
    assert "Monday 15 January at 16:00" in _show(make_workspace(tmp_path / "cpts").home, LANG="en_US.UTF-8")


@pytest.mark.parametrize(
    ("language", "counts"),
    [
        pytest.param("fr", ["0 demande", "1 demande", "2 demandes"], id="french-0-and-1-are-singular"),
        pytest.param("en", ["0 requests", "1 request", "2 requests"], id="english-only-1-is-singular"),
    ],
)
def test_a_count_takes_the_plural_rule_of_the_language(language: str, counts: list[str]) -> None:
    activate(language)
    assert [ngettext("{n} request", "{n} requests", n).format(n=n) for n in (0, 1, 2)] == counts
