"""A KPI request is bounded before any query runs: periods of a series, metrics, breakdowns.

Found on the read API: `grain=day` over the allowed 20 years ran one query per period for the
to-date and Python kinds (one KPI took 16 s over three years of days on a store of ten events,
the whole catalog 200 s), all of it holding the store lock the collector's drain waits for."""
from __future__ import annotations

from datetime import date

import pytest

from engagekit.errors import InputError
from engagekit.metrics.catalog import load_catalog
from engagekit.metrics.engine import MAX_BREAKDOWNS, MAX_METRICS, compute
from engagekit.people.periods import MAX_SERIES_PERIODS, check_series
from engagekit.store import Store


def test_a_series_has_at_most_max_series_periods() -> None:
    check_series(date(2024, 1, 1), date(2025, 2, 4), "day")  # 400 days: the bound itself
    with pytest.raises(InputError, match=f"at most {MAX_SERIES_PERIODS} periods, not 401 days"):
        check_series(date(2024, 1, 1), date(2025, 2, 5), "day")
    # 2005-01-01 .. 2024-12-01 by week: 1040 weeks; by month 239, by quarter 80
    with pytest.raises(InputError, match="not 1040 weeks"):
        check_series(date(2005, 1, 1), date(2024, 12, 1), "week")
    check_series(date(2005, 1, 1), date(2024, 12, 1), "month")
    check_series(date(2005, 1, 1), date(2024, 12, 1), None)  # one period without a grain


def test_compute_refuses_before_reading(duckdb_store: Store) -> None:
    catalog = load_catalog()
    with pytest.raises(InputError, match="grain: at most"):
        compute(duckdb_store, catalog, ["clv"], date(2005, 1, 1), date(2024, 12, 1), "day")
    with pytest.raises(InputError, match=f"names: at most {MAX_METRICS} metrics"):
        compute(duckdb_store, catalog, [f"m{i}" for i in range(MAX_METRICS + 1)], date(2024, 1, 1), date(2024, 2, 1))
    repeated = compute(duckdb_store, catalog, ["orders"] * (MAX_METRICS + 1), date(2024, 1, 1), date(2024, 2, 1))
    assert [row.metric for row in repeated.rows] == ["orders"]  # a name given twice is computed once
    with pytest.raises(InputError, match=f"by: at most {MAX_BREAKDOWNS} breakdowns"):
        compute(duckdb_store, catalog, ["orders"], date(2024, 1, 1), date(2024, 2, 1),
                by=tuple(f"properties.p{i}" for i in range(MAX_BREAKDOWNS + 1)))
