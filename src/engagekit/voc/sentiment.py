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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

import ibis.expr.types as ir
import pyarrow as pa
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from engagekit.json_fields import plain_text
from engagekit.metrics.texts import text_events, with_texts
from engagekit.people.names import EventNames
from engagekit.store import Store

POSITIVE_FROM, NEGATIVE_TO = 0.05, -0.05
MAX_TEXT_CHARS = 5_000  # a longer text is scored on its first 5,000 characters
SCORE_BATCH = 50_000  # texts read and written per step, so memory stays bounded
FIRST_PAGE = 5_000
KNOWN_TEXTS = 200_000  # distinct texts remembered within a run, so repeated texts are scored once
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
    """Score the texts of the events not in `text_sentiment` yet, store them and return how many.

    The unscored events of the text-carrying kinds are counted per day without reading a text,
    then read in pages of whole days (about SCORE_BATCH events each). Reading a page and writing
    the one before run in a second thread while VADER (pure Python) scores, so the engine's work
    hides behind the scoring; one thread does all engine calls, in order. Each page is written
    once scored, so a cut-off run resumes where it stopped. `progress(done, total)` counts events
    read (those without a text are read and skipped)."""
    scored = store.table("text_sentiment").select("event_id")
    events = store.table("events")
    candidates = events.filter(events.event.isin(text_events(names)))
    unscored = candidates.anti_join(scored, candidates.event_id == scored.event_id)
    pages = _pages(unscored)
    total = sum(count for _, _, count in pages)
    if progress:
        progress(0, total)
    if not pages:
        return 0

    def read(page: tuple[datetime, datetime, int]) -> pa.Table:
        rows = unscored.filter(unscored.ts >= page[0], unscored.ts < page[1])
        return with_texts(rows, names).select("event_id", "ts", "event", source="_source", text="_text").to_pyarrow()

    known: dict[str, dict[str, float]] = {}
    stored = read_done = 0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="engagekit-sentiment") as engine:
        upcoming = engine.submit(read, pages[0])
        writes = []
        for index, page in enumerate(pages):
            batch = upcoming.result()
            if index + 1 < len(pages):
                upcoming = engine.submit(read, pages[index + 1])
            if len(known) > KNOWN_TEXTS:
                known.clear()
            writes.append(engine.submit(store.insert, "text_sentiment", _scored(batch, known)))
            stored += batch.num_rows
            read_done += page[2]
            if progress:
                progress(read_done, total)
        for write in writes:
            write.result()
    return stored


def _pages(unscored: ir.Table) -> list[tuple[datetime, datetime, int]]:
    """[start, end) ranges of whole days with their counts of unscored events: the first page
    about FIRST_PAGE events (its read is the one scoring waits for), each next one twice the
    last, up to SCORE_BATCH (a day with more is a page alone)."""
    days = unscored.group_by(day=unscored.ts.truncate("D")).aggregate(events=unscored.count()).order_by("day")
    pages: list[tuple[datetime, datetime, int]] = []
    start, count, size = None, 0, FIRST_PAGE
    for row in days.to_pyarrow().to_pylist():
        if start is not None and count + row["events"] > size:
            pages.append((start, row["day"], count))
            start, count, size = None, 0, min(2 * size, SCORE_BATCH)
        start = row["day"] if start is None else start
        count += row["events"]
        last = row["day"]
    if start is not None:
        pages.append((start, last + timedelta(days=1), count))
    return pages


def _scored(batch: pa.Table, known: dict[str, dict[str, float]]) -> pa.Table:
    """The batch's rows with VADER's scores; a text already in `known` is not scored again."""
    analyzer = _analyzer()
    columns: dict[str, list[float]] = {"compound": [], "pos": [], "neu": [], "neg": []}
    for text in batch.column("text").to_pylist():
        scores = known.get(text)
        if scores is None:
            scores = known[text] = analyzer.polarity_scores(plain_text(text)[:MAX_TEXT_CHARS])
        for key, values in columns.items():
            values.append(scores[key])
    table = {name: batch.column(name) for name in ("event_id", "ts", "event", "source")}
    for name, key in (("compound", "compound"), ("positive", "pos"), ("neutral", "neu"), ("negative", "neg")):
        table[name] = pa.array(columns[key], pa.float64())
    table["label"] = pa.array([label_of(c) for c in columns["compound"]], pa.string())
    return pa.table(table)
