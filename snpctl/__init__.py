"""snpctl: the unscheduled-care cascade of a CPTS, on an append-only ledger."""

__version__ = "0.1.0"
