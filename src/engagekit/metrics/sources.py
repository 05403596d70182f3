"""The tables KPIs read, each with the timestamp that places a row in a period and the id of
the person it belongs to (so segments by customer trait can be joined on)."""
from __future__ import annotations

import weakref
from dataclasses import dataclass

import ibis.expr.types as ir

from engagekit.errors import EngagekitError
from engagekit.ingest.identity import resolved_events
from engagekit.metrics.spec import Source
from engagekit.store import Store


@dataclass(frozen=True)
class SourceTable:
    table: ir.Table
    ts: str  # column that places a row in a period
    person: str  # column naming the person, joined to customer traits for segments


_BUILT: weakref.WeakKeyDictionary[Store, dict[tuple[Source, bool], SourceTable]] = weakref.WeakKeyDictionary()


def source_table(store: Store, source: Source, people: bool = True) -> SourceTable:
    """The Ibis table behind a measure source. Events get `person_id` through identity stitching
    unless `people` is false (counts and sums need no person, and skip the join).

    Built once per store and reused: looking a table up asks the engine for its schema (and, for
    a derived table, whether it exists), a fixed cost per KPI query otherwise. The expressions
    name the tables, so they read the current rows after any ingest or rebuild."""
    built = _BUILT.setdefault(store, {})
    if (source, people) not in built:
        built[(source, people)] = _build(store, source, people)
    return built[(source, people)]


def _build(store: Store, source: Source, people: bool) -> SourceTable:
    match source:
        case Source.EVENTS:
            if not people:
                events = store.table("events")
                return SourceTable(events.mutate(ts=store.local_time(events.ts)), "ts", "customer_id")
            return SourceTable(resolved_events(store), "ts", "person_id")
        case Source.SESSIONS:
            return SourceTable(store.table("sessions"), "start_ts", "person_id")
        case Source.CUSTOMERS:
            customers = store.customers_current()
            return SourceTable(customers.mutate(person_id=customers.customer_id), "created_at", "customer_id")
    raise EngagekitError(f"unhandled source {source!r}")
