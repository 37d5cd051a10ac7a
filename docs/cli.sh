#!/bin/sh
# Writes the CLI reference (docs/cli.md) with typer's own generator, from the same --help a user sees.
# Usage: sh docs/cli.sh PYTHON OUTPUT. `make docs` and tests/test_docs.py both run this script, so the two
# cannot differ. The environment is emptied and then fixed (French, the tool's language; 100 columns, no
# colour, no terminal), so that the output depends neither on the machine's locale nor on its terminal.
# The package's French catalogue must be compiled (`make docs` does it first).
set -eu
python=$1
output=$2
exec env -i PATH="/usr/bin:/bin" HOME="${HOME:-/tmp}" \
    LANG=C.UTF-8 LC_ALL=C.UTF-8 LANGUAGE=fr SNPCTL_LANG=fr \
    COLUMNS=100 LINES=50 TERMINAL_WIDTH=100 _TYPER_FORCE_DISABLE_TERMINAL=1 NO_COLOR=1 TERM=dumb \
    "$python" -m typer snpctl.cli utils docs --name snpctl --output "$output"
