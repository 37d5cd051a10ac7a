"""The month files of ``ledger/`` as bytes: which there are, their complete lines, a torn tail.

Owns the file names (``YYYY-MM.jsonl``) and modes, the listing (read again only when the folder
changed), the streaming reader (one month file in memory at a time) that also finds where the last
line is (``Tip``) and the bytes of an interrupted write (``Torn``), and each file's (name, size,
mtime). Must not know what a line means: no JSON, no chain, no state (``chain``, ``fold`` do that).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from snpctl.errors import LedgerError
from snpctl.i18n import _

FILE_NAME = re.compile(r"^\d{4}-\d{2}\.jsonl$")
LEDGER_MODES = (0o755, 0o644)  # ledger/ and its files: readable by git and backups, writable by the owner only

Stat = tuple[str, int, int]  # a file's (name, size, mtime_ns)


class Line(NamedTuple):  # records as NamedTuples: cheaper to define than dataclasses (start-up)
    file: str  # "2024-01.jsonl"
    number: int  # 1-based line number in that file
    raw: bytes  # without the newline


class Torn(NamedTuple):
    """An incomplete last line: bytes after the last newline of the newest file."""

    path: Path
    offset: int
    data: bytes


class Tip(NamedTuple):
    """Where the last line of the ledger is: its file, where it starts and ends, its number in the file."""

    file: str
    start: int
    end: int
    line: int


class Where(NamedTuple):
    """Where a line is: its month file (index among the files, oldest first) and its bytes there."""

    file: int
    start: int
    end: int


def damaged(line: Line, problem: str) -> LedgerError:
    return LedgerError(
        _(
            "{where}: {problem}. The ledger is damaged; run `snpctl verify` and restore the file from git "
            "before going on."
        ).format(where=f"ledger/{line.file}:{line.number}", problem=problem)
    )


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def stat(path: Path) -> Stat:
    info = path.stat()
    return (path.name, info.st_size, info.st_mtime_ns)


class MonthFiles:
    """The month files of one ``ledger/`` folder, and what the last reading of them found at their end."""

    def __init__(self, folder: Path) -> None:
        self.dir = folder
        self.tip: Tip | None = None
        self.torn: Torn | None = None  # the newest file's torn tail, as of the last lines read
        self._files: list[Path] | None = None
        self._files_stamp = 0

    def files(self) -> list[Path]:
        """The month files, oldest first; listed again only when the folder changed (its mtime)."""
        try:
            stamp = os.stat(self.dir).st_mtime_ns
        except (FileNotFoundError, NotADirectoryError):
            return []
        if self._files is None or self._files_stamp != stamp:
            names = sorted(name for name in os.listdir(self.dir) if FILE_NAME.match(name))
            self._files, self._files_stamp = [self.dir / name for name in names], stamp
        return self._files

    def forget(self) -> None:
        """List the files again next time (one was created, or a write failed)."""
        self._files = None

    def newest(self) -> Stat | tuple[()]:
        """The newest file's (name, size, mtime), or () without files: it changes with any write."""
        files = self.files()
        return stat(files[-1]) if files else ()

    def each_line(self, files: list[Path], start: Tip | None = None) -> Iterator[Line]:
        """The complete lines after ``start`` (default: all), one month file in memory at a time.

        Once they are all read, ``self.tip`` is where the last one is and ``self.torn`` the newest
        file's bytes after its last newline (an interrupted write), if any.
        """
        self.tip, self.torn = start, None
        for index, path in enumerate(files):
            if start is not None and path.name < start.file:
                continue
            offset, first = (start.end, start.line + 1) if start is not None and path.name == start.file else (0, 1)
            with path.open("rb") as handle:
                handle.seek(offset)
                data = handle.read()
            parts = data.split(b"\n")
            tail = parts.pop()  # b"" when the file ends with a newline
            if tail:
                if index != len(files) - 1:
                    raise damaged(
                        Line(path.name, first + len(parts), tail),
                        _("the line has no newline but a later month file exists"),
                    )
                self.torn = Torn(path, offset + len(data) - len(tail), tail)
            for number, raw in enumerate(parts, first):
                yield Line(path.name, number, raw)
            if parts:
                end = offset + len(data) - len(tail)
                self.tip = Tip(path.name, end - len(parts[-1]) - 1, end, first + len(parts) - 1)

    def lines_from(self, first: Where) -> Iterator[tuple[Where, bytes]]:
        """The complete lines from ``first`` on, with where each is."""
        files = self.files()
        for index in range(first.file, len(files)):
            data = files[index].read_bytes()
            start = first.start if index == first.file else 0
            for raw in data[start:].split(b"\n")[:-1]:
                yield Where(index, start, start + len(raw)), raw
                start += len(raw) + 1
