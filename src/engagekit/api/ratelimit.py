"""Per-key request rate limits: a token bucket for each key id (answered with 429)."""
from __future__ import annotations

import threading
import time


class RateLimiter:
    """Allows `rate` requests per second per key with bursts up to `burst` (token bucket).

    Keys are limited by the key id they claim, before the secret is checked, so that a flood of
    guesses against one key costs no hashing.
    """

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self._buckets: dict[str, tuple[float, float]] = {}  # key id -> (tokens, last refill)
        self._lock = threading.Lock()

    def allow(self, key_id: str) -> bool:
        """Take one token for `key_id`; False when its bucket is empty."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key_id, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            allowed = tokens >= 1.0
            self._buckets[key_id] = (tokens - 1.0 if allowed else tokens, now)
        return allowed

    def retry_after(self) -> int:
        """Whole seconds until one token is back."""
        return max(1, round(1 / self.rate))
