"""The purchase KPIs appended to catalog/purchase.yaml (checkout completion time, repeat purchase
rate) on one small story, computed on every engine."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.metrics.catalog import Catalog
from engagekit.metrics.engine import compute
from engagekit.store import Store
from tests.conftest import catalog_file, write

SEPTEMBER = (date(2024, 9, 1), date(2024, 10, 1))
OCTOBER = (date(2024, 10, 1), date(2024, 11, 1))
DECEMBER = (date(2024, 12, 1), date(2025, 1, 1))
KPIS = ["checkout_completion_time", "repeat_purchase_rate"]

HEADER = "timestamp,event,userId"
ROWS = [
    # Checkouts started in October that led to an order, with the seconds to the order:
    # b0 120; b1 300 (its checkout of 2 October was abandoned: a later checkout owns the order);
    # b2 90 (its second order has no checkout of its own: not timed); b3 130, ordering on
    # 1 November; b5 100.5 (fractions of a second are kept on every engine); b6 60.
    # -> median of 60, 90, 100.5, 120, 130, 300 = (100.5 + 120) / 2 = 110.25 s.
    "2024-10-01T10:00:00Z,checkout_started,b0",
    "2024-10-01T10:02:00Z,order_completed,b0",
    "2024-10-02T10:00:00Z,checkout_started,b1",
    "2024-10-05T10:00:00Z,checkout_started,b1",
    "2024-10-05T10:05:00Z,order_completed,b1",
    "2024-10-03T09:00:00Z,checkout_started,b2",
    "2024-10-03T09:01:30Z,order_completed,b2",
    "2024-10-03T12:00:00Z,order_completed,b2",
    "2024-10-31T23:59:00Z,checkout_started,b3",
    "2024-11-01T00:01:10Z,order_completed,b3",
    "2024-10-06T10:00:00.250Z,checkout_started,b5",
    "2024-10-06T10:01:40.750Z,order_completed,b5",
    "2024-10-07T10:00:00Z,checkout_started,b6",
    "2024-10-07T10:01:00Z,order_completed,b6",
    # b4 started checkout a minute before October and ordered in it: timed in September (60 s).
    "2024-09-30T23:59:30Z,checkout_started,b4",
    "2024-10-01T00:00:30Z,order_completed,b4",
    # The seeds' repeat example (25 of 40 returning = 62.5%) for orders. October buyers: b0, b1,
    # b2, b4, b5, b6 from above (b3's order is in November), r0..r23 and o0..o9 = 40. Two or
    # more orders in October: b2 and r0..r23 (r0 three) = 25. o0's September order does not make
    # it a repeat buyer in October. -> 25 / 40.
    *[f"2024-10-{1 + i:02d}T12:00:00Z,order_completed,r{i}" for i in range(24)],
    *[f"2024-10-{2 + i:02d}T12:00:00Z,order_completed,r{i}" for i in range(24)],
    "2024-10-28T12:00:00Z,order_completed,r0",
    *[f"2024-10-{10 + i:02d}T15:00:00Z,order_completed,o{i}" for i in range(10)],
    "2024-09-20T15:00:00Z,order_completed,o0",
]


def stage_catalog() -> Catalog:
    """The KPIs of catalog/purchase.yaml alone, so the test checks this file whatever else the catalog holds."""
    return catalog_file("purchase.yaml")


@pytest.fixture
def story(store: Store, tmp_path: Path) -> Store:
    ingest_file(store, write(tmp_path / "purchase.csv", "\n".join([HEADER, *ROWS]) + "\n"), IngestOptions(),
                Vocabulary())
    return store


def test_checkout_time_and_repeat_purchases_of_the_story(story: Store) -> None:
    result = compute(story, stage_catalog(), KPIS, *OCTOBER)
    assert result.value("checkout_completion_time") == pytest.approx(110.25)  # median of the 6 pairs, s
    assert result.value("repeat_purchase_rate") == pytest.approx(0.625)  # seed: 25 of 40 = 62.5%
    checkout = result.for_metric("checkout_completion_time")[0]
    assert (checkout.numerator, checkout.denominator) == (pytest.approx(800.5), 6)  # seconds summed, pairs
    repeat = result.for_metric("repeat_purchase_rate")[0]
    assert (repeat.numerator, repeat.denominator) == (25, 40)


def test_period_boundaries_and_no_denominator(story: Store) -> None:
    september = compute(story, stage_catalog(), KPIS, *SEPTEMBER, grain="month")
    assert september.value("checkout_completion_time") == pytest.approx(60.0)  # b4, ordering on 1 October
    assert september.value("repeat_purchase_rate") == 0.0  # o0's single September order
    empty = compute(story, stage_catalog(), KPIS, *DECEMBER)
    assert empty.value("checkout_completion_time") is None  # no checkouts
    assert empty.value("repeat_purchase_rate") is None  # no buyers
