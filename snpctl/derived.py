"""Files derived from the workspace's own (``.snpctl/``: snapshot, stamp, report sums, parsed TOML).

Each is only a shortcut: sealed with the SHA-256 of its content (which holds the position it was
derived from), written whole or not at all, owner-only whatever the umask. A file whose seal does
not match is not read (``unseal`` gives None) and the caller derives it again. This module knows
no ledger nor configuration: both the store and the config use it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from pathlib import Path

FOLDER_MODE = 0o700  # .snpctl/ and private/: owner-only
FILE_MODE = 0o600
_SEAL = 32  # bytes of SHA-256 in front of the content


def seal(content: bytes) -> bytes:
    return hashlib.sha256(content).digest() + content


def unseal(data: bytes) -> bytes | None:
    """The content of a sealed file, or None when the seal does not match (damaged, or edited by hand)."""
    content = data[_SEAL:]
    return content if len(data) > _SEAL and hashlib.sha256(content).digest() == data[:_SEAL] else None


def owner_only(folder: Path) -> None:
    """Make ``folder`` owner-only (0700) if it exists; if others could write in it, forget its derived files.

    One ``stat``. Under ``umask 000`` an older snpctl left ``.snpctl/`` 0777: any local account
    could have written a snapshot or a parsed copy there, seal and all.
    """
    try:
        mode = stat.S_IMODE(os.stat(folder).st_mode)
    except OSError:
        return
    if mode == FOLDER_MODE:
        return
    try:
        os.chmod(folder, FOLDER_MODE)
    except OSError:
        return
    if mode & 0o022:
        forget(folder)


def make_folder(folder: Path, mode: int = FOLDER_MODE) -> None:
    """Create ``folder`` (and its missing parents) with exactly ``mode``, whatever the umask."""
    if folder.is_dir():
        return
    if not folder.parent.is_dir():
        make_folder(folder.parent, mode)
    try:
        os.mkdir(folder, mode)
    except FileExistsError:
        return
    os.chmod(folder, mode)  # the umask may have narrowed it (077) or it may be 000: exactly ``mode``


def write(path: Path, data: bytes, mode: int = FILE_MODE) -> None:
    """Write ``data`` to ``path`` whole or not at all (a temporary file, then a rename), with ``mode``.

    Raises OSError when it could not; the temporary file is never left behind (a full disk).
    """
    if not path.parent.is_dir():
        make_folder(path.parent)
    temporary = path.with_name(f"{path.name}.{os.getpid()}")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        try:
            os.fchmod(fd, mode)  # a leftover of a dead process with this pid may have other bits
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


CACHES = ("snapshot", "stamp", "figures", "protocols.toml.parsed", "roster.toml.parsed", "phones.checked")


def forget(folder: Path) -> None:
    """Remove the derived files of ``folder`` (not its locks): the next commands derive them again."""
    for name in CACHES:
        with contextlib.suppress(OSError):
            os.unlink(folder / name)
