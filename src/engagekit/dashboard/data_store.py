"""What the Data page shows and how the dashboard knows the store changed.

The Data page is read-only: ingest batches, quarantined rows, event sources and API keys
(listed through engagekit.access.keys.list_keys: id, kind, name, creation time; never a secret
or its hash).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engagekit.access.keys import list_keys
from engagekit.ingest.quarantine import quarantined
from engagekit.store import DERIVED_TABLES, TABLES, Store

BATCH_ROWS = 50
QUARANTINE_ROWS = 100


@dataclass(frozen=True)
class DataVersion:
    """Row counts of every table (-1: a derived table not built) and the latest batch's end."""

    counts: tuple[tuple[str, int], ...]
    latest_batch: datetime | None

    @property
    def events(self) -> int:
        return dict(self.counts)["events"]


def data_version(store: Store) -> DataVersion:
    """What changes with any write to the store (an ingest, a derive, a saved cohort, a key), so
    results cached under it are never stale."""
    counts = [(name, store.count(name)) for name in TABLES if name != "meta"]
    counts += [(name, store.count(name) if store.has_table(name) else -1) for name in DERIVED_TABLES]
    latest = store.table("ingest_batches").finished_at.max().to_pyarrow().as_py()
    return DataVersion(tuple(counts), latest)


def batches(store: Store, limit: int = BATCH_ROWS) -> list[dict[str, Any]]:
    """The latest ingest batches, newest first (as the read API lists them)."""
    table = store.table("ingest_batches")
    return table.order_by([table.started_at.desc(), table.batch_id]).limit(limit).to_pyarrow().to_pylist()


def quarantine_rows(store: Store, limit: int = QUARANTINE_ROWS) -> list[dict[str, Any]]:
    """The latest quarantined rows, newest batch first."""
    return quarantined(store).limit(limit).to_pyarrow().to_pylist()


def sources(store: Store) -> list[dict[str, Any]]:
    """Per event source: events, customers, first and last event."""
    events = store.table("events")
    per_source = events.group_by("source").aggregate(
        events=events.count(), customers=events.customer_id.nunique(), first=events.ts.min(), last=events.ts.max(),
    )
    return per_source.order_by(per_source.events.desc()).to_pyarrow().to_pylist()


def keys(store: Store) -> list[dict[str, Any]]:
    """Every API key's listing (no secrets)."""
    return [info.to_dict() for info in list_keys(store)]
