"""Rebuild the derived tables after an ingest: `sessions`, `customer_days`, `customer_facts`.

Each build recomputes every table from all events (a full rebuild); the tables are replaced,
never appended to, so a rebuild after any ingest gives the same result as a first build.
`customer_days` reads the stored `sessions`, so sessions are computed once per build.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from engagekit.derive.activity import customer_days
from engagekit.derive.facts import customer_facts
from engagekit.derive.sessions import SessionRules, sessions
from engagekit.store import DERIVED_TABLES, Store


def build_derived(store: Store, rules: SessionRules | None = None, as_of: date | None = None) -> dict[str, int]:
    """Replace the derived tables from the store's events and return their row counts.

    `as_of` is the day tenure is measured to; by default the UTC day of the latest event, so
    a historical dataset gets the tenure it had when its data ended.
    """
    rules = rules or SessionRules()
    as_of = as_of or _latest_event_day(store)
    with store.transaction():
        store.replace_table("sessions", sessions(store, rules))
        store.replace_table("customer_days", customer_days(store, store.table("sessions")))
        store.replace_table("customer_facts", customer_facts(store, as_of))
    return {name: store.count(name) for name in DERIVED_TABLES}


def _latest_event_day(store: Store) -> date:
    """The UTC day of the latest event; today when the store has no events."""
    latest: datetime | None = store.table("events").ts.max().to_pyarrow().as_py()
    return latest.date() if latest is not None else datetime.now(timezone.utc).date()
