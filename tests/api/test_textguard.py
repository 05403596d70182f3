"""NUL characters in a reader's query, path or body are a 400 naming the part, never a 500.

Ibis writes string values as SQL literals and DuckDB ends a literal at NUL, so the value would
fail to parse; the read API and the dashboard refuse such text before any route runs.
"""
from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import Keys, basic
from tests.api.test_queries import RANGE, client  # noqa: F401 (the story store's fixture)

# the value schemathesis once sent as ?batch=: bytes that decode to text holding NUL
FUZZED = "\r\xfe\x00\xc4\xf08\U000903b4\x80+"


def test_nul_in_a_query_parameter_is_400_naming_it(client: TestClient) -> None:  # noqa: F811
    for value in (FUZZED, "a\x00b", "\x00"):
        response = client.get("/api/v1/quarantine", params={"batch": value})
        assert response.status_code == 400
        assert response.json() == {"error": "query parameter 'batch': NUL characters are not allowed"}
    where = client.get("/api/v1/metrics/compute", params={"names": "orders", **RANGE, "where": "country == 'a\x00'"})
    assert where.status_code == 400 and "'where'" in where.json()["error"]


def test_nul_in_a_path_or_body_is_400(client: TestClient) -> None:  # noqa: F811
    assert client.get("/api/v1/customers/u1%00x").status_code == 400
    body = {"steps": [{"event": "page_\x00viewed"}, {"event": "order_completed"}], "range": RANGE}
    response = client.post("/api/v1/funnels", json=body)
    assert response.status_code == 400 and response.json()["error"] == "body: NUL characters are not allowed"


def test_the_dashboard_form_and_oversized_bodies(client: TestClient, keys: Keys) -> None:  # noqa: F811
    # a form field percent-encodes NUL; the guard reads the form as the route will
    login = client.post("/login", data={"key": "ek_read_\x00"}, headers={"Authorization": ""}, follow_redirects=False)
    assert login.status_code == 400
    big = client.post("/login", content=b"key=" + b"x" * 70_000, follow_redirects=False,
                      headers={"content-type": "application/x-www-form-urlencoded", "Authorization": ""})
    assert big.status_code == 413


def test_clean_text_passes_through(client: TestClient, keys: Keys) -> None:  # noqa: F811
    # the same parameters without NUL reach the routes: an unknown batch matches nothing
    assert client.get("/api/v1/quarantine", params={"batch": "a b"}).json() == []
    body = {"steps": [{"event": "page_viewed"}, {"event": "order_completed"}], "range": RANGE}
    assert [s["count"] for s in client.post("/api/v1/funnels", json=body).json()["steps"]] == [3, 1]
    # the collector's routes are not guarded (their values reach the store as data, not literals)
    track = {"userId": "u9", "event": "nul\x00inside", "timestamp": "2024-10-02T10:00:00Z"}
    assert client.post("/v1/track", json=track, headers=basic(keys.write)).status_code == 200
