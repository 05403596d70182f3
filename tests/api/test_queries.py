"""The read API over one small story worked by hand: KPIs, analyses, a profile, batches, keys."""
from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from engagekit.api import CollectorLimits, list_keys, revoke_key
from engagekit.config import Settings
from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.server import create_server
from engagekit.store import connect
from engagekit.store.schemas import TABLES
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
    with TestClient(create_server(store_url, Settings(), FAST)) as test_client:
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
    assert by_day["partial_periods"] == []
    by_week = client.get("/api/v1/metrics/compute", params={"names": "orders", "grain": "week", **RANGE}).json()
    # Tuesday 1 Oct .. Monday 7 Oct, weeks starting on Sunday (the default week_start): the week of
    # 29 Sep keeps 1..5 Oct, 5 of its days, the week of 6 Oct keeps 6..7 Oct, 2.
    assert by_week["partial_periods"] == [{"period": "2024-09-29", "days": 5, "of": 7},
                                          {"period": "2024-10-06", "days": 2, "of": 7}]


def test_bad_input_is_400_naming_the_problem(client: TestClient) -> None:
    bad_where = client.get("/api/v1/metrics/compute", params={"names": "orders", "where": "revenue >>> 3", **RANGE})
    assert bad_where.status_code == 400 and "revenue >>> 3" in bad_where.json()["error"]
    bad_date = client.get("/api/v1/metrics/compute", params={"names": "orders", "start": "someday", "end": "2024-10-08"})
    assert bad_date.status_code == 400 and "start" in bad_date.json()["error"]
    bad_step = client.post("/api/v1/funnels", json={"steps": [{"event": "page_viewed", "where": "x =="},
                                                              {"event": "order_completed"}], "range": RANGE})
    assert bad_step.status_code == 400 and "steps.0.where" in bad_step.json()["error"]
    # found by schemathesis: a range from year 1 overflowed the rolling calendar (500); ranges are bounded
    ancient = client.post("/api/v1/stickiness", json={"range": {"start": "0001-01-01", "end": "2000-01-02"}})
    assert ancient.status_code == 400 and "1900-01-01" in ancient.json()["error"]
    decades = client.get("/api/v1/metrics/compute", params={"names": "orders", "start": "1950-01-01", "end": "2000-01-01"})
    assert decades.status_code == 400 and "at most" in decades.json()["error"]
    injection = client.get("/api/v1/metrics/compute",
                           params={"names": "orders", "where": "event == 'x'; drop table events; --", **RANGE})
    assert injection.status_code == 400
    assert client.get("/api/v1/metrics/compute", params={"names": "orders", **RANGE}).json()["rows"][0]["value"] == 2


# found on the read API over loopback: each of these was a 500 (RecursionError, an interval or an
# integer the engine could not hold) or ran for minutes holding the store lock; now a 400 naming the bound
DEEP = "(" * 1000 + "plan == 'pro'" + ")" * 1000
MANY = " or ".join(["plan == 'pro'"] * 1000)  # 16,996 characters
TERMS = " or ".join(["plan == 'pro'"] * 101)
PLAIN_STEPS = [{"event": "page_viewed"}, {"event": "order_completed"}]


def test_every_bound_is_a_400_naming_it(client: TestClient) -> None:
    def error(response: object) -> str:
        assert response.status_code == 400, response.text
        return response.json()["error"]

    compute = {"names": "orders", **RANGE}
    assert "nests at most 16 levels" in error(client.get("/api/v1/metrics/compute", params={**compute, "where": DEEP}))
    assert "at most 4000 characters, not 16996" in error(client.get("/api/v1/metrics/compute",
                                                                    params={**compute, "where": MANY}))
    assert "at most 100 comparisons" in error(client.get("/api/v1/metrics/compute", params={**compute, "where": TERMS}))
    deep_step = client.post("/api/v1/funnels", json={"steps": [{"event": "page_viewed", "where": DEEP},
                                                                {"event": "order_completed"}], "range": RANGE})
    assert error(deep_step).startswith("body.steps.0.where: filter '((((")
    window = client.post("/api/v1/funnels", json={"steps": PLAIN_STEPS, "range": RANGE, "window": 10**15})
    assert error(window) == "body.window: Input should be less than or equal to 31622400"
    for count in (50, 200):
        many = client.post("/api/v1/funnels", json={"steps": [{"event": "page_viewed"}] * count, "range": RANGE})
        assert error(many) == f"body.steps: List should have at most 20 items after validation, not {count}"
    huge = 10**20
    retention = client.post("/api/v1/retention", json={"periods": 400, "min_returns": huge})
    assert error(retention) == "body.min_returns: Input should be less than or equal to 1000000"
    cohorts = client.post("/api/v1/retention", json={"period": "day", "range": {"start": "2010-01-01", "end": "2024-01-01"}})
    assert error(cohorts) == ("body: range: at most 400 day cohorts, not 5113; give a shorter range or a longer period")
    series = client.get("/api/v1/metrics/compute", params={"names": "clv", "grain": "day",
                                                            "start": "2005-01-01", "end": "2024-12-01"})
    assert error(series) == "grain: at most 400 periods, not 7274 days; give a shorter range or a longer grain"
    sticky = client.post("/api/v1/stickiness", json={"range": RANGE, "criterion": {"n": huge}})
    assert error(sticky) == "body.criterion.n: Input should be less than or equal to 1000000"
    # the bounds themselves run: 20 steps (page, then product views, which only u1 and u2 did) over a year's window
    widest = client.post("/api/v1/funnels", json={"steps": [{"event": "page_viewed"}] + [{"event": "product_viewed"}] * 19,
                                                   "range": RANGE, "window": 31_622_400})
    assert [s["count"] for s in widest.json()["steps"]][:3] == [3, 2, 0]


INJECTIONS = (
    "'; DROP TABLE events; --",
    "u1' OR '1'='1",
    "1; DELETE FROM customers WHERE true",
    "orders') UNION SELECT key_id, secret_hash FROM api_keys --",
    '" OR 1=1 --',
)


def snapshot(client: TestClient) -> dict[str, list]:
    """Every row of every canonical table, sorted: what an injection must not change."""
    collector = client.app.state.collector
    with collector.store_lock:
        return {name: sorted(map(repr, collector.store.table(name).to_pyarrow().to_pylist())) for name in TABLES}


def test_sql_injection_in_every_parameter_changes_nothing(client: TestClient) -> None:
    before = snapshot(client)
    baseline = client.get("/api/v1/metrics/compute", params={"names": "orders", **RANGE}).json()
    compute = {"names": "orders", **RANGE}
    for text in INJECTIONS:
        # each query parameter of compute in turn; an unknown name, field, grain, filter or date is 400
        for name in ("names", "start", "end", "grain", "by", "where", "compare"):
            response = client.get("/api/v1/metrics/compute", params={**compute, name: text})
            assert response.status_code == 400, (name, text, response.text)
        assert client.get("/api/v1/metrics/compute", params={**compute, "names": f"orders,{text}"}).status_code == 400
        # path parameters: no such metric or customer (not u1, whom "u1' OR '1'='1" would match in SQL)
        assert client.get(f"/api/v1/metrics/{text}").status_code == 404
        assert client.get(f"/api/v1/customers/{text}").status_code == 404
        # an id filter matches nothing; a limit that is not a number is 400
        assert client.get("/api/v1/quarantine", params={"batch": text}).json() == []
        assert client.get("/api/v1/batches", params={"limit": text}).status_code == 400
        assert client.get("/api/v1/quarantine", params={"limit": text}).status_code == 400
        # body fields: event names match no event (zero people), filters, breakdowns, cohorts are 400
        steps = [{"event": text}, {"event": "order_completed"}]
        funnel = client.post("/api/v1/funnels", json={"steps": steps, "range": RANGE})
        assert [s["count"] for s in funnel.json()["steps"]] == [0, 0]
        # a breakdown is a trait key: one nobody has puts everyone under "(none)" (page 3 -> order 1)
        plain = [{"event": "page_viewed"}, {"event": "order_completed"}]
        by_trait = client.post("/api/v1/funnels", json={"steps": plain, "breakdown": text, "range": RANGE}).json()
        assert list(by_trait["breakdown"]) == ["(none)"]
        assert [s["count"] for s in by_trait["breakdown"]["(none)"]] == [3, 1]
        for body in ({"steps": [{"event": "page_viewed", "where": text}, {"event": "order_completed"}]},
                     {"steps": [{"event": "page_viewed"}, {"event": "order_completed"}], "cohort": text}):
            assert client.post("/api/v1/funnels", json={**body, "range": RANGE}).status_code == 400
        assert client.post("/api/v1/retention", json={"range": RANGE, "cohort_by": text}).status_code == 400
        assert client.post("/api/v1/lifecycle", json={"range": RANGE, "activity": {"event": "*", "where": text}}
                           ).status_code == 400
        assert client.post("/api/v1/stickiness", json={"range": RANGE, "cohort": text}).status_code == 400
    assert snapshot(client) == before
    assert client.get("/api/v1/metrics/compute", params={"names": "orders", **RANGE}).json() == baseline


def test_kpis_by_post_answer_as_the_get_route(client: TestClient) -> None:
    query = {"names": ["orders", "revenue"], "range": RANGE, "grain": "week", "by": ["plan"]}
    posted = client.post("/api/v1/metrics/compute", json=query)
    assert posted.status_code == 200, posted.text
    got = client.get("/api/v1/metrics/compute", params={"names": "orders,revenue", "grain": "week", "by": "plan", **RANGE})
    assert posted.json() == got.json()
    # u1 (pro) ordered 40 on Tue 1 Oct and 60 on Thu 3 Oct: both in the week of Sunday 29 Sep
    pro = [r for r in got.json()["rows"] if r["segment"] == {"plan": "pro"} and r["period"] == "2024-09-29"]
    assert {r["metric"]: r["value"] for r in pro} == {"orders": 2, "revenue": 100}
    refused = client.post("/api/v1/metrics/compute", json={"names": [], "range": RANGE})
    assert refused.status_code == 400 and "names" in refused.json()["error"]


def test_a_query_without_week_start_reads_the_projects(store_url: str, keys: Keys, tmp_path: Path) -> None:
    with connect(store_url) as store:
        ingest_file(store, write(tmp_path / "events.csv", EVENTS), IngestOptions(), Vocabulary())
    with TestClient(create_server(store_url, Settings(week_start="monday"), FAST)) as monday:
        monday.headers.update(basic(keys.read))
        kpis = monday.get("/api/v1/metrics/compute", params={"names": "orders", "grain": "week", **RANGE}).json()
        # Tuesday 1 Oct .. Monday 7 Oct in Monday weeks: the week of 30 Sep keeps 1..6 Oct, the week of 7 Oct one day
        assert kpis["partial_periods"] == [{"period": "2024-09-30", "days": 6, "of": 7},
                                           {"period": "2024-10-07", "days": 1, "of": 7}]
        lifecycle = monday.post("/api/v1/lifecycle", json={"range": RANGE, "period": "week"}).json()
        assert lifecycle["periods"][0]["period"] == "2024-09-30"
        sunday = monday.post("/api/v1/lifecycle", json={"range": RANGE, "period": "week", "week_start": "sunday"})
        assert sunday.json()["periods"][0]["period"] == "2024-09-29"


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
    with collector.store_lock:  # the drainer shares the connection
        read_id = next(k.key_id for k in list_keys(collector.store) if k.kind == "read")
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
    with TestClient(create_server(store_url, Settings(), CollectorLimits(requests_per_second=0.5, request_burst=1))) as limited:
        first = limited.get("/api/v1/metrics", headers=basic(keys.read))
        second = limited.get("/api/v1/metrics", headers=basic(keys.read))
        assert (first.status_code, second.status_code) == (200, 429)
        assert second.headers["Retry-After"] == "2"
