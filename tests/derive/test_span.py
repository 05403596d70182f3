"""The span of stored events within the accepted times (engagekit.derive.span): rows with a
clock or parsing error take no part, wherever they sit; the window's ends are inside."""
from __future__ import annotations

from datetime import datetime, timedelta

import ibis
import pyarrow as pa

from engagekit.derive import build_derived
from engagekit.derive.span import time_span
from engagekit.ingest.limits import TimeBounds
from engagekit.store import Store
from tests.dashboard.conftest import FAR_FUTURE, add_far_event

NOW = datetime(2026, 12, 3, 12, 0)


def span(*times: datetime) -> tuple[datetime, datetime] | None:
    return time_span(ibis.memtable(pa.table({"ts": pa.array(times, pa.timestamp("us"))})), now=NOW)


def test_rows_outside_the_window_take_no_part() -> None:
    real = (datetime(2026, 9, 10, 10), datetime(2026, 11, 2, 8))
    # a device reset to 1970, one set to 4052, a parse that gave the last representable day
    assert span(datetime(1970, 1, 1), *real, *FAR_FUTURE) == real
    assert span(*FAR_FUTURE) is None and span() is None


def test_the_ends_of_the_window_are_inside() -> None:
    earliest, latest = TimeBounds().earliest, NOW + TimeBounds().ahead
    assert span(earliest, latest) == (earliest, latest)
    assert span(earliest - timedelta(microseconds=1), latest + timedelta(microseconds=1)) is None


def test_tenure_is_measured_to_the_last_real_day(duckdb_store: Store) -> None:
    # u2 signs up on 2026-10-01 and is last seen on 2026-10-31; the year-9999 page view was the
    # latest event, so tenure ran to 9999-12-31 (2,912,169 days) instead of 30
    duckdb_store.insert("customers", ibis.memtable({"customer_id": ["u2"], "created_at": [datetime(2026, 10, 1)]}))
    duckdb_store.insert("events", ibis.memtable({"event_id": ["e1"], "ts": [datetime(2026, 10, 31, 9)],
                                                 "event": ["page_viewed"], "customer_id": ["u2"]}))
    add_far_event(duckdb_store, FAR_FUTURE[0])
    build_derived(duckdb_store)
    assert duckdb_store.table("customer_facts").tenure_days.to_pyarrow().to_pylist() == [30]
