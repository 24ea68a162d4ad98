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

# The first `make demo` (or `make test`) installs: say what is happening and let pip show
# each package as it goes, rather than minutes of silence.
$(STAMP): pyproject.toml
	@echo "==> [1/3] the virtual environment $(VENV)"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "==> [2/3] an up-to-date pip"
	$(BIN)/pip install --quiet --upgrade pip
	@echo "==> [3/3] twilight-assets and its dependencies (dagster, duckdb, pandas, ...): a few minutes the first time"
	$(BIN)/pip install -e '.[test]'
	touch $(STAMP)
	@echo "==> installed; later runs skip this until pyproject.toml changes"

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m twilight_assets.demo

SIMULATOR_PORT ?= 8765
DAGSTER_DEV ?= $(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

# The UI on the simulator, chosen explicitly: serve one in the background on a fixed
# loopback port, point the code location at it (TWILIGHT_SOURCE=simulator and
# TUSHARE_HTTP_URL), and stop it when dagster dev exits. With TUSHARE_TOKEN set, the UI
# runs on Tushare Pro and no simulator starts.
dev: $(STAMP)
	@set -e; \
	if [ -n "$$(printf '%s' "$${TUSHARE_TOKEN:-}" | tr -d '[:space:]')" ]; then \
	  echo "make dev: TUSHARE_TOKEN is set: dagster dev on Tushare Pro, no simulator"; \
	  exec $(DAGSTER_DEV); \
	fi; \
	log=$$(mktemp); \
	$(BIN)/twilight simulator serve --host 127.0.0.1 --port $(SIMULATOR_PORT) >"$$log" 2>&1 & sim=$$!; \
	trap 'kill $$sim 2>/dev/null; wait $$sim 2>/dev/null; rm -f "$$log"' EXIT; \
	trap 'exit 130' INT TERM; \
	until grep -q '^simulator listening on ' "$$log"; do \
	  if ! kill -0 $$sim 2>/dev/null; then \
	    cat "$$log" >&2; \
	    echo "make dev: the simulator did not start on port $(SIMULATOR_PORT) (taken? set SIMULATOR_PORT=...)" >&2; \
	    exit 1; \
	  fi; \
	  sleep 0.2; \
	done; \
	cat "$$log"; \
	TWILIGHT_SOURCE=simulator TUSHARE_HTTP_URL=http://127.0.0.1:$(SIMULATOR_PORT) $(DAGSTER_DEV)

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
