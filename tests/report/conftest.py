"""Report fixtures over the shared demo store (tests/conftest.py: 12 months, so it contains August 2026)."""
from __future__ import annotations

from datetime import date

import pytest

from engagekit.analyses.protocol import Project
from engagekit.metrics.catalog import Catalog, load_catalog
from engagekit.report.content import Report, build_report
from engagekit.store import Store

PERIOD = (date(2026, 10, 1), date(2026, 11, 1))


@pytest.fixture(scope="package")
def catalog() -> Catalog:
    return load_catalog()


class ReportCache(dict):
    """Reports of PERIOD by audience, built on first use."""

    def __init__(self, store: Store, catalog: Catalog) -> None:
        super().__init__()
        self.store, self.catalog = store, catalog

    def __missing__(self, audience: str) -> Report:
        self[audience] = build_report(self.store, Project(catalog=self.catalog), audience, *PERIOD)
        return self[audience]


@pytest.fixture(scope="package")
def reports(demo_store: Store, catalog: Catalog) -> ReportCache:
    return ReportCache(demo_store, catalog)
