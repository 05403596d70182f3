"""Detractors to follow up (engagekit.voc.detractors): each customer's latest NPS answer of the
range, kept when it is 0-6, on every engine."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from engagekit.analyses.protocol import Project
from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.store import Store
from engagekit.voc.detractors import latest_detractors
from tests.conftest import write

ANSWERS = """\
timestamp,event,userId,survey,score,scale,comment,touchpoint
2024-10-02T10:00:00Z,survey_responded,a,nps,3,0-10,Late again,relationship
2024-10-20T10:00:00Z,survey_responded,a,nps,9,0-10,Much better now,relationship
2024-10-03T10:00:00Z,survey_responded,b,nps,9,0-10,,relationship
2024-10-25T10:00:00Z,survey_responded,b,nps,6,0-10,Prices went up,checkout
2024-10-04T10:00:00Z,survey_responded,c,nps,0,0-10,,relationship
2024-10-05T10:00:00Z,survey_responded,d,nps,6,0-10,Slow support,support
2024-10-06T10:00:00Z,survey_responded,e,csat,1,1-5,Bad,support
2024-09-28T10:00:00Z,survey_responded,f,nps,1,0-10,Before the range,relationship
"""
# Latest NPS answer per customer in October: a 9 (no longer a detractor), b 6, c 0, d 6;
# e answered CSAT only and f before the range. Lowest score first, then the latest answer:
# c (0), b (6, Oct 25), d (6, Oct 5).


def test_latest_detractors(store: Store, tmp_path: Path) -> None:
    ingest_file(store, write(tmp_path / "answers.csv", ANSWERS), IngestOptions(), Vocabulary())
    found = latest_detractors(store, Project(), date(2024, 10, 1), date(2024, 11, 1))
    assert [(d.customer_id, d.score, d.answered, d.comment, d.touchpoint) for d in found] == [
        ("c", 0.0, date(2024, 10, 4), None, "relationship"),
        ("b", 6.0, date(2024, 10, 25), "Prices went up", "checkout"),
        ("d", 6.0, date(2024, 10, 5), "Slow support", "support"),
    ]
