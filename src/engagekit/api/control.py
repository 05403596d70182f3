"""How the CLI reaches a running server: a runtime file next to the store and a local-only
control endpoint that runs CLI commands in the server process.

A single-writer store (a DuckDB file) is opened by one process, and `engagekit serve` holds it.
While the server runs it keeps a runtime file beside the store (engagekit.store.holder): its
pid, loopback URL and a random control token. A CLI command on the same store finds that file and sends its arguments and
working directory to `POST /_engagekit/run`, which only loopback clients with the token may
call; the server runs the command against the store it holds, under the store lock, and
streams its output back as JSON lines. The route is not in the OpenAPI schema and its token
travels in a header, never in a URL or a log.
"""
from __future__ import annotations

import asyncio
import functools
import hmac
import io
import json
import queue
import secrets
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

from engagekit.store import Store
from engagekit.store.holder import CONTROL_PATH, TOKEN_HEADER

_LOOPBACK = ("127.0.0.1", "::1", "localhost")

# (argv, cwd, stdout, stderr, store, store lock, terminal columns) -> exit code: a CLI command run
# on the server's store, its output laid out for the caller's terminal width
Runner = Callable[[list[str], Path, io.TextIOBase, io.TextIOBase, Store, threading.Lock, int], int]


@dataclass(frozen=True)
class Control:
    """The server's side: the URL the CLI calls (loopback) and what runs a forwarded command."""

    base_url: str
    runner: Runner
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)


def loopback_url(host: str, port: int) -> str:
    """The URL a local client uses for a server listening on `host`."""
    if host in ("0.0.0.0", "", "localhost"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def add_control_route(app: FastAPI, control: Control) -> None:
    """Mount the control endpoint (hidden from the schema) on the app."""

    @app.post(CONTROL_PATH, include_in_schema=False, response_model=None)
    async def run_command(request: Request) -> JSONResponse | StreamingResponse:
        client = request.client.host if request.client else ""
        presented = request.headers.get(TOKEN_HEADER, "")
        if client not in _LOOPBACK or not hmac.compare_digest(presented.encode(), control.token.encode()):
            return JSONResponse({"error": "forbidden"}, status_code=403)
        try:
            body = json.loads(await request.body())
            argv, cwd = [str(arg) for arg in body["argv"]], Path(body["cwd"])
            columns = int(body.get("columns", 80))
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": "expected {\"argv\": [...], \"cwd\": \"...\"}"}, status_code=400)
        collector = request.app.state.collector
        run = functools.partial(control.runner, argv, cwd, store=collector.store, store_lock=collector.store_lock,
                                columns=max(20, min(columns, 1000)))
        return StreamingResponse(_streamed(run), media_type="application/x-ndjson")


class _Stream(io.TextIOBase):
    """A text stream whose writes become `(name, text)` items of a queue."""

    def __init__(self, name: str, items: queue.Queue) -> None:
        self.name = name
        self.items = items

    def write(self, text: str) -> int:
        if text:
            self.items.put((self.name, text))
        return len(text)

    def isatty(self) -> bool:
        return False

    @property
    def encoding(self) -> str:
        return "utf-8"


async def _streamed(run: Callable[[io.TextIOBase, io.TextIOBase], int]) -> AsyncIterator[bytes]:
    """Run the command in its own thread; yield its output and then its exit code as JSON lines."""
    items: queue.Queue = queue.Queue()

    def work() -> None:
        code = 1
        try:
            code = run(_Stream("stdout", items), _Stream("stderr", items))
        finally:
            items.put(("exit", code))

    threading.Thread(target=work, name="engagekit-forwarded", daemon=True).start()
    while True:
        name, value = await asyncio.to_thread(items.get)
        yield (json.dumps({name: value}) + "\n").encode()
        if name == "exit":
            return
