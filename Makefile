# Järjestökartta — `make help` lists the targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501
# Real geography/population and reference data: ../shared/data beside the checkout when present.
SHARED ?= $(abspath ../shared/data)
ifneq ($(wildcard $(SHARED)/raw/statfi),)
export JARJESTOKARTTA_OFFLINE_DIR ?= $(SHARED)/raw
export JARJESTOKARTTA_REFERENCE_DIR ?= $(SHARED)
endif

.DEFAULT_GOAL := help
.PHONY: help setup data demo build check run test test-fast bench clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	@touch $@

# the pinned axe-core that the browser accessibility test injects (tests/browser/package-lock.json)
AXE := tests/browser/node_modules/axe-core/axe.min.js
$(AXE): tests/browser/package.json tests/browser/package-lock.json
	cd tests/browser && npm ci --no-audit --no-fund
	@touch $@

setup: $(BIN)/python ## create .venv and install the pinned requirements

data: setup ## build the warehouse (demo data when no organisation source is configured)
	$(BIN)/python -m etl all

demo: setup ## regenerate the synthetic demo dataset (SCALE=1 SEED=42)
	$(BIN)/python -m etl demo --scale $(or $(SCALE),1) --seed $(or $(SEED),42)

build: setup ## rebuild the warehouse from the inputs (--force)
	$(BIN)/python -m etl build --force

check: setup ## re-run the build checks on the current warehouse
	$(BIN)/python -m etl check

run: data ## build the warehouse if needed and start the dashboard on http://127.0.0.1:$(PORT)
	$(BIN)/python -m app.serve --server.port $(PORT) --server.address 127.0.0.1

test: setup $(AXE) ## run the whole test suite (unit, AppTest, browser tests, accessibility)
	$(BIN)/python -m pytest -q

test-fast: setup ## the suite without the browser tests
	$(BIN)/python -m pytest -q -m "not browser"

bench: setup ## benchmarks (figures beside same-run references) -> bench/results/ (SCALES=1,10,100 BENCH_ARGS=...)
	$(BIN)/python -m bench $(if $(SCALES),--scales $(SCALES)) $(BENCH_ARGS)

clean: ## remove build outputs (warehouse, demo data, caches)
	rm -rf data/warehouse.duckdb data/demo data/cache .pytest_cache tests/artifacts
