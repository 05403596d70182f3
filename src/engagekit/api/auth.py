"""API keys: `ek_<kind>_<key_id>_<secret>`, stored as a salted scrypt hash, shown once.

The `api_keys` table is append-only: revoking a key appends a `revoked` row for its key_id,
and the latest row per key_id wins. A running server re-reads the keys at most once a second,
as soon as the store is free.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime

import pyarrow as pa
from fastapi import HTTPException, Request

from engagekit.clock import utc_now
from engagekit.errors import InputError
from engagekit.store import Store

KINDS = ("write", "read")
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
REFRESH_SECONDS = 1.0


@dataclass(frozen=True)
class KeyInfo:
    """A key as listed: never its secret."""

    key_id: str
    kind: str  # write | read | revoked
    name: str
    created_at: datetime

    def to_dict(self) -> dict:
        return {"key_id": self.key_id, "kind": self.kind, "name": self.name, "created_at": self.created_at.isoformat()}


def hash_secret(secret: str, salt: bytes | None = None) -> str:
    """`salt$hash`, both hex, of a key's secret part."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, **_SCRYPT)
    return f"{salt.hex()}${digest.hex()}"


def verify_secret(secret: str, stored: str) -> bool:
    salt, _, _ = stored.partition("$")
    return hmac.compare_digest(hash_secret(secret, bytes.fromhex(salt)), stored)


def create_key(store: Store, kind: str, name: str = "") -> tuple[KeyInfo, str]:
    """A new key of `kind` (write or read): its listing and the full key, to show once."""
    if kind not in KINDS:
        raise InputError(f"unknown key kind {kind!r}; kinds: {', '.join(KINDS)}")
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(24)
    info = KeyInfo(key_id, kind, name, utc_now())
    _append(store, info, hash_secret(secret))
    return info, f"ek_{kind}_{key_id}_{secret}"


def list_keys(store: Store) -> list[KeyInfo]:
    """The current state of every key, oldest first (revoked keys included)."""
    return [KeyInfo(r["key_id"], r["kind"], r["name"] or "", r["created_at"]) for r in _latest(store)]


def revoke_key(store: Store, key_id: str) -> KeyInfo:
    """Revoke a key from now on; an unknown or already revoked key is an error."""
    current = {r["key_id"]: r for r in _latest(store)}
    if key_id not in current:
        raise InputError(f"no key {key_id!r}; see `engagekit keys list`")
    row = current[key_id]
    if row["kind"] == "revoked":
        raise InputError(f"key {key_id!r} is already revoked")
    info = KeyInfo(key_id, "revoked", row["name"] or "", utc_now())
    _append(store, info, row["secret_hash"])
    return info


def split_key(key: str) -> tuple[str, str] | None:
    """(key_id, secret) of a well-formed key, else None."""
    parts = key.split("_", 3)
    if len(parts) != 4 or parts[0] != "ek" or parts[1] not in KINDS or not parts[2] or not parts[3]:
        return None
    return parts[2], parts[3]


def basic_username(authorization: str | None) -> str | None:
    """The user name of an HTTP Basic Authorization header (Segment sends the write key there)."""
    if not authorization:
        return None
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    return decoded.partition(":")[0] or None


def presented_key(authorization: str | None) -> str | None:
    """The key of an Authorization header: the HTTP Basic user name or a Bearer token."""
    scheme, _, value = (authorization or "").partition(" ")
    if scheme.lower() == "bearer":
        return value.strip() or None
    return basic_username(authorization)


def require_read_key(request: Request) -> str:
    """FastAPI dependency: the key_id of the read key presented (HTTP Basic user name or Bearer);
    429 when the key sends too many requests, 401 when there is none or it is invalid or revoked,
    403 for a write key."""
    collector = request.app.state.collector
    key = presented_key(request.headers.get("authorization"))
    claimed = split_key(key) if key else None
    if claimed is not None and not collector.rate_limiter.allow(claimed[0]):
        raise HTTPException(429, "too many requests for this key; retry later",
                            headers={"Retry-After": str(collector.rate_limiter.retry_after())})
    found = collector.keyring.kind_of(key)
    if found is None or found[1] == "revoked":
        raise HTTPException(401, "missing, invalid or revoked read key (HTTP Basic user name or Bearer token)",
                            headers={"WWW-Authenticate": 'Basic realm="engagekit", Bearer realm="engagekit"'})
    request.state.key_id = found[0]
    if found[1] != "read":
        raise HTTPException(403, "a write key cannot read; use a read key")
    return found[0]


class Keyring:
    """Checks presented keys against the store: kinds re-read at most every second, secrets
    verified once per process (the scrypt cost is paid on first use of a key)."""

    def __init__(self, store: Store, store_lock: threading.Lock) -> None:
        self.store = store
        self.store_lock = store_lock
        self._lock = threading.Lock()
        self._rows: dict[str, dict] = {}
        self._read_at = float("-inf")
        self._verified: set[str] = set()
        self._verifying = threading.Lock()  # concurrent first uses of a key pay for one scrypt

    def kind_of(self, key: str | None) -> tuple[str, str] | None:
        """(key_id, kind) of a valid key (kind `revoked` for a revoked one), None if invalid."""
        parts = split_key(key) if key else None
        if parts is None:
            return None
        key_id, secret = parts
        row = self._current().get(key_id)
        if row is None:
            return None
        fingerprint = hashlib.sha256(key.encode()).hexdigest()
        if fingerprint not in self._verified:
            with self._verifying:
                if fingerprint not in self._verified:
                    if not verify_secret(secret, row["secret_hash"]):
                        return None
                    self._verified.add(fingerprint)
        return key_id, row["kind"]

    def known(self, key: str) -> tuple[str, str] | None:
        """(key_id, kind) when it can be told without the store or a hash check (this key verified
        before, and the keys read less than a second ago or the store busy, when `kind_of` would
        answer from the same rows); None means: ask `kind_of`."""
        parts = split_key(key)
        if parts is None:
            return None
        if time.monotonic() - self._read_at >= REFRESH_SECONDS and not self.store_lock.locked():
            return None
        row = self._rows.get(parts[0])
        if row is None or hashlib.sha256(key.encode()).hexdigest() not in self._verified:
            return None
        return parts[0], row["kind"]

    def name_of(self, key_id: str) -> str | None:
        """The name of a key as last read, without touching the store (safe on the event loop)."""
        row = self._rows.get(key_id)
        return (row["name"] or None) if row else None

    def _current(self) -> dict[str, dict]:
        """The keys, re-read when a second old; while the store is busy (the drainer ingesting a
        segment, a long query) the keys read before serve, so requests never wait on the store."""
        with self._lock:
            if time.monotonic() - self._read_at >= REFRESH_SECONDS:
                first = self._read_at == float("-inf")
                if self.store_lock.acquire(blocking=first):
                    try:
                        self._rows = {r["key_id"]: r for r in _latest(self.store)}
                    finally:
                        self.store_lock.release()
                    self._read_at = time.monotonic()
            return self._rows


def _latest(store: Store) -> list[dict]:
    """The latest row per key_id, with `created_at` of the key's first row (keys are few)."""
    rows = store.table("api_keys").order_by("created_at").to_pyarrow().to_pylist()
    latest: dict[str, dict] = {}
    for row in rows:
        first = latest.get(row["key_id"])
        latest[row["key_id"]] = {**row, "created_at": first["created_at"]} if first else row
    return list(latest.values())


def _append(store: Store, info: KeyInfo, secret_hash: str) -> None:
    store.insert("api_keys", pa.table({
        "key_id": [info.key_id], "kind": [info.kind], "name": [info.name], "secret_hash": [secret_hash],
        "created_at": pa.array([info.created_at], pa.timestamp("us")),
    }))

