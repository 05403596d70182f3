"""A customer's profile: current record, activity totals and latest events, identities stitched
(the read API's /customers route and the dashboard's customer page)."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import ibis
from pydantic import BaseModel

from engagekit.ingest.identity import resolved_events
from engagekit.store import Store

PROFILE_EVENTS = 100
ORDER_EVENT = "order_completed"


class ProfileEvent(BaseModel):
    """An event of the person (ts in the project timezone), properties parsed."""

    event_id: str
    ts: datetime
    event: str
    customer_id: str | None
    anonymous_id: str | None
    session_id: str | None
    channel: str | None
    source: str | None
    revenue: float | None
    properties: dict[str, Any] | None


class CustomerProfile(BaseModel):
    """A customer's current record, activity totals and latest events (identities stitched)."""

    customer_id: str
    created_at: datetime | None
    account_id: str | None
    traits: dict[str, Any]
    first_seen: datetime | None
    last_seen: datetime | None
    events_total: int
    orders: int
    revenue: float
    events: list[ProfileEvent]


def customer_profile(store: Store, customer_id: str) -> dict[str, Any] | None:
    """The profile of `customer_id`, None when neither a record nor an event knows them."""
    current = store.customers_current()
    records = current.filter(current.customer_id == customer_id).to_pyarrow().to_pylist()
    events = resolved_events(store)
    mine = events.filter(events.person_id == customer_id)
    is_order = mine.event == ORDER_EVENT
    totals = mine.aggregate(
        events_total=mine.count(), first_seen=mine.ts.min(), last_seen=mine.ts.max(),
        orders=is_order.sum(), revenue=ibis.ifelse(is_order, mine.revenue, 0.0).sum(),
    ).to_pyarrow().to_pylist()[0]
    if not records and not totals["events_total"]:
        return None
    latest = mine.order_by([mine.ts.desc(), mine.event_id.desc()]).limit(PROFILE_EVENTS)
    columns = list(ProfileEvent.model_fields)
    rows = latest.select(*columns).to_pyarrow().to_pylist()
    record = records[0] if records else {}
    return {
        "customer_id": customer_id,
        "created_at": record.get("created_at"),
        "account_id": record.get("account_id"),
        "traits": json.loads(record["traits"]) if record.get("traits") else {},
        "first_seen": totals["first_seen"],
        "last_seen": totals["last_seen"],
        "events_total": totals["events_total"],
        "orders": int(totals["orders"] or 0),
        "revenue": round(float(totals["revenue"] or 0.0), 2),
        "events": [{**row, "properties": json.loads(row["properties"]) if row["properties"] else None}
                   for row in rows],
    }
