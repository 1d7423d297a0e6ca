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

.PHONY: run test lint install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

install: $(VENV)/.installed node_modules/.package-lock.json

run: install
	HOST=$(HOST) PORT=$(PORT) $(BIN)/rapport dev

test: install
	$(BIN)/rapport stack -- $(BIN)/pytest -n $(WORKERS) $(ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) node_modules
