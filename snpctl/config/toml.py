"""Reading a TOML file into tables that know where they are: ``read_toml`` and ``Table``.

Owns the file's bytes (missing, unreadable, not UTF-8, not TOML; a BOM and CRLF line ends are fine),
the parsed copies kept under ``.snpctl/`` (``FORMAT``), and the generic reading of a table: typed
keys, durations, choices, sub-tables, typos and unknown keys. Every problem, of syntax (``syntax``)
or of a rule (``Table.fail``), is raised as ``FILE:LINE:COLUMN: what is wrong; what to do`` with the
line quoted and a caret under the column (``where``), or ``FILE: KEY: ...`` when the line cannot be
found. Knows nothing of what the keys mean (``load`` does) nor of the records they become
(``records``); the simulator reads its scenario files through the same ``Table``.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from snpctl import derived, matching, phones
from snpctl.errors import ConfigError
from snpctl.i18n import _
from snpctl.timefmt import LONGEST, TooLong, format_duration, parse_duration

if TYPE_CHECKING:
    from snpctl.config.where import Entries


BOM = "\ufeff"  # Notepad's mark at the start of a UTF-8 file: not part of the text


class Source:
    """The text a table was read from, read again only when an error must say where (``where.Entries``)."""

    def __init__(self, origin: Path | str) -> None:
        self.origin = origin
        self._entries: Entries | None = None

    @property
    def entries(self) -> Entries | None:
        from snpctl.config.where import Entries

        if self._entries is None:
            try:
                text = self.origin if isinstance(self.origin, str) else self.origin.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                return None
            self._entries = Entries(text.removeprefix(BOM))
        return self._entries


class Table:
    """A TOML table being read, that knows where it is so that errors can say so.

    ``where`` names it in words (``member[2] (mg-a)``), for when its line cannot be found; ``path``
    is its place among the tables (``("member", 2)``) and ``source`` the text it was read from.
    """

    def __init__(
        self, file: str, where: str, data: Any, source: Source | None = None, path: tuple[str | int, ...] = ()
    ) -> None:
        self.file, self.where, self.data = file, where, data
        self.source, self.path = source, path
        if not isinstance(data, dict):
            problem = _("should be a table of keys, found {value}; write it as a [section] with its keys below it.")
            name = next((p for p in reversed(path) if isinstance(p, str)), None)  # the key that holds it
            self._raise(problem.format(value=_as_written(data)), None, name)
        self.used: set[str] = set()

    def fail(self, problem: str, key: str | None = None, *, at_key: bool = False) -> NoReturn:
        """Raise ``problem`` about ``key`` (None: the table), at its line when the text shows it.

        The caret goes under the key's value, or under the key itself with ``at_key`` (an unknown key,
        which the problem names itself).
        """
        self._raise(problem, key, None if at_key else key, at_key=at_key)

    def warning(self, problem: str, key: str | None = None) -> str:
        """``problem`` about ``key`` as one line that says where (``FILE:LINE:COLUMN: KEY: ...``), not raised:
        a warning goes on, and is printed without the quoted line."""
        return self.located(problem, key, key)[0]

    def located(
        self, problem: str, key: str | None, named: str | None, *, at_key: bool = False
    ) -> tuple[str, tuple[str, ...]]:
        """``problem`` prefixed with where it is, and the line quoted with a caret (none when it cannot be found)."""
        entries = self.source.entries if self.source is not None else None
        spot = entries.locate(self.path, key, at_key=at_key) if entries is not None else None
        if entries is None or spot is None:  # no text to look in: the table's name in words
            place = ".".join(p for p in (self.where, named if key else None) if p)
            prefix = f"{self.file}: {place}: " if place else f"{self.file}: "
            return prefix + problem, ()
        from snpctl.config.where import excerpt

        line, column = spot
        named = f"{named}: " if named else ""
        return f"{self.file}:{line}:{column}: {named}{problem}", tuple(excerpt(entries.lines, line, column))

    def _raise(self, problem: str, key: str | None, named: str | None, *, at_key: bool = False) -> NoReturn:
        raise ConfigError(*self.located(problem, key, named, at_key=at_key))

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = ..., *, hint: str = "") -> Any:
        self.used.add(key)
        if key not in self.data:
            if default is ...:
                self._missing(key, hint)
            return default
        value = self.data[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if (bool in kinds) != isinstance(value, bool) or not isinstance(value, kinds):  # true is no number
            names = _(" or ").join(_type_name(k) for k in kinds)
            if bool in kinds and isinstance(value, str):  # registered = "oui", "true"
                names = _("true or false, without quotes")
            self.fail(_("should be {names}, found {value}.").format(names=names, value=_as_written(value)), key)
        if isinstance(value, str) and not value.strip():
            self.fail(_("is empty; give a value."), key)
        return value

    def _missing(self, key: str, hint: str) -> NoReturn:
        typo = self._typo_of(key)
        if typo:
            self.fail(
                _("unknown key {typo!r}: did you mean {key!r}? Fix its spelling.").format(typo=typo, key=key),
                typo,
                at_key=True,
            )
        self.fail(_("missing key {key!r}; add it{hint}.").format(key=key, hint=hint))

    def _typo_of(self, key: str) -> str | None:
        import difflib

        unknown = [k for k in self.data if isinstance(k, str) and k not in self.used]
        close = difflib.get_close_matches(key, unknown, n=1, cutoff=0.75)
        return close[0] if close else None

    def duration(self, key: str, default: Any = ...) -> timedelta:
        text = self.get(key, str, default)
        if isinstance(text, timedelta):
            return text
        try:
            return parse_duration(text)
        except TooLong:
            self.fail(
                _(
                    "{value!r} is longer than {longest}, the longest a window, a horizon or a delay may be; give a "
                    "shorter one."
                ).format(value=text, longest=format_duration(LONGEST)),
                key,
            )
        except ValueError:
            self.fail(
                _("{value!r} is not a duration; write it like 10 min, 1h30, 2 j or 3 mois.").format(value=text), key
            )

    def choice(self, key: str, choices: tuple[str, ...], default: Any = ...) -> str:
        value = self.get(key, str, default)
        found = matching.find(value, choices)  # "Titulaire", "transfer-15": case, accents and separators aside
        if found is None:
            self.fail(_("{value!r} is not one of {choices}.").format(value=value, choices=", ".join(choices)), key)
        return found

    def phone(self, key: str) -> str | None:
        """A number messages are texted to, kept in E.164 (``phones``: French by default); absent: None."""
        typed = self.get(key, str, None)
        number = None if typed is None else phones.checked(typed)
        if typed is not None and number is None:
            self.fail(phones.problem(typed) or "", key)
        return number

    def table(self, key: str) -> Table | None:
        self.used.add(key)
        if key not in self.data:
            return None
        where = ".".join(p for p in (self.where, key) if p)
        return Table(self.file, where, self.data[key], self.source, (*self.path, key))

    def tables(self, key: str) -> list[Table]:
        self.used.add(key)
        items = self.data.get(key, [])
        if not isinstance(items, list):
            self.fail(_("should be a list of tables, written [[{key}]].").format(key=key), key)
        return [
            Table(self.file, f"{key}[{i}]", item, self.source, (*self.path, key, i)) for i, item in enumerate(items, 1)
        ]

    def finish(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            import difflib

            close = difflib.get_close_matches(unknown[0], sorted(self.used), n=1, cutoff=0.75)
            if close:
                message = _("unknown key {typo!r}: did you mean {key!r}? Fix its spelling.")
                self.fail(message.format(typo=unknown[0], key=close[0]), unknown[0], at_key=True)
            known = ", ".join(sorted(self.used))
            self.fail(
                _("unknown key {key!r} (a typo?); the keys read here are: {known}.").format(
                    key=unknown[0], known=known
                ),
                unknown[0],
                at_key=True,
            )


def _as_written(value: Any) -> str:
    """A value as it is written in a TOML file (a date as 2024-01-15, not Python's datetime.date(...))."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    if isinstance(value, dict):
        return "{...}"
    if isinstance(value, list):
        return "[" + ", ".join(_as_written(v) for v in value) + "]"
    return repr(value)


def _type_name(kind: type) -> str:
    return {
        str: _("a text between quotes"),
        int: _("a whole number"),
        bool: _("true or false"),
        list: _("a list"),
        dict: _("a table"),
        float: _("a number"),
    }.get(kind, kind.__name__)


FORMAT = 2  # of the parsed copies kept beside the workspace's files (``.snpctl/NAME.parsed``); 2: sealed


def read_toml(path: Path, keep: Path | None = None) -> dict[str, Any]:
    """The file's tables; with ``keep`` (a folder), reused from the parse of the very same bytes last time.

    Parsing both files with tomllib costs a command more than reading them: a copy of the parse
    is kept in ``keep`` under the SHA-256 of the bytes it came from, sealed with the SHA-256 of
    its own content (``derived.seal``). It is only a shortcut: any other bytes, a copy that does not
    read, or one edited by hand (an SMS command added to it), and the file is parsed again.
    """
    try:
        data = path.read_bytes()
        digest = hashlib.sha256(data).digest()
        copy = None if keep is None else keep / f"{path.name}.parsed"
        tables = None if copy is None else _kept(copy, digest)
        if tables is None:
            tables = _parse(path, data)
            if copy is not None:
                _keep(copy, (FORMAT, digest, tables))
        return tables
    except FileNotFoundError:
        raise ConfigError(
            _(
                "{file}: not found in {home}; a workspace holds both protocols.toml and roster.toml: put it "
                "back (from git or a backup), or name the right folder with --home."
            ).format(file=path.name, home=path.parent)
        ) from None
    except UnicodeDecodeError as error:
        line = error.object[: error.start].count(b"\n") + 1
        raise ConfigError(
            _("{file}:{line}: not UTF-8 text (an accent saved by an older editor?); save the file as UTF-8.").format(
                file=path.name, line=line
            )
        ) from None
    except OSError as error:
        raise ConfigError(
            _(
                "{file}: cannot be read in {home} ({error}); check that --home or SNPCTL_HOME names the "
                "workspace folder."
            ).format(file=path.name, home=path.parent, error=error.strerror or error)
        ) from None


def _parse(path: Path, data: bytes) -> dict[str, Any]:
    return loads(data.decode("utf-8"), path.name)


def loads(text: str, file: str) -> dict[str, Any]:
    """The tables of ``text``, the content of ``file``; a syntax error says where and how to fix it (exit 2).

    A BOM at the start (Notepad) is no part of the text; CRLF line ends are TOML's own.
    """
    import tomllib

    text = text.removeprefix(BOM)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        from snpctl.config.syntax import explain
        from snpctl.config.where import excerpt

        line, column, sentence = explain(str(error), text)
        if line is None or column is None:
            raise ConfigError(f"{file}: {sentence}") from None
        lines = text.split("\n")
        raise ConfigError(f"{file}:{line}:{column}: {sentence}", excerpt(lines, line, column)) from None


def _kept(copy: Path, digest: bytes) -> dict[str, Any] | None:
    """The tables of the parsed copy ``copy`` if it is sound and of the bytes of SHA-256 ``digest``."""
    try:
        content = derived.unseal(copy.read_bytes())
        if content is None:  # damaged, or edited by hand
            return None
        version, kept_digest, tables = marshal.loads(content)
        if version == FORMAT and kept_digest == digest:
            kept: dict[str, Any] = tables  # what _keep wrote: the tables _parse returned
            return kept
    except (OSError, EOFError, ValueError, TypeError):
        pass
    return None


def _keep(copy: Path, payload: tuple[Any, ...]) -> None:
    # OSError: no .snpctl/ to write in; ValueError: a value marshal cannot keep (a TOML date)
    with contextlib.suppress(OSError, ValueError):
        derived.write(copy, derived.seal(marshal.dumps(payload)))
