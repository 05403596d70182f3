"""Periods a range cuts short are named with the days they keep, so a series is not misread."""
from __future__ import annotations

from datetime import date

from engagekit.people.periods import partial_periods


def test_the_first_and_last_periods_of_an_unaligned_range_are_partial() -> None:
    # [15 Jan 1997, 2 Jul 1997) by quarter: Q1 keeps 15 Jan..31 Mar = 17 + 28 + 31 = 76 of 90 days;
    # Q2 is whole; Q3 keeps 1 Jul only, 1 of 92.
    assert partial_periods(date(1997, 1, 15), date(1997, 7, 2), "quarter") == {
        date(1997, 1, 1): (76, 90), date(1997, 7, 1): (1, 92)}
    # [1 Oct 2024 (a Tuesday), 8 Oct 2024) by week. Weeks starting on Monday: the week of 30 Sep
    # keeps 1..6 Oct = 6 of 7 days, the week of 7 Oct keeps 7 Oct, 1 of 7. Weeks starting on Sunday
    # (the default week_start): the week of 29 Sep keeps 1..5 Oct = 5 days, that of 6 Oct keeps 6..7 Oct = 2.
    assert partial_periods(date(2024, 10, 1), date(2024, 10, 8), "week", "monday") == {
        date(2024, 9, 30): (6, 7), date(2024, 10, 7): (1, 7)}
    assert partial_periods(date(2024, 10, 1), date(2024, 10, 8), "week") == {
        date(2024, 9, 29): (5, 7), date(2024, 10, 6): (2, 7)}
    # February 2024 has 29 days: [10 Feb, 1 Mar) keeps 20 of them.
    assert partial_periods(date(2024, 2, 10), date(2024, 3, 1), "month") == {date(2024, 2, 1): (20, 29)}


def test_aligned_ranges_days_and_no_grain_have_no_partial_periods() -> None:
    assert partial_periods(date(2024, 1, 1), date(2024, 7, 1), "quarter") == {}
    assert partial_periods(date(2024, 1, 1), date(2024, 3, 1), "month") == {}
    assert partial_periods(date(2024, 1, 3), date(2024, 1, 9), "day") == {}
    assert partial_periods(date(2024, 1, 3), date(2024, 1, 9), None) == {}
