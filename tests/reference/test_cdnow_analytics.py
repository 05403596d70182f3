"""The purchase KPIs and retention cohorts on real data: the CDNOW master log (Fader, Hardie & Lee
2005), against the same numbers counted from the raw file in Python.

The published fact the data set is known for holds too: all 23,570 customers made their first
purchase in the first quarter of 1997, so every later buyer is a returning one and the monthly
first-purchase cohorts of January to March 1997 hold every customer."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

import pytest

from engagekit.analyses.retention import RetentionQuery, run_retention
from engagekit.datasets import cdnow_options, cdnow_path
from engagekit.ingest import Vocabulary, ingest_file
from engagekit.metrics.catalog import load_catalog
from engagekit.metrics.engine import compute
from engagekit.people.query import EventFilter
from engagekit.people.ranges import DateRange
from engagekit.store import Store

KPIS = ["orders", "revenue", "average_order_value", "purchase_frequency", "repeat_purchase_rate",
        "first_time_buyers", "returning_customer_rate", "buyer_retention_rate", "buyer_churn_rate"]
START, END = date(1997, 1, 1), date(1998, 7, 1)
QUARTERS = [date(1997, 1, 1), date(1997, 4, 1), date(1997, 7, 1), date(1997, 10, 1), date(1998, 1, 1), date(1998, 4, 1)]


def raw_orders() -> list[tuple[str, date, float]]:
    """(customer, day, dollars) of every line of CDNOW_master.txt (customer, YYYYMMDD, CDs, dollars)."""
    rows = []
    for line in cdnow_path("master").read_text().splitlines()[1:]:
        customer, day_text, _, dollars = line.split()
        rows.append((customer, date(int(day_text[:4]), int(day_text[4:6]), int(day_text[6:])), float(dollars)))
    return rows


def quarter_of(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def counted_from_the_file() -> dict[date, dict[str, float]]:
    """Per quarter, each KPI counted line by line from CDNOW_master.txt (customer, YYYYMMDD,
    CDs, dollars): every line is an order."""
    orders: dict[date, list[tuple[str, float]]] = defaultdict(list)
    first_order: dict[str, date] = {}
    for customer, day, dollars in raw_orders():
        orders[quarter_of(day)].append((customer, dollars))
        first_order[customer] = min(day, first_order.get(customer, day))
    expected = {}
    for index, quarter in enumerate(QUARTERS):
        per_buyer = Counter(customer for customer, _ in orders[quarter])
        before = {customer for customer, _ in orders[QUARTERS[index - 1]]} if index else set()
        revenue = sum(dollars for _, dollars in orders[quarter])
        count = len(orders[quarter])
        expected[quarter] = {
            "orders": count,
            "revenue": revenue,
            "average_order_value": revenue / count,
            "purchase_frequency": count / len(per_buyer),
            "repeat_purchase_rate": sum(1 for n in per_buyer.values() if n >= 2) / len(per_buyer),
            "first_time_buyers": sum(1 for day in first_order.values() if quarter_of(day) == quarter),
            "returning_customer_rate": sum(1 for c in per_buyer if first_order[c] < quarter) / len(per_buyer),
            # of the quarter before's buyers, the share who bought again (none before 1997: no value)
            "buyer_retention_rate": len(before & per_buyer.keys()) / len(before) if before else None,
            "buyer_churn_rate": len(before - per_buyer.keys()) / len(before) if before else None,
        }
    return expected


def test_purchase_kpis_of_every_quarter_match_the_raw_file(duckdb_store: Store) -> None:
    ingest_file(duckdb_store, cdnow_path("master"), cdnow_options(), Vocabulary())
    result = compute(duckdb_store, load_catalog(), KPIS, START, END, grain="quarter")
    expected = counted_from_the_file()
    for name in KPIS:
        got = {row.period: row.value for row in result.for_metric(name)}
        assert got == {quarter: None if values[name] is None else pytest.approx(values[name], rel=1e-9)
                       for quarter, values in expected.items()}, name
    assert expected[QUARTERS[0]]["first_time_buyers"] == 23_570  # every customer's first purchase: Q1 1997
    assert all(expected[quarter]["returning_customer_rate"] == 1.0 for quarter in QUARTERS[1:])


def test_first_purchase_cohorts_of_1997_hold_every_customer(duckdb_store: Store) -> None:
    ingest_file(duckdb_store, cdnow_path("master"), cdnow_options(), Vocabulary())
    query = RetentionQuery(start_event=EventFilter(event="order_completed"), period="month", periods=6,
                           mode="first_time", range=DateRange(start=date(1997, 1, 1), end=date(1997, 3, 31)))
    got = {row.cohort: row.counts for row in run_retention(duckdb_store, query).rows}
    # From the file: each customer's cohort is the month of their first order; period k counts the
    # cohort's customers who ordered in the k-th month after it (k = 0 is the cohort itself).
    months: dict[str, set[int]] = defaultdict(set)
    for customer, day, _ in raw_orders():
        months[customer].add((day.year - 1997) * 12 + day.month - 1)
    expected = {}
    for cohort in range(3):
        members = [seen for seen in months.values() if min(seen) == cohort]
        expected[f"1997-{cohort + 1:02d}"] = [sum(1 for seen in members if cohort + k in seen) for k in range(7)]
    assert got == expected
    assert sum(counts[0] for counts in got.values()) == 23_570
