"""Shared fixtures: a fresh store on each engine, and small story files."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from engagekit.store import Store, connect

ENGINES = ["duckdb", pytest.param("spark", marks=pytest.mark.spark)]


def store_url(engine: str, tmp_path: Path) -> str:
    if engine == "duckdb":
        return f"duckdb:///{tmp_path / 'engagekit.duckdb'}"
    return f"spark://local[2]?warehouse={tmp_path / 'warehouse'}"


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def store(engine: str, tmp_path: Path) -> Iterator[Store]:
    """An empty store on the engine under test."""
    with connect(store_url(engine, tmp_path)) as opened:
        yield opened


@pytest.fixture
def duckdb_store(tmp_path: Path) -> Iterator[Store]:
    with connect(f"duckdb:///{tmp_path / 'engagekit.duckdb'}") as opened:
        yield opened


def write(path: Path, text: str) -> Path:
    """Write a small story file and return its path."""
    path.write_text(text, encoding="utf-8")
    return path
