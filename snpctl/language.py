"""Which language a command speaks, chosen before anything it prints is built.

``snpctl.i18n.resolve`` holds the rule (``SNPCTL_LANG``, the workspace's ``language``, the locale,
French); this module finds the workspace's ``language`` for it from the command line, before the
command-line framework builds its help texts (``entry``), and again once a command has loaded its
configuration (``runner``), which is then the one that counts.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from snpctl.i18n import LANG_ENV, LANGUAGES, activate, resolve

_chosen: tuple[str, str | None] | None = None


def _home_option(argv: Sequence[str]) -> str | None:
    for index, word in enumerate(argv):
        if word == "--home" and index + 1 < len(argv):
            return argv[index + 1]
        if word.startswith("--home="):
            return word.partition("=")[2]
    return None


def workspace_language(home: Path) -> str | None:
    """``language`` at the top of ``HOME/protocols.toml``; None when there is no such readable file or key
    (the command itself then says what is wrong with the file, in the language of the environment)."""
    from snpctl.config.toml import read_toml
    from snpctl.errors import SnpctlError

    try:
        value = read_toml(home / "protocols.toml").get("language")
    except (SnpctlError, OSError):
        return None
    return value if value in LANGUAGES else None


def for_command(argv: Sequence[str]) -> None:
    """Speak the language of the workspace the command line names, found as the commands find it
    (``store.workspace.find_home``), once per process for the same workspace."""
    from snpctl.store.workspace import find_home

    global _chosen
    home = find_home(_home_option(argv)).home
    key = (str(home), os.environ.get(LANG_ENV))
    if key != _chosen:
        _chosen = key
        activate(resolve(workspace_language(home)))


def for_workspace(language: str | None) -> None:
    """Speak the language a loaded configuration asks for (unless ``SNPCTL_LANG`` says otherwise)."""
    activate(resolve(language))
