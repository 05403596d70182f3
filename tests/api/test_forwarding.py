"""One store, two users: while `engagekit serve` holds a project's store, the CLI on the same
project goes through the server and never meets DuckDB's lock; a killed server's stale runtime
file is ignored."""
from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import httpx

from engagekit.store import connect
from engagekit.store.holder import CONTROL_PATH, TOKEN_HEADER, read_runtime, runtime_path
from tests.api.server import start, stop
from tests.conftest import write

# two orders in October 2024: orders = 2, revenue = 40 + 60 = 100
EVENTS = """\
timestamp,event,userId,revenue
2024-10-01T10:00:00Z,order_completed,u1,40
2024-10-03T10:00:00Z,order_completed,u2,60
"""


def cli(project: Path, *args: str) -> subprocess.CompletedProcess:
    """`engagekit ARGS` in the project folder, on its default store ./engagekit.duckdb."""
    env = {k: v for k, v in os.environ.items() if k != "ENGAGEKIT_STORE"}
    return subprocess.run([sys.executable, "-m", "engagekit", *args], cwd=project, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_cli_goes_through_the_running_server(store_url: str, tmp_path: Path) -> None:
    write(tmp_path / "events.csv", EVENTS)
    log = tmp_path / "server.log"
    process, base = start(store_url, log)
    try:
        runtime = read_runtime(store_url)
        assert runtime is not None and runtime.pid == process.pid
        assert stat.S_IMODE(runtime_path(store_url).stat().st_mode) == 0o600

        ingested = cli(tmp_path, "ingest", "events.csv", "--json")  # a path relative to the caller
        assert ingested.returncode == 0, ingested.stderr
        assert [(b["stored"], b["quarantined"]) for b in json.loads(ingested.stdout)] == [(2, 0)]
        computed = cli(tmp_path, "metrics", "compute", "orders", "revenue", "--from", "2024-10-01", "--to", "2024-10-31",
                       "--json")
        assert computed.returncode == 0, computed.stderr
        assert {r["metric"]: r["value"] for r in json.loads(computed.stdout)["rows"]} == {"orders": 2, "revenue": 100}
        status = cli(tmp_path, "status", "--json")
        assert status.returncode == 0, status.stderr
        assert json.loads(status.stdout)["tables"]["events"] == 2
        failed = cli(tmp_path, "ingest", "missing.csv")  # a user error keeps its exit code and message
        assert failed.returncode == 2 and "missing.csv" in failed.stderr
        second = cli(tmp_path, "serve", "--port", "1")
        assert second.returncode == 2 and "already serves this store" in second.stderr
        assert "lock" not in (ingested.stderr + computed.stderr + status.stderr).lower()
        assert httpx.get(f"{base}/readyz").status_code == 200  # the server still holds the store
    finally:
        stop(process)
    assert not runtime_path(store_url).exists()  # withdrawn at shutdown
    with connect(store_url) as store:
        assert store.count("events") == 2
    assert runtime.token not in log.read_text()


def test_the_control_endpoint_needs_the_token_and_is_not_in_the_schema(store_url: str, tmp_path: Path) -> None:
    process, base = start(store_url, tmp_path / "server.log")
    try:
        command = {"argv": ["status", "--json"], "cwd": str(tmp_path)}
        assert httpx.post(base + CONTROL_PATH, json=command).status_code == 403
        assert httpx.post(base + CONTROL_PATH, json=command, headers={TOKEN_HEADER: "guess"}).status_code == 403
        assert CONTROL_PATH not in httpx.get(f"{base}/openapi.json").json()["paths"]
        token = read_runtime(store_url).token
        answer = httpx.post(base + CONTROL_PATH, json=command, headers={TOKEN_HEADER: token}, timeout=60)
        lines = [json.loads(line) for line in answer.text.splitlines()]
        assert lines[-1] == {"exit": 0}
        assert json.loads("".join(line.get("stdout", "") for line in lines))["tables"]["events"] == 0
    finally:
        stop(process)


def test_a_killed_servers_runtime_file_is_stale(store_url: str, tmp_path: Path) -> None:
    process, _ = start(store_url, tmp_path / "server.log")
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert runtime_path(store_url).exists()
    status = cli(tmp_path, "status", "--json")  # the store directly, as no server holds it
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["tables"]["events"] == 0
    assert not runtime_path(store_url).exists()
