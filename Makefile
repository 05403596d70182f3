PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test install install-dev bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -e .

install-dev: $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'

## make demo: set up and run the demo company on the embedded DuckDB store
demo: install
	$(BIN)/engagekit demo

## make test: set up with dev extras and run the whole suite (DuckDB and Spark)
test: install-dev
	$(BIN)/python -m pytest -q

bench: install-dev
	$(BIN)/python bench/ingest.py

clean:
	rm -rf $(VENV) engagekit.duckdb .pytest_cache
