"""The result cache: repeated views come from it, an ingest refreshes them, the warmer fills it."""
from __future__ import annotations

import re
import threading
import time

from fastapi.testclient import TestClient

from engagekit.dashboard.cache import ResultCache
from engagekit.dashboard.pages import PAGES
from engagekit.dashboard.warm import Warmer
from tests.api.conftest import basic, drained
from tests.dashboard.conftest import Story
from tests.dashboard.test_pages import card, page


def test_an_ingest_through_the_collector_refreshes_the_pages(client: TestClient, story: Story) -> None:
    assert card(page(client, "/"), "revenue") == "180.00"
    assert card(page(client, "/"), "revenue") == "180.00"  # the same view again: from the cache
    event = {"type": "track", "event": "Order Completed", "userId": "u2", "messageId": "m-late-order",
             "timestamp": "2026-10-15T10:00:00Z", "properties": {"revenue": 20}}
    assert client.post("/v1/track", json=event, headers=basic(story.write)).status_code == 200
    drained(client)
    deadline = time.monotonic() + 60
    while card(page(client, "/"), "revenue") != "200.00" and time.monotonic() < deadline:
        time.sleep(0.2)  # the version is re-read every second; the older page is shown while recomputed
    text = page(client, "/")
    assert card(text, "revenue") == "200.00" and 'class="stale"' not in text  # 180 + u2's 20


def test_server_timing_header(client: TestClient) -> None:
    response = client.get("/")
    assert re.fullmatch(r"app;dur=[\d.]+", response.headers["server-timing"])


def test_the_warmer_computes_every_default_view(client: TestClient) -> None:
    dashboard = client.app.state.dashboard
    dashboard.cache.clear()
    warmer = Warmer(dashboard, min_events=0)
    warmer.warm_once()
    version = dashboard.version()
    assert warmer.warmed == version
    slugs = {key[0] for key in dashboard.cache.cached_keys() if key[0] != "meta"}
    assert slugs == {p.slug for p in PAGES.values() if p.warm}
    started = time.perf_counter()
    assert card(page(client, "/"), "revenue") == "180.00"
    assert time.perf_counter() - started < 0.5  # served from the warmed cache
    small = Warmer(dashboard)  # below MIN_EVENTS: pages are computed on demand
    dashboard.cache.clear()
    small.warm_once()
    assert small.warmed == version and not [k for k in dashboard.cache.cached_keys() if k[0] != "meta"]


def test_warm_ups_take_at_most_their_duty_share_of_the_time(client: TestClient) -> None:
    now = [100.0]
    warmer = Warmer(client.app.state.dashboard, min_events=0, gap=10, duty=0.1, clock=lambda: now[0])
    compute = client.app.state.dashboard.page_data
    client.app.state.dashboard.page_data = lambda *a, **k: (now.__setitem__(0, now[0] + 1.0), compute(*a, **k))
    client.app.state.dashboard.cache.clear()
    warmer.warm_once()  # one simulated second per warm page
    took = now[0] - 100.0
    assert took >= 2
    # next warm-up: after max(gap 10 s, took / duty 0.1) = 10 x took seconds
    now[0] += 10 * took - 0.5
    assert not warmer.due()
    now[0] += 1.0
    assert warmer.due()


def test_one_computation_per_key_under_concurrency() -> None:
    cache = ResultCache(entries=2)
    calls = []

    def slow() -> int:
        calls.append(1)
        time.sleep(0.2)
        return 42

    threads = [threading.Thread(target=cache.get_or_compute, args=("k", 1, slow)) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1 and cache.get("k", 1, slow) == (42, True)
    cache.get_or_compute("a", 1, lambda: 1)
    cache.get_or_compute("b", 1, lambda: 2)
    assert "k" not in cache and "a" in cache and "b" in cache  # least recently used goes first


def test_an_older_version_is_served_while_the_new_one_is_computed() -> None:
    cache = ResultCache()
    cache.get_or_compute("page", 1, lambda: "before the ingest")
    computed = threading.Event()

    def recompute() -> str:
        computed.wait(5)
        return "after the ingest"

    assert cache.get("page", 2, recompute) == ("before the ingest", False)  # at once, marked stale
    assert cache.get("page", 2, recompute) == ("before the ingest", False)  # one refresh in flight
    computed.set()
    deadline = time.monotonic() + 5
    while cache.get("page", 2, recompute)[1] is False and time.monotonic() < deadline:
        time.sleep(0.01)
    assert cache.get("page", 2, recompute) == ("after the ingest", True)
    assert cache.get("page", 3, lambda: "again", stale_ok=False) == ("again", True)  # the warmer waits
