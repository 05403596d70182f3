"""Retention, lifecycle and stickiness read the derived customer_days table when it is up to date
(any-event activity, UTC project): the same hand-worked results as from the events, on every engine."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from engagekit.analyses.activity import Activity
from engagekit.analyses.lifecycle import LifecycleQuery
from engagekit.analyses.retention import RetentionQuery, run_retention
from engagekit.analyses.stickiness import Criterion, StickinessQuery, run_stickiness
from engagekit.derive import build_derived
from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.people.query import EventFilter
from engagekit.store import Store, connect
from tests.conftest import write
from tests.portable import test_lifecycle, test_retention, test_stickiness

ANY = EventFilter()


def retention(store: Store, **query: object) -> dict[str, list[int | None]]:
    # The WEEKS story of test_retention with any event as start and return (Sunday weeks):
    # p Dec 26 (week Dec 24), Jan 2 and 3 (Dec 31), Jan 17 (Jan 14); q Jan 1 (Dec 31), Jan 8 (Jan 7),
    # Jan 25 (Jan 21); r Jan 12 (Jan 7); s Sat Jan 27 (Jan 21), the last event day.
    # Recurring: Dec 31 = {p, q}: k1 q, k2 p, k3 q; Jan 7 = {q, r}: k1 -, k2 q, k3 (Jan 28) unobserved.
    # First time: p first came Dec 26, before the range: Dec 31 = {q}: k1 q, k3 q; Jan 7 = {r}.
    result = run_retention(store, RetentionQuery(start_event=ANY, period="week", periods=3,
                                                 range=test_retention.WEEKS_QUERY["range"], **query))
    return {row.cohort: row.counts for row in result.rows}


def stickiness(store: Store, **query: object) -> tuple[list[tuple[int, int]], list[tuple[int, int, int]]]:
    result = run_stickiness(store, StickinessQuery(range=test_stickiness.RANGE, activity=ANY, **query))
    return [(b.periods, b.people) for b in result.distribution[:3]], [(d.dau, d.wau, d.mau) for d in result.series]


# The stickiness story with any event as activity (c3's email on Oct 5 now counts):
# c1 Oct 1 (2 events), Oct 2 (1), Oct 3 (3); c2 = a2 Oct 1, Oct 4; c3 Oct 5, Oct 7 -> 3, 2 and 2 days.
# At least 2 events: c1 on Oct 1 and Oct 3 only -> 2 days.
# DAU: Oct 1 {c1, c2}, Oct 2-5 one each, Oct 6 none, Oct 7 {c3}. WAU (d-6 .. d): Oct 1 {v7 Sep 25,
# c1, c2}, Oct 2-4 {c1, c2}, Oct 5-7 {c1, c2, c3}. MAU (d-29 .. d): Oct 1 {v9 Sep 2, v7, c1, c2},
# Oct 2-4 {v7, c1, c2}, Oct 5-7 {v7, c1, c2, c3}.
STICKY = ([(1, 0), (2, 2), (3, 1)],
          [(2, 3, 4), (1, 2, 3), (1, 2, 3), (1, 2, 3), (1, 3, 4), (0, 3, 4), (1, 3, 4)])
STICKY_AT_LEAST_2 = [(1, 0), (2, 1), (3, 0)]


def test_retention_from_customer_days(store: Store, tmp_path: Path) -> None:
    test_retention.ingest(store, tmp_path, test_retention.WEEKS)
    build_derived(store)
    assert Activity(store).daily is not None
    assert retention(store) == {"2023-12-31": [2, 1, 1, 1], "2024-01-07": [2, 0, 1, None]}
    assert retention(store, mode="first_time") == {"2023-12-31": [1, 1, 0, 1], "2024-01-07": [1, 0, 0, None]}
    # cumulative: Dec 31: p up to k2, q up to k3; Jan 7: q up to k2
    assert retention(store, cumulative=True) == {"2023-12-31": [2, 2, 2, 1], "2024-01-07": [2, 1, 1, None]}
    # at least 2 events in a week: only p's week Dec 31 (Jan 2, Jan 3), its own cohort week
    assert retention(store, min_returns=2) == {"2023-12-31": [2, 0, 0, 0], "2024-01-07": [2, 0, 0, None]}


def test_lifecycle_from_customer_days(store: Store, tmp_path: Path) -> None:
    test_lifecycle.load(store, tmp_path)
    build_derived(store)
    assert Activity(store).daily is not None
    assert test_lifecycle.rows(store, LifecycleQuery(range=test_lifecycle.RANGE)) == [
        (date(2024, 10, 6), 3, 1, 0, -1),
        (date(2024, 10, 13), 0, 3, 1, -1),
        (date(2024, 10, 20), 0, 1, 2, -3),
    ]


def test_stickiness_from_customer_days(store: Store, tmp_path: Path) -> None:
    ingest_file(store, write(tmp_path / "events.csv", test_stickiness.EVENTS), IngestOptions(), Vocabulary())
    build_derived(store)
    assert Activity(store).daily is not None
    assert stickiness(store) == STICKY
    assert stickiness(store, criterion=Criterion(compare="at_least", n=2))[0] == STICKY_AT_LEAST_2


def test_stale_customer_days_are_not_read(store: Store, tmp_path: Path) -> None:
    ingest_file(store, write(tmp_path / "events.csv", test_stickiness.EVENTS), IngestOptions(), Vocabulary())
    build_derived(store)
    # one more event after the build: customer_days no longer adds up to the events
    ingest_file(store, write(tmp_path / "more.csv", "timestamp,event,userId\n2024-10-06T10:00:00Z,page_viewed,c9\n"),
                IngestOptions(), Vocabulary())
    assert Activity(store).daily is None
    distribution, series = stickiness(store)
    assert distribution == [(1, 1), (2, 2), (3, 1)]  # c9: one day
    assert series[5] == (1, 4, 5)  # Oct 6: DAU {c9}; WAU {c1, c2, c3, c9}; MAU adds v7


def test_other_timezones_read_the_events(tmp_path: Path) -> None:
    with connect(f"duckdb:///{tmp_path / 'berlin.duckdb'}", timezone="Europe/Berlin") as store:
        ingest_file(store, write(tmp_path / "events.csv", test_stickiness.EVENTS), IngestOptions(), Vocabulary())
        build_derived(store)
        assert Activity(store).daily is None  # its days are UTC days, not Berlin's
