"""The coordinator's guide and the README show what snpctl really prints.

Their ```console blocks are replayed by docs/replay.py (a fresh workspace, fixed times, no locale and no
SNPCTL_LANG: the workspace's language decides) and must come out unchanged. `sh docs/guide.sh` rewrites
them in place after a change to what the commands print.
"""

from __future__ import annotations

import difflib
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

PAGES = ["docs/guide.md", "README.md"]


@pytest.mark.parametrize("page", PAGES)
def test_the_page_shows_what_the_commands_print(page: str, tmp_path: Path) -> None:
    fresh = tmp_path / Path(page).name
    subprocess.run(
        [sys.executable, str(REPO / "docs" / "replay.py"), str(REPO / page), str(fresh)],
        cwd=REPO,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    written = (REPO / page).read_text(encoding="utf-8")
    diff = "".join(
        difflib.unified_diff(
            written.splitlines(keepends=True),
            fresh.read_text(encoding="utf-8").splitlines(keepends=True),
            f"{page} (as written)",
            f"{page} (as replayed)",
        )
    )
    assert not diff, f"{page} differs from what the commands print: run `sh docs/guide.sh`\n{diff}"


def test_the_guide_replays_every_command_it_shows() -> None:
    """Every `$ snpctl` line of the guide sits in a ```console block, so that none escapes the replay."""
    in_console = False
    for number, line in enumerate((REPO / "docs" / "guide.md").read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("```"):
            in_console = line.startswith("```console") and not in_console
        elif line.startswith("$ snpctl"):
            assert in_console, f"docs/guide.md:{number}: `{line}` is outside a ```console block"
