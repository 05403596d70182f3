"""Key checks under a flood of wrong secrets on loopback: how long a valid key waits, and the
server CPU the flood costs, beside the same valid requests on a quiet server in the same run.

    python bench/auth_flood.py [--requests 1100] [--connections 100]

Anyone who knows a key id (it is public: logs, the dashboard, `events.source`) can send wrong
secrets for it. Three floods, each of `--requests` distinct wrong secrets for a real key id:
the read API with clients that hang up as soon as they have sent (the work left behind is
what hurts), the collector and the dashboard login with clients that wait for their answers.
During each flood a probe sends requests with the valid key (verified before, as a busy
key is) one after the other; after the flood it sends one more and times it. The server's CPU
time is read from /proc. Run it niced on a shared machine: `nice python bench/auth_flood.py`.
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import secrets
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlsplit

from collector import cpu_seconds, response_status, serving
from rich.console import Console
from rich.table import Table

from engagekit.access.keys import create_key, hash_secret, split_key
from engagekit.store import connect

QUIET_PROBES = 20
IDLE_CPU_SECONDS = 0.05  # the server counts as idle once it uses less than this in IDLE_WINDOW_SECONDS
IDLE_WINDOW_SECONDS = 0.5

Request = Callable[[str, str], bytes]  # (host, key) -> the bytes of one HTTP/1.1 request


def read_request(host: str, key: str) -> bytes:
    return (f"GET /api/v1/metrics HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {key}\r\n\r\n").encode()


def collector_request(host: str, key: str) -> bytes:
    body = b'{"userId": "u1", "event": "Probe"}'
    auth = base64.b64encode(f"{key}:".encode()).decode()
    return (f"POST /v1/track HTTP/1.1\r\nHost: {host}\r\nAuthorization: Basic {auth}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body


def login_request(host: str, key: str) -> bytes:
    body = f"key={quote(key)}&next=/".encode()
    return (f"POST /login HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


def wrong(key: str) -> str:
    """The key with a random secret: its key id, not its secret."""
    key_id = split_key(key)[0]
    return f"{key.split('_')[0]}_{key.split('_')[1]}_{key_id}_{secrets.token_urlsafe(24)}"


async def exchange(host: str, port: int, payload: bytes) -> int:
    """One request on a new connection; its status."""
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(payload)
    status = await response_status(reader)
    writer.close()
    return status


async def hang_up(host: str, port: int, payload: bytes) -> str:
    """Send one request and close the connection without waiting for the answer."""
    _, writer = await asyncio.open_connection(host, port)
    writer.write(payload)
    await writer.drain()
    writer.close()
    return "hung up"


async def flood(base: str, request: Request, key: str, requests: int, connections: int,
                wait_for_answers: bool) -> tuple[Counter, list[float], float, float]:
    """Wrong secrets for `key`'s id: the flood's answers by status, the latencies of requests
    with `key` during it, the flood's duration, and the latency of one with `key` once the flood
    was sent."""
    url = urlsplit(base)
    gate = asyncio.Semaphore(connections)
    done = asyncio.Event()
    latencies: list[float] = []

    async def attack() -> int | str:
        async with gate:
            payload = request(url.netloc, wrong(key))
            if wait_for_answers:
                return await exchange(url.hostname, url.port, payload)
            return await hang_up(url.hostname, url.port, payload)

    async def probe() -> None:
        while not done.is_set():
            started = time.perf_counter()
            await exchange(url.hostname, url.port, request(url.netloc, key))
            latencies.append(time.perf_counter() - started)

    prober = asyncio.create_task(probe())
    started = time.perf_counter()
    answers = Counter(await asyncio.gather(*(attack() for _ in range(requests))))
    flood_seconds = time.perf_counter() - started
    done.set()
    await prober
    after = time.perf_counter()
    await exchange(url.hostname, url.port, request(url.netloc, key))
    return answers, latencies, flood_seconds, time.perf_counter() - after


def wait_idle(pid: int, timeout: float = 120) -> None:
    """Until the server has finished the flood's work (or `timeout`)."""
    deadline = time.monotonic() + timeout
    before = cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(IDLE_WINDOW_SECONDS)
        now = cpu_seconds(pid)
        if now - before < IDLE_CPU_SECONDS:
            return
        before = now


def quiet_latency(base: str, request: Request, key: str) -> float:
    """The median latency of valid requests on the quiet server, in seconds."""
    url = urlsplit(base)

    async def probes() -> list[float]:
        times = []
        for _ in range(QUIET_PROBES):
            started = time.perf_counter()
            await exchange(url.hostname, url.port, request(url.netloc, key))
            times.append(time.perf_counter() - started)
        return times
    return statistics.median(asyncio.run(probes()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1100)
    parser.add_argument("--connections", type=int, default=100, help="attack connections open at once")
    args = parser.parse_args()
    started = time.perf_counter()
    hash_secret("x")
    hash_ms = (time.perf_counter() - started) * 1000
    table = Table(title=f"{args.requests:,} wrong secrets for a real key id, {args.connections} connections at once "
                        f"(one scrypt here: {hash_ms:.0f} ms)")
    for column in ("flood", "answers", "flood s", "valid quiet ms", "valid during: n, median, max ms",
                   "valid after flood ms", "server CPU s"):
        table.add_column(column, justify="left" if column in ("flood", "answers") else "right")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"duckdb:///{Path(tmp) / 'auth.duckdb'}"
        with connect(url) as store:
            _, write = create_key(store, "write", "bench")
            _, read = create_key(store, "read", "bench")
        with serving(url) as (server, base):
            floods = (("read API, clients hang up", read_request, read, False),
                      ("collector, clients wait", collector_request, write, True),
                      ("dashboard login, clients wait", login_request, read, True))
            for label, request, key, wait_for_answers in floods:
                quiet = quiet_latency(base, request, key)  # also verifies the key before its flood
                cpu_start = cpu_seconds(server.pid)
                answers, during, flood_seconds, after = asyncio.run(
                    flood(base, request, key, args.requests, args.connections, wait_for_answers))
                wait_idle(server.pid)
                cpu = cpu_seconds(server.pid) - cpu_start
                table.add_row(label, ", ".join(f"{status}: {n:,}" for status, n in sorted(answers.items(), key=str)),
                              f"{flood_seconds:.1f}", f"{quiet * 1000:.1f}",
                              f"{len(during)}, {statistics.median(during) * 1000:.0f}, {max(during) * 1000:.0f}"
                              if during else "0", f"{after * 1000:.0f}", f"{cpu:.1f}")
    Console(width=200).print(table)


if __name__ == "__main__":
    main()
