"""Date ranges, grains and comparison periods. Ranges are half-open: [start, end)."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from dateutil.relativedelta import relativedelta

from engagekit.errors import InputError

Grain = Literal["day", "week", "month", "quarter"]
GRAINS: tuple[str, ...] = ("day", "week", "month", "quarter")
TRUNCATE_UNIT = {"day": "D", "week": "W", "month": "M", "quarter": "Q"}
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


def periods_of(start: date, end: date, grain: str | None) -> list[tuple[date | None, date, date]]:
    """(period label, start, end) of each period of [start, end); one unlabelled period without grain.
    Weeks start on Monday (as the engines truncate them)."""
    if grain is None:
        return [(None, start, end)]
    step = STEPS[grain]
    first = truncate_day(start, grain)
    periods, current = [], first
    while current < end:
        periods.append((current, max(current, start), min(current + step, end)))
        current = current + step
    return periods


def partial_periods(start: date, end: date, grain: str | None) -> dict[date, tuple[int, int]]:
    """The periods of [start, end) that the range cuts short, each with (days in the range, days
    of the whole period): a range from the 15th by month has a partial first month, and its
    counts and sums cover only those days."""
    partial = {}
    for label, first, stop in periods_of(start, end, grain):
        if label is None:
            continue
        whole = (label + STEPS[grain] - label).days
        if (stop - first).days < whole:
            partial[label] = ((stop - first).days, whole)
    return partial


def truncate_day(day: date, grain: str) -> date:
    """The first day of the period of `grain` that contains `day`."""
    if grain == "week":
        return day - relativedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return day
