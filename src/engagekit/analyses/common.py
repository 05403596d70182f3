"""What every journey analysis shares: people-resolved events, step filters, periods, ranges."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Annotated, Literal

import ibis
import ibis.expr.types as ir
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from engagekit.errors import InputError
from engagekit.ingest.identity import resolved_events
from engagekit.metrics.filters import check_filter_text, parse_filter, to_ibis
from engagekit.metrics.names import ANY_EVENT
from engagekit.store import Store

# Ranges a user may ask for (CLI, API, dashboard): bounded so one query cannot ask for centuries
# of daily rows (the rolling calendars and period grids grow with the range) or reach date
# arithmetic limits.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2200, 1, 1)
MAX_RANGE_DAYS = 20 * 366
# Bounds every query shares (docs/analyses.md lists them all): the length of a name (an event,
# trait, property or cohort; Mixpanel takes 255 characters) and a count of events a person must
# do in a period (returns, criteria), which the engines compare as 64-bit integers.
MAX_NAME_CHARS = 255
MAX_EVENT_COUNT = 1_000_000
Name = Annotated[str, Field(max_length=MAX_NAME_CHARS)]
Period = Literal["day", "week", "month"]
WeekStart = Literal["sunday", "monday"]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EventFilter(StrictModel):
    """An event (a name, or '*' for any event) with an optional filter on its fields, e.g.
    `product_viewed where properties.category == 'shoes'`."""

    event: Name = ANY_EVENT
    where: str | None = None

    @field_validator("where")
    @classmethod
    def _parses(cls, value: str | None) -> str | None:
        return check_filter_text(value)

    @classmethod
    def parse(cls, text: str) -> EventFilter:
        """'order_completed' or "order_completed where properties.revenue > 50" -> EventFilter."""
        name, sep, condition = text.partition(" where ")
        return cls(event=name.strip() or ANY_EVENT, where=condition.strip() if sep else None)

    def condition(self, events: ir.Table) -> ir.BooleanValue:
        """True on the rows this filter selects."""
        matched = ibis.literal(True) if self.event == ANY_EVENT else events.event == self.event
        if self.where is not None:
            matched = matched & to_ibis(parse_filter(self.where), events)
        return matched

    def label(self) -> str:
        return self.event + (f" where {self.where}" if self.where else "")

    def selector(self) -> Callable[[ir.Table], ir.BooleanValue] | None:
        """`condition`, or None when this filter takes every event (see analyses.activity)."""
        return None if self.event == ANY_EVENT and self.where is None else self.condition


class DateRange(StrictModel):
    """A half-open range of days [start, end) in the project timezone (see people_events)."""

    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> DateRange:
        if self.end <= self.start:
            raise ValueError(f"the range ends ({self.end}) before it starts ({self.start})")
        return self

    def low(self) -> ir.TimestampScalar:
        return midnight(self.start)

    def high(self) -> ir.TimestampScalar:
        return midnight(self.end)


def range_problem(start: date, end: date) -> str | None:
    """Why a user's [start, end) cannot be analysed: it ends before it starts, leaves 1900-2200 or spans
    over 20 years; None when it can."""
    if end <= start:
        return f"the range ends ({end}) before it starts ({start})"
    if start < EARLIEST_DAY or end > LATEST_DAY:
        return f"range: days from {EARLIEST_DAY} to {LATEST_DAY} only, not {start} .. {end}"
    if (end - start).days > MAX_RANGE_DAYS:
        return f"range: at most {MAX_RANGE_DAYS} days, not {(end - start).days}"
    return None


def check_range(start: date, end: date) -> None:
    """Raise InputError when [start, end) cannot be analysed (see `range_problem`)."""
    problem = range_problem(start, end)
    if problem:
        raise InputError(problem)


def midnight(day: date) -> ir.TimestampScalar:
    """The timestamp at which `day` begins."""
    return ibis.literal(datetime.combine(day, datetime.min.time()), type="timestamp")


def people_events(store: Store, cohort: str | None = None) -> ir.Table:
    """All events with `person_id` after identity stitching (see docs/data-model.md); with
    `cohort`, a saved cohort's name, only the events of its people."""
    events = resolved_events(store)
    if cohort is None:
        return events
    from engagekit.analyses.cohorts import (  # cohorts build on this module
        cohort_people,
        in_cohort,
    )

    return in_cohort(events, cohort_people(store, cohort))


_EPOCH_DAY = date(1970, 1, 1)  # a Thursday: Sunday weeks start 4 days before it, Monday weeks 3
_WEEK_SHIFT = {"sunday": 4, "monday": 3}


def period_number(ts: ir.TimestampValue, period: Period, week_start: WeekStart = "sunday") -> ir.IntegerValue:
    """A running number of the period that contains `ts` (consecutive periods differ by 1), in
    integer arithmetic: cheaper to compute and to group by than truncated dates."""
    if period == "month":
        return ts.year() * 12 + ts.month() - 1
    days = ts.date().delta(ibis.literal(_EPOCH_DAY), unit="day")
    return days if period == "day" else (days + _WEEK_SHIFT[week_start]) // 7


def python_period_number(day: date, period: Period, week_start: WeekStart = "sunday") -> int:
    """The same as period_number, for a Python date."""
    if period == "month":
        return day.year * 12 + day.month - 1
    days = (day - _EPOCH_DAY).days
    return days if period == "day" else (days + _WEEK_SHIFT[week_start]) // 7


def numbered_period_start(number: int, period: Period, week_start: WeekStart = "sunday") -> date:
    """The first day of the period with this number (the inverse of period_number)."""
    if period == "month":
        return date(number // 12, number % 12 + 1, 1)
    if period == "day":
        return _EPOCH_DAY + timedelta(days=number)
    return _EPOCH_DAY + timedelta(days=7 * number - _WEEK_SHIFT[week_start])


def python_period_start(day: date, period: Period, week_start: WeekStart = "sunday") -> date:
    """The first day of the day/week/month that contains `day`; weeks start on `week_start`."""
    if period == "day":
        return day
    if period == "month":
        return day.replace(day=1)
    offset = (day.weekday() + (1 if week_start == "sunday" else 0)) % 7
    return day - timedelta(days=offset)


def next_period(day: date, period: Period) -> date:
    """The first day of the period after the one starting on `day`."""
    if period == "day":
        return day + timedelta(days=1)
    if period == "week":
        return day + timedelta(days=7)
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def periods_between(start: date, end: date, period: Period, week_start: WeekStart = "sunday") -> list[date]:
    """First days of every period that overlaps [start, end)."""
    current, result = python_period_start(start, period, week_start), []
    while current < end:
        result.append(current)
        current = next_period(current, period)
    return result
