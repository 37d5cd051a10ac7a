"""Replays the ```console blocks of a page (docs/guide.md, README.md) and writes back what snpctl prints.

    python docs/replay.py PAGE [OUTPUT]      # OUTPUT defaults to PAGE: the outputs are rewritten in place

`sh docs/guide.sh` runs this on docs/guide.md and README.md in a fixed environment; tests/test_guide.py
runs the same script into a temporary file and fails when the page differs. So a page can only show
what the commands really print.

How a page is written:

- A ```console block holds `$ snpctl ...` lines (and `$ cat ...`, `$ ls ...` to show the outbox, `*`
  expanded as a shell would), each followed by its output. Each of them is run, in order, in ONE fresh
  workspace for the whole page (`~` is a temporary folder, `~/cpts` the workspace, SNPCTL_HOME points
  at it), snpctl as a child process `python -m snpctl`, and the lines under it are replaced
  by what it printed (standard output, then standard error). Other `$` lines (`export`, `crontab -e`)
  are shown as written and not run. Other blocks (```toml, ``` ...) are left alone.
- The clock: a hidden comment `<!-- replay: now 2024-01-15T16:00 -->` sets it; a `# 17h05` (or
  `# à 17h05`, `# 17:05`) comment at the end of a command line moves it to that time of the same day,
  for that command and the ones after it.
- A hidden comment `<!-- replay: run snpctl ... -->` runs a command without showing it (to put the
  workspace in the state the page talks about); it must succeed.
- When the page's first command is not `snpctl init`, `snpctl init ~/cpts` is run first, unseen.
- A hidden comment `<!-- replay: edit roster.toml after LINE -->` just before a ```toml block writes the
  block's lines into that file of the workspace, after the first line that reads LINE (what a coordinator
  does in an editor: the page shows the lines, the replay puts them where the comment says).

Each shown command that exits with another code than 0 is named on standard error (`exit 1: snpctl ...`):
a page shows refusals on purpose, and tests/test_guide.py lists which.

The environment is emptied and then fixed (no locale, no SNPCTL_LANG: the workspace's language decides;
100 columns, no colour, a fixed seed, messages sent before the next command is typed), so that the
outputs depend neither on the machine nor on the person running it.
"""

from __future__ import annotations

import glob
import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

HIDDEN = re.compile(r"^<!-- replay: (?P<what>now|run|edit) (?P<arg>.+?) -->\s*$")
CLOCK = re.compile(r"#.*?\b(?P<hour>\d{1,2})[h:](?P<minute>\d{2})\b")


class Replay:
    """One page's workspace and clock."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.now = "2024-01-15T09:00"
        self.started = False

    def env(self) -> dict[str, str]:
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.root),
            "SNPCTL_HOME": str(self.root / "cpts"),
            "SNPCTL_NOW": self.now,
            "SNPCTL_SEED": "guide",
            "SNPCTL_DELIVERY": "wait",  # each command's messages are out before the next is typed
            "COLUMNS": "100",
            "LINES": "50",
            "TERMINAL_WIDTH": "100",
            "_TYPER_FORCE_DISABLE_TERMINAL": "1",
            "NO_COLOR": "1",
            "TERM": "dumb",
        }

    def run(self, line: str) -> tuple[int, str]:
        """Run one `snpctl ...` line as typed; its output with the temporary folder shown as `~`."""
        words = shlex.split(line, comments=True)
        if words[0] not in ("snpctl", "cat", "ls"):
            raise SystemExit(f"replay: only snpctl, cat and ls can be replayed, not: {line}")
        if not self.started:
            self.started = True
            if words[:2] != ["snpctl", "init"]:
                self.run("snpctl init ~/cpts")
        args: list[str] = []
        for word in words:
            word = str(self.root) + word[1:] if word == "~" or word.startswith("~/") else word
            args.extend(sorted(glob.glob(word)) or [word] if "*" in word else [word])
        program = [sys.executable, "-m", "snpctl"] if words[0] == "snpctl" else [words[0]]
        done = subprocess.run(
            [*program, *args[1:]],
            cwd=self.root,
            env=self.env(),
            capture_output=True,
            text=True,
        )
        # A CSV for a spreadsheet starts with a byte-order mark, which a terminal does not show: nor does the page.
        text = (done.stdout + done.stderr).replace(str(self.root), "~").replace("\ufeff", "")
        lines = [line.rstrip() for line in text.splitlines()]
        while lines and not lines[-1]:
            lines.pop()
        return done.returncode, "".join(line + "\n" for line in lines)

    def edit(self, where: str, lines: list[str], index: int) -> None:
        """``FILE after LINE``: insert the ```toml block that follows into FILE, after its first line LINE."""
        name, _, anchor = where.partition(" after ")
        if index >= len(lines) or not lines[index].startswith("```toml"):
            raise SystemExit(f"replay: `edit {where}` must come just before a ```toml block")
        end = next(i for i in range(index + 1, len(lines)) if lines[i].startswith("```"))
        path = self.root / "cpts" / name
        if not self.started:
            self.run("snpctl init ~/cpts")
            self.started = True
        text = path.read_text(encoding="utf-8").splitlines(keepends=True)
        at = next((i for i, line in enumerate(text) if line.strip() == anchor.strip()), None)
        if at is None:
            raise SystemExit(f"replay: no line {anchor!r} in {name}")
        path.write_text("".join([*text[: at + 1], *lines[index + 1 : end], *text[at + 1 :]]), encoding="utf-8")

    def move_clock(self, line: str) -> None:
        found = CLOCK.search(line)
        if found:
            self.now = f"{self.now[:10]}T{int(found['hour']):02d}:{found['minute']}"


def replay(page: str, root: Path) -> str:
    """The page with every console block's outputs replaced by what the commands print now."""
    session = Replay(root)
    out: list[str] = []
    lines = page.splitlines(keepends=True)
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        out.append(line)
        hidden = HIDDEN.match(line)
        if hidden and hidden["what"] == "now":
            session.now = hidden["arg"]
        elif hidden and hidden["what"] == "edit":
            session.edit(hidden["arg"], lines, index)
        elif hidden:
            code, text = session.run(hidden["arg"])
            if code:
                raise SystemExit(f"replay: the hidden `{hidden['arg']}` exited {code}:\n{text}")
        elif line.startswith("```console"):
            index = _block(session, lines, index, out)
    return "".join(out)


def _block(session: Replay, lines: list[str], index: int, out: list[str]) -> int:
    """Replay the block starting at lines[index]; return the index of the line after its fence."""
    while index < len(lines) and not lines[index].startswith("```"):
        line = lines[index]
        index += 1
        if not line.startswith("$ "):
            raise SystemExit(f"replay: a console block must start with a `$ ` line, not: {line}")
        out.append(line)
        command = line[2:].strip()
        following = index
        while following < len(lines) and not lines[following].startswith(("$ ", "```")):
            following += 1
        if command.startswith(("snpctl ", "cat ", "ls ")):
            session.move_clock(command)
            code, text = session.run(command)
            out.append(text)
            if code:
                print(f"exit {code}: {command}", file=sys.stderr)
        else:
            out.extend(lines[index:following])  # shown as written
        index = following
    if index < len(lines):
        out.append(lines[index])
    return index + 1


def main() -> None:
    if len(sys.argv) not in (2, 3):
        raise SystemExit("usage: python docs/replay.py PAGE [OUTPUT]")
    page = Path(sys.argv[1])
    output = Path(sys.argv[2]) if len(sys.argv) == 3 else page
    with tempfile.TemporaryDirectory(prefix="snpctl-replay-") as root:
        text = replay(page.read_text(encoding="utf-8"), Path(root))
    output.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
