"""`snpctl report`: the figures of contract section 6, computed from the ledger's events alone, and their renderings.

``summary`` makes the figures from the tallies' sums (``domain.tallies``, saved by ``store.tallies``);
``sections`` labels them for people; ``render_table`` (the terminal) and ``render_text`` (JSON, CSV,
Markdown) write them out. The store must never import it: the sums it saves are the domain's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from snpctl.report.render_table import render_table
from snpctl.report.render_text import CSV_COLUMNS, CSV_DIALECTS, render_csv, render_json, render_markdown
from snpctl.report.summary import MONTH_KEYS, figures, summarize

__all__ = ["CSV_COLUMNS", "CSV_DIALECTS", "MONTH_KEYS", "figures", "render_report", "summarize"]

_FORMS: dict[str, Callable[[dict[str, Any]], str]] = {
    "json": render_json,
    "csv": render_csv,
    "markdown": render_markdown,
}


def render_report(data: dict[str, Any], form: str, csv_dialect: str = "default") -> str:
    """The figures in ``form`` (json, csv, markdown; anything else: the terminal table); a CSV in ``csv_dialect``."""
    if form == "csv":
        return render_csv(data, csv_dialect)
    return _FORMS.get(form, render_table)(data)
