"""The headline KPIs of the last full month against the month before (what `engagekit demo` and
the executive views open with)."""
from __future__ import annotations

from datetime import date, timedelta

from engagekit.derive.span import time_span
from engagekit.metrics.catalog import Catalog
from engagekit.metrics.engine import compute
from engagekit.metrics.result import MetricResult
from engagekit.people.periods import month_range
from engagekit.store import Store

HEADLINE_KPIS = ("revenue", "orders", "conversion_rate", "average_order_value", "cart_abandonment_rate",
                 "purchase_frequency", "nps", "churn_rate", "retention_rate")


def last_full_month(store: Store) -> tuple[date, date] | None:
    """The last calendar month that ends on or before the last event's day, if any (the last
    event within the accepted times: see engagekit.derive.span)."""
    span = time_span(store.table("events"))
    if span is None:
        return None
    last = span[1]
    month_end = (last + timedelta(days=1)).date()
    if month_end.day != 1:
        month_end = month_end.replace(day=1)
    start, _ = month_range(f"{(month_end - timedelta(days=1)):%Y-%m}")
    return start, month_end


def headline(store: Store, catalog: Catalog, names: tuple[str, ...] = HEADLINE_KPIS) -> MetricResult | None:
    """Headline KPIs of the last full month, compared with the previous month."""
    period = last_full_month(store)
    if period is None:
        return None
    available = [name for name in names if name in catalog.metrics]
    return compute(store, catalog, available, *period, compare="previous_period")
