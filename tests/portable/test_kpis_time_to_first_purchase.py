"""time_to_first_purchase (catalog/purchase.yaml, kind time_between) on one small story,
computed on every engine."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.metrics.engine import compute
from engagekit.store import Store
from tests.conftest import catalog_file, write

SEPTEMBER = (date(2024, 9, 1), date(2024, 10, 1))
OCTOBER = (date(2024, 10, 1), date(2024, 11, 1))
DECEMBER = (date(2024, 12, 1), date(2025, 1, 1))
KPI = "time_to_first_purchase"

HEADER = "timestamp,event,userId"
ROWS = [
    # People whose first sign-up is in October, with the days to their first order after it:
    # s0 2; s1 0.5 (its order of 20 September came before signing up: not timed; its second
    # October order is not its first); s2 4 (its second sign-up does not restart the clock);
    # s3 10, ordering on 9 November. s4 never ordered: not counted.
    # -> median of 0.5, 2, 4, 10 = (2 + 4) / 2 = 3 days; sum 16.5 days over 4 people.
    "2024-10-01T00:00:00Z,signed_up,s0",
    "2024-10-03T00:00:00Z,order_completed,s0",
    "2024-09-20T12:00:00Z,order_completed,s1",
    "2024-10-05T12:00:00Z,signed_up,s1",
    "2024-10-06T00:00:00Z,order_completed,s1",
    "2024-10-20T00:00:00Z,order_completed,s1",
    "2024-10-10T00:00:00Z,signed_up,s2",
    "2024-10-12T00:00:00Z,signed_up,s2",
    "2024-10-14T00:00:00Z,order_completed,s2",
    "2024-10-30T00:00:00Z,signed_up,s3",
    "2024-11-09T00:00:00Z,order_completed,s3",
    "2024-10-15T00:00:00Z,signed_up,s4",
    # s5 signed up in September and ordered in October: September's, 4 days.
    "2024-09-28T00:00:00Z,signed_up,s5",
    "2024-10-02T00:00:00Z,order_completed,s5",
]


@pytest.fixture
def story(store: Store, tmp_path: Path) -> Store:
    ingest_file(store, write(tmp_path / "signups.csv", "\n".join([HEADER, *ROWS]) + "\n"), IngestOptions(),
                Vocabulary())
    return store


def test_time_to_first_purchase_of_the_story(story: Store) -> None:
    catalog = catalog_file("purchase.yaml")
    october = compute(story, catalog, [KPI], *OCTOBER).for_metric(KPI)[0]
    assert october.value == pytest.approx(3.0)  # median of 0.5, 2, 4, 10 days
    assert (october.numerator, october.denominator) == (pytest.approx(16.5), 4)  # days summed, people
    assert compute(story, catalog, [KPI], *SEPTEMBER).value(KPI) == pytest.approx(4.0)  # s5
    empty = compute(story, catalog, [KPI], *DECEMBER).for_metric(KPI)[0]
    assert empty.value is None
    assert empty.note == "no signed_up events in 2024-12"
