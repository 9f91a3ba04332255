# dcpulse front door. Every target bootstraps .venv by itself (uv when it can, pip otherwise).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
# dagster dev's code server and dbt subprocesses find this environment's tools first.
export PATH := $(CURDIR)/$(BIN):$(PATH)
DBT := cd dbt_project && ../$(BIN)/dbt

.PHONY: run refresh mirror docs test test-fast dev dashboard bench lint manifest clean setup lake-demo

# Packages are installed with their bytecode compiled (uv's --compile-bytecode; pip does it by default): uv skips
# it otherwise, and where PYTHONDONTWRITEBYTECODE is set (this sandbox, many CI images) every process would
# compile dagster, dbt and polars from source again on each start.
# .venv holds exactly what uv.lock says: uv sync removes what the lock lacks, and --locked stops when the lock is
# behind pyproject.toml (then run uv lock, and re-export pip-constraints.txt). Without uv, pip installs the same
# versions from pip-constraints.txt, the lock exported for pip:
#   uv export --frozen --no-hashes --extra dev --no-emit-project -o pip-constraints.txt
$(STAMP): pyproject.toml uv.lock pip-constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || $(BIN)/python -m pip install -q uv >/dev/null 2>&1 || true
	@if $(BIN)/uv --version >/dev/null 2>&1; then \
	   UV_PROJECT_ENVIRONMENT=$(CURDIR)/$(VENV) $(BIN)/uv sync -q --locked --compile-bytecode --extra dev --python $(BIN)/python --no-python-downloads; \
	 else $(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip -q; \
	   $(BIN)/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true; \
	   $(BIN)/python -m pip install -q -c pip-constraints.txt -e '.[dev]'; fi
	@touch $(STAMP)

setup: $(STAMP)

# dagster-dbt loads the dbt assets from manifest.json: parsed only when the dbt project changed (a hash of its files).
manifest: $(STAMP)
	@$(BIN)/python -m orchestration.defs.dbt.manifest

$(DAGSTER_HOME)/dagster.yaml:
	@mkdir -p $(DAGSTER_HOME) && cp orchestration/dagster.yaml $(DAGSTER_HOME)/dagster.yaml

run: manifest $(DAGSTER_HOME)/dagster.yaml
	@$(BIN)/python -m orchestration.run

# Fetch every live source (or from DCPULSE_MIRROR_URL) into data/landing/, then run on what was fetched.
refresh: manifest $(DAGSTER_HOME)/dagster.yaml
	@$(BIN)/python -m orchestration.run --fetch

# Copy the sources into a folder laid out as a mirror for DCPULSE_MIRROR_URL: make mirror DIR=/srv/dcpulse-mirror
mirror: $(STAMP)
	@test -n "$(DIR)" || { echo "usage: make mirror DIR=<folder>"; exit 2; }
	@$(BIN)/python -m orchestration.defs.connectors.mirror $(DIR)

# Regenerate the README's parameter tables from their homes (dbt vars, seeds, scenarios.yml).
docs: manifest
	@$(BIN)/python -m orchestration.defs.parameters.readme_tables
	@$(BIN)/python -m orchestration.defs.publish.readme_figures

test: manifest
	@$(BIN)/python -m pytest -q

# The fast loop while working: unit tests and pure transforms, no pipeline run, dbt, browser or PostgreSQL
# (tests/conftest.py marks the rest `slow`). `make test` before pushing; .ci/run runs lint and the whole suite.
test-fast: $(STAMP)
	@$(BIN)/python -m pytest -q -m "not slow"

dev: manifest $(DAGSTER_HOME)/dagster.yaml
	@$(BIN)/dagster dev -m orchestration.definitions -h 127.0.0.1 -p 3000

dashboard: $(STAMP)
	@$(BIN)/streamlit run dashboards/app.py --server.address 127.0.0.1 --server.port 8501 --server.headless true

# The machine's unit (DuckDB count+sum over a 10M-row CSV), ingest vs DuckDB's read_csv, the whole pipeline and a
# no-change rerun, the dashboard's query latency, peak memory; on SCALE-x generated sources (make bench SCALE=100).
bench: manifest
	@$(BIN)/python -m benchmarks.run --scale $(or $(SCALE),1)

# Publish the current marts to a DuckLake lake in data/lake/ (a real PostgreSQL catalog there, stopped at the end).
lake-demo: $(STAMP) $(DAGSTER_HOME)/dagster.yaml
	@$(BIN)/python -m orchestration.defs.publish.lake_demo

# ruff; the import contracts of pyproject.toml (the layers of docs/architecture.md); sqlfluff on the dbt models.
lint: $(STAMP)
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check .
	@$(BIN)/lint-imports
	@cd dbt_project && ../$(BIN)/sqlfluff lint models --templater dbt

clean:
	rm -rf data/warehouse dbt_project/target dbt_project/logs .dagster_home
