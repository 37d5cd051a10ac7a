"""`make bench`: the cost of a simulated year, as a user meets it.

Runs ``snpctl simulate champigny-2023`` and ``snpctl report --format json`` on the workspace it
wrote, each in a fresh process like a user would type them, and prints the events written and
the seconds beside the targets of the report issue (simulate < 20 s, report < 1 s on a 2-core
machine). A benchmark, not a test: it fails only if a command fails.

    python bench/bench.py [SCENARIO] [--seed N] [--keep]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

TARGETS = {"simulate": 20.0, "report": 1.0}
MESSAGE_EVENTS = {"queue", "attempt", "sent", "failed", "given_up"}


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(args: list[str]) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall-clock and CPU seconds (user + system) of ``snpctl ARGS`` in a fresh process."""
    start, cpu = time.perf_counter(), _cpu()
    done = subprocess.run([sys.executable, "-m", "snpctl", *args], capture_output=True, text=True)
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    if done.returncode not in (0, 1):
        sys.exit(f"bench: snpctl {' '.join(args)} exited {done.returncode}: {done.stderr.strip()}")
    return seconds, cpu, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="champigny-2023")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the simulated workspace and print where")
    options = parser.parse_args()
    load = os.getloadavg()[0]
    folder = Path(tempfile.mkdtemp(prefix="snpctl-bench-"))
    home = folder / "cpts"
    try:
        simulate_s, simulate_cpu, done = timed(["simulate", options.scenario, "--into", str(home),
                                                "--seed", str(options.seed), "--json"])
        result = json.loads(done.stdout)
        span = result["period"]
        report_runs = [timed(["report", "--home", str(home), "--format", "json", "--from", span["from"],
                              "--to", span["to"]])[:2] for _run in range(3)]
        kinds = collections.Counter(json.loads(line)["type"] for path in sorted((home / "ledger").glob("*.jsonl"))
                                    for line in path.read_bytes().splitlines())
        messages = sum(n for kind, n in kinds.items() if kind in MESSAGE_EVENTS)
        outbox = sum(1 for p in (home / "outbox").rglob("*") if p.is_file()) if (home / "outbox").is_dir() else 0
        ledger_mb = sum(p.stat().st_size for p in (home / "ledger").glob("*.jsonl")) / 1e6
        report_s = statistics.median(run[0] for run in report_runs)
        report_cpu = statistics.median(run[1] for run in report_runs)
        print(f"snpctl bench, {date.today().isoformat()}: {options.scenario} (seed {options.seed}), "
              f"{os.cpu_count()} CPUs, Python {platform.python_version()}")
        print(f"  documented figures matched   {sum(r['ok'] for r in result['rows'])} of {len(result['rows'])}")
        print(f"  events written               {result['events']:>8}  ({result['events'] - messages} cascade, "
              f"{messages} messages: {', '.join(f'{k} {v}' for k, v in sorted(kinds.items()) if k in MESSAGE_EVENTS)})")
        print(f"  ledger size                  {ledger_mb:>8.1f} MB, outbox {outbox} files")
        print(f"  load average before          {load:>8.2f}   (other processes slow the wall-clock times down)")
        print(f"  simulate                     {simulate_s:>8.1f} s   cpu {simulate_cpu:5.1f} s   "
              f"(target < {TARGETS['simulate']:.0f} s)")
        print(f"  report --format json         {report_s:>8.2f} s   cpu {report_cpu:5.2f} s   "
              f"(target < {TARGETS['report']:.0f} s; median of 3)")
        if options.keep:
            print(f"  workspace kept in {home}")
    finally:
        if not options.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
