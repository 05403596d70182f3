"""What the running dashboard holds: sessions, the result cache, the catalog, and the store's data
version; and how one page is computed for one view (shared by requests and the warmer).

Every store access goes through `locked()`, the lock the collector's drainer and the read API
take, held for one query step at a time so a long page never stalls the drain for long.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

from engagekit.config import Settings
from engagekit.dashboard.auth import Sessions
from engagekit.dashboard.cache import ResultCache
from engagekit.dashboard.data_store import DataVersion, data_version
from engagekit.dashboard.pages import Page, PageContext
from engagekit.dashboard.view import View
from engagekit.metrics.catalog import Catalog
from engagekit.metrics.headline import last_full_month
from engagekit.people.cohorts import list_cohorts
from engagekit.store import Store

VERSION_SECONDS = 3.0  # a request re-reads the data version when the warmer has not for this long


class Dashboard:
    """The dashboard of one app: built in the app's lifespan, once the collector holds the store."""

    def __init__(self, collector: Any, catalog: Catalog, settings: Settings) -> None:
        self.collector = collector
        self.catalog = catalog
        self.settings = settings
        self.sessions = Sessions()
        self.cache = ResultCache()
        self._version: DataVersion | None = None
        self._version_at = float("-inf")
        self._version_lock = threading.Lock()

    @contextmanager
    def locked(self) -> Iterator[Store]:
        """The app's store, held under the lock the drainer and the read API take."""
        with self.collector.store_lock:
            yield self.collector.store

    def version(self, fresh: bool = False) -> DataVersion:
        """The store's data version: the one the warmer polls every second, re-read here when it is
        older than VERSION_SECONDS (or now, `fresh`)."""
        with self._version_lock:
            if fresh or time.monotonic() - self._version_at >= VERSION_SECONDS:
                with self.locked() as store:
                    self._version = data_version(store)
                self._version_at = time.monotonic()
            return self._version

    def meta(self, version: DataVersion) -> dict[str, Any]:
        """The default range (the last full month, else the last 30 days) and the saved cohorts."""
        def read() -> dict[str, Any]:
            with self.locked() as store:
                month = last_full_month(store)
                cohorts = [c.name for c in list_cohorts(store)]
            today = date.today()
            return {"default": month or (today - timedelta(days=30), today + timedelta(days=1)), "cohorts": cohorts}
        return self.cache.get_or_compute(("meta",), version, read)

    def page_data(self, page: Page, view: View, lists: Mapping[str, list[str]], path: Mapping[str, str],
                  version: DataVersion, stale_ok: bool = True) -> tuple[dict[str, Any], bool]:
        """(template variables, fresh) of the page for this view and its own form fields (`lists`:
        every value of each query parameter; others are ignored). With `stale_ok`, a result of an
        older data version is returned at once (fresh=False) while the current one is computed in
        the background (see engagekit.dashboard.cache)."""
        lists = {name: [v for v in lists.get(name, ()) if v] for name in page.fields}
        lists = {name: values for name, values in lists.items() if values}
        form = {name: values[-1] for name, values in lists.items()}
        key = (page.slug, view.key(), tuple(sorted((k, tuple(v)) for k, v in lists.items())),
               tuple(sorted(path.items())))
        context = PageContext(view, form, lists, path, self.catalog, self.settings, self.locked)
        return self.cache.get(key, version, lambda: page.build(context), stale_ok)
