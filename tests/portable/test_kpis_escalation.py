"""Escalation KPIs (catalog/escalation.yaml) on one small story, computed on every engine."""
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
KPIS = ["support_tickets", "tickets_per_100_customers", "escalation_rate", "first_response_time", "resolution_time",
        "resolution_time_median", "first_contact_resolution_rate", "support_csat"]

HEADER = "timestamp,event,userId,ticket_id,by,level,contacts,survey,score,scale,touchpoint"
ROWS = [
    # Customers to date: c1..c4 signed up before 1 November (c4 a second before it); c5 at its
    # very start counts from November on.
    "2024-08-01T09:00:00Z,signed_up,c1,,,,,,,,",
    "2024-09-01T09:00:00Z,signed_up,c2,,,,,,,,",
    "2024-10-05T09:00:00Z,signed_up,c3,,,,,,,,",
    "2024-10-31T23:59:59Z,signed_up,c4,,,,,,,,",
    "2024-11-01T00:00:00Z,signed_up,c5,,,,,,,,",
    # Tickets opened in October: T1..T5 -> support tickets = 5, per 100 customers = 5 / 4 x 100.
    # T1: agent reply after 2 h, escalated twice (one escalated ticket), resolved after 24 h in 3 contacts.
    "2024-10-02T08:00:00Z,ticket_opened,c1,T1,,,,,,,",
    "2024-10-02T10:00:00Z,ticket_replied,c1,T1,agent,,,,,,",
    "2024-10-02T12:00:00Z,ticket_escalated,c1,T1,,2,,,,,",
    "2024-10-03T06:00:00Z,ticket_escalated,c1,T1,,3,,,,,",
    "2024-10-03T08:00:00Z,ticket_resolved,c1,T1,,,3,,,,",
    # T2: the customer writes again after 30 min (not a response), the agent answers after 4 h;
    # resolved after 6 h in one contact.
    "2024-10-05T09:00:00Z,ticket_opened,c2,T2,,,,,,,",
    "2024-10-05T09:30:00Z,ticket_replied,c2,T2,customer,,,,,,",
    "2024-10-05T13:00:00Z,ticket_replied,c2,T2,agent,,,,,,",
    "2024-10-05T15:00:00Z,ticket_resolved,c2,T2,,,1,,,,",
    # T3: answered after 6 h, resolved after 48 h in 2 contacts.
    "2024-10-10T00:00:00Z,ticket_opened,c3,T3,,,,,,,",
    "2024-10-10T06:00:00Z,ticket_replied,c3,T3,agent,,,,,,",
    "2024-10-12T00:00:00Z,ticket_resolved,c3,T3,,,2,,,,",
    # T4: opened at 22:00 on 31 October, answered after 4 h and resolved after 48 h, both in
    # November: still October's ticket for the times, November's resolution for the FCR rate.
    "2024-10-31T22:00:00Z,ticket_opened,c3,T4,,,,,,,",
    "2024-11-01T02:00:00Z,ticket_replied,c3,T4,agent,,,,,,",
    "2024-11-02T22:00:00Z,ticket_resolved,c3,T4,,,1,,,,",
    # T5: never answered nor resolved: counted as a ticket, not timed.
    "2024-10-20T12:00:00Z,ticket_opened,c1,T5,,,,,,,",
    # -> escalation rate = 1 / 5; first response = mean(2, 4, 6, 4) = 4 h;
    #    resolution = mean(24, 6, 48, 48) = 31.5 h, median = (24 + 48) / 2 = 36 h.
    # T0 (September) is escalated and resolved in one contact on 1 October: not an October ticket,
    # but an October resolution. T7 is resolved without a contact count: left out of the FCR rate.
    # -> October resolutions with a count: T0 (1), T1 (3), T2 (1), T3 (2) -> FCR = 2 / 4.
    "2024-09-28T12:00:00Z,ticket_opened,c1,T0,,,,,,,",
    "2024-09-28T13:00:00Z,ticket_replied,c1,T0,agent,,,,,,",
    "2024-10-01T00:00:00Z,ticket_escalated,c1,T0,,2,,,,,",
    "2024-10-01T00:00:00Z,ticket_resolved,c1,T0,,,1,,,,",
    "2024-08-15T12:00:00Z,ticket_opened,c2,T7,,,,,,,",
    "2024-10-15T00:00:00Z,ticket_resolved,c2,T7,,,,,,,",
    # Support CSAT: satisfied 5, 4 (scale 5 is 1-5), 5 on 1-5; not satisfied 3 and 1 on 1-5 and 9 on
    # 1-10 (the top box is 10) -> 3 / 6. Left out: a checkout CSAT, an NPS answer; a CSAT without a
    # score is quarantined at ingest.
    "2024-10-06T10:00:00Z,survey_responded,c1,,,,,csat,5,1-5,support",
    "2024-10-06T11:00:00Z,survey_responded,c2,,,,,csat,4,5,support",
    "2024-10-13T10:00:00Z,survey_responded,c3,,,,,csat,3,1-5,support",
    "2024-10-14T10:00:00Z,survey_responded,c4,,,,,csat,1,1-5,support",
    "2024-10-16T10:00:00Z,survey_responded,c1,,,,,csat,5,1-5,support",
    "2024-10-17T10:00:00Z,survey_responded,c2,,,,,csat,9,10,support",
    "2024-10-18T10:00:00Z,survey_responded,c3,,,,,csat,5,1-5,checkout",
    "2024-10-19T10:00:00Z,survey_responded,c4,,,,,nps,10,0-10,support",
    "2024-10-20T10:00:00Z,survey_responded,c1,,,,,csat,,1-5,support",
]


def stage_catalog() -> Catalog:
    """The KPIs of catalog/escalation.yaml alone, so the test checks this file whatever else the catalog holds."""
    return catalog_file("escalation.yaml")


@pytest.fixture
def story(store: Store, tmp_path: Path) -> Store:
    ingest_file(store, write(tmp_path / "escalation.csv", "\n".join([HEADER, *ROWS]) + "\n"), IngestOptions(),
                Vocabulary())
    return store


def test_escalation_kpis_of_the_story(story: Store) -> None:
    result = compute(story, stage_catalog(), KPIS, *OCTOBER)
    assert result.value("support_tickets") == 5  # T1..T5
    assert result.value("tickets_per_100_customers") == pytest.approx(5 / 4 * 100)  # tickets / c1..c4 x 100
    assert result.value("escalation_rate") == pytest.approx(1 / 5)  # T1 of T1..T5
    assert result.value("first_response_time") == pytest.approx(4.0)  # mean(2, 4, 6, 4) h
    assert result.value("resolution_time") == pytest.approx(31.5)  # mean(24, 6, 48, 48) h
    assert result.value("resolution_time_median") == pytest.approx(36.0)  # (24 + 48) / 2 h
    assert result.value("first_contact_resolution_rate") == pytest.approx(2 / 4)  # T0, T2 of T0..T3
    assert result.value("support_csat") == pytest.approx(3 / 6)  # 5, 4, 5 of 5, 4, 3, 1, 5 and 9 of 1-10
    resolution = result.for_metric("resolution_time")[0]
    assert (resolution.numerator, resolution.denominator) == (126.0, 4)  # hours summed, tickets timed


def test_period_boundaries_and_no_denominator(story: Store) -> None:
    result = compute(story, stage_catalog(), KPIS, *NOVEMBER)
    assert result.value("support_tickets") == 0
    assert result.value("tickets_per_100_customers") == 0.0  # 0 tickets of c1..c5 (c5 from 1 November)
    assert result.for_metric("tickets_per_100_customers")[0].denominator == 5
    assert result.value("first_contact_resolution_rate") == 1.0  # T4, resolved in November in one contact
    for name in ("escalation_rate", "first_response_time", "resolution_time", "resolution_time_median", "support_csat"):
        assert result.value(name) is None, name  # no tickets opened and no answers in November
