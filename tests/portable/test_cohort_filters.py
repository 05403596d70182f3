"""A saved cohort filters every analysis: only its people are counted."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from engagekit.analyses.funnel import FunnelQuery, run_funnel
from engagekit.analyses.lifecycle import LifecycleQuery, run_lifecycle
from engagekit.analyses.retention import RetentionQuery, run_retention
from engagekit.analyses.stickiness import StickinessQuery, run_stickiness
from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.people.cohorts import StaticCohort, save_cohort
from engagekit.people.query import EventFilter
from engagekit.people.ranges import DateRange
from engagekit.store import Store
from tests.conftest import write

STORY = """\
timestamp,event,userId,anonymousId
2024-03-04T10:00:00Z,signed_up,a,
2024-03-04T10:05:00Z,order_completed,a,
2024-03-11T10:00:00Z,logged_in,a,
2024-03-04T11:00:00Z,signed_up,b,
2024-03-12T11:00:00Z,logged_in,b,
2024-03-05T12:00:00Z,signed_up,c,
2024-03-05T12:01:00Z,order_completed,c,
2024-03-04T09:00:00Z,page_viewed,,anon-a
2024-03-04T10:00:00Z,identify,a,anon-a
"""
# Cohort "ab" = {a, b}. a signed up and ordered; b signed up only; c (outside) did both.
# anon-a's page view belongs to a through the identify record.
MARCH = DateRange(start=date(2024, 3, 1), end=date(2024, 4, 1))


def test_a_saved_cohort_filters_every_analysis(store: Store, tmp_path: Path) -> None:
    ingest_file(store, write(tmp_path / "story.csv", STORY), IngestOptions(), Vocabulary())
    save_cohort(store, "ab", StaticCohort(ids=["a", "b"]))
    funnel = run_funnel(store, FunnelQuery(steps=[EventFilter(event="signed_up"), EventFilter(event="order_completed")],
                                           range=MARCH, cohort="ab"))
    assert [step.count for step in funnel.steps] == [2, 1]  # a and b sign up, a orders (c is outside)
    split = run_funnel(store, FunnelQuery(steps=[EventFilter(event="signed_up"), EventFilter(event="order_completed")],
                                          range=MARCH, breakdown="cohort:ab"))
    # in the cohort: a and b sign up, a orders; outside: c signs up and orders
    assert {value: [step.count for step in steps] for value, steps in split.breakdown.items()} == {
        "true": [2, 1], "false": [1, 1]}
    retention = run_retention(store, RetentionQuery(start_event=EventFilter(event="signed_up"), period="week",
                                                    periods=1, week_start="monday", range=MARCH, cohort="ab"))
    [cohort] = retention.rows
    assert (cohort.size, cohort.counts[1]) == (2, 2)  # both come back the next week
    lifecycle = run_lifecycle(store, LifecycleQuery(range=MARCH, period="month", cohort="ab"))
    assert sum(p.new for p in lifecycle.periods) == 2
    stickiness = run_stickiness(store, StickinessQuery(range=MARCH, activity=EventFilter(), cohort="ab"))
    # a: active on Mar 4 and Mar 11 (2 days); b: Mar 4 and Mar 12 (2 days)
    assert {bucket.periods: bucket.people for bucket in stickiness.distribution if bucket.people} == {2: 2}
