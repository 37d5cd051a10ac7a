"""The documented figures beside the ones ``report`` computes from the simulated ledger, and their table for people.

Owns the comparison rules (exact, rounded as the document rounds, within a tolerance) and the
side-by-side rendering. Must not know how the period was planned or played.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from snpctl.i18n import N_, _, language
from snpctl.report.sections import day
from snpctl.shown import fill, literal
from snpctl.simulate.scenario import Expect, round_half_up
from snpctl.timefmt import duration_text, parse_duration


@dataclass
class Row:
    figure: str
    key: str
    documented: Any
    computed: Any
    rule: str
    ok: bool
    percent: bool
    note: str = ""


def _lookup(data: dict[str, Any], key: str) -> Any:
    value: Any = data
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


# How a documented value is compared, in words: English in the JSON (``rule``, as before), in the language
# spoken in the table (``_rule_words`` reads the English back through these shapes).
_ROUNDS_PERCENT = N_("rounds to {value}%")
_ROUNDS_NEAREST = N_("rounds to the nearest {unit}")
_ROUNDS_DECIMALS = N_("rounds to {digits} decimals")
_WITHIN = N_("within ±{tolerance}")
_EXACT = N_("exact")
_RULE_SHAPES = [
    (message, re.compile("^" + re.sub(r"\\{(\w+)\\}", r"(?P<\1>[-0-9.]+)", re.escape(message)) + "$"))
    for message in (_ROUNDS_PERCENT, _ROUNDS_NEAREST, _ROUNDS_DECIMALS, _WITHIN, _EXACT)
]


def _rule(expect: Expect) -> str:
    """How the documented value is compared, in English words (the JSON's ``rule``)."""
    if expect.round is not None:
        if expect.percent:
            return _ROUNDS_PERCENT.format(value=f"{expect.value * 100:.{max(expect.round - 2, 0)}f}")
        if expect.round < 0:
            return _ROUNDS_NEAREST.format(unit=10**-expect.round)
        return _ROUNDS_DECIMALS.format(digits=expect.round)
    if expect.tolerance is not None:
        return _WITHIN.format(tolerance=expect.tolerance)
    return _EXACT


def _rule_words(rule: str) -> str:
    """A row's ``rule`` (English, from ``_rule``) in the language spoken; one of another shape as it is."""
    for message, shape in _RULE_SHAPES:
        found = shape.match(rule)
        if found:
            return _(message).format(**{name: _decimal(value) for name, value in found.groupdict().items()})
    return literal(rule)


def _decimal(text: str) -> str:
    return text.replace(".", ",") if language() == "fr" else text


def _matches(expect: Expect, computed: Any) -> bool:
    if expect.round is not None:
        return computed is not None and round_half_up(computed, expect.round) == round_half_up(
            expect.value, expect.round
        )
    if expect.tolerance is not None:
        return computed is not None and abs(computed - expect.value) <= expect.tolerance
    return bool(computed == expect.value)


def _sum(data: dict[str, Any], keys: tuple[str, ...]) -> Any:
    parts = [_lookup(data, k) for k in keys]
    return None if any(p is None for p in parts) else sum(parts)


def compare(expect: Expect, data: dict[str, Any]) -> Row:
    """One documented figure beside the one computed from ``data`` (the report's JSON object)."""
    computed = _sum(data, expect.keys)
    if computed is not None and expect.per:
        total = _sum(data, expect.per)
        computed = round(computed / total, 4) if total else None
    key = "+".join(expect.keys) + (" / " + "+".join(expect.per) if expect.per else "")
    return Row(
        expect.figure,
        key,
        expect.value,
        computed,
        _rule(expect),
        _matches(expect, computed),
        expect.percent,
        expect.note,
    )


def _shown(value: Any, percent: bool) -> str:
    """A documented or computed figure for people: ``80 %``, ``80,25 %``, ``170,3`` in French."""
    if value is None:
        return "-"
    if percent:
        return _("{value}%").format(value=_decimal(f"{value * 100:.2f}".removesuffix(".00")))
    if isinstance(value, float):
        return _decimal(f"{value:.1f}")
    return str(value)


def render(data: dict[str, Any]) -> str:
    """The side-by-side table: each documented figure and the one `report` computes from the ledger."""
    settings = data["settings"]
    window = _("treating-doctor window {window} of {total}, appointments within {horizon}").format(
        window=duration_text(parse_duration(settings["treating_doctor_window"])),
        total=duration_text(parse_duration(settings["total_window"])),
        horizon=duration_text(parse_duration(settings["appointment_horizon"])),
    )
    sites = "; ".join(f"{key} {', '.join(hours)}" for key, hours in settings["sites"].items()) or _("no site")
    out = [
        literal(data["title"]),
        _("Scenario {name}, seed {seed}: {start} to {end}.").format(
            name=data["scenario"], seed=data["seed"], start=day(data["period"]["from"]), end=day(data["period"]["to"])
        ),
        fill(_("Source: {source}."), source=data["source"]),
        _("Settings: {window}; calls {line}; {sites}; {registered} registered members.").format(
            window=window,
            line=", ".join(settings["line_hours"]),
            sites=sites,
            registered=settings["members_registered"],
        ),
        "",
    ]
    header = (_("figure"), _("documented"), _("computed"), _("rule"), _("ok"))
    table = [
        (
            literal(r["figure"]),
            _shown(r["documented"], r["percent"]),
            _shown(r["computed"], r["percent"]),
            _rule_words(r["rule"]),
            _("yes") if r["ok"] else _("NO"),
        )
        for r in data["rows"]
    ]
    widths = [max(len(row[i]) for row in [header, *table]) for i in range(5)]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(
            (cell.rjust(width) if i in (1, 2) else cell.ljust(width))
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))  # 5 columns each
        ).rstrip()

    out.append(line(header))
    out.append(line(tuple("-" * w for w in widths)))
    out += [line(row) for row in table]
    out.append("")
    matched = sum(r["ok"] for r in data["rows"])
    if data["ok"]:
        out.append(_("All {n} documented figures match the report computed from the ledger.").format(n=matched))
    else:
        out.append(
            _("{bad} of {n} documented figures do NOT match the report computed from the ledger.").format(
                bad=len(data["rows"]) - matched, n=len(data["rows"])
            )
        )
    out.append(
        _(
            "{events} events written to {home}/ledger/ ({ticks} ticks). See it all: snpctl report --home {home} "
            "--from {start} --to {end}"
        ).format(
            events=data["events"],
            home=data["home"],
            ticks=data["ticks"],
            start=data["period"]["from"],
            end=data["period"]["to"],
        )
    )
    return "\n".join(out) + "\n"
