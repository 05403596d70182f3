"""The read API maps the event names of a query through the project's vocabulary (its
event_mapping and the Segment spec names), as ingest does, and says what it mapped."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from engagekit.config import Settings
from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.server import create_server
from engagekit.store import connect
from tests.api.conftest import FAST, Keys, basic
from tests.conftest import write
from tests.portable.test_query_names import MAPPING, STORY

# The story of tests/portable/test_query_names.py: u1 signs up ("Signup", stored as signed_up by
# the project's mapping), views a page ("pageview") and orders ("Order Completed") on Oct 1 and
# views a page again on Oct 9; u2 signs up and views a page on Oct 2; u3 views a page ("page").
RANGE = {"start": "2024-10-01", "end": "2024-10-08"}


@pytest.fixture
def client(store_url: str, keys: Keys, tmp_path: Path) -> Iterator[TestClient]:
    with connect(store_url) as store:
        ingest_file(store, write(tmp_path / "events.csv", STORY), IngestOptions(), Vocabulary(MAPPING))
    with TestClient(create_server(store_url, Settings(event_mapping=MAPPING), FAST)) as test_client:
        test_client.headers.update(basic(keys.read))
        yield test_client


def test_a_funnel_named_as_the_sources_send_events(client: TestClient) -> None:
    body = {"steps": [{"event": "Signup"}, {"event": "pageview"}, {"event": "Page View"}], "range": RANGE}
    response = client.post("/api/v1/funnels", json=body)
    assert response.status_code == 200, response.text
    data = response.json()
    # u1 and u2 signed up and viewed a page after it; nobody did 'page_view'
    assert [s["count"] for s in data["steps"]] == [2, 2, 0]
    assert data["names"] == {"Signup": "signed_up", "pageview": "page_viewed", "Page View": "page_view"}
    assert data["notes"] == ["no events named 'page_view' (sent as 'Page View'); did you mean page_viewed?"]


def test_retention_lifecycle_stickiness_and_kpi_filters(client: TestClient) -> None:
    retention = client.post("/api/v1/retention", json={"start_event": {"event": "Signup"}, "periods": 1,
                                                       "range": RANGE}).json()
    assert retention["names"] == {"Signup": "signed_up"} and retention["rows"][0]["size"] == 2
    lifecycle = client.post("/api/v1/lifecycle", json={"range": RANGE, "activity": {"event": "pageview"}}).json()
    assert lifecycle["names"] == {"pageview": "page_viewed"} and lifecycle["notes"] == []
    stickiness = client.post("/api/v1/stickiness", json={"range": RANGE, "activity": {"event": "pageview"}}).json()
    assert stickiness["names"] == {"pageview": "page_viewed"}
    orders = client.get("/api/v1/metrics/compute",
                        params={"names": "orders", "where": "event == 'Order Completed'", **RANGE}).json()
    assert orders["rows"][0]["value"] == 1 and orders["names"] == {"Order Completed": "order_completed"}


def test_a_kpi_without_a_value_says_why(client: TestClient) -> None:
    response = client.get("/api/v1/metrics/compute", params={"names": "nps,orders", **RANGE})
    assert response.status_code == 200, response.text
    notes = {row["metric"]: row["note"] for row in response.json()["rows"]}
    assert notes == {"nps": "no survey responses with survey=nps in 2024-10-01 .. 2024-10-07", "orders": None}
