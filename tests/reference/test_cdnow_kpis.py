"""The purchase KPIs on real data: the CDNOW master log (Fader, Hardie & Lee 2005), every quarter
from January 1997 to June 1998, against the same numbers counted from the raw file in Python.

The published fact the data set is known for holds too: all 23,570 customers made their first
purchase in the first quarter of 1997, so every later buyer is a returning one."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

import pytest

from engagekit.datasets import cdnow_options, cdnow_path
from engagekit.ingest import Vocabulary, ingest_file
from engagekit.metrics.catalog import load_catalog
from engagekit.metrics.engine import compute
from engagekit.store import Store

KPIS = ["orders", "revenue", "average_order_value", "purchase_frequency", "repeat_purchase_rate",
        "first_time_buyers", "returning_customer_rate"]
START, END = date(1997, 1, 1), date(1998, 7, 1)
QUARTERS = [date(1997, 1, 1), date(1997, 4, 1), date(1997, 7, 1), date(1997, 10, 1), date(1998, 1, 1), date(1998, 4, 1)]


def quarter_of(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def counted_from_the_file() -> dict[date, dict[str, float]]:
    """Per quarter, each KPI counted line by line from CDNOW_master.txt (customer, YYYYMMDD,
    CDs, dollars): every line is an order."""
    orders: dict[date, list[tuple[str, float]]] = defaultdict(list)
    first_order: dict[str, date] = {}
    for line in cdnow_path("master").read_text().splitlines()[1:]:
        customer, day_text, _, dollars = line.split()
        day = date(int(day_text[:4]), int(day_text[4:6]), int(day_text[6:]))
        orders[quarter_of(day)].append((customer, float(dollars)))
        first_order[customer] = min(day, first_order.get(customer, day))
    expected = {}
    for quarter in QUARTERS:
        per_buyer = Counter(customer for customer, _ in orders[quarter])
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
        }
    return expected


def test_purchase_kpis_of_every_quarter_match_the_raw_file(duckdb_store: Store) -> None:
    ingest_file(duckdb_store, cdnow_path("master"), cdnow_options(), Vocabulary())
    result = compute(duckdb_store, load_catalog(), KPIS, START, END, grain="quarter")
    expected = counted_from_the_file()
    for name in KPIS:
        got = {row.period: row.value for row in result.for_metric(name)}
        assert got == {quarter: pytest.approx(values[name], rel=1e-9) for quarter, values in expected.items()}, name
    assert expected[QUARTERS[0]]["first_time_buyers"] == 23_570  # every customer's first purchase: Q1 1997
    assert all(expected[quarter]["returning_customer_rate"] == 1.0 for quarter in QUARTERS[1:])
