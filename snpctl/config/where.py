"""Where a table or a key is written in a TOML file's text, and the quote of that line with a caret.

tomllib gives the tables, never their positions: when a value breaks a rule, ``Entries`` reads the
text again, line by line, and finds the line of the N-th ``[[member]]`` header, then the line of the
key inside that table (``locate``). ``excerpt`` quotes a line with a caret under a column: the two
lines printed under a configuration error (contract sections 7 and 10). Only called when something
is wrong, so it may take its time; knows nothing of what the keys mean.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

Segment = str | int  # a key, or the 1-based number of a table in an array of tables ([[member]])
KeyPath = tuple[Segment, ...]

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_BLANK = " \t"


class Entry(NamedTuple):
    """A header (``[a.b]``, ``[[a]]``) or a ``key = value`` line, with the full path it defines."""

    path: KeyPath
    line: int  # 1-based
    key_column: int  # 1-based: where the header's "[" or the key starts
    value_column: int  # where the value starts (a header: its "[")
    header: bool
    array: bool = False  # a [[header]]


class Unclosed(NamedTuple):
    """A string or a bracket opened and not closed where it should have been."""

    line: int
    column: int
    opener: str  # '"', "'", '\"\"\"', "'''", '[', '{'


def keys(line: str, start: int) -> tuple[list[str], int]:
    """The parts of the dotted key written in ``line`` from index ``start``, and the index after it."""
    parts: list[str] = []
    i = start
    while True:
        while i < len(line) and line[i] in _BLANK:
            i += 1
        if i < len(line) and line[i] in "\"'":
            end = line.find(line[i], i + 1)
            while end > 0 and line[i] == '"' and line[end - 1] == "\\":
                end = line.find('"', end + 1)
            if end < 0:
                return parts, i
            parts.append(line[i + 1 : end])
            i = end + 1
        else:
            bare = _BARE.match(line, i)
            if not bare:
                return parts, i
            parts.append(bare.group())
            i = bare.end()
        while i < len(line) and line[i] in _BLANK:
            i += 1
        if i >= len(line) or line[i] != ".":
            return parts, i
        i += 1


class Entries:
    """Every header and key line of ``text`` (valid TOML, or valid up to its first error)."""

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        self.entries: list[Entry] = []
        self.unclosed: list[Unclosed] = []
        self._arrays: dict[KeyPath, int] = {}
        self._open: list[Unclosed] = []  # brackets and multi-line strings opened, innermost last
        table: KeyPath = ()
        depth, multi = 0, ""  # open brackets, and an open multi-line string's delimiter
        for number, line in enumerate(self.lines, 1):
            if depth or multi:
                depth, multi = self._advance(number, line, 0, depth, multi)
                continue
            table = self._statement(number, line, table)
            value = self.entries[-1].value_column - 1 if self.entries and self.entries[-1].line == number else -1
            if value >= 0 and not self.entries[-1].header:
                depth, multi = self._advance(number, line, value, 0, "")
        self.unclosed.extend(self._open)

    def _resolve(self, parts: list[str]) -> KeyPath:
        path: list[Segment] = []
        for part in parts:
            path.append(part)
            count = self._arrays.get(tuple(path))
            if count is not None:
                path.append(count)
        return tuple(path)

    def _statement(self, number: int, line: str, table: KeyPath) -> KeyPath:
        """Read the line ``number`` that starts a statement; the table the next lines belong to."""
        start = len(line) - len(line.lstrip(_BLANK))
        if line.startswith("[", start):
            array = line.startswith("[[", start)
            parts, _end = keys(line, start + (2 if array else 1))
            if not parts:
                return table
            if array:
                where = (*self._resolve(parts[:-1]), parts[-1])
                self._arrays[where] = self._arrays.get(where, 0) + 1
                path: KeyPath = (*where, self._arrays[where])
            else:
                path = self._resolve(parts)
            self.entries.append(Entry(path, number, start + 1, start + 1, True, array))
            return path
        parts, end = keys(line, start)
        if parts and line.startswith("=", end):
            value = end + 1
            while value < len(line) and line[value] in _BLANK:
                value += 1
            self.entries.append(Entry((*table, *parts), number, start + 1, value + 1, False))
        return table

    def _advance(self, number: int, line: str, i: int, depth: int, multi: str) -> tuple[int, str]:
        """Read a value from index ``i`` of ``line``: the brackets and multi-line string still open after it."""
        while i < len(line):
            if multi:
                end = line.find(multi, i)
                if end < 0:
                    return depth, multi
                i = end + 3
                while i < len(line) and line[i] == multi[0]:  # up to two quotes of the text itself
                    i += 1
                multi = ""
                self._open.pop()
                continue
            char = line[i]
            if char == "#":
                break
            if line.startswith(('"""', "'''"), i):
                multi = line[i : i + 3]
                self._open.append(Unclosed(number, i + 1, multi))
                i += 3
                continue
            if char in "\"'":
                i = self._string(number, line, i)
                continue
            if char in "[{":
                depth += 1
                self._open.append(Unclosed(number, i + 1, char))
            elif char in "]}" and depth:
                depth -= 1
                self._open.pop()
            i += 1
        return depth, multi

    def _string(self, number: int, line: str, i: int) -> int:
        """The index after the one-line string that starts at index ``i``; an unclosed one is noted."""
        quote, j = line[i], i + 1
        while j < len(line) and line[j] != quote:
            j += 2 if quote == '"' and line[j] == "\\" else 1
        if j >= len(line):  # where the closing mark should be: the end of the line
            self.unclosed.append(Unclosed(number, len(line.rstrip("\r")) + 1, quote))
        return j + 1

    def at(self, number: int) -> list[Entry]:
        return [e for e in self.entries if e.line == number]

    def table_of(self, number: int) -> Entry | None:
        """The header of the table line ``number`` belongs to (None: the top of the file)."""
        headers = [e for e in self.entries if e.header and e.line <= number]
        return headers[-1] if headers else None

    def locate(self, table: KeyPath, key: str | None, *, at_key: bool = False) -> tuple[int, int] | None:
        """(line, column) of ``key`` in the table at ``table``; else of the table; else None (the file).

        The column is the value's, or the key's with ``at_key`` (an unknown key, a typo).
        """
        if key is not None:
            target = (*table, key)
            for entry in self.entries:
                if entry.path[: len(target)] == target:
                    exact = entry.path == target and not entry.header
                    return entry.line, entry.value_column if exact and not at_key else entry.key_column
        for entry in self.entries:
            if entry.header and entry.path == table:
                return entry.line, entry.key_column
        if table:
            for entry in self.entries:
                if entry.path[: len(table)] == table:
                    return entry.line, entry.key_column if entry.path != table else entry.value_column
        return None


def _width(text: str) -> int:
    return sum(0 if unicodedata.combining(c) else 1 for c in text)


SHOWN = 60  # characters shown at most on either side of the caret


def excerpt(lines: list[str], number: int, column: int) -> tuple[str, ...]:
    """Line ``number`` of ``lines`` quoted, and a caret under ``column`` (1-based): two lines.

    Shown as a terminal shows it: tabs as spaces, control characters escaped, a long line cut around the column.
    """
    from snpctl.shown import literal

    if not 1 <= number <= len(lines):
        return ()
    line = lines[number - 1].rstrip("\r").expandtabs(4)
    cut = len(lines[number - 1][: max(0, column - 1)].expandtabs(4))
    before, after = literal(line[:cut]), literal(line[cut:])
    if len(before) > SHOWN:
        before = "…" + before[-SHOWN + 10 :]
    if len(after) > SHOWN:
        after = after[: SHOWN - 10] + "…"
    gutter = f"  {number} | "
    return gutter + before + after, " " * (len(gutter) - 2) + "| " + " " * _width(before) + "^"
