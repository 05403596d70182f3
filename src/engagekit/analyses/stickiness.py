"""Stickiness: in how many periods of the range people were active, and DAU/WAU/MAU by day.

Definitions (docs/analyses-lifecycle-stickiness.md has a worked example):

- **activity**: the events selected by `activity`; by default (None) the active events of the
  DAU/WAU/MAU KPIs (`metrics.spec.ACTIVE_EVENTS`: things people do themselves on a
  website or in an app), so the series below match those KPIs.
- **period**: a day (default) or a week starting on `week_start`, in the project timezone. The periods are the
  whole periods that overlap the range [start, end), and their events count in full.
- **criterion**: a person counts in a period when their activity events in it number at least
  (default: at least 1), at most, or exactly `n`. A period without any activity event never
  counts, so "at most 2" means 1 or 2 events.
- **distribution**: for k = 1 .. number of periods, the people who counted in exactly k periods;
  **cumulative**: the people who counted in k or more. People who never counted are in neither.
- **DAU(d)**: distinct people with an activity event on day d; **WAU(d)**: in the 7 days ending
  on d (d-6 .. d); **MAU(d)**: in the 30 days ending on d (d-29 .. d); **DAU/MAU(d)** = DAU(d) /
  MAU(d), None when MAU(d) is 0. One value per day of the range; events up to 29 days before the
  range are read for the first windows. The criterion does not apply to these series.

Against the KPIs (same events): KPI `dau` over a range is the mean of DAU(d) over its days; KPI
`wau` over exactly 7 days ending on d is WAU(d); KPI `mau` over a 30-day month is MAU(last
day). KPI `wau`/`mau` over longer ranges average consecutive calendar windows instead of rolling
ones, and KPI `stickiness` divides the mean DAU by such a calendar MAU.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Literal

import ibis
import ibis.expr.types as ir
import pandas as pd
from pydantic import Field

from engagekit.analyses.activity import Activity, Selector
from engagekit.analyses.protocol import Analysis, by_names
from engagekit.config import DEFAULT_WEEK_START
from engagekit.metrics.spec import ACTIVE_EVENTS
from engagekit.people.names import SPEC_NAMES, EventNames
from engagekit.people.naming import Named, named
from engagekit.people.periods import WeekStart, next_period, period_number, periods_between
from engagekit.people.query import MAX_EVENT_COUNT, EventFilter, Name, StrictModel
from engagekit.people.ranges import DateRange
from engagekit.store import Store

ROLLING_DAYS = {"dau": 1, "wau": 7, "mau": 30}


class Criterion(StrictModel):
    """How many activity events a period needs to count: at least, at most or exactly `n`."""

    compare: Literal["at_least", "at_most", "exactly"] = "at_least"
    n: int = Field(default=1, ge=1, le=MAX_EVENT_COUNT)

    def holds(self, events: ir.IntegerValue) -> ir.BooleanValue:
        if self.compare == "at_least":
            return events >= self.n
        if self.compare == "at_most":
            return events <= self.n
        return events == self.n

    def label(self) -> str:
        return f"{self.compare.replace('_', ' ')} {self.n} event(s)"


class StickinessQuery(StrictModel):
    """The range, the activity (None: the KPIs' active events), the period and the criterion."""

    range: DateRange
    activity: EventFilter | None = None
    period: Literal["day", "week"] = "day"
    week_start: WeekStart = DEFAULT_WEEK_START
    criterion: Criterion = Criterion()
    cohort: Name | None = None  # only the people of this saved cohort

    def selector(self) -> Selector | None:
        """Which events are activity (None: every event, see analyses.activity)."""
        if self.activity is None:
            return lambda events: events.event.isin(list(ACTIVE_EVENTS))
        return self.activity.selector()


class StickinessBucket(StrictModel):
    """`people` counted in exactly `periods` periods; `cumulative` in `periods` or more."""

    periods: int
    people: int
    cumulative: int


class ActiveDay(StrictModel):
    """The rolling active people of one day."""

    day: date
    dau: int
    wau: int
    mau: int
    dau_mau: float | None = None  # dau / mau, none without monthly actives


class StickinessResult(StrictModel, Named):
    """The distribution over 1 .. `period_count` periods and the daily series of the range."""

    query: StickinessQuery
    period_count: int
    distribution: list[StickinessBucket]
    series: list[ActiveDay]

    def to_frame(self) -> pd.DataFrame:
        """The distribution (one row per number of periods)."""
        return pd.DataFrame([b.model_dump() for b in self.distribution], columns=["periods", "people", "cumulative"])

    def series_frame(self) -> pd.DataFrame:
        """The daily DAU, WAU, MAU and DAU/MAU series."""
        return pd.DataFrame([d.model_dump() for d in self.series],
                            columns=["day", "dau", "wau", "mau", "dau_mau"])

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query.model_dump(mode="json"),
            "period_count": self.period_count,
            "distribution": [b.model_dump(mode="json") for b in self.distribution],
            "series": [d.model_dump(mode="json") for d in self.series],
            **self.model_dump(mode="json", include={"names", "notes"}),
        }


def read_between(events: ir.Table, start: date, end: date) -> ir.BooleanValue:
    read = DateRange(start=start, end=end)
    return (events.ts >= read.low()) & (events.ts < read.high())


def periods_per_person(activity: Activity, query: StickinessQuery, periods: list[date]) -> ir.Table:
    """(periods, people): how many people counted in exactly that many periods."""
    events = activity.rows(query.selector())
    end = next_period(periods[-1], query.period)
    active = events.filter(read_between(events, periods[0], end))
    active = active.mutate(period=period_number(active.ts, query.period, query.week_start))
    per_period = active.group_by(["person_id", "period"]).aggregate(events=active.events.sum())
    counted = per_period.filter(query.criterion.holds(per_period.events))
    per_person = counted.group_by("person_id").aggregate(periods=counted.count())
    return per_person.group_by("periods").aggregate(people=per_person.count())


def coverage_changes(activity: Activity, query: StickinessQuery) -> ir.Table:
    """(day, window, change): how the rolling active count of each window length changes on a day.

    A person active on day e is in the window of n days ending on d when e <= d < e + n. Cut at
    the person's next active day, these spans no longer overlap, so each person adds +1 on e and
    -1 on the earlier of e + n and the next active day: the running sum of the changes up to d
    is the number of people in the window ending on d, with one pass over the person-days and
    no join."""
    events = activity.rows(query.selector())
    first = query.range.start - timedelta(days=ROLLING_DAYS["mau"] - 1)
    active = events.filter(read_between(events, first, query.range.end))
    days = active.select(person_id=active.person_id, day=active.ts.truncate("D").cast("date")).distinct()
    days = days.mutate(following=days.day.lead().over(ibis.window(group_by="person_id", order_by="day")))
    parts = [days.select("day", window=ibis.literal(0, type="int64"), change=ibis.literal(1, type="int64"))]
    for length in ROLLING_DAYS.values():
        ends = days.day + ibis.interval(days=length)
        end = ibis.ifelse(days.following.notnull() & (days.following < ends), days.following, ends)
        parts.append(days.select(day=end, window=ibis.literal(length, type="int64"),
                                 change=ibis.literal(-1, type="int64")))
    changes = ibis.union(*parts)
    return changes.group_by(["day", "window"]).aggregate(change=changes.change.sum())


def rolling_series(changes: list[dict[str, Any]], start: date, end: date) -> list[ActiveDay]:
    """DAU, WAU and MAU of each day of [start, end) from the running sums of `coverage_changes`
    (window 0 holds the +1 of every person-day; window n the -1 where a span of n days ends)."""
    by_day: dict[date, dict[int, int]] = {}
    for row in changes:
        by_day.setdefault(row["day"], {})[row["window"]] = row["change"]
    running = {length: 0 for length in ROLLING_DAYS.values()}
    series, day = [], min([start, *by_day])
    while day < end:
        today = by_day.get(day, {})
        for length in running:
            running[length] += today.get(0, 0) + today.get(length, 0)
        if day >= start:
            active = {name: running[n] for name, n in ROLLING_DAYS.items()}
            series.append(ActiveDay(day=day, **active, dau_mau=active["dau"] / active["mau"] if active["mau"] else None))
        day += timedelta(days=1)
    return series


def cumulative(counts: dict[int, int], period_count: int) -> list[StickinessBucket]:
    """Buckets 1 .. period_count with their 'k or more' totals."""
    buckets, running = [], 0
    for k in range(period_count, 0, -1):
        running += counts.get(k, 0)
        buckets.append(StickinessBucket(periods=k, people=counts.get(k, 0), cumulative=running))
    return buckets[::-1]


def run_stickiness(store: Store, query: StickinessQuery, event_names: EventNames = SPEC_NAMES) -> StickinessResult:
    """The stickiness distribution and the rolling active series (see the module docstring), the
    activity's event names first mapped as ingest maps them (`event_names`)."""
    query, report = named(store, query, event_names)
    periods = periods_between(query.range.start, query.range.end, query.period, query.week_start)
    activity = Activity(store, query.cohort)
    per_person = periods_per_person(activity, query, periods).to_pyarrow().to_pylist()
    counts = {r["periods"]: r["people"] for r in per_person}
    changes = coverage_changes(activity, query).to_pyarrow().to_pylist()
    series = rolling_series(changes, query.range.start, query.range.end)
    return StickinessResult(query=query, period_count=len(periods), distribution=cumulative(counts, len(periods)),
                            series=series, **report.fields())


ANALYSIS = Analysis(name="stickiness", summary="Active periods per person and the rolling DAU/WAU/MAU series.",
                    query=StickinessQuery, result=StickinessResult, run=by_names(run_stickiness), route="/stickiness")
