"""Dashboard fixtures: a small story store worked by hand, the app under TestClient, logged in."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pytest
from fastapi.testclient import TestClient

from engagekit.api import CollectorLimits, create_key
from engagekit.config import Settings
from engagekit.derive import build_derived
from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.server import create_server
from engagekit.store import Store, connect
from tests.conftest import write

FAST = CollectorLimits(drain_interval_ms=50)

CUSTOMERS = """\
customer_id,created_at,plan,country
u1,2026-08-01T10:00:00Z,pro,BR
u2,2026-08-02T10:00:00Z,free,BR
u3,2026-08-03T10:00:00Z,pro,DE
"""
EVENTS = """\
timestamp,event,userId,anonymousId,revenue
2026-09-10T10:00:00Z,product_viewed,u1,,
2026-09-10T10:05:00Z,order_completed,u1,,40
2026-10-05T10:00:00Z,product_viewed,u1,,
2026-10-05T10:01:00Z,product_added,u1,,
2026-10-05T10:02:00Z,checkout_started,u1,,
2026-10-05T10:03:00Z,order_completed,u1,,100
2026-10-20T09:00:00Z,order_completed,u1,,50
2026-10-06T11:00:00Z,product_viewed,u2,,
2026-10-06T11:02:00Z,product_added,u2,,
2026-10-07T12:00:00Z,product_viewed,u3,,
2026-10-07T12:01:00Z,product_added,u3,,
2026-10-07T12:02:00Z,checkout_started,u3,,
2026-10-07T12:04:00Z,order_completed,u3,,30
2026-11-02T08:00:00Z,page_viewed,u2,,
not-a-time,page_viewed,u2,,
"""
# The last event is on Nov 2, so the default range is the last full month, October 2026, and
# the previous period is September.
# October: orders u1 100 + u1 50 + u3 30 -> 3 orders, revenue 180; September: 1 order, 40.
# Segment country=BR (u1, u2): October 2 orders, 150; DE (u3): 1 order, 30.
# Oct 1-10 only: u1 100 + u3 30 -> 2 orders, revenue 130.
# Funnel viewed -> added -> checkout -> order in October (14-day window): viewed u1 u2 u3 = 3,
# added 3, checkout u1 u3 = 2, order u1 u3 = 2. For BR: 2, 2, 1, 1.
# Lifetime: u1 3 orders, 190; u3 1 order, 30; u2 none. The unreadable row is quarantined.


# Stored event times outside the accepted window (1990-01-01 .. now + 1 day): a parse that gave
# the last representable day, and a device clock set two thousand years ahead
FAR_FUTURE = (datetime(9999, 12, 31, 23, 0), datetime(4052, 3, 1, 12, 0))


def add_far_event(store: Store, ts: datetime) -> None:
    """A page view of u2 at `ts`, written as an old store may hold it (intake now quarantines it)."""
    store.insert("events", pa.table({"event_id": [f"far-{ts.year}"], "ts": [ts], "event": ["page_viewed"],
                                     "customer_id": ["u2"], "channel": ["web"], "source": ["skewed-clock"]}))


@dataclass(frozen=True)
class Story:
    url: str
    read: str
    write: str


@pytest.fixture
def story(tmp_path: Path) -> Story:
    url = f"duckdb:///{tmp_path / 'engagekit.duckdb'}"
    with connect(url) as store:
        ingest_file(store, write(tmp_path / "customers.csv", CUSTOMERS), IngestOptions(kind="customers"), Vocabulary())
        ingest_file(store, write(tmp_path / "events.csv", EVENTS), IngestOptions(), Vocabulary())
        build_derived(store)
        _, read = create_key(store, "read", "dashboard")
        _, write_key = create_key(store, "write", "site")
    return Story(url, read, write_key)


@pytest.fixture
def anonymous(story: Story) -> Iterator[TestClient]:
    """The app, not logged in (redirects are not followed)."""
    with TestClient(create_server(story.url, Settings(), FAST), follow_redirects=False) as client:
        yield client


@pytest.fixture
def client(anonymous: TestClient, story: Story) -> TestClient:
    """The app, logged in with the read key."""
    response = anonymous.post("/login", data={"key": story.read, "next": "/"})
    assert response.status_code == 303, response.text
    return anonymous
