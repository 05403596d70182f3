"""Bring the derived tables up to date after an ingest: `sessions`, `customer_days`, `customer_facts`.

By default a build is incremental: it applies only the ingest batches the tables do not reflect
yet (see `ledger` for how they are tracked and `incremental` for what a batch changes), which
gives the same tables as a full rebuild. A full rebuild recomputes every table from all events
and replaces it; it runs when asked (`full=True`, `engagekit derive --full`), on the first
build, after the session rules changed, and when rows were written outside an ingest batch.
"""
from __future__ import annotations

from datetime import UTC, date, datetime

from engagekit.derive.activity import customer_days
from engagekit.derive.facts import customer_facts, with_tenure
from engagekit.derive.incremental import update_derived
from engagekit.derive.ledger import pending_batches, record_applied, record_full
from engagekit.derive.sessions import SessionRules, sessions
from engagekit.derive.span import time_span
from engagekit.store import DERIVED_TABLES, Store


def build_derived(store: Store, rules: SessionRules | None = None, as_of: date | None = None,
                  full: bool = False) -> dict[str, int]:
    """Update (or, with `full`, rebuild) the derived tables and return their row counts.

    `as_of` is the day tenure is measured to; by default the UTC day of the latest event, so
    a historical dataset gets the tenure it had when its data ended.
    """
    rules = rules or SessionRules()
    as_of = as_of or _latest_event_day(store)
    pending = None if full else pending_batches(store, rules)
    with store.transaction():
        if pending is None:
            rebuild_derived(store, rules, as_of)
            record_full(store, rules)
        elif pending:
            update_derived(store, rules, pending, as_of)
            record_applied(store, pending)
        else:  # nothing new, but tenure follows the as-of day
            store.replace_table("customer_facts", with_tenure(store.table("customer_facts"), as_of))
    return {name: store.count(name) for name in DERIVED_TABLES}


def rebuild_derived(store: Store, rules: SessionRules, as_of: date) -> None:
    """Replace every derived table from all events. `customer_days` reads the stored `sessions`,
    so sessions are computed once."""
    store.replace_table("sessions", sessions(store, rules))
    store.replace_table("customer_days", customer_days(store, store.table("sessions")))
    store.replace_table("customer_facts", customer_facts(store, as_of))


def _latest_event_day(store: Store) -> date:
    """The UTC day of the latest event within the accepted times (derive.span); today when the
    store has none."""
    span = time_span(store.table("events"))
    return span[1].date() if span is not None else datetime.now(UTC).date()
