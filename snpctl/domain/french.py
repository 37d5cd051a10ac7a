"""French grammar the texts people receive need where a name is put into a sentence: "de" + "Inès" is
"d'Inès". Pure: no language choice, no configuration; ``messages.fill`` applies it wherever a text says
``de {placeholder}``.
"""

from __future__ import annotations

import re

_VOWELS = frozenset("aeiouyàâäéèêëîïôöùûüÿœæ")
_DE = re.compile(r"(?<!\w)([Dd])e $")  # the word "de" (or "De") ending the text, then one space


def elides(word: str) -> bool:
    """Does "de" lose its e before ``word``? Before a vowel (Inès, Élodie), a mute h (Hélène, Hugo: the
    common case for names; an aspirated h is not told apart) and a y sounded as a vowel (Yves); not before
    a consonant, a y sounded as one (Yann, Yolande), a digit, a bracket or nothing."""
    first, second = word[:1].lower(), word[1:2].lower()
    if first == "h":
        return second in _VOWELS
    if first == "y":
        return second != "" and second not in _VOWELS
    return first in _VOWELS


def elide(before: str, word: str) -> str:
    """``before`` with its final "de " made "d'" when ``word``, which follows it, elides it:
    ``("Synthèse de la consultation de ", "Inès D.")`` gives ``"Synthèse de la consultation d'"``."""
    return _DE.sub(r"\1'", before) if elides(word) else before
