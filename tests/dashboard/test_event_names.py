"""The Funnels and Retention forms read event names in the project's vocabulary, as ingest does."""
from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from engagekit.config import Settings
from engagekit.server import create_server
from tests.dashboard.conftest import FAST, Story

SETTINGS = Settings(event_mapping={"Viewed": "product_viewed"})


@pytest.fixture
def client(story: Story) -> Iterator[TestClient]:
    """The app of a project that maps its source's 'Viewed' to product_viewed, logged in."""
    with TestClient(create_server(story.url, SETTINGS, FAST), follow_redirects=False) as client:
        assert client.post("/login", data={"key": story.read, "next": "/"}).status_code == 303
        yield client


def test_funnel_steps_named_as_the_source_sends_them(client: TestClient) -> None:
    response = client.get("/funnels", params={"step": ["Viewed", "Order Completed"], "window": "14d"})
    assert response.status_code == 200, response.text[:2000]
    # October: u1, u2 and u3 viewed a product (conftest.py), u1 and u3 then ordered
    assert re.findall(r'<td class="num count">(\d+)</td>', response.text) == ["3", "2"]
    shown = html.unescape(response.text)
    assert "Event names as stored: Viewed → product_viewed, Order Completed → order_completed" in shown


def test_retention_notes_a_name_the_store_never_saw(client: TestClient) -> None:
    response = client.get("/retention", params={"start_event": "Product View", "period": "month", "periods": "1"})
    assert response.status_code == 200, response.text[:2000]
    assert "no events named 'product_view' (sent as 'Product View'); did you mean product_viewed, product_added?" in \
        html.unescape(response.text)
