"""The seeds' worked examples, computed by the KPI engine on every engine."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from engagekit.derive import build_derived
from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.metrics.catalog import load_catalog
from engagekit.metrics.engine import compute
from engagekit.store import Store
from tests.conftest import write

OCTOBER = (date(2024, 10, 1), date(2024, 11, 1))
NPS_SCORES = [10, 9, 9, 8, 7, 6, 3, 10, 10, 0]  # 5 promoters, 2 passives, 3 detractors


def story() -> str:
    """100 visitors in October, 30 of whom add to cart in that visit, 25 start checkout and 20
    order in the same visit (10 + i dollars); 10 NPS answers; one visit with an order in September."""
    rows = ["timestamp,event,userId,revenue,survey,score,scale,channel"]
    rows += [f"2024-10-{1 + i % 28:02d}T10:00:00Z,page_viewed,v{i},,,,,web" for i in range(100)]
    rows += [f"2024-10-{1 + i % 28:02d}T10:05:00Z,product_added,v{i},,,,,web" for i in range(30)]
    rows += [f"2024-10-{1 + i % 28:02d}T10:10:00Z,checkout_started,v{i},,,,,web" for i in range(25)]
    rows += [f"2024-10-{1 + i % 28:02d}T10:20:00Z,order_completed,v{i},{10 + i},,,,web" for i in range(20)]
    rows += [f"2024-10-05T12:00:00Z,survey_responded,v{i},,nps,{s},0-10,survey" for i, s in enumerate(NPS_SCORES)]
    rows += ["2024-09-10T10:00:00Z,page_viewed,v0,,,,,web", "2024-09-10T10:30:00Z,order_completed,v0,50,,,,web"]
    return "\n".join(rows) + "\n"


@pytest.fixture
def seeded(store: Store, tmp_path: Path) -> Store:
    ingest_file(store, write(tmp_path / "story.csv", story()), IngestOptions(), Vocabulary())
    build_derived(store)
    return store


def test_conversion_orders_revenue_and_nps(seeded: Store) -> None:
    result = compute(seeded, load_catalog(), ["conversion_rate", "orders", "revenue", "average_order_value", "nps",
                                              "cart_abandonment_rate", "checkout_completion_rate", "purchase_frequency"], *OCTOBER,
                     compare="previous_period")
    assert result.value("conversion_rate") == pytest.approx(0.20)  # seed: 20 of 100 visitors convert -> 20%
    assert result.value("orders") == 20
    assert result.value("revenue") == pytest.approx(sum(10 + i for i in range(20)))  # 390
    assert result.value("average_order_value") == pytest.approx(390 / 20)
    assert result.value("nps") == pytest.approx((5 - 3) / 10 * 100)  # 50% promoters - 30% detractors = 20
    assert result.value("cart_abandonment_rate") == pytest.approx(1 - 20 / 30)  # 30 visits with a cart, 20 ordered
    assert result.value("checkout_completion_rate") == pytest.approx(20 / 25)  # 25 visits checked out, 20 ordered
    assert result.value("purchase_frequency") == pytest.approx(1.0)
    orders = result.for_metric("orders")[0]
    assert (orders.previous, orders.change) == (1.0, 19.0)  # September: one order
    conversion = result.for_metric("conversion_rate")[0]
    assert (conversion.numerator, conversion.denominator, conversion.status) == (20, 100, "on_track")


def test_no_nps_value_without_responses(seeded: Store) -> None:
    result = compute(seeded, load_catalog(), ["nps"], date(2024, 9, 1), date(2024, 10, 1))
    assert result.rows == [] or result.value("nps") is None


def test_kpis_of_a_saved_cohort(seeded: Store) -> None:
    from engagekit.people.cohorts import StaticCohort, cohort_people, save_cohort

    save_cohort(seeded, "first_ten", StaticCohort(ids=[f"v{i}" for i in range(10)]))
    result = compute(seeded, load_catalog(), ["orders", "conversion_rate"], *OCTOBER,
                     cohort=cohort_people(seeded, "first_ten"))
    assert result.value("orders") == 10  # v0..v9 each ordered once in October
    assert result.value("conversion_rate") == pytest.approx(1.0)  # all ten visitors ordered


def test_kpis_broken_down_by_a_saved_cohort(seeded: Store) -> None:
    from engagekit.people.cohorts import StaticCohort, save_cohort

    save_cohort(seeded, "first_ten", StaticCohort(ids=[f"v{i}" for i in range(10)]))
    result = compute(seeded, load_catalog(), ["conversion_rate"], *OCTOBER, by=("cohort:first_ten",))
    by_member = {dict(r.segment).get("cohort:first_ten"): r.value for r in result.rows}
    # members: v0..v9, all ordered -> 100%; the other 90 visitors: v10..v19 ordered -> 10 / 90
    assert by_member == {"true": pytest.approx(1.0), "false": pytest.approx(10 / 90), None: pytest.approx(0.2)}
