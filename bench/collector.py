"""Collector throughput on loopback: batches of 100 events from 16 connections for a fixed time,
then acknowledged vs stored, beside the same events ingested from a file in the same run.

    python bench/collector.py [--seconds 60] [--connections 16] [--batch 100]

The load generator runs in this process (bare HTTP/1.1 on asyncio streams, request bodies filled
in from a template) on the same cores as the server, so the figure is a floor for what a
separate client machine would reach. On a shared, busy
machine the rate says more about the neighbours than about engagekit; the server's CPU time
per event (from /proc, during the load and then for draining the rest) does not.
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import orjson
import pyarrow as pa
from rich.console import Console
from rich.table import Table

from engagekit.access.keys import create_key
from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.store import connect


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def batch(worker: int, number: int, size: int) -> dict:
    return {"batch": [{"type": "track", "event": "Product Viewed", "userId": f"u{worker}-{number % 500}",
                       "messageId": f"w{worker}-b{number}-m{i}", "timestamp": "2026-10-15T12:00:00Z",
                       "properties": {"product_id": f"P{i}", "price": 9.5}} for i in range(size)]}


def acknowledged_ids(batches: list[tuple[int, int]], size: int) -> list[str]:
    """The message ids of the batches (worker, number) that were answered 200."""
    return [f"w{worker}-b{number}-m{i}" for worker, number in batches for i in range(size)]


def body_template(worker: int, size: int) -> tuple[bytes, bytes, bytes]:
    """A worker's batch body with markers where the batch number and the user go: filling them
    in costs microseconds, so the load generator leaves the cores to the server."""
    body = orjson.dumps(batch(worker, 0, size))
    number, user = b"\x00", b"\x01"
    body = body.replace(b"-b0-", b"-b" + number + b"-").replace(f'"u{worker}-0"'.encode(), f'"u{worker}-'.encode() + user + b'"')
    return body, number, user


async def load(base: str, key: str, seconds: float, connections: int, size: int) -> tuple[list[tuple[int, int]], list[float]]:
    """Post batches until time is up; the (worker, batch number) of every batch acknowledged with
    200 and each latency. Each connection is a bare HTTP/1.1 keep-alive stream (a full client
    library costs about as much CPU per request as the server, on the same cores)."""
    acknowledged: list[tuple[int, int]] = []
    latencies: list[float] = []
    deadline = time.monotonic() + seconds
    url = urlsplit(base)
    auth = base64.b64encode(f"{key}:".encode()).decode()
    head = (f"POST /v1/batch HTTP/1.1\r\nHost: {url.netloc}\r\nAuthorization: Basic {auth}\r\n"
            "Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n")

    async def worker(index: int) -> None:
        template, number_marker, user_marker = body_template(index, size)
        reader, writer = await asyncio.open_connection(url.hostname, url.port)
        number = 0
        while time.monotonic() < deadline:
            payload = template.replace(number_marker, str(number).encode()).replace(user_marker, str(number % 500).encode())
            started = time.perf_counter()
            writer.write(head.format(length=len(payload)).encode() + payload)
            status = await response_status(reader)
            latencies.append(time.perf_counter() - started)
            if status == 200:
                acknowledged.append((index, number))
            number += 1
        writer.close()
        await writer.wait_closed()

    await asyncio.gather(*(worker(i) for i in range(connections)))
    return acknowledged, latencies


async def response_status(reader: asyncio.StreamReader) -> int:
    """Read one HTTP/1.1 response (the server always sends Content-Length); its status."""
    headers = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    length = next(int(h.split(":", 1)[1]) for h in headers if h.lower().startswith("content-length:"))
    await reader.readexactly(length)
    return int(headers[0].split(" ", 2)[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time so far of a process and its children (the collector's converter
    helper), from Linux /proc; 0 elsewhere."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1]
        except OSError:
            continue
        fields = fields.split()
        if stat.parent.name == str(pid) or fields[1] == str(pid):
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


@contextlib.contextmanager
def serving(url: str) -> Iterator[tuple[subprocess.Popen, str]]:
    """`engagekit serve` on the store at `url` on a free loopback port, once it answers: its
    process and base URL; stopped (SIGTERM: it drains its spool) at the end of the block."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "engagekit", "--store", url, "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield server, base
    finally:
        server.terminate()
        server.wait(timeout=120)


def wait_drained(base: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if httpx.get(f"{base}/readyz", timeout=5).json()["spool_pending_bytes"] == 0:
            return
        time.sleep(0.2)
    raise RuntimeError("the spool did not drain")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = f"duckdb:///{folder / 'collector.duckdb'}"
        with connect(url) as store:
            _, key = create_key(store, "write", "bench")
        with serving(url) as (server, base):
            cpu_start = cpu_seconds(server.pid)
            batches, latencies = asyncio.run(load(base, key, args.seconds, args.connections, args.batch))
            cpu_load = cpu_seconds(server.pid) - cpu_start
            wait_drained(base)
            acknowledged = acknowledged_ids(batches, args.batch)
            cpu_total = cpu_seconds(server.pid) - cpu_start
        with connect(url) as store:
            events = store.table("events")
            with store.staged(pa.table({"event_id": acknowledged})) as acked:
                lost = acked.anti_join(events, "event_id").count().to_pyarrow().as_py()
            doubled = store.count("events") - events.event_id.nunique().to_pyarrow().as_py()
        lines = folder / "events.jsonl"
        with lines.open("w") as handle:
            for worker_batch in (batch(0, n, args.batch) for n in range(max(1, len(acknowledged) // args.batch))):
                for message in worker_batch["batch"]:
                    handle.write(json.dumps(message) + "\n")
        with connect(f"duckdb:///{folder / 'file.duckdb'}") as store:
            started = time.perf_counter()
            report = ingest_file(store, lines, IngestOptions(), Vocabulary())
            file_seconds = time.perf_counter() - started
    rate = len(acknowledged) / args.seconds
    p99 = statistics.quantiles(latencies, n=100)[98] if len(latencies) > 100 else max(latencies)
    table = Table(title=f"Collector, {args.connections} connections x batches of {args.batch}, {args.seconds:.0f} s")
    per_event = 1e6 / max(1, len(acknowledged))
    for column in ("path", "events", "events/s", "p99 ms", "lost", "doubled", "server CPU µs/event", "target"):
        table.add_column(column, justify="left" if column == "path" else "right")
    table.add_row("HTTP /v1/batch", f"{len(acknowledged):,}", f"{rate:,.0f}", f"{p99 * 1000:.0f}",
                  f"{lost:,}", f"{doubled:,}",
                  f"{cpu_load * per_event:.1f} under load, {cpu_total * per_event:.1f} with drain",
                  ">= 50,000/s, p99 < 250 ms, 0 lost")
    table.add_row("file ingest (JSON Lines)", f"{report.stored:,}", f"{report.stored / file_seconds:,.0f}", "-", "-",
                  "-", "-", "-")
    Console(width=200).print(table)


if __name__ == "__main__":
    main()
