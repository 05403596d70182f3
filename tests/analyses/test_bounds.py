"""Every number and list of every analysis query is bounded by its model (so the CLI, the read API
and the dashboard refuse the same things), with a message that names the bound; the bounds
themselves are accepted. No engine is needed: the models refuse before any query runs."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from engagekit.analyses.funnel_query import (
    MAX_EXCLUSIONS,
    MAX_FUNNEL_STEPS,
    MAX_WINDOW_DAYS,
    MAX_WINDOW_SECONDS,
    Exclusion,
    FunnelQuery,
    parse_window,
)
from engagekit.analyses.paths import MAX_PATH_STEPS, MAX_PATHS_TOP, PathsQuery
from engagekit.analyses.retention import MAX_RETENTION_COHORTS, MAX_RETENTION_PERIODS, RetentionQuery
from engagekit.analyses.stickiness import Criterion
from engagekit.cli import run
from engagekit.errors import InputError
from engagekit.people.cohorts import BehaviourCohort
from engagekit.people.query import MAX_EVENT_COUNT, MAX_NAME_CHARS, EventFilter
from engagekit.people.ranges import MAX_RANGE_DAYS, DateRange

OCTOBER = DateRange(start=date(2024, 10, 1), end=date(2024, 11, 1))
STEP = EventFilter(event="page_viewed")
HUGE = 10**20  # past int64: before the bounds, Ibis could not type it as a literal (a 500)


def steps(count: int) -> list[EventFilter]:
    return [EventFilter(event=f"e{i}") for i in range(count)]


# found on the read API: 50 steps were a RecursionError after 2.4 s, 200 steps ran 142 s holding 3.6 GB
@pytest.mark.parametrize("count", [MAX_FUNNEL_STEPS + 1, 50, 200])
def test_funnel_steps_are_bounded(count: int) -> None:
    with pytest.raises(ValidationError, match=f"at most {MAX_FUNNEL_STEPS} items"):
        FunnelQuery(steps=steps(count), range=OCTOBER)


# found on the read API: a window of 1e15 seconds overflowed the engine's interval (a 500)
@pytest.mark.parametrize("window", [MAX_WINDOW_SECONDS + 1, 10**15, HUGE])
def test_funnel_window_is_bounded(window: int) -> None:
    with pytest.raises(ValidationError, match=f"less than or equal to {MAX_WINDOW_SECONDS}"):
        FunnelQuery(steps=steps(2), range=OCTOBER, window=window)


def test_window_text_is_bounded_before_it_becomes_seconds() -> None:
    assert parse_window(f"{MAX_WINDOW_DAYS}d") == MAX_WINDOW_SECONDS
    with pytest.raises(InputError, match=f"at most {MAX_WINDOW_DAYS}d"):
        parse_window("13mo")  # 390 days
    with pytest.raises(InputError, match="expected a positive number"):
        parse_window("9" * 5000 + "d")  # was a ValueError: int() reads at most 4300 digits


def test_funnel_lists_and_names_are_bounded() -> None:
    exclusion = Exclusion(event=STEP, from_step=1, to_step=2)
    with pytest.raises(ValidationError, match=f"at most {MAX_EXCLUSIONS} items"):
        FunnelQuery(steps=steps(2), range=OCTOBER, exclusions=[exclusion] * (MAX_EXCLUSIONS + 1))
    with pytest.raises(ValidationError, match=f"less than or equal to {MAX_FUNNEL_STEPS}"):
        Exclusion(event=STEP, from_step=1, to_step=HUGE)
    with pytest.raises(ValidationError, match=f"at most {MAX_NAME_CHARS} characters"):
        FunnelQuery(steps=steps(2), range=OCTOBER, breakdown="x" * (MAX_NAME_CHARS + 1))
    with pytest.raises(ValidationError, match=f"at most {MAX_NAME_CHARS} characters"):
        EventFilter(event="e" * (MAX_NAME_CHARS + 1))
    widest = FunnelQuery(steps=steps(MAX_FUNNEL_STEPS), range=OCTOBER, window=MAX_WINDOW_SECONDS,
                         exclusions=[exclusion] * MAX_EXCLUSIONS, breakdown="x" * MAX_NAME_CHARS)
    assert len(widest.steps) == MAX_FUNNEL_STEPS


def test_retention_numbers_and_cohorts_are_bounded() -> None:
    with pytest.raises(ValidationError, match=f"less than or equal to {MAX_RETENTION_PERIODS}"):
        RetentionQuery(periods=MAX_RETENTION_PERIODS + 1)
    with pytest.raises(ValidationError, match=f"less than or equal to {MAX_EVENT_COUNT}"):
        RetentionQuery(min_returns=HUGE)
    # 2000-01-01 .. 2024-12-31 by day: 9132 cohorts; by month: 300, within the bound
    decades = DateRange(start=date(2000, 1, 1), end=date(2025, 1, 1))
    with pytest.raises(ValidationError, match=f"at most {MAX_RETENTION_COHORTS} day cohorts, not 9132"):
        RetentionQuery(range=decades, period="day")
    assert RetentionQuery(range=decades, period="month").range == decades
    # Sun 2023-12-31 .. Sat 2031-08-30: 400 whole weeks, the bound itself
    weeks = DateRange(start=date(2023, 12, 31), end=date(2031, 8, 31))
    assert RetentionQuery(range=weeks, period="week", periods=MAX_RETENTION_PERIODS).range == weeks
    with pytest.raises(ValidationError, match="not 401"):
        RetentionQuery(range=DateRange(start=weeks.start, end=date(2031, 9, 1)), period="week")
    # trait cohorts are as many as the trait's values, whatever the range
    assert RetentionQuery(range=decades, period="day", cohort_by="campaign").cohort_by == "campaign"


def test_counts_of_stickiness_paths_and_cohorts_are_bounded() -> None:
    with pytest.raises(ValidationError, match=f"less than or equal to {MAX_EVENT_COUNT}"):
        Criterion(n=HUGE)
    with pytest.raises(ValidationError, match=f"less than or equal to {MAX_PATHS_TOP}"):
        PathsQuery(top=HUGE)
    with pytest.raises(ValidationError, match=f"less than or equal to {MAX_PATH_STEPS}"):
        PathsQuery(steps=MAX_PATH_STEPS + 1)
    with pytest.raises(ValidationError, match=f"less than or equal to {MAX_RANGE_DAYS}"):
        BehaviourCohort(event="order_completed", days=10**10)  # was an OverflowError of the window's dates
    with pytest.raises(ValidationError, match=f"less than or equal to {MAX_EVENT_COUNT}"):
        BehaviourCohort(event="order_completed", days=30, count=HUGE)


def test_the_cli_answers_a_bound_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = f"duckdb:///{tmp_path / 'cli.duckdb'}"
    funnel = ["--store", store, "funnel", "a", "b", "--from", "2024-10-01", "--to", "2024-10-31"]
    assert run([*funnel, "--window", "400d"]) == 2
    assert f"window '400d': at most {MAX_WINDOW_DAYS}d" in capsys.readouterr().err
    assert run([*funnel, *(f"e{i}" for i in range(MAX_FUNNEL_STEPS))]) == 2
    assert f"at most {MAX_FUNNEL_STEPS} items" in capsys.readouterr().err
    assert run([*funnel[:3], "a where " + "(" * 1000 + "plan == 'x'" + ")" * 1000, "b", *funnel[5:]]) == 2
    error = capsys.readouterr().err
    assert "nests at most 16 levels" in error and "Traceback" not in error
    retention = ["--store", store, "retention", "--period", "day", "--from", "2010-01-01", "--to", "2024-12-31"]
    assert run(retention) == 2
    assert f"at most {MAX_RETENTION_COHORTS} day cohorts" in capsys.readouterr().err
    assert run(["--store", store, "paths", "--top", str(HUGE)]) == 2
    assert f"less than or equal to {MAX_PATHS_TOP}" in capsys.readouterr().err
