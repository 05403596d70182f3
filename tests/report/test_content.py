"""The report reads a month and its previous month from the monthly series; the numbers must be
the ones the KPI engine gives for that month compared with the previous period."""
from __future__ import annotations

from datetime import date

import pytest

from engagekit.analyses.protocol import Project
from engagekit.metrics.catalog import Catalog
from engagekit.metrics.engine import compute
from engagekit.report.audiences import AUDIENCES
from engagekit.report.content import compared_period, series_start
from engagekit.store import Store
from tests.report.conftest import PERIOD

FIELDS = ("value", "numerator", "denominator", "previous", "change", "relative_change", "target", "status")


def test_a_month_from_the_series_equals_the_engines_comparison(demo_store: Store, catalog: Catalog) -> None:
    names = sorted({n for spec in AUDIENCES.values() for n in spec.kpis if n in catalog.metrics})
    start, end = PERIOD
    series = compute(demo_store, catalog, names, series_start(end), end, grain="month")
    from_series = {r.metric: r for r in compared_period(demo_store, Project(catalog=catalog), names, start, end, series).rows}
    engine = {r.metric: r for r in compute(demo_store, catalog, names, start, end, compare="previous_period").rows
              if not r.segment}
    assert set(from_series) == set(engine) and len(engine) == len(names)
    for name, expected in engine.items():
        got = from_series[name]
        assert got.period is None and got.segment == ()
        for field in FIELDS:
            want, have = getattr(expected, field), getattr(got, field)
            assert have == (pytest.approx(want, rel=1e-9) if isinstance(want, float) else want), (name, field)


def test_another_range_is_computed_with_its_own_comparison(demo_store: Store, catalog: Catalog) -> None:
    # 2026-10-05 .. 2026-10-18 is 14 days: compared with the 14 days before, which no monthly series holds.
    start, end = date(2026, 10, 5), date(2026, 10, 19)
    series = compute(demo_store, catalog, ["orders"], series_start(end), end, grain="month")
    got = compared_period(demo_store, Project(catalog=catalog), ["orders"], start, end, series).rows[0]
    expected = compute(demo_store, catalog, ["orders"], start, end, compare="previous_period").rows[0]
    assert (got.value, got.previous) == (expected.value, expected.previous) and got.previous is not None
