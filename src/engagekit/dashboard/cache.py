"""Page results cached per view and stamped with the store's data version.

The data version changes whenever the store's contents do (a new ingest batch, a rebuilt
derived table, a saved cohort, a key). A result of the current version is served as is. A
result of an older version is served at once, marked stale, while a background thread computes
the current one (stale-while-revalidate): with a collector draining every fraction of a second,
waiting for every page to be recomputed after each drain would make every visit a cold one.
A view never computed before is computed while the request waits. Concurrent requests for the
same key and version wait for the one computation in flight instead of repeating it.
"""
from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

log = logging.getLogger("engagekit.dashboard")
DEFAULT_ENTRIES = 256


class ResultCache:
    """A thread-safe least-recently-used map from keys to (version, result)."""

    def __init__(self, entries: int = DEFAULT_ENTRIES) -> None:
        self.entries = entries
        self._values: OrderedDict[Hashable, tuple[Hashable, Any]] = OrderedDict()
        self._inflight: dict[tuple[Hashable, Hashable], threading.Lock] = {}
        self._refreshing: set[Hashable] = set()
        self._lock = threading.Lock()

    def get(self, key: Hashable, version: Hashable, compute: Callable[[], Any],
            stale_ok: bool = True) -> tuple[Any, bool]:
        """(result, fresh): the result of `version`, computed now if there is none; with
        `stale_ok`, an older version's result (fresh=False) while the current one is computed in
        the background. Exceptions of a computation the caller waits for propagate, uncached."""
        with self._lock:
            entry = self._values.get(key)
            if entry is not None:
                self._values.move_to_end(key)
        if entry is not None and entry[0] == version:
            return entry[1], True
        if entry is not None and stale_ok:
            self._refresh(key, version, compute)
            return entry[1], False
        return self._compute(key, version, compute), True

    def get_or_compute(self, key: Hashable, version: Hashable, compute: Callable[[], Any]) -> Any:
        """The result of `version`, waiting for it when it is not cached yet."""
        return self.get(key, version, compute, stale_ok=False)[0]

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

    def _compute(self, key: Hashable, version: Hashable, compute: Callable[[], Any]) -> Any:
        with self._lock:
            flight = self._inflight.setdefault((key, version), threading.Lock())
        with flight:
            with self._lock:
                entry = self._values.get(key)
            if entry is not None and entry[0] == version:
                return entry[1]
            try:
                value = compute()
                self._put(key, version, value)
            finally:
                with self._lock:
                    self._inflight.pop((key, version), None)
            return value

    def _refresh(self, key: Hashable, version: Hashable, compute: Callable[[], Any]) -> None:
        """Compute `key` for `version` in a background thread, unless one already is."""
        with self._lock:
            if key in self._refreshing:
                return
            self._refreshing.add(key)

        def run() -> None:
            try:
                self._compute(key, version, compute)
            except Exception as exc:  # the stale result stays; a later visit tries again
                log.warning("dashboard refresh of %s failed: %s: %s", key, type(exc).__name__, exc)
            finally:
                with self._lock:
                    self._refreshing.discard(key)

        threading.Thread(target=run, name="engagekit-dashboard-refresh", daemon=True).start()

    def _put(self, key: Hashable, version: Hashable, value: Any) -> None:
        with self._lock:
            self._values[key] = (version, value)
            self._values.move_to_end(key)
            while len(self._values) > self.entries:
                self._values.popitem(last=False)
