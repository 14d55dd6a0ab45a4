# mea-kg: `make run` sets up and runs the main job, `make test` runs the tests (CI runs `make test`).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: setup run build test test-fast lint docs docs-serve bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml package-lock.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	npm ci --no-audit --no-fund --silent
	touch $@

run: setup
	$(BIN)/kg build
	$(BIN)/kg query --canned activities-by-listing --param narrower=false --format csv
	$(BIN)/kg serve --host $(HOST) --port $(PORT)

build: setup
	$(BIN)/kg build

test: setup
	$(BIN)/pytest -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The documentation site (docs/, mkdocs.yml): built into site/; any warning fails the build.
$(VENV)/.docs-installed: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[docs]'
	touch $@

docs: $(VENV)/.docs-installed
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

docs-serve: $(VENV)/.docs-installed
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --dev-addr 127.0.0.1:8001

# The cheap benchmarks; each writes its page under docs/benchmarks/ (endpoint, scale, soak: run by hand).
bench: build
	$(BIN)/python bench/store.py
	$(BIN)/python bench/informea.py

# The fast lane (no slow, browser, remote-server or reliability tests): for a quick check while working.
test-fast: setup
	$(BIN)/pytest -q -m "not slow and not browser and not remote and not reliability"

clean:
	rm -rf var/store
