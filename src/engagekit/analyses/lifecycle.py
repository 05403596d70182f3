"""Lifecycle: who is new, returning, resurrecting or going dormant in each period.

Definitions (docs/analyses-lifecycle-stickiness.md has a worked example):

- **period**: a day, a week (starting on `week_start`, Sunday by default) or a calendar month, in
  the project timezone. The periods are the whole periods that overlap the range [start, end); activity is read
  over those whole periods plus the period before the first, so the first period is classified
  with the same rules as the others.
- **active** in a period: did at least one event selected by `activity` (default: any event) in it.
- **created**: a person's creation time is `customers.created_at` (latest customer record) or
  their first event ever (any event, any time), whichever is earlier; a visitor who never
  identified has only the first event. Taking the earlier of the two keeps activity from before
  a sign-up (stitched anonymous events) from happening "before the person existed".
- Each person active in a period has exactly one status, checked in this order:
  **returning** (also active in the previous period), **new** (created in this period),
  **resurrecting** (created in an earlier period, not active in the previous one).
- **dormant**: people active in the previous period and not in this one, reported as a negative
  number (so a stacked chart shows losses below zero).

People are resolved persons (`people_events`): an anonymous id linked to a customer is that customer.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from engagekit.analyses.activity import Activity
from engagekit.analyses.protocol import Analysis, by_names
from engagekit.config import DEFAULT_WEEK_START
from engagekit.people.names import SPEC_NAMES, EventNames
from engagekit.people.naming import Named, named
from engagekit.people.periods import (
    Period,
    WeekStart,
    next_period,
    period_number,
    periods_between,
    python_period_number,
    python_period_start,
)
from engagekit.people.query import EventFilter, Name, StrictModel
from engagekit.people.ranges import DateRange
from engagekit.store import Store

STATUSES = ("new", "returning", "resurrecting", "dormant")


class LifecycleQuery(StrictModel):
    """What to classify: the range, the activity event and the period."""

    range: DateRange
    activity: EventFilter = EventFilter()
    period: Period = "week"
    week_start: WeekStart = DEFAULT_WEEK_START
    cohort: Name | None = None  # only the people of this saved cohort


class LifecyclePeriod(StrictModel):
    """The people of each status in one period; `dormant` is zero or negative."""

    period: date
    new: int = 0
    returning: int = 0
    resurrecting: int = 0
    dormant: int = 0
    active: int = 0  # new + returning + resurrecting


class LifecycleResult(StrictModel, Named):
    """One row per period of the range, oldest first."""

    query: LifecycleQuery
    periods: list[LifecyclePeriod]

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([p.model_dump() for p in self.periods], columns=["period", *STATUSES])

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query.model_dump(mode="json"),
            "periods": [p.model_dump(mode="json") for p in self.periods],
            **self.model_dump(mode="json", include={"names", "notes"}),
        }


def previous_period_start(first: date, period: Period, week_start: WeekStart) -> date:
    """The first day of the period before the one starting on `first`."""
    return python_period_start(first - timedelta(days=1), period, week_start)


def created_times(store: Store, activity: Activity) -> ir.Table:
    """person_id -> created: the earlier of customers.created_at and the person's first event.

    From customer_days the first event is the midnight of its day: the same period, so the same
    status (the earlier of two times is in the earlier of their periods)."""
    events = activity.rows()
    first = events.group_by("person_id").aggregate(first_event=events.ts.min())
    current = store.customers_current()
    # created_at is stored in UTC; events are read as wall-clock time in the project timezone
    customers = current.select("customer_id", created_at=store.local_time(current.created_at))
    joined = first.left_join(customers, first.person_id == customers.customer_id)
    created = ibis.least(joined.first_event, joined.created_at.fill_null(joined.first_event))
    return joined.select(person_id=joined.person_id, created=created)


def counted(store: Store, query: LifecycleQuery, low: date, high: date) -> ir.Table:
    """Per period number (index) in [low, high): the active people, and those of them returning
    (active in the period before) and new (created in the period, and so not returning)."""
    activity = Activity(store, query.cohort)
    events = activity.rows(query.activity.selector())
    read = DateRange(start=low, end=high)
    active = events.filter((events.ts >= read.low()) & (events.ts < read.high()))
    active = active.select("person_id", index=period_number(active.ts, query.period, query.week_start)).distinct()
    created = created_times(store, activity)
    active = active.join(created, "person_id")
    rows = active.mutate(
        previous=active.index.lag().over(ibis.window(group_by="person_id", order_by="index")),
        created_index=period_number(active.created, query.period, query.week_start),
    )
    returning = rows.previous.notnull() & (rows.previous == rows.index - 1)
    return rows.group_by("index").aggregate(
        active=rows.count(),
        returning=rows.count(where=returning),
        new=rows.count(where=~returning & (rows.created_index == rows.index)),
    )


def run_lifecycle(store: Store, query: LifecycleQuery, event_names: EventNames = SPEC_NAMES) -> LifecycleResult:
    """Classify the active people of every period of the range (see the module docstring): the
    engine counts active, returning and new people per period; resurrecting are the other active
    people, and dormant the people active in the period before who are not returning. The
    activity's event names are first mapped as ingest maps them (`event_names`)."""
    query, report = named(store, query, event_names)
    periods = periods_between(query.range.start, query.range.end, query.period, query.week_start)
    before = previous_period_start(periods[0], query.period, query.week_start)
    expr = counted(store, query, before, next_period(periods[-1], query.period))
    counts = {row["index"]: row for row in expr.to_pyarrow().to_pylist()}
    result, previous = [], counts.get(python_period_number(before, query.period, query.week_start), {})
    for start in periods:
        row = counts.get(python_period_number(start, query.period, query.week_start), {})
        active, returning, new = row.get("active", 0), row.get("returning", 0), row.get("new", 0)
        result.append(LifecyclePeriod(period=start, new=new, returning=returning, resurrecting=active - returning - new,
                                      dormant=returning - previous.get("active", 0), active=active))
        previous = row
    return LifecycleResult(query=query, periods=result, **report.fields())


ANALYSIS = Analysis(name="lifecycle", summary="Classify people as new, returning, resurrecting and dormant per period.",
                    query=LifecycleQuery, result=LifecycleResult, run=by_names(run_lifecycle), route="/lifecycle")
