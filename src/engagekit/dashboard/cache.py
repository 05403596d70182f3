"""Page results cached by (page, query parameters, store data version), computed once.

The data version changes whenever the store's contents do (a new ingest batch, a rebuilt
derived table, a saved cohort, a key), so a cached result is never stale: after an ingest the
next request, or the background warmer (engagekit.dashboard.warm), computes afresh. Concurrent
requests for the same key wait for the one computation in flight instead of repeating it.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

DEFAULT_ENTRIES = 256


class ResultCache:
    """A thread-safe least-recently-used map from keys to computed results."""

    def __init__(self, entries: int = DEFAULT_ENTRIES) -> None:
        self.entries = entries
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._inflight: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The cached value of `key`, else `compute()` stored under it (exceptions are not cached)."""
        found, value = self._get(key)
        if found:
            return value
        with self._lock:
            flight = self._inflight.setdefault(key, threading.Lock())
        with flight:
            found, value = self._get(key)
            if found:
                return value
            try:
                value = compute()
                self._put(key, value)
            finally:
                with self._lock:
                    self._inflight.pop(key, None)
            return value

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._values

    def cached_keys(self) -> list[Hashable]:
        """The cached keys, least recently used first."""
        with self._lock:
            return list(self._values)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def _get(self, key: Hashable) -> tuple[bool, Any]:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return True, self._values[key]
            return False, None

    def _put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self.entries:
                self._values.popitem(last=False)
