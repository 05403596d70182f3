"""Identity stitching: anonymous ids linked to customers, so pre-sign-up activity counts.

A link comes from any event that carries both `anonymous_id` and `customer_id` (sign-ups,
identify records, logged-in page views). An anonymous id linked to several customers (a
shared device) belongs to the customer it was linked to first.
"""
from __future__ import annotations

import ibis
import ibis.expr.types as ir

from engagekit.store import Store


def link_identities(store: Store, batch_id: str, source: str) -> None:
    """Record the new anonymous_id -> customer_id links seen in one batch of events."""
    events = store.table("events")
    both = events.filter(events.batch_id == batch_id, events.customer_id.notnull(), events.anonymous_id.notnull())
    pairs = both.group_by(["anonymous_id", "customer_id"]).aggregate(first_seen=both.ts.min())
    known = store.table("identities")
    new = pairs.anti_join(known, ["anonymous_id", "customer_id"])
    store.insert("identities", new.mutate(source=ibis.literal(source), batch_id=ibis.literal(batch_id)))


def identity_map(store: Store) -> ir.Table:
    """anonymous_id -> the customer_id it was first linked to."""
    links = store.table("identities")
    first = ibis.row_number().over(group_by="anonymous_id", order_by=[links.first_seen, links.customer_id])
    return links.mutate(_n=first).filter(ibis._._n == 0).select("anonymous_id", "customer_id")


def resolved_events(store: Store) -> ir.Table:
    """Events with `person_id`: the customer when known (directly or through a link), else the
    anonymous id, so a visitor's activity before sign-up belongs to the customer. `ts` is read
    in the project timezone (store.timezone), so days, weeks and months are the project's."""
    events = store.table("events")
    links = identity_map(store).rename(linked_customer="customer_id")
    joined = events.left_join(links, events.anonymous_id == links.anonymous_id).select(
        events, links.linked_customer
    )
    return joined.mutate(
        person_id=ibis.coalesce(joined.customer_id, joined.linked_customer, joined.anonymous_id),
        ts=store.local_time(joined.ts),
    ).drop("linked_customer")
