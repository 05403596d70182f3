"""The FastAPI app: the Segment-compatible collector, health and readiness.

A request is answered 200 only after its messages are fsync'd to the spool; the drainer
moves them to the store. The server process owns the (DuckDB) store while it runs.
"""
from __future__ import annotations

import gc
import threading
import zlib
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from engagekit.access.keyguard import KeyRefused
from engagekit.access.keys import Keyring, basic_username
from engagekit.access.ratelimit import RateLimiter
from engagekit.api.accesslog import AccessLog
from engagekit.api.control import Control, add_control_route
from engagekit.api.drain import Drainer, recorded_sequence
from engagekit.api.queries import query_routes
from engagekit.api.segment import (
    MAX_BATCH_BYTES,
    TYPES,
    PayloadError,
    parse_request,
    request_schema,
    spool_line,
)
from engagekit.api.spool import GroupCommit, Spool
from engagekit.api.textguard import RefuseNulText
from engagekit.config import Settings
from engagekit.ingest.events import EventRules
from engagekit.ingest.vocabulary import Vocabulary
from engagekit.store import Store, connect
from engagekit.store.engines import server_file
from engagekit.store.holder import remove_runtime, write_runtime

# analytics.js posts single calls to /v1/t, /v1/p, ... as well as to the long names
_SHORT_PATHS = {"t": "track", "i": "identify", "p": "page", "s": "screen", "g": "group", "a": "alias", "b": "batch"}


@dataclass(frozen=True)
class CollectorLimits:
    """How the collector batches and when it pushes back."""

    drain_interval_ms: int = 1000  # seal and drain the open spool segment once it is this old
    seal_messages: int = 50_000  # or as soon as it holds this many messages
    max_pending_bytes: int = 256 * 1024 * 1024  # undrained spool above this: 503
    retry_after_seconds: int = 1
    requests_per_second: float = 500.0  # per key; above it: 429
    request_burst: int = 1000


@dataclass
class Collector:
    """What the running app holds: the store, its lock, the keys, the spool, the drainer and the
    per-key rate limits."""

    store: Store
    store_lock: threading.Lock
    keyring: Keyring
    spool: Spool
    commit: GroupCommit
    drainer: Drainer
    rate_limiter: RateLimiter


def spool_directory(store_url: str) -> Path:
    """`<store dir>/<store file name>.spool/`: next to the store, one spool per store."""
    path = server_file(store_url)
    return path.parent / f"{path.name}.spool"


def create_app(store_url: str, settings: Settings, limits: CollectorLimits | None = None,
               control: Control | None = None, routers: Sequence[APIRouter] = ()) -> FastAPI:
    """The engagekit HTTP app over the store at `store_url` (opened when the app starts); with
    `control`, it publishes itself to the CLI and runs the CLI's commands (engagekit.api.control);
    `routers` (the dashboard's, engagekit.server) are served beside the collector and read API."""
    limits = limits or CollectorLimits()
    directory = spool_directory(store_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = connect(store_url, settings.timezone)
        lock = threading.Lock()
        spool = Spool(directory, limits.max_pending_bytes, recorded_sequence(store))
        rules = EventRules.for_settings(settings, timezone="UTC")
        drainer = Drainer(spool, store, lock, Vocabulary(settings.event_mapping), rules,
                          limits.drain_interval_ms / 1000, limits.seal_messages)
        app.state.collector = Collector(store, lock, Keyring(store, lock), spool, GroupCommit(spool), drainer,
                                        RateLimiter(limits.requests_per_second, limits.request_burst))
        drainer.start()
        if control is not None:
            write_runtime(store_url, control.base_url, control.token)
        # Startup's objects (libraries, catalog: a few hundred thousand) leave the garbage
        # collector's full passes, which would otherwise pause every request for 0.1-0.3 s now
        # and then under load.
        gc.freeze()
        try:
            yield
        finally:
            try:
                await run_in_threadpool(drainer.stop)
            finally:
                store.close()
                if control is not None:  # only now: a CLI command meanwhile waits for this process to end
                    remove_runtime(store_url)

    app = FastAPI(title="engagekit", summary="Customer-engagement analytics: collector and API.", lifespan=lifespan)
    app.add_middleware(RefuseNulText)
    app.add_middleware(CollectorFastPath, limits=limits)
    app.add_middleware(AccessLog)

    @app.get("/healthz")
    def healthz() -> dict:
        """The process is up."""
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz(request: Request) -> JSONResponse:
        """Ready to accept events: the spool has room and the last drain succeeded."""
        collector: Collector = request.app.state.collector
        problems = []
        if collector.spool.full():
            problems.append("spool full")
        if collector.drainer.last_error:
            problems.append(f"drain failing: {collector.drainer.last_error}")
        body = {"status": "not ready" if problems else "ready", "problems": problems,
                "spool_pending_bytes": collector.spool.pending_bytes}
        return JSONResponse(body, status_code=503 if problems else 200)

    def route(kind: str):
        async def collect(request: Request) -> JSONResponse:
            return await _collect(request, kind, limits)
        collect.__name__ = f"collect_{kind}"
        collect.__doc__ = f"Segment HTTP tracking API: {kind} (write key as HTTP Basic user name)."
        return collect

    for kind in ("batch", *TYPES):
        body = {"required": True, "content": {"application/json": {"schema": request_schema(kind)}}}
        app.post(f"/v1/{kind}", name=kind, openapi_extra={"requestBody": body})(route(kind))
    for short, kind in _SHORT_PATHS.items():
        app.post(f"/v1/{short}", include_in_schema=False)(route(kind))
    if control is not None:
        add_control_route(app, control)
    app.include_router(query_routes(settings))
    for router in routers:
        app.include_router(router)
    return app


class CollectorFastPath:
    """ASGI middleware answering `POST /v1/<kind>` itself, ahead of FastAPI's routing and
    request handling, which cost more than the collector's own work on its hot path. The
    FastAPI routes stay for the OpenAPI schema and give the same answers."""

    def __init__(self, app: ASGIApp, limits: CollectorLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"].startswith("/v1/"):
            name = scope["path"][4:]
            kind = _SHORT_PATHS.get(name, name)
            if kind == "batch" or kind in TYPES:
                response = await _collect(Request(scope, receive), kind, self.limits)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


async def _collect(request: Request, kind: str, limits: CollectorLimits) -> JSONResponse:
    """Authorize (a key in the header before the body is read: a refused client costs no
    parsing), check, spool durably, acknowledge."""
    collector: Collector = request.app.state.collector
    header_key = basic_username(request.headers.get("authorization"))
    key_id = None if header_key is None else await _authorize(collector, header_key)
    if isinstance(key_id, JSONResponse):
        return key_id
    try:
        body = _decoded(await _read_body(request), request.headers.get("content-encoding"))
        payload, messages = parse_request(body, kind)
    except PayloadError as error:
        return _refuse(error)
    request.state.messages = len(messages)
    if key_id is None:  # analytics.js may send the key in the body
        body_key = payload.get("writeKey")
        key_id = await _authorize(collector, body_key if isinstance(body_key, str) else None)
        if isinstance(key_id, JSONResponse):
            return key_id
    request.state.key_id = key_id
    if collector.spool.full():
        return JSONResponse({"success": False, "error": "the collector is busy; retry later"}, status_code=503,
                            headers={"Retry-After": str(limits.retry_after_seconds)})
    line = spool_line(key_id, kind, payload, body, datetime.now(timezone.utc))
    await collector.commit.append(line, len(messages))
    return JSONResponse({"success": True})


async def _authorize(collector: Collector, key: str | None) -> str | JSONResponse:
    """The key_id of a write key, or the answer: 401/403, 429 when the key sends too many
    requests or its id backs off after failed guesses, 503 while the key checks are busy (both
    with Retry-After; engagekit.access.keyguard). A key verified before is answered on the event
    loop; only other keys go to the threadpool, where guesses are refused without hashing."""
    if key is None:
        return JSONResponse({"success": False, "error": "missing write key (HTTP Basic user name)"}, status_code=401,
                            headers={"WWW-Authenticate": 'Basic realm="engagekit"'})
    keyring, limiter = collector.keyring, collector.rate_limiter
    try:
        found = keyring.admit_known(key, limiter) or await run_in_threadpool(keyring.admit, key, limiter)
    except KeyRefused as refused:
        return JSONResponse({"success": False, "error": refused.message}, status_code=refused.status,
                            headers=refused.headers)
    if found is None or found[1] == "revoked":
        return JSONResponse({"success": False, "error": "invalid or revoked key"}, status_code=401,
                            headers={"WWW-Authenticate": 'Basic realm="engagekit"'})
    if found[1] != "write":
        return JSONResponse({"success": False, "error": "a read key cannot send events; use a write key"}, status_code=403)
    return found[0]


async def _read_body(request: Request) -> bytes:
    """The request body, refused with 413 as soon as it passes the batch limit."""
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BATCH_BYTES:
            raise PayloadError(413, f"request body exceeds the limit of {MAX_BATCH_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _decoded(body: bytes, encoding: str | None) -> bytes:
    """The body, gunzipped when the client compressed it (the Segment SDKs can), within the limit."""
    if not encoding or encoding.lower() == "identity":
        return body
    if encoding.lower() != "gzip":
        raise PayloadError(400, f"unsupported Content-Encoding {encoding!r}; use gzip or none")
    try:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        data = inflater.decompress(body, MAX_BATCH_BYTES + 1)
    except zlib.error as exc:
        raise PayloadError(400, f"invalid gzip body: {exc}") from exc
    if len(data) > MAX_BATCH_BYTES:
        raise PayloadError(413, f"decompressed body exceeds the limit of {MAX_BATCH_BYTES} bytes")
    return data


def _refuse(error: PayloadError) -> JSONResponse:
    return JSONResponse(error.to_dict(), status_code=error.status)
