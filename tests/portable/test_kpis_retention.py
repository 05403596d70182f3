"""Retention and advocacy KPIs on one small story, on every engine, with the seeds' worked
examples (repeat service 25 of 40 = 62.5%) and formulas (churn, annual churn, NPS, CSAT, CES,
CLV); each expected value is worked by hand from the rows below."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.metrics.catalog import load_catalog
from engagekit.metrics.engine import compute
from engagekit.store import Store
from tests.conftest import write

RETENTION = ["retention_rate", "churn_rate", "annual_churn_rate", "gross_revenue_churn", "net_revenue_retention", "subscriber_growth",
             "repeat_service_rate", "clv", "clv_costed", "clv_orders", "csat", "ces", "nps", "referral_rate",
             "social_engagement_rate", "content_shares", "comments", "likes", "follows", "average_watch_time"]
OCTOBER = (date(2024, 10, 1), date(2024, 11, 1))

HEADER = "timestamp,event,userId,anonymousId,plan,mrr,survey,score,scale,seconds,revenue"

SUBSCRIPTIONS = """\
2024-08-01T00:00:00Z,subscription_started,s1,,basic,100,,,,,
2024-08-01T00:00:00Z,subscription_started,s2,,basic,100,,,,,
2024-10-10T00:00:00Z,subscription_changed,s2,,pro,150,,,,,
2024-08-01T00:00:00Z,subscription_started,s3,,basic,100,,,,,
2024-10-12T00:00:00Z,subscription_changed,s3,,lite,60,,,,,
2024-08-01T00:00:00Z,subscription_started,s4,,basic,100,,,,,
2024-10-20T00:00:00Z,subscription_cancelled,s4,,,,,,,,
2024-09-01T00:00:00Z,subscription_started,s5,,pro,200,,,,,
2024-10-05T00:00:00Z,subscription_changed,s5,,basic,100,,,,,
2024-10-25T00:00:00Z,subscription_changed,s5,,pro,200,,,,,
2024-08-01T00:00:00Z,subscription_started,s8,,basic,100,,,,,
2024-09-01T00:00:00Z,subscription_renewed,s8,,,,,,,,
2024-10-15T00:00:00Z,subscription_started,s6,,lite,50,,,,,
2024-10-03T00:00:00Z,subscription_started,s7,,lite,80,,,,,
2024-10-28T00:00:00Z,subscription_cancelled,s7,,,,,,,,
2024-10-20T00:00:00Z,subscription_started,s9,,lite,30,,,,,
"""
# At the start of October (S): s1, s2, s3, s4, s5, s8 = 6, paying 100 each and s5 200 = 700 MRR
#   (s8's renewal states no mrr and keeps 100). At the end (E): s1, s2, s3, s5, s8 and the new
#   s6, s9 = 7; s4 cancelled; s7 joined and cancelled within October (in neither S nor E).
# Lost L = {s4} -> churn 1/6. Subscriber growth (E - S) / S = 1/6.
# MRR of the October cohort at the end: s1 100, s2 150 (+50 expansion), s3 60 (-40 contraction),
#   s4 0 (-100 churned), s5 200 (down to 100 and back up: no loss), s8 100 = 610.
#   Gross revenue churn (100 + 40) / 700 = 0.2; NRR (700 + 50 - 40 - 100) / 700 = 610 / 700.
# Annual churn 1 - (1 - 1/6)^12. CLV = 12 x 700 / 6 (= 1400 a year per paying customer) x
#   lifespan 1 / annual churn. September: S = s1, s2, s3, s4, s8 (s5 starts at midnight 1 Sep,
#   not before it), nobody lost.


def services() -> list[str]:
    """The seed's example: 40 clients served, 25 of them again (62.5%). r1-r10 have an order and
    an attended appointment, r11-r25 two orders, r26-r40 one order; every order is 10 dollars."""
    rows = []
    for i in range(1, 41):
        rows.append(f"2024-10-02T09:00:00Z,order_completed,r{i},,,,,,,,10")
        if i <= 10:
            rows.append(f"2024-10-20T09:00:00Z,appointment_attended,r{i},,,,,,,,")
        elif i <= 25:
            rows.append(f"2024-10-21T09:00:00Z,order_completed,r{i},,,,,,,,10")
    return rows
# 55 orders = 550 dollars from 40 buyers in one month: 13.75 a month, 165 a year per buyer


ADVOCACY = """\
2024-10-04T09:00:00Z,logged_in,p1,,,,,,,,
2024-10-04T09:00:00Z,logged_in,p2,,,,,,,,
2024-10-04T09:00:00Z,logged_in,p3,,,,,,,,
2024-10-04T09:00:00Z,logged_in,p4,,,,,,,,
2024-10-04T09:00:00Z,logged_in,p5,,,,,,,,
2024-10-04T09:00:00Z,page_viewed,,v9,,,,,,,
2024-10-06T09:00:00Z,referral_sent,p1,,,,,,,,
2024-10-06T09:00:00Z,referral_sent,p2,,,,,,,,
2024-10-06T09:00:00Z,referral_sent,p6,,,,,,,,
2024-10-07T09:00:00Z,video_watched,p3,,,,,,,120,
2024-10-07T09:00:00Z,video_watched,p4,,,,,,,60,
2024-10-08T09:00:00Z,video_watched,p4,,,,,,,,
"""
# Active customers: p1-p5 logged in, p3 and p4 also watched videos, p6 only referred (sending a
#   referral makes a customer active); visitor v9 is no customer -> 6, of whom p1, p2, p6
#   referred: 3 / 6. Watch time (120 + 60) / 2 = 90 s (the view without seconds is left out).

SOCIAL = """\
2024-09-05T09:00:00Z,social_follow,f1,,,,,,,,
2024-10-03T09:00:00Z,social_follow,f2,,,,,,,,
2024-10-10T09:00:00Z,social_follow,f3,,,,,,,,
2024-11-02T09:00:00Z,social_follow,f4,,,,,,,,
2024-09-20T09:00:00Z,social_like,f1,,,,,,,,
2024-10-11T09:00:00Z,social_like,f1,,,,,,,,
2024-10-11T09:00:00Z,social_like,f2,,,,,,,,
2024-10-12T09:00:00Z,social_like,f3,,,,,,,,
2024-10-12T10:00:00Z,social_like,f3,,,,,,,,
2024-10-13T09:00:00Z,social_comment,f1,,,,,,,,
2024-10-13T09:00:00Z,social_comment,f2,,,,,,,,
2024-10-14T09:00:00Z,social_share,f2,,,,,,,,
"""
# October: 4 likes (the September one is out), 2 comments, 1 share, 2 follows; followers by
#   1 November: f1, f2, f3 = 3 (f4 follows on 2 November) -> (4 + 2 + 1) / 3

SURVEYS = """\
2024-10-09T09:00:00Z,survey_responded,q1,,,,csat,5,1-5,,
2024-10-09T09:00:00Z,survey_responded,q2,,,,csat,4,5,,
2024-10-09T09:00:00Z,survey_responded,q3,,,,csat,3,5,,
2024-10-09T09:00:00Z,survey_responded,q4,,,,csat,2,1-5,,
2024-10-09T09:00:00Z,survey_responded,q5,,,,csat,4,,,
2024-10-09T09:00:00Z,survey_responded,q6,,,,csat,7,1-7,,
2024-10-09T09:00:00Z,survey_responded,q7,,,,csat,6,7,,
2024-10-09T09:00:00Z,survey_responded,q8,,,,csat,5,7,,
2024-10-09T09:00:00Z,survey_responded,q9,,,,csat,9,1-10,,
2024-10-09T09:00:00Z,survey_responded,q10,,,,csat,6,1-5,,
2024-10-09T09:00:00Z,survey_responded,q1,,,,ces,6,1-7,,
2024-10-09T09:00:00Z,survey_responded,q2,,,,ces,5,7,,
2024-10-09T09:00:00Z,survey_responded,q3,,,,ces,7,1-7,,
2024-10-09T09:00:00Z,survey_responded,q4,,,,ces,4,,,
2024-10-09T09:00:00Z,survey_responded,q5,,,,ces,2,1-5,,
2024-10-09T09:00:00Z,survey_responded,q6,,,,ces,9,1-7,,
2024-10-09T09:00:00Z,survey_responded,q1,,,,nps,10,10,,
2024-10-09T09:00:00Z,survey_responded,q2,,,,nps,10,10,,
2024-10-09T09:00:00Z,survey_responded,q3,,,,nps,9,10,,
2024-10-09T09:00:00Z,survey_responded,q4,,,,nps,7,10,,
2024-10-09T09:00:00Z,survey_responded,q5,,,,nps,2,10,,
"""
# Scales are written as a range ('1-5') or as their top (5). Each answer is read on its own scale:
# CSAT top-2-box on 1-5: 5, 4 of 5, 4, 3, 2; the top box on 1-7: 7 of 7, 6, 5; on 1-10: not 9
#   -> 3 / 8. q5 (no scale) and q10 (6 on a 1-5 scale) are quarantined at ingest.
# CES on 1-7 ("how easy"): (6 + 5 + 7) / 3 = 6.0; q5's 1-5 answer is another scale's mean; q4 (no
#   scale) and q6's 9 (off the scale) are quarantined.
# NPS: promoters 10, 10, 9, passive 7, detractor 2 -> (3 - 1) / 5 x 100 = 40

VARIANTS = """\
metrics:
  - name: clv_costed
    label: CLV with costs
    description: The seed formula with every term set.
    formula: annual revenue x lifespan - (acquisition + service x lifespan)
    kind: python
    function: clv
    params: {lifespan_years: 3, acquisition_cost: 200, service_cost_per_year: 100}
    population: customers
    unit: currency
    direction: higher
    stages: [retention]
  - name: clv_orders
    label: CLV from orders
    description: Order revenue per buyer, for a store without subscriptions.
    formula: annual order revenue per buyer x lifespan - acquisition
    kind: python
    function: clv
    params: {revenue_source: orders, lifespan_years: 2, acquisition_cost: 50}
    population: customers
    unit: currency
    direction: higher
    stages: [retention]
"""
# clv_costed: 1400 x 3 - 200 - 100 x 3 = 3700; clv_orders: 165 x 2 - 50 = 280


@pytest.fixture
def retention(store: Store, tmp_path: Path) -> tuple[Store, Path]:
    story = "\n".join([HEADER, SUBSCRIPTIONS.strip(), *services(), ADVOCACY.strip(), SOCIAL.strip(), SURVEYS.strip()])
    ingest_file(store, write(tmp_path / "story.csv", story + "\n"), IngestOptions(), Vocabulary())
    return store, write(tmp_path / "variants.yaml", VARIANTS)


def test_retention_and_advocacy_kpis_of_october(retention: tuple[Store, Path]) -> None:
    store, variants = retention
    result = compute(store, load_catalog([variants]), RETENTION, *OCTOBER)
    annual = 1 - (1 - 1 / 6) ** 12
    assert result.value("churn_rate") == pytest.approx(1 / 6)  # seed: lost / at start
    # seed: (E - N) / S; N = new ones still there at the end: s6, s9 (s7 left again) -> (7 - 2) / 6
    assert result.value("retention_rate") == pytest.approx(5 / 6)
    assert result.value("annual_churn_rate") == pytest.approx(annual)  # 1 - (1 - m)^12, about 0.888, not 12 x m
    assert result.value("gross_revenue_churn") == pytest.approx(140 / 700)  # (churned 100 + contraction 40) / 700
    assert result.value("net_revenue_retention") == pytest.approx(610 / 700)  # (700 + 50 - 40 - 100) / 700
    assert result.value("subscriber_growth") == pytest.approx(1 / 6)  # (E 7 - S 6) / 6
    assert result.value("repeat_service_rate") == pytest.approx(0.625)  # seed: 25 of 40 clients returning
    assert result.value("clv") == pytest.approx(12 * 700 / 6 / annual)  # 1400 a year x 1 / annual churn
    assert result.value("clv_costed") == pytest.approx(1400 * 3 - 200 - 100 * 3)
    assert result.value("clv_orders") == pytest.approx(550 / 40 * 12 * 2 - 50)
    assert result.value("csat") == pytest.approx(3 / 8)  # seed: satisfied / responses
    assert result.value("ces") == pytest.approx(6.0)  # seed: sum of scores / participants
    assert result.value("nps") == pytest.approx(40)  # seed: % promoters - % detractors
    assert result.value("referral_rate") == pytest.approx(3 / 6)
    assert result.value("social_engagement_rate") == pytest.approx(7 / 3)
    assert [result.value(name) for name in ("content_shares", "comments", "likes", "follows")] == [1, 2, 4, 2]
    assert result.value("average_watch_time") == pytest.approx(90)
    clv = result.for_metric("clv")[0]
    assert (clv.numerator, clv.denominator) == pytest.approx((1400, 1 / annual))  # revenue a year, lifespan


def test_annual_churn_over_months_and_no_denominator(retention: tuple[Store, Path]) -> None:
    store, _ = retention
    catalog = load_catalog()
    two_months = compute(store, catalog, ["annual_churn_rate"], date(2024, 9, 1), date(2024, 11, 1))
    assert two_months.value("annual_churn_rate") == pytest.approx(1 - (1 * (1 - 1 / 6)) ** (12 / 2))  # Sep 0, Oct 1/6
    names = ["churn_rate", "annual_churn_rate", "gross_revenue_churn", "net_revenue_retention", "subscriber_growth",
             "repeat_service_rate", "clv", "csat", "ces", "nps", "referral_rate", "social_engagement_rate",
             "average_watch_time"]
    july = compute(store, catalog, names, date(2024, 7, 1), date(2024, 8, 1))  # before any event
    for name in names:
        assert july.value(name) is None, name
