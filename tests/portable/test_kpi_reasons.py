"""A KPI without a value says why: the span it averages over, the rows it needs, or its zero
denominator, on a small story worked by hand."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from engagekit.derive import build_derived
from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.metrics.catalog import Catalog, builtin_files, load_file
from engagekit.metrics.engine import compute
from engagekit.metrics.result import MetricResult
from engagekit.store import Store
from tests.conftest import write

CUSTOMERS = """\
customer_id,created_at,plan
u1,2026-09-01T00:00:00Z,pro
u2,2026-09-01T00:00:00Z,free
"""
EVENTS = """\
timestamp,event,userId,survey,score,scale
2026-09-10T10:00:00Z,survey_responded,u1,nps,9,0-10
2026-10-03T10:00:00Z,subscription_started,u3,,,
2026-10-05T10:00:00Z,page_viewed,u1,,,
2026-10-05T10:01:00Z,product_added,u1,,,
2026-10-06T10:00:00Z,order_completed,u2,,,
2026-10-07T10:00:00Z,survey_responded,u2,csat,5,1-5
"""
# No event has a channel, so none is sessionized: October has 5 events, all without one.
# NPS: September has one response (9, a promoter: NPS 100), October only a CSAT one.
# Subscriptions: u3 starts on Oct 3, so nobody subscribes before October, and at the start of
# October nobody is a subscriber. Visitors (page or product viewed): u1 (pro); buyer: u2 (free),
# who viewed nothing. Active people in October: u1; nobody used a feature.
WEB = """\
timestamp,event,userId,channel
2026-10-05T10:00:00Z,page_viewed,u1,web
2026-10-05T10:05:00Z,page_viewed,u1,web
"""
# One web session (u1's two page views), without an item added to the cart.
OCTOBER = (date(2026, 10, 1), date(2026, 11, 1))


@pytest.fixture
def catalog() -> Catalog:
    return Catalog([m for path in builtin_files() for m in load_file(path)])


def load(store: Store, tmp_path: Path, events: str) -> Store:
    ingest_file(store, write(tmp_path / "customers.csv", CUSTOMERS), IngestOptions(kind="customers"), Vocabulary())
    ingest_file(store, write(tmp_path / "events.csv", events), IngestOptions(), Vocabulary())
    build_derived(store)
    return store


def notes(result: MetricResult) -> dict[tuple, str | None]:
    return {(row.metric, row.period, row.segment): row.note for row in result.rows}


def test_sessions_kpis_say_that_events_without_a_channel_make_no_sessions(store: Store, tmp_path: Path,
                                                                           catalog: Catalog) -> None:
    result = compute(load(store, tmp_path, EVENTS), catalog, ["cart_abandonment_rate", "orders"], *OCTOBER)
    assert notes(result) == {
        ("cart_abandonment_rate", None, ()): (
            "no sessions: sessions are built from web and app events, and the store has none in 2026-10 (5 events "
            "without a channel are not sessionized; set a channel with --channel at ingest)"),
        ("orders", None, ()): None,
    }
    assert result.to_dict()["rows"][0]["note"].startswith("no sessions: ")


def test_a_session_kpi_whose_sessions_lack_what_it_counts(store: Store, tmp_path: Path, catalog: Catalog) -> None:
    result = compute(load(store, tmp_path, WEB), catalog, ["cart_abandonment_rate", "sessions"], *OCTOBER)
    assert result.value("sessions") == 1
    assert result.for_metric("cart_abandonment_rate")[0].note == "no sessions where carted == true in 2026-10"


def test_kinds_name_the_rows_they_need(store: Store, tmp_path: Path, catalog: Catalog) -> None:
    load(store, tmp_path, EVENTS)
    october = compute(store, catalog, ["nps", "churn_rate", "feature_adoption_rate"], *OCTOBER)
    assert notes(october) == {
        ("churn_rate", None, ()): "denominator is 0: no subscribers at the start of the period in 2026-10",
        ("feature_adoption_rate", None, ()): "no feature_used events where properties.feature is not null in 2026-10",
        ("nps", None, ()): "no survey responses with survey=nps in 2026-10",
    }
    september = compute(store, catalog, ["churn_rate"], date(2026, 9, 1), date(2026, 10, 1))
    assert september.rows[0].note == ("no subscription events (subscription_started, subscription_renewed, "
                                      "subscription_changed or 1 more) up to the end of 2026-09")


def test_a_series_has_every_period_and_a_note_where_a_value_is_missing(store: Store, tmp_path: Path,
                                                                       catalog: Catalog) -> None:
    load(store, tmp_path, EVENTS)
    result = compute(store, catalog, ["nps"], date(2026, 9, 1), date(2026, 11, 1), grain="month")
    assert [(row.period, row.value, row.note) for row in result.rows] == [
        (date(2026, 9, 1), 100.0, None),
        (date(2026, 10, 1), None, "no survey responses with survey=nps in 2026-10"),
    ]


def test_a_period_too_short_and_a_segment_without_a_denominator(store: Store, tmp_path: Path,
                                                                catalog: Catalog) -> None:
    load(store, tmp_path, EVENTS)
    short = compute(store, catalog, ["wau"], date(2026, 10, 5), date(2026, 10, 8))
    assert short.rows[0].note == "2026-10-05 .. 2026-10-07 holds no whole 7-day week, and the KPI averages over whole ones"
    by_plan = compute(store, catalog, ["conversion_rate"], *OCTOBER, by=("plan",))
    # free: u2 ordered and viewed nothing, so the segment has buyers and no visitors
    assert notes(by_plan)[("conversion_rate", None, (("plan", "free"),))] == (
        "denominator is 0: no page_viewed or product_viewed events for plan=free in 2026-10")
    assert notes(by_plan)[("conversion_rate", None, ())] is None
