"""Analyses and KPIs read days, weeks and months in the project timezone; the store keeps UTC."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from engagekit.analyses.funnel import FunnelQuery, run_funnel
from engagekit.analyses.lifecycle import LifecycleQuery, run_lifecycle
from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.metrics.catalog import load_catalog
from engagekit.metrics.engine import compute
from engagekit.people.query import EventFilter
from engagekit.people.ranges import DateRange
from engagekit.store import connect
from tests.conftest import store_url, write

ORDERS = """\
timestamp,event,userId,revenue
2024-03-31T21:00:00Z,order_completed,a,10
2024-03-31T23:30:00Z,order_completed,b,20
"""
# Berlin switched to summer time (UTC+2) at 01:00 UTC on 31 March 2024:
# 21:00 UTC is 23:00 on 31 March in Berlin; 23:30 UTC is 01:30 on 1 April in Berlin.


def test_months_are_read_in_the_project_timezone(engine: str, tmp_path: Path) -> None:
    with connect(store_url(engine, tmp_path), timezone="Europe/Berlin") as store:
        ingest_file(store, write(tmp_path / "orders.csv", ORDERS), IngestOptions(), Vocabulary())
        assert store.table("events").ts.max().to_pyarrow().as_py() == datetime(2024, 3, 31, 23, 30)  # stored in UTC
        by_month = compute(store, load_catalog(), ["orders", "revenue"], date(2024, 3, 1), date(2024, 5, 1), grain="month")
        assert [(r.metric, r.period, r.value) for r in by_month.rows] == [
            ("orders", date(2024, 3, 1), 1), ("orders", date(2024, 4, 1), 1),
            ("revenue", date(2024, 3, 1), 10), ("revenue", date(2024, 4, 1), 20)]
        april = DateRange(start=date(2024, 4, 1), end=date(2024, 5, 1))
        funnel = run_funnel(store, FunnelQuery(steps=[EventFilter(event="order_completed")] * 2, range=april))
        assert funnel.steps[0].count == 1  # only b's order is in April, Berlin time


def test_lifecycle_reads_created_at_in_the_project_timezone(engine: str, tmp_path: Path) -> None:
    # c was created at 23:30 UTC on 31 March = 01:30 on 1 April in Berlin, and was active on
    # 5 April: created and active in April (Berlin), so new in April, not resurrecting (as it
    # would be if created_at were read as a March time).
    with connect(store_url(engine, tmp_path), timezone="Europe/Berlin") as store:
        vocabulary = Vocabulary()
        ingest_file(store, write(tmp_path / "customers.csv", "customer_id,created_at\nc,2024-03-31T23:30:00Z\n"),
                    IngestOptions(kind="customers"), vocabulary)
        ingest_file(store, write(tmp_path / "events.csv", "timestamp,event,userId\n2024-04-05T10:00:00Z,logged_in,c\n"),
                    IngestOptions(), vocabulary)
        april = DateRange(start=date(2024, 4, 1), end=date(2024, 5, 1))
        (month,) = run_lifecycle(store, LifecycleQuery(range=april, period="month")).periods
        assert (month.period, month.new, month.returning, month.resurrecting, month.dormant) == (date(2024, 4, 1), 1, 0, 0, 0)
