"""The voice of the customer in the reports of the demo company: the executive reads NPS with its
interval and the planted detractor theme (docs/demo.md, effect 4), customer success gets the
themes table and the detractors to call back, support gets CSAT and says why ticket themes are
missing (the demo's tickets carry no text)."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from engagekit.analyses.protocol import Project
from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.people.names import SPEC_NAMES
from engagekit.report.parts import Report, Section
from engagekit.report.voice import support_voice_section
from engagekit.store import Store
from engagekit.voc.sentiment import score_new_texts
from tests.conftest import write
from tests.report.conftest import ReportCache

VOICE = "Voice of the customer"


def _section(report: Report, title: str) -> Section:
    return next(s for s in report.sections if s.title == title)


def test_the_executive_reads_nps_and_the_first_driver_of_detraction(reports: ReportCache) -> None:
    voice = _section(reports["executive"], VOICE)
    nps, driver = voice.sentences
    assert re.match(r"NPS is [+-]\d+\.\d \(95% interval [+-]\d+\.\d \.\. [+-]\d+\.\d, \d+ answers\)", nps)
    shares = re.search(r"about delivery and shipping delays: (\d+)% of detractors' comments, (\d+)% of passives' "
                       r"and (\d+)% of promoters'", driver)
    assert shares is not None
    detractors, passives, promoters = map(int, shares.groups())
    assert detractors >= 50 and passives <= 30 and promoters <= 5  # planted: 70 / 15 / 0
    assert not voice.tables  # one page for executives


def test_customer_success_gets_the_themes_and_the_detractors(reports: ReportCache) -> None:
    report = reports["cs"]
    themes = _section(report, VOICE).tables[0]
    assert themes.columns[:5] == ["theme", "texts", "detractors", "passives", "promoters"]
    assert themes.rows[0][0] == "delivery and shipping delays"
    detractors = _section(report, "Detractors to follow up")
    total = int(re.match(r"([\d,]+) customers", detractors.sentences[0]).group(1).replace(",", ""))
    rows = detractors.tables[0].rows
    scores = [float(r[2]) for r in rows]
    assert 0 < len(rows) <= min(total, 20) and all(s <= 6 for s in scores) and scores == sorted(scores)
    assert len({r[0] for r in rows}) == len(rows)


def test_support_reads_csat_and_names_what_is_missing(reports: ReportCache) -> None:
    support = _section(reports["support"], "What customers say about support")
    assert support.sentences[0].startswith("CSAT is ") and "%" in support.sentences[0]
    assert any("No ticket of the period carries a text" in note for note in support.notes)


TICKETS = """\
timestamp,event,userId,survey,score,scale,touchpoint,text
2024-10-02T10:00:00Z,ticket_opened,a,,,,,My parcel is late and tracking never updated
2024-10-03T10:00:00Z,ticket_opened,b,,,,,I was charged twice and need a refund
2024-10-04T10:00:00Z,ticket_opened,c,,,,,The delivery is a week late
2024-10-05T10:00:00Z,survey_responded,a,csat,5,1-5,support,
2024-10-06T10:00:00Z,survey_responded,b,csat,2,1-5,support,
2024-10-07T10:00:00Z,survey_responded,c,csat,4,1-5,checkout,
"""
# CSAT: support 1 of 2 satisfied (50%), checkout 1 of 1; all 2 of 3. Tickets: two about
# delivery, one about billing.


def test_support_reads_ticket_themes_and_csat_by_touchpoint(duckdb_store: Store, tmp_path: Path) -> None:
    ingest_file(duckdb_store, write(tmp_path / "t.csv", TICKETS), IngestOptions(), Vocabulary())
    score_new_texts(duckdb_store, SPEC_NAMES)
    section = support_voice_section(duckdb_store, Project(), date(2024, 10, 1), date(2024, 11, 1))
    assert section.sentences[0].startswith("CSAT is 66.7% (95% interval")
    assert "3 tickets carry a text; 3 of them are about a known theme." in section.sentences
    by_touchpoint, tickets = section.tables
    assert {row[0]: (row[1], row[3]) for row in by_touchpoint.rows} == {"checkout": ("100.0%", "1"),
                                                                        "support": ("50.0%", "2")}
    assert {row[0]: row[1] for row in tickets.rows} == {"delivery and shipping delays": "2", "billing and refunds": "1"}
    assert not section.notes
