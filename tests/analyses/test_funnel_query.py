"""The funnel query model, window parsing and the result's arithmetic (no engine needed)."""
from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from engagekit.analyses.funnel import Exclusion, FunnelQuery, parse_window
from engagekit.analyses.funnel_result import FunnelPerson, FunnelResult
from engagekit.config import DEFAULT_CONVERSION_WINDOW_DAYS
from engagekit.errors import InputError
from engagekit.people.query import EventFilter
from engagekit.people.ranges import DateRange

OCTOBER = DateRange(start=date(2024, 10, 1), end=date(2024, 11, 1))
A, B = EventFilter(event="a"), EventFilter(event="b")


@pytest.mark.parametrize(("text", "seconds"), [("30s", 30), ("10m", 600), ("2h", 7200), ("14d", 1_209_600),
                                               ("1mo", 2_592_000)])
def test_window_units(text: str, seconds: int) -> None:
    assert parse_window(text) == seconds


@pytest.mark.parametrize("text", ["0d", "14", "2w", "-1d", "1.5h"])
def test_bad_windows(text: str) -> None:
    with pytest.raises(InputError):
        parse_window(text)


def test_query_rules() -> None:
    assert FunnelQuery(steps=[A, B], range=OCTOBER).window == DEFAULT_CONVERSION_WINDOW_DAYS * 86_400
    with pytest.raises(ValidationError, match="at least 2"):
        FunnelQuery(steps=[A], range=OCTOBER)
    with pytest.raises(ValidationError, match="the funnel has 2 steps"):
        FunnelQuery(steps=[A, B], range=OCTOBER, exclusions=[Exclusion(event=B, from_step=1, to_step=3)])
    with pytest.raises(ValidationError, match="second must be after"):
        Exclusion(event=B, from_step=2, to_step=2)
    with pytest.raises(ValidationError, match="ordered or strict"):
        FunnelQuery(steps=[A, B], range=OCTOBER, mode="unordered",
                    exclusions=[Exclusion(event=B, from_step=1, to_step=2)])
    with pytest.raises(ValidationError, match="must differ"):
        FunnelQuery(steps=[A, A], range=OCTOBER, mode="unordered")


def test_result_arithmetic() -> None:
    persons = [FunnelPerson("p1", 3, (10.0, 20.0), "x"), FunnelPerson("p2", 2, (30.0,), "y"),
               FunnelPerson("p3", 1, (), None), FunnelPerson("p4", 3, (50.0, 40.0), "x")]
    result = FunnelResult.of(["a", "b", "c"], "ordered", 60, "plan", persons)
    first, second, third = result.steps
    assert [first.count, second.count, third.count] == [4, 3, 2]
    assert (second.dropped, second.drop_off_rate, third.conversion_from_previous) == (1, 0.25, 2 / 3)
    assert (second.avg_seconds_from_previous, second.median_seconds_from_previous) == (30.0, 30.0)
    assert (third.avg_seconds_from_previous, third.median_seconds_from_previous) == (30.0, 30.0)
    assert list(result.breakdown) == ["x", "(none)", "y"]
    assert result.people(2, dropped=True) == ["p3"] and result.people(3, breakdown="x") == ["p1", "p4"]
    assert result.to_dict()["breakdown"]["y"][2]["count"] == 0
    with pytest.raises(ValueError):
        result.people(4)
