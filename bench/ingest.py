"""Ingest throughput: engagekit against a bare DuckDB INSERT ... SELECT of the same file.

    python bench/ingest.py [--events 2000000]

Prints one row per format: events/s of each and their ratio. engagekit's figure includes
reading, vocabulary, UTC conversion, validation, dedupe against the store and the batch
record; the baseline only copies the file into a table of the same schema.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from rich.console import Console
from rich.table import Table

from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.store import connect

EVENTS = np.array(["page_viewed", "product_viewed", "product_added", "order_completed", "logged_in", "feature_used"])


def synthetic_events(n: int, seed: int = 1) -> pa.Table:
    """n events of 20k customers over 2025, with ids, revenue on orders and JSON properties."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2025-01-01T00:00:00", "us")  # a year that has passed: later times are refused
    ts = start + rng.integers(0, 365 * 86_400_000_000, n).astype("timedelta64[us]")
    names = EVENTS[rng.integers(0, len(EVENTS), n)]
    customers = np.char.add("C", rng.integers(0, 20_000, n).astype(str))
    revenue = np.where(names == "order_completed", np.round(rng.gamma(2.0, 30.0, n), 2), np.nan)
    products = rng.integers(0, 500, n).astype(str)
    properties = np.char.add(np.char.add('{"product_id":"P', products), '"}')
    return pa.table({
        "event_id": pa.array(np.char.add("e", np.arange(n).astype(str))),
        "ts": pa.array(ts, pa.timestamp("us", tz="UTC")),
        "event": pa.array(names),
        "customer_id": pa.array(customers),
        "channel": pa.array(np.full(n, "web")),
        "revenue": pa.array(revenue, from_pandas=True),
        "properties": pa.array(properties),
    })


def baseline_seconds(path: Path, fmt: str, workdir: Path) -> float:
    """A bare DuckDB copy of the file into a table, the floor any ingest is measured against."""
    con = duckdb.connect(str(workdir / f"baseline-{fmt}.duckdb"))
    reader = "read_parquet" if fmt == "parquet" else "read_csv"
    con.execute(f"CREATE TABLE events AS SELECT * FROM {reader}(?) LIMIT 0", [str(path)])
    started = time.perf_counter()
    con.execute(f"INSERT INTO events SELECT * FROM {reader}(?)", [str(path)])
    elapsed = time.perf_counter() - started
    con.close()
    return elapsed


def engagekit_seconds(path: Path, fmt: str, workdir: Path) -> tuple[float, int]:
    store = connect(f"duckdb:///{workdir / f'engagekit-{fmt}.duckdb'}")
    started = time.perf_counter()
    report = ingest_file(store, path, IngestOptions(), Vocabulary())
    elapsed = time.perf_counter() - started
    store.close()
    return elapsed, report.stored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2_000_000)
    args = parser.parse_args()
    table = synthetic_events(args.events)
    results = Table(title=f"Ingest of {args.events:,} events into the DuckDB store")
    for name in ("format", "engagekit s", "engagekit events/s", "bare DuckDB s", "bare events/s", "ratio", "target"):
        results.add_column(name, justify="right")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        files = {"parquet": workdir / "events.parquet", "csv": workdir / "events.csv"}
        pq.write_table(table, files["parquet"])
        pacsv.write_csv(table, files["csv"])
        targets = {"parquet": 1_000_000, "csv": 300_000}
        for fmt, path in files.items():
            ours, stored = engagekit_seconds(path, fmt, workdir)
            assert stored == args.events, f"{fmt}: stored {stored} of {args.events}"
            bare = baseline_seconds(path, fmt, workdir)
            rate = args.events / ours
            met = rate >= targets[fmt] and ours <= 2 * bare
            results.add_row(fmt, f"{ours:.2f}", f"{rate:,.0f}", f"{bare:.2f}", f"{args.events / bare:,.0f}",
                            f"{ours / bare:.2f}x", f">= {targets[fmt]:,}/s, <= 2x: {'met' if met else 'NOT met'}")
    Console().print(results)


if __name__ == "__main__":
    main()
