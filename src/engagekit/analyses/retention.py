"""Retention cohorts: of the people who did a start event, how many come back period after period.

Definitions (periods are project-timezone days, weeks starting on `week_start` (Sunday by default) or
calendar months; people are counted after identity stitching):

* **Cohort.** Recurring mode: a person belongs to the cohort of *every* period in which they did
  the start event. First-time mode: only to the period of their first-ever start event over all
  history; a person whose first start event lies before the range is in no cohort. With
  `cohort_by` (a trait such as `campaign`), cohorts are the trait values instead (people without
  the trait form the cohort `(none)`); each person counts once, anchored at the period of their
  first-ever start event (that period must lie in the range); `mode` then plays no part.
* **Range.** Cohort periods whose first day lies in [range.start, range.end), counting the
  period that contains range.start: a cohort is always a whole period. At most
  MAX_RETENTION_COHORTS periods. Without a range: the periods from the first to the last day of
  activity (any event of the people analysed, within the accepted event times of
  engagekit.derive.span), the latest MAX_RETENTION_COHORTS of them.
* **Accepted times.** Events later than the last day of activity (times past now + 1 day, which
  intake refuses) are never returns.
* **Period k.** The k-th period after the cohort period (period 0). Period 0 is the cohort size:
  a return event in the cohort period itself is not a return.
* **Cell k.** Members who did the return event (at least `min_returns` times) in exactly period
  k. Cumulative mode ("on or after"): a member counts in every period 1..k up to the last period
  in which they returned (also a return later than period N fills every cell).
* **Observed.** Period k of a cohort is observed when its first day is on or before the day of
  the last event in the store. Unobserved cells are None, not 0. For trait cohorts, whose
  members have different anchors, cell k is taken over the members whose period k is observed
  (`eligible`), and is None when there are none.
* **Average curve.** Per k, the sum of counts over the sum of eligible members, over the cohorts
  whose period k is observed (an average weighted by cohort size).

Worked example (week periods, Sunday start, start = signed_up, return = any event, N = 2, the
last event on Mon 2024-01-22): a signs up Tue 2024-01-02 (week of Sun 12-31) and is active again
on Wed 01-03 (same week: not a return) and Fri 01-12 (week 01-07: k = 1). b signs up Sat
01-06 (week 12-31) and is active on Sun 01-21 (week 01-21: k = 3, beyond N). Cohort 2023-12-31:
size 2, k = 1: 1 (50%), k = 2: 0 (week 01-14 observed). Cumulative: k = 1: 2 (a returned in k = 1,
b later), k = 2: 1 (b). A cohort of week 2024-01-21 would show k = 1 as None: its first day,
01-28, is after the last event.
"""
from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, timedelta
from typing import Any, Literal

import ibis
import ibis.expr.types as ir
import pandas as pd
from pydantic import Field, field_validator, model_validator

from engagekit.analyses.activity import Activity
from engagekit.analyses.protocol import Analysis, by_names
from engagekit.config import DEFAULT_WEEK_START
from engagekit.json_fields import json_text
from engagekit.people.names import SPEC_NAMES, EventNames
from engagekit.people.naming import Named, named
from engagekit.people.periods import (
    Period,
    WeekStart,
    next_period,
    numbered_period_start,
    period_number,
    python_period_number,
    python_period_start,
)
from engagekit.people.query import MAX_EVENT_COUNT, EventFilter, Name, StrictModel
from engagekit.people.ranges import DateRange, midnight
from engagekit.store import Store

Mode = Literal["recurring", "first_time"]
NO_TRAIT = "(none)"
# Bounds (docs/analyses-retention.md): periods after the cohort period, and cohort periods in the
# range; the matrix has at most (MAX_RETENTION_PERIODS + 1) x MAX_RETENTION_COHORTS cells.
MAX_RETENTION_PERIODS = 400
MAX_RETENTION_COHORTS = 400
_TRAIT_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class RetentionQuery(StrictModel):
    """What to measure: see the module docstring for every term."""

    start_event: EventFilter = EventFilter()
    return_event: EventFilter = EventFilter()
    period: Period = "week"
    week_start: WeekStart = DEFAULT_WEEK_START
    periods: int = Field(default=8, ge=1, le=MAX_RETENTION_PERIODS)
    range: DateRange | None = None
    mode: Mode = "recurring"
    cumulative: bool = False
    min_returns: int = Field(default=1, ge=1, le=MAX_EVENT_COUNT)
    cohort_by: Name | None = None
    cohort: Name | None = None  # only the people of this saved cohort

    @field_validator("cohort_by")
    @classmethod
    def _trait_name(cls, value: str | None) -> str | None:
        if value is not None:
            value = value.removeprefix("traits.")
            if not _TRAIT_KEY.match(value):
                raise ValueError(f"cohort_by must be a trait name such as campaign, not {value!r}")
        return value

    @model_validator(mode="after")
    def _bounded_cohorts(self) -> RetentionQuery:
        if self.range is not None and self.cohort_by is None:
            count = cohort_count(self.range, self.period, self.week_start)
            if count > MAX_RETENTION_COHORTS:
                raise ValueError(f"range: at most {MAX_RETENTION_COHORTS} {self.period} cohorts, not {count}; "
                                 "give a shorter range or a longer period")
        return self


def cohort_count(days: DateRange, period: Period, week_start: WeekStart) -> int:
    """How many cohort periods the range holds (the whole periods that overlap it)."""
    last = days.end - timedelta(days=1)
    return python_period_number(last, period, week_start) - python_period_number(days.start, period, week_start) + 1


class RetentionRow(StrictModel):
    """One cohort: lists are indexed by k = 0..N; None marks a period not observed yet."""

    cohort: str
    start: date | None
    size: int
    eligible: list[int]
    counts: list[int | None]
    percentages: list[float | None]


class RetentionResult(StrictModel, Named):
    """The retention matrix and its average curve (percentages of eligible members)."""

    query: RetentionQuery
    last_event_day: date | None
    rows: list[RetentionRow]
    average: list[float | None]

    def to_frame(self) -> pd.DataFrame:
        """One row per cohort and period k."""
        records = [
            {"cohort": row.cohort, "start": row.start, "size": row.size, "k": k, "eligible": row.eligible[k],
             "count": row.counts[k], "percentage": row.percentages[k]}
            for row in self.rows for k in range(self.query.periods + 1)
        ]
        columns = ["cohort", "start", "size", "k", "eligible", "count", "percentage"]
        return pd.DataFrame.from_records(records, columns=columns)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the query, the last event day, the rows and the average curve."""
        return self.model_dump(mode="json")


def run_retention(store: Store, query: RetentionQuery, event_names: EventNames = SPEC_NAMES) -> RetentionResult:
    """The retention matrix of `query` (one aggregate query to the engine, plus the last day), its
    event names first mapped as ingest maps them (`event_names`: the project's vocabulary)."""
    query, report = named(store, query, event_names)
    activity = Activity(store, query.cohort)
    members, returns = _members_and_returns(store, activity, query, _cohort_days(query, activity))
    keys = ["cohort", "index"]
    if query.cumulative:  # a member counts in every period up to the person's last return
        last = returns.group_by("person_id").aggregate(last=returns.index.max())
        joined = members.join(last, members.person_id == last.person_id)
        paired = joined.select(members.cohort, members.index, k=joined.last - members.index).filter(ibis._.k >= 1)
    else:
        paired = members.join(returns, members.person_id == returns.person_id).select(
            members.cohort, members.index, k=returns.index - members.index
        ).filter(ibis._.k >= 1, ibis._.k <= query.periods)
    cells = paired.group_by([*keys, "k"]).aggregate(n=ibis._.count())
    sizes = members.group_by(keys).aggregate(k=ibis.literal(0, type="int64"), n=ibis._.count())
    table = sizes.union(cells.mutate(k=cells.k.cast("int64"), n=cells.n.cast("int64")))
    records = [{**record, "anchor": numbered_period_start(record["index"], query.period, query.week_start)}
               for record in table.to_pyarrow().to_pylist()]
    return _assemble(query, records, activity.last_day()).model_copy(update=report.fields())


def _cohort_days(query: RetentionQuery, activity: Activity) -> DateRange | None:
    """The days of the cohort periods: the whole periods that overlap the range, or without one
    the latest MAX_RETENTION_COHORTS periods of the days of activity; None without activity."""
    if activity.days is None:
        return None
    if query.range is not None:
        first, last = query.range.start, query.range.end - timedelta(days=1)
    else:
        first, last = activity.days
        latest = python_period_number(last, query.period, query.week_start)
        first = max(first, numbered_period_start(latest - MAX_RETENTION_COHORTS + 1, query.period, query.week_start))
    low = python_period_start(first, query.period, query.week_start)
    high = next_period(python_period_start(last, query.period, query.week_start), query.period)
    return DateRange(start=low, end=high)


def _between(rows: ir.Table, low: date | None, high: date | None) -> ir.Table:
    """The rows on the days [low, high) (an open side when None)."""
    if low is not None:
        rows = rows.filter(rows.ts >= midnight(low))
    if high is not None:
        rows = rows.filter(rows.ts < midnight(high))
    return rows


def _per_period(rows: ir.Table, query: RetentionQuery) -> ir.Table:
    """person_id, index (the period's number), events: each person's events in each period."""
    stamped = rows.select("person_id", "events", index=period_number(rows.ts, query.period, query.week_start))
    return stamped.group_by(["person_id", "index"]).aggregate(events=stamped.events.sum())


def _members_and_returns(store: Store, activity: Activity, query: RetentionQuery,
                         span: DateRange | None) -> tuple[ir.Table, ir.Table]:
    """Cohort membership (person_id, cohort: trait value or null, index of period 0) and the periods
    (person_id, index) with at least min_returns return events, for the cohort periods of `span`.
    A return counts only after the first cohort period, up to the last day of activity and, unless
    cumulative, up to N periods after the last one; when the start and return events are the
    same, both come from one table of person-periods."""
    low = span.start if span is not None else None
    high = activity.days[1] + timedelta(days=1) if activity.days is not None else None
    if span is not None and not query.cumulative:
        high = min(high, _shift(span.end, query.period, query.periods))
    per_period = _per_period(_between(activity.rows(query.return_event.selector()), low, high), query)
    if query.mode == "recurring" and query.cohort_by is None and query.start_event == query.return_event:
        members = per_period
        if span is not None:
            members = members.filter(members.index < python_period_number(span.end, query.period, query.week_start))
        members = members.select("person_id", "index", cohort=ibis.null("string"))
    else:
        members = _members(store, activity, query, span)
    returns = per_period.filter(per_period.events >= query.min_returns).select("person_id", "index")
    return members, returns


def _members(store: Store, activity: Activity, query: RetentionQuery, span: DateRange | None) -> ir.Table:
    """Cohort membership: person_id, cohort (trait value or null), index of the cohort period."""
    starts = activity.rows(query.start_event.selector())
    if query.mode == "recurring" and query.cohort_by is None:  # every period with a start event
        starts = _between(starts, span.start, span.end) if span is not None else starts
        anchored = starts.select("person_id", index=period_number(starts.ts, query.period, query.week_start))
        anchored = anchored.distinct()
    else:  # the period of the first start event ever, if it is a cohort period
        first = starts.group_by("person_id").aggregate(ts=starts.ts.min())
        first = _between(first, span.start, span.end) if span is not None else first
        anchored = first.select("person_id", index=period_number(first.ts, query.period, query.week_start))
    if query.cohort_by is None:
        return anchored.mutate(cohort=ibis.null("string"))
    customers = store.customers_current()
    traits = customers.select(customer_id=customers.customer_id, cohort=json_text(customers.traits, query.cohort_by))
    joined = anchored.left_join(traits, anchored.person_id == traits.customer_id)
    return joined.select(anchored.person_id, anchored.index, joined.cohort)


def _shift(day: date, period: Period, k: int) -> date:
    for _ in range(k):
        day = next_period(day, period)
    return day


def _assemble(query: RetentionQuery, records: list[dict[str, Any]], last_day: date | None) -> RetentionResult:
    """Cells from the aggregated rows (cohort, anchor, k, n): eligibility, cumulation, percentages."""
    span = query.periods + 1
    by_trait = query.cohort_by is not None
    sizes: dict[tuple[Any, int], int] = {}
    counts: dict[Any, list[int]] = defaultdict(lambda: [0] * span)
    for record in records:
        group, k, n = record["cohort"] if by_trait else record["anchor"], record["k"], record["n"]
        if k == 0:
            sizes[(group, record["index"])] = n
        elif query.cumulative:
            for j in range(1, min(k, query.periods) + 1):
                counts[group][j] += n
        else:
            counts[group][k] += n
    eligible: dict[Any, list[int]] = defaultdict(lambda: [0] * span)
    last = python_period_number(last_day, query.period, query.week_start) if last_day is not None else None
    for (group, index), size in sizes.items():
        observed = 0 if last is None else max(0, min(span, last - index + 1))  # period k starts by last_day
        for k in range(observed):
            eligible[group][k] += size
    rows = []
    for group in sorted(eligible, key=lambda g: (g is None, g or "") if by_trait else g):
        base = eligible[group]
        cells = [counts[group][k] if k else base[0] for k in range(span)]
        rows.append(RetentionRow(
            cohort=_label(query, group),
            start=None if by_trait else group,
            size=base[0],
            eligible=base,
            counts=[cells[k] if base[k] else None for k in range(span)],
            percentages=[100.0 * cells[k] / base[k] if base[k] else None for k in range(span)],
        ))
    return RetentionResult(query=query, last_event_day=last_day, rows=rows, average=_average(rows, span))


def _label(query: RetentionQuery, group: Any) -> str:
    """A trait value (`(none)` when missing), else the cohort period: YYYY-MM-DD or YYYY-MM."""
    if query.cohort_by is not None:
        return NO_TRAIT if group is None else str(group)
    return f"{group:%Y-%m}" if query.period == "month" else group.isoformat()


def _average(rows: list[RetentionRow], span: int) -> list[float | None]:
    """Per k: counts over eligible members, summed over the cohorts whose period k is observed."""
    curve: list[float | None] = []
    for k in range(span):
        base = sum(row.eligible[k] for row in rows)
        curve.append(100.0 * sum(row.counts[k] or 0 for row in rows) / base if base else None)
    return curve


ANALYSIS = Analysis(name="retention", summary="Run a retention matrix: cohorts by their start event, returns per period.",
                    query=RetentionQuery, result=RetentionResult, run=by_names(run_retention), route="/retention")
