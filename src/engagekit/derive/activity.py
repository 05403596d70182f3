"""Customer-day activity: one row per person and UTC day with any event.

Event counts come from every channel; `sessions` and `active_seconds` come from the sessions
table and belong to the day the session started, so a session across midnight counts once.
"""
from __future__ import annotations

import ibis.expr.types as ir

from engagekit.derive.names import LOGINS, ORDERS, PAGE_VIEWS
from engagekit.ingest.identity import resolved_events
from engagekit.store import Store

DAY_COLUMNS = ("person_id", "day", "events", "sessions", "page_views", "orders", "revenue", "logins", "active_seconds")


def customer_days(store: Store, sessions: ir.Table, events: ir.Table | None = None) -> ir.Table:
    """Daily activity per person (columns: DAY_COLUMNS) from the store's events and `sessions`
    (the expression of `derive.sessions` or the stored `sessions` table).

    `events` (resolved events) restricts the build to some people and days, as the incremental
    build does; `sessions` must then hold the sessions of those people and days. Default: all events."""
    events = resolved_events(store) if events is None else events
    e = events.mutate(day=events.ts.date())
    is_order = e.event.isin(ORDERS)
    daily = e.group_by(["person_id", "day"]).aggregate(
        events=e.count(),
        page_views=e.count(where=e.event.isin(PAGE_VIEWS)),
        orders=e.count(where=is_order),
        revenue=e.revenue.sum(where=is_order),
        logins=e.count(where=e.event.isin(LOGINS)),
    )
    s = sessions.mutate(day=sessions.start_ts.date())
    visits = s.group_by(["person_id", "day"]).aggregate(sessions=s.count(), active_seconds=s.active_seconds.sum())
    joined = daily.left_join(visits, [daily.person_id == visits.person_id, daily.day == visits.day])
    return joined.select(
        daily.person_id,
        daily.day,
        daily.events,
        sessions=visits.sessions.fill_null(0),
        page_views=daily.page_views,
        orders=daily.orders,
        revenue=daily.revenue.fill_null(0.0),
        logins=daily.logins,
        active_seconds=visits.active_seconds.fill_null(0.0),
    )
