"""Floods of wrong secrets for a real key id: they cost a bounded number of scrypts, wait for
nothing, and never lock the key's owner out (scrypt calls counted, not wall time)."""
from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor, as_completed

import pytest
from fastapi.testclient import TestClient

from engagekit.access.keyguard import BACKOFF_FIRST_SECONDS, FREE_FAILURES, VERIFY_SLOTS
from engagekit.api import CollectorLimits
from engagekit.api import app as app_module
from engagekit.config import Settings
from engagekit.server import create_server
from tests.api.conftest import Keys, basic
from tests.api.keychecks import Clock, count_hashes, use_clock, wrong

FLOOD = 60  # more than the app's threadpool (40 threads): the old code queued the rest
WAIT_SECONDS = 20  # for answers that should come at once; only a regression ever waits this long


def track(message_id: str) -> dict:
    return {"userId": "u1", "event": "Logged In", "messageId": message_id, "timestamp": "2026-11-20T10:00:00Z"}


def test_a_flood_is_refused_at_once_beyond_the_verify_slots_and_the_valid_key_is_served_meanwhile(
        client: TestClient, keys: Keys, monkeypatch: pytest.MonkeyPatch) -> None:
    assert client.get("/api/v1/metrics", headers=basic(keys.read)).status_code == 200  # both keys verified once
    assert client.post("/v1/track", json=track("m0"), headers=basic(keys.write)).status_code == 200
    hashes = count_hashes(monkeypatch)
    hashes.hold()  # the flood's first scrypts never finish until the end of the test
    with ThreadPoolExecutor(FLOOD) as pool:
        try:
            flood: list[Future] = [pool.submit(client.get, "/api/v1/metrics", headers=basic(wrong(keys.read, n)))
                                   for n in range(FLOOD)]
            refused = []
            for answered in as_completed(flood, timeout=WAIT_SECONDS):  # a queued flood times out here
                refused.append(answered.result())
                if len(refused) == FLOOD - VERIFY_SLOTS:
                    break
            assert hashes.calls == VERIFY_SLOTS
            assert {(r.status_code, r.headers["Retry-After"]) for r in refused} == {(503, "1")}
            # while the slots are held, the owner's verified keys are answered (and hash nothing)
            assert client.get("/api/v1/metrics", headers=basic(keys.read)).status_code == 200
            assert client.post("/v1/track", json=track("m1"), headers=basic(keys.write)).status_code == 200
            hashes.release()
            statuses = sorted(f.result().status_code for f in flood)
        finally:
            hashes.release()  # before the pool waits for its threads
    assert statuses == [401] * VERIFY_SLOTS + [503] * (FLOOD - VERIFY_SLOTS)
    assert hashes.calls == VERIFY_SLOTS


def test_a_failed_secret_is_refused_again_without_hashing(client: TestClient, keys: Keys,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    hashes = count_hashes(monkeypatch)
    answers = [client.post("/v1/track", json=track("m1"), headers=basic(wrong(keys.write, 0))).status_code
               for _ in range(20)]
    assert answers == [401] * 20 and hashes.calls == 1


def test_repeated_failures_back_off_the_key_id_but_not_its_verified_key(client: TestClient, keys: Keys,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    use_clock(client.app, clock)
    assert client.post("/v1/track", json=track("m1"), headers=basic(keys.write)).status_code == 200
    hashes = count_hashes(monkeypatch)

    def guess(n: int) -> tuple[int, str | None]:
        answer = client.post("/v1/track", json=track("m2"), headers=basic(wrong(keys.write, n)))
        return answer.status_code, answer.headers.get("Retry-After")

    assert [guess(n) for n in range(FREE_FAILURES)] == [(401, None)] * FREE_FAILURES
    assert [guess(n) for n in range(100, 110)] == [(429, str(int(BACKOFF_FIRST_SECONDS)))] * 10
    assert hashes.calls == FREE_FAILURES
    assert client.post("/v1/track", json=track("m3"), headers=basic(keys.write)).status_code == 200
    clock.advance(BACKOFF_FIRST_SECONDS)
    assert guess(200) == (401, None)  # one more scrypt, then twice the wait
    assert guess(201) == (429, str(int(2 * BACKOFF_FIRST_SECONDS)))
    assert hashes.calls == FREE_FAILURES + 1
    assert client.post("/v1/track", json=track("m4"), headers=basic(keys.write)).status_code == 200
    unknown = client.post("/v1/track", json=track("m5"), headers=basic("ek_write_0123456789ab_secret"))
    assert unknown.status_code == 401 and hashes.calls == FREE_FAILURES + 1  # an unknown id costs no hash


def test_the_read_api_backs_off_guesses_and_serves_the_verified_key(client: TestClient, keys: Keys,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    use_clock(client.app, Clock())
    assert client.get("/api/v1/metrics", headers=basic(keys.read)).status_code == 200
    hashes = count_hashes(monkeypatch)
    answers = [client.get("/api/v1/metrics", headers={"Authorization": f"Bearer {wrong(keys.read, n)}"})
               for n in range(FREE_FAILURES + 5)]
    assert [a.status_code for a in answers] == [401] * FREE_FAILURES + [429] * 5
    assert answers[-1].headers["Retry-After"] == str(int(BACKOFF_FIRST_SECONDS))
    assert hashes.calls == FREE_FAILURES
    assert client.get("/api/v1/metrics", headers=basic(keys.read)).status_code == 200


def test_guesses_never_use_up_the_rate_of_the_verified_key(store_url: str, keys: Keys,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    strict = CollectorLimits(requests_per_second=0.5, request_burst=2)
    with TestClient(create_server(store_url, Settings(), strict)) as limited:
        use_clock(limited.app, Clock())
        assert limited.post("/v1/track", json=track("m0"), headers=basic(keys.write)).status_code == 200

        def send(key: str, n: int) -> int:
            return limited.post("/v1/track", json=track(f"m{n}"), headers=basic(key)).status_code

        assert [send(wrong(keys.write, n), n) for n in range(3)] == [401, 401, 429]  # the guesses' bucket: 2
        assert [send(keys.write, n) for n in range(2)] == [200, 429]  # the key's own bucket: 2 - m0


def test_concurrent_first_uses_of_a_valid_key_share_one_hash(client: TestClient, keys: Keys,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    hashes = count_hashes(monkeypatch)
    hashes.hold()
    with ThreadPoolExecutor(8) as pool:
        try:
            first = pool.submit(client.get, "/api/v1/metrics", headers=basic(keys.read))
            assert hashes.entered.wait(WAIT_SECONDS)
            others = [pool.submit(client.get, "/api/v1/metrics", headers=basic(keys.read)) for _ in range(7)]
            hashes.release()
            statuses = [f.result().status_code for f in [first, *others]]
        finally:
            hashes.release()
    assert statuses == [200] * 8 and hashes.calls == 1


def test_a_refused_header_key_costs_no_body_parsing(client: TestClient, keys: Keys,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A wrong key in the Authorization header is refused before the body is read and parsed."""
    parsed = []
    real = app_module.parse_request
    monkeypatch.setattr(app_module, "parse_request", lambda *args: parsed.append(1) or real(*args))
    body = {"batch": [{"type": "track", "event": "x", "userId": "u1"}]}
    forged = wrong(keys.write, 0)
    assert client.post("/v1/batch", json=body, headers=basic(forged)).status_code == 401
    assert parsed == []
    assert client.post("/v1/batch", json=body, headers=basic(keys.write)).status_code == 200
    assert parsed == [1]
