"""Test helpers for key checks under attack: counted (and holdable) scrypt, a clock to move."""
from __future__ import annotations

import threading

import pytest
from fastapi import FastAPI

from engagekit.access import keys as key_checks
from engagekit.access.keys import Keyring, split_key
from engagekit.access.ratelimit import RateLimiter

HOLD_SECONDS = 30  # a held hash gives up after this, so a broken test fails instead of hanging


class CountedHash:
    """`hash_secret`, counting its calls; while held, each call waits for `release()`."""

    def __init__(self, original: object) -> None:
        self.original = original
        self.calls = 0
        self.entered = threading.Event()
        self._open = threading.Event()
        self._open.set()
        self._lock = threading.Lock()

    def hold(self) -> None:
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    def __call__(self, secret: str, salt: bytes | None = None) -> str:
        with self._lock:
            self.calls += 1
        self.entered.set()
        assert self._open.wait(HOLD_SECONDS), "the test never released the held hash"
        return self.original(secret, salt)


def count_hashes(monkeypatch: pytest.MonkeyPatch) -> CountedHash:
    """From now on, every scrypt of a key check is counted."""
    counted = CountedHash(key_checks.hash_secret)
    monkeypatch.setattr(key_checks, "hash_secret", counted)
    return counted


class Clock:
    """A monotonic clock that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def use_clock(app: FastAPI, clock: Clock) -> None:
    """The running app's key checks and rate limits on `clock` (fresh: nothing verified yet)."""
    collector = app.state.collector
    collector.keyring = Keyring(collector.store, collector.store_lock, clock=clock)
    collector.rate_limiter = RateLimiter(collector.rate_limiter.rate, collector.rate_limiter.burst, clock=clock)


def wrong(key: str, n: int) -> str:
    """The key's id with a wrong secret, a different one for each `n`."""
    kind = key.split("_")[1]
    return f"ek_{kind}_{split_key(key)[0]}_wrong-secret-{n:04d}"
