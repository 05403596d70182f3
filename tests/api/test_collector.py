"""The Segment HTTP endpoints: keys, limits, envelope errors, dedupe, clock skew, identities."""
from __future__ import annotations

import gzip
import json
import time
from pathlib import Path

from fastapi.testclient import TestClient

from engagekit.api import CollectorLimits, revoke_key
from engagekit.config import Settings
from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.server import create_server
from engagekit.store import connect
from tests.api.conftest import Keys, basic, drained, rows
from tests.conftest import write


def track(message_id: str, event: str = "Product Viewed", **extra: object) -> dict:
    return {"type": "track", "messageId": message_id, "event": event, "userId": "u1",
            "timestamp": "2026-11-20T10:00:00Z", **extra}


def test_no_key_is_401(client: TestClient) -> None:
    assert client.post("/v1/track", json=track("m1")).status_code == 401


def test_unknown_and_malformed_keys_are_401(client: TestClient, keys: Keys) -> None:
    forged = keys.write[:-4] + "AAAA"
    assert client.post("/v1/track", json=track("m1"), headers=basic(forged)).status_code == 401
    assert client.post("/v1/track", json=track("m1"), headers=basic("not-a-key")).status_code == 401


def test_read_key_cannot_send_events(client: TestClient, keys: Keys) -> None:
    response = client.post("/v1/batch", json={"batch": [track("m1")]}, headers=basic(keys.read))
    assert response.status_code == 403


def test_revoked_key_stops_within_a_second(client: TestClient, keys: Keys) -> None:
    assert client.post("/v1/track", json=track("m1"), headers=basic(keys.write)).status_code == 200
    collector = client.app.state.collector
    with collector.store_lock:
        revoke_key(collector.store, keys.write_id)
    time.sleep(1.05)
    assert client.post("/v1/track", json=track("m2"), headers=basic(keys.write)).status_code == 401


def test_write_key_in_body_as_analytics_js_sends_it(client: TestClient, keys: Keys) -> None:
    response = client.post("/v1/t", content=json.dumps({**track("m1"), "writeKey": keys.write}),
                           headers={"Content-Type": "text/plain"})
    assert response.status_code == 200


def test_oversized_message_and_batch_are_413(client: TestClient, keys: Keys) -> None:
    big = track("m1", properties={"blob": "x" * 33_000})
    response = client.post("/v1/batch", json={"batch": [track("m0"), big]}, headers=basic(keys.write))
    assert response.status_code == 413
    assert response.json()["index"] == 1
    many = [track(f"m{i}", properties={"blob": "x" * 20_000}) for i in range(30)]
    assert client.post("/v1/batch", json={"batch": many}, headers=basic(keys.write)).status_code == 413


def test_malformed_payloads_are_400_naming_message_and_field(client: TestClient, keys: Keys) -> None:
    bad_json = client.post("/v1/batch", content=b"{not json", headers=basic(keys.write))
    assert bad_json.status_code == 400
    assert "invalid JSON" in bad_json.json()["error"]
    bad_field = client.post("/v1/batch", json={"batch": [track("m0"), track("m1", properties=[1, 2])]},
                            headers=basic(keys.write))
    assert bad_field.status_code == 400
    assert bad_field.json() | {"error": None} == {"success": False, "error": None, "index": 1, "field": "properties"}
    bad_type = client.post("/v1/batch", json={"batch": [{"type": "explode", "messageId": "x"}]}, headers=basic(keys.write))
    assert (bad_type.status_code, bad_type.json()["field"]) == (400, "type")
    assert client.post("/v1/batch", json={"batch": {}}, headers=basic(keys.write)).json()["field"] == "batch"


def test_same_batch_twice_is_stored_once(client: TestClient, keys: Keys) -> None:
    batch = {"batch": [track("m1"), track("m2"), track("m2")]}
    for _ in range(2):
        assert client.post("/v1/batch", json=batch, headers=basic(keys.write)).status_code == 200
        drained(client)
    assert rows(client, "select event_id, event, customer_id, source from events order by 1") == [
        ("m1", "product_viewed", "u1", f"key:{keys.write_id}"),
        ("m2", "product_viewed", "u1", f"key:{keys.write_id}"),
    ]


def test_clock_skew_is_corrected_from_sent_at(client: TestClient, keys: Keys) -> None:
    # the device clock runs 1 hour behind: it stamps and sends at 09:00 device time
    batch = {"batch": [track("m1", timestamp="2026-11-20T08:59:00Z")], "sentAt": "2026-11-20T09:00:00Z"}
    assert client.post("/v1/batch", json=batch, headers=basic(keys.write)).status_code == 200
    drained(client)
    ((ts,),) = rows(client, "select ts from events")
    received = rows(client, "select received_at from events")[0][0]
    # corrected = timestamp + (receivedAt - sentAt): one minute before the server received it
    assert abs((received - ts).total_seconds() - 60) < 5


def test_context_page_screen_group_and_gzip(client: TestClient, keys: Keys) -> None:
    messages = [
        {"type": "page", "messageId": "p1", "anonymousId": "a1", "name": "Pricing",
         "properties": {"path": "/pricing", "url": "https://x.test/pricing"}, "context": {"ip": "1.2.3.4"},
         "timestamp": "2026-11-20T10:00:00Z"},
        {"type": "screen", "messageId": "s1", "userId": "u1", "name": "Home", "timestamp": "2026-11-20T10:00:00Z"},
        {"type": "group", "messageId": "g1", "userId": "u1", "groupId": "acme", "traits": {"plan": "pro"},
         "timestamp": "2026-11-20T10:00:00Z"},
    ]
    body = gzip.compress(json.dumps({"batch": messages}).encode())
    response = client.post("/v1/batch", content=body, headers={**basic(keys.write), "Content-Encoding": "gzip"})
    assert response.status_code == 200
    drained(client)
    stored = {r[0]: (r[1], json.loads(r[2])) for r in rows(client, "select event_id, event, properties from events")}
    assert stored["p1"] == ("page_viewed", {"path": "/pricing", "url": "https://x.test/pricing", "name": "Pricing",
                                            "context": {"ip": "1.2.3.4"}})
    assert stored["s1"] == ("screen_viewed", {"name": "Home"})
    assert stored["g1"] == ("group", {"group_id": "acme", "traits": {"plan": "pro"}})


def test_identify_and_alias_link_identities(client: TestClient, keys: Keys) -> None:
    headers = basic(keys.write)
    assert client.post("/v1/identify", json={"messageId": "i1", "userId": "u1", "anonymousId": "a1",
                                             "traits": {"email": "u1@x.test"}}, headers=headers).status_code == 200
    assert client.post("/v1/alias", json={"messageId": "al1", "userId": "u2", "previousId": "a2"},
                       headers=headers).status_code == 200
    drained(client)
    assert sorted(rows(client, "select anonymous_id, customer_id from identities")) == [("a1", "u1"), ("a2", "u2")]
    ((properties,),) = rows(client, "select properties from events where event = 'identify'")
    assert json.loads(properties) == {"traits": {"email": "u1@x.test"}}


def test_bad_events_go_to_quarantine(client: TestClient, keys: Keys) -> None:
    batch = {"batch": [track("ok"), track("late", timestamp="yesterday-ish"),
                       {"type": "track", "messageId": "nobody", "event": "Clicked", "timestamp": "2026-11-20T10:00:00Z"}]}
    assert client.post("/v1/batch", json=batch, headers=basic(keys.write)).status_code == 200
    drained(client)
    assert rows(client, "select event_id from events") == [("ok",)]
    quarantined = rows(client, "select row, field, reason from quarantine order by row")
    assert [(r[0], r[1]) for r in quarantined] == [(2, "ts"), (3, "customer_id")]
    assert rows(client, "select received, stored, quarantined from ingest_batches") == [(3, 1, 2)]


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


def test_back_pressure_is_503_with_retry_after(store_url: str, keys: Keys) -> None:
    slow = CollectorLimits(drain_interval_ms=60_000, max_pending_bytes=1)
    with TestClient(create_server(store_url, Settings(), slow)) as busy:
        assert busy.post("/v1/track", json=track("m1"), headers=basic(keys.write)).status_code == 200
        refused = busy.post("/v1/track", json=track("m2"), headers=basic(keys.write))
        assert refused.status_code == 503 and refused.headers["Retry-After"] == "1"
        assert busy.get("/readyz").status_code == 503
    # graceful shutdown drained the acknowledged event
    with connect(store_url) as store:
        assert store.table("events").event_id.to_pyarrow().to_pylist() == ["m1"]


def test_a_flooding_key_gets_429_and_others_do_not(store_url: str, keys: Keys) -> None:
    strict = CollectorLimits(requests_per_second=0.5, request_burst=2)
    with TestClient(create_server(store_url, Settings(), strict)) as limited:
        answers = [limited.post("/v1/track", json=track(f"f{i}"), headers=basic(keys.write)).status_code
                   for i in range(3)]
        assert answers == [200, 200, 429]  # a burst of two, then the bucket is empty
        flooded = limited.post("/v1/track", json=track("f3"), headers=basic(keys.write))
        assert flooded.status_code == 429 and flooded.headers["Retry-After"] == "2"
        other = limited.post("/v1/track", json=track("g0"), headers=basic(keys.read))
        assert other.status_code == 403  # another key has its own bucket (and a read key cannot write)


def group(message_id: str, user_id: str | None, group_id: str | None, **traits: object) -> dict:
    return {"type": "group", "messageId": message_id, "userId": user_id, "groupId": group_id, "traits": traits,
            "timestamp": "2026-11-20T10:00:00Z"}


def test_group_links_the_customer_to_an_account_with_traits(client: TestClient, keys: Keys, tmp_path: Path) -> None:
    collector = client.app.state.collector
    with collector.store_lock:  # u1 is known from a file, with traits the group call must keep
        ingest_file(collector.store, write(tmp_path / "customers.csv", "customer_id,created_at,country\n"
                                           "u1,2026-01-05T00:00:00Z,DE\n"), IngestOptions(kind="customers"), Vocabulary())
    first = [group("g1", "u1", "acme", name="Acme", plan="pro", seats=5, industry="retail"),
             group("g2", "u2", "acme", mrr=99.5, industry="travel"),  # a later call updates some traits
             group("g3", "u3", None, plan="free")]  # no groupId: quarantined
    assert client.post("/v1/batch", json={"batch": first}, headers=basic(keys.write)).status_code == 200
    drained(client)
    current = "select {} from (select *, row_number() over (partition by {} order by received_at desc) n from {}) where n = 1"
    accounts = rows(client, current.format("account_id, name, plan, licenses, mrr, traits", "account_id", "accounts"))
    # g2 keeps g1's name, plan and seats (licenses), adds mrr and replaces industry
    assert [(*r[:5], json.loads(r[5])) for r in accounts] == [("acme", "Acme", "pro", 5, 99.5, {"industry": "travel"})]
    customers = rows(client, current.format("customer_id, account_id, created_at, traits", "customer_id", "customers")
                     + " order by 1")
    assert [(r[0], r[1], r[2].date().isoformat() if r[2] else None, json.loads(r[3])) for r in customers] == [
        ("u1", "acme", "2026-01-05", {"country": "DE"}), ("u2", "acme", None, {})]
    assert rows(client, "select field, reason from quarantine") == [("account_id", "missing account_id")]
    batches = rows(client, "select kind, received, stored, duplicate, quarantined from ingest_batches"
                           " where file like 'spool/%' order by kind")
    # accounts: 3 calls = 1 record stored (acme after g2) + 1 superseded within the batch (g1) + 1 quarantined
    assert batches == [("accounts", 3, 1, 1, 1), ("customers", 2, 2, 0, 0), ("events", 3, 3, 0, 0)]
    # the same link again changes nothing; the read API shows the account on the profile
    again = [group("g4", "u1", "acme")]
    assert client.post("/v1/batch", json={"batch": again}, headers=basic(keys.write)).status_code == 200
    drained(client)
    assert rows(client, "select count(*) from customers where customer_id = 'u1'") == [(2,)]
    profile = client.get("/api/v1/customers/u1", headers=basic(keys.read)).json()
    assert (profile["account_id"], profile["traits"]) == ("acme", {"country": "DE"})
