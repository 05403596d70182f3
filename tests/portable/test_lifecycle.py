"""Lifecycle statuses on every engine, from one story of weekly activity worked by hand."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from engagekit.analyses.lifecycle import LifecycleQuery, run_lifecycle
from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.people.ranges import DateRange
from engagekit.store import Store, connect
from tests.conftest import write

CUSTOMERS = """\
customer_id,created_at
c1,2024-09-01T00:00:00Z
c2,2024-10-08T00:00:00Z
c3,2024-10-15T00:00:00Z
c4,2024-09-01T00:00:00Z
"""
# c1 and c4 were created long before the range; c2 inside week W1; c3 in W2, but its anonymous
# id a3 was active on Oct 7 (W1), and created is the earlier of created_at and the first event.

EVENTS = """\
timestamp,event,userId,anonymousId
2024-09-30T10:00:00Z,page_viewed,c1,
2024-09-30T11:00:00Z,page_viewed,,v1
2024-10-07T10:00:00Z,logged_in,c1,
2024-10-07T12:00:00Z,page_viewed,,a3
2024-10-09T09:00:00Z,email_opened,c2,
2024-10-12T23:00:00Z,page_viewed,,v2
2024-10-13T01:00:00Z,page_viewed,,v2
2024-10-14T10:00:00Z,logged_in,c1,
2024-10-15T08:00:00Z,signed_up,c3,a3
2024-10-16T09:00:00Z,feature_used,c4,
2024-10-21T09:00:00Z,page_viewed,,v1
2024-10-24T09:00:00Z,order_completed,c2,
2024-10-26T09:00:00Z,feature_used,c4,
"""
# Sunday weeks: W0 = Sep 29 - Oct 5 (before the range, read only), W1 = Oct 6, W2 = Oct 13,
# W3 = Oct 20 (range Oct 6 .. Oct 26). Active people per week (any event is activity):
#   W0 {c1, v1}; W1 {c1, c3 (as a3), c2, v2 (Sat 12th)}; W2 {c1, c3 (a3 linked by the sign-up),
#   v2 (Sun 13th), c4}; W3 {v1, c2, c4}
# W1: c1 returning (active in W0: the week before the range is read); c3 new (created = a3's
#     Oct 7 event, earlier than created_at Oct 15); c2 new (created Oct 8); v2 new (first event);
#     v1 dormant (W0, not W1) -> new 3, returning 1, resurrecting 0, dormant -1
# W2: c1, c3, v2 returning; c4 resurrecting (first event now, but created_at Sep 1 is earlier:
#     by first event alone it would be new); c2 dormant -> 0, 3, 1, -1
# W3: c4 returning; v1 resurrecting (created Sep 30); c2 resurrecting; c1, c3, v2 dormant
#     -> 0, 1, 2, -3
# Monday weeks (Sep 30, Oct 7, Oct 14, Oct 21; the week before, Sep 23, is empty):
#   M Sep 30 {c1, v1}: c1 resurrecting (created Sep 1), v1 new -> 1, 0, 1, 0
#   M Oct 7 {c1, c3, c2, v2 (Sat 12 and Sun 13 are one Monday week)}: c1 returning, others new;
#     v1 dormant -> 3, 1, 0, -1
#   M Oct 14 {c1, c3, c4}: c1, c3 returning, c4 resurrecting; c2, v2 dormant -> 0, 2, 1, -2
#   M Oct 21 {v1, c2, c4}: c4 returning, v1 and c2 resurrecting; c1, c3 dormant -> 0, 1, 2, -2
RANGE = DateRange(start=date(2024, 10, 6), end=date(2024, 10, 27))


def load(store: Store, tmp_path: Path) -> None:
    vocabulary = Vocabulary()
    ingest_file(store, write(tmp_path / "customers.csv", CUSTOMERS), IngestOptions(kind="customers"), vocabulary)
    ingest_file(store, write(tmp_path / "events.csv", EVENTS), IngestOptions(), vocabulary)


def rows(store: Store, query: LifecycleQuery) -> list[tuple]:
    result = run_lifecycle(store, query)
    return [(p.period, p.new, p.returning, p.resurrecting, p.dormant) for p in result.periods]


def test_lifecycle_statuses_and_week_start(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path)
    assert rows(store, LifecycleQuery(range=RANGE)) == [
        (date(2024, 10, 6), 3, 1, 0, -1),
        (date(2024, 10, 13), 0, 3, 1, -1),
        (date(2024, 10, 20), 0, 1, 2, -3),
    ]
    assert rows(store, LifecycleQuery(range=RANGE, week_start="monday")) == [
        (date(2024, 9, 30), 1, 0, 1, 0),
        (date(2024, 10, 7), 3, 1, 0, -1),
        (date(2024, 10, 14), 0, 2, 1, -2),
        (date(2024, 10, 21), 0, 1, 2, -2),
    ]


def test_activity_filter_and_months(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path)
    # page views only, by month: September {c1, v1}, October {v1, a3, v2}; c1 (logged_in) and c2,
    # c4 (no page view) are inactive. a3's person c3 was created Oct 7 (first event) -> new.
    # October: v1 returning, c3 and v2 new; c1 dormant.
    result = run_lifecycle(store, LifecycleQuery(
        range=DateRange(start=date(2024, 10, 1), end=date(2024, 11, 1)), period="month",
        activity={"event": "page_viewed"}))
    assert result.to_dict()["periods"] == [
        {"period": "2024-10-01", "new": 2, "returning": 1, "resurrecting": 0, "dormant": -1, "active": 3}]
    assert list(result.to_frame().columns) == ["period", "new", "returning", "resurrecting", "dormant"]


def test_cli_lifecycle_json_and_table(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path / 'cli.duckdb'}"
    with connect(url) as store:
        load(store, tmp_path)
    base = [sys.executable, "-m", "engagekit", "--store", url, "lifecycle", "--from", "2024-10-06", "--to", "2024-10-26"]
    done = subprocess.run([*base, "--json"], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    assert [p["dormant"] for p in json.loads(done.stdout)["periods"]] == [-1, -1, -3]
    shown = subprocess.run(base, capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert shown.returncode == 0, shown.stderr
    assert "resurrecting" in shown.stdout and "█" in shown.stdout
