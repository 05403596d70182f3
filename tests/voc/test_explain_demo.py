"""`explain` on the demo's planted effects (docs/demo.md): the August dip is in activity, not in
what customers write; customers with a late delivery rate lower and write more about delivery."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from engagekit.analyses.protocol import Project
from engagekit.people.cohorts import BehaviourCohort, delete_cohort, save_cohort
from engagekit.people.ranges import DateRange
from engagekit.store import Store
from engagekit.voc.explain import ExplainQuery, run_explain

AUGUST = DateRange(start=date(2026, 8, 1), end=date(2026, 9, 1))
COHORT = "explain_test_late_buyers"


@pytest.fixture
def late_buyers(demo_store: Store) -> Iterator[str]:
    stored = demo_store.table("events")
    row = stored.aggregate(first=stored.ts.min(), last=stored.ts.max()).to_pyarrow().to_pylist()[0]
    whole = DateRange(start=row["first"].date(), end=row["last"].date())
    save_cohort(demo_store, COHORT, BehaviourCohort(event="order_completed", where="properties.late == true",
                                                    range=whole), replace=True)
    try:
        yield COHORT
    finally:
        delete_cohort(demo_store, COHORT)


def test_the_august_dip_is_not_in_the_words(demo_store: Store) -> None:
    result = run_explain(demo_store, ExplainQuery(kpi="orders", range=AUGUST), Project())
    assert result.worse and result.kpi_change < 0  # the dip (against the Jul-Sep mean: docs/demo.md, effect 5)
    assert not any(t.significant for t in result.themes) and not result.sentiment.significant
    assert "did not change significantly" in result.findings[-1]


def test_late_deliveries_show_in_ratings_and_delivery_complaints(demo_store: Store, late_buyers: str) -> None:
    stored = demo_store.table("events")
    row = stored.aggregate(first=stored.ts.min(), last=stored.ts.max()).to_pyarrow().to_pylist()[0]
    query = ExplainQuery(kpi="review_rating", range=DateRange(start=row["first"].date(), end=row["last"].date()),
                         segment=late_buyers, sources=["review"])
    result = run_explain(demo_store, query, Project())
    assert result.mode == "segment" and result.worse and result.focus.kpi < result.base.kpi
    delivery = next(t for t in result.themes if t.label == "delivery and shipping delays")
    assert delivery.significant and delivery.change > 0
    assert result.sentiment.significant and result.sentiment.change < 0
