"""Period numbers: the engine and Python agree, and every number maps back to its first day."""
from __future__ import annotations

from datetime import date, datetime

import ibis
import pytest

from engagekit.people.periods import numbered_period_start, period_number, python_period_number
from engagekit.store import Store

# 1970-01-01 was a Thursday, day 0. Sunday weeks: (days + 4) // 7, so week 0 runs Sun 1969-12-28 ..
# Sat 1970-01-03 and Sun 1970-01-04 opens week 1. Monday weeks: (days + 3) // 7, week 0 runs
# Mon 1969-12-29 .. Sun 1970-01-04. Months: year * 12 + month - 1.
CASES = [
    (date(1970, 1, 1), "day", "sunday", 0, date(1970, 1, 1)),
    (date(1969, 12, 31), "day", "sunday", -1, date(1969, 12, 31)),
    (date(1969, 12, 31), "week", "sunday", 0, date(1969, 12, 28)),
    (date(1970, 1, 3), "week", "sunday", 0, date(1969, 12, 28)),
    (date(1970, 1, 4), "week", "sunday", 1, date(1970, 1, 4)),
    (date(1970, 1, 4), "week", "monday", 0, date(1969, 12, 29)),
    (date(1970, 1, 5), "week", "monday", 1, date(1970, 1, 5)),
    (date(1969, 12, 27), "week", "sunday", -1, date(1969, 12, 21)),
    (date(2024, 2, 29), "month", "sunday", 2024 * 12 + 1, date(2024, 2, 1)),
]


@pytest.mark.parametrize(("day", "period", "week_start", "number", "first"), CASES)
def test_numbers_and_first_days(day: date, period: str, week_start: str, number: int, first: date) -> None:
    assert python_period_number(day, period, week_start) == number
    assert numbered_period_start(number, period, week_start) == first


def test_engine_numbers_match_python(duckdb_store: Store) -> None:
    """The Ibis expression gives the same numbers as Python, at any time of the day."""
    stamps = [datetime.combine(day, datetime.min.time()).replace(hour=23, minute=59) for day, *_ in CASES]
    for (day, period, week_start, number, _), stamp in zip(CASES, stamps, strict=True):
        value = period_number(ibis.literal(stamp, type="timestamp"), period, week_start)
        assert duckdb_store.backend.execute(value) == number, (day, period, week_start)
