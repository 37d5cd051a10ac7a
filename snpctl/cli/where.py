"""``snpctl where``: which workspace the commands use, and why; and recording the default one (``init``,
``where --make-default``) in the user's configuration.

The rule itself is ``store.workspace.find_home``, the one every command follows; this module only says it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from snpctl import runner
from snpctl.cli.options import Home, Json, described
from snpctl.i18n import N_, _
from snpctl.shown import fill
from snpctl.store.workspace import find_home, missing, recorded_default, remember_default, shown_path, user_config


def remember(home: Path, *, force: bool) -> bool:
    """Record ``home`` as the default workspace; a configuration that cannot be written is only a warning
    (the workspace is created, and --home or SNPCTL_HOME still find it)."""
    try:
        return remember_default(home, force=force)
    except OSError as error:
        print(
            fill(
                _("snpctl: {config} could not be written ({error}); give the workspace with --home or SNPCTL_HOME."),
                config=shown_path(user_config()),
                error=error.strerror or error,
            ),
            file=sys.stderr,
        )
        return False


_HOW = {
    "option": "--home",
    "env": "SNPCTL_HOME",
    "current": N_("the current folder"),
    "parent": N_("a parent folder"),
    "default": N_("the default workspace recorded by init in {config}"),
}


@described(
    _("Which workspace the commands use, and why."),
    "snpctl where",
    _(
        "--home, else SNPCTL_HOME, else the current folder or its nearest parent holding protocols.toml, "
        "else the default workspace recorded by init."
    ),
)
def where(
    make_default: Annotated[
        bool,
        typer.Option(
            "--make-default",
            help=_("Record this workspace as the default one, found from any folder (after a move, for example)."),
        ),
    ] = False,
    home: Home = None,
    as_json: Json = False,
) -> None:
    found = find_home(home)
    if not (found.home / "protocols.toml").is_file():
        runner.fail(missing(found), 2)
    if make_default and found.how != "default" and not remember(found.home.absolute(), force=True):
        raise typer.Exit(1)
    config, default = user_config(), recorded_default()
    if as_json:
        data = {"home": str(found.home.absolute()), "why": found.how, "config": str(config)}
        print(json.dumps({**data, "default": str(default) if default else None}, ensure_ascii=False))
        return
    why = _(_HOW[found.how]).format(config=shown_path(config))
    print(fill(_("Workspace: {home}"), home=found.home.absolute()))
    print(fill(_("Why: {why}"), why=why))
    if default is not None and default.absolute() != found.home.absolute():
        gone = "" if (default / "protocols.toml").is_file() else _(" (no longer a workspace: ignored)")
        print(fill(_("Default workspace: {home}{gone}"), home=default, gone=gone))
