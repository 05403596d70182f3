"""Where day-grained analyses read activity from: the derived `customer_days` table when it
stands for the events, else the identity-resolved events themselves.

Retention, lifecycle and stickiness only ask, per person, on which days (and so in which
periods) they did something and how many times. When the activity is *any event*, the derived
`customer_days` table (person, UTC day, events) answers that with one row per person-day instead
of one per event, and without resolving identities again. It stands for the events only when

- the project timezone is UTC (its days are UTC days, the analyses' days are the project's), and
- it is up to date: its `events` add up to the rows of `events` (events are only ever appended,
  and identity links arrive with events, so any ingest since the last build changes the count).

Otherwise the rows are the events. Either way the analyses see the same table shape, `person_id`,
`ts`, `events`: a row is `events` events of the person at `ts`; from `customer_days`, `ts` is the
day at midnight. Midnight keeps every day, week and month the same, and a range of whole days
selects the same rows, so both sources give the same results.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import cached_property

import ibis
import ibis.expr.types as ir

from engagekit.derive.span import time_span
from engagekit.people.events import people_events
from engagekit.store import Store

Selector = Callable[[ir.Table], ir.BooleanValue]


class Activity:
    """The activity of a store (optionally of one saved cohort's people), read once per analysis."""

    def __init__(self, store: Store, cohort: str | None = None) -> None:
        self.store = store
        self.cohort = cohort

    @cached_property
    def daily(self) -> ir.Table | None:
        """`customer_days` when it stands for the events, else None (checked once, when first needed)."""
        return _fresh_days(self.store)

    def rows(self, select: Selector | None = None) -> ir.Table:
        """(person_id, ts, events) of the events `select` picks (None: every event)."""
        if select is None and self.daily is not None:
            days = self.daily
            if self.cohort is not None:
                from engagekit.people.cohorts import cohort_people, in_cohort

                days = in_cohort(days, cohort_people(self.store, self.cohort))
            return days.select("person_id", ts=days.day.cast("timestamp"), events=days.events.cast("int64"))
        events = people_events(self.store, self.cohort)
        if select is not None:
            events = events.filter(select(events))
        return events.select("person_id", "ts", events=ibis.literal(1, type="int64"))

    @cached_property
    def days(self) -> tuple[date, date] | None:
        """The days of the first and the latest event (of the cohort's people, with a cohort)
        within the accepted times (engagekit.derive.span); None without any."""
        span = time_span(self.rows())
        return None if span is None else (span[0].date(), span[1].date())

    def last_day(self) -> date | None:
        """The day of the latest event (see `days`); None without any."""
        return self.days[1] if self.days else None


def _fresh_days(store: Store) -> ir.Table | None:
    """`customer_days` when it stands for the events (see the module docstring), else None."""
    if store.timezone != "UTC" or not store.has_table("customer_days"):
        return None
    days = store.table("customer_days")
    derived = days.events.sum().to_pyarrow().as_py() or 0
    return days if derived == store.count("events") else None
