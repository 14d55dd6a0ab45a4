# mea-kg: `make run` sets up and runs the main job, `make test` runs the tests (CI runs `make test`).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: setup run build test bench clean

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

# The fast lane (no slow, browser, remote-server or reliability tests): for a quick check while working.
test-fast: setup
	$(BIN)/pytest -q -m "not slow and not browser and not remote and not reliability"

clean:
	rm -rf var/store
