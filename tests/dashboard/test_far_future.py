"""One stored event far in the future leaves every default where the data is (see
engagekit.derive.span): the pages open on October 2026, the last full month before the story's
last real event (Nov 2), and retention without a range reads the story's cohorts.

Before: with the year-9999 event every page answered 500 (the last full month overflowed the
date) and so did retention with `range: null`; with the year-4052 event every page answered 400
(the default range, February 4052, left the allowed 1900-2200)."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from engagekit.config import Settings
from engagekit.server import create_server
from engagekit.store import connect
from tests.api.conftest import basic
from tests.dashboard.conftest import FAR_FUTURE, FAST, Story, add_far_event
from tests.dashboard.test_pages import PAGES, error


@pytest.fixture(params=FAR_FUTURE, ids=lambda ts: str(ts.year))
def skewed(story: Story, request: pytest.FixtureRequest) -> Iterator[TestClient]:
    """The story's app, logged in, over a store that also holds one far-future event."""
    ts: datetime = request.param
    with connect(story.url) as store:
        add_far_event(store, ts)
    with TestClient(create_server(story.url, Settings(), FAST), follow_redirects=False) as client:
        assert client.post("/login", data={"key": story.read, "next": "/"}).status_code == 303
        yield client


def test_every_page_opens_on_the_last_full_month_of_real_data(skewed: TestClient) -> None:
    for path in PAGES:
        response = skewed.get(path)
        assert response.status_code == 200, (path, error(response.text))
        assert 'name="from" value="2026-10-01"' in response.text and 'name="to" value="2026-10-31"' in response.text


def test_retention_without_a_range_reads_the_real_cohorts(skewed: TestClient, story: Story) -> None:
    # first product views: u1 Sep 10, u2 Oct 6, u3 Oct 7 (monthly cohorts 2026-09: 1, 2026-10: 2);
    # the last real event is u2's page view on Nov 2, so October's cohort is observed one month on
    body = {"start_event": {"event": "product_viewed"}, "period": "month", "periods": 1, "mode": "first_time",
            "range": None}
    response = skewed.post("/api/v1/retention", json=body, headers=basic(story.read))
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["last_event_day"] == "2026-11-02"
    # u1 is back in October (1/1); of u2 and u3 only u2 in November (1/2)
    assert [(row["cohort"], row["counts"]) for row in result["rows"]] == [("2026-09", [1, 1]), ("2026-10", [2, 1])]
