"""The one translation function every user-facing sentence goes through.

Call sites write ``_("No request {id}.").format(id=...)`` so that a French catalogue
(``snpctl/locale/fr/LC_MESSAGES/snpctl.mo``) can be added later without touching them.
The language follows the usual LANGUAGE / LC_ALL / LC_MESSAGES / LANG variables.
"""

from __future__ import annotations

import gettext
from pathlib import Path

_LOCALE_DIR = Path(__file__).parent / "locale"
_translation = gettext.translation("snpctl", localedir=_LOCALE_DIR, fallback=True)


def _(message: str) -> str:
    return _translation.gettext(message)
