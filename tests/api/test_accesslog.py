"""Access logs: one JSON line per request, with the key's public id and name, never a secret."""
from __future__ import annotations

import base64
import json
import logging

import pytest
from fastapi.testclient import TestClient

from engagekit.access.keyguard import FREE_FAILURES
from engagekit.access.keys import split_key
from engagekit.api.accesslog import LOGGER
from tests.api.conftest import Keys, basic
from tests.api.keychecks import Clock, use_clock


def lines(caplog: pytest.LogCaptureFixture) -> list[dict]:
    return [json.loads(record.getMessage()) for record in caplog.records if record.name == LOGGER]


def test_one_line_per_request_without_secrets(client: TestClient, keys: Keys, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    batch = {"batch": [{"type": "track", "event": "Logged In", "userId": "u1"} for _ in range(3)]}
    forged = keys.write[:-4] + "AAAA"
    assert client.post("/v1/batch", json=batch, headers=basic(keys.write)).status_code == 200
    assert client.post("/v1/t", content=json.dumps({"event": "x", "userId": "u1", "writeKey": keys.write}),
                       headers={"Content-Type": "text/plain"}).status_code == 200
    assert client.post("/v1/batch", json=batch, headers=basic(forged)).status_code == 401
    assert client.get("/api/v1/metrics", headers={"Authorization": f"Bearer {keys.read}"}).status_code == 200
    assert client.get("/healthz?probe=1").status_code == 200
    logged = lines(caplog)
    assert [(x["method"], x["path"], x["status"], x["key_id"], x["key_name"], x["messages"]) for x in logged] == [
        ("POST", "/v1/batch", 200, keys.write_id, "site", 3),
        ("POST", "/v1/t", 200, keys.write_id, "site", 1),  # the key came in the body
        ("POST", "/v1/batch", 401, keys.write_id, "site", None),  # the id claimed, refused before its body was read
        ("GET", "/api/v1/metrics", 200, split_key(keys.read)[0], "dashboard", None),
        ("GET", "/healthz", 200, None, None, None),
    ]
    assert all(x["duration_ms"] >= 0 and x["client"] for x in logged)
    text = caplog.text
    for key in (keys.write, keys.read, forged):
        secret = split_key(key)[1]
        assert secret not in text
        assert base64.b64encode(f"{key}:".encode()).decode() not in text  # nor the Authorization header


def test_text_in_the_place_of_the_key_id_is_never_logged(client: TestClient, keys: Keys,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    secret = split_key(keys.read)[1]
    # a key pasted without its id, whose secret has an underscore: the part before it sits where the id goes
    for mangled in (f"ek_read_Secret0Part_{secret}", f"ek_read_{secret}_x", f"ek_read_{'a' * 5000}_x"):
        assert client.get("/api/v1/metrics", headers={"Authorization": f"Bearer {mangled}"}).status_code == 401
    assert [x["key_id"] for x in lines(caplog)] == [None] * 3
    assert "Secret0Part" not in caplog.text and secret not in caplog.text and "a" * 100 not in caplog.text


def test_refusals_under_a_flood_log_the_key_id_and_no_secret(client: TestClient, keys: Keys,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    use_clock(client.app, Clock())
    caplog.set_level(logging.INFO, logger=LOGGER)
    guesses = [f"{keys.write[:-8]}{n:08d}" for n in range(FREE_FAILURES + 1)]
    statuses = [client.post("/v1/track", json={"userId": "u1", "event": "x"}, headers=basic(key)).status_code
                for key in guesses]
    assert statuses[-1] == 429
    assert {(x["status"], x["key_id"]) for x in lines(caplog)} == {(401, keys.write_id), (429, keys.write_id)}
    for key in (*guesses, keys.write):
        assert split_key(key)[1] not in caplog.text
