"""The workspace's configuration: protocols.toml and roster.toml as typed records.

``records`` holds the records (what the domain imports), ``toml`` reads a file into tables that
name their file and key in errors, ``load`` makes the records from both files with their rules
(``load_config``). This package face re-exports the names code imported from
``snpctl.config`` before it was a package. The records are imported at once; the reading names
only when first asked for, so that the domain, which imports ``snpctl.config.records`` (and so
this file), never loads the TOML reader.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from snpctl.config.records import (
    ACTIONS,
    CABINET,
    DAYS,
    MEMBER_STATUSES,
    TREATING_DOCTOR_WORDS,
    Config,
    Hours,
    Mail,
    Member,
    Messaging,
    Protocol,
    Site,
)

if TYPE_CHECKING:
    from snpctl.config.load import MAIL_TIMEOUT_MAX, load_config, load_protocols, load_roster
    from snpctl.config.toml import FORMAT, Table, read_toml

_LAZY = {
    "load_config": "load",
    "load_protocols": "load",
    "load_roster": "load",
    "MAIL_TIMEOUT_MAX": "load",
    "Table": "toml",
    "read_toml": "toml",
    "FORMAT": "toml",
}

__all__ = [
    "ACTIONS",
    "CABINET",
    "DAYS",
    "FORMAT",
    "MAIL_TIMEOUT_MAX",
    "MEMBER_STATUSES",
    "TREATING_DOCTOR_WORDS",
    "Config",
    "Hours",
    "Mail",
    "Member",
    "Messaging",
    "Protocol",
    "Site",
    "Table",
    "load_config",
    "load_protocols",
    "load_roster",
    "read_toml",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
