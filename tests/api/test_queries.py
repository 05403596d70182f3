"""The read API over one small story worked by hand: KPIs, analyses, a profile, batches, keys."""
from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from engagekit.api import CollectorLimits, create_app, list_keys, revoke_key
from engagekit.config import Settings
from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.store import connect
from tests.api.conftest import FAST, Keys, basic, drained
from tests.conftest import write

CUSTOMERS = """\
customer_id,created_at,plan,country
u1,2024-10-01T10:05:00Z,pro,DE
u2,2024-10-02T12:00:00Z,free,FR
"""
EVENTS = """\
timestamp,event,userId,anonymousId,revenue
2024-10-01T10:00:00Z,page_viewed,,a1,
2024-10-01T10:05:00Z,signed_up,u1,a1,
2024-10-01T10:10:00Z,product_viewed,u1,,
2024-10-01T10:20:00Z,order_completed,u1,,40
2024-10-03T09:00:00Z,order_completed,u1,,60
2024-10-02T12:00:00Z,page_viewed,u2,,
2024-10-02T12:05:00Z,product_viewed,u2,,
2024-10-04T08:00:00Z,page_viewed,u3,,
not-a-time,page_viewed,u3,,
"""
# a1 is linked to u1 by the sign-up, so u1's first visit is the anonymous page view.
# Visitors (page or product viewed) in Oct 1-7: u1, u2, u3 = 3; buyers: u1 -> conversion 1/3;
# orders 2, revenue 100. Funnel page -> product -> order: u1 all 3, u2 2 steps, u3 1 -> 3, 2, 1.
# The row with an unreadable timestamp is quarantined.
RANGE = {"start": "2024-10-01", "end": "2024-10-08"}


@pytest.fixture
def client(store_url: str, keys: Keys, tmp_path: Path) -> Iterator[TestClient]:
    with connect(store_url) as store:
        ingest_file(store, write(tmp_path / "customers.csv", CUSTOMERS), IngestOptions(kind="customers"), Vocabulary())
        ingest_file(store, write(tmp_path / "events.csv", EVENTS), IngestOptions(), Vocabulary())
    with TestClient(create_app(store_url, Settings(), FAST)) as test_client:
        test_client.headers.update(basic(keys.read))
        yield test_client


def test_keys_no_key_401_write_key_403_read_key_200_bearer_too(client: TestClient, keys: Keys) -> None:
    no_key = client.get("/api/v1/metrics", headers={"Authorization": ""})
    assert no_key.status_code == 401 and "read key" in no_key.json()["error"]
    assert client.get("/api/v1/metrics", headers=basic(keys.write)).status_code == 403
    assert client.post("/api/v1/funnels", json={}, headers=basic(keys.write)).status_code == 403
    assert client.get("/api/v1/metrics", headers={"Authorization": f"Bearer {keys.read}"}).status_code == 200
    assert client.get("/api/v1/metrics").status_code == 200


def test_catalog_and_definition(client: TestClient) -> None:
    catalog = {m["name"]: m for m in client.get("/api/v1/metrics").json()}
    assert catalog["conversion_rate"] == {"name": "conversion_rate", "label": "Conversion rate", "stages": ["purchase"],
                                          "unit": "percent", "direction": "higher", "vanity": False, "target": 0.03}
    definition = client.get("/api/v1/metrics/orders").json()
    assert (definition["kind"], definition["measure"]["events"]) == ("value", ["order_completed"])
    unknown = client.get("/api/v1/metrics/order")
    assert unknown.status_code == 404 and "orders" in unknown.json()["error"]


def test_compute_orders_revenue_conversion(client: TestClient) -> None:
    response = client.get("/api/v1/metrics/compute", params={"names": "orders,revenue,conversion_rate", **RANGE})
    assert response.status_code == 200, response.text
    values = {row["metric"]: row for row in response.json()["rows"]}
    assert values["orders"]["value"] == 2
    assert values["revenue"]["value"] == 100
    assert (values["conversion_rate"]["numerator"], values["conversion_rate"]["denominator"]) == (1, 3)
    by_day = client.get("/api/v1/metrics/compute", params={"names": "orders", "grain": "day", **RANGE}).json()
    assert {(r["period"], r["value"]) for r in by_day["rows"] if r["value"]} == {("2024-10-01", 1), ("2024-10-03", 1)}


def test_bad_input_is_400_naming_the_problem(client: TestClient) -> None:
    bad_where = client.get("/api/v1/metrics/compute", params={"names": "orders", "where": "revenue >>> 3", **RANGE})
    assert bad_where.status_code == 400 and "revenue >>> 3" in bad_where.json()["error"]
    bad_date = client.get("/api/v1/metrics/compute", params={"names": "orders", "start": "someday", "end": "2024-10-08"})
    assert bad_date.status_code == 400 and "start" in bad_date.json()["error"]
    bad_step = client.post("/api/v1/funnels", json={"steps": [{"event": "page_viewed", "where": "x =="},
                                                              {"event": "order_completed"}], "range": RANGE})
    assert bad_step.status_code == 400 and "steps.0.where" in bad_step.json()["error"]
    injection = client.get("/api/v1/metrics/compute",
                           params={"names": "orders", "where": "event == 'x'; drop table events; --", **RANGE})
    assert injection.status_code == 400
    assert client.get("/api/v1/metrics/compute", params={"names": "orders", **RANGE}).json()["rows"][0]["value"] == 2


def test_funnel_counts(client: TestClient) -> None:
    steps = [{"event": "page_viewed"}, {"event": "product_viewed"}, {"event": "order_completed"}]
    response = client.post("/api/v1/funnels", json={"steps": steps, "range": RANGE})
    assert response.status_code == 200, response.text
    assert [s["count"] for s in response.json()["steps"]] == [3, 2, 1]


def test_retention_lifecycle_stickiness(client: TestClient) -> None:
    stickiness = client.post("/api/v1/stickiness", json={"range": RANGE, "activity": {"event": "page_viewed"}})
    assert stickiness.status_code == 200, stickiness.text
    assert stickiness.json()["distribution"][0] | {"cumulative": None} == {"periods": 1, "people": 3, "cumulative": None}
    lifecycle = client.post("/api/v1/lifecycle", json={"range": RANGE, "period": "day"})
    assert lifecycle.status_code == 200, lifecycle.text
    first = lifecycle.json()["periods"][0]
    assert (first["period"], first["new"]) == ("2024-10-01", 1)
    # first-time cohorts: u1 on 10-01 (back on 10-03, k = 2), u2 on 10-02, u3 on 10-04
    retention = client.post("/api/v1/retention", json={"range": RANGE, "period": "day", "periods": 2,
                                                       "mode": "first_time"})
    assert retention.status_code == 200, retention.text
    rows = {row["start"]: (row["size"], row["counts"]) for row in retention.json()["rows"]}
    assert (rows["2024-10-01"], rows["2024-10-02"][0], rows["2024-10-04"][0]) == ((1, [1, 0, 1]), 1, 1)


def test_customer_profile(client: TestClient) -> None:
    profile = client.get("/api/v1/customers/u1").json()
    assert profile["traits"] == {"plan": "pro", "country": "DE"}
    assert (profile["first_seen"], profile["last_seen"]) == ("2024-10-01T10:00:00", "2024-10-03T09:00:00")
    assert (profile["orders"], profile["revenue"], profile["events_total"]) == (2, 100.0, 5)
    assert [e["event"] for e in profile["events"]] == [
        "order_completed", "order_completed", "product_viewed", "signed_up", "page_viewed"]
    assert client.get("/api/v1/customers/u3").json()["traits"] == {}
    unknown = client.get("/api/v1/customers/nobody")
    assert unknown.status_code == 404 and "nobody" in unknown.json()["error"]


def test_batches_and_quarantine(client: TestClient) -> None:
    batches = client.get("/api/v1/batches", params={"limit": 5}).json()
    assert sorted((b["kind"], b["stored"], b["quarantined"]) for b in batches) == [("customers", 2, 0), ("events", 8, 1)]
    events_batch = next(b["batch_id"] for b in batches if b["kind"] == "events")
    rows = client.get("/api/v1/quarantine", params={"batch": events_batch}).json()
    assert [(r["row"], r["field"]) for r in rows] == [(9, "timestamp")]
    assert client.get("/api/v1/quarantine", params={"batch": "none"}).json() == []
    assert client.get("/api/v1/batches", params={"limit": 0}).status_code == 400


def test_oversized_body_is_413(client: TestClient) -> None:
    steps = [{"event": "page_viewed", "where": "properties.x == '" + "y" * 70_000 + "'"}, {"event": "signed_up"}]
    response = client.post("/api/v1/funnels", json={"steps": steps, "range": RANGE})
    assert response.status_code == 413 and "limit" in response.json()["error"]


def test_openapi_lists_the_read_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/v1/metrics", "/api/v1/metrics/{name}", "/api/v1/metrics/compute", "/api/v1/funnels",
                 "/api/v1/retention", "/api/v1/lifecycle", "/api/v1/stickiness", "/api/v1/customers/{customer_id}",
                 "/api/v1/batches", "/api/v1/quarantine"):
        assert path in paths, path
    assert "200" in paths["/api/v1/funnels"]["post"]["responses"]
    assert "413" in paths["/api/v1/funnels"]["post"]["responses"]


def test_revoked_read_key_is_401(client: TestClient, keys: Keys) -> None:
    collector = client.app.state.collector
    read_id = next(k.key_id for k in list_keys(collector.store) if k.kind == "read")
    with collector.store_lock:
        revoke_key(collector.store, read_id)
    time.sleep(1.05)
    assert client.get("/api/v1/metrics").status_code == 401


def test_reads_while_the_drainer_writes(client: TestClient, keys: Keys) -> None:
    orders = [{"type": "track", "messageId": f"m{i}", "event": "Order Completed", "userId": "u9",
               "timestamp": "2024-10-05T10:00:00Z", "properties": {"revenue": 1}} for i in range(40)]

    def read(_: int) -> int:
        return client.get("/api/v1/metrics/compute", params={"names": "orders", **RANGE}).status_code

    with ThreadPoolExecutor(4) as pool:
        reads = pool.map(read, range(16))
        for start in range(0, 40, 4):
            response = client.post("/v1/batch", json={"batch": orders[start:start + 4]}, headers=basic(keys.write))
            assert response.status_code == 200
        assert set(reads) == {200}
    drained(client)
    assert client.get("/api/v1/metrics/compute", params={"names": "orders", **RANGE}).json()["rows"][0]["value"] == 42


def test_read_routes_are_rate_limited_per_key(store_url: str, keys: Keys) -> None:
    with TestClient(create_app(store_url, Settings(), CollectorLimits(requests_per_second=0.5, request_burst=1))) as limited:
        first = limited.get("/api/v1/metrics", headers=basic(keys.read))
        second = limited.get("/api/v1/metrics", headers=basic(keys.read))
        assert (first.status_code, second.status_code) == (200, 429)
        assert second.headers["Retry-After"] == "2"
