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

# The commands each page shows failing on purpose, with their exit code (what docs/replay.py names on
# standard error); every other command must succeed.
REFUSALS = {
    "docs/guide.md": [
        "exit 1: snpctl accept 002E --by mg-dupont --at 16h30   # 14h20",
        "exit 1: snpctl accept 004J --by mg-garcia --at 16h15   # 15h21",
        "exit 1: snpctl notify 010   # 18h45",
        "exit 2: snpctl accept 007M --by mg-remy --at 25h",
        "exit 2: snpctl intake --motif fievr --source cot",
        "exit 2: snpctl intake --motif fievre --source cot --treating-doctor mg-durand",
        "exit 1: snpctl accept 007M --by mg-remy --at 19h",
        "exit 2: snpctl check --home ~/autre-dossier",
    ],
    "README.md": [
        "exit 1: snpctl accept 001C --by mg-dupont --at 17:30",
        "exit 1: snpctl accept 001C --by mg-dupont --at 18:00   # 17:06",
        "exit 1: snpctl book 002E --by mg-garcia --at 16:00 --site cami",
        "exit 1: snpctl book 002E --by mg-remy --at 16:00 --site cami",
    ],
}


def replayed(page: str, into: Path) -> list[str]:
    """Replay PAGE into the file INTO; the commands that failed, as docs/replay.py names them."""
    done = subprocess.run(
        [sys.executable, str(REPO / "docs" / "replay.py"), str(REPO / page), str(into)],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    return done.stderr.splitlines()


@pytest.mark.parametrize("page", REFUSALS)
def test_the_page_shows_what_the_commands_print(page: str, tmp_path: Path) -> None:
    fresh = tmp_path / Path(page).name
    assert replayed(page, fresh) == REFUSALS[page], f"{page}: not the commands it means to show refused"
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
