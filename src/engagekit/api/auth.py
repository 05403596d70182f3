"""The read API's key check: a FastAPI dependency over the app's Keyring (engagekit.access.keys)."""
from __future__ import annotations

from fastapi import HTTPException, Request

from engagekit.access.keyguard import KeyRefused
from engagekit.access.keys import presented_key


def require_read_key(request: Request) -> str:
    """FastAPI dependency: the key_id of the read key presented (HTTP Basic user name or Bearer);
    429 when the key sends too many requests or its id backs off after failed guesses, 503 while
    the key checks are busy (both with Retry-After), 401 when there is none or it is invalid or
    revoked, 403 for a write key."""
    collector = request.app.state.collector
    key = presented_key(request.headers.get("authorization"))
    try:
        found = collector.keyring.admit(key, collector.rate_limiter)
    except KeyRefused as refused:
        raise HTTPException(refused.status, refused.message, headers=refused.headers) from None
    if found is None or found[1] == "revoked":
        raise HTTPException(401, "missing, invalid or revoked read key (HTTP Basic user name or Bearer token)",
                            headers={"WWW-Authenticate": 'Basic realm="engagekit", Bearer realm="engagekit"'})
    request.state.key_id = found[0]
    if found[1] != "read":
        raise HTTPException(403, "a write key cannot read; use a read key")
    return found[0]
