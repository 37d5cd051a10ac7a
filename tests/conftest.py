"""Shared test helpers: a small inline CPTS, and the CLI run in-process like a user would run it."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from textwrap import dedent

import pytest

# The suite speaks English (the message ids) unless a test asks for French: set before snpctl.cli is
# imported, since its help texts are built in the language spoken then. French tests set SNPCTL_LANG=fr.
os.environ["SNPCTL_LANG"] = "en"

from snpctl import i18n, language  # after the language is set
from snpctl.cli import main

REPO = Path(__file__).resolve().parent.parent

# A small CPTS: one CAMI, three GPs in practice, one at the CAMI, one not registered, one dentist.
PROTOCOLS = dedent("""\
    timezone = "Europe/Paris"

    [cascade]
    treating_doctor_window = "1h"
    total_window = "2h"
    appointment_horizon = "12h"

    [[protocol]]
    key = "fievre"
    label = "Fièvre"
    category = "infectieux"
    action = "trigger"

    [[protocol]]
    key = "dent"
    label = "Douleur dentaire"
    category = "dentaire"
    action = "trigger"
    profession = "dentiste"

    [[protocol]]
    key = "renouvellement"
    label = "Renouvellement d'ordonnance"
    category = "hors_protocole"
    action = "redirect"

    [[protocol]]
    key = "douleur_thoracique"
    label = "Douleur thoracique"
    category = "urgence_vitale"
    action = "transfer_15"
    """)

ROSTER = dedent("""\
    [[site]]
    key = "cami"
    label = "CAMI"
    hours = ["mon-fri 15:30-19:30"]
    address = "1 rue du Test"

    [[member]]
    id = "gp-a"
    name = "Dr A"
    profession = "generaliste"
    status = "titulaire"
    site = "cabinet"
    registered = true

    [[member]]
    id = "gp-b"
    name = "Dr B"
    profession = "generaliste"
    status = "titulaire"
    site = "cabinet"
    registered = true

    [[member]]
    id = "gp-cami"
    name = "Dr C"
    profession = "generaliste"
    status = "remplacant"
    site = "cami"
    registered = true

    [[member]]
    id = "gp-off"
    name = "Dr Off"
    profession = "generaliste"
    status = "titulaire"
    site = "cabinet"
    registered = false

    [[member]]
    id = "gp-away"
    name = "Dr Away"
    profession = "generaliste"
    status = "titulaire"
    registered = true
    active = false

    [[member]]
    id = "dent-a"
    name = "Dr Dent"
    profession = "dentiste"
    status = "titulaire"
    site = "cabinet"
    registered = true
    """)


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def json(self) -> dict:
        return json.loads(self.out)


def run_cli(args: list[str], env: dict[str, str] | None = None) -> Run:
    """Run ``snpctl ARGS`` in-process, as a user would, capturing output and exit code."""
    out, err = io.StringIO(), io.StringIO()
    saved = dict(os.environ)
    os.environ.update(env or {})
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(args)
                code = 0
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return Run(code, out.getvalue(), err.getvalue())


def run_process(args: list[str], home: Path, **env: str) -> subprocess.CompletedProcess:
    """Run ``snpctl ARGS`` in a child process (concurrency and crash tests)."""
    full_env = {**os.environ, "SNPCTL_HOME": str(home), **env}
    return subprocess.run([sys.executable, "-m", "snpctl", *args], env=full_env, capture_output=True, text=True)


class Desk:
    """A workspace and a way to type commands into it at a given time (Europe/Paris, like the users)."""

    def __init__(self, home: Path) -> None:
        self.home = home

    def __call__(self, *args: str, now: str | None = None, **env: str) -> Run:
        argv = [*args, "--home", str(self.home)]
        if now is not None:
            argv += ["--now", now]
        return run_cli(argv, env={"SNPCTL_SEED": "test", **env})

    def ledger_bytes(self) -> bytes:
        return b"".join(p.read_bytes() for p in sorted((self.home / "ledger").glob("*.jsonl")))

    def events(self) -> list[dict]:
        return [json.loads(line) for line in self.ledger_bytes().splitlines()]


def timeline(events: list[dict], rid: str) -> list[dict]:
    """What ``show RID`` lists, read from every line: the events about the request, and each step of
    its messages (only its entries of a batch)."""
    found, ids = [], set()
    for event in events:
        if event.get("request") == rid:
            found.append(event)
            ids.update(entry[0] for entry in event.get("messages", ()))
        elif event["type"] in ("attempt", "sent", "failed", "given_up"):
            mine = [entry for entry in event["messages"] if entry[0] in ids]
            if mine:
                found.append({**event, "messages": mine})
    return found


def make_workspace(home: Path, protocols: str = PROTOCOLS, roster: str = ROSTER) -> Desk:
    home.mkdir(parents=True, exist_ok=True)
    (home / "protocols.toml").write_text(protocols, encoding="utf-8")
    (home / "roster.toml").write_text(roster, encoding="utf-8")
    (home / "ledger").mkdir(exist_ok=True)
    return Desk(home)


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    return make_workspace(tmp_path / "cpts")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    # A home folder of the test's own: the default workspace `init` records (~/.config/snpctl/config.toml)
    # is never the developer's, neither read nor written; tests of the default set XDG_CONFIG_HOME themselves.
    user = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("HOME", str(user))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    for name in (
        "SNPCTL_HOME",
        "SNPCTL_NOW",
        "SNPCTL_SEED",
        "SNPCTL_TEST_NO_LOCK",
        "SNPCTL_LOCK_TIMEOUT",
        "SNPCTL_SEND_WAIT",
    ):
        monkeypatch.delenv(name, raising=False)
    # The real sender (forked, detached), waited for to the end: a test sees what a command sent when it
    # returns, in-process and in child processes alike. Tests of the detached default set "detach".
    monkeypatch.setenv("SNPCTL_DELIVERY", "wait")
    monkeypatch.setenv("SNPCTL_LANG", "en")
    # and in English in this process too, whatever the test before it left active (a French test in-process)
    monkeypatch.setattr(language, "_chosen", None)
    i18n.activate("en")
