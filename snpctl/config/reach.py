"""Who can be reached: the rules between protocols.toml and roster.toml that a request depends on.

``review`` raises the first problem under which a request would reach nobody (exit 2): a roster with no
member, or none both active and registered; a protocol (``action = "trigger"``) whose profession no
active, registered member has. It returns the warnings, where nobody is lost but something is surely
not meant: a registered member whose profession no protocol asks for (a typo like ``generalist``, with
the closest profession asked for), a site no active member works at. Each names its file, line and
what to do (``Table.located``); a warning is one line.

The checks of one value (an ``sms`` the phone validation refuses, an ``mssante`` address, a port) are
``load``'s, which reads the value. Whoever prints the warnings decides when (the runner: every command
a person runs, never the cron's ``tick``). Knows the records, not the domain: "active and registered"
is the part of ``cascade.eligible`` that does not depend on the day.
"""

from __future__ import annotations

from pathlib import Path

from snpctl import matching
from snpctl.config.records import Config, Member
from snpctl.config.toml import Source, Table
from snpctl.errors import ConfigError
from snpctl.i18n import _

PROTOCOLS, ROSTER = "protocols.toml", "roster.toml"


class _Places:
    """Where the N-th ``[[kind]]`` of a file is written, read from the file only when a problem is found."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.sources: dict[str, Source] = {}

    def say(self, file: str, kind: str, index: int, where: str, key: str, problem: str) -> tuple[str, tuple[str, ...]]:
        source = self.sources.setdefault(file, Source(self.home / file))
        table = Table(file, where, {}, source, (kind, index))
        entries = source.entries
        written = entries is not None and any(e.path == (kind, index, key) for e in entries.entries)
        named = key if written else None  # a key left to its default: at the table's header
        return table.located(problem, named, named)


def _close(typed: str, choices: list[str]) -> str | None:
    """The choice ``typed`` was surely meant as (``generalist``: ``generaliste``), not merely one that looks alike
    (``generaliste`` is no ``dentiste``): one contains the other, or they differ by a letter or two."""
    import difflib

    for choice in matching.closest(typed, choices):
        a, b = matching.fold(typed), matching.fold(choice)
        if a in b or b in a or difflib.SequenceMatcher(None, a, b).ratio() >= 0.8:
            return choice
    return None


def _reachable(member: Member) -> bool:
    return member.active and member.registered


def review(config: Config, home: Path) -> list[str]:
    """Raise the first problem that would lose a request (``ConfigError``); return the warnings, one line each."""
    places = _Places(home)
    _check_roster(config)
    _check_protocols(config, places)
    return _professions_asked(config, places) + _sites_staffed(config, places)


def _check_roster(config: Config) -> None:
    if not config.members:
        raise ConfigError(
            f"{ROSTER}: "
            + _(
                "no [[member]] is written, so every request would reach nobody; add the members who take "
                "requests (id, name, profession, status), then run `snpctl check`."
            )
        )
    if not any(_reachable(m) for m in config.members.values()):
        raise ConfigError(
            f"{ROSTER}: "
            + _(
                "no member is both active and registered, so every request would reach nobody; set "
                "active = true and registered = true for the members who take requests."
            )
        )


def _check_protocols(config: Config, places: _Places) -> None:
    have = sorted({m.profession for m in config.members.values() if _reachable(m)})
    for index, protocol in enumerate(config.protocols.values(), 1):
        if protocol.action != "trigger" or protocol.profession in have:
            continue
        close = _close(protocol.profession, have)
        if close:
            problem = _(
                "{profession!r}: no active, registered member of roster.toml has this profession, so a request "
                "for {key!r} would reach nobody; did you mean {close!r}? Correct it, or add a member with "
                "profession = {profession!r} to roster.toml."
            ).format(profession=protocol.profession, key=protocol.key, close=close)
        else:
            problem = _(
                "{profession!r}: no active, registered member of roster.toml has this profession, so a request "
                "for {key!r} would reach nobody; add a member with profession = {profession!r} to roster.toml, "
                "or use one the roster has: {known}."
            ).format(profession=protocol.profession, key=protocol.key, known=", ".join(have))
        where = f"protocol[{index}] ({protocol.key})"
        raise ConfigError(*places.say(PROTOCOLS, "protocol", index, where, "profession", problem))


def _professions_asked(config: Config, places: _Places) -> list[str]:
    asked = sorted({p.profession for p in config.protocols.values() if p.action == "trigger"})
    warnings = []
    for index, member in enumerate(config.members.values(), 1):
        if not member.registered or member.profession in asked:
            continue
        close = _close(member.profession, asked)
        if close:
            problem = _(
                "{profession!r} is asked for by no protocol, so {name} is never notified; did you mean {close!r}?"
            ).format(profession=member.profession, name=member.name, close=close)
        else:
            problem = _(
                "{profession!r} is asked for by no protocol, so {name} is never notified; the protocols ask for "
                "{known} (set registered = false if {name} is in the roster only to be informed)."
            ).format(profession=member.profession, name=member.name, known=", ".join(asked) or "-")
        where = f"member[{index}] ({member.id})"
        warnings.append(places.say(ROSTER, "member", index, where, "profession", problem)[0])
    return warnings


def _sites_staffed(config: Config, places: _Places) -> list[str]:
    staffed = {m.site for m in config.members.values() if m.active}
    warnings = []
    for index, site in enumerate(config.sites.values(), 1):
        if site.key in staffed:
            continue
        problem = _(
            "{label} has opening hours but no active member has site = {key!r}; give that to the members who "
            "work there, or remove the site if it is no longer used."
        ).format(label=site.label, key=site.key)
        warnings.append(places.say(ROSTER, "site", index, f"site[{index}]", "key", problem)[0])
    return warnings
