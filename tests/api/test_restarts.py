"""Restarts of `engagekit serve` lose no acknowledged event: after clean stops (SIGTERM, the
spool drained and empty) and after kills (SIGKILL, segments left behind), under load."""
from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import httpx

from engagekit.api import create_key
from engagekit.store import connect
from tests.api.conftest import basic
from tests.api.server import start, stop, wait_drained


def track(message_id: str) -> dict:
    return {"type": "track", "messageId": message_id, "event": "Logged In", "userId": "u1",
            "timestamp": "2026-11-20T10:00:00Z"}


def stored_ids(url: str) -> list[str]:
    with connect(url) as store:
        return sorted(store.table("events").event_id.to_pyarrow().to_pylist())


def write_key(url: str) -> str:
    with connect(url) as store:
        return create_key(store, "write", "site")[1]


def test_events_sent_after_a_clean_restart_are_all_stored(tmp_path: Path) -> None:
    # The first run drains run1-a and stops with an empty spool; the second run's first
    # segment must not be taken for the first run's (committed) one and deleted unread.
    url = f"duckdb:///{tmp_path / 'engagekit.duckdb'}"
    key = write_key(url)
    log = tmp_path / "server.log"
    for run, ids in enumerate((["run1-a"], ["run2-a", "run2-b"])):
        process, base = start(url, log)
        try:
            for message_id in ids:
                answer = httpx.post(f"{base}/v1/track", json=track(message_id), headers=basic(key), timeout=10)
                assert answer.status_code == 200, answer.text
                wait_drained(base)  # each message its own segment, drained before the next
        finally:
            stop(process)
    assert stored_ids(url) == ["run1-a", "run2-a", "run2-b"]


class Sender(threading.Thread):
    """A client that sends batches of fresh message ids and, like the Segment SDKs, sends a batch
    again until it is acknowledged (a 200); refused connections while the server restarts are
    retried. `acknowledged` holds every id the server answered 200 for."""

    def __init__(self, name: str, key: str, base: list[str], stop_sending: threading.Event) -> None:
        super().__init__(name=name, daemon=True)
        self.key, self.base, self.stop_sending = key, base, stop_sending
        self.acknowledged: list[str] = []

    def run(self) -> None:
        with httpx.Client(timeout=10) as client:
            number = 0
            while not self.stop_sending.is_set():
                ids = [f"{self.name}-{number}-{i}" for i in range(20)]
                number += 1
                while True:  # until acknowledged, even after stop_sending: a sent batch is finished
                    try:
                        answer = client.post(f"{self.base[0]}/v1/batch", json={"batch": [track(i) for i in ids]},
                                             headers=basic(self.key))
                    except httpx.TransportError:
                        answer = None
                    if answer is not None and answer.status_code == 200:
                        self.acknowledged.extend(ids)
                        break
                    if answer is not None and answer.status_code not in (429, 503):
                        raise AssertionError(f"{answer.status_code}: {answer.text}")
                    time.sleep(0.05)  # the client's back-off between attempts, not the test waiting


def test_restarts_under_load_store_exactly_what_was_acknowledged(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path / 'engagekit.duckdb'}"
    key = write_key(url)
    log = tmp_path / "server.log"
    process, address = start(url, log)
    base = [address]
    stop_sending = threading.Event()
    senders = [Sender(f"s{n}", key, base, stop_sending) for n in range(4)]
    for sender in senders:
        sender.start()
    try:
        for restart in range(6):
            deadline = time.monotonic() + 1.5
            while time.monotonic() < deadline and all(s.is_alive() for s in senders):
                time.sleep(0.1)  # let the senders work against this run of the server
            if restart % 3 == 2:
                os.kill(process.pid, signal.SIGKILL)  # a crash: segments stay in the spool
                process.wait(timeout=30)
            else:
                stop(process)  # a clean stop: the spool drains and is left empty
            process, base[0] = start(url, log)
        stop_sending.set()
        for sender in senders:
            sender.join(timeout=60)
            assert not sender.is_alive(), "a sender did not finish"
        wait_drained(base[0])
    finally:
        stop_sending.set()
        stop(process)
    acknowledged = sorted(i for sender in senders for i in sender.acknowledged)
    assert len(acknowledged) > 100
    assert stored_ids(url) == acknowledged
    assert "Traceback" not in log.read_text()
