"""The French catalogue covers every sentence of the code, with the same placeholders, and is the one
the package reads (compiled from the .po parts in git)."""

from __future__ import annotations

import ast
import importlib.util
import string
from pathlib import Path

from babel.messages.pofile import read_po

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "snpctl"
LOCALE = PACKAGE / "locale"
_spec = importlib.util.spec_from_file_location("snpctl_locale_compile", LOCALE / "compile.py")
assert _spec is not None and _spec.loader is not None
compile_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(compile_module)


def message_ids() -> dict[str, str]:
    """Every literal given to ``_()`` or ``N_()`` in the package -> where it is (the first place)."""
    found: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "N_")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.setdefault(node.args[0].value, f"{path.relative_to(REPO)}:{node.lineno}")
    return found


def french() -> dict[str, str]:
    translations: dict[str, str] = {}
    for part in sorted((LOCALE / "fr").glob("*.po")):
        with part.open("rb") as stream:
            for message in read_po(stream, locale="fr"):
                if message.id and not message.fuzzy:
                    translations[message.id] = message.string
    return translations


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_message_of_the_code_has_a_french_translation() -> None:
    translations = french()
    missing = [f"{where}: {msgid!r}" for msgid, where in message_ids().items() if not translations.get(msgid)]
    assert missing == [], "no French for:\n" + "\n".join(missing)


def test_each_translation_has_the_placeholders_of_its_message() -> None:
    wrong = [
        f"{msgid!r} -> {text!r}"
        for msgid, text in french().items()
        if text and placeholders(msgid) != placeholders(text)
    ]
    assert wrong == []


def test_the_catalogue_translates_nothing_the_code_no_longer_says() -> None:
    assert sorted(set(french()) - set(message_ids())) == []


def test_the_compiled_catalogue_is_the_one_of_the_parts() -> None:
    """What the package reads is what the .po parts say (run `make` after editing a part)."""
    compiled = LOCALE / "fr" / "LC_MESSAGES" / "snpctl.mo"
    assert compiled.read_bytes() == compile_module.compiled(LOCALE / "fr")
