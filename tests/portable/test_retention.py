"""Retention cohorts on every engine, from small stories with hand-worked matrices."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from engagekit.analyses.retention import RetentionQuery, RetentionResult, run_retention
from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.people.query import EventFilter
from engagekit.people.ranges import DateRange
from engagekit.store import Store
from tests.conftest import write

HEADER = "timestamp,event,userId,anonymousId,channel\n"


def ingest(store: Store, tmp_path: Path, rows: str, kind: str = "events") -> None:
    text = rows if kind == "customers" else HEADER + rows
    ingest_file(store, write(tmp_path / f"{kind}.csv", text), IngestOptions(kind=kind), Vocabulary())


def matrix(result: RetentionResult) -> dict[str, list[int | None]]:
    return {row.cohort: row.counts for row in result.rows}


# Sunday weeks: Dec 24, Dec 31 (2023), Jan 7, Jan 14, Jan 21, Jan 28 (2024).
WEEKS = """\
2023-12-26T10:00:00Z,core_action,p,,web
2024-01-02T10:00:00Z,core_action,p,,web
2024-01-03T10:00:00Z,page_viewed,p,,web
2024-01-17T10:00:00Z,page_viewed,p,,web
2024-01-01T10:00:00Z,core_action,q,,web
2024-01-08T10:00:00Z,core_action,q,,web
2024-01-25T10:00:00Z,page_viewed,q,,web
2024-01-12T10:00:00Z,core_action,r,,web
2024-01-27T23:00:00Z,page_viewed,s,,web
"""
# p: start in weeks Dec 24 (before the range) and Dec 31; the page view of Jan 3 is in the cohort
#    week itself (not a return); Jan 17 is week Jan 14 = k 2 of cohort Dec 31.
# q: start in weeks Dec 31 and Jan 7; returns in Jan 7 (k 1 of Dec 31) and Jan 21 (k 3 of Dec 31,
#    k 2 of Jan 7). r: start in week Jan 7, never back. s: no start; its event makes Sat Jan 27
#    the last event day, so week Jan 28 (k 3 of cohort Jan 7) is not observed -> None.
# Range Jan 1 .. Jan 14 = cohort weeks Dec 31 and Jan 7 (the week containing Jan 1 counts whole).
# recurring: Dec 31 = {p, q}: k1 q, k2 p, k3 q -> [2, 1, 1, 1]; Jan 7 = {q, r}: k2 q -> [2, 0, 1, None]
# first_time: p's first start is Dec 26 (before the range): no cohort. Dec 31 = {q} -> [1, 1, 0, 1];
#    Jan 7 = {r} -> [1, 0, 0, None].
# cumulative recurring: Dec 31: p up to k2, q up to k3 -> [2, 2, 2, 1]; Jan 7: q up to k2 -> [2, 1, 1, None]
WEEKS_QUERY = dict(start_event=EventFilter(event="core_action"), period="week", periods=3,
                   range=DateRange(start=date(2024, 1, 1), end=date(2024, 1, 14)))


def test_recurring_first_time_and_cumulative(store: Store, tmp_path: Path) -> None:
    ingest(store, tmp_path, WEEKS)
    recurring = run_retention(store, RetentionQuery(**WEEKS_QUERY))
    assert matrix(recurring) == {"2023-12-31": [2, 1, 1, 1], "2024-01-07": [2, 0, 1, None]}
    assert recurring.rows[0].percentages == [100.0, 50.0, 50.0, 50.0]
    assert recurring.rows[1].percentages == [100.0, 0.0, 50.0, None]
    # average: k1 (1 + 0) / 4, k2 (1 + 1) / 4, k3 only the observed cohort: 1 / 2
    assert recurring.average == [100.0, 25.0, 50.0, 50.0]
    assert recurring.last_event_day == date(2024, 1, 27)
    first_time = run_retention(store, RetentionQuery(**WEEKS_QUERY, mode="first_time"))
    assert matrix(first_time) == {"2023-12-31": [1, 1, 0, 1], "2024-01-07": [1, 0, 0, None]}
    cumulative = run_retention(store, RetentionQuery(**WEEKS_QUERY, cumulative=True))
    assert matrix(cumulative) == {"2023-12-31": [2, 2, 2, 1], "2024-01-07": [2, 1, 1, None]}


MONTHS = """\
2024-01-05T10:00:00Z,product_viewed,,a1,web
2024-01-20T10:00:00Z,logged_in,u1,a1,web
2024-02-03T10:00:00Z,page_viewed,u1,,web
2024-02-20T10:00:00Z,page_viewed,u1,,web
2024-03-10T10:00:00Z,page_viewed,u1,,web
2024-04-01T00:00:00Z,page_viewed,u1,,web
2024-04-30T23:59:59Z,page_viewed,u1,,web
2024-01-31T23:59:59Z,product_viewed,u2,,web
2024-02-01T00:00:00Z,page_viewed,u2,,web
"""
# a1 views a product anonymously, then logs in as u1: one person (identity merge) whose start is
# in January. u1's page views: Feb x2 (k1), Mar x1 (k2), Apr x2 (k3). u2 starts in the last
# second of January and views one page in the first second of February (k1).
# min_returns 1: January = [2, 2, 1, 1]; min_returns 2: Feb has 2 for u1 only, Mar is below,
# Apr has 2 -> [2, 1, 0, 1]. (Without the merge u1 would have no start and a1 no return.)


def test_months_min_returns_and_identity(store: Store, tmp_path: Path) -> None:
    ingest(store, tmp_path, MONTHS)
    query = dict(start_event=EventFilter(event="product_viewed"), return_event=EventFilter(event="page_viewed"),
                 period="month", periods=3)
    assert matrix(run_retention(store, RetentionQuery(**query))) == {"2024-01": [2, 2, 1, 1]}
    assert matrix(run_retention(store, RetentionQuery(**query, min_returns=2))) == {"2024-01": [2, 1, 0, 1]}


WEEK_START = """\
2024-01-06T12:00:00Z,signed_up,w,,web
2024-01-07T12:00:00Z,page_viewed,w,,web
2024-01-08T12:00:00Z,page_viewed,x,,web
"""
# w signs up on Saturday Jan 6 and comes back on Sunday Jan 7; x only sets the last day (Mon Jan 8).
# Sunday weeks: cohort Dec 31, Jan 7 is week Jan 7 = k1 -> [1, 1, None] (week Jan 14 not observed).
# Monday weeks: cohort Jan 1, the Sunday is in the same week (no return); week Jan 8 starts on the
# last event day, so it is observed -> [1, 0, None].


def test_week_start(store: Store, tmp_path: Path) -> None:
    ingest(store, tmp_path, WEEK_START)
    query = dict(start_event=EventFilter(event="signed_up"), period="week", periods=2)
    assert matrix(run_retention(store, RetentionQuery(**query))) == {"2023-12-31": [1, 1, None]}
    monday = run_retention(store, RetentionQuery(**query, week_start="monday"))
    assert matrix(monday) == {"2024-01-01": [1, 0, None]}


CUSTOMERS = """\
customer_id,created_at,campaign
c1,2024-01-10,spring
c2,2024-02-15,spring
c3,2024-01-20,
c4,2023-12-20,fall
"""
TRAIT_EVENTS = """\
2024-01-10T10:00:00Z,signed_up,c1,,web
2024-02-10T10:00:00Z,page_viewed,c1,,web
2024-02-15T10:00:00Z,signed_up,c2,,web
2024-02-20T10:00:00Z,page_viewed,c2,,web
2024-03-01T10:00:00Z,page_viewed,c2,,web
2024-01-20T10:00:00Z,signed_up,c3,,web
2024-03-05T10:00:00Z,page_viewed,c3,,web
2023-12-20T10:00:00Z,signed_up,c4,,web
2024-01-05T10:00:00Z,signed_up,c4,,web
2024-01-10T10:00:00Z,page_viewed,c4,,web
"""
# Month periods, range Jan .. Feb, last event Mar 5. Each person is anchored at the month of
# their first sign-up: c1 Jan, c2 Feb, c3 Jan; c4 first signed up in December: in no cohort.
# spring = {c1, c2}: k1 c1 (Feb) and c2 (Mar; Feb 20 is its own month) -> 2 of 2; k2 is observed
#   for c1 only (c2's k2 is April) -> eligible 1, count 0.
# (none) = {c3}: k1 0, k2 1 (Mar). Average: k1 2 / 3, k2 1 / 2.


def test_trait_cohorts(store: Store, tmp_path: Path) -> None:
    ingest(store, tmp_path, CUSTOMERS, kind="customers")
    ingest(store, tmp_path, TRAIT_EVENTS)
    result = run_retention(store, RetentionQuery(
        start_event=EventFilter(event="signed_up"), period="month", periods=2, cohort_by="campaign",
        range=DateRange(start=date(2024, 1, 1), end=date(2024, 3, 1))))
    assert [(r.cohort, r.size, r.eligible, r.counts) for r in result.rows] == [
        ("spring", 2, [2, 2, 1], [2, 2, 0]), ("(none)", 1, [1, 1, 1], [1, 0, 1])]
    assert result.rows[0].start is None
    assert result.average == pytest.approx([100.0, 200 / 3, 50.0])
