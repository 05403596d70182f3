"""Incremental scoring in pages (engagekit.voc.sentiment.score_new_texts): every text scored once
across pages of whole days, a rerun scores nothing, a run cut off after a page resumes after it,
events without a text are read and skipped."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.people.names import SPEC_NAMES
from engagekit.store import Store
from engagekit.voc import sentiment
from engagekit.voc.sentiment import score_new_texts, sentiment_of
from tests.conftest import write

DAYS = 6
HEADER = "timestamp,event,userId,survey,score,scale,comment"
# Two comments a day over six days (12 texts) and one answer without a comment a day (6 events
# read and skipped): 18 candidate events, 3 a day. The first page holds at most 3 events, the
# next ones 6: days (1), (2, 3), (4, 5), (6).
ROWS = [row for day in range(DAYS) for row in (
    f"{date(2024, 10, 1) + timedelta(days=day)}T09:00:00Z,survey_responded,a{day},nps,9,0-10,Great day {day}",
    f"{date(2024, 10, 1) + timedelta(days=day)}T10:00:00Z,survey_responded,b{day},nps,2,0-10,Awful delay {day}",
    f"{date(2024, 10, 1) + timedelta(days=day)}T11:00:00Z,survey_responded,c{day},nps,8,0-10,",
)]


@pytest.fixture
def answered(duckdb_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setattr(sentiment, "FIRST_PAGE", 3)
    monkeypatch.setattr(sentiment, "SCORE_BATCH", 6)
    ingest_file(duckdb_store, write(tmp_path / "a.csv", "\n".join([HEADER, *ROWS]) + "\n"), IngestOptions(),
                Vocabulary())
    return duckdb_store


def test_every_text_once_over_pages(answered: Store) -> None:
    seen: list[tuple[int, int]] = []
    assert score_new_texts(answered, SPEC_NAMES, lambda done, total: seen.append((done, total))) == 12
    assert seen == [(0, 18), (3, 18), (9, 18), (15, 18), (18, 18)]
    stored = answered.table("text_sentiment").to_pyarrow().to_pylist()
    assert len({row["event_id"] for row in stored}) == 12
    row = next(r for r in stored if r["compound"] == sentiment_of("Awful delay 3").compound)
    assert row["label"] == "negative" and row["source"] == "survey"
    assert score_new_texts(answered, SPEC_NAMES) == 0


def test_a_run_cut_off_after_a_page_resumes_after_it(answered: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    real = sentiment._scored
    calls = []

    def fail_on_second(batch, known):
        calls.append(batch.num_rows)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(batch, known)

    monkeypatch.setattr(sentiment, "_scored", fail_on_second)
    with pytest.raises(KeyboardInterrupt):
        score_new_texts(answered, SPEC_NAMES)
    assert answered.count("text_sentiment") == 2  # the first day's two comments
    monkeypatch.setattr(sentiment, "_scored", real)
    assert score_new_texts(answered, SPEC_NAMES) == 10
