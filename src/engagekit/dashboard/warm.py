"""The background warmer: computes the default view of every warm page into the result cache at
startup and again whenever the store's data version changes (after the collector's spool
drains, a file ingest, a derive), so the first visitor after an ingest finds the pages ready.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from engagekit.dashboard.data_store import DataVersion
from engagekit.dashboard.pages import PAGES
from engagekit.dashboard.state import Dashboard
from engagekit.dashboard.view import View

log = logging.getLogger("engagekit.dashboard")
POLL_SECONDS = 1.0
GAP_SECONDS = 10.0  # at least this long between two warm-ups, so a steady stream of drains does not keep the store busy
DUTY = 0.1  # and at most this share of the time spent warming: a warm-up of 3 s waits 30 s for the next
MIN_EVENTS = 50_000  # smaller stores answer every page in well under a second: computed on demand


class Warmer:
    """A daemon thread polling the data version every `interval` seconds and warming the default
    views when it changed, at most once every `gap` seconds, and never more than `duty` of the
    time (on a large store under a steady stream of events, the warm-ups would otherwise take
    a core and hold the store from the collector's drainer)."""

    def __init__(self, dashboard: Dashboard, interval: float = POLL_SECONDS, min_events: int = MIN_EVENTS,
                 gap: float = GAP_SECONDS, duty: float = DUTY, clock: Callable[[], float] = time.monotonic) -> None:
        self.dashboard = dashboard
        self.interval = interval
        self.min_events = min_events
        self.gap = gap
        self.duty = duty
        self.clock = clock
        self._warmed_at = float("-inf")
        self._warm_seconds = 0.0  # how long the last warm-up took
        self.warmed: DataVersion | None = None  # the data version last warmed (or found too small)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="engagekit-dashboard-warmer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def warm_once(self) -> None:
        """Compute every warm page's default view for the current data version (stores of fewer
        than `min_events` events are left to be computed on demand)."""
        version = self.dashboard.version(fresh=True)
        if version == self.warmed:
            return
        if version.events < self.min_events:
            self.warmed = version
            return
        started = self.clock()
        start, end = self.dashboard.meta(version)["default"]
        view = View(start, end)
        for page in PAGES.values():
            if self._stop.is_set():
                return
            if not page.warm:
                continue
            try:
                self.dashboard.page_data(page, view, {}, {}, version, stale_ok=False)
            except Exception as exc:  # one failing page (shown to its visitors) must not stop the others
                log.warning("dashboard warm-up of %s failed: %s: %s", page.slug, type(exc).__name__, exc)
        self.warmed = version
        self._warmed_at = self.clock()
        self._warm_seconds = self._warmed_at - started

    def due(self) -> bool:
        """Whether the next warm-up may run: `gap` after the last one, and long enough after it
        that warming stays within `duty` of the time."""
        return self.clock() - self._warmed_at >= max(self.gap, self._warm_seconds / self.duty)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if self.due():
                    self.warm_once()
                else:
                    self.dashboard.version(fresh=True)  # keep the version requests read current
            except Exception as exc:  # the store may be busy or closing: try again at the next poll
                log.warning("dashboard warm-up failed: %s: %s", type(exc).__name__, exc)
            self._stop.wait(self.interval)
