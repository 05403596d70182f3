"""Event times outside the accepted window, and times no engine can hold, are quarantined rows
naming the bound, on every intake path: event files, the collector's tables, customer files."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from engagekit.cli.init import TEMPLATE
from engagekit.config import Settings, load_settings
from engagekit.errors import ConfigError
from engagekit.ingest import EventRules, IngestOptions, Vocabulary, ingest_file
from engagekit.ingest import limits
from engagekit.ingest.batch import ingest_table
from engagekit.ingest.limits import TimeBounds
from engagekit.ingest.readers import ROW
from engagekit.ingest.timestamps import to_utc
from engagekit.store import Store
from tests.conftest import write
from tests.ingest.reports import counts, quarantine

NOW = datetime(2026, 12, 3, 11, 33)  # the fixed clock: the latest accepted time is 2026-12-04 11:33
LATE = "is after the latest accepted time 2026-12-04 11:33 UTC (now + 1 day, setting events_max_ahead_days)"
EARLY = "is before the earliest accepted time 1990-01-01 00:00 UTC (setting events_earliest)"


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "utc_now", lambda: NOW)


def test_event_times_outside_the_window_are_quarantined_naming_the_bound(duckdb_store: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "e.csv", "timestamp,event,userId\n"
                 "2026-11-20T10:00:00Z,page,u1\n"   # row 1: in the window -> stored
                 "1989-12-31T23:59:59Z,page,u2\n"   # row 2: a second before 1990 -> too early
                 "1990-01-01T00:00:00Z,page,u3\n"   # row 3: the earliest accepted time itself -> stored
                 "2026-12-04T11:33:00Z,page,u4\n"   # row 4: now + 1 day exactly -> stored
                 "2026-12-04T11:34:00Z,page,u5\n"   # row 5: a minute past it -> too late
                 "9999-01-01T00:00:00Z,page,u6\n"   # row 6: a device clock in the far future -> too late
                 "0,page,u7\n")                     # row 7: epoch 0, a clock reset to 1970 -> too early
    report = ingest_file(duckdb_store, path, IngestOptions(), Vocabulary())
    assert counts(report) == (7, 3, 0, 4)
    assert quarantine(duckdb_store) == [
        (2, "timestamp", f"timestamp '1989-12-31T23:59:59Z' {EARLY}"),
        (5, "timestamp", f"timestamp '2026-12-04T11:34:00Z' {LATE}"),
        (6, "timestamp", f"timestamp '9999-01-01T00:00:00Z' {LATE}"),
        (7, "timestamp", f"timestamp '0' {EARLY}"),
    ]


def test_times_no_engine_can_hold_are_rows_not_exceptions(duckdb_store: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "e.csv", "timestamp,event,userId\n"
                 "+275760-01-01,page,u1\n"              # row 1: JavaScript's last year: no parser reads it
                 "99999999999999999,page,u2\n"          # row 2: an epoch past 2^53 (was an ArrowInvalid)
                 "1e300,page,u3\n"                      # row 3: an epoch past 64-bit microseconds
                 "9999-12-31T23:00:00-05:00,page,u4\n"  # row 4: 10000-01-01 04:00 UTC -> too late
                 "2026-11-20T10:00:00Z,page,u5\n")      # row 5: stored
    report = ingest_file(duckdb_store, path, IngestOptions(), Vocabulary())
    assert counts(report) == (5, 1, 0, 4)
    assert quarantine(duckdb_store) == [
        (1, "timestamp", "unparseable timestamp '+275760-01-01'"),
        (2, "timestamp", "unparseable timestamp '99999999999999999'"),
        (3, "timestamp", "unparseable timestamp '1e300'"),
        (4, "timestamp", f"timestamp '9999-12-31T23:00:00-05:00' {LATE}"),
    ]


def test_epoch_numbers_and_coarse_timestamps_beyond_microseconds_become_null() -> None:
    # 1710072000 s = 2024-03-10 12:00 UTC; the others overflow 64-bit microseconds
    assert to_utc(pa.array([99999999999999999, 1710072000]), "UTC").to_pylist() == [None, datetime(2024, 3, 10, 12)]
    assert to_utc(pa.array([1e300, -1e17, 1710072000.0]), "UTC").to_pylist() == [None, None, datetime(2024, 3, 10, 12)]
    seconds = pa.array([10**15, 1710072000], pa.timestamp("s"))  # 10^15 s: about 31 million years
    assert to_utc(seconds, "UTC").to_pylist() == [None, datetime(2024, 3, 10, 12)]
    nanos = pa.array([1710072000_123456789], pa.timestamp("ns", tz="UTC"))  # finer than microseconds: truncated
    assert to_utc(nanos, "UTC").to_pylist() == [datetime(2024, 3, 10, 12, 0, 0, 123456)]


def test_a_parquet_time_past_the_year_9999_is_quarantined(duckdb_store: Store, tmp_path: Path) -> None:
    # 253402318800000000 us = 10000-01-01 05:00 UTC, which Python's datetime cannot hold
    ts = pa.array([253402318800000000, 1763632800000000], pa.int64()).cast(pa.timestamp("us", tz="UTC"))
    pq.write_table(pa.table({"ts": ts, "event": ["page", "page"], "customer_id": ["u1", "u2"]}), tmp_path / "e.parquet")
    report = ingest_file(duckdb_store, tmp_path / "e.parquet", IngestOptions(), Vocabulary())
    assert counts(report) == (2, 1, 0, 1)
    assert quarantine(duckdb_store) == [(1, "ts", f"timestamp '10000-01-01 05:00:00.000000Z' {LATE}")]


def collector_table(times: list[datetime]) -> pa.Table:
    """Raw event rows as the collector hands them over: times already corrected for clock skew."""
    n = len(times)
    return pa.table({
        "event_id": [f"m{i}" for i in range(n)], "ts": pa.array(times, pa.timestamp("us", tz="UTC")),
        "event": ["page"] * n, "customer_id": ["u1"] * n, "anonymous_id": pa.nulls(n, pa.string()),
        "channel": pa.nulls(n, pa.string()), "revenue": pa.nulls(n, pa.string()), "properties": ["{}"] * n,
        ROW: list(range(1, n + 1)),
    })


def test_the_collector_path_applies_the_bounds_of_its_rules(duckdb_store: Store) -> None:
    raw = collector_table([datetime(2026, 11, 20, 10), datetime(2026, 12, 5), datetime(1980, 1, 1)])
    rules = EventRules(bounds=TimeBounds(earliest=datetime(1970, 1, 1)))  # a project that accepts 1980
    with duckdb_store.transaction():
        report = ingest_table(duckdb_store, raw, "key:k1", "spool/s1", Vocabulary(), rules)
    # row 1 stored; row 2 is past 2026-12-04 11:33; row 3 is inside this project's window
    assert counts(report) == (3, 2, 0, 1)
    assert quarantine(duckdb_store) == [(2, "ts", f"timestamp '2026-12-05 00:00:00.000000Z' {LATE}")]


def test_settings_give_the_rules_their_bounds(tmp_path: Path) -> None:
    path = write(tmp_path / "engagekit.yaml", "events_earliest: 1960-01-01\nevents_max_ahead_days: 0.5\n")
    settings = load_settings(path)
    rules = EventRules.for_settings(settings, timezone="UTC")
    assert rules.bounds == TimeBounds(datetime(1960, 1, 1), timedelta(hours=12))
    assert EventRules.for_settings(Settings()).bounds == TimeBounds()
    documented = load_settings(write(tmp_path / "init.yaml", TEMPLATE))  # what `engagekit init` writes
    assert (documented.events_earliest, documented.events_max_ahead_days) == (datetime(1990, 1, 1), 1.0)
    bad = write(tmp_path / "bad.yaml", "events_max_ahead_days: -1\n")
    with pytest.raises(ConfigError, match=r"bad.yaml:1: field 'events_max_ahead_days'"):
        load_settings(bad)


def test_a_custom_window_names_its_settings_in_the_reason(duckdb_store: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "e.csv", "timestamp,event,userId\n"
                 "1965-06-01T00:00:00Z,page,u1\n"   # row 1: inside a window from 1960 -> stored
                 "2026-12-03T23:34:00Z,page,u2\n")  # row 2: past now + 12 hours (23:33) -> too late
    rules = EventRules(bounds=TimeBounds(datetime(1960, 1, 1), timedelta(hours=12)))
    report = ingest_file(duckdb_store, path, IngestOptions(rules=rules), Vocabulary())
    assert counts(report) == (2, 1, 0, 1)
    assert quarantine(duckdb_store) == [(2, "timestamp", "timestamp '2026-12-03T23:34:00Z' is after the latest "
                                         "accepted time 2026-12-03 23:33 UTC (now + 12 hours, setting events_max_ahead_days)")]


def test_customer_created_at_outside_the_window_is_quarantined(duckdb_store: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "c.csv", "customer_id,created_at\n"
                 "u1,2024-01-01\n"     # row 1: stored
                 "u2,1900-01-01\n"     # row 2: a placeholder date of a CRM export -> too early
                 "u3,2999-01-01\n"     # row 3: a typo of 1999 or 2029 -> too late
                 "u4,\n")              # row 4: no date: stored, created_at unknown
    report = ingest_file(duckdb_store, path, IngestOptions(kind="customers"), Vocabulary())
    assert counts(report) == (4, 2, 0, 2)
    assert quarantine(duckdb_store) == [
        (2, "created_at", f"created_at '1900-01-01' {EARLY}"),
        (3, "created_at", f"created_at '2999-01-01' {LATE}"),
    ]
