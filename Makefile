# Two commands on a fresh machine: `make demo` and `make test`. Each sets itself up.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo lint test bench docs clean

# The editable install compiles the French catalogue once (setup.py); the rule after it compiles it
# again whenever a .po part changes, so that a working copy speaks what its .po files say.
MO := snpctl/locale/fr/LC_MESSAGES/snpctl.mo

$(BIN)/snpctl: pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

$(MO): $(BIN)/snpctl $(wildcard snpctl/locale/fr/*.po)
	$(BIN)/python snpctl/locale/compile.py
	touch $@

# A whole documented year (Champigny 2023) played through snpctl's service functions into a
# temporary folder: the documented figures beside the computed ones, then the full report;
# then one afternoon typed command by command, with the messages it sent (from the outbox).
demo: $(BIN)/snpctl $(MO)
	@home=$$(mktemp -d); \
	echo "L'année 2023 de Champigny jouée par snpctl dans $$home/champigny ..."; echo; \
	$(BIN)/snpctl simulate champigny-2023 --into $$home/champigny && echo && \
	$(BIN)/snpctl report --home $$home/champigny --from 2023-01-16 --to 2023-12-31 && echo && \
	$(BIN)/python -m snpctl.demo $$home/afternoon

# The gate CI runs before the tests: formatting, lint rules, types (pyproject.toml says which), and the
# shape limits (radon's complexity <= 15 per function, <= 400 lines per file, <= 200 per class). Every
# check runs even when one before it failed, so that one run lists all there is to fix; any failure fails.
# `radon cc -n C` lists, for the eye, the functions of rank C or worse (above 10); it exits 0 whatever it
# finds: tests/test_code_shape.py is what fails above 15.
lint: $(BIN)/snpctl $(MO)
	@status=0; \
	$(BIN)/ruff format --check snpctl tests bench || status=1; \
	$(BIN)/ruff check snpctl tests bench || status=1; \
	$(BIN)/mypy || status=1; \
	$(BIN)/radon cc -n C -s snpctl; \
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_code_shape.py || status=1; \
	if [ $$status -ne 0 ]; then echo "make lint: failed (see above)"; fi; \
	exit $$status

test: lint
	$(BIN)/python -m pytest

# Events written and seconds for `snpctl simulate champigny-2023` and `report --format json`.
bench: $(BIN)/snpctl $(MO)
	$(BIN)/pip install --quiet duckdb   # bench-only: the comparison users would reach for
	$(BIN)/python bench/bench.py

# The CLI reference, docs/cli.md, from --help by typer's own generator, in a fixed language and width
# (docs/cli.sh; tests/test_docs.py runs the same script and fails when docs/cli.md differs).
docs: $(BIN)/snpctl $(MO)
	sh docs/cli.sh $(BIN)/python docs/cli.md
	sh docs/guide.sh $(BIN)/python

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis .ruff_cache .mypy_cache
