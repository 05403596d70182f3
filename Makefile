PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test install install-dev system-packages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -e .

install-dev: $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'

## make demo: set up, load the demo company into the embedded DuckDB store, write the executive
## report and serve the dashboard on 127.0.0.1:8000 (Ctrl+C stops it)
demo: install
	$(BIN)/engagekit demo

## Java 17 (Spark's local mode) and Chromium (PDF reports, browser tests): installed with apt
## when run as root, else the command to run is printed and make stops before any test
system-packages:
	@sh scripts/system-packages.sh

## make test: set up with dev extras and the system packages, run the whole suite (DuckDB and Spark)
test: system-packages install-dev
	$(BIN)/python -m pytest -q

bench: install-dev
	$(BIN)/python bench/ingest.py

clean:
	rm -rf $(VENV) engagekit.duckdb .pytest_cache
