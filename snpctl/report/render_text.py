"""The report for other programs and documents: JSON (contract section 6 as is), CSV (a row a month), Markdown.

Owns these three forms, and the CSV's two dialects: ``default`` for scripts (comma, decimal point, the JSON's
keys as headers: unchanged since the first report) and ``fr`` for a French spreadsheet (UTF-8 with a BOM,
``;``, decimal commas, French headers: LibreOffice and Excel in French open it as is). Made from the figures
alone (``summary``), the Markdown through the labelled rows of ``sections``; knows no ledger nor tallies.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from snpctl import i18n
from snpctl.i18n import N_, _
from snpctl.report.sections import month, percent, sections, title
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
                month(m["month"]),
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
CSV_DIALECTS = ("default", "fr")

# the headers of the French dialect, column by column (``CSV_COLUMNS``)
_FRENCH_HEADERS = {
    "month": N_("Month"),
    "calls": N_("Calls"),
    "redirected": N_("Out of protocol"),
    "transferred_15": N_("Sent to the 15"),
    "triggered": N_("Triggered"),
    "accepted": N_("Accepted"),
    "expired": N_("Not filled"),
    "direct_bookings": N_("Direct bookings"),
    "appointments": N_("Appointments"),
    "seen": N_("Seen"),
    "no_show": N_("No-show (patient did not come)"),
    "cancelled": N_("Cancelled"),
    "acceptance_rate": N_("Acceptance rate (0 to 1)"),
}


def render_csv(data: dict[str, Any], dialect: str = "default") -> str:
    """One row a month, for a spreadsheet.

    ``default``: the header row names the columns as the JSON does, ``,`` between cells, ``0.75``.
    ``fr``: a byte order mark first (Excel then reads UTF-8), French headers, ``;`` between cells, ``0,75``,
    lines ended by CRLF, whatever the language spoken.
    """
    out = io.StringIO()
    if dialect == "fr":
        out.write("\ufeff")
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(_french(_FRENCH_HEADERS[key] for key in CSV_COLUMNS))
        for row in data["monthly"]:
            writer.writerow(["" if row[k] is None else str(row[k]).replace(".", ",") for k in CSV_COLUMNS])
        return out.getvalue()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in data["monthly"]:
        writer.writerow(["" if row[k] is None else row[k] for k in CSV_COLUMNS])
    return out.getvalue()


def _french(messages: Any) -> list[str]:
    """``messages`` in French, whatever the language spoken (a French spreadsheet's headers)."""
    spoken = i18n.language()
    i18n.activate("fr")
    try:
        return [_(message) for message in messages]
    finally:
        i18n.activate(spoken)
