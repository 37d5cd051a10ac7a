"""The words typer and click print themselves (help headings, ``[required]``, usage errors), in snpctl's language.

Owns only the translation of what the command-line framework writes: the help option's line, the
completion options' lines, the ``Usage:`` prefix, the headings and ``[required]`` / ``[default: …]``
(typer's own ``gettext`` calls, routed to ``snpctl.i18n``), and the usage errors' sentences (click writes
them in English, without gettext: they are recognised and said again). A sentence of a newer click that
is not recognised is shown as it is: English, never lost.
"""

from __future__ import annotations

import re
from typing import Any

import typer
import typer.core

from snpctl.i18n import N_, _

# typer's own gettext calls (typer.core), read through snpctl's catalogue once ``install`` has run
TYPER_WORDS = (
    N_("Arguments"),
    N_("Options"),
    N_("Commands"),
    N_("required"),
    N_("default: {default}"),
    N_("No such command {name!r}."),
    N_("Missing command."),
)
_COMPLETION_HELP = {
    "install_completion": N_("Install completion for the current shell."),
    "show_completion": N_("Show completion for the current shell, to copy it or customize the installation."),
}


def install() -> None:
    """Make typer's own ``gettext`` calls speak snpctl's language (typer 0.16 to 0.27 all call ``_``)."""
    if callable(getattr(typer.core, "_", None)):
        typer.core._ = _  # type: ignore[attr-defined]


def _help_option(option: Any) -> Any:
    if option is not None:
        option.help = _("Show this message and exit.")
    return option


def _usage(self: Any, ctx: Any, formatter: Any) -> None:
    formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix=_("Usage: "))


class Command(typer.core.TyperCommand):
    """A command whose help says its framework's words in snpctl's language."""

    def get_help_option(self, ctx: Any) -> Any:
        return _help_option(super().get_help_option(ctx))

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        _usage(self, ctx, formatter)


class Group(typer.core.TyperGroup):
    """The program itself: the same, and the completion options' lines."""

    def get_help_option(self, ctx: Any) -> Any:
        return _help_option(super().get_help_option(ctx))

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        _usage(self, ctx, formatter)

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)
        for param in params:
            if param.name in _COMPLETION_HELP:
                param.help = _(_COMPLETION_HELP[param.name])  # type: ignore[attr-defined]
        return params


_ERRORS = (
    (re.compile(r"Missing option (?P<name>.+)\.$"), N_("Missing option {name}.")),
    (re.compile(r"Missing argument (?P<name>.+)\.$"), N_("Missing argument {name}.")),
    (
        re.compile(r"No such option: (?P<name>\S+) \(Possible options: (?P<names>.+)\)$"),
        N_("No such option: {name} (did you mean: {names}?)"),
    ),
    (re.compile(r"No such option: (?P<name>\S+)$"), N_("No such option: {name}")),
    (re.compile(r"Option (?P<name>'\S+') requires an argument\.$"), N_("Option {name} needs a value.")),
    (
        re.compile(r"Got unexpected extra argument(?:\(s\)|s)? \((?P<words>.+)\)$"),
        N_("Unexpected words: {words}."),
    ),
    (
        re.compile(r"Invalid value for (?P<name>.+?): (?P<value>'.*') is not a valid integer\.$"),
        N_("Invalid value for {name}: {value} is not a whole number."),
    ),
    (
        re.compile(r"Invalid value for (?P<name>.+?): (?P<value>.+) is not in the range (?P<range>\S+)\.$"),
        N_("Invalid value for {name}: {value} is not in the range {range}."),
    ),
)


def usage_error(message: str) -> str:
    """Click's English sentence for a usage error, in snpctl's language (as it is when not recognised)."""
    for pattern, sentence in _ERRORS:
        found = pattern.match(message)
        if found:
            return _(sentence).format(**found.groupdict())
    return message
