"""Acquisition KPIs (catalog/acquisition.yaml) on one small story, computed on every engine."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.metrics.catalog import Catalog
from engagekit.metrics.engine import compute
from engagekit.store import Store
from tests.conftest import catalog_file, write

OCTOBER = (date(2024, 10, 1), date(2024, 11, 1))
NOVEMBER = (date(2024, 11, 1), date(2024, 12, 1))
KPIS = ["unique_visitors", "ad_click_through_rate", "email_open_rate", "email_click_rate", "email_click_to_open_rate",
        "opt_in_rate", "new_customers", "customer_acquisition_rate", "lead_conversion_rate"]

HEADER = "timestamp,event,userId,anonymousId,channel,campaign"
ROWS = [
    # Visitors in October (unique_visitors = 6): a1 on the web, a2 with a page view but no channel,
    # a3 in the app, x1 who signs up as c1 (one person before and after), c2 signing up in the app,
    # c3 logged in on the web. p1 only saw an ad on the web (done to them: not a visit).
    "2024-10-02T09:00:00Z,page_viewed,,a1,web,",
    "2024-10-03T09:00:00Z,page_viewed,,a2,,",
    "2024-10-04T09:00:00Z,screen_viewed,,a3,app,",
    "2024-10-05T09:00:00Z,page_viewed,,x1,web,",
    "2024-10-05T09:10:00Z,signed_up,c1,x1,web,",
    "2024-10-07T09:00:00Z,signed_up,c2,,app,",
    "2024-10-08T09:00:00Z,logged_in,c3,,web,",
    "2024-10-08T10:00:00Z,ad_impression,,p1,web,spring",
    # Just outside October on both sides: s1 a second before it, b1 at its very start (November).
    "2024-09-30T23:59:59Z,page_viewed,,s1,web,",
    "2024-11-01T00:00:00Z,page_viewed,,b1,web,",
    # New customers: c1 and c2 (c2's second sign-up row adds nobody) -> 2;
    # customer_acquisition_rate = 2 / 6. Opt-ins: a1 and c1 -> opt_in_rate = 2 / 6.
    "2024-10-09T09:00:00Z,signed_up,c2,,app,",
    "2024-10-02T09:05:00Z,newsletter_subscribed,,a1,,",
    "2024-10-06T09:00:00Z,newsletter_subscribed,c1,,,",
    # Ads: 8 impressions (p1's above and 7 here), 2 clicks in October -> CTR = 2 / 8; the
    # September click is outside the period.
    *[f"2024-10-1{i}T10:00:00Z,ad_impression,,v{i},social,spring" for i in range(7)],
    "2024-10-10T10:00:05Z,ad_clicked,,v0,social,spring",
    "2024-10-11T10:00:05Z,ad_clicked,,v1,social,spring",
    "2024-09-20T10:00:05Z,ad_clicked,,v2,social,spring",
    # Emails, each (person, campaign) once. Delivered in October: (c1, spring), (c2, spring),
    # (c3, spring), (c1, news), (c2, news) = 5. Opened after delivery: (c1, spring) twice,
    # (c2, spring), (c1, news), and (c2, news) on 1 November, which counts for its October delivery
    # -> open rate = 4 / 5. Clicked: (c1, spring), (c1, news) -> click rate = 2 / 5.
    "2024-10-10T08:00:00Z,email_delivered,c1,,email,spring",
    "2024-10-10T09:00:00Z,email_opened,c1,,email,spring",
    "2024-10-10T18:00:00Z,email_opened,c1,,email,spring",
    "2024-10-10T09:01:00Z,email_clicked,c1,,email,spring",
    "2024-10-10T08:00:00Z,email_delivered,c2,,email,spring",
    "2024-10-11T07:00:00Z,email_opened,c2,,email,spring",
    "2024-10-10T08:00:00Z,email_delivered,c3,,email,spring",
    "2024-10-20T08:00:00Z,email_delivered,c1,,email,news",
    "2024-10-21T08:00:00Z,email_opened,c1,,email,news",
    "2024-10-21T08:00:30Z,email_clicked,c1,,email,news",
    "2024-10-31T23:00:00Z,email_delivered,c2,,email,news",
    "2024-11-01T08:00:00Z,email_opened,c2,,email,news",
    # (c3, news) was delivered in September and opened in October: not an October delivery, but an
    # October open. Opened in October: (c1, spring), (c2, spring), (c1, news), (c3, news) = 4, of
    # which clicked after opening: (c1, spring), (c1, news) -> click-to-open = 2 / 4.
    "2024-09-28T08:00:00Z,email_delivered,c3,,email,news",
    "2024-10-02T08:00:00Z,email_opened,c3,,email,news",
    # An email without a campaign is left out of every email rate.
    "2024-10-12T08:00:00Z,email_delivered,c3,,email,",
    "2024-10-12T09:00:00Z,email_opened,c3,,email,",
    # Leads created in October: x1 (c1 signs up later), a2 (never signs up), c3 (signed up in
    # August, before becoming a lead: not a conversion), y1 (signs up as c5 in November, which
    # still counts for October) -> lead conversion = 2 / 4. s1's September lead is outside.
    "2024-10-01T12:00:00Z,lead_created,,x1,,",
    "2024-10-03T12:00:00Z,lead_created,,a2,,",
    "2024-08-01T12:00:00Z,signed_up,c3,,,",
    "2024-10-09T12:00:00Z,lead_created,c3,,,",
    "2024-10-25T12:00:00Z,lead_created,,y1,,",
    "2024-11-03T12:00:00Z,signed_up,c5,y1,,",
    "2024-09-15T12:00:00Z,lead_created,,s1,,",
]


def stage_catalog() -> Catalog:
    """The KPIs of catalog/acquisition.yaml alone, so the test checks this file whatever else the catalog holds."""
    return catalog_file("acquisition.yaml")


@pytest.fixture
def story(store: Store, tmp_path: Path) -> Store:
    ingest_file(store, write(tmp_path / "acquisition.csv", "\n".join([HEADER, *ROWS]) + "\n"), IngestOptions(),
                Vocabulary())
    return store


def test_acquisition_kpis_of_the_story(story: Store) -> None:
    result = compute(story, stage_catalog(), KPIS, *OCTOBER)
    assert result.value("unique_visitors") == 6  # a1, a2, a3, x1 = c1, c2, c3
    assert result.value("ad_click_through_rate") == pytest.approx(2 / 8)  # clicks / impressions
    assert result.value("email_open_rate") == pytest.approx(4 / 5)  # opened pairs / delivered pairs
    assert result.value("email_click_rate") == pytest.approx(2 / 5)  # clicked pairs / delivered pairs
    assert result.value("email_click_to_open_rate") == pytest.approx(2 / 4)  # clicked / opened pairs
    assert result.value("opt_in_rate") == pytest.approx(2 / 6)  # subscribers / visitors
    assert result.value("new_customers") == 2  # c1, c2
    assert result.value("customer_acquisition_rate") == pytest.approx(2 / 6)  # new customers / visitors
    assert result.value("lead_conversion_rate") == pytest.approx(2 / 4)  # leads who signed up later / leads
    opens = result.for_metric("email_open_rate")[0]
    assert (opens.numerator, opens.denominator) == (4, 5)


def test_period_boundaries_and_no_denominator(story: Store) -> None:
    result = compute(story, stage_catalog(), KPIS, *NOVEMBER)
    assert result.value("unique_visitors") == 1  # b1 at 2024-11-01T00:00:00 belongs to November
    assert result.value("new_customers") == 1  # c5
    assert result.value("opt_in_rate") == 0.0  # nobody subscribed: zero, not "no value"
    # (c2, news) was first opened on 1 November and not clicked: 0 of 1.
    assert result.value("email_click_to_open_rate") == 0.0
    for name in ("ad_click_through_rate", "email_open_rate", "email_click_rate", "lead_conversion_rate"):
        assert result.value(name) is None, name  # no impressions, deliveries or leads in November
