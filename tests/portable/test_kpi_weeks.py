"""KPI series by week start on the project's `week_start`, as the journey analyses' weeks do."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.metrics.engine import compute
from engagekit.store import Store
from tests.conftest import catalog_file, write

# Orders on Saturday 5, Sunday 6 and Monday 7 October 2024, and new customers (signed_up) on
# Sunday 6 and Saturday 12.
STORY = """timestamp,event,userId
2024-10-05T12:00:00Z,order_completed,a
2024-10-06T12:00:00Z,order_completed,b
2024-10-07T12:00:00Z,order_completed,c
2024-10-06T09:00:00Z,signed_up,b
2024-10-12T09:00:00Z,signed_up,d
"""
RANGE = (date(2024, 9, 29), date(2024, 10, 13))  # Sunday 29 Sep .. Saturday 12 Oct


@pytest.fixture
def story(store: Store, tmp_path: Path) -> Store:
    ingest_file(store, write(tmp_path / "weeks.csv", STORY), IngestOptions(), Vocabulary())
    return store


def _weekly(store: Store, name: str, file: str, week_start: str) -> dict[date, float | None]:
    result = compute(store, catalog_file(file), [name], *RANGE, grain="week", week_start=week_start)
    return {row.period: row.value for row in result.rows}


def test_sunday_weeks_hold_saturday_apart_from_sunday_and_monday(story: Store) -> None:
    # Weeks of 29 Sep (Sat 5 Oct: 1 order) and 6 Oct (Sun 6, Mon 7: 2 orders).
    assert _weekly(story, "orders", "purchase.yaml", "sunday") == {date(2024, 9, 29): 1, date(2024, 10, 6): 2}
    # Sign-ups: Sun 6 and Sat 12 Oct fall in the same Sunday week.
    assert _weekly(story, "new_customers", "acquisition.yaml", "sunday") == {date(2024, 9, 29): 0,
                                                                             date(2024, 10, 6): 2}


def test_monday_weeks_hold_saturday_and_sunday_together(story: Store) -> None:
    # Weeks of 23 Sep (cut to Sun 29 Sep: nothing), 30 Sep (Sat 5, Sun 6: 2 orders), 7 Oct (Mon 7: 1).
    orders = _weekly(story, "orders", "purchase.yaml", "monday")
    assert {day: value for day, value in orders.items() if value} == {date(2024, 9, 30): 2, date(2024, 10, 7): 1}
    assert set(orders) == {date(2024, 9, 23), date(2024, 9, 30), date(2024, 10, 7)}
    assert _weekly(story, "new_customers", "acquisition.yaml", "monday") == {
        date(2024, 9, 23): 0, date(2024, 9, 30): 1, date(2024, 10, 7): 1}
