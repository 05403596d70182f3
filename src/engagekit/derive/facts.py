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


def customer_facts(store: Store, as_of: date, events: ir.Table | None = None,
                   records: ir.Table | None = None) -> ir.Table:
    """One row per customer (columns: FACT_COLUMNS); `tenure_days` counts days up to `as_of`.

    `events` (resolved events) and `records` (current customer records) restrict the build to
    some customers, as the incremental build does; default: all events and records."""
    people = event_facts(resolved_events(store) if events is None else events)
    return facts_of(people, store.customers_current() if records is None else records, as_of)


def facts_of(people: ir.Table, records: ir.Table, as_of: date) -> ir.Table:
    """Facts (columns: FACT_COLUMNS) from per-person event aggregates (`event_facts`) and current
    customer records."""
    joined = records.outer_join(people, records.customer_id == people.person_id)
    customer_id = ibis.coalesce(records.customer_id, people.person_id)
    facts = joined.select(
        customer_id=customer_id,
        first_seen=people.first_seen,
        last_seen=people.last_seen,
        created_at=records.created_at,
        orders=people.orders.fill_null(0),
        revenue=people.revenue.fill_null(0.0),
        first_order_ts=people.first_order_ts,
        last_order_ts=people.last_order_ts,
        tenure_days=ibis.null("int64"),
        **{trait: json_text(records.traits, trait) for trait in TRAITS},
        account_id=records.account_id,
        active_days=people.active_days.fill_null(0),
    )
    return with_tenure(facts, as_of)


def with_tenure(facts: ir.Table, as_of: date) -> ir.Table:
    """Facts with `tenure_days` measured to `as_of`: whole days from the UTC date of `created_at`
    (of `first_seen` without a record); null when that start is after `as_of`. Tenure depends on
    nothing else, so the incremental build re-measures every customer's from the facts alone."""
    started = ibis.coalesce(facts.created_at, facts.first_seen).date()
    tenure = ibis.date(as_of).delta(started, unit="day")
    return facts.mutate(tenure_days=ibis.ifelse(tenure >= 0, tenure, ibis.null("int64")))


EVENT_FACTS = ("first_seen", "last_seen", "orders", "revenue", "first_order_ts", "last_order_ts", "active_days")


def event_facts(events: ir.Table) -> ir.Table:
    """Event aggregates (person_id and EVENT_FACTS) of every identified person of resolved `events`.

    Each is a minimum, maximum or sum, so the aggregates of two sets of events merge (`merge_event_facts`),
    except `active_days`, a distinct count of days (the incremental build adds only new days)."""
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


def merge_event_facts(parts: ir.Table) -> ir.Table:
    """Merge rows of `event_facts` of the same person computed over disjoint sets of events."""
    return parts.group_by("person_id").aggregate(
        first_seen=parts.first_seen.min(),
        last_seen=parts.last_seen.max(),
        orders=parts.orders.sum(),
        revenue=parts.revenue.sum(),
        first_order_ts=parts.first_order_ts.min(),
        last_order_ts=parts.last_order_ts.max(),
        active_days=parts.active_days.sum(),
    )
