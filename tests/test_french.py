"""Issue 13, "Done when": the README's afternoon speaks French with no locale, and English when asked.

The afternoon (README.md's walkthrough and tests/test_walkthrough.py, with every other branch the README
lists) is typed as a coordinator would: each command a child process `python -m snpctl`, in an
environment with no LANG, LC_*, LANGUAGE nor SNPCTL_LANG, in a workspace made by `snpctl init`. Every line
a person reads is collected: standard output, standard error, and the text of every file the afternoon
wrote to the outbox. A failure lists each offending line under the command that printed it, with the
words found, so that what is left to translate reads at a glance.

What is not language and is removed before looking: command lines quoted in the output (`snpctl ...`,
anything in backticks), option names, paths, and the workspace's own data (protocol labels, member
names, site labels and addresses, the patients' names and the texts typed in this afternoon).
"""

from __future__ import annotations

import itertools
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

DAY = "2024-01-15"  # a Monday: the CAMI of the example CPTS is open 15:30-19:30

# (time in Paris, exit code, command as typed). The ids are those a fresh workspace gives, in this order.
AFTERNOON: list[tuple[str, int, str]] = [
    ("15:55", 0, "--help"),
    ("15:55", 0, "intake --help"),
    ("15:55", 0, "check"),
    (
        "16:00",
        0,
        "intake --motif fievre --source cot --treating-doctor mg-martin --patient 'Léa B.' --phone '06 00 00 00 99'",
    ),
    ("16:01", 0, "notify 001C"),  # the treating doctor's window
    ("16:10", 1, "accept 001C --by mg-dupont --at 17:30"),  # refused: the window is the treating doctor's
    ("16:12", 0, "intake --motif renouvellement --source cot"),  # 002E redirected
    ("16:14", 0, "intake --motif douleur_thoracique --source cot"),  # 003H transferred to the 15
    (
        "16:20",
        0,
        "intake --motif orl --source cot --treating-doctor mg-dupont --patient 'Marc D.' --phone '06 00 00 00 98'",
    ),
    ("16:21", 0, "notify 004J"),
    ("16:25", 0, "refuse 004J --by mg-dupont --reason busy"),  # the treating doctor refuses: community at once
    ("16:30", 0, "accept 004J --by mg-remy --at 17:00"),
    ("16:40", 0, "intake --motif traumatologie --source samu --treating-doctor none"),  # 005K
    ("16:41", 0, "book 005K --by mg-petit --at 17:15 --site cami"),  # direct booking
    (
        "16:50",
        0,
        "intake --motif lombalgie --source cot --treating-doctor external --patient 'Yves T.' --phone '06 00 00 00 96'",
    ),
    ("16:51", 0, "notify 006L"),  # straight to the community
    ("16:55", 0, "tick"),  # nothing to do: silent
    ("17:02", 0, "tick"),  # escalation of 001C
    ("17:05", 0, "accept 001C --by mg-remy --at 17:45"),
    ("17:06", 1, "accept 001C --by mg-dupont --at 18:00"),  # double accept
    ("17:10", 0, "outcome 004J seen"),
    ("17:12", 0, "synthesis 004J --by mg-remy --text 'Angine virale, TDR négatif.'"),
    ("17:30", 0, "outcome 005K no-show"),
    ("18:30", 0, "outcome 001C seen"),
    ("18:52", 0, "tick"),  # expiry of 006L
    ("18:55", 0, "list"),
    ("18:55", 0, "list --all"),
    ("18:55", 0, "show 001C"),
    ("18:55", 0, "show 004J"),
    ("18:55", 0, "show 006L"),
    ("18:56", 0, "report"),
    ("18:56", 0, "report --format markdown"),
    ("18:57", 0, "verify"),
    ("18:58", 1, "notify 010"),  # a bad request id
    ("18:58", 2, "accept 006L --by mg-remy --at 25h"),  # a bad time
    ("18:58", 1, "accept 006L --by mg-remy --at 19h"),  # a closed request
]

# Words of today's English messages (the msgids of snpctl) that no French sentence contains. Matched as whole
# words, case-insensitively: "Request" finds "request" too.
ENGLISH = [
    "Request", "requests", "reserved", "community", "accepted", "Notified", "notified", "nobody", "appointment",
    "appointments", "refused", "Refusal", "expired", "There is no", "synthesis", "window", "status", "deadline",
    "treating doctor", "open", "ran out", "recorded", "already", "nothing", "others", "Workspace", "created",
    "Edit", "Next", "TRANSFER", "red flag", "Stay on the line", "Refer the patient", "own practice", "taken",
    "seen", "no-show", "cancelled", "waiting", "what happened", "call taken", "triggered", "Activity report",
    "Calls", "received", "month", "Value", "Registered", "Members", "median", "within", "booked",
    "directly", "Ledger", "events", "written", "not a time", "write it like",
    "check the id", "shows every", "Show this message", "required", "default", "Example", "Commands", "busy",
    "away", "sent", "given up", "the", "and", "is", "of", "to", "at", "for", "by", "with", "was", "not", "no",
    "in", "from", "until", "after", "before", "who", "which", "this", "that", "your", "you",
]  # fmt: skip

# The contract's codes: never shown to a person, whatever the language (ledger and --json keep them).
CODES = [
    "treating_doctor_window", "no_show", "transferred_15", "transfer_15", "community", "given_up", "gave_up",
    "treating_doctor_refused", "window_ended", "redirected", "redirect", "trigger", "out_of_scope",
    "notify_member", "accepted_patient", "informed_treating_doctor", "reminder_patient", "expired_patient",
    "expired_operator", "synthesis_treating_doctor", "failed_operator", "followed_up",
]  # fmt: skip

# French that an English afternoon must not show (the workspace's labels and addresses, French data, are
# removed before looking). A time written 17h01 is French too.
FRENCH = [
    "Demande", "médecin", "traitant", "prise en charge", "rendez-vous", "réservée", "acceptée", "ouverte",
    "communauté", "envoyé", "lundi", "janvier", "personne", "aucun", "vous", "votre", "Bonjour", "pour",
    "avec", "dans", "les", "des", "une", "est", "pas", "à", "et", "ou", "jusqu'", "non pourvue", "lapin",
    "réorientée", "hors protocole", "appelez", "Registre", "refusée",
]  # fmt: skip
FRENCH_TIME = r"\d{1,2}h\d{2}"

# Values a person types (outcome, reason, treating doctor, source): --help may name them, explained in brackets.
TYPED = "seen|no-show|cancelled|busy|away|out_of_scope|other|none|unknown|external|cot|web|samu|hospital|office"
COMMANDS = "init|intake|notify|accept|book|refuse|outcome|synthesis|tick|show|list|report|check|verify|simulate"


@dataclass
class Said:
    """One line a person reads, and where it came from."""

    command: str  # "[16:10] snpctl accept 001C ..."
    where: str  # "stdout", "stderr" or the outbox file
    line: str


def play(root: Path, language: str | None) -> list[Said]:
    """The afternoon in a workspace made by `snpctl init`, with `language` written into it when given."""
    home = root / "cpts"
    said: list[Said] = []
    seen_files: set[str] = set()

    def snpctl(clock: str, expected: int, line: str, home: Path = home) -> None:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(root),
            "SNPCTL_HOME": str(home),
            "SNPCTL_NOW": f"{DAY}T{clock}",
            "SNPCTL_SEED": "test",
            "SNPCTL_DELIVERY": "wait",
            "COLUMNS": "100",
            "NO_COLOR": "1",
            "TERM": "dumb",
        }  # no LANG, LC_*, LANGUAGE nor SNPCTL_LANG: the workspace decides
        done = subprocess.run(
            [sys.executable, "-m", "snpctl", *shlex.split(line)], env=env, capture_output=True, text=True
        )
        command = f"[{clock}] snpctl {line}"
        if done.returncode != expected:  # the afternoon went another way: what follows proves less
            why = (done.stderr.strip().splitlines() or [""])[0]
            said.append(Said(command, "exit code", f"exit {done.returncode}, the afternoon expects {expected}: {why}"))
        said.extend(Said(command, "stdout", text) for text in done.stdout.splitlines())
        said.extend(Said(command, "stderr", text) for text in done.stderr.splitlines())
        for path in sorted((home / "outbox").rglob("*.txt")) if (home / "outbox").is_dir() else ():
            name = str(path.relative_to(home))
            if name not in seen_files:
                seen_files.add(name)
                said.extend(Said(command, name, text) for text in path.read_text(encoding="utf-8").splitlines())

    snpctl("15:50", 0, f"init {home}")
    if language is not None:
        protocols = home / "protocols.toml"
        text, found = re.subn(r'(?m)^language\s*=\s*"[^"]*"', f'language = "{language}"', protocols.read_text("utf-8"))
        protocols.write_text(text if found else f'language = "{language}"\n{text}', encoding="utf-8")
    for clock, expected, line in AFTERNOON:
        snpctl(clock, expected, line)
    # Two copies of the workspace: one with a mistake in roster.toml for `check`, one whose ledger was
    # altered for `verify` (what the auditors see).
    broken = root / "broken-roster"
    shutil.copytree(home, broken)
    roster = broken / "roster.toml"
    roster.write_text(roster.read_text(encoding="utf-8").replace('site = "cami"', 'site = "camii"', 1), "utf-8")
    snpctl("19:00", 2, "check", broken)
    altered = root / "altered-ledger"
    shutil.copytree(home, altered)
    for month in sorted((altered / "ledger").rglob("*.jsonl"))[-1:]:
        month.write_text(month.read_text(encoding="utf-8").replace('"mg-remy"', '"mg-dupont"', 1), "utf-8")
    snpctl("19:00", 3, "verify", altered)
    return said


def _data(home: Path) -> list[str]:
    """The workspace's own words (French whatever the language) and what was typed this afternoon."""
    protocols = tomllib.loads((home / "protocols.toml").read_text(encoding="utf-8"))
    roster = tomllib.loads((home / "roster.toml").read_text(encoding="utf-8"))
    found = [p["label"] for p in protocols.get("protocol", [])]
    for table in ("site", "member"):
        for entry in roster.get(table, []):
            found += [str(entry[key]) for key in ("label", "name", "address", "id") if key in entry]
    for _, _, line in AFTERNOON:
        words = shlex.split(line)
        found += [value for option, value in itertools.pairwise(words) if option in ("--patient", "--text", "--note")]
    return sorted(set(found), key=len, reverse=True)  # the longest first: a label may hold a shorter one


def _plain(line: str, data: list[str]) -> str:
    """The line without what is not language: data, quoted commands, options, paths, command names."""
    for text in data:
        line = line.replace(text, " ")
    line = re.sub(r"`[^`]*`", " ", line)
    line = re.sub(r"\bsnpctl [^:].*$", " ", line)  # "Next: snpctl notify 001C", an example in --help
    line = re.sub(r"--[\w-]+", " ", line)
    line = re.sub(rf"(?<![\w-])({TYPED})(?= \(|$)", " ", line)  # a value to type, explained: "seen (vu)"
    line = re.sub(r"\S*[/@]\S*", " ", line)  # paths, mail addresses
    return re.sub(rf"^(\s*)({COMMANDS})(?=\s{{2}}|\s*$)", r"\1", line)  # the command list of --help


def _found(words: list[str], line: str, case: int = re.IGNORECASE) -> list[str]:
    return [word for word in words if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", line, case)]


def _report(said: list[Said], data: list[str], check: Callable[[str, str], list[str]]) -> str:
    """Each offending line under the command that printed it, or "" when none. Lines of one command that
    differ only by data (the same SMS to nine doctors) are shown once, with their number."""
    found: dict[tuple[str, str], tuple[Said, list[str]]] = {}
    counts: dict[tuple[str, str], int] = {}
    for entry in said:
        plain = _plain(entry.line, data)
        words = ["the afternoon went another way"] if entry.where == "exit code" else check(plain, entry.where)
        if words:
            key = (entry.command, plain)
            found.setdefault(key, (entry, words))
            counts[key] = counts.get(key, 0) + 1
    lines, last = [], None
    for key, (entry, words) in found.items():
        if entry.command != last:
            lines.append(entry.command)
            last = entry.command
        more = f" (and {counts[key] - 1} more like it)" if counts[key] > 1 else ""
        lines.append(f"    {entry.where}{more}: {entry.line.strip()}")
        lines.append(f"        ^ {', '.join(words)}")
    return f"{len(found)} lines:\n" + "\n".join(lines) if lines else ""


def not_french(entry: str, where: str) -> list[str]:
    return _found(ENGLISH, entry) + [f"code {code}" for code in _found(CODES, entry, 0)]


def not_english(entry: str, where: str) -> list[str]:
    """French words, the codes that are not also English words ("community" is both), and times written
    17h01 in answers and messages (an error may quote 16h30 as a way to type a time)."""
    found = _found(FRENCH, entry) + [f"code {code}" for code in _found(CODES, entry, 0) if "_" in code]
    if where != "stderr":
        found += [f"time {time}" for time in re.findall(rf"(?<!\w){FRENCH_TIME}(?!\w)", entry)]
    return found


def test_the_afternoon_speaks_french_with_no_locale(tmp_path: Path) -> None:
    said = play(tmp_path, language=None)
    assert len({entry.command for entry in said}) > 30  # every command answered something, or failed loudly
    leaks = _report(said, _data(tmp_path / "cpts"), not_french)
    assert not leaks, "English or codes where a coordinator reads French, in " + leaks


def test_the_afternoon_speaks_english_when_the_workspace_says_en(tmp_path: Path) -> None:
    said = play(tmp_path, language="en")
    said = [entry for entry in said if " snpctl init " not in entry.command]  # French: no workspace says en yet
    leaks = _report(said, _data(tmp_path / "cpts"), not_english)
    assert not leaks, 'French or codes in a workspace with language = "en", in ' + leaks


def test_init_writes_that_the_workspace_speaks_french(tmp_path: Path) -> None:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path)}
    subprocess.run([sys.executable, "-m", "snpctl", "init", str(tmp_path / "cpts")], env=env, check=True)
    first = tomllib.loads((tmp_path / "cpts" / "protocols.toml").read_text(encoding="utf-8"))
    assert first.get("language") == "fr"
