"""`engagekit voc` as a user runs it: --json answers with the contract's keys, a text scored on the
spot, a bad range or KPI is a message without a traceback."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_cli import run
from tests.conftest import write

ANSWERS = """\
timestamp,event,userId,survey,score,scale,comment
2024-09-10T10:00:00Z,survey_responded,u1,nps,9,0-10,Great service
2024-09-11T10:00:00Z,survey_responded,u2,nps,10,0-10,Love the app
2024-10-02T10:00:00Z,survey_responded,u1,nps,10,0-10,Love it
2024-10-03T10:00:00Z,survey_responded,u2,nps,3,0-10,The delivery was late again
2024-10-04T10:00:00Z,survey_responded,u3,nps,8,0-10,
2024-10-05T10:00:00Z,survey_responded,u4,nps,2,0-10,Shipping took two weeks and the parcel was late
2024-10-05T11:00:00Z,survey_responded,u4,csat,5,1-5,
2024-10-06T10:00:00Z,survey_responded,u5,csat,2,1-5,
2024-10-07T10:00:00Z,survey_responded,u6,ces,6,1-7,
"""
# October NPS: promoter u1, detractors u2 and u4, passive u3 -> 100 x (1 - 2) / 4 = -25;
# September: two promoters -> 100. CSAT 1 of 2 satisfied; CES 6 on 1-7 (agrees).
OCTOBER = ("--from", "2024-10-01", "--to", "2024-10-31")


@pytest.fixture
def answered(tmp_path: Path) -> Path:
    result = run(tmp_path, "ingest", str(write(tmp_path / "answers.csv", ANSWERS)), "--json")
    assert result.returncode == 0, result.stderr
    return tmp_path


def voc(tmp_path: Path, *args: str) -> dict:
    result = run(tmp_path, "voc", *args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_survey_metrics_answer_with_value_n_and_interval(answered: Path) -> None:
    nps = voc(answered, "nps", *OCTOBER)
    assert (nps["value"], nps["n"]) == (-25.0, 4)
    assert nps["ci_low"] < -25 < nps["ci_high"]
    csat = voc(answered, "csat", *OCTOBER)
    assert (csat["value"], csat["n"]) == (0.5, 2)
    ces = voc(answered, "ces", *OCTOBER)
    assert (ces["value"], ces["agree_share"]) == (6.0, 1.0)


def test_sentiment_of_a_text_and_of_the_stored_texts(answered: Path) -> None:
    scored = voc(answered, "sentiment", "--text", "Terrible support, I hate waiting")
    assert scored["label"] == "negative" and scored["compound"] <= -0.05
    stored = voc(answered, "sentiment", *OCTOBER)
    assert stored["texts"] == stored["scored"] == 3


def test_themes_and_explain(answered: Path) -> None:
    themes = voc(answered, "themes", *OCTOBER)["themes"]
    assert themes[0]["label"] == "delivery and shipping delays" and themes[0]["count"] == 2
    assert set(themes[0]) >= {"label", "keywords", "count", "by_group", "sentiment", "examples"}
    assert themes[0]["by_group"]["detractor"] == 1.0
    explained = voc(answered, "explain", "nps", *OCTOBER)
    assert (explained["focus"]["nps"], explained["base"]["nps"]) == (-25.0, 100.0)
    assert explained["mode"] == "period" and explained["worse"] is True


def test_bad_input_is_a_message_without_traceback(answered: Path) -> None:
    backwards = run(answered, "voc", "nps", "--from", "2024-10-31", "--to", "2024-10-01")
    assert backwards.returncode == 2 and "Traceback" not in backwards.stderr
    unknown = run(answered, "voc", "explain", "no_such_kpi", *OCTOBER)
    assert unknown.returncode == 2 and "no_such_kpi" in unknown.stderr and "Traceback" not in unknown.stderr
