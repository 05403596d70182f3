"""Per-key request rate limits: a token bucket for each key id (answered with 429)."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable


class RateLimiter:
    """Allows `rate` requests per second per key with bursts up to `burst` (token bucket).

    Keys are limited by the key id they claim, before the secret is checked. Each id has two
    buckets: one for its key once verified in this process, one for every other secret claiming
    that id, so that a flood of guesses at a public key id never uses up its owner's rate.
    """

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst = rate, burst
        self.clock = clock
        self._buckets: dict[tuple[str, bool], tuple[float, float]] = {}  # (id, verified) -> (tokens, refilled at)
        self._lock = threading.Lock()

    def allow(self, key_id: str, verified: bool) -> bool:
        """Take one token from the bucket of `key_id`'s verified key or of its guesses; False
        when it is empty."""
        now = self.clock()
        bucket = (key_id, verified)
        with self._lock:
            tokens, last = self._buckets.get(bucket, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            allowed = tokens >= 1.0
            self._buckets[bucket] = (tokens - 1.0 if allowed else tokens, now)
        return allowed

    def retry_after(self) -> int:
        """Whole seconds until one token is back."""
        return max(1, round(1 / self.rate))
