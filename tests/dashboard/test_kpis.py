"""KPI cards: a one-month view read from the monthly series equals the engine's own comparison."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest

from engagekit.analyses.protocol import Project
from engagekit.config import Settings
from engagekit.dashboard.data_kpis import kpi_cards
from engagekit.metrics.engine import compute
from engagekit.metrics.headline import HEADLINE_KPIS
from engagekit.store import Store


def test_one_month_from_the_series_equals_compute_with_comparison(demo_store: Store) -> None:
    project = Project.of(Settings())
    catalog = project.catalog

    @contextmanager
    def locked() -> Iterator[Store]:
        yield demo_store

    october = (date(2026, 10, 1), date(2026, 11, 1))
    cards = kpi_cards(locked, project, list(HEADLINE_KPIS), *october, lambda store: None)
    expected = {row.metric: row for row in compute(demo_store, catalog, list(HEADLINE_KPIS), *october,
                                                   compare="previous_period").rows}
    for shown in cards:
        row = expected[shown.name]
        assert shown.value == pytest.approx(row.value), shown.name
        assert shown.change == pytest.approx(row.change), shown.name
        assert shown.relative_change == pytest.approx(row.relative_change), shown.name
        assert shown.status == row.status, shown.name
        assert [period for period, _ in shown.series] == [f"2026-{m:02d}-01" for m in range(5, 11)]
        assert shown.series[-1][1] == pytest.approx(row.value), shown.name
