# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DAGSTER_HOME := $(CURDIR)/dagster_home
# Which tests `make test` / `make test-fast` run (default: all of tests/), e.g. PYTEST_ARGS=tests/deploy
PYTEST_ARGS ?=
# The tests run inside a throwaway PostgreSQL cluster that this script starts and removes.
WITH_SERVICES := bash scripts/test_services.sh run

.PHONY: install demo dev test test-fast bench bench-full clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m twilight_assets.demo

dev: $(STAMP)
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

test: $(STAMP)
	$(WITH_SERVICES) $(BIN)/python -m pytest -q -ra $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(WITH_SERVICES) $(BIN)/python -m pytest -q -ra -m "not slow" $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

bench-full: $(STAMP)
	$(BIN)/python benchmarks/run_all.py --full

clean:
	rm -rf $(VENV) data dagster_home/storage dagster_home/logs dagster_home/history dagster_home/schedules
