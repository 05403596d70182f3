"""Refuse NUL characters in what a reader sends (query, path, body) before any route runs.

User text never becomes SQL, but Ibis writes string values as SQL literals, and DuckDB's parser
ends a literal at a NUL character: a value holding one fails as a parse error (a 500) instead of
matching nothing. No real parameter contains NUL, so the read API and the dashboard answer 400
naming the parameter. The collector's `/v1/*` routes are left alone: their values reach the
store as Arrow data, and its hot path reads each body once (one exception so far, to be fixed in
intake: a group call's ids are read back as literals, see tests/api/test_fuzz.py). Bodies of
other routes are capped at the read API's limit (413 past it).
"""
from __future__ import annotations

import json
from urllib.parse import parse_qsl, unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from engagekit.api.queries import MAX_BODY_BYTES

COLLECTOR_PREFIX = "/v1/"
NUL = "\x00"


class RefuseNulText:
    """ASGI middleware: 400 {"error": ...} when the path, a query parameter or the body holds NUL."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(COLLECTOR_PREFIX):
            await self.app(scope, receive, send)
            return
        status, problem = 400, _query_problem(scope)
        if problem is None and scope["method"] in ("POST", "PUT", "PATCH"):
            body, receive = await _buffered(receive)
            if body is None:
                status, problem = 413, f"request body exceeds the limit of {MAX_BODY_BYTES} bytes"
            else:
                problem = _body_problem(body, _content_type(scope))
        if problem is None:
            await self.app(scope, receive, send)
            return
        payload = json.dumps({"error": problem}).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]})
        await send({"type": "http.response.body", "body": payload})


def _query_problem(scope: Scope) -> str | None:
    """Which part of the URL holds NUL, if any."""
    raw_path = scope.get("raw_path") or scope["path"].encode()
    if NUL in scope["path"] or b"\x00" in unquote_to_bytes(raw_path):
        return "path: NUL characters are not allowed"
    query = scope.get("query_string", b"").decode("latin-1")
    for name, value in parse_qsl(query, keep_blank_values=True):
        if NUL in name or NUL in value:
            return f"query parameter {name.replace(NUL, '')!r}: NUL characters are not allowed"
    return None


def _content_type(scope: Scope) -> bytes:
    return dict(scope.get("headers", [])).get(b"content-type", b"").split(b";")[0].strip().lower()


def _body_problem(body: bytes, content_type: bytes) -> str | None:
    """NUL in the body: raw, as the JSON escape \\u0000, or percent-encoded in a form."""
    if content_type == b"application/x-www-form-urlencoded":
        body = unquote_to_bytes(body.replace(b"+", b" "))
    if b"\x00" in body or b"\\u0000" in body:
        return "body: NUL characters are not allowed"
    return None


async def _buffered(receive: Receive) -> tuple[bytes | None, Receive]:
    """Read the whole body (None past MAX_BODY_BYTES) and a `receive` that replays it to the app."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if size > MAX_BODY_BYTES:
            return None, receive
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if replayed:
            return await receive()
        replayed = True
        return {"type": "http.request", "body": body, "more_body": False}

    return body, replay
