"""Structured access logs: one JSON line per HTTP request on the `engagekit.access` logger.

Each line says when, who (client address, the key's public id and name), what (method, path
without query string), the answer (status, duration in ms) and, for the collector, how many
messages the request carried. It never holds a key's secret, the Authorization header or a
body: the key id is the public part of `ek_<kind>_<key_id>_<secret>`, and handlers report it
(and the message count) through the request state.
"""
from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import datetime, timezone
from typing import Any

from engagekit.access.keys import presented_key, split_key

LOGGER = "engagekit.access"
log = logging.getLogger(LOGGER)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def log_to_stderr() -> None:
    """Send access lines, bare, to standard error (what `engagekit serve` does)."""
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


class AccessLog:
    """ASGI middleware writing one access line per HTTP request once it is answered."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        state = scope.setdefault("state", {})
        status = 500  # what the client gets if the app fails before answering

        async def recorded(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recorded)
        finally:
            log.info("%s", json.dumps(_line(scope, state, status, started), separators=(",", ":")))


def _line(scope: Scope, state: MutableMapping[str, Any], status: int, started: float) -> dict[str, Any]:
    key_id = state.get("key_id") or _claimed_key_id(scope)
    app = scope.get("app")
    collector = getattr(getattr(app, "state", None), "collector", None)
    name = collector.keyring.name_of(key_id) if collector is not None and key_id else None
    client = scope.get("client")
    return {
        "ts": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
        "method": scope["method"], "path": scope["path"], "status": status,
        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        "key_id": key_id, "key_name": name, "messages": state.get("messages"),
        "client": client[0] if client else None,
    }


def _claimed_key_id(scope: Scope) -> str | None:
    """The public id of the key in the Authorization header (valid or not), never its secret."""
    headers = dict(scope.get("headers") or [])
    authorization = headers.get(b"authorization", b"").decode("latin-1")
    key = presented_key(authorization)
    claimed = split_key(key) if key else None
    return claimed[0] if claimed else None
