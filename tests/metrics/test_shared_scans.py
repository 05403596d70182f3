"""KPIs computed together share scans and queries (one aggregate per group of measures, one
pairing query per start event); each must read the same as when computed alone."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.metrics.catalog import load_catalog
from engagekit.metrics.engine import compute
from engagekit.store import Store
from tests.conftest import write
from tests.portable.test_kpis_escalation import (
    HEADER,
    KPIS,
    OCTOBER,
    ROWS,
    stage_catalog,
)

PAIRING = ["escalation_rate", "first_response_time", "resolution_time", "resolution_time_median"]  # ticket_opened


@pytest.fixture
def story(store: Store, tmp_path: Path) -> Store:
    ingest_file(store, write(tmp_path / "escalation.csv", "\n".join([HEADER, *ROWS]) + "\n"), IngestOptions(),
                Vocabulary())
    return store


def rows_of(result) -> list[tuple]:
    return [(row.metric, row.period, row.segment, row.value, row.numerator, row.denominator) for row in result.rows]


def together_and_alone(story: Store, names: list[str], grain: str | None) -> tuple[list, list]:
    catalog = stage_catalog()  # weeks start on Monday here (the story's weeks below)
    together = rows_of(compute(story, catalog, names, *OCTOBER, grain=grain, week_start="monday"))
    alone = [row for name in names
             for row in rows_of(compute(story, catalog, [name], *OCTOBER, grain=grain, week_start="monday"))]
    return sorted(together, key=repr), sorted(alone, key=repr)


def test_kpis_together_read_as_alone(story: Store) -> None:
    together, alone = together_and_alone(story, KPIS, None)
    assert together == alone


def test_pairing_kpis_share_one_query_per_start_event(story: Store) -> None:
    together, alone = together_and_alone(story, PAIRING, "week")
    assert together == alone
    week = {metric: value for metric, period, _, value, *_ in together if period == date(2024, 9, 30)}
    # the ticket pairing KPIs of the week of T1 (30 Sep - 6 Oct: T1, T2): first response
    # mean(2, 4) = 3 h, resolution mean(24, 6) = 15 h, one of two escalated
    assert week["first_response_time"] == pytest.approx(3.0)
    assert week["resolution_time"] == pytest.approx(15.0)
    assert week["escalation_rate"] == pytest.approx(1 / 2)


def test_repeated_compute_reads_new_rows(story: Store, tmp_path: Path) -> None:
    """A compiled query is reused, never its result: rows ingested after a first computation count."""
    catalog = stage_catalog()
    assert compute(story, catalog, ["support_tickets"], *OCTOBER).value("support_tickets") == 5
    more = write(tmp_path / "more.csv", f"{HEADER}\n2024-10-21T12:00:00Z,ticket_opened,c2,T8,,,,,,,\n")
    ingest_file(story, more, IngestOptions(), Vocabulary())
    assert compute(story, catalog, ["support_tickets"], *OCTOBER).value("support_tickets") == 6  # T1..T5, T8


ORDERS = """\
timestamp,event,userId,revenue
2024-10-01T10:00:00Z,product_viewed,u1,
2024-10-01T10:05:00Z,order_completed,u1,30
2024-10-03T09:00:00Z,order_completed,u2,20
"""


def test_a_series_has_every_period_alone_or_together(store: Store, tmp_path: Path) -> None:
    """Day 2 has no order: orders read 0 there (not a missing point), whether computed alone or
    beside a KPI with rows that day; a ratio with nothing to divide reads no value."""
    ingest_file(store, write(tmp_path / "orders.csv", ORDERS), IngestOptions(), Vocabulary())
    catalog = load_catalog()
    days = (date(2024, 10, 1), date(2024, 10, 4))
    alone = {row.period: row.value for row in compute(store, catalog, ["orders"], *days, grain="day").rows}
    assert alone == {date(2024, 10, 1): 1, date(2024, 10, 2): 0, date(2024, 10, 3): 1}
    together = compute(store, catalog, ["orders", "revenue", "average_order_value"], *days, grain="day")
    by_day = {(row.metric, row.period): row.value for row in together.rows}
    assert by_day[("orders", date(2024, 10, 2))] == 0 and by_day[("revenue", date(2024, 10, 2))] == 0
    assert by_day[("average_order_value", date(2024, 10, 2))] is None  # revenue 0 / orders 0
    assert by_day[("average_order_value", date(2024, 10, 3))] == 20


def test_a_reused_plan_follows_the_first_day_of_the_week(duckdb_store: Store, tmp_path: Path) -> None:
    # One order on Sunday 2024-10-06: its week starts that day with Sunday weeks, on Monday
    # 2024-09-30 with Monday weeks. The same KPI asked with each must not share a compiled plan.
    ingest_file(duckdb_store, write(tmp_path / "o.csv", "timestamp,event,userId,revenue\n"
                                    "2024-10-06T12:00:00Z,order_completed,u1,10\n"), IngestOptions(), Vocabulary())
    catalog = load_catalog()
    weeks = {start: [row.period for row in compute(duckdb_store, catalog, ["orders"], date(2024, 9, 29),
                                                   date(2024, 10, 13), grain="week", week_start=start).rows
                     if row.value]
             for start in ("sunday", "monday")}
    assert weeks == {"sunday": [date(2024, 10, 6)], "monday": [date(2024, 9, 30)]}
