"""Sentiment of every free text with VADER (Hutto & Gilbert 2014, "VADER: A Parsimonious
Rule-based Model for Sentiment Analysis of Social Media Text", ICWSM), the lexicon that ships
with the `vaderSentiment` package (read offline). A text is positive when its compound score is
at least +0.05, negative at most -0.05, neutral between: the authors' standard cut-offs.

Each text is scored once and kept in the store's `text_sentiment` table: `score_new_texts` scores
only the events not scored yet (run after every ingest with the derived tables), and identical
texts within a run are scored once.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from engagekit.metrics.texts import with_texts
from engagekit.people.names import EventNames
from engagekit.store import Store

POSITIVE_FROM, NEGATIVE_TO = 0.05, -0.05
MAX_TEXT_CHARS = 5_000  # a longer text is scored on its first 5,000 characters
SCORE_BATCH = 50_000  # texts read and written per step, so memory stays bounded
SENTIMENT_COLUMNS = ("event_id", "ts", "event", "source", "compound", "positive", "neutral", "negative", "label")


@dataclass(frozen=True)
class Sentiment:
    compound: float  # -1 (most negative) .. 1 (most positive)
    positive: float  # the shares of the text's words that are positive, neutral, negative
    neutral: float
    negative: float
    label: str


def label_of(compound: float) -> str:
    if compound >= POSITIVE_FROM:
        return "positive"
    return "negative" if compound <= NEGATIVE_TO else "neutral"


@functools.lru_cache(maxsize=1)
def _analyzer() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


def sentiment_of(text: str) -> Sentiment:
    """VADER's scores of one text."""
    scores = _analyzer().polarity_scores(text[:MAX_TEXT_CHARS])
    return Sentiment(scores["compound"], scores["pos"], scores["neu"], scores["neg"], label_of(scores["compound"]))


def score_new_texts(store: Store, names: EventNames, progress: Callable[[int, int], None] | None = None) -> int:
    """Score the texts of the events not in `text_sentiment` yet, store them and return how many;
    `progress(done, total)` is called as they are scored."""
    scored = store.table("text_sentiment").select("event_id")
    events = with_texts(store.table("events"), names)
    pending = events.anti_join(scored, events.event_id == scored.event_id)
    pending = pending.select("event_id", "ts", "event", source="_source", text="_text")
    total = int(pending.count().to_pyarrow().as_py())
    known: dict[str, Sentiment] = {}
    done = 0
    if progress:
        progress(0, total)
    while done < total:  # each step reads texts still unscored, so a cut-off run resumes where it stopped
        batch = pending.limit(SCORE_BATCH).to_pyarrow()
        if not batch.num_rows:
            break
        store.insert("text_sentiment", _scored(batch, known))
        done += batch.num_rows
        if progress:
            progress(done, total)
    return done


def _scored(batch: pa.Table, known: dict[str, Sentiment]) -> pa.Table:
    found = []
    for text in batch.column("text").to_pylist():
        if text not in known:
            known[text] = sentiment_of(text)
        found.append(known[text])
    columns = {name: batch.column(name) for name in ("event_id", "ts", "event", "source")}
    for name in ("compound", "positive", "neutral", "negative"):
        columns[name] = pa.array([getattr(s, name) for s in found], pa.float64())
    columns["label"] = pa.array([s.label for s in found], pa.string())
    return pa.table(columns)
