"""First-time buyers, the returning customer rate (catalog/purchase.yaml) and buyer retention and
churn (catalog/retention.yaml) on one small story, computed on every engine."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.metrics.engine import compute
from engagekit.store import Store
from tests.conftest import catalog_file, write

KPIS = ["first_time_buyers", "returning_customer_rate"]
RETENTION = ["buyer_retention_rate", "buyer_churn_rate"]
HEADER = "timestamp,event,userId"
ROWS = [
    "2024-08-01T12:00:00Z,order_completed,n6",  # n6's first order, in August
    "2024-09-15T12:00:00Z,order_completed,n1",  # n1's first order, in September
    "2024-09-20T12:00:00Z,checkout_started,n7",  # a checkout is not an order
    "2024-10-02T12:00:00Z,order_completed,n2",  # n2's first order ...
    "2024-10-20T12:00:00Z,order_completed,n2",  # ... and its second, in the same month
    "2024-10-03T12:00:00Z,order_completed,n7",  # n7's first order
    "2024-10-05T12:00:00Z,order_completed,n1",  # n1 again
    "2024-10-10T12:00:00Z,order_completed,n6",  # n6 again, after a month without orders
    "2024-10-31T23:59:59Z,order_completed,n3",  # n3's first order, the last second of October
    "2024-11-01T00:00:00Z,order_completed,n4",  # n4's first order, the first second of November
    "2024-10-12T12:00:00Z,signed_up,n5",  # n5 never orders
    "2024-10-12T12:01:00Z,page_viewed,n5",
]


@pytest.fixture
def story(store: Store, tmp_path: Path) -> Store:
    ingest_file(store, write(tmp_path / "buyers.csv", "\n".join([HEADER, *ROWS]) + "\n"), IngestOptions(),
                Vocabulary())
    return store


def test_october_first_timers_and_returners(story: Store) -> None:
    result = compute(story, catalog_file("purchase.yaml"), KPIS, date(2024, 10, 1), date(2024, 11, 1))
    # First order ever in October: n2 (twice, counted once), n7, n3 -> 3.
    assert result.value("first_time_buyers") == 3
    # October buyers n1, n2, n3, n6, n7 = 5; ordered before 1 October: n1, n6 -> 2 / 5.
    rate = result.for_metric("returning_customer_rate")[0]
    assert (rate.value, rate.numerator, rate.denominator) == (pytest.approx(0.4), 2, 5)


def test_each_month_counts_against_its_own_start(story: Store) -> None:
    result = compute(story, catalog_file("purchase.yaml"), KPIS, date(2024, 9, 1), date(2025, 1, 1), grain="month")
    firsts = {row.period: row.value for row in result.for_metric("first_time_buyers")}
    # September n1; October n2, n7, n3; November n4; December none (a count reads 0).
    assert firsts == {date(2024, 9, 1): 1, date(2024, 10, 1): 3, date(2024, 11, 1): 1, date(2024, 12, 1): 0}
    returning = {row.period: row.value for row in result.for_metric("returning_customer_rate")}
    # September: n1's first order -> 0 / 1; October 2 / 5; November: n4's first -> 0 / 1;
    # December: no buyers, no value.
    assert returning[date(2024, 9, 1)] == 0.0
    assert returning[date(2024, 10, 1)] == pytest.approx(0.4)
    assert returning[date(2024, 11, 1)] == 0.0
    assert returning.get(date(2024, 12, 1)) is None


def test_a_two_month_range_counts_before_its_first_day(story: Store) -> None:
    result = compute(story, catalog_file("purchase.yaml"), KPIS, date(2024, 9, 1), date(2024, 11, 1))
    # First orders from 1 September to 31 October: n1, n2, n7, n3 -> 4 (n6's was in August).
    assert result.value("first_time_buyers") == 4
    # Buyers n1, n2, n3, n6, n7; only n6 ordered before 1 September -> 1 / 5.
    assert result.value("returning_customer_rate") == pytest.approx(0.2)


PLANS = """\
customer_id,created_at,plan
n1,2024-09-01,gold
n2,2024-09-01,gold
n3,2024-09-01,basic
n6,2024-07-01,silver
n7,2024-09-01,basic
"""


def test_by_segment_every_buying_segment_has_a_count(story: Store, tmp_path: Path) -> None:
    ingest_file(story, write(tmp_path / "plans.csv", PLANS), IngestOptions(kind="customers"), Vocabulary())
    result = compute(story, catalog_file("purchase.yaml"), KPIS, date(2024, 10, 1), date(2024, 11, 1), by=("plan",))
    firsts = {dict(row.segment).get("plan"): row.value for row in result.for_metric("first_time_buyers")}
    # October first-timers n2 (gold), n3 and n7 (basic); silver bought (n6) but only again -> 0.
    assert firsts == {"gold": 1, "basic": 2, "silver": 0, None: 3}
    returning = {dict(row.segment).get("plan"): row.value for row in result.for_metric("returning_customer_rate")}
    # gold: n1 returning, n2 not -> 1/2; basic: n3, n7 first-timers -> 0/2; silver: n6 -> 1/1.
    assert returning == {"gold": pytest.approx(0.5), "basic": 0.0, "silver": 1.0, None: pytest.approx(0.4)}


def test_buyer_retention_reads_each_period_against_the_one_before(story: Store) -> None:
    result = compute(story, catalog_file("retention.yaml"), RETENTION, date(2024, 9, 1), date(2025, 1, 1), grain="month")
    retained = {row.period: (row.numerator, row.denominator) for row in result.for_metric("buyer_retention_rate")}
    # September: August's buyer n6 does not order in September -> 0 / 1; October: September's n1
    # orders again -> 1 / 1; November: none of October's n1, n2, n3, n6, n7 orders -> 0 / 5;
    # December: November's n4 does not -> 0 / 1.
    assert retained == {date(2024, 9, 1): (0, 1), date(2024, 10, 1): (1, 1), date(2024, 11, 1): (0, 5),
                        date(2024, 12, 1): (0, 1)}
    churned = {row.period: row.value for row in result.for_metric("buyer_churn_rate")}
    assert churned == {date(2024, 9, 1): 1.0, date(2024, 10, 1): 0.0, date(2024, 11, 1): 1.0, date(2024, 12, 1): 1.0}


def test_buyer_retention_of_a_range_of_days_and_by_segment(story: Store, tmp_path: Path) -> None:
    ingest_file(story, write(tmp_path / "plans.csv", PLANS), IngestOptions(kind="customers"), Vocabulary())
    # 15 October .. 14 November (31 days) against the 31 days before, 14 September .. 14 October:
    # buyers then n1, n2, n7, n6; of them only n2 orders again (20 October) -> 1 / 4.
    result = compute(story, catalog_file("retention.yaml"), RETENTION, date(2024, 10, 15), date(2024, 11, 15),
                     by=("plan",))
    retained = {dict(row.segment).get("plan"): row.value for row in result.for_metric("buyer_retention_rate")}
    # gold n1, n2 -> 1 / 2; basic n7 -> 0 / 1; silver n6 -> 0 / 1.
    assert retained == {None: pytest.approx(0.25), "gold": pytest.approx(0.5), "basic": 0.0, "silver": 0.0}
    churned = {dict(row.segment).get("plan"): row.value for row in result.for_metric("buyer_churn_rate")}
    assert churned == {None: pytest.approx(0.75), "gold": pytest.approx(0.5), "basic": 1.0, "silver": 1.0}
    # Nobody ordered in the 31 days before 1 August: no value.
    assert compute(story, catalog_file("retention.yaml"), RETENTION, date(2024, 8, 1), date(2024, 9, 1)).value(
        "buyer_retention_rate") is None
