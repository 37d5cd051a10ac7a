"""Compile the catalogues: every ``snpctl/locale/<language>/*.po`` part into one
``<language>/LC_MESSAGES/snpctl.mo``, which ``snpctl.i18n`` reads.

Run by ``setup.py`` when the package is built or installed (so ``pip install .`` from a fresh clone carries
the French), by ``make`` in a working copy after a ``.po`` changes, and by the catalogue test. A part is one
area of the code (``cli.po``, ``report.po`` ...); a message id two parts share must be translated the same
in both, else the build stops. Babel reads and writes the gettext formats (build and test dependency only:
the installed tool reads the ``.mo`` with the standard library's ``gettext``).

    python snpctl/locale/compile.py [OUT_DIR]
"""

from __future__ import annotations

import io
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

HERE = Path(__file__).resolve().parent
DOMAIN = "snpctl"
PLURAL_FORMS = {"fr": "nplurals=2; plural=(n > 1);"}


class Conflict(Exception):
    """A message id translated differently by two parts."""


def merged(language_dir: Path) -> Catalog:
    """The parts of one language as one catalogue (fuzzy entries left out, as msgfmt does)."""
    language = language_dir.name
    fixed = datetime(2026, 1, 1, tzinfo=UTC)  # the same bytes from the same parts: no build date inside
    catalog = Catalog(
        locale=language, domain=DOMAIN, charset="utf-8", project="snpctl", creation_date=fixed, revision_date=fixed
    )
    # French as gettext writes it: one form for 0 and 1 ("0 demande", "1 demande"), one beyond; Babel's CLDR
    # data would ask three forms of every French plural. Each part says the same in its header.
    catalog.mime_headers = [("Plural-Forms", PLURAL_FORMS[language])]
    origin: dict[str, str] = {}
    for part in sorted(language_dir.glob("*.po")):
        with part.open("rb") as stream:
            read = read_po(stream, locale=language, domain=DOMAIN, charset="utf-8")
        for message in read:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if not message.id or message.fuzzy or not all(strings):
                continue
            key = message.id if isinstance(message.id, str) else message.id[0]
            if key in origin and catalog[key].string != message.string:
                raise Conflict(f"{part.name}: {key!r} is translated differently in {origin[key]}")
            origin[key] = part.name
            catalog.add(message.id, message.string, context=message.context)
    return catalog


def compiled(language_dir: Path) -> bytes:
    out = io.BytesIO()
    write_mo(out, merged(language_dir))
    return out.getvalue()


def build(out_dir: Path = HERE) -> list[Path]:
    """Write each language's ``.mo`` under ``out_dir`` (when its content changed); the paths written."""
    written = []
    for language_dir in sorted(p for p in HERE.iterdir() if p.is_dir() and any(p.glob("*.po"))):
        target = out_dir / language_dir.name / "LC_MESSAGES" / f"{DOMAIN}.mo"
        content = compiled(language_dir)
        if not target.exists() or target.read_bytes() != content:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            written.append(target)
    return written


if __name__ == "__main__":
    try:
        for path in build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
            print(f"compiled {path}")
    except Conflict as conflict:
        sys.exit(f"snpctl/locale: {conflict}")
