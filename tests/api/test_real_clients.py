"""Over real HTTP: the Segment Python SDK round trip into a KPI, and kill -9 mid-load."""
from __future__ import annotations

import json
import os
import signal
import threading
import time
import uuid
from datetime import date, datetime, timezone
from pathlib import Path

import httpx
import segment.analytics as analytics

from engagekit.access.keys import split_key
from engagekit.metrics.catalog import load_catalog
from engagekit.metrics.engine import compute
from engagekit.store import connect
from tests.api.conftest import Keys, basic
from tests.api.server import start, stop, wait_drained


def test_segment_sdk_events_reach_a_kpi(store_url: str, keys: Keys, tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    process, base = start(store_url, log)
    try:
        client = analytics.Client(write_key=keys.write, host=base, sync_mode=True, max_retries=0)
        when = datetime(2026, 11, 20, 10, tzinfo=timezone.utc)
        client.track(user_id="u1", event="Order Completed", properties={"revenue": 42.5, "order_id": "o1"},
                     timestamp=when, message_id="sdk-1")
        client.track(user_id="u2", event="Order Completed", properties={"revenue": 7.5}, timestamp=when)
        client.flush()
        wait_drained(base)
    finally:
        stop(process)
    with connect(store_url) as store:
        events = store.table("events").to_pyarrow().to_pylist()
        assert {e["event"] for e in events} == {"order_completed"}
        assert {e["event_id"] for e in events} >= {"sdk-1"}
        result = compute(store, load_catalog(), ["orders", "revenue"], date(2026, 11, 1), date(2026, 12, 1))
        values = {row["metric"]: row["value"] for row in result.to_dict()["rows"]}
    assert values == {"orders": 2, "revenue": 50.0}
    # the server logged one JSON access line per request, with the key's id and never its secret
    access = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    assert {(a["path"], a["status"], a["key_id"]) for a in access if a["method"] == "POST"} == {
        ("/v1/batch", 200, keys.write_id)}
    assert split_key(keys.write)[1] not in log.read_text()


def test_sigterm_drains_the_spool_before_exit(store_url: str, keys: Keys, tmp_path: Path) -> None:
    process, base = start(store_url, tmp_path / "server.log")
    ids = [f"t-{i}" for i in range(2000)]
    with httpx.Client(base_url=base, headers=basic(keys.write)) as http:
        for start_at in range(0, len(ids), 100):
            batch = [{"type": "track", "messageId": i, "event": "Logged In", "userId": "u1",
                      "timestamp": "2026-11-20T10:00:00Z"} for i in ids[start_at:start_at + 100]]
            assert http.post("/v1/batch", json={"batch": batch}).status_code == 200
    stop(process)  # SIGTERM right after the last acknowledgement (uvicorn re-raises it once shut down)
    assert not list((tmp_path / "engagekit.duckdb.spool").glob("segment-*.jsonl"))
    with connect(store_url) as store:
        assert sorted(store.table("events").event_id.to_pyarrow().to_pylist()) == sorted(ids)


def test_kill_9_mid_load_loses_and_doubles_nothing(store_url: str, keys: Keys, tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    process, base = start(store_url, log)
    acknowledged: list[str] = []
    lock = threading.Lock()
    stop_sending = threading.Event()

    def send() -> None:
        with httpx.Client(base_url=base, headers=basic(keys.write), timeout=5) as http:
            while not stop_sending.is_set():
                ids = [f"c-{uuid.uuid4().hex}" for _ in range(100)]
                batch = {"batch": [{"type": "track", "messageId": i, "event": "Logged In", "userId": "u1",
                                    "timestamp": "2026-11-20T10:00:00Z"} for i in ids]}
                try:
                    response = http.post("/v1/batch", json=batch)
                except httpx.TransportError:
                    return
                if response.status_code == 200:
                    with lock:
                        acknowledged.extend(ids)

    senders = [threading.Thread(target=send) for _ in range(4)]
    for sender in senders:
        sender.start()
    time.sleep(2.0)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    stop_sending.set()
    for sender in senders:
        sender.join()
    assert len(acknowledged) >= 1000
    spool = tmp_path / "engagekit.duckdb.spool"
    assert any(spool.glob("segment-*.jsonl")), "the kill should leave acknowledged events in the spool"

    process, base = start(store_url, log)
    try:
        wait_drained(base)
        # the same batches again (a client retrying) change nothing
        with httpx.Client(base_url=base, headers=basic(keys.write)) as http:
            retry = [{"type": "track", "messageId": i, "event": "Logged In", "userId": "u1",
                      "timestamp": "2026-11-20T10:00:00Z"} for i in acknowledged[:100]]
            assert http.post("/v1/batch", json={"batch": retry}).status_code == 200
        wait_drained(base)
    finally:
        stop(process)
    with connect(store_url) as store:
        con = store.backend.con
        total, distinct = con.execute("select count(*), count(distinct event_id) from events").fetchone()
        stored = {row[0] for row in con.execute("select event_id from events").fetchall()}
    assert total == distinct
    assert set(acknowledged) <= stored
