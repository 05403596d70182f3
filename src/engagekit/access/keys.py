"""API keys: `ek_<kind>_<key_id>_<secret>`, stored as a salted scrypt hash, shown once.

The `api_keys` table is append-only: revoking a key appends a `revoked` row for its key_id,
and the latest row per key_id wins. A running server re-reads the keys at most once a second,
as soon as the store is free. A key's secret is hashed once per process; wrong secrets are
kept cheap by engagekit.access.keyguard.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import pyarrow as pa

from engagekit.access.keyguard import FailedChecks, KeyRefused, VerifySlots
from engagekit.access.ratelimit import RateLimiter
from engagekit.clock import utc_now
from engagekit.errors import InputError
from engagekit.store import Store

KINDS = ("write", "read")
KEY_ID_BYTES = 6  # a key id is this many random bytes in lower-case hex
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
REFRESH_SECONDS = 1.0
_HEX = frozenset("0123456789abcdef")


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
    key_id = secrets.token_hex(KEY_ID_BYTES)
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
    """(key_id, secret) of a well-formed key, else None. The key id must look like one (hex of
    KEY_ID_BYTES), so that text in its place, such as part of a secret when the id was left
    out, is never taken for the public id (which access logs show)."""
    parts = key.split("_", 3)
    if len(parts) != 4 or parts[0] != "ek" or parts[1] not in KINDS or not parts[3]:
        return None
    key_id = parts[2]
    if len(key_id) != 2 * KEY_ID_BYTES or not _HEX.issuperset(key_id):
        return None
    return key_id, parts[3]


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


class Keyring:
    """Checks presented keys against the store: kinds re-read at most every second, each right
    secret hashed once per process (then answered from memory), wrong ones kept cheap
    (engagekit.access.keyguard)."""

    def __init__(self, store: Store, store_lock: threading.Lock, clock: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self.store_lock = store_lock
        self.clock = clock
        self._lock = threading.Lock()
        self._rows: dict[str, dict] = {}
        self._read_at = float("-inf")
        self._verified: set[bytes] = set()  # fingerprints of the right keys met so far
        self._failures = FailedChecks(clock)
        self._slots = VerifySlots()

    def admit(self, key: str | None, limiter: RateLimiter) -> tuple[str, str] | None:
        """`kind_of`, within the key's request rate: KeyRefused (429) when its bucket is empty.
        A key verified in this process is counted in its id's bucket; any other secret claiming
        a stored key id in a second bucket of that id before it is checked (and in the first one
        too if it proves right), so guesses never use up the owner's rate. Ids not among the
        keys read are not counted: they cost no hashing, and the buckets stay bounded."""
        parts = split_key(key) if key else None
        if parts is None:
            return None
        if _fingerprint(key) not in self._verified and parts[0] in self._rows:
            self._take(limiter, parts[0], verified=False)
        found = self.kind_of(key)
        if found is not None:
            self._take(limiter, found[0], verified=True)
        return found

    def admit_known(self, key: str, limiter: RateLimiter) -> tuple[str, str] | None:
        """What `admit` answers, when it needs neither the store nor a hash (safe on the event
        loop); None means: ask `admit`."""
        found = self._known(key)
        if found is not None:
            self._take(limiter, found[0], verified=True)
        return found

    @staticmethod
    def _take(limiter: RateLimiter, key_id: str, verified: bool) -> None:
        if not limiter.allow(key_id, verified):
            raise KeyRefused(429, "too many requests for this key; retry later", limiter.retry_after())

    def kind_of(self, key: str | None) -> tuple[str, str] | None:
        """(key_id, kind) of a valid key (kind `revoked` for a revoked one), None if invalid;
        KeyRefused (429, 503) for an unverified secret while its id backs off or the hashing
        slots are busy."""
        parts = split_key(key) if key else None
        if parts is None:
            return None
        key_id, secret = parts
        row = self._current().get(key_id)
        if row is None:
            return None
        fingerprint = _fingerprint(key)
        if fingerprint not in self._verified and not self._right(key_id, secret, row["secret_hash"], fingerprint):
            return None
        return key_id, row["kind"]

    def _right(self, key_id: str, secret: str, stored: str, fingerprint: bytes) -> bool:
        """Whether an unverified secret is right, hashing it only when no failure, backoff or
        concurrent check of the same secret answers first."""
        if self._failures.failed_before(fingerprint):
            return False
        self._failures.refuse_while_backing_off(key_id)
        with self._slots.slot(fingerprint) as mine:
            if not mine:  # another thread checked this very secret meanwhile
                return fingerprint in self._verified
            if verify_secret(secret, stored):
                self._verified.add(fingerprint)
                self._failures.succeeded(key_id)
                return True
            self._failures.failed(key_id, fingerprint)
            return False

    def _known(self, key: str) -> tuple[str, str] | None:
        """(key_id, kind) when it can be told without the store or a hash check (this key verified
        before, and the keys read less than a second ago or the store busy, when `kind_of` would
        answer from the same rows); None means: ask `kind_of`."""
        parts = split_key(key)
        if parts is None:
            return None
        if self.clock() - self._read_at >= REFRESH_SECONDS and not self.store_lock.locked():
            return None
        row = self._rows.get(parts[0])
        if row is None or _fingerprint(key) not in self._verified:
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
            if self.clock() - self._read_at >= REFRESH_SECONDS:
                first = self._read_at == float("-inf")
                if self.store_lock.acquire(blocking=first):
                    try:
                        self._rows = {r["key_id"]: r for r in _latest(self.store)}
                    finally:
                        self.store_lock.release()
                    self._read_at = self.clock()
            return self._rows


def _fingerprint(key: str) -> bytes:
    """What the keyring remembers of a key it met: its SHA-256, never the key."""
    return hashlib.sha256(key.encode()).digest()


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

