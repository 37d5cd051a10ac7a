"""The interactive intake: at a terminal, ``snpctl intake`` without ``--motif`` asks for what the call needs.

Owns the questions (the protocols numbered under their action, the source, the treating doctor found
by a piece of a name, the patient's name and phone number), their re-asking (three tries), the summary
and its confirmation. Must not decide anything about the call: it only fills what ``intake`` would have
been given on the line, and ``intake`` calls the same service function. Never asks when stdin or
stdout is not a terminal, nor with ``--json`` (``intake`` checks it): scripts get today's usage error.

Ctrl-C leaves with 130, the end of the input (Ctrl-D) with 1; neither writes anything, as the
questions are all asked before the command takes the ledger.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple, NoReturn, TypeVar

import typer

from snpctl import phones, runner, words
from snpctl.config.records import Config
from snpctl.domain.vocabulary import Source
from snpctl.errors import BadUsage, SnpctlError
from snpctl.i18n import _
from snpctl.matching import fold
from snpctl.shown import literal
from snpctl.store.workspace import Workspace

T = TypeVar("T")
TRIES = 3
SOURCES = tuple(Source)
_ACTIONS = ("trigger", "redirect", "transfer_15")  # the order the motives are listed in, under words.action
_NO_DOCTOR = {"none": ("none", "aucun"), "unknown": ("unknown", "inconnu", ""), "external": ("external", "externe")}
_YES = ("o", "oui", "y", "yes")


class Call(NamedTuple):
    """What ``intake`` records: given on the line, or asked."""

    motif: str | None
    source: str | None
    treating_doctor: str | None
    patient: str | None
    phone: str | None


def at_a_terminal() -> bool:
    """Someone is there to answer: both stdin and stdout are a terminal."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def missing(ctx: typer.Context, name: str) -> NoReturn:
    """The usage error of a required option left out (exit 2, the same sentence as before the questions)."""
    errors: Any = sys.modules[typer.BadParameter.__module__]  # click's, or typer's own copy of it
    raise errors.MissingParameter(ctx=ctx, param=next(p for p in ctx.command.params if p.name == name))


def ask(home: Path | None, given: Call) -> Call:
    """``given``, its missing parts asked for, once the operator confirmed the summary."""
    ws = Workspace.find(home)
    try:
        config = ws.config
    except SnpctlError as error:
        runner.fail(error.message, error.exit_code)
    try:
        call = _questions(config, given)
        print(_summary(config, call))
        if fold(input(_("Confirm? [y/N] "))) not in _YES:
            runner.fail(_("Not confirmed: nothing was recorded."), 1)
    except EOFError:
        print()
        runner.fail(_("No answer (end of input): nothing was recorded."), 1)
    except KeyboardInterrupt:  # typer would leave with 130 silently
        print()
        runner.fail(_("Interrupted: nothing was recorded."), 130)
    return call


def _questions(config: Config, given: Call) -> Call:
    motif = given.motif
    if motif is None:
        print(_motives(config))
        protocols = _protocols(config)
        motif = _answer(_("Motive (its number, or a piece of its name): "), lambda typed: _pick(typed, protocols))
    source = given.source
    if source is None:
        print(_sources())
        source = _answer(_("Source (its number, or its name): "), lambda typed: _pick(typed, _source_choices()))
    doctor = given.treating_doctor or _answer(
        _("Treating doctor (a piece of a name or an id; none, unknown, external; Enter: unknown): "),
        lambda typed: _doctor(config, typed),
    )
    patient = given.patient
    if patient is None:
        patient = input(_("Patient's name (Enter: none): ")).strip() or None
    phone = given.phone
    if phone is None:
        phone = _answer(_("Patient's phone number, for the SMS (Enter: none): "), _phone)
    return Call(motif, source, doctor, patient, phone)


def _answer(question: str, understand: Callable[[str], T]) -> T:
    """The answer to ``question`` as ``understand`` reads it; asked again, with why, up to three times."""
    for _try in range(TRIES):
        try:
            return understand(input(question).strip())
        except BadUsage as error:
            print(literal(error.message))
    return runner.fail(_("Three answers were not understood: nothing was recorded."), 2)


def _pick(typed: str, choices: Sequence[tuple[str, str]]) -> str:
    """The key of the choice ``typed`` names: its number in the list, its key, or a piece of its key or label
    found in no other choice."""
    if typed.isdigit():
        if 1 <= int(typed) <= len(choices):
            return choices[int(typed) - 1][0]
        raise BadUsage(
            _("There is no number {n} in the list; type a number from 1 to {last}.").format(n=typed, last=len(choices))
        )
    piece = fold(typed)
    if not piece:
        raise BadUsage(_("Type a number from the list, or a piece of a name."))
    exact = [key for key, _label in choices if fold(key) == piece]
    if exact:
        return exact[0]
    found = [i for i, (key, label) in enumerate(choices, 1) if piece in fold(key) or piece in fold(label)]
    if len(found) == 1:
        return choices[found[0] - 1][0]
    if found:
        names = ", ".join(f"{i} {choices[i - 1][0]}" for i in found)
        raise BadUsage(_("Several match {typed!r}: {names}; type the number.").format(typed=typed, names=names))
    raise BadUsage(
        _("Nothing in the list matches {typed!r}; type a number from the list, or a piece of a name.").format(
            typed=typed
        )
    )


def _protocols(config: Config) -> list[tuple[str, str]]:
    """The protocols in the order they are listed (and numbered): by action, then as in protocols.toml."""
    return [(p.key, p.label) for action in _ACTIONS for p in config.protocols.values() if p.action == action]


def _motives(config: Config) -> str:
    """The numbered list of the motives under their action, and the question."""
    lines, number = [_("Motives:")], 0
    width = max((len(p.key) for p in config.protocols.values()), default=0)
    for action in _ACTIONS:
        chosen = [p for p in config.protocols.values() if p.action == action]
        if chosen:
            heading = words.action(action)
            lines.append(f"  {heading[:1].upper()}{heading[1:]}")
        for protocol in chosen:
            number += 1
            lines.append(f"  {number:>4}  {literal(protocol.key):<{width}}  {literal(protocol.label)}")
    return "\n".join(lines)


def _source_choices() -> list[tuple[str, str]]:
    return [(code, words.source(code)) for code in SOURCES]


def _sources() -> str:
    lines = [_("Source of the call:")]
    lines += [f"  {n:>4}  {code:<8}  {word}" for n, (code, word) in enumerate(_source_choices(), 1)]
    return "\n".join(lines)


def _doctor(config: Config, typed: str) -> str:
    """A member id found by a piece of its name or id, or ``none``, ``unknown`` (Enter), ``external``."""
    word = fold(typed)
    for code, spoken in _NO_DOCTOR.items():
        if word in spoken:
            return code
    members = [(m.id, m.name) for m in config.members.values()]
    exact = [key for key, _name in members if fold(key) == word]
    found = exact or [key for key, name in members if word in fold(key) or word in fold(name)]
    if len(found) == 1:
        return found[0]
    if found:
        names = ", ".join(f"{config.members[key].name} ({key})" for key in found)
        raise BadUsage(
            _("Several members match {typed!r}: {names}; type more of the name, or the id.").format(
                typed=typed, names=literal(names)
            )
        )
    raise BadUsage(
        _(
            "No member of roster.toml matches {typed!r}; type a piece of a name or an id, or none, unknown, external."
        ).format(typed=typed)
    )


def _phone(typed: str) -> str | None:
    """The number in its stored form (E.164), or None when Enter was pressed; BadUsage when it is not one."""
    if not typed:
        return None
    return phones.parse(typed)


def _doctor_text(config: Config, doctor: str) -> str:
    member = config.members.get(doctor)
    if member is not None:
        return f"{literal(member.name)} ({literal(doctor)})"
    said = {"none": _("none"), "unknown": _("not known"), "external": _("not in the roster")}
    return said.get(doctor, literal(doctor))


def _summary(config: Config, call: Call) -> str:
    protocol = config.protocols.get(call.motif or "")
    motive = (
        f"{literal(protocol.label)} ({literal(protocol.key)}), {words.action(protocol.action)}"
        if protocol is not None
        else literal(call.motif)
    )
    rows = [
        (_("Motive"), motive),
        (_("Source"), literal(words.source(call.source or ""))),
        (_("Treating doctor"), _doctor_text(config, call.treating_doctor or "unknown")),
        (_("Patient"), literal(call.patient) if call.patient else "-"),
        (_("Phone"), literal(call.phone) if call.phone else "-"),
    ]
    width = max(len(name) for name, _value in rows)
    return "\n".join([_("To record:"), *(f"  {name:<{width}} : {value}" for name, value in rows)])
