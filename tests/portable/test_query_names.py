"""Event names in queries go through the vocabulary ingest uses: a query that names an event as
its source sends it (`pageview`, "Order Completed", a project mapping) counts the stored events."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from engagekit.analyses.funnel import FunnelQuery, run_funnel
from engagekit.analyses.kpis import project_kpis
from engagekit.analyses.lifecycle import LifecycleQuery, run_lifecycle
from engagekit.analyses.paths import PathsQuery, run_paths
from engagekit.analyses.protocol import Project
from engagekit.analyses.retention import RetentionQuery, run_retention
from engagekit.analyses.stickiness import StickinessQuery, run_stickiness
from engagekit.errors import InputError
from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.metrics.catalog import Catalog, load_file
from engagekit.metrics.engine import compute
from engagekit.metrics.spec import Metric
from engagekit.people.cohorts import BehaviourCohort, cohort_size, save_cohort
from engagekit.people.names import EventNames
from engagekit.people.query import EventFilter
from engagekit.people.ranges import DateRange
from engagekit.store import Store
from tests.conftest import catalog_file, write

MAPPING = {"Signup": "signed_up"}  # the project's event_mapping
PROJECT = EventNames(Vocabulary(MAPPING))
STORY = """\
messageId,timestamp,event,userId
e1,2024-10-01T10:00:00Z,Signup,u1
e2,2024-10-01T10:05:00Z,pageview,u1
e3,2024-10-01T10:10:00Z,Order Completed,u1
e4,2024-10-02T10:00:00Z,Signup,u2
e5,2024-10-02T10:01:00Z,pageview,u2
e6,2024-10-09T10:00:00Z,pageview,u1
e7,2024-10-03T09:00:00Z,page,u3
"""
# Stored through the project's vocabulary: Signup -> signed_up (the mapping), pageview and page
# -> page_viewed and "Order Completed" -> order_completed (Segment spec names).
# u1: signed_up Oct 1, page_viewed Oct 1 and Oct 9, order_completed Oct 1; u2: signed_up and
# page_viewed Oct 2; u3: page_viewed Oct 3.
OCTOBER = DateRange(start=date(2024, 10, 1), end=date(2024, 11, 1))


@pytest.fixture
def story(store: Store, tmp_path: Path) -> Store:
    ingest_file(store, write(tmp_path / "events.csv", STORY), IngestOptions(), Vocabulary(MAPPING))
    return store


def test_funnel_steps_named_as_the_source_sends_them(story: Store) -> None:
    query = FunnelQuery(steps=[EventFilter(event="pageview"), EventFilter(event="Order Completed")], range=OCTOBER)
    # viewers u1, u2, u3; only u1 ordered after a view (Segment spec names map without a project)
    assert [s.count for s in run_funnel(story, query).steps] == [3, 1]
    result = run_funnel(story, query, PROJECT)
    assert [s.count for s in result.steps] == [3, 1]
    assert result.names == {"pageview": "page_viewed", "Order Completed": "order_completed"}
    assert result.notes == ()
    assert result.labels == ["page_viewed", "order_completed"]
    assert result.to_dict()["names"] == {"pageview": "page_viewed", "Order Completed": "order_completed"}


def test_the_project_mapping_and_filters_on_the_event(story: Store) -> None:
    steps = [EventFilter(event="Signup"), EventFilter(event="*", where="event == 'pageview'")]
    result = run_funnel(story, FunnelQuery(steps=steps, range=OCTOBER), PROJECT)
    # u1 and u2 signed up and viewed a page after it
    assert [s.count for s in result.steps] == [2, 2]
    assert result.names == {"Signup": "signed_up", "pageview": "page_viewed"}
    assert result.labels == ["signed_up", "* where event == 'page_viewed'"]


def test_a_name_the_store_never_saw_gets_a_note_with_close_matches(story: Store) -> None:
    query = FunnelQuery(steps=[EventFilter(event="Page View"), EventFilter(event="trial_started")], range=OCTOBER)
    result = run_funnel(story, query, PROJECT)
    assert [s.count for s in result.steps] == [0, 0]
    assert result.notes == (
        "no events named 'page_view' (sent as 'Page View'); did you mean page_viewed?",
        "no events named 'trial_started'",
    )
    # without the project's mapping, 'Signup' is only snake_cased: the note names the stored name
    unmapped = run_funnel(story, FunnelQuery(steps=[EventFilter(event="Signup"), EventFilter(event="page")],
                                             range=OCTOBER))
    assert unmapped.notes == ("no events named 'signup' (sent as 'Signup'); did you mean signed_up?",)


def test_strict_events_refuse_a_name_nobody_knows(story: Store) -> None:
    strict = EventNames(Vocabulary(MAPPING), strict=True)
    query = FunnelQuery(steps=[EventFilter(event="page_view"), EventFilter(event="order_completed")], range=OCTOBER)
    with pytest.raises(InputError, match=r"unknown event 'page_view'.*did you mean page_viewed\?"):
        run_funnel(story, query, strict)
    # a name of the vocabulary that has not happened yet is legitimate, strict or not
    known = FunnelQuery(steps=[EventFilter(event="pageview"), EventFilter(event="trial_started")], range=OCTOBER)
    assert run_funnel(story, known, strict).notes == ("no events named 'trial_started'",)


def test_unordered_steps_that_name_one_stored_event_are_refused(story: Store) -> None:
    query = FunnelQuery(steps=[EventFilter(event="pageview"), EventFilter(event="page_viewed")], range=OCTOBER,
                        mode="unordered")
    with pytest.raises(InputError, match="pageview -> page_viewed.*unordered steps must differ"):
        run_funnel(story, query, PROJECT)


def test_retention_lifecycle_stickiness_and_paths_map_their_events(story: Store) -> None:
    retention = run_retention(story, RetentionQuery(start_event=EventFilter(event="Signup"),
                                                    return_event=EventFilter(event="pageview"),
                                                    periods=1, range=OCTOBER), PROJECT)
    # week of Sun 2024-09-29: u1 and u2 sign up; u1 views a page again on Wed Oct 9 (week 1)
    assert [(row.start, row.counts) for row in retention.rows] == [(date(2024, 9, 29), [2, 1])]
    assert retention.names == {"Signup": "signed_up", "pageview": "page_viewed"}
    lifecycle = run_lifecycle(story, LifecycleQuery(range=OCTOBER, period="month",
                                                    activity=EventFilter(event="pageview")), PROJECT)
    # October: u1, u2 and u3 viewed pages in their first month
    assert [(p.new, p.returning) for p in lifecycle.periods] == [(3, 0)]
    assert lifecycle.names == {"pageview": "page_viewed"}
    stickiness = run_stickiness(story, StickinessQuery(range=OCTOBER, period="week",
                                                       activity=EventFilter(event="page")), PROJECT)
    # u1 viewed pages in two weeks (Sep 29 and Oct 6), u2 and u3 in one
    assert [(b.periods, b.people) for b in stickiness.distribution][:2] == [(1, 2), (2, 1)]
    assert stickiness.names == {"page": "page_viewed"}
    paths = run_paths(story, PathsQuery(start=EventFilter(event="pageview"), by="person", range=OCTOBER), PROJECT)
    # u1: page_viewed -> order_completed -> page_viewed; u2 and u3: page_viewed alone
    assert paths.total == 3 and paths.names == {"pageview": "page_viewed"}


def test_a_saved_cohort_stores_the_stored_name(story: Store) -> None:
    saved = save_cohort(story, "viewers", BehaviourCohort(event="pageview", where="event != 'Order Completed'",
                                                          range=OCTOBER), event_names=PROJECT)
    assert saved.definition.event == "page_viewed"
    assert saved.definition.where == "event != 'order_completed'"
    assert saved.names == {"pageview": "page_viewed", "Order Completed": "order_completed"}
    assert cohort_size(story, "viewers") == 3


def test_kpi_filters_and_user_kpis_map_their_events(story: Store) -> None:
    purchase = catalog_file("purchase.yaml")
    start, end = OCTOBER.start, OCTOBER.end
    filtered = compute(story, purchase, ["orders"], start, end, where="event == 'Order Completed'", event_names=PROJECT)
    assert filtered.value("orders") == 1
    assert filtered.names == {"Order Completed": "order_completed"}
    unseen = compute(story, purchase, ["orders"], start, end, where="event in ['Order Completed', 'order_placed']",
                     event_names=PROJECT)
    assert unseen.notes == ("no events named 'order_placed'; did you mean order_completed?",)
    views = Metric(name="views", label="Views", description="Page views.", formula="count of pageview", kind="value",
                   measure={"agg": "count", "events": ["pageview"]}, population="events", unit="count",
                   direction="higher", stages=["acquisition"])
    own = compute(story, Catalog([views]), ["views"], start, end, event_names=PROJECT)
    # e2, e5, e6 (pageview) and e7 (page)
    assert own.value("views") == 4
    assert own.names == {"pageview": "page_viewed"}
    assert own.to_dict()["names"] == {"pageview": "page_viewed"}


def test_pages_and_reports_compute_with_the_projects_names_and_weeks(story: Store) -> None:
    signups = Metric(name="signups", label="Sign-ups", description="Sign-ups.", formula="count of Signup",
                     kind="value", measure={"agg": "count", "events": ["Signup"]}, population="events", unit="count",
                     direction="higher", stages=["acquisition"])
    project = Project(PROJECT, Catalog([signups]), "monday")
    result = project_kpis(story, project, ["signups"], OCTOBER.start, date(2024, 10, 7), grain="week")
    # e1 and e4 (Signup -> signed_up), Oct 1 and 2: the Monday week of 2024-09-30 (Sunday weeks start 09-29)
    assert [(row.period, row.value) for row in result.rows] == [(date(2024, 9, 30), 2)]
    assert result.names == {"Signup": "signed_up"} and result.week_start == "monday"


TYPED_KINDS = """\
metrics:
  - {name: page_days, label: Page days, description: d, formula: f, kind: active_people, population: visitors,
     unit: count, direction: higher, stages: [adoption], active_people: {window: day, active_events: [pageview]}}
  - {name: signup_share, label: Signup share, description: d, formula: f, kind: active_share, population: visitors,
     unit: percent, direction: higher, stages: [adoption], active_share: {doing: [Signup]}}
  - {name: repeat_viewers, label: Repeat viewers, description: d, formula: f, kind: returning, population: visitors,
     unit: percent, direction: higher, stages: [retention], returning: {events: [pageview], who: repeat}}
"""


def test_user_kpis_of_the_typed_kinds_map_their_events(story: Store, tmp_path: Path) -> None:
    catalog = Catalog(load_file(write(tmp_path / "kpis.yaml", TYPED_KINDS)))
    result = compute(story, catalog, ["page_days", "signup_share", "repeat_viewers"], OCTOBER.start, OCTOBER.end,
                     event_names=PROJECT)
    # page views: u1 on Oct 1 and 9, u2 on Oct 2, u3 on Oct 3 -> 4 person-days / 31 days
    assert result.value("page_days") == pytest.approx(4 / 31)
    # u1 and u2 signed up, among the three active people (the default active events)
    assert result.value("signup_share") == pytest.approx(2 / 3)
    # of the three viewers, u1 viewed twice
    assert result.value("repeat_viewers") == pytest.approx(1 / 3)
    assert result.names == {"pageview": "page_viewed", "Signup": "signed_up"} and result.notes == ()
