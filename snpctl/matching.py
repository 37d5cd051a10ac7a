"""Names as people type them: a motive, a member id, a source, a site, an outcome or a reason.

Owns how a typed name is matched against the names a command takes: exactly, else once case,
accents and separators are set aside (``fièvre`` is ``fievre``, ``MG-Bernard`` is ``mg-bernard``,
``fievre enfant`` is ``fievre_enfant``), and, when none is meant, which ones come closest.
Never guesses: a typed name that only comes close (``fievr``) is refused with the closest ones.
Pure: no I/O, no config, no ledger; the domain, the service and the interactive intake call it.

    choose(typed, choices, what)        -> the choice, or BadUsage naming the closest (exit 2)
    find(typed, choices)                -> the choice, or None
    closest(typed, choices, n=3)        -> up to n choices, the closest first
    fold(text)                          -> the form names are compared in
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

from snpctl.errors import BadUsage
from snpctl.i18n import _

FEW = 8  # at most this many choices are listed when none comes close; more: where to find them is said
MOST = 3  # closest matches shown
_SEPARATORS = re.compile(r"[\s\-_.']+")


def fold(text: str) -> str:
    """``text`` without case, accents, or the difference between ``-``, ``_``, ``.``, ``'`` and spaces.

    ``Fièvre enfant`` and ``fievre_enfant`` both fold to ``fievre_enfant``; ``MG-Bernard`` to ``mg_bernard``.
    """
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return _SEPARATORS.sub("_", plain.casefold()).strip("_")


def find(typed: str, choices: Iterable[str], aliases: Mapping[str, str] | None = None) -> str | None:
    """The one choice ``typed`` names, exactly or once folded (``fold``), or through ``aliases``; else None.

    ``aliases`` maps other words to a choice (``{"vu": "seen"}``), compared folded too. Two choices
    that fold alike (``a-b`` and ``a_b``) are both kept apart: only the exact spelling names either.
    """
    options = list(choices)
    if typed in options:
        return typed
    key = fold(typed)
    found = {choice for choice in options if fold(choice) == key}
    found |= {choice for word, choice in (aliases or {}).items() if fold(word) == key and choice in options}
    return found.pop() if len(found) == 1 else None


def closest(typed: str, choices: Iterable[str], n: int = MOST) -> list[str]:
    """Up to ``n`` choices ``typed`` may have meant, the closest first: those it begins, then near spellings,
    then those it is part of (``bernard`` in ``mg-bernard``), all compared folded. None close: ``[]``."""
    import difflib  # only when a name is refused: not on every command's start-up

    by_fold: dict[str, str] = {}
    for choice in choices:
        by_fold.setdefault(fold(choice), choice)
    key = fold(typed)
    if not key:
        return []
    prefix = [f for f in by_fold if f.startswith(key)]
    near = difflib.get_close_matches(key, list(by_fold), n=n, cutoff=0.6)
    within = [f for f in by_fold if key in f or (len(f) >= 3 and f in key)]
    ranked = list(dict.fromkeys(prefix + near + within))
    return [by_fold[f] for f in ranked[:n]]


def choose(
    typed: str,
    choices: Iterable[str],
    what: str,
    *,
    aliases: Mapping[str, str] | None = None,
    where: str | None = None,
) -> str:
    """The choice ``typed`` names (``find``); else ``BadUsage`` (exit 2) saying which ones come closest.

    ``what`` says what is asked for, one of ``WHAT`` (``MOTIF``, ``MEMBER``, ``TREATING_DOCTOR``, ``SOURCE``,
    ``SITE``, ``OUTCOME``, ``REASON``; the strings "motif", "member"...): it makes the first half of the
    sentence, "Unknown motif 'fievr'". The second half is "did you mean: fievre, fievre_enfant?"; when
    nothing comes close, the choices themselves if there are at most ``FEW``, else ``where`` to find
    them (default: ``WHAT``'s own hint for ``what``).
    """
    options = list(choices)
    found = find(typed, options, aliases)
    if found is not None:
        return found
    raise BadUsage(refusal(typed, options, what, where=where))


def refusal(typed: str, choices: Iterable[str], what: str, *, where: str | None = None) -> str:
    """The sentence ``choose`` refuses ``typed`` with (for a caller that refuses in its own way)."""
    options = list(choices)
    unknown, hint = _what(what)
    head = unknown.format(typed=typed)
    near = closest(typed, options)
    if near:
        return _("{unknown}; did you mean: {names}?").format(unknown=head, names=", ".join(near))
    if len(options) <= FEW:
        return _("{unknown}; use one of: {names}.").format(unknown=head, names=", ".join(options) or "-")
    return _("{unknown}; {where}.").format(unknown=head, where=where or hint)


# what a name is of (``choose``'s ``what``): the kinds of names commands take
MOTIF, MEMBER, TREATING_DOCTOR, SOURCE, SITE, OUTCOME, REASON = WHAT = (
    "motif",
    "member",
    "treating_doctor",
    "source",
    "site",
    "outcome",
    "reason",
)


def _what(what: str) -> tuple[str, str]:
    """The start of the refusal for an unknown ``what``, and where the valid ones are listed."""
    members = _("see the ids in roster.toml (the id of each [[member]])")
    sentences = {
        "motif": (_("Unknown motif {typed!r}"), _("see the motifs in protocols.toml (the key of each [[protocol]])")),
        "member": (_("There is no member {typed!r} in roster.toml"), members),
        "treating_doctor": (
            _("--treating-doctor {typed!r} is not a member id of roster.toml, nor none, unknown or external"),
            members,
        ),
        "source": (_("Unknown source {typed!r}"), ""),
        "site": (_("There is no site {typed!r}"), _("see the sites in roster.toml (the key of each [[site]])")),
        "outcome": (_("Unknown outcome {typed!r}"), ""),
        "reason": (_("Unknown reason {typed!r}"), ""),
    }
    if what not in sentences:
        raise ValueError(f"matching: unknown kind of name {what!r}; one of {WHAT}")
    return sentences[what]
