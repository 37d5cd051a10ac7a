"""`make bench`: what snpctl costs as a user meets it, on a small and on a big ledger.

    python bench/bench.py [--years N] [--runs R] [--keep DIR]

1. A simulated year (champigny-2023): events written, seconds to simulate, seconds for
   `report --format json` (report issue: simulate < 20 s, report < 1 s).
2. One table, measured in one run on this machine: for a ledger of about 1K events (vitry-2025)
   and a big one (`simulate champigny-2023 --years N`, default 20), the wall time of `intake`,
   `notify`, `accept`, an idle `tick`, `list`, `show` of the first request (long closed),
   `report --format json` and `verify` (each in a
   fresh process, median of R runs, on a copy of the workspace; of 3 for `verify` and a report
   with no saved sums), beside the floor
   `python -c "import typer"` and DuckDB's `read_json` computing the same counts as `report`.
3. The big ledger as users write it (issue 11): after the simulation, ``--typed`` commands (default
   2,000) typed one by one as a coordinator and cron would (intake, notify, accept, tick, outcome), each
   through ``snpctl.entry.main`` in one Python process that builds its workspace and ledger from the
   files as a fresh process does; then the same timings, beside those right after the simulation
   (target: intake and idle tick at most 1.2x).

A benchmark, not a test: it fails only when a command fails or DuckDB's counts differ.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

SNPCTL = [sys.executable, "-m", "snpctl"]
LONG_RUNS = 3  # `verify` and a report with no saved sums take seconds: median of the first 3 runs


def wall(command: list[str], **kwargs: Any) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"bench: `{' '.join(command)}` failed ({done.returncode}): {done.stderr.strip()}")
    return seconds, done


def peak_rss_mib(command: list[str]) -> float:
    """Maximum resident memory of a command, from GNU time when the machine has it."""
    if not Path("/usr/bin/time").exists():
        return float("nan")
    done = subprocess.run(["/usr/bin/time", "-f", "%M", *command], capture_output=True, text=True)
    return int(done.stderr.strip().splitlines()[-1]) / 1024


def median(command: list[str], runs: int) -> float:
    return statistics.median(wall(command)[0] for _ in range(runs))


def events(home: Path) -> int:
    return sum(p.read_bytes().count(b"\n") for p in (home / "ledger").glob("*.jsonl"))


def simulate(scenario: str, home: Path, years: int = 1) -> float:
    seconds, _ = wall([*SNPCTL, "simulate", scenario, "--into", str(home), "--years", str(years), "--json"])
    return seconds


def last_instant(home: Path) -> date:
    newest = sorted((home / "ledger").glob("*.jsonl"))[-1]
    last = json.loads(newest.read_bytes().splitlines()[-1])
    return date.fromisoformat(last["at"][:10])


def commands(homes: dict[str, Path], runs: int) -> dict[str, dict[str, float]]:
    """Each command in a fresh process on a copy of each home, as of a Monday after its ledger ends.

    The homes take turns within each run, so that a slow spell of the machine (this one has them:
    `import typer` alone ranges from 58 to 120 ms) weighs on both ledgers alike.
    """
    times: dict[str, dict[str, list[float]]] = {name: {} for name in homes}
    for run in range(runs):
        for name, home in homes.items():
            _one_run(home, run, times[name])
    return {
        name: {command: statistics.median(values) for command, values in found.items()} for name, found in times.items()
    }


def _one_run(home: Path, run: int, times: dict[str, list[float]]) -> None:
    """One run of every command on a fresh copy of ``home``; report without its sums and verify on the first few."""
    day = last_instant(home)
    monday = date.fromordinal(day.toordinal() + 7 - day.weekday())

    def at(clock: str) -> str:
        return f"{monday.isoformat()}T{clock}"

    copy = Path(tempfile.mkdtemp(prefix="snpctl-bench-")) / "cpts"
    shutil.copytree(home, copy)
    os.sync()  # the copy's writeback must not land inside the timings
    base = [*SNPCTL]
    opts = ["--home", str(copy)]
    _, done = wall([*base, "tick", *opts, "--now", at("15:59")])  # a settled workspace, as cron keeps it
    intake = ["intake", "--motif", "fievre", "--source", "cot", "--treating-doctor", "none", "--json"]
    t, done = wall([*base, *intake, *opts, "--now", at("16:00")])
    times.setdefault("intake", []).append(t)
    rid = json.loads(done.stdout)["request"]
    t, done = wall([*base, "notify", rid, "--json", *opts, "--now", at("16:01")])
    times.setdefault("notify", []).append(t)
    member = json.loads(done.stdout)["notified"][0]
    t, _ = wall(
        [*base, "accept", rid, "--by", member, "--at", "18:00", "--site", "cabinet", *opts, "--now", at("16:05")]
    )
    times.setdefault("accept", []).append(t)
    t, _ = wall([*base, "tick", *opts, "--now", at("16:06")])
    times.setdefault("idle tick", []).append(t)
    t, _ = wall([*base, "list", "--json", *opts, "--now", at("16:07")])
    times.setdefault("list", []).append(t)
    t, _ = wall([*base, "show", "001C", "--json", *opts, "--now", at("16:07")])  # a request long closed
    times.setdefault("show, first request", []).append(t)
    t, _ = wall([*base, "report", "--format", "json", *opts])
    times.setdefault("report --format json", []).append(t)
    t, _ = wall([sys.executable, "-c", "import typer"])  # the floor, in the same conditions
    times.setdefault("floor", []).append(t)
    if run < LONG_RUNS:
        (copy / ".snpctl" / "figures").unlink(missing_ok=True)
        t, _ = wall([*base, "report", "--format", "json", *opts])
        times.setdefault("report, no saved sums", []).append(t)
        t, _ = wall([*base, "verify", *opts])
        times.setdefault("verify", []).append(t)
    shutil.rmtree(copy.parent)


DUCKDB_SQL = """
WITH e AS (SELECT * FROM read_json('{glob}', format='newline_delimited', union_by_name=true,
                                    columns={{type: 'VARCHAR', request: 'VARCHAR', action: 'VARCHAR',
                                              outcome: 'VARCHAR'}}))
SELECT count(*) FILTER (WHERE type = 'intake') AS calls,
       count(*) FILTER (WHERE type = 'intake' AND action = 'redirect') AS redirected,
       count(*) FILTER (WHERE type = 'intake' AND action = 'transfer_15') AS transferred_15,
       count(*) FILTER (WHERE type = 'notify') AS triggered,
       count(*) FILTER (WHERE type = 'accept') AS accepted,
       count(*) FILTER (WHERE type = 'expire') AS expired,
       count(*) FILTER (WHERE type = 'book') AS direct_bookings,
       count(*) FILTER (WHERE type = 'outcome' AND outcome = 'seen') AS seen,
       count(*) FILTER (WHERE type = 'outcome' AND outcome = 'no_show') AS no_show
FROM e
"""


def duckdb_process(home: Path) -> float:
    """DuckDB as a user meets it: a fresh process that imports it, reads the files and prints the counts."""
    script = "import duckdb, sys; print(duckdb.connect().execute(sys.argv[1]).fetchone())"
    return wall([sys.executable, "-c", script, DUCKDB_SQL.format(glob=str(home / "ledger" / "*.jsonl"))])[0]


def duckdb_counts(home: Path) -> tuple[float, dict[str, int]] | None:
    try:
        import duckdb  # bench-only: `make bench` installs it
    except ImportError:
        return None
    start = time.perf_counter()
    connection = duckdb.connect()
    row = connection.execute(DUCKDB_SQL.format(glob=str(home / "ledger" / "*.jsonl"))).fetchone()
    assert row is not None, "an aggregate query returns one row"
    names = [d[0] for d in connection.description]
    return time.perf_counter() - start, dict(zip(names, row, strict=True))


def same_counts(home: Path, counts: dict[str, int]) -> bool:
    _, done = wall([*SNPCTL, "report", "--format", "json", "--home", str(home)])
    report = json.loads(done.stdout)
    mine = {
        "calls": report["calls"],
        "redirected": report["redirected"],
        "transferred_15": report["transferred_15"],
        "triggered": report["triggered"],
        "accepted": report["accepted"],
        "expired": report["expired"],
        "direct_bookings": report["direct_bookings"],
        "seen": report["appointments"]["seen"],
        "no_show": report["appointments"]["no_show"],
    }
    # an outcome line may be for a request whose intake the report's period holds: over the whole
    # ledger (no --from/--to) the two must agree exactly
    return mine == counts


# Types commands one by one into a workspace, each as `snpctl ARGS` would run it (its own Workspace and
# Ledger, read from the files), in one process so that 2,000 of them do not pay 2,000 interpreter start-ups.
_TYPIST = """
import contextlib, io, json, sys
from datetime import date, timedelta
from snpctl.entry import main
home, first, count = sys.argv[1], date.fromisoformat(sys.argv[2]), int(sys.argv[3])
typed = failed = 0
def run(*args):
    global typed, failed
    out = io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        try:
            main([*args, "--home", home])
        except SystemExit as done:
            code = done.code or 0
    typed += 1
    failed += code != 0
    return out.getvalue()
k = 0
taken = []
while typed < count:
    day = first + timedelta(days=k // 20)          # 20 requests a day, every quarter of an hour from 09:00
    minutes = 9 * 60 + (k % 20) * 15
    at = lambda m: f"{day.isoformat()}T{(minutes + m) // 60:02d}:{(minutes + m) % 60:02d}"
    answer = run("intake", "--motif", "fievre", "--source", "cot", "--treating-doctor", "none", "--json",
                 "--now", at(0))
    rid = json.loads(answer)["request"]
    notified = json.loads(run("notify", rid, "--json", "--now", at(1)))["notified"]
    if k % 4:                                       # three in four are taken; the others expire at a tick
        run("accept", rid, "--by", notified[0], "--at", f"{day.isoformat()}T18:00", "--site", "cabinet",
            "--now", at(2))
        taken.append(rid)
    run("tick", "--now", at(3))
    if k % 20 == 19:                                # the evening: what became of the day's appointments
        for rid in taken:
            run("outcome", rid, "seen", "--now", f"{day.isoformat()}T18:30")
        taken = []
    k += 1
print(json.dumps({"typed": typed, "failed": failed}))
"""


def type_commands(home: Path, count: int) -> tuple[int, float]:
    """``count`` commands typed one by one from the Monday after the ledger ends; the events they wrote, seconds."""
    day = last_instant(home)
    monday = date.fromordinal(day.toordinal() + 7 - day.weekday())
    before = events(home)
    seconds, done = wall([sys.executable, "-c", _TYPIST, str(home), monday.isoformat(), str(count)])
    if json.loads(done.stdout)["failed"]:
        raise SystemExit(f"bench: typed commands failed: {done.stdout.strip()}")
    return events(home) - before, seconds


def main() -> None:
    # as `pip install` leaves a package: compiled, so no command pays for compiling its source
    # (an editable install with PYTHONDONTWRITEBYTECODE set would, some 35 ms a command)
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(Path(__file__).resolve().parent.parent / "snpctl")], check=True
    )
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--typed", type=int, default=2000, help="commands typed one by one into the big ledger")
    parser.add_argument("--keep", type=Path, default=None, help="keep the workspaces in this folder")
    options = parser.parse_args()
    root = options.keep or Path(tempfile.mkdtemp(prefix="snpctl-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    print(
        f"snpctl bench, {date.today().isoformat()}, {platform.machine()}, {platform.python_version()}, "
        f"{subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores\n"
    )

    year = root / "champigny-2023"
    shutil.rmtree(year, ignore_errors=True)
    simulated = simulate("champigny-2023", year)
    report_seconds = median([*SNPCTL, "report", "--format", "json", "--home", str(year)], 3)
    print("A simulated year (champigny-2023):")
    print(f"  events written                 {events(year):>10,}")
    print(f"  snpctl simulate                {simulated:>10.2f} s   (target < 20 s; issue 6: < 5 s)")
    print(f"  snpctl report --format json    {report_seconds:>10.2f} s   (target < 1 s)\n")

    small, big = root / "vitry-2025", root / f"champigny-2023x{options.years}"
    shutil.rmtree(small, ignore_errors=True)
    shutil.rmtree(big, ignore_errors=True)
    simulate("vitry-2025", small)
    big_seconds = simulate("champigny-2023", big, options.years)
    print(f"(the big ledger: `simulate champigny-2023 --years {options.years}` took {big_seconds:.0f} s)\n")

    typed = root / f"champigny-2023x{options.years}-typed"
    shutil.rmtree(typed, ignore_errors=True)
    shutil.copytree(big, typed)
    typed_events, typed_seconds = type_commands(typed, options.typed)
    print(
        f"(then {options.typed:,} commands typed one by one into a copy: {typed_events:,} events, "
        f"{typed_seconds:.0f} s)\n"
    )

    for home in (small, big, typed):  # a report a month leaves its sums behind: the next reads only what came since
        wall([*SNPCTL, "report", "--format", "json", "--home", str(home)])
    os.sync()  # the big simulation's writeback must not land inside the timings
    measured = commands({"small": small, "big": big, "typed": typed}, options.runs)
    measured["typed"].pop("floor")
    rows = {"small": (events(small), measured["small"]), "big": (events(big), measured["big"])}
    floor = statistics.median([rows["small"][1].pop("floor"), rows["big"][1].pop("floor")])
    ducks = {name: duckdb_counts(home) for name, home in (("small", small), ("big", big))}
    memory = {
        "report": peak_rss_mib([*SNPCTL, "report", "--format", "json", "--home", str(big)]),
        "verify": peak_rss_mib([*SNPCTL, "verify", "--home", str(big)]),
    }

    header = f"{'command':<24}{'~1K events':>14}{'big ledger':>14}{'big / small':>13}{'big / floor':>13}"
    print(f"{'ledger events':<24}{rows['small'][0]:>14,}{rows['big'][0]:>14,}")
    print(header)
    print("-" * len(header))
    for name in rows["small"][1]:
        a, b = rows["small"][1][name], rows["big"][1][name]
        print(f"{name:<24}{a:>13.3f}s{b:>13.3f}s{b / a:>12.2f}x{b / floor:>12.2f}x")
    print(f"{'python -c import typer':<24}{floor:>13.3f}s{floor:>13.3f}s")
    small_duck, big_duck = ducks["small"], ducks["big"]
    if small_duck is None or big_duck is None:
        print(f"{'duckdb read_json':<24} (duckdb not installed: pip install duckdb)")
    else:
        a, b = small_duck[0], big_duck[0]
        print(f"{'duckdb read_json counts':<24}{a:>13.3f}s{b:>13.3f}s   (in process, after `import duckdb`)")
        a, own = duckdb_process(small), duckdb_process(big)
        print(f"{'  the same, own process':<24}{a:>13.3f}s{own:>13.3f}s   (python -c 'import duckdb; ...')")
        agree = same_counts(small, small_duck[1]) and same_counts(big, big_duck[1])
        mine = rows["big"][1]["report --format json"]
        print(
            f"\nreport / DuckDB on the big ledger: {mine / b:.2f}x in process, {mine / own:.2f}x each in its own "
            f"process; same counts: {'yes' if agree else 'NO'}"
        )
        if not agree:
            raise SystemExit("bench: DuckDB and report disagree on the counts")
    print(f"peak memory on the big ledger: report {memory['report']:.0f} MiB, verify {memory['verify']:.0f} MiB")

    print(
        f"\nThe big ledger as users write it: {options.typed:,} commands typed one by one after the simulation "
        f"({events(typed):,} events)"
    )
    header = f"{'command':<24}{'simulated':>14}{'then typed':>14}{'typed / sim.':>14}"
    print(header)
    print("-" * len(header))
    for name, b in rows["big"][1].items():
        t = measured["typed"][name]
        print(f"{name:<24}{b:>13.3f}s{t:>13.3f}s{t / b:>13.2f}x")
    print(
        "\nTargets (issue 6): at the big ledger, intake/accept/idle tick <= 1.1x their small time and <= 1.5x "
        "the floor;\nreport < 1 s, <= 0.7x DuckDB, < 100 MiB; verify < 2 s; simulate one year < 5 s.\n"
        "Target (issue 11): after the typed commands, intake and idle tick <= 1.2x their time right after the "
        "simulation."
    )
    if options.keep is None:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
