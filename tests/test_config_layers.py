"""The configuration's records are importable without its reader: the domain never loads the TOML code."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_domain_does_not_load_the_configuration_reader() -> None:
    code = (
        "import sys, snpctl.domain.cascade, snpctl.domain.messages, snpctl.domain.audit, snpctl.domain.tallies; "
        "print(sorted(m for m in sys.modules if m.startswith('snpctl.config')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "['snpctl.config', 'snpctl.config.records']"


def test_the_store_counts_the_report_sums_without_the_report() -> None:
    code = "import sys, snpctl.store.tallies; print(any(m.startswith('snpctl.report') for m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_the_package_faces_give_the_loader_and_the_report() -> None:
    from snpctl.config import Table, load_config, load_protocols, load_roster  # noqa: F401
    from snpctl.config.toml import Table as reader
    from snpctl.report import figures, render_report, summarize  # noqa: F401

    assert Table is reader
