"""The Voice page over the demo: NPS, CSAT and CES cards equal to the analyses, the planted
detractor theme first in the themes table with its verbatims, the charts' figures present."""
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient

from engagekit.analyses.protocol import Project
from engagekit.api import create_key
from engagekit.config import Settings
from engagekit.people.ranges import DateRange
from engagekit.server import create_server
from engagekit.store import Store
from engagekit.voc.surveys import SurveyQuery, survey_result

YEAR = {"from": "2026-01-01", "to": "2026-12-31"}


@pytest.fixture(scope="module")
def client(demo_store: Store) -> Iterator[TestClient]:
    _, key = create_key(demo_store, "read", "voice-page")
    with TestClient(create_server(demo_store.url, Settings()), follow_redirects=False) as test_client:
        assert test_client.post("/login", data={"key": key, "next": "/"}).status_code == 303
        yield test_client


def test_voice_page_shows_the_survey_metrics_and_themes(client: TestClient, demo_store: Store) -> None:
    response = client.get("/voice", params=YEAR)
    assert response.status_code == 200
    text = response.text
    nps = survey_result(demo_store, "nps", SurveyQuery(range=DateRange(start=date(2026, 1, 1), end=date(2027, 1, 1))),
                        Project())
    shown = re.search(r'data-metric="nps">.*?<div class="value">([^<]*)</div>', text, re.DOTALL).group(1)
    assert shown.strip() == f"{nps.value:+.1f}"
    first = re.search(r'<tr data-theme="([^"]*)">', text).group(1)
    assert first == "delivery and shipping delays"
    assert 'id="nps-chart"' in text and 'id="themes-chart"' in text and 'id="sentiment-chart"' in text
    assert "<q>" in text  # verbatims


def test_voice_page_in_a_segment(client: TestClient) -> None:
    response = client.get("/voice", params={**YEAR, "where": "traits.country == 'US'"})
    assert response.status_code == 200 and 'role="alert"' not in response.text
