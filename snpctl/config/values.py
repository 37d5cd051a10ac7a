"""The rules one value of the configuration must follow, whatever its table: ``identifier``, ``one_line``, ``template``.

A slug written into the ledger holds no personal data; a mail header or a command is one line; a
message template uses its own placeholders only. Each problem is raised by the value's ``Table``,
at the value's line. Split from ``load`` (which says which key is which value); calls the domain's
own tests (``domain.personal``, ``domain.messages``) so that what the ledger's checks would refuse
is refused here first.
"""

from __future__ import annotations

import re
from typing import Any

from snpctl.config.toml import Table
from snpctl.domain.personal import personal_kind
from snpctl.i18n import _

_KEY = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


def identifier(table: Table, key: str, default: Any = ...) -> str:
    """A value that commands write into ledger lines (a key, an id, a category, a profession).

    It must be a slug, and pass the very test ``verify`` puts to every string of a line: a value
    that looked like a phone number would make every line that carries it, and so the ledger, fail.
    """
    value = table.get(key, str, default)
    if not _KEY.match(value):
        table.fail(
            _("{value!r} should be lowercase letters, digits, '-', '_' or '.', with no spaces.").format(value=value),
            key,
        )
    what = personal_kind(value)
    if what:
        table.fail(
            _(
                "{value!r} looks like {what}, and this value is written into the ledger, which must hold no "
                "personal data; choose another one."
            ).format(value=value, what=_(what)),
            key,
        )
    return str(value)


def one_line(table: Table, key: str, default: Any = ...) -> Any:
    """A string that goes into a mail header or onto a command line: no line breaks or control characters."""
    value = table.get(key, str, default)
    if isinstance(value, str) and any(ord(c) < 32 or 127 <= ord(c) < 160 for c in value):
        table.fail(_("contains a line break or a control character; write it on one line, as plain text."), key)
    return value


def template(table: Table, name: str) -> str | None:
    """The text of message template ``name`` if the table sets it, checked as ``check`` and sending need it."""
    from snpctl.domain.messages import template_problem

    text = table.get(name, str, None)
    if text is not None:
        problem = template_problem(name, text)
        if problem:
            table.fail(problem, name)
    return None if text is None else str(text)
