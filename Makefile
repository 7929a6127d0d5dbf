# The two commands of the README: `make demo` and `make test`. Both set up
# everything first (virtualenv, the package, PostgreSQL + PostGIS).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup system-packages test demo bench clean

setup: system-packages $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

system-packages:
	@bash scripts/ensure-system-packages.sh
	@bash ext/mlyetl_spacing/install.sh
	@bash scripts/ensure-citus.sh

test: setup
	$(BIN)/pytest

demo: setup
	$(BIN)/mlyetl demo

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
