"""The report for a terminal: sections with their numbers lined up, then a bar a month.

Owns the layout (columns, widths, the month bars). Made from the figures alone (``summary``)
through the labelled rows of ``sections``; knows no ledger nor tallies.
"""

from __future__ import annotations

from typing import Any

from snpctl.i18n import _
from snpctl.report.sections import month, sections, title

# the last line of the table: where to get the figures for a spreadsheet (``render_text.render_csv``)
SPREADSHEET_HINT = "snpctl report --format csv --csv-dialect fr"


def _is_number(text: str) -> bool:
    return text == "-" or text.replace(".", "", 1).replace(",", "", 1).removesuffix("%").isdigit()


def render_table(data: dict[str, Any], width: int = 36) -> str:
    """Sections a coordinator reads top to bottom: numbers line up on the right, words start at the column."""
    parts = sections(data)
    label_width = max(len(label) for _title, rows in parts for label, _value in rows)
    value_width = max(
        len(value.split(" ")[0]) for _title, rows in parts for _label, value in rows if _is_number(value.split(" ")[0])
    )
    out = [title(data)]
    for heading, rows in parts:
        out += ["", heading.upper()]
        for label, value in rows:
            head, _space, tail = value.partition(" ")
            cell = f"{head:>{value_width}}{' ' + tail if tail else ''}" if _is_number(head) else value
            out.append(f"  {label:<{label_width}}  {cell}")
    out += _month_bars(data["monthly"], width)
    out += ["", _("For a spreadsheet: {command}").format(command=SPREADSHEET_HINT)]
    return "\n".join(out) + "\n"


def _month_bars(months: list[dict[str, Any]], width: int) -> list[str]:
    """A line a month: its calls, triggered and accepted, and a bar of them as long as ``width`` at the peak."""
    if not months:
        return []
    peak = max(m["calls"] for m in months) or 1
    names = [month(m["month"]) for m in months]
    wide = max(len(name) for name in names)
    out = [
        "",
        _("BY MONTH") + "   " + _("█ accepted  ▓ triggered, not accepted  ░ other calls"),
        f"  {'':{wide}}  {_('calls'):>6} {_('trig.'):>6} {_('acc.'):>6}",
    ]
    for name, row in zip(names, months, strict=True):
        cells = [round(row[k] * width / peak) for k in ("accepted", "triggered", "calls")]
        bar = "█" * cells[0] + "▓" * (cells[1] - cells[0]) + "░" * (cells[2] - cells[1])
        out.append(f"  {name:{wide}}  {row['calls']:>6} {row['triggered']:>6} {row['accepted']:>6}  {bar}".rstrip())
    return out
