"""Dashboard server time per page on the demo company: cold (cache cleared before each load, so the
page is computed) and warm (served from the result cache, as after the background warm-up).

    python bench/dashboard.py [--customers 105000]              # about 20M events, in a temp folder
    python bench/dashboard.py --store /tmp/bench_dashboard      # generate and load once, reuse after
    python bench/dashboard.py --customers 1500 --loads 20 --cold-loads 3

The app is the real one (`create_app`, as `engagekit serve` runs it) under FastAPI's TestClient,
logged in with a read key; server time is the page's `Server-Timing` header (the time from the
request reaching the page to the rendered HTML). The warmer is waited for first, so the warm
column is what a visitor sees once the store has been warmed after an ingest.

Prints: the store's size, the warm-up time, and per page p50/p95 of cold and warm server time.
"""
from __future__ import annotations

import argparse
import re
import statistics
import time
from pathlib import Path

from demo_store import add_store_options, bench_folder, demo_store, store_url
from fastapi.testclient import TestClient
from rich.console import Console
from rich.table import Table

from engagekit.api import create_key
from engagekit.config import Settings
from engagekit.server import create_server

PAGES = ("/", "/journey", "/funnels", "/retention", "/engagement", "/customers", "/data")
WARM_TIMEOUT = 3 * 3600


def read_key(folder: Path, customers: int, console: Console) -> tuple[str, str]:
    """The store URL (built on first use) and a new read key."""
    with demo_store(folder, customers, console) as store:
        _, key = create_key(store, "read", "bench")
    return store_url(folder), key


def server_ms(client: TestClient, path: str) -> float:
    """The page's server time in milliseconds (its Server-Timing header); the page must answer 200."""
    response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}: {response.text[:300]}")
    return float(re.search(r"dur=([\d.]+)", response.headers["server-timing"]).group(1))


def wait_warm(client: TestClient) -> float:
    """Seconds until the warmer has warmed the current data version."""
    app = client.app
    started = time.perf_counter()
    while time.perf_counter() - started < WARM_TIMEOUT:
        warmer = app.state.dashboard_warmer
        if warmer.warmed is not None and warmer.warmed == app.state.dashboard.version(fresh=True):
            return time.perf_counter() - started
        time.sleep(0.5)
    raise SystemExit("the warmer did not finish")


def quantiles(values: list[float]) -> tuple[float, float]:
    """p50 and p95 (nearest rank) of the samples, in milliseconds."""
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return statistics.median(ordered), p95


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_store_options(parser)
    parser.add_argument("--loads", type=int, default=20, help="warm loads per page")
    parser.add_argument("--cold-loads", type=int, default=3, help="cold loads per page (each computes the page)")
    args = parser.parse_args()
    console = Console()
    with bench_folder(args.store) as folder:
        url, key = read_key(folder, args.customers, console)
        with TestClient(create_server(url, Settings())) as client:
            events = client.app.state.dashboard.version(fresh=True).events
            client.post("/login", data={"key": key, "next": "/"})
            warm_s = wait_warm(client)
            cache = client.app.state.dashboard.cache
            table = Table(title=f"Dashboard server time per page, {events:,} demo events (DuckDB, ms)")
            for name in ("page", "cold p50", "cold p95", "warm p50", "warm p95", "<= 1 s warm"):
                table.add_column(name, justify="left" if name == "page" else "right")
            warm = {path: [server_ms(client, path) for _ in range(args.loads)] for path in PAGES}
            cold: dict[str, list[float]] = {path: [] for path in PAGES}
            for path in PAGES:
                for _ in range(args.cold_loads):
                    cache.clear()
                    cold[path].append(server_ms(client, path))
            for path in PAGES:
                (cold50, cold95), (warm50, warm95) = quantiles(cold[path]), quantiles(warm[path])
                table.add_row(path, f"{cold50:,.0f}", f"{cold95:,.0f}", f"{warm50:,.1f}", f"{warm95:,.1f}",
                              "yes" if warm95 <= 1000 else "no")
            console.print(f"background warm-up of the default views: {warm_s:.1f} s")
            console.print(table)


if __name__ == "__main__":
    main()
