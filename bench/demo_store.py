"""The demo company's DuckDB store for the benchmarks, built once and reused.

Every benchmark takes `--customers N` (105,000: about 20M events) and `--store FOLDER`: the
first run generates the demo files into FOLDER/files, loads them into FOLDER/bench.duckdb and
(unless the benchmark times that itself) builds the derived tables; later runs reuse the store.
Without `--store` the store lives in a temporary folder removed at the end.
"""
from __future__ import annotations

import argparse
import contextlib
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from rich.console import Console

from engagekit.config import Settings
from engagekit.demo.generate import DemoSpec, generate
from engagekit.demo.load import load_demo
from engagekit.derive import build_derived
from engagekit.store import Store, connect

STORE_FILE = "bench.duckdb"
DEFAULT_CUSTOMERS = 105_000  # about 20M events


def add_store_options(parser: argparse.ArgumentParser) -> None:
    """--customers and --store, the same for every benchmark."""
    parser.add_argument("--customers", type=int, default=DEFAULT_CUSTOMERS,
                        help="demo customers when the store is built (105000: about 20M events)")
    parser.add_argument("--store", type=Path, help="folder to keep the built store in, and to reuse it from")


@contextlib.contextmanager
def bench_folder(path: Path | None) -> Iterator[Path]:
    """The folder given with --store (created when missing), else a temporary one removed afterwards."""
    if path:
        path.mkdir(parents=True, exist_ok=True)
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="engagekit-bench-") as folder:
        yield Path(folder)


def store_url(folder: Path) -> str:
    return f"duckdb:///{folder / STORE_FILE}"


def demo_store(folder: Path, customers: int, console: Console, derive: bool = True) -> Store:
    """The open store of `folder`: reused when it holds events, else generated, loaded and
    (with `derive`) derived, with the time of each step printed."""
    store = connect(store_url(folder))
    if store.count("events"):
        console.print(f"reusing {folder / STORE_FILE} ({store.count('events'):,} events)")
        return store
    started = time.perf_counter()
    files = generate(DemoSpec(customers=customers), folder / "files")
    generated = time.perf_counter()
    load_demo(store, files, Settings())
    loaded = time.perf_counter()
    steps = f"generate {generated - started:.1f} s, ingest {loaded - generated:.1f} s"
    if derive:
        build_derived(store)
        steps += f", derive {time.perf_counter() - loaded:.1f} s"
    events = store.count("events")
    console.print(f"built {folder / STORE_FILE}: {events:,} events; {steps} "
                  f"({events / (loaded - generated):,.0f} events/s ingested)")
    return store
