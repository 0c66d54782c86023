# Two commands do all the set-up: `make repro` and `make test` (`make test-full` in CI: docs/testing.md).
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha256sum | cut -c1-12)
UI_PORT ?= 5000
# `make server`: the shared MLflow server (docs/team.md).
SERVER_HOME ?= $(CURDIR)/.server
SERVER_PORT ?= 5001
PG_PORT ?= 5433
AUTH ?=

# Stages run as `python -m stages.<name>`: make sure that is the venv's python.
export PATH := $(BIN):$(PATH)
export MLFLOW_DISABLE_TELEMETRY := true
export DO_NOT_TRACK := true

.PHONY: setup repro readme test test-full lint typecheck ui ui-screenshots clean-tracking server server-stop remote

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@rm -f $(VENV)/.installed-*
	@touch $@

repro: $(STAMP)
	$(BIN)/dvc repro
	@$(MAKE) --no-print-directory readme
	@echo
	@echo "Report:     $(CURDIR)/reports/report.html (also reports/report.md)"
	@echo "Metrics:    $(BIN)/dvc metrics show"
	@echo "MLflow UI:  make ui, then open http://127.0.0.1:$(UI_PORT)"

# README's headline block, copied from reports/headline.md (which the report stage writes).
readme: $(STAMP)
	$(BIN)/python -m nnsvm.timings

# Two tiers (docs/testing.md), both on TEST_WORKERS pytest-xdist workers; the tests that use the
# tiny pipeline share one worker (--dist loadgroup), which builds it once.
# `make test`: before every commit, lint, types, unit tests and the pipeline's readers (<= 10 min).
# `make test-full`: everything, also the `system` tests (own pipelines, services, browser) (<= 30 min).
TEST_WORKERS ?= 2
XDIST = -n $(TEST_WORKERS) --dist loadgroup

test: lint typecheck
	$(BIN)/python -m pytest $(XDIST) -m "not system" $(PYTEST_ARGS)

test-full: lint typecheck
	$(BIN)/python -m pytest $(XDIST) -m "not serial" $(PYTEST_ARGS)
	$(BIN)/python -m pytest -m serial $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff format --check src stages tests benchmarks
	$(BIN)/ruff check src stages tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy src

# One web worker, no job runner (MLflow's default: four workers and a huey consumer), on 127.0.0.1.
# Prints each experiment's link in the model-training view first.
ui: $(STAMP)
	$(BIN)/python -m nnsvm.ui serve $(UI_PORT)

# Screenshots of the comparison views (docs/tracking.md, "Looking at results") under reports/mlflow/.
ui-screenshots: $(STAMP)
	$(BIN)/python -m nnsvm.ui screenshots reports/mlflow

clean-tracking:
	rm -rf mlflow.db mlartifacts

# PostgreSQL + `mlflow server` on 127.0.0.1 (data in SERVER_HOME, reused); AUTH=1 adds basic-auth.
server: $(STAMP)
	$(BIN)/python -m nnsvm.server start --home $(SERVER_HOME) --port $(SERVER_PORT) --pg-port $(PG_PORT) $(if $(AUTH),--auth)

server-stop: $(STAMP)
	$(BIN)/python -m nnsvm.server stop --home $(SERVER_HOME)

# The DVC remote everyone pushes to and pulls from: a path (local or network) or s3://... (pip install -e '.[s3]').
# Needs only dvc on PATH (the venv's comes first), so it runs in any clone.
remote:
	@test -n "$(URL)" || { echo "usage: make remote URL=/path/to/shared/nnsvm-dvc  (or URL=s3://bucket/prefix)" >&2; exit 2; }
	dvc remote add --default --force team $(URL)
	@echo "Remote 'team' -> $(URL) (in .dvc/config: commit it). Share results: dvc push; get them: dvc pull"
