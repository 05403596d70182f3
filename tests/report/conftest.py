"""One small demo company (12 months, so it contains August 2026) shared by the report tests."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from engagekit.config import Settings
from engagekit.demo.generate import DemoSpec, generate
from engagekit.demo.load import load_demo
from engagekit.derive import build_derived
from engagekit.metrics.catalog import Catalog, load_catalog
from engagekit.report.content import Report, build_report
from engagekit.store import Store, connect

SPEC = DemoSpec(customers=1500, months=12, seed=11)
PERIOD = (date(2026, 10, 1), date(2026, 11, 1))


@pytest.fixture(scope="package")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    folder: Path = tmp_path_factory.mktemp("report-demo")
    files = generate(SPEC, folder / "files")
    with connect(f"duckdb:///{folder / 'demo.duckdb'}") as store:
        load_demo(store, files, Settings())
        build_derived(store)
        yield store


@pytest.fixture(scope="package")
def catalog() -> Catalog:
    return load_catalog()


class ReportCache(dict):
    """Reports of PERIOD by audience, built on first use."""

    def __init__(self, store: Store, catalog: Catalog) -> None:
        super().__init__()
        self.store, self.catalog = store, catalog

    def __missing__(self, audience: str) -> Report:
        self[audience] = build_report(self.store, self.catalog, audience, *PERIOD)
        return self[audience]


@pytest.fixture(scope="package")
def reports(demo_store: Store, catalog: Catalog) -> ReportCache:
    return ReportCache(demo_store, catalog)
