"""One message never stalls intake: what cannot be converted is quarantined with its reason, a
segment that keeps failing is dead-lettered after a bounded number of attempts, and shutdown
ends even when a segment cannot be drained."""
from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from engagekit.api import drain
from engagekit.api.drain import MAX_ATTEMPTS, DrainFailed, Drainer, ingest_segment
from engagekit.api.segment import spool_line
from engagekit.ingest.limits import JSON_DEPTH_REASON, MAX_JSON_DEPTH
from engagekit.api.spool import Spool
from engagekit.ingest.events import EventRules
from engagekit.ingest.vocabulary import Vocabulary
from engagekit.store import Store, connect
from tests.api.conftest import Keys, basic, drained, rows

RECEIVED = datetime(2026, 11, 20, 10, 0, 1, tzinfo=timezone.utc)


def track(message_id: str, **extra: object) -> dict:
    return {"type": "track", "messageId": message_id, "event": "Logged In", "userId": "u1",
            "timestamp": "2026-11-20T10:00:00Z", **extra}


def nested(levels: int) -> dict:
    value: dict = {"leaf": 1}
    for _ in range(levels - 1):
        value = {"a": value}
    return value


def spooled(spool: Spool, *messages: dict) -> Path:
    """A sealed segment holding one /v1/batch request of `messages`, written as an older
    collector without today's envelope checks would have spooled it."""
    payload = {"batch": list(messages)}
    spool.append([spool_line("k1", "batch", payload, json.dumps(payload).encode(), RECEIVED)], len(messages))
    spool.seal()
    return spool.sealed()[-1]


def quarantine(store: Store) -> list[dict]:
    return store.table("quarantine").order_by("row").select("row", "field", "reason").to_pyarrow().to_pylist()


def test_deeply_nested_properties_are_quarantined_and_intake_goes_on(client: TestClient, keys: Keys) -> None:
    # 300 levels in under 32 KB: accepted before, then the drainer failed on it forever
    deep = track("deep", properties=nested(300))
    assert len(json.dumps(deep)) < 32 * 1024
    batch = {"batch": [deep, track("deep-enough", properties=nested(MAX_JSON_DEPTH)), track("ok")]}
    assert client.post("/v1/batch", json=batch, headers=basic(keys.write)).status_code == 200
    assert client.post("/v1/track", json=track("after"), headers=basic(keys.write)).status_code == 200
    drained(client)
    assert sorted(rows(client, "select event_id from events")) == [("after",), ("deep-enough",), ("ok",)]
    ((row, field, reason),) = rows(client, "select row, field, reason from quarantine")
    assert (row, field, reason) == (1, "properties", JSON_DEPTH_REASON)


def test_properties_just_past_the_depth_limit_are_quarantined(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool", max_pending_bytes=10**9)
    segment = spooled(spool, track("deep", properties=nested(MAX_JSON_DEPTH + 1)), track("ok"))
    with connect(f"duckdb:///{tmp_path / 'engagekit.duckdb'}") as store:
        (report,) = ingest_segment(store, segment, Vocabulary(), EventRules())
        assert (report.received, report.stored, report.quarantined) == (2, 1, 1)
        assert quarantine(store)[0]["reason"] == JSON_DEPTH_REASON


def test_a_corrected_time_past_the_calendar_is_quarantined_and_intake_goes_on(client: TestClient, keys: Keys) -> None:
    # timestamp 9999-12-31 + (receivedAt - sentAt of 2000) overflows the calendar
    poison = track("late", timestamp="9999-12-31T23:00:00Z", sentAt="2000-01-01T00:00:00Z")
    assert client.post("/v1/batch", json={"batch": [poison, track("ok")]}, headers=basic(keys.write)).status_code == 200
    assert client.post("/v1/track", json=track("after"), headers=basic(keys.write)).status_code == 200
    drained(client)
    assert sorted(rows(client, "select event_id from events")) == [("after",), ("ok",)]
    ((row, field, reason),) = rows(client, "select row, field, reason from quarantine")
    assert (row, field) == (1, "timestamp") and "leaves the calendar" in reason
    assert rows(client, "select sum(received), sum(stored), sum(quarantined) from ingest_batches") == [(3, 2, 1)]
    assert client.get("/readyz").json()["status"] == "ready"


def test_a_message_that_cannot_be_written_as_json_is_quarantined_alone(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool", max_pending_bytes=10**9)
    segment = spooled(spool, track("deep", properties=nested(300)), track("ok"))
    with connect(f"duckdb:///{tmp_path / 'engagekit.duckdb'}") as store:
        (report,) = ingest_segment(store, segment, Vocabulary(), EventRules())
        assert (report.received, report.stored, report.quarantined) == (2, 1, 1)
        assert store.table("events").event_id.to_pyarrow().to_pylist() == ["ok"]
        ((rejected),) = quarantine(store)
        assert rejected["row"] == 1 and rejected["field"] == "properties"


@pytest.fixture
def failing_drainer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A drainer over a spool of two segments, the first of which fails to ingest every time
    (as an unforeseen bug would), and its store."""
    spool = Spool(tmp_path / "spool", max_pending_bytes=10**9)
    poisoned = spooled(spool, track("p1"), track("p2"))
    spooled(spool, track("later"))
    real = drain.ingest_segment

    def ingest(store: Store, path: Path, *args: object) -> list:
        if path == poisoned:
            raise ValueError("an unforeseen failure")
        return real(store, path, *args)

    monkeypatch.setattr(drain, "ingest_segment", ingest)
    with connect(f"duckdb:///{tmp_path / 'engagekit.duckdb'}") as store:
        yield Drainer(spool, store, threading.Lock(), Vocabulary(), EventRules(), 0.05, 1000), store


def test_a_segment_that_keeps_failing_is_dead_lettered_after_bounded_attempts(failing_drainer) -> None:
    drainer, store = failing_drainer
    for attempt in range(1, MAX_ATTEMPTS):
        with pytest.raises(DrainFailed, match=f"attempt {attempt} of {MAX_ATTEMPTS}"):
            drainer.drain()
        assert store.count("events") == 0  # order kept: nothing after the failing segment yet
    assert drainer.drain() == 2  # the dead letter, then the next segment
    assert store.table("events").event_id.to_pyarrow().to_pylist() == ["later"]
    assert [(r["row"], r["field"]) for r in quarantine(store)] == [(1, "*"), (2, "*")]
    assert all(f"after {MAX_ATTEMPTS} attempts: ValueError: an unforeseen failure" in r["reason"]
               for r in quarantine(store))
    batches = store.table("ingest_batches").order_by("started_at").to_pyarrow().to_pylist()
    assert [(b["received"], b["stored"], b["duplicate"], b["quarantined"]) for b in batches] == [(2, 0, 0, 2), (1, 1, 0, 0)]
    assert drainer.spool.sealed() == []


def test_attempts_pause_longer_each_time(failing_drainer, monkeypatch: pytest.MonkeyPatch) -> None:
    drainer, _ = failing_drainer
    clock = [100.0]
    monkeypatch.setattr(drain.time, "monotonic", lambda: clock[0])
    pauses = []
    for _ in range(MAX_ATTEMPTS - 1):
        with pytest.raises(DrainFailed):
            drainer.drain()
        pauses.append(drainer._retry_at - clock[0])
    assert pauses == [0.5, 1.0, 2.0, 4.0]


def test_shutdown_ends_with_a_failing_segment_left_in_the_spool(failing_drainer) -> None:
    drainer, store = failing_drainer
    drainer.start()
    drainer.stop()  # returns: it does not retry at shutdown until the attempts run out
    assert len(drainer.spool.sealed()) >= 1
    assert store.count("quarantine") == 0


def test_a_corrupt_spool_line_is_dead_lettered_with_its_segment(tmp_path: Path) -> None:
    # bytes changed on disk: a complete line that no longer parses fails every conversion
    spool = Spool(tmp_path / "spool", max_pending_bytes=10**9)
    segment = spooled(spool, track("m1"), track("m2"))
    with segment.open("ab") as handle:
        handle.write(b'{"key":"k1","kind":"batch",garbage\n')
    with connect(f"duckdb:///{tmp_path / 'engagekit.duckdb'}") as store:
        drainer = Drainer(spool, store, threading.Lock(), Vocabulary(), EventRules(), 0.05, 1000)
        for _ in range(MAX_ATTEMPTS - 1):
            with pytest.raises(DrainFailed, match="JSONDecodeError"):
                drainer.drain()
        assert drainer.drain() == 1
        batches = store.table("ingest_batches").order_by("source").to_pyarrow().to_pylist()
        assert [(b["source"], b["received"], b["quarantined"]) for b in batches] == [("key:k1", 2, 2), ("spool", 1, 1)]
        assert any("spool line 2 does not parse" in r["reason"] for r in quarantine(store))
        assert store.count("events") == 0 and spool.sealed() == []
