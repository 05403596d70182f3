"""What is in a store: row counts, the event date range, customers, revenue, recent batches."""
from __future__ import annotations

from typing import Any

from engagekit.store.schemas import TABLES
from engagekit.store.store import Store

RECENT_BATCHES = 10


def store_summary(store: Store, recent: int = RECENT_BATCHES) -> dict[str, Any]:
    """A JSON-ready description of the store's contents (a handful of aggregate queries)."""
    events = store.table("events")
    totals = events.aggregate(
        events=events.count(),
        first_event=events.ts.min(),
        last_event=events.ts.max(),
        customers_with_events=events.customer_id.nunique(),
        revenue=events.revenue.sum(),
    ).to_pyarrow().to_pylist()[0]
    by_source = (
        events.group_by("source").aggregate(rows=events.count()).order_by("source").to_pyarrow().to_pylist()
    )
    batches = store.table("ingest_batches")
    recent_batches = batches.order_by(batches.started_at.desc()).limit(recent).to_pyarrow().to_pylist()
    return {
        "store": store.url,
        "engine": store.engine_name,
        "schema_version": store.schema_version(),
        "tables": {name: store.count(name) for name in TABLES if name != "meta"},
        "customers": store.customers_current().count().to_pyarrow().as_py(),
        "events": totals["events"],
        "first_event": totals["first_event"],
        "last_event": totals["last_event"],
        "customers_with_events": totals["customers_with_events"],
        "revenue": round(totals["revenue"] or 0.0, 2),
        "events_by_source": {row["source"]: row["rows"] for row in by_source},
        "quarantined": store.count("quarantine"),
        "recent_batches": recent_batches,
    }
