"""Collector fixtures: a DuckDB store with keys, and the app under FastAPI's TestClient."""
from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from engagekit.api import CollectorLimits, create_key
from engagekit.config import Settings
from engagekit.server import create_server
from engagekit.store import connect

FAST = CollectorLimits(drain_interval_ms=50)


@dataclass(frozen=True)
class Keys:
    write: str
    read: str
    write_id: str


def basic(key: str) -> dict[str, str]:
    """The Authorization header Segment clients send: the key as Basic user name, no password."""
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    return f"duckdb:///{tmp_path / 'engagekit.duckdb'}"


@pytest.fixture
def keys(store_url: str) -> Keys:
    with connect(store_url) as store:
        write_info, write = create_key(store, "write", "site")
        _, read = create_key(store, "read", "dashboard")
    return Keys(write, read, write_info.key_id)


@pytest.fixture
def client(store_url: str, keys: Keys) -> Iterator[TestClient]:
    with TestClient(create_server(store_url, Settings(), FAST)) as test_client:
        yield test_client


def drained(client: TestClient, timeout: float = 10.0) -> None:
    """Wait until everything acknowledged so far is in the store."""
    spool = client.app.state.collector.spool
    deadline = time.monotonic() + timeout
    while spool.pending_bytes and time.monotonic() < deadline:
        time.sleep(0.02)
    assert spool.pending_bytes == 0, "the spool did not drain"


def rows(client: TestClient, sql: str) -> list[tuple]:
    """Query the store the running app owns."""
    collector = client.app.state.collector
    with collector.store_lock:
        return collector.store.backend.con.execute(sql).fetchall()
