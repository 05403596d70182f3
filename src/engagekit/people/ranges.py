"""Ranges of days a user may ask for: half-open [start, end) in the project timezone, bounded."""
from __future__ import annotations

from datetime import date, datetime

import ibis
import ibis.expr.types as ir
from pydantic import model_validator

from engagekit.errors import InputError
from engagekit.people.query import StrictModel

# Ranges a user may ask for (CLI, API, dashboard): bounded so one query cannot ask for centuries
# of daily rows (the rolling calendars and period grids grow with the range) or reach date
# arithmetic limits.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2200, 1, 1)
MAX_RANGE_DAYS = 20 * 366


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
