"""Survey answers that would be averaged into a wrong NPS, CSAT or CES are quarantined at ingest
(engagekit.ingest.surveys), naming the row, the field and the reason; readable ones are stored."""
from __future__ import annotations

import json
from pathlib import Path

from engagekit.config import SurveySettings
from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.ingest.surveys import parse_scale
from engagekit.store import Store
from engagekit.voc.tally import Tallies
from tests.conftest import write
from tests.ingest.reports import counts, quarantine

ANSWERS = """\
timestamp,event,userId,survey,score,scale
2026-11-20T10:00:00Z,survey_responded,u1,nps,9,0-10
2026-11-20T10:00:00Z,survey_responded,u2,nps,11,0-10
2026-11-20T10:00:00Z,survey_responded,u3,csat,4,
2026-11-20T10:00:00Z,survey_responded,u4,ces,abc,1-7
2026-11-20T10:00:00Z,survey_responded,u5,nsp,9,0-10
2026-11-20T10:00:00Z,survey_responded,u6,csat,3.5,1-5
2026-11-20T10:00:00Z,survey_responded,u7,csat,4,5
2026-11-20T10:00:00Z,survey_responded,u8,nps,4,1-5
2026-11-20T10:00:00Z,survey_responded,u9,ces,3,2-9
"""


def test_unreadable_answers_are_quarantined_with_field_and_reason(duckdb_store: Store, tmp_path: Path) -> None:
    report = ingest_file(duckdb_store, write(tmp_path / "answers.csv", ANSWERS), IngestOptions(), Vocabulary())
    assert counts(report) == (9, 2, 0, 7)  # rows 1 and 7 (scale "5" is 1-5) are stored
    assert quarantine(duckdb_store) == [
        (2, "score", "score '11' is not an answer on the nps scale 0-10"),
        (3, "scale", "missing scale of the csat answer (e.g. \"1-5\")"),
        (4, "score", "score 'abc' is not a number"),
        (5, "survey", "survey type 'nsp' is not one of nps, csat, ces"),
        (6, "score", "score '3.5' is not an answer on the csat scale 1-5"),
        (8, "scale", "NPS is asked on 0-10, not 1-5"),
        (9, "scale", "scale '2-9' is not LOW-HIGH with LOW 0 or 1 and 3 to 11 answers"),
    ]


def test_json_answers_name_the_property(duckdb_store: Store, tmp_path: Path) -> None:
    rows = [{"timestamp": "2026-11-20T10:00:00Z", "event": "survey_responded", "userId": "u1",
             "properties": {"survey": "nps", "score": 10, "scale": "0-10"}},
            {"timestamp": "2026-11-20T10:00:00Z", "event": "survey_responded", "userId": "u2",
             "properties": {"survey": "ces", "score": 8, "scale": 7}}]
    path = write(tmp_path / "a.jsonl", "\n".join(json.dumps(r) for r in rows) + "\n")
    report = ingest_file(duckdb_store, path, IngestOptions(), Vocabulary())
    assert counts(report) == (2, 1, 0, 1)
    assert quarantine(duckdb_store) == [(2, "properties.score", "score 8 is not an answer on the ces scale 1-7")]


def test_scales_as_written() -> None:
    assert parse_scale("0-10").text == "0-10" and parse_scale("10", "nps").text == "0-10"
    assert parse_scale(5).text == "1-5" and parse_scale(" 1 - 7 ").text == "1-7"
    assert parse_scale("1-20") is None and parse_scale("2-5") is None and parse_scale(True) is None


def test_answers_stored_before_the_checks_are_counted_as_excluded() -> None:
    # rows an older store holds are read the same way and counted by reason, never averaged in
    tallies = Tallies()
    for scale, score in [("0-10", "9"), (None, "8"), ("0-10", "12"), ("0-10", "x"), ("1-5", "4")]:
        tallies.add({"_scale": scale, "_score": score, "_lower": None, "answers": 1}, "nps", SurveySettings())
    assert tallies.scales["0-10"].n == 1
    assert dict(tallies.excluded) == {"missing scale": 1, "score outside the scale 0-10": 1,
                                      "score is not a number": 1, "scale '1-5' is not a nps scale": 1}
