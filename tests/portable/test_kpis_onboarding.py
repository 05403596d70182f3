"""Onboarding KPIs (catalog/onboarding.yaml) on one small story, computed on every engine."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.metrics.catalog import Catalog
from engagekit.metrics.engine import compute
from engagekit.store import Store
from tests.conftest import catalog_file, write

SEPTEMBER = (date(2024, 9, 1), date(2024, 10, 1))
OCTOBER = (date(2024, 10, 1), date(2024, 11, 1))
KPIS = ["welcome_email_open_rate", "activation_rate", "time_to_activation", "onboarding_completion_rate",
        "time_to_complete_onboarding", "welcome_call_booking_rate", "request_response_time", "trial_to_paid_rate"]

HEADER = "timestamp,event,userId,campaign,template,step,ticket_id,by"
ROWS = [
    # Sign-ups in October: u1, u2, u3, u6 (u4 signed up in September, u0 in August).
    # Activated after signing up: u1 (24 h later), u2 (60 h later) -> activation rate = 2 / 4,
    # time to activation = median(24, 60) = 42 h. u4 activated on 1 October: September's cohort.
    "2024-10-02T10:00:00Z,signed_up,u1,,,,,",
    "2024-10-03T10:00:00Z,account_activated,u1,,,,,",
    "2024-10-10T00:00:00Z,signed_up,u2,,,,,",
    "2024-10-12T12:00:00Z,account_activated,u2,,,,,",
    "2024-10-20T10:00:00Z,signed_up,u3,,,,,",
    "2024-10-25T10:00:00Z,signed_up,u6,,,,,",
    "2024-09-30T23:00:00Z,signed_up,u4,,,,,",
    "2024-10-01T02:00:00Z,account_activated,u4,,,,,",
    "2024-08-01T09:00:00Z,signed_up,u0,,,,,",
    # Welcome calls booked after signing up: u1, u3, u6 of the 4 -> booking rate = 3 / 4.
    "2024-10-02T15:00:00Z,welcome_call_booked,u1,,,,,",
    "2024-10-21T10:00:00Z,welcome_call_booked,u3,,,,,",
    "2024-10-26T10:00:00Z,welcome_call_booked,u6,,,,,",
    # Welcome emails (campaign or template 'welcome') delivered in October: u1, u2, u3. Opened
    # after delivery: u1, and u3 on 2 November (counts for October). u2 only opened a newsletter.
    # -> welcome email open rate = 2 / 3.
    "2024-10-02T10:05:00Z,email_delivered,u1,welcome,,,,",
    "2024-10-02T12:05:00Z,email_opened,u1,welcome,,,,",
    "2024-10-10T00:10:00Z,email_delivered,u2,,welcome,,,",
    "2024-10-11T08:00:00Z,email_delivered,u2,news,,,,",
    "2024-10-11T09:00:00Z,email_opened,u2,news,,,,",
    "2024-10-20T10:05:00Z,email_delivered,u3,welcome,,,,",
    "2024-11-02T09:00:00Z,email_opened,u3,welcome,,,,",
    # Onboarding (4 steps) started in October by u1, u2, u3. u1 does all 4 in 3 days; u2 repeats
    # a step and reaches only 3 distinct ones; u3 starts at 23:00 on 31 October and finishes 4 days
    # later in November (still October's cohort). -> completion = 2 / 3, time = median(3, 4) = 3.5 d.
    "2024-10-02T11:00:00Z,onboarding_step_completed,u1,,,profile,,",
    "2024-10-03T11:00:00Z,onboarding_step_completed,u1,,,invite,,",
    "2024-10-04T11:00:00Z,onboarding_step_completed,u1,,,connect,,",
    "2024-10-05T11:00:00Z,onboarding_step_completed,u1,,,report,,",
    "2024-10-10T01:00:00Z,onboarding_step_completed,u2,,,profile,,",
    "2024-10-11T01:00:00Z,onboarding_step_completed,u2,,,invite,,",
    "2024-10-12T01:00:00Z,onboarding_step_completed,u2,,,invite,,",
    "2024-10-13T01:00:00Z,onboarding_step_completed,u2,,,connect,,",
    "2024-10-31T23:00:00Z,onboarding_step_completed,u3,,,profile,,",
    "2024-11-01T23:00:00Z,onboarding_step_completed,u3,,,invite,,",
    "2024-11-02T23:00:00Z,onboarding_step_completed,u3,,,connect,,",
    "2024-11-04T23:00:00Z,onboarding_step_completed,u3,,,report,,",
    # Onboarding tickets (opened within 30 days of signing up) in October: T1 answered in 4 h;
    # T2 answered by the agent in 24 h (the customer's own reply after 1 h does not count); T5 of
    # u4 (signed up the evening before) in 6 h; T6 is unanswered. T0 comes 65 days after u0's
    # sign-up: not onboarding. -> request response time = median(4, 24, 6) = 6 h.
    "2024-10-03T09:00:00Z,ticket_opened,u1,,,,T1,",
    "2024-10-03T13:00:00Z,ticket_replied,u1,,,,T1,agent",
    "2024-10-11T08:00:00Z,ticket_opened,u2,,,,T2,",
    "2024-10-11T09:00:00Z,ticket_replied,u2,,,,T2,customer",
    "2024-10-12T08:00:00Z,ticket_replied,u2,,,,T2,agent",
    "2024-10-01T00:30:00Z,ticket_opened,u4,,,,T5,",
    "2024-10-01T06:30:00Z,ticket_replied,u4,,,,T5,",
    "2024-10-28T10:00:00Z,ticket_opened,u6,,,,T6,",
    "2024-10-05T09:00:00Z,ticket_opened,u0,,,,T0,",
    "2024-10-05T10:00:00Z,ticket_replied,u0,,,,T0,agent",
    # Trials started in October: u1 (subscribes on 20 October), u2 (never), u5 (subscribed the day
    # before the trial: not a conversion) -> trial to paid = 1 / 3.
    "2024-10-02T10:00:30Z,trial_started,u1,,,,,",
    "2024-10-20T00:00:00Z,subscription_started,u1,,,,,",
    "2024-10-10T00:00:30Z,trial_started,u2,,,,,",
    "2024-10-14T00:00:00Z,subscription_started,u5,,,,,",
    "2024-10-15T00:00:00Z,trial_started,u5,,,,,",
]


def stage_catalog() -> Catalog:
    """The KPIs of catalog/onboarding.yaml alone, so the test checks this file whatever else the catalog holds."""
    return catalog_file("onboarding.yaml")


@pytest.fixture
def story(store: Store, tmp_path: Path) -> Store:
    ingest_file(store, write(tmp_path / "onboarding.csv", "\n".join([HEADER, *ROWS]) + "\n"), IngestOptions(),
                Vocabulary())
    return store


def test_onboarding_kpis_of_the_story(story: Store) -> None:
    result = compute(story, stage_catalog(), KPIS, *OCTOBER)
    assert result.value("welcome_email_open_rate") == pytest.approx(2 / 3)  # u1, u3 of u1, u2, u3
    assert result.value("activation_rate") == pytest.approx(2 / 4)  # u1, u2 of u1, u2, u3, u6
    assert result.value("time_to_activation") == pytest.approx(42.0)  # median(24 h, 60 h)
    assert result.value("onboarding_completion_rate") == pytest.approx(2 / 3)  # u1, u3 of u1, u2, u3
    assert result.value("time_to_complete_onboarding") == pytest.approx(3.5)  # median(3 d, 4 d)
    assert result.value("welcome_call_booking_rate") == pytest.approx(3 / 4)  # u1, u3, u6 of 4 sign-ups
    assert result.value("request_response_time") == pytest.approx(6.0)  # median(4 h, 24 h, 6 h)
    assert result.value("trial_to_paid_rate") == pytest.approx(1 / 3)  # u1 of u1, u2, u5
    activation = result.for_metric("time_to_activation")[0]
    assert (activation.numerator, activation.denominator) == (84.0, 2)  # sum of hours, pairs
    replies = result.for_metric("request_response_time")[0]
    assert replies.status == "on_track"  # 6 h against the seed's < 24 h target


def test_period_boundaries_and_no_denominator(story: Store) -> None:
    result = compute(story, stage_catalog(), KPIS, *SEPTEMBER)
    # u4 signed up at 23:00 on 30 September and activated 3 h later, on 1 October: September's.
    assert result.value("activation_rate") == 1.0
    assert result.value("time_to_activation") == pytest.approx(3.0)
    assert result.value("welcome_call_booking_rate") == 0.0  # u4 booked no call: zero, not "no value"
    for name in ("welcome_email_open_rate", "onboarding_completion_rate", "time_to_complete_onboarding",
                 "request_response_time", "trial_to_paid_rate"):
        assert result.value(name) is None, name  # no welcome emails, steps, tickets or trials in September
