"""A TOML syntax error as a sentence a coordinator can act on: where it is, what is wrong, how to fix it.

tomllib says "Invalid value (at line 32, column 14)" in English. ``explain`` reads the text around
that spot and recognises the common mistakes of a person editing the file by hand: a missing
closing quote, ``True``/``False``, curly quotes pasted from Word, a missing ``[[member]]`` line,
accents or spaces in a key, a tab pasted from a spreadsheet, an apostrophe inside ``'...'``, a word
without quotes. Anything else gets tomllib's own words inside a plain sentence. Knows no key's
meaning; only called when parsing failed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from snpctl.config.where import Entries, Entry, Unclosed, keys
from snpctl.i18n import _

_AT = re.compile(r"(?s)^(.*) \(at line (\d+), column (\d+)\)$")
_AT_END = re.compile(r"(?s)^(.*) \(at end of document\)$")
CURLY = "\u201c\u201d\u201e\u201f\u2018\u2019\u201a\u201b\u00ab\u00bb"  # a word processor's or a mail's " and '
_BOOLEANS = {"true": "true", "false": "false", "vrai": "true", "faux": "false", "oui": "true", "non": "false"}
_BOOLEANS.update(yes="true", no="false")
_TEXTS = re.compile(r'"(?:\\.|[^"\\])*"|\'[^\']*\'')  # the texts of a line, between straight quotes
_WORD = re.compile(r"[^\s,\]}#]+(?: +[^\s,\]}#=]+)*")


class Spot:
    """The error's line of ``text`` (1-based), its column, and what the entries around it are."""

    def __init__(self, text: str, line: int, column: int) -> None:
        self.entries = Entries(text)
        self.number, self.column = line, column
        self.line = self.entries.lines[line - 1].rstrip("\r") if 0 < line <= len(self.entries.lines) else ""
        self.char = self.line[column - 1] if 0 < column <= len(self.line) else "\n"


def explain(message: str, text: str) -> tuple[int | None, int | None, str]:
    """(line, column, sentence) for tomllib's ``message`` about ``text``; line None when it cannot say where."""
    at = _AT.match(message)
    if at:
        what, line, column = at.group(1), int(at.group(2)), int(at.group(3))
    else:
        end = _AT_END.match(message)
        what = end.group(1) if end else message
        unclosed = sorted(Entries(text).unclosed)
        if not unclosed:
            return None, None, _generic(what)
        return unclosed[0].line, unclosed[0].column, _unclosed(unclosed[0])
    spot = Spot(text, line, column)
    for reader in (_curly, _by_message, _tab):
        found = reader(spot, what)
        if found:
            return found if isinstance(found, tuple) else (line, column, found)
    return line, column, _generic(what)


def _unclosed(unclosed: Unclosed) -> str:
    if unclosed.opener in ('"', "'"):
        return _missing_quote(unclosed.opener)
    if unclosed.opener in ("[", "{"):
        return _("the list opened here with {opener} is never closed; add {closer} after its last value.").format(
            opener=unclosed.opener, closer="]" if unclosed.opener == "[" else "}"
        )
    return _("the text opened here with {opener} is never closed; add {opener} at its end.").format(
        opener=unclosed.opener
    )


def _missing_quote(quote: str) -> str:
    if quote == "'":
        return _("the closing apostrophe ' is missing at the end of the text; add it.")
    return _('the closing quote " is missing at the end of the text; add it.')


def _generic(what: str) -> str:
    return _("this is not valid TOML ({error}); fix this line.").format(error=what)


def _curly(spot: Spot, what: str) -> str | None:
    outside = _TEXTS.sub("", spot.line)  # inside a text between straight quotes, a curly quote is fine
    char = spot.char if spot.char in CURLY else next((c for c in outside if c in CURLY), None)
    if char is None or what.startswith("Illegal character") or "Unclosed" in what:
        return None
    return _(
        'the quote {char} was pasted from Word or a mail and is not a quote for TOML; type straight quotes " " instead.'
    ).format(char=char)


def _odd_quotes(spot: Spot, what: str) -> str | None:
    """A value that goes wrong on a line with an odd number of quotes: one of them is missing."""
    if what not in ("Invalid value", "Unclosed array", "Expected newline or end of document after a statement"):
        return None
    strings = [u for u in Entries(spot.line).unclosed if u.opener in "\"'"]
    if not strings:
        return None
    if strings[0].opener == "'":
        return _("an apostrophe ' is missing on this line: a text starts and ends with the same mark.")
    return _('a quote " is missing on this line: each text starts and ends with ".')


def _closing_quote(spot: Spot, what: str) -> str | None:
    if spot.char not in "\r\n":
        return None
    before = spot.line[: spot.column - 1]
    return _missing_quote("'" if before.count("'") % 2 and not before.count('"') % 2 else '"')


def _header(spot: Spot, what: str) -> str:
    closer = "]]" if "]]" in what else "]"
    return _("the {closer} that closes the name of the section is missing; add it.").format(closer=closer)


def _backslash(spot: Spot, what: str) -> str:
    return _("a backslash \\ in a text between \" \" must be doubled (\\\\), or write the text between ' ' instead.")


def _date(spot: Spot, what: str) -> str:
    return _("this is not a date that exists; write a date like 2024-01-15.")


def _list(spot: Spot, what: str) -> str | tuple[int, int, str]:
    """A list (or inline table) that goes on where a comma or its end should be."""
    opener = "[" if "array" in what else "{"
    odd = _odd_quotes(spot, what)
    if odd:
        return odd
    if spot.char in "\"'0123456789+-":
        return _("a comma is missing between two values of the list; add it.")
    before = Entries("\n".join(spot.entries.lines[: spot.number - 1]) + "\n" + spot.line[: spot.column - 1])
    opened = [u for u in before.unclosed if u.opener == opener]
    if not opened:
        return _unclosed(Unclosed(spot.number, spot.column, opener))
    return opened[-1].line, opened[-1].column, _unclosed(opened[-1])


def _value(spot: Spot, what: str = "") -> str:
    odd = _odd_quotes(spot, "Invalid value")
    if odd:
        return odd
    if spot.char in "\n#":
        return _('the value is missing after =; write it, a text between quotes: name = "value".')
    word = _WORD.match(spot.line, spot.column - 1)
    if not word:
        return _(
            'this value is not understood; write a text between straight quotes "...", a number in digits, '
            "or true or false."
        )
    right = _BOOLEANS.get(word.group().lower())
    if right:
        return _("write {right}, in lowercase and without quotes: TOML knows only true and false.").format(right=right)
    return _('a text must be written between straight quotes: "{text}".').format(text=word.group())


def _twice(spot: Spot, what: str = "") -> tuple[int, int, str]:
    start = len(spot.line) - len(spot.line.lstrip(" \t"))
    parts, _end = keys(spot.line, start)
    here = next((e for e in spot.entries.at(spot.number) if not e.header), None)
    first = next((e for e in spot.entries.entries if here and e.path == here.path and e.line < spot.number), None)
    key = ".".join(parts) or "?"
    if here is None or first is None:
        return spot.number, start + 1, _("the key {key} is given twice; keep only one.").format(key=key)
    table = spot.entries.table_of(spot.number)
    if table is not None and table.array:
        name = ".".join(str(p) for p in table.path[:-1] if isinstance(p, str))
        above = _block_start(spot, table)
        return (
            spot.number,
            start + 1,
            _(
                "the key {key} is already given at line {first} for this [[{table}]]: a [[{table}]] line is "
                "probably missing above line {line}."
            ).format(key=key, first=first.line, table=name, line=above),
        )
    return (
        spot.number,
        start + 1,
        _("the key {key} is already given at line {first}; keep only one.").format(key=key, first=first.line),
    )


def _block_start(spot: Spot, table: Entry) -> int:
    """The line the table that repeats a key probably starts at: the key's, or the comments just above it."""
    above = spot.number
    while above > table.line + 1 and spot.entries.lines[above - 2].lstrip().startswith("#"):
        above -= 1
    return above


def _declared_twice(spot: Spot, what: str = "") -> str:
    here = next((e for e in spot.entries.at(spot.number) if e.header), None)
    first = next((e for e in spot.entries.entries if here and e.header and e.path == here.path), None)
    start = spot.line.find("[")
    array = spot.line.startswith("[[", start)
    name = ".".join(keys(spot.line, start + (2 if array else 1))[0])
    name = f"[[{name}]]" if array else f"[{name}]"
    if here is None or first is None or first.line >= spot.number:
        return _("the section {name} is declared twice; merge the two.").format(name=name)
    return _("the section {name} is already declared at line {first}; merge the two.").format(
        name=name, first=first.line
    )


def _key(spot: Spot, what: str) -> str | None:
    equal = spot.line.find("=")
    written = spot.line[:equal].strip() if equal > 0 else ""
    if "\t" in spot.line[: spot.column]:
        return None  # the tab's hint
    if written[:1].isalnum() and (not written.isascii() or " " in written):
        plain = unicodedata.normalize("NFKD", written).encode("ascii", "ignore").decode()
        suggestion = re.sub(r"[^A-Za-z0-9_.-]+", "_", plain.strip()).strip("_") or "name"
        return _(
            "a key is written with unaccented letters, digits, - and _ only, no spaces: {right} rather than {wrong}."
        ).format(right=suggestion, wrong=written)
    if equal < 0 and what.startswith("Expected '='"):
        start = len(spot.line) - len(spot.line.lstrip(" \t"))
        key = ".".join(keys(spot.line, start)[0]) or "name"
        return _('the = sign is missing after the key; write {key} = "value".').format(key=key)
    return _("this line is neither a [section] nor a key = value; a comment starts with #.")


def _after_value(spot: Spot, what: str = "") -> str | tuple[int, int, str] | None:
    """Something goes on after a value: a mark inside the text that ended it, a missing quote, a tab."""
    before = spot.line[: spot.column - 1].rstrip(" \t")
    rest = spot.line[spot.column - 1 :]
    inside = spot.char not in "\"' " and before[-1:] in ("'", '"') and before[-1] in rest  # a word goes on after it
    if inside and before.endswith("'"):
        sentence = _("an apostrophe ends a text written between ' '; write this text between straight quotes \" \".")
        return spot.number, len(before), sentence
    if inside:
        return spot.number, len(before), _('a quote inside a text ends it; inside a text write \\" (or « »).')
    odd = _odd_quotes(spot, what)
    if odd:
        return odd
    if spot.char == "\t" or "\t" in before:
        return None  # the tab's hint
    return _("only one value per line: what follows it must be a comment, starting with #.")


def _tab(spot: Spot, what: str) -> str | None:
    if spot.char == "\t" or "\t" in spot.line[: spot.column]:
        return _('this line holds a tab (pasted from a spreadsheet?); write key = "value", with spaces and an = sign.')
    return None


_READERS: tuple[tuple[tuple[str, ...], Callable[[Spot, str], str | tuple[int, int, str] | None]], ...] = (
    (("Illegal character", "Found invalid character"), _closing_quote),
    (("Invalid value",), _value),
    (("Cannot overwrite a value",), _twice),
    (
        ("Expected '=' after a key", "Invalid statement", "Invalid initial character"),
        _key,
    ),
    (("Expected newline or end of document",), _after_value),
    (("Unclosed",), _list),
    (("Expected ']",), _header),
    (("Cannot declare",), _declared_twice),
    (("Unescaped '\\'",), _backslash),
    (("Invalid date or datetime",), _date),
)


def _by_message(spot: Spot, what: str) -> str | tuple[int, int, str] | None:
    """The sentence for tomllib's message ``what``, read with the text around the spot."""
    for starts, reader in _READERS:
        if what.startswith(starts):
            return reader(spot, what)
    return None
