"""Run `engagekit serve` in a subprocess on a free loopback port, for tests over real HTTP."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_command(store_url: str, port: int) -> list[str]:
    return [sys.executable, "-m", "engagekit", "--store", store_url, "serve", "--port", str(port)]


def start(store_url: str, log: Path) -> tuple[subprocess.Popen, str]:
    """The server process and its base URL, once /healthz answers."""
    port = free_port()
    with log.open("ab") as out:
        process = subprocess.Popen(serve_command(store_url, port), stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited: {log.read_text()}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"the server did not start: {log.read_text()}")


def wait_drained(base: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if httpx.get(f"{base}/readyz", timeout=2).json()["spool_pending_bytes"] == 0:
            return
        time.sleep(0.1)
    raise AssertionError("the spool did not drain")


def stop(process: subprocess.Popen) -> None:
    """Graceful shutdown (SIGTERM): the server drains its spool and closes the store."""
    process.terminate()
    process.wait(timeout=30)
