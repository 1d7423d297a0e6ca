# Two commands: `make run` serves Rapport, `make test` runs the whole suite.
# Both install what they need into .venv and node_modules first.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Arguments for pytest, e.g. make test ARGS="tests/test_auth.py -k revoked"
ARGS ?=
# Parallel test workers (pytest-xdist).
WORKERS ?= 2

# Benchmark dataset size: SCALE=0.05 seeds 5% of it for a quick run (results then go to bench/.work/results).
SCALE ?= 1.0

.PHONY: run test lint lint-schema install clean bench bench-smoke screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

# The web console (web/): its gql.tada types from schema.graphql, then the Vite build into web/dist,
# which the api serves at /app. Rebuilt when a source, the schema or the npm packages change.
WEB_SOURCES := $(shell find web -path web/dist -prune -o -type f ! -name graphql-env.d.ts -print 2>/dev/null)
web/dist/index.html: node_modules/.package-lock.json schema.graphql $(WEB_SOURCES)
	node_modules/.bin/gql-tada generate output --tsconfig web/tsconfig.json
	node_modules/.bin/vite build web --logLevel warn

install: $(VENV)/.installed node_modules/.package-lock.json web/dist/index.html

run: install
	HOST=$(HOST) PORT=$(PORT) $(BIN)/rapport dev

# The suite includes the benchmark's smoke run (tests/test_bench_smoke.py), hence the bench packages.
test: install $(VENV)/.bench-installed
	$(BIN)/rapport stack -- $(BIN)/pytest -n $(WORKERS) $(ARGS)

$(VENV)/.bench-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $@

# Seed rapport_bench, index it, load-test every scenario, compare with PostGraphile and raw SQL,
# and write bench/RESULTS.md (about 27 minutes at SCALE=1.0). Settings: see bench/run.py.
bench: install $(VENV)/.bench-installed
	SCALE=$(SCALE) $(BIN)/rapport stack -- $(BIN)/python -m bench.run

# The same harness on a tiny dataset in its own database, in well under a minute; `make test` runs it too.
bench-smoke: install $(VENV)/.bench-installed
	$(BIN)/rapport stack -- $(BIN)/python -m bench.smoke

# The schema the exported SDL must stay compatible with: a git ref (main's last commit) or a file.
SCHEMA_BASE ?= main

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	node_modules/.bin/gql-tada check --tsconfig web/tsconfig.json
	node_modules/.bin/tsc --noEmit -p web
	$(MAKE) --no-print-directory lint-schema

# The exported SDL: graphql-schema-linter (rules in package.json) finds nothing, and nothing breaks
# what clients built against SCHEMA_BASE (scripts/schema_diff.mjs).
lint-schema: install
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(BIN)/rapport schema export > "$$tmp/schema.graphql"; \
	node_modules/.bin/graphql-schema-linter "$$tmp/schema.graphql"; \
	if [ -f "$(SCHEMA_BASE)" ]; then cp "$(SCHEMA_BASE)" "$$tmp/base.graphql"; \
	elif ! git show "$(SCHEMA_BASE):schema.graphql" > "$$tmp/base.graphql" 2>/dev/null \
	  && ! git show "origin/$(SCHEMA_BASE):schema.graphql" > "$$tmp/base.graphql" 2>/dev/null; then \
	  echo "make lint: cannot read schema.graphql at $(SCHEMA_BASE) or origin/$(SCHEMA_BASE); fetch it or set SCHEMA_BASE=<ref or file>" >&2; exit 1; fi; \
	node scripts/schema_diff.mjs "$$tmp/base.graphql" "$$tmp/schema.graphql"

# Screenshots of every console page at 1440x900 and 390x844, into docs/screenshots (shown in the README):
# the demo story as `make run` shows it, in a database of its own (scripts/screenshots.py).
screenshots: install
	$(BIN)/rapport stack -- $(BIN)/python -m scripts.screenshots docs/screenshots

clean:
	rm -rf $(VENV) node_modules web/dist
