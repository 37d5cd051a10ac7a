"""The report for other programs and documents: JSON (contract section 6 as is), CSV (a row a month), Markdown.

Owns these three forms. Made from the figures alone (``summary``), the Markdown through the
labelled rows of ``sections``; knows no ledger nor tallies.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from snpctl.i18n import _
from snpctl.report.sections import percent, sections, title
from snpctl.report.summary import MONTH_KEYS


def render_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False) + "\n"


def render_markdown(data: dict[str, Any]) -> str:
    out = [f"## {title(data)}"]
    for heading, rows in sections(data):
        out += ["", f"### {heading}", "", f"| {_('Figure')} | {_('Value')} |", "|---|---:|"]
        out += [
            f"| {'&nbsp;&nbsp;' if label.startswith('  ') else ''}{label.strip()} | {value} |" for label, value in rows
        ]
    if data["monthly"]:
        headers = (
            _("Month"),
            _("Calls"),
            _("Triggered"),
            _("Accepted"),
            _("Acceptance rate"),
            _("Expired"),
            _("Direct bookings"),
            _("Seen"),
            _("No-show"),
        )
        out += [
            "",
            f"### {_('By month')}",
            "",
            "| " + " | ".join(headers) + " |",
            "|---|" + "---:|" * (len(headers) - 1),
        ]
        for m in data["monthly"]:
            cells = (
                m["month"],
                m["calls"],
                m["triggered"],
                m["accepted"],
                percent(m["acceptance_rate"]),
                m["expired"],
                m["direct_bookings"],
                m["seen"],
                m["no_show"],
            )
            out.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(out) + "\n"


CSV_COLUMNS = ("month", *MONTH_KEYS, "acceptance_rate")


def render_csv(data: dict[str, Any]) -> str:
    """One row a month, for a spreadsheet; the header row names the columns as the JSON does."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for month in data["monthly"]:
        writer.writerow(["" if month[k] is None else month[k] for k in CSV_COLUMNS])
    return out.getvalue()
