"""The one translation function every sentence a person reads goes through, and the choice of language.

Message ids are English; the French catalogue is compiled from ``snpctl/locale/fr/*.po`` (one part per
area of the code) into ``snpctl/locale/fr/LC_MESSAGES/snpctl.mo`` when the package is built or
installed (``setup.py``; ``make`` for a working copy). French is the tool's language; English stays
available. The language is, first that is set:

1. ``SNPCTL_LANG`` (``fr`` or ``en``);
2. the workspace's ``language`` at the top of ``protocols.toml`` (``init`` writes ``fr``);
3. the locale: ``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` (the first one set decides);
4. French: cron's ``tick`` runs without a locale and writes French mail.

Call sites write ``_("No request {id}.").format(id=...)``, and ``ngettext("{n} request", "{n} requests", n)``
where a count decides the form; a table of words defined at import time marks
them with ``N_`` and translates them when shown: ``_(LABELS[code])``.
"""

from __future__ import annotations

import gettext
import os
import sys
from collections.abc import Mapping
from pathlib import Path

LANG_ENV = "SNPCTL_LANG"
LANGUAGES = ("fr", "en")
DEFAULT = "fr"
LOCALE_DIR = Path(__file__).parent / "locale"
_LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_catalogues: dict[str, gettext.NullTranslations] = {}
_active: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"
_warned: set[str] = set()


def _catalogue(language: str) -> gettext.NullTranslations:
    found = _catalogues.get(language)
    if found is None:
        if language == "en":
            found = gettext.NullTranslations()  # the message ids are the English
        else:
            found = gettext.translation("snpctl", localedir=LOCALE_DIR, languages=[language], fallback=True)
        _catalogues[language] = found
    return found


def _from_locale(environ: Mapping[str, str]) -> str | None:
    for name in _LOCALE_VARIABLES:
        value = environ.get(name, "")
        if not value:
            continue
        for entry in value.split(":"):  # LANGUAGE is a list by preference: "fr_FR:en"
            code = entry.split("_")[0].split(".")[0].split("@")[0].lower()
            if code in LANGUAGES:
                return code
        return None  # the first variable set decides, even "C" or "de_DE": then the default
    return None


def resolve(workspace: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The language to speak: ``SNPCTL_LANG``, else the workspace's, else the locale's, else French.

    An ``SNPCTL_LANG`` that is neither ``fr`` nor ``en`` is ignored with a warning (the person reading it
    learns of the typo; cron mails it).
    """
    environ = os.environ if environ is None else environ
    chosen = environ.get(LANG_ENV, "").strip().lower()
    if chosen in LANGUAGES:
        return chosen
    if chosen and chosen not in _warned:
        _warned.add(chosen)
        print(
            _("snpctl: {name}={value!r} is not a language of snpctl (fr or en); it is ignored.").format(
                name=LANG_ENV, value=environ.get(LANG_ENV)
            ),
            file=sys.stderr,
        )
    if workspace in LANGUAGES:
        return workspace
    return _from_locale(environ) or DEFAULT


def activate(language: str) -> None:
    """Speak ``language`` (``fr`` or ``en``) from now on, in this process."""
    global _active, _language
    _active, _language = _catalogue(language), language


def language() -> str:
    """The language being spoken: ``fr`` or ``en``."""
    return _language


def _(message: str) -> str:
    return _active.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The sentence for ``n`` of something, by the rule of the language spoken: French says "1 demande",
    "0 demande", "2 demandes"; English "1 request", "0 requests". Both sentences take the same placeholders."""
    return _active.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it yet (tables built at import time)."""
    return message


activate(resolve())
