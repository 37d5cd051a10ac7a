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


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def message_ids() -> dict[str | tuple[str, str], str]:
    """Every literal given to ``_()`` or ``N_()`` in the package, and every (singular, plural) pair given to
    ``ngettext()`` -> where it is (the first place)."""
    found: dict[str | tuple[str, str], str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args):
                continue
            where = f"{path.relative_to(REPO)}:{node.lineno}"
            if node.func.id in ("_", "N_") and _literal(node.args[0]) is not None:
                found.setdefault(_literal(node.args[0]), where)  # type: ignore[arg-type]
            elif node.func.id == "ngettext" and len(node.args) == 3:
                singular, plural = _literal(node.args[0]), _literal(node.args[1])
                assert singular is not None and plural is not None, f"{where}: ngettext takes two literals"
                found.setdefault((singular, plural), where)
    return found


def french() -> dict[str | tuple[str, str], str | tuple[str, ...]]:
    """Message id (a string, or the pair of a plural) -> its French (a string, or one per plural form)."""
    translations: dict[str | tuple[str, str], str | tuple[str, ...]] = {}
    for part in sorted((LOCALE / "fr").glob("*.po")):
        with part.open("rb") as stream:
            for message in read_po(stream, locale="fr"):
                if message.id and not message.fuzzy:
                    key = message.id if isinstance(message.id, str) else tuple(message.id)
                    translations[key] = message.string if isinstance(message.string, str) else tuple(message.string)
    return translations


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _forms(text: str | tuple[str, ...]) -> tuple[str, ...]:
    return (text,) if isinstance(text, str) else text


def test_every_message_of_the_code_has_a_french_translation() -> None:
    translations = french()
    missing = [
        f"{where}: {msgid!r}" for msgid, where in message_ids().items() if not all(_forms(translations.get(msgid, "")))
    ]
    assert missing == [], "no French for:\n" + "\n".join(missing)


def test_each_translation_has_the_placeholders_of_its_message() -> None:
    wrong = [
        f"{msgid!r} -> {text!r}"
        for msgid, text in french().items()
        for form in _forms(text)
        if form and any(placeholders(form) != placeholders(one) for one in _forms(msgid))
    ]
    assert wrong == []


def test_the_catalogue_translates_nothing_the_code_no_longer_says() -> None:
    assert sorted(set(french()) - set(message_ids())) == []


def test_the_compiled_catalogue_is_the_one_of_the_parts() -> None:
    """What the package reads is what the .po parts say (run `make` after editing a part)."""
    compiled = LOCALE / "fr" / "LC_MESSAGES" / "snpctl.mo"
    assert compiled.read_bytes() == compile_module.compiled(LOCALE / "fr")
