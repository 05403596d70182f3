"""Shared fixtures: a fresh store on each engine, and small story files."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from engagekit.metrics.catalog import Catalog, builtin_files, load_file
from engagekit.store import Store, connect
from engagekit.store.engines import ENGINES as REGISTERED_ENGINES

# Every registered engine, with the marks its tests carry (spark: slow, needs Java).
ENGINES = [pytest.param(scheme, marks=[getattr(pytest.mark, mark) for mark in engine.test_marks], id=scheme)
           for scheme, engine in REGISTERED_ENGINES.items()]
DEMO_SPEC_ARGS = {"customers": 1500, "months": 12, "seed": 11}  # 12 months: contains August 2026


def store_url(engine: str, tmp_path: Path) -> str:
    """A fresh store of `engine` in the test's folder."""
    return REGISTERED_ENGINES[engine].test_url(tmp_path)


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


def catalog_file(name: str) -> Catalog:
    """One file of the built-in catalog alone (e.g. "purchase.yaml"), so a test checks that file
    whatever else the catalog holds."""
    return Catalog(load_file(next(path for path in builtin_files() if path.name == name)))


def write(path: Path, text: str) -> Path:
    """Write a small story file and return its path."""
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One small demo company on DuckDB, loaded and derived, shared by the tests that read it."""
    from engagekit.config import Settings
    from engagekit.demo.generate import DemoSpec, generate
    from engagekit.demo.load import load_demo
    from engagekit.derive import build_derived
    from engagekit.people.names import EventNames
    from engagekit.voc.sentiment import score_new_texts

    folder = tmp_path_factory.mktemp("demo")
    files = generate(DemoSpec(**DEMO_SPEC_ARGS), folder / "files")
    with connect(f"duckdb:///{folder / 'demo.duckdb'}") as store:
        load_demo(store, files, Settings())
        build_derived(store)
        score_new_texts(store, EventNames.of(Settings()))
        yield store
