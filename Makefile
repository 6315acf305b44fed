# piodesk — `make run` starts the demo, `make test` runs every check. `make help` lists the rest.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.DEFAULT_GOAL := help

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP) ## create .venv and install piodesk with its dev tools

chromium: ## install Debian's headless Chromium for the browser tests (needs root or sudo)
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

postgres: ## start the local PostgreSQL cluster if it is down (tests use database `test`)
	@pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || { \
	  command -v pg_ctlcluster >/dev/null 2>&1 && \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start && sleep 2 || true; }

run: $(STAMP) ## start the demo at http://127.0.0.1:8000 (SQLite, demo data, demo logins printed)
	$(BIN)/piodesk demo

lint: $(STAMP) ## ruff and mypy
	$(BIN)/ruff check piodesk tests bench
	$(BIN)/ruff format --check piodesk tests bench
	$(BIN)/mypy

test: $(STAMP) chromium postgres ## lint, then every test on SQLite and PostgreSQL (browser tests included)
	$(MAKE) lint
	PIODESK_TEST_POSTGRES_URL=$(PG_URL) $(BIN)/pytest -n 2 -q

format: $(STAMP) ## format the code
	$(BIN)/ruff format piodesk tests bench
	$(BIN)/ruff check --fix piodesk tests bench

bench: $(STAMP) ## run the benchmarks (slow; not part of `make test`)
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b; done

fuzz: $(STAMP) ## long fuzzing: schemathesis on every API operation, hypothesis on the importers
	PIODESK_FUZZ_EXAMPLES=$${PIODESK_FUZZ_EXAMPLES:-200} $(BIN)/pytest -n 2 -q \
	  -p no:cacheprovider tests/web/test_openapi_fuzz.py tests/archive/test_import_properties.py

clean: ## remove the virtualenv and local data
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

.PHONY: help venv chromium postgres run lint test format bench fuzz clean
