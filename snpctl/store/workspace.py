"""A workspace: protocols.toml, roster.toml, ledger/, and the git-ignored private/ and .snpctl/.

Owns finding it (``find_home``: ``--home``, ``SNPCTL_HOME``, the current folder or a parent, the default
recorded in the user's configuration), where things are in it, its creation (``init``), the private
files of a request (mode 0600, quarantine of an orphan) and the hand-over to the ``Ledger`` and to
the config loader: the one store module that reads the TOML files, because it is the workspace.
Must not know the rules, the report or the commands.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from snpctl import derived, phones
from snpctl.config import Config, load_config
from snpctl.errors import BadUsage, ConfigError, Refused
from snpctl.i18n import _
from snpctl.store.ledger import Ledger

HOME_ENV = "SNPCTL_HOME"

GITIGNORE = """\
# Personal data, messages and local state never go to git: only the ledger and the two TOML files do.
private/
outbox/
.snpctl/
"""

GITATTRIBUTES = """\
# Ledger lines are hashed byte for byte: no line-ending conversion, and no automatic merge
# (a silent union merge of two branches would break the hash chain; resolve by hand).
ledger/*.jsonl text eol=lf -merge
"""


MARK = "protocols.toml"  # a folder holding it is a workspace


@dataclass(frozen=True)
class Found:
    """The workspace the commands use and why: ``how`` is ``option`` (--home), ``env`` (SNPCTL_HOME),
    ``current`` (the current folder), ``parent`` (its nearest parent holding protocols.toml), ``default``
    (the one ``init`` recorded in the user's configuration), or ``none`` (then ``home`` is the current
    folder, which holds no workspace). ``gone``: a recorded default that no longer holds protocols.toml."""

    home: Path
    how: str
    gone: Path | None = None

    @property
    def named(self) -> bool:
        """Named by the person (--home, SNPCTL_HOME), not looked for."""
        return self.how in ("option", "env")


def user_config() -> Path:
    """``$XDG_CONFIG_HOME/snpctl/config.toml``, else ``~/.config/snpctl/config.toml`` (a relative
    XDG_CONFIG_HOME is ignored, as the XDG specification says)."""
    base = os.environ.get("XDG_CONFIG_HOME", "")
    root = Path(base) if os.path.isabs(base) else Path.home() / ".config"
    return root / "snpctl" / "config.toml"


def recorded_default() -> Path | None:
    """The default workspace recorded by ``init`` (``home = "/abs/path"``), or None: no file, not TOML,
    no ``home``; whether it still holds a workspace is the caller's question."""
    import tomllib

    try:
        value = tomllib.loads(user_config().read_text(encoding="utf-8")).get("home")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    return Path(value) if isinstance(value, str) and os.path.isabs(value) else None


def _is_workspace(folder: Path) -> bool:
    return (folder / MARK).is_file()


def find_home(option: str | Path | None = None) -> Found:
    """The one rule every command, the language choice and shell completion follow: ``--home``, else
    ``SNPCTL_HOME``, else the current folder or its nearest parent holding protocols.toml, else the
    default workspace recorded by ``init``."""
    if option:
        return Found(Path(option), "option")
    named = os.environ.get(HOME_ENV)
    if named:
        return Found(Path(named), "env")
    return _look_around()


def _look_around() -> Found:
    """Without --home nor SNPCTL_HOME: the current folder or a parent, else the recorded default."""
    try:
        here = Path.cwd()
    except OSError:  # the current folder was deleted under the shell
        return Found(Path("."), "none", gone=recorded_default())
    for folder in (here, *here.parents):
        if _is_workspace(folder):
            return Found(folder, "current" if folder == here else "parent")
    default = recorded_default()
    if default is not None and _is_workspace(default):
        return Found(default, "default")
    return Found(here, "none", gone=default)


def resolve_home(option: str | None) -> Path:
    """The workspace folder the commands use (``find_home``)."""
    return find_home(option).home


def remember_default(home: Path, *, force: bool = False) -> bool:
    """Record ``home`` as the default workspace when none is recorded yet or the recorded one no longer
    holds protocols.toml (always with ``force``); whether it was recorded. Written whole or not at all."""
    current = recorded_default()
    if not force and current is not None and _is_workspace(current):
        return False
    import tomli_w

    text = "# The default workspace, recorded by `snpctl init`: used when no other is found.\n"
    derived.write(user_config(), (text + tomli_w.dumps({"home": str(home.absolute())})).encode("utf-8"), 0o644)
    return True


def missing(found: Found) -> str:
    """What to say when ``found.home`` holds no protocols.toml: never to create a workspace in a folder
    while another one would be found (above, or recorded)."""
    if found.named:
        given = "--home" if found.how == "option" else HOME_ENV
        other = find_home() if found.how == "option" else _look_around()  # --home left out: SNPCTL_HOME counts
        if other.how != "none" and _is_workspace(other.home):
            return _(
                "{home}, named by {given}, is not a workspace (protocols.toml not found there); without {given} the "
                "commands would use {other}: leave {given} out, or name the right folder."
            ).format(home=shown_path(found.home), given=given, other=shown_path(other.home))
        return _(
            "{home}, named by {given}, is not a workspace (protocols.toml not found there): name the folder that holds "
            "protocols.toml and roster.toml, or create a workspace with `snpctl init DIR`."
        ).format(home=shown_path(found.home), given=given)
    if found.gone is not None:
        return _(
            "No workspace here ({cwd}) nor in a parent folder, and the default one recorded in {config}, {gone}, "
            "no longer holds protocols.toml: if it moved, record its new place with "
            "`snpctl where --home DIR --make-default`; if not, create one with `snpctl init ~/cpts`."
        ).format(cwd=shown_path(found.home), config=shown_path(user_config()), gone=shown_path(found.gone))
    return _(
        "No workspace here ({cwd}) nor in a parent folder, and no default workspace: create one with "
        "`snpctl init ~/cpts` (it becomes the default, found from any folder), or name yours with --home DIR."
    ).format(cwd=shown_path(found.home))


def shown_path(path: Path) -> str:
    """``path`` as a person types it: ``~/cpts`` under the home folder."""
    try:
        return "~/" + str(path.absolute().relative_to(Path.home()))
    except (ValueError, RuntimeError):
        return str(path)


@dataclass
class Workspace:
    home: Path
    durable: bool = True  # False for simulated, throw-away ledgers: skips fsync
    write_outbox: bool = True  # False for simulations: nobody reads 100,000 simulated texts
    found: Found | None = None  # how the commands found it (``find``), for the error when it is no workspace

    @classmethod
    def find(cls, option: str | Path | None) -> Workspace:
        """The workspace the commands use (``find_home``)."""
        found = find_home(option)
        return cls(found.home, found=found)

    @cached_property
    def config(self) -> Config:
        if self.found is not None and not _is_workspace(self.home):
            raise ConfigError(missing(self.found))
        keep = self.home / ".snpctl"
        derived.owner_only(keep)  # an older snpctl under umask 000 left it open to all
        phones.remember(keep if keep.is_dir() else None)  # the roster's numbers found valid before
        return load_config(self.home, keep if keep.is_dir() else None)

    @cached_property
    def ledger(self) -> Ledger:
        return Ledger(self.home, durable=self.durable)

    @property
    def private(self) -> Path:
        return self.home / "private"

    def private_path(self, request: str, kind: str = "json") -> Path:
        return self.private / "requests" / (f"{request}.json" if kind == "json" else f"{request}.{kind}.txt")

    def _write_private(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.private, 0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, data)
            if self.durable:
                os.fsync(fd)
        finally:
            os.close(fd)

    def save_private(self, request: str, record: dict[str, str]) -> None:
        """Contact details and notes of a request, owner-only, outside the ledger."""
        self._write_private(
            self.private_path(request), json.dumps(record, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
        )

    def load_private(self, request: str, *, patient: str) -> dict[str, str]:
        """The request's private record, or {} unless it carries the request's patient reference ``patient``
        (a record left by an intake killed before its line is another caller's)."""
        try:
            record = json.loads(self.private_path(request).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return record if isinstance(record, dict) and record.get("patient") == patient else {}

    def quarantine_orphan(self, request: str) -> Path | None:
        """Move aside the private record of ``request``, an id not yet in the ledger (so left by a killed intake),
        to ``private/quarantine/``; where it went, or None if there was none."""
        path = self.private_path(request)
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            reference = str(record.get("patient", "unknown")) if isinstance(record, dict) else "unknown"
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            reference = "unknown"
        folder = self.private / "quarantine"
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(folder, 0o700)
        safe = "".join(c for c in reference if c.isalnum())[:16] or "unknown"
        target = folder / f"{request}-{safe}-{os.urandom(3).hex()}.orphan.json"
        os.chmod(path, 0o600)
        os.replace(path, target)
        return target.relative_to(self.home)

    def save_private_text(self, request: str, kind: str, text: str) -> None:
        self._write_private(self.private_path(request, kind), text.encode("utf-8"))

    def load_private_text(self, request: str, kind: str) -> str:
        try:
            return self.private_path(request, kind).read_text(encoding="utf-8")
        except OSError:
            return ""


def default_file(name: str) -> bytes:
    from importlib import resources

    return resources.files("snpctl").joinpath("defaults", name).read_bytes()


def init(target: Path) -> Path:
    """Create a workspace in ``target`` from the shipped example CPTS."""
    if target.exists() and not target.is_dir():
        raise BadUsage(_("{path} exists and is not a folder; choose another place.").format(path=target))
    for name in ("protocols.toml", "roster.toml"):
        if (target / name).exists():
            raise Refused(
                _("{path} is already a workspace ({name} exists); nothing was changed.").format(path=target, name=name)
            )
    if (target / "ledger").is_dir() and any((target / "ledger").iterdir()):
        raise Refused(_("{path}/ledger already holds files; nothing was changed.").format(path=target))
    try:
        derived.make_folder(target, 0o755)  # whatever the umask: never writable by others, readable by git
        for name in ("protocols.toml", "roster.toml"):
            derived.write(target / name, default_file(name), 0o644)
        derived.make_folder(target / "ledger", 0o755)
        derived.make_folder(target / "private")
        os.chmod(target / "private", derived.FOLDER_MODE)  # it may have been there already
        derived.write(target / ".gitignore", GITIGNORE.encode("utf-8"), 0o644)
        derived.write(target / ".gitattributes", GITATTRIBUTES.encode("utf-8"), 0o644)
    except OSError as error:
        raise BadUsage(
            _("Could not create the workspace in {path}: {error}.").format(path=target, error=error.strerror or error)
        ) from None
    return target
