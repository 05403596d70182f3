"""Dashboard sign-in: a read key typed into the login form opens a session cookie.

The key is checked by the app's Keyring (engagekit.access.keys), as the read API checks it. The
cookie holds a random session id, its expiry and an HMAC-SHA256 signature under a per-process
secret; the key itself stays in the server's memory, so every request re-checks it through the
Keyring and a revoked key ends its sessions within a second. The cookie is HttpOnly (scripts
cannot read it) and SameSite=Lax (other sites cannot post with it). Sessions end at logout,
after SESSION_SECONDS, or when the server restarts.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time

from fastapi import Request, Response

from engagekit.access.keyguard import KeyRefused

COOKIE = "engagekit_session"
SESSION_SECONDS = 12 * 3600


class Sessions:
    """Signed session cookies mapped to the read key they were opened with."""

    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secret or secrets.token_bytes(32)
        self._keys: dict[str, tuple[str, float]] = {}  # session id -> (key, expires at)
        self._lock = threading.Lock()

    def login(self, request: Request, key: str) -> str | None:
        """An error message, or None once `key` is a valid read key (then call `open`). Wrong
        keys are checked as the read API checks them: limited per key id, refused without
        hashing after repeated failures, never queued (engagekit.access.keyguard)."""
        collector = request.app.state.collector
        try:
            found = collector.keyring.admit(key, collector.rate_limiter)
        except KeyRefused as refused:
            return ("This key cannot be checked now (too many attempts, or the server is busy); "
                    f"try again in {refused.retry_after} s.")
        if found is None or found[1] == "revoked":
            return "This key is not valid (or it was revoked)."
        if found[1] != "read":
            return "This is a write key; the dashboard needs a read key (engagekit keys create --read)."
        return None

    def open(self, response: Response, key: str, secure: bool = False) -> None:
        """Start a session for `key` and set its cookie on `response`."""
        session_id = secrets.token_urlsafe(24)
        expires = time.time() + SESSION_SECONDS
        with self._lock:
            self._purge()
            self._keys[session_id] = (key, expires)
        response.set_cookie(COOKIE, self._sign(session_id, int(expires)), max_age=SESSION_SECONDS, httponly=True,
                            samesite="lax", secure=secure, path="/")

    def close(self, request: Request, response: Response) -> None:
        """End the request's session and clear its cookie."""
        session_id = self._session_id(request.cookies.get(COOKIE))
        if session_id:
            with self._lock:
                self._keys.pop(session_id, None)
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax")

    def key_id(self, request: Request) -> str | None:
        """The key_id of the request's session when it is signed, unexpired and its read key is
        still valid; else None."""
        session_id = self._session_id(request.cookies.get(COOKIE))
        if session_id is None:
            return None
        with self._lock:
            key, expires = self._keys.get(session_id, (None, 0.0))
        if key is None or expires < time.time():
            return None
        found = request.app.state.collector.keyring.kind_of(key)
        return found[0] if found is not None and found[1] == "read" else None

    def _sign(self, session_id: str, expires: int) -> str:
        payload = f"{session_id}.{expires}"
        signature = hmac.new(self._secret, payload.encode(), hashlib.sha256).hexdigest()
        return f"{payload}.{signature}"

    def _session_id(self, cookie: str | None) -> str | None:
        """The session id of a well-signed, unexpired cookie."""
        parts = (cookie or "").split(".")
        if len(parts) != 3 or not parts[1].isdigit():
            return None
        session_id, expires, signature = parts
        expected = self._sign(session_id, int(expires)).rsplit(".", 1)[1]
        if not hmac.compare_digest(signature, expected) or int(expires) < time.time():
            return None
        return session_id

    def _purge(self) -> None:
        now = time.time()
        for session_id in [s for s, (_, expires) in self._keys.items() if expires < now]:
            del self._keys[session_id]
