#!/bin/sh
# Rewrites the outputs shown in docs/guide.md and in README.md's walkthrough with what snpctl prints now.
# Usage: sh docs/guide.sh [PYTHON] (default: .venv/bin/python). Run it after a change to what the commands
# print, then read the diff: tests/test_guide.py fails until the pages show the real outputs again.
# docs/replay.py says how a page is replayed (a fresh workspace, fixed times, no locale: the workspace's
# language decides). The environment is emptied first so that the outputs depend on nothing around.
set -eu
cd "$(dirname "$0")/.."
python=${1:-.venv/bin/python}
for page in docs/guide.md README.md; do
    env -i PATH="/usr/bin:/bin" HOME="${HOME:-/tmp}" "$python" docs/replay.py "$page"
done
