"""What people see of a value taken from configuration, the ledger or the command line: its characters, as typed.

Labels, names, addresses and free text are shown literally, never interpreted: a control character
(an escape sequence that would recolour or clear the terminal, a newline that would forge a line
of output) is shown escaped, ``\\x1b``, ``\\n``. Rich markup is never read in them either: the
consoles that print tables are made with ``markup=False``.
"""

from __future__ import annotations

import re
from typing import Any

# C0 and C1 controls, DEL, and the bidirectional overrides that reorder what a terminal shows
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    return _NAMED.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")


def literal(value: Any) -> str:
    """``value`` as text safe to print: every control character written as its escape."""
    text = str(value)
    return _CONTROL.sub(_escaped, text) if _CONTROL.search(text) else text


def fill(message: str, **values: Any) -> str:
    """``message.format(**values)``, each value shown literally (the message's own newlines stay)."""
    return message.format(**{name: literal(value) for name, value in values.items()})
