# Two commands on a fresh machine: `make demo` and `make test`. Each sets itself up.
# `make install` puts snpctl on your PATH for real use (no root, no pipx); `make uninstall` removes it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo lint test bench docs clean install uninstall

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
	@command -v snpctl >/dev/null 2>&1 || { echo; \
	  echo "Pour taper ces commandes vous-même (snpctl report --home ...) : make install met snpctl dans votre PATH."; }

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

# `make install`: snpctl on the user's PATH, without root nor pipx, with the system Python of Debian 12 or
# Ubuntu 24.04 (PEP 668 forbids pip in the system Python, not in a virtual environment): a virtual
# environment of its own in $XDG_DATA_HOME/snpctl/venv (~/.local/share/snpctl/venv), `pip install .` into it
# (a copy, not editable: the clone may be moved or deleted afterwards), and a link ~/.local/bin/snpctl.
# Run again to upgrade. `make uninstall` removes both (workspaces and ~/.config/snpctl are kept).
DATA_HOME    := $(or $(XDG_DATA_HOME),$(HOME)/.local/share)
INSTALL_VENV := $(DATA_HOME)/snpctl/venv
INSTALL_BIN  := $(HOME)/.local/bin
LINK         := $(INSTALL_BIN)/snpctl

install:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "make install : snpctl demande Python 3.11 ou plus récent ($(PYTHON) : $$($(PYTHON) --version 2>&1))."; \
	  echo "Indiquez-en un autre : make install PYTHON=python3.12"; exit 1; }
	@if [ -e "$(LINK)" ] || [ -L "$(LINK)" ]; then \
	  if [ "$$(readlink "$(LINK)")" != "$(INSTALL_VENV)/bin/snpctl" ]; then \
	    echo "make install : $(LINK) existe déjà et n'est pas celui de make install (pipx ? uv ?)."; \
	    echo "Désinstallez-le d'abord (pipx uninstall snpctl, uv tool uninstall snpctl), ou supprimez-le."; exit 1; \
	  fi; \
	fi
	@if [ ! -x "$(INSTALL_VENV)/bin/python" ]; then \
	  rm -rf "$(INSTALL_VENV)"; \
	  if ! $(PYTHON) -m venv "$(INSTALL_VENV)" >/dev/null 2>&1; then \
	    rm -rf "$(INSTALL_VENV)"; \
	    echo "make install : $(PYTHON) -m venv ne fonctionne pas ici : il manque le paquet python3-venv."; \
	    echo "Sur Debian ou Ubuntu : sudo apt install python3-venv   puis relancez : make install"; exit 1; \
	  fi; \
	fi
	@echo "Installation de snpctl dans $(INSTALL_VENV) ..."
	@$(INSTALL_VENV)/bin/python -m pip install --quiet --disable-pip-version-check . || { \
	  echo "make install : pip install a échoué (voir ci-dessus) ; rien n'a été mis dans $(INSTALL_BIN)."; exit 1; }
	@mkdir -p "$(INSTALL_BIN)"
	@ln -sfn "$(INSTALL_VENV)/bin/snpctl" "$(LINK)"
	@echo "$$($(LINK) --version) installé : la commande est $(LINK)."
	@case ":$$PATH:" in \
	  *":$(INSTALL_BIN):"*|*":$(INSTALL_BIN)/:"*) echo "Essayez : snpctl --help" ;; \
	  *) echo "$(INSTALL_BIN) n'est pas dans votre PATH. Ajoutez-le (puis ouvrez un nouveau terminal) :"; \
	     echo "  echo 'export PATH=\"\$$HOME/.local/bin:\$$PATH\"' >> ~/.profile" ;; \
	esac

uninstall:
	@if [ -L "$(LINK)" ] && [ "$$(readlink "$(LINK)")" = "$(INSTALL_VENV)/bin/snpctl" ]; then \
	  rm -f "$(LINK)"; echo "$(LINK) supprimé."; \
	elif [ -e "$(LINK)" ]; then \
	  echo "$(LINK) n'est pas celui de make install (pipx ? uv ?) : laissé en place."; \
	fi
	@if [ -d "$(INSTALL_VENV)" ]; then rm -rf "$(INSTALL_VENV)"; echo "$(INSTALL_VENV) supprimé."; fi
	@rmdir "$(DATA_HOME)/snpctl" 2>/dev/null || true
	@echo "Vos espaces de travail et ~/.config/snpctl sont conservés."
