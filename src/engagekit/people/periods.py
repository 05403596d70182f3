"""Periods and week starts: the calendar every measure shares.

Two vocabularies over one calendar: the KPI engine's grains (day, week, month, quarter) with
labelled periods of a range and comparison ranges, and the journey analyses' running period
numbers (day, week, month), which are cheaper to compute and group by than truncated dates. Weeks
start on the project's `week_start` (Sunday by default, engagekit.yaml) in both. Ranges are
half-open: [start, end).
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

import ibis
import ibis.expr.types as ir
from dateutil.relativedelta import relativedelta

from engagekit.config import DEFAULT_WEEK_START
from engagekit.errors import InputError

Period = Literal["day", "week", "month"]
WeekStart = Literal["sunday", "monday"]

Grain = Literal["day", "week", "month", "quarter"]
GRAINS: tuple[str, ...] = ("day", "week", "month", "quarter")
TRUNCATE_UNIT = {"day": "D", "week": "W", "month": "M", "quarter": "Q"}  # Ibis units; "W" weeks start on Monday
STEPS = {"day": relativedelta(days=1), "week": relativedelta(weeks=1), "month": relativedelta(months=1),
         "quarter": relativedelta(months=3)}
Compare = Literal["previous_period", "previous_year"]
COMPARES: tuple[str, ...] = ("previous_period", "previous_year")
# Periods of one series (docs/kpi-engine.md): a year and a month of days, 7 years of weeks; some
# kinds query each period, so a longer series is a longer hold on the store.
MAX_SERIES_PERIODS = 400


def check_grain(grain: str | None) -> None:
    if grain is not None and grain not in GRAINS:
        raise InputError(f"unknown grain {grain!r}; grains: {', '.join(GRAINS)}")


def check_series(start: date, end: date, grain: str | None) -> None:
    """A series of [start, end) by `grain` has at most MAX_SERIES_PERIODS periods."""
    if grain is None:
        return
    count = len(periods_of(start, end, grain))
    if count > MAX_SERIES_PERIODS:
        raise InputError(f"grain: at most {MAX_SERIES_PERIODS} periods, not {count} {grain}s; "
                         "give a shorter range or a longer grain")


def is_whole_months(start: date, end: date) -> bool:
    return start.day == 1 and end.day == 1


def comparison_range(start: date, end: date, compare: str) -> tuple[date, date]:
    """The range to compare with: the same number of whole months (or days) just before, or a
    year earlier. October compares with September, a 7-day week with the 7 days before it."""
    if compare == "previous_year":
        return start - relativedelta(years=1), end - relativedelta(years=1)
    if compare != "previous_period":
        raise InputError(f"unknown comparison {compare!r}; use {' or '.join(COMPARES)}")
    if is_whole_months(start, end):
        months = (end.year - start.year) * 12 + end.month - start.month
        return start - relativedelta(months=months), start
    return start - (end - start), start


def shift_period(period: date, start: date, compare: str, previous_start: date) -> date:
    """Where a period of the current range falls in the comparison range."""
    if compare == "previous_year":
        return period - relativedelta(years=1)
    if is_whole_months(start, period) and start.day == 1 and previous_start.day == 1:
        months = (start.year - previous_start.year) * 12 + start.month - previous_start.month
        return period - relativedelta(months=months)
    return period - (start - previous_start)


def month_range(month: str) -> tuple[date, date]:
    """'2026-10' -> [2026-10-01, 2026-11-01)."""
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError as exc:
        raise InputError(f"--period {month!r}: expected YYYY-MM") from exc
    return first, first + relativedelta(months=1)


def inclusive_range(start: date, end_inclusive: date) -> tuple[date, date]:
    """--from/--to are inclusive dates; the engine works on [start, end)."""
    if end_inclusive < start:
        raise InputError(f"--to {end_inclusive} is before --from {start}")
    return start, end_inclusive + timedelta(days=1)


def periods_of(start: date, end: date, grain: str | None,
               week_start: WeekStart = DEFAULT_WEEK_START) -> list[tuple[date | None, date, date]]:
    """(period label, start, end) of each period of [start, end); one unlabelled period without grain.
    Weeks start on `week_start`, as `period_start` labels them in the engines."""
    if grain is None:
        return [(None, start, end)]
    step = STEPS[grain]
    first = truncate_day(start, grain, week_start)
    periods, current = [], first
    while current < end:
        periods.append((current, max(current, start), min(current + step, end)))
        current = current + step
    return periods


def partial_periods(start: date, end: date, grain: str | None,
                    week_start: WeekStart = DEFAULT_WEEK_START) -> dict[date, tuple[int, int]]:
    """The periods of [start, end) that the range cuts short, each with (days in the range, days
    of the whole period): a range from the 15th by month has a partial first month, and its
    counts and sums cover only those days."""
    partial = {}
    for label, first, stop in periods_of(start, end, grain, week_start):
        if label is None:
            continue
        whole = (label + STEPS[grain] - label).days
        if (stop - first).days < whole:
            partial[label] = ((stop - first).days, whole)
    return partial


def truncate_day(day: date, grain: str, week_start: WeekStart = DEFAULT_WEEK_START) -> date:
    """The first day of the period of `grain` that contains `day`; weeks start on `week_start`."""
    if grain == "week":
        return python_period_start(day, "week", week_start)
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return day


def period_start(ts: ir.TimestampValue, grain: str, week_start: WeekStart = DEFAULT_WEEK_START) -> ir.DateValue:
    """The first day of the period of `grain` that contains `ts`, as a date (the engines' label of
    a KPI's period); weeks start on `week_start`. Ibis truncates weeks to Monday, so a Sunday week
    is the Monday week of the day after, one day earlier."""
    if grain == "week" and week_start == "sunday":
        return ((ts + ibis.interval(days=1)).truncate("W") - ibis.interval(days=1)).cast("date")
    return ts.truncate(TRUNCATE_UNIT[grain]).cast("date")


_EPOCH_DAY = date(1970, 1, 1)  # a Thursday: Sunday weeks start 4 days before it, Monday weeks 3
_WEEK_SHIFT = {"sunday": 4, "monday": 3}


def period_number(ts: ir.TimestampValue, period: Period, week_start: WeekStart = DEFAULT_WEEK_START) -> ir.IntegerValue:
    """A running number of the period that contains `ts` (consecutive periods differ by 1), in
    integer arithmetic: cheaper to compute and to group by than truncated dates."""
    if period == "month":
        return ts.year() * 12 + ts.month() - 1
    days = ts.date().delta(ibis.literal(_EPOCH_DAY), unit="day")
    return days if period == "day" else (days + _WEEK_SHIFT[week_start]) // 7


def python_period_number(day: date, period: Period, week_start: WeekStart = DEFAULT_WEEK_START) -> int:
    """The same as period_number, for a Python date."""
    if period == "month":
        return day.year * 12 + day.month - 1
    days = (day - _EPOCH_DAY).days
    return days if period == "day" else (days + _WEEK_SHIFT[week_start]) // 7


def numbered_period_start(number: int, period: Period, week_start: WeekStart = DEFAULT_WEEK_START) -> date:
    """The first day of the period with this number (the inverse of period_number)."""
    if period == "month":
        return date(number // 12, number % 12 + 1, 1)
    if period == "day":
        return _EPOCH_DAY + timedelta(days=number)
    return _EPOCH_DAY + timedelta(days=7 * number - _WEEK_SHIFT[week_start])


def python_period_start(day: date, period: Period, week_start: WeekStart = DEFAULT_WEEK_START) -> date:
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


def periods_between(start: date, end: date, period: Period, week_start: WeekStart = DEFAULT_WEEK_START) -> list[date]:
    """First days of every period that overlaps [start, end)."""
    current, result = python_period_start(start, period, week_start), []
    while current < end:
        result.append(current)
        current = next_period(current, period)
    return result
