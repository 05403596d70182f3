"""`engagekit demo` end to end: it writes the executive report, then serves the dashboard with
a read key that logs in (run as a user runs it, in a subprocess)."""
from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.api.server import free_port

SMALL = ("--customers", "300", "--months", "3")  # ends 2026-10-31: the last full month is October 2026
pytestmark = pytest.mark.slow


def demo_command(tmp_path: Path, *args: str) -> list[str]:
    store = f"duckdb:///{tmp_path / 'demo.duckdb'}"
    return [sys.executable, "-m", "engagekit", "--store", store, "demo", *SMALL, "--out", str(tmp_path / "files"),
            *args]


def test_the_demo_writes_the_executive_report_without_serving(tmp_path: Path) -> None:
    done = subprocess.run(demo_command(tmp_path, "--no-serve"), capture_output=True, text=True, cwd=tmp_path,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    report = tmp_path / "files" / "report-executive.html"
    assert f"Executive report of October 2026: {report}" in done.stdout
    html = report.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "Period: October 2026" in html and "<h2>Risks</h2>" in html
    assert "Read key" not in done.stdout and "Uvicorn running" not in done.stderr


def test_the_demo_serves_the_dashboard_with_a_read_key_that_logs_in(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "demo.log"
    with log.open("wb") as out:
        process = subprocess.Popen(demo_command(tmp_path, "--port", str(port)), stdout=out,
                                   stderr=subprocess.STDOUT, cwd=tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(process, base, log)
        text = log.read_text(encoding="utf-8")
        key = re.search(r"Read key: (ek_read_\S+)", text).group(1)
        assert f"Dashboard: {base}/" in text and (tmp_path / "files" / "report-executive.html").is_file()
        bearer = {"Authorization": f"Bearer {key}"}
        assert httpx.get(f"{base}/api/v1/metrics", headers=bearer, timeout=10).status_code == 200
        assert httpx.get(f"{base}/api/v1/metrics", timeout=10).status_code == 401
        if httpx.get(f"{base}/login", timeout=10).status_code == 200:  # the dashboard is mounted
            _assert_login(base, key)
    finally:
        process.terminate()  # uvicorn shuts down gracefully, then re-raises SIGTERM
        process.wait(timeout=60)
    assert "Application shutdown complete" in log.read_text(encoding="utf-8")


def test_a_busy_port_is_refused_before_any_work(tmp_path: Path) -> None:
    with socket_listening() as port:
        done = subprocess.run(demo_command(tmp_path, "--port", str(port)), capture_output=True, text=True,
                              cwd=tmp_path, timeout=60)
    assert done.returncode == 2 and f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "files").exists()


@contextmanager
def socket_listening() -> Iterator[int]:
    """A port another program listens on, for as long as the block runs."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def _wait_healthy(process: subprocess.Popen, base: str, log: Path, timeout: float = 240) -> None:
    """Generation and loading come first: wait for /healthz while the process lives."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the demo exited: {log.read_text(encoding='utf-8')}"
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.5)
    raise AssertionError(f"the dashboard did not start: {log.read_text(encoding='utf-8')}")


def _assert_login(base: str, key: str) -> None:
    """Without a session / redirects to the login form; the printed key opens the overview."""
    with httpx.Client(base_url=base, timeout=30) as client:
        assert client.get("/").status_code == 303
        assert client.post("/login", data={"key": "ek_read_wrong_key", "next": "/"}).status_code == 401
        signed_in = client.post("/login", data={"key": key, "next": "/"}, follow_redirects=True)
        assert signed_in.status_code == 200 and signed_in.url.path == "/"
