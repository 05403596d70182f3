"""The voice-of-the-customer routes of the read API: NPS, CSAT, CES, sentiment and themes answer
the same results as the CLI; a bad query is a 400 naming the field."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from engagekit.config import Settings
from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.people.names import SPEC_NAMES
from engagekit.server import create_server
from engagekit.store import connect
from engagekit.voc.sentiment import score_new_texts
from tests.api.conftest import FAST, Keys, basic
from tests.conftest import write

ANSWERS = """\
timestamp,event,userId,survey,score,scale,comment
2024-10-02T10:00:00Z,survey_responded,u1,nps,10,0-10,Love it
2024-10-03T10:00:00Z,survey_responded,u2,nps,3,0-10,The delivery was late again
2024-10-04T10:00:00Z,survey_responded,u3,nps,8,0-10,
2024-10-05T10:00:00Z,survey_responded,u4,csat,5,1-5,
2024-10-06T10:00:00Z,survey_responded,u5,csat,2,1-5,
2024-10-07T10:00:00Z,survey_responded,u6,ces,6,1-7,
"""
# NPS: promoter u1, detractor u2, passive u3 -> 100 x (1 - 1) / 3 = 0; CSAT 1 of 2 satisfied;
# CES 6 on 1-7 (agrees). The detractor's comment is about delivery.
RANGE = {"start": "2024-10-01", "end": "2024-11-01"}


@pytest.fixture
def client(store_url: str, keys: Keys, tmp_path: Path) -> Iterator[TestClient]:
    with connect(store_url) as store:
        ingest_file(store, write(tmp_path / "answers.csv", ANSWERS), IngestOptions(), Vocabulary())
        score_new_texts(store, SPEC_NAMES)
    with TestClient(create_server(store_url, Settings(), FAST)) as test_client:
        test_client.headers.update(basic(keys.read))
        yield test_client


def test_survey_routes(client: TestClient) -> None:
    nps = client.post("/api/v1/voc/nps", json={"range": RANGE})
    assert nps.status_code == 200, nps.text
    assert (nps.json()["value"], nps.json()["n"]) == (0.0, 3)
    assert nps.json()["ci_low"] < 0 < nps.json()["ci_high"]
    csat = client.post("/api/v1/voc/csat", json={"range": RANGE}).json()
    assert (csat["value"], csat["n"]) == (0.5, 2)
    ces = client.post("/api/v1/voc/ces", json={"range": RANGE}).json()
    assert (ces["value"], ces["agree_share"]) == (6.0, 1.0)


def test_sentiment_and_themes_routes(client: TestClient) -> None:
    sentiment = client.post("/api/v1/voc/sentiment", json={"range": RANGE}).json()
    assert sentiment["texts"] == sentiment["scored"] == 2
    themes = client.post("/api/v1/voc/themes", json={"range": RANGE}).json()
    first = themes["themes"][0]
    assert first["label"] == "delivery and shipping delays"
    assert first["by_group"] == {"detractor": 1.0, "passive": None, "promoter": 0.0}  # u3 wrote no comment


def test_a_bad_query_is_400(client: TestClient) -> None:
    bad = client.post("/api/v1/voc/themes", json={"range": RANGE, "themes": 500})
    assert bad.status_code == 400 and "themes" in bad.json()["error"]
    assert client.post("/api/v1/voc/nps", json={"range": RANGE, "by": ["nope"]}).status_code == 400


def test_explain_route(client: TestClient) -> None:
    explained = client.post("/api/v1/voc/explain", json={"kpi": "nps", "range": RANGE})
    assert explained.status_code == 200, explained.text
    body = explained.json()
    # October: NPS 0 of 3 answers; September has none, so the earlier side has no value.
    assert (body["mode"], body["focus"]["nps"], body["base"]["nps"]) == ("period", 0.0, None)
    unknown = client.post("/api/v1/voc/explain", json={"kpi": "no_such_kpi", "range": RANGE})
    assert unknown.status_code in (400, 404) and "no_such_kpi" in unknown.json()["error"]
