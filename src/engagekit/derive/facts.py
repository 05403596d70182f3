"""Per-customer facts: one row per known customer, from their record and all their events.

A customer is anyone with a customer record or an identified event (directly, or through an
anonymous id linked to them, so pre-sign-up activity counts). Anonymous visitors who never
identified have no row. Tenure is measured as of a given day, so a rebuild is reproducible.
"""
from __future__ import annotations

from datetime import date

import ibis
import ibis.expr.types as ir

from engagekit.derive.names import ORDERS, PASSIVE, identified
from engagekit.ingest.identity import resolved_events
from engagekit.json_fields import json_text
from engagekit.store import Store

FACT_COLUMNS = (
    "customer_id", "first_seen", "last_seen", "created_at", "orders", "revenue", "first_order_ts",
    "last_order_ts", "tenure_days", "plan", "country", "acquisition_channel", "campaign", "account_id",
    "active_days",
)
TRAITS = ("plan", "country", "acquisition_channel", "campaign")


def customer_facts(store: Store, as_of: date) -> ir.Table:
    """One row per customer (columns: FACT_COLUMNS); `tenure_days` counts days up to `as_of`."""
    people = _event_facts(store)
    records = store.customers_current()
    joined = records.outer_join(people, records.customer_id == people.person_id)
    customer_id = ibis.coalesce(records.customer_id, people.person_id)
    started = ibis.coalesce(records.created_at, people.first_seen).date()
    tenure = ibis.date(as_of).delta(started, unit="day")
    return joined.select(
        customer_id=customer_id,
        first_seen=people.first_seen,
        last_seen=people.last_seen,
        created_at=records.created_at,
        orders=people.orders.fill_null(0),
        revenue=people.revenue.fill_null(0.0),
        first_order_ts=people.first_order_ts,
        last_order_ts=people.last_order_ts,
        tenure_days=ibis.ifelse(tenure >= 0, tenure, ibis.null("int64")),
        **{trait: json_text(records.traits, trait) for trait in TRAITS},
        account_id=records.account_id,
        active_days=people.active_days.fill_null(0),
    )


def _event_facts(store: Store) -> ir.Table:
    """Event aggregates of every identified person."""
    events = resolved_events(store)
    e = events.filter(identified(events))
    is_order = e.event.isin(ORDERS)
    return e.group_by("person_id").aggregate(
        first_seen=e.ts.min(),
        last_seen=e.ts.max(),
        orders=e.count(where=is_order),
        revenue=e.revenue.sum(where=is_order),
        first_order_ts=e.ts.min(where=is_order),
        last_order_ts=e.ts.max(where=is_order),
        active_days=e.ts.date().nunique(where=~e.event.isin(PASSIVE)),
    )
