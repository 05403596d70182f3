"""Stickiness and rolling DAU/WAU/MAU on every engine, from one story worked by hand."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from engagekit.analyses.stickiness import Criterion, StickinessQuery, run_stickiness
from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.metrics.catalog import load_catalog
from engagekit.metrics.engine import compute
from engagekit.people.ranges import DateRange
from engagekit.store import Store, connect
from tests.conftest import write

EVENTS = """\
timestamp,event,userId,anonymousId
2024-09-01T12:00:00Z,page_viewed,,v8
2024-09-02T12:00:00Z,page_viewed,,v9
2024-09-25T12:00:00Z,page_viewed,,v7
2024-10-01T09:00:00Z,page_viewed,c1,
2024-10-01T09:05:00Z,page_viewed,c1,
2024-10-02T09:00:00Z,logged_in,c1,
2024-10-03T09:00:00Z,page_viewed,c1,
2024-10-03T09:01:00Z,page_viewed,c1,
2024-10-03T09:02:00Z,page_viewed,c1,
2024-10-01T23:59:59Z,page_viewed,,a2
2024-10-04T10:00:00Z,signed_up,c2,a2
2024-10-05T10:00:00Z,email_opened,c3,
2024-10-07T10:00:00Z,feature_used,c3,
2024-10-12T10:00:00Z,page_viewed,c1,
"""
# Range Oct 1 .. Oct 7 (7 days). Activity = the DAU KPI's active events (email_opened is not one).
# Active days and events: c1 Oct 1 (2 events), Oct 2 (1), Oct 3 (3) -> 3 days; c2 = a2 (linked by
#   the sign-up) Oct 1 (1) and Oct 4 (1) -> 2 days, one person; c3 Oct 7 (1) -> 1 day.
#   v7, v8, v9 are before the range and c1's Oct 12 after it: no day of the range.
# DAU: Oct 1 {c1, c2} 2, Oct 2-4 1 each, Oct 5-6 0, Oct 7 {c3} 1
# WAU (d-6 .. d): Oct 1 {v7 (Sep 25 = Oct 1 - 6), c1, c2} 3; Oct 2-6 {c1, c2} 2 (Sep 25 left the
#   window); Oct 7 {c1, c2, c3} 3
# MAU (d-29 .. d): Oct 1 {v9 (Sep 2 = Oct 1 - 29), v7, c1, c2} 4 (v8, Sep 1, is 30 days back);
#   Oct 2-6 {v7, c1, c2} 3; Oct 7 {v7, c1, c2, c3} 4
RANGE = DateRange(start=date(2024, 10, 1), end=date(2024, 10, 8))


@pytest.fixture
def story(store: Store, tmp_path: Path) -> Store:
    ingest_file(store, write(tmp_path / "events.csv", EVENTS), IngestOptions(), Vocabulary())
    return store


def people(store: Store, **query: object) -> list[tuple[int, int, int]]:
    result = run_stickiness(store, StickinessQuery(range=RANGE, **query))
    return [(b.periods, b.people, b.cumulative) for b in result.distribution]


def test_distribution_and_rolling_series(story: Store) -> None:
    result = run_stickiness(story, StickinessQuery(range=RANGE))
    assert result.period_count == 7
    assert [(b.periods, b.people, b.cumulative) for b in result.distribution] == [
        (1, 1, 3), (2, 1, 2), (3, 1, 1), (4, 0, 0), (5, 0, 0), (6, 0, 0), (7, 0, 0)]  # c3, c2, c1
    assert [(d.dau, d.wau, d.mau) for d in result.series] == [
        (2, 3, 4), (1, 2, 3), (1, 2, 3), (1, 2, 3), (0, 2, 3), (0, 2, 3), (1, 3, 4)]
    assert [d.day for d in result.series] == [RANGE.start + timedelta(days=k) for k in range(7)]
    assert result.to_dict()["series"][0]["dau_mau"] == pytest.approx(2 / 4)
    # The KPIs over the same events: mean DAU over the 7 days, WAU of the one 7-day window.
    kpis = compute(story, load_catalog(), ["dau", "wau"], RANGE.start, RANGE.end)
    assert kpis.value("dau") == pytest.approx(sum(d.dau for d in result.series) / 7)  # 6 / 7
    assert kpis.value("wau") == result.series[-1].wau


def test_criteria_and_weeks(story: Store) -> None:
    # at least 2 events: c1 on Oct 1 (2) and Oct 3 (3) -> 2 days; c2 and c3 never
    assert people(story, criterion=Criterion(compare="at_least", n=2))[:3] == [(1, 0, 1), (2, 1, 1), (3, 0, 0)]
    # at most 1 event: c1 Oct 2 only -> 1 day; c2 2 days; c3 1 day
    assert people(story, criterion=Criterion(compare="at_most", n=1))[:3] == [(1, 2, 3), (2, 1, 1), (3, 0, 0)]
    # exactly 3 events: c1 Oct 3 -> 1 day (2 or 1 events do not count)
    assert people(story, criterion=Criterion(compare="exactly", n=3))[:2] == [(1, 1, 1), (2, 0, 0)]
    # Sunday weeks overlapping the range: Sep 29 and Oct 6, read in full: c1 in both (Oct 12 is in
    # the week of Oct 6), c2 in the first, c3 in the second; only logged_in: c1 in one week
    assert people(story, period="week") == [(1, 2, 3), (2, 1, 1)]
    assert people(story, period="week", activity={"event": "logged_in"}) == [(1, 1, 1), (2, 0, 0)]


def test_cli_stickiness_json_and_table(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path / 'cli.duckdb'}"
    with connect(url) as store:
        ingest_file(store, write(tmp_path / "events.csv", EVENTS), IngestOptions(), Vocabulary())
    base = [sys.executable, "-m", "engagekit", "--store", url, "stickiness", "--from", "2024-10-01", "--to", "2024-10-07"]
    done = subprocess.run([*base, "--min-events", "2", "--json"], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    assert [b["people"] for b in json.loads(done.stdout)["distribution"]][:2] == [0, 1]
    shown = subprocess.run(base, capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert shown.returncode == 0, shown.stderr
    assert "or more" in shown.stdout and "DAU/MAU" in shown.stdout
    both = subprocess.run([*base, "--min-events", "2", "--exactly", "1"], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert both.returncode == 2 and "only one of" in both.stderr
