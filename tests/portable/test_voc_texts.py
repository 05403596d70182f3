"""Stored sentiment (engagekit.voc.sentiment, sentiment_summary) and themes (engagekit.voc.themes)
on a few texts worked out by hand, on every engine."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from engagekit.analyses.protocol import Project
from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.metrics.segments import holm, two_proportion_p
from engagekit.people.names import SPEC_NAMES
from engagekit.people.ranges import DateRange
from engagekit.store import Store
from engagekit.voc.explain import ExplainQuery, run_explain
from engagekit.voc.sentiment import score_new_texts, sentiment_of
from engagekit.voc.sentiment_summary import SentimentQuery, run_sentiment
from engagekit.voc.themes import ThemesQuery, run_themes
from tests.conftest import write

OCTOBER = DateRange(start=date(2024, 10, 1), end=date(2024, 11, 1))
HEADER = "timestamp,event,userId,survey,score,scale,comment,rating,text"
LATE, SLOW = "The parcel was delayed again.", "Shipping took two weeks and was far too slow."
LOVE, FINE = "I love the friendly staff.", "It is fine."
ROWS = [
    # NPS comments in October: detractors (0-6) d1, d2, d3, d4: three about delivery, one not;
    # passives (7-8) p1, p2: one about delivery; promoters (9-10) r1, r2: none.
    f"2024-10-02T10:00:00Z,survey_responded,d1,nps,2,0-10,{LATE},,",
    f"2024-10-03T10:00:00Z,survey_responded,d2,nps,5,0-10,{LATE},,",
    f"2024-10-04T10:00:00Z,survey_responded,d3,nps,6,0-10,{SLOW},,",
    f"2024-10-05T10:00:00Z,survey_responded,d4,nps,0,0-10,{FINE},,",
    f"2024-10-06T10:00:00Z,survey_responded,p1,nps,7,0-10,{SLOW},,",
    f"2024-10-07T10:00:00Z,survey_responded,p2,nps,8,0-10,{FINE},,",
    f"2024-10-08T10:00:00Z,survey_responded,r1,nps,10,0-10,{LOVE},,",
    f"2024-10-09T10:00:00Z,survey_responded,r2,nps,9,0-10,{LOVE},,",
    # two reviews: 1 star about delivery, 5 stars not; an NPS answer without a comment
    f"2024-10-10T10:00:00Z,review_posted,v1,,,,,1,{LATE}",
    f"2024-10-11T10:00:00Z,review_posted,v2,,,,,5,{LOVE}",
    "2024-10-12T10:00:00Z,survey_responded,n1,nps,9,0-10,,,",
    # September: 4 texts, one about delivery
    f"2024-09-10T10:00:00Z,review_posted,s1,,,,,2,{LATE}",
    *(f"2024-09-1{i}T10:00:00Z,review_posted,s{i},,,,,5,{LOVE}" for i in range(2, 5)),
]


@pytest.fixture
def texts(store: Store, tmp_path: Path) -> Store:
    ingest_file(store, write(tmp_path / "texts.csv", "\n".join([HEADER, *ROWS]) + "\n"), IngestOptions(), Vocabulary())
    return store


def test_each_text_is_scored_once(texts: Store) -> None:
    assert score_new_texts(texts, SPEC_NAMES) == 14  # every row but the answer without a comment
    assert score_new_texts(texts, SPEC_NAMES) == 0
    assert texts.count("text_sentiment") == 14


def test_sentiment_by_source_and_rating(texts: Store) -> None:
    before = run_sentiment(texts, SentimentQuery(range=OCTOBER), Project())
    assert (before.texts, before.scored, before.mean) == (10, 0, None)
    assert "derive" in before.reason
    score_new_texts(texts, SPEC_NAMES)
    result = run_sentiment(texts, SentimentQuery(range=OCTOBER, grain="month"), Project())
    late, slow, love, fine = (sentiment_of(t).compound for t in (LATE, SLOW, LOVE, FINE))
    # October: LATE x3, SLOW x2, FINE x2, LOVE x3
    assert result.texts == result.scored == 10
    assert result.mean == pytest.approx((3 * late + 2 * slow + 2 * fine + 3 * love) / 10)
    survey = next(s for s in result.sources if s.segment == {"source": "survey"})
    assert survey.texts == 8 and survey.mean == pytest.approx((2 * late + 2 * slow + 2 * fine + 2 * love) / 8)
    assert [(r.rating, r.texts) for r in result.ratings] == [(1, 1), (5, 1)]
    assert [p.texts for p in result.series] == [10]


def test_themes_shares_by_group_and_change(texts: Store) -> None:
    score_new_texts(texts, SPEC_NAMES)
    result = run_themes(texts, ThemesQuery(range=OCTOBER), Project())
    assert result.texts == 10
    assert result.group_comments == {"detractor": 4, "passive": 2, "promoter": 2}
    first = result.themes[0]
    assert first.label == "delivery and shipping delays" and first.origin == "library"
    assert first.count == 5  # LATE x3 (two answers and the review), SLOW x2 ("shipping")
    assert first.by_group.model_dump() == {"detractor": 0.75, "passive": 0.5, "promoter": 0.0}  # 3/4, 1/2, 0/2
    assert first.detraction == pytest.approx(0.75)
    assert set(first.keywords) >= {"delayed", "shipping"}
    assert first.sources == {"survey": 4, "review": 1}
    assert first.examples[0] == LATE  # the most written first
    # September: 1 of 4 texts about delivery; October 5 of 10
    assert (first.previous_count, first.previous_share) == (1, 0.25)
    assert first.change == pytest.approx(0.5 - 0.25)
    late, slow = sentiment_of(LATE).compound, sentiment_of(SLOW).compound
    assert first.sentiment == pytest.approx((3 * late + 2 * slow) / 5)


def test_themes_of_one_source(texts: Store) -> None:
    result = run_themes(texts, ThemesQuery(range=OCTOBER, sources=["review"], compare=None), Project())
    assert result.texts == 2 and result.themes[0].count == 1
    assert result.themes[0].previous_count is None and result.themes[0].change is None


def test_explain_a_kpi_change_with_the_texts_of_both_periods(texts: Store) -> None:
    score_new_texts(texts, SPEC_NAMES)
    result = run_explain(texts, ExplainQuery(kpi="review_rating", range=OCTOBER), Project())
    # review ratings: October 1 and 5 -> 3.0; September 2, 5, 5, 5 -> 4.25
    assert (result.focus.kpi, result.base.kpi) == (3.0, 4.25)
    assert result.kpi_change == pytest.approx(-1.25) and result.worse
    delivery = next(t for t in result.themes if t.label == "delivery and shipping delays")
    # October: 5 of 10 texts about delivery; September: 1 of 4
    assert (delivery.focus_count, delivery.base_count, delivery.focus_share, delivery.base_share) == (5, 1, 0.5, 0.25)
    assert delivery.change == pytest.approx(0.25)
    assert delivery.p_value == pytest.approx(two_proportion_p(5, 10, 1, 4))
    family = [t for t in [*result.themes, result.sentiment, result.detractor_share] if t.p_value is not None]
    adjusted = holm([t.p_value for t in family])  # one family: every theme and the sentiment shift
    assert delivery.adjusted_p == pytest.approx(adjusted[family.index(delivery)])
    # NPS answers in October: 4 detractors of 9 (n1 wrote no comment); none in September
    assert result.focus.detractor_share == pytest.approx(4 / 9) and result.base.detractor_share is None
    assert result.detractor_share.p_value is None
