"""A workspace: protocols.toml, roster.toml, ledger/, and the git-ignored private/ and .snpctl/.

Owns where things are in it (``--home``, ``SNPCTL_HOME``), its creation (``init``), the private
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
from snpctl.errors import BadUsage, Refused
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


def resolve_home(option: str | None) -> Path:
    """--home, else SNPCTL_HOME, else the current folder."""
    return Path(option or os.environ.get(HOME_ENV) or ".")


@dataclass
class Workspace:
    home: Path
    durable: bool = True  # False for simulated, throw-away ledgers: skips fsync
    write_outbox: bool = True  # False for simulations: nobody reads 100,000 simulated texts

    @cached_property
    def config(self) -> Config:
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
