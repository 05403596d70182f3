"""The sentiment of the stored texts (engagekit.voc.sentiment) over a range: mean compound score
and the shares of negative, neutral and positive texts, by source (survey, review, social,
ticket), period and segment, and review ratings against the sentiment of their texts."""
from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import pandas as pd
from pydantic import BaseModel, Field

from engagekit.analyses.protocol import Project
from engagekit.config import DEFAULT_WEEK_START
from engagekit.json_fields import json_number
from engagekit.metrics.engine import MAX_BREAKDOWNS, check_traits
from engagekit.metrics.scope import Scope, group_keys, scoped_table
from engagekit.metrics.spec import Source
from engagekit.metrics.texts import SOURCES, with_texts
from engagekit.people.cohorts import cohort_people
from engagekit.people.filters import parse_filter
from engagekit.people.names import NameCheck
from engagekit.people.periods import WeekStart, check_grain, check_series
from engagekit.people.query import Name, StrictModel
from engagekit.people.ranges import DateRange
from engagekit.store import Store
from engagekit.voc.surveys import survey_field

SOURCE_FIELD = "source"  # a breakdown by the text's source


class SentimentQuery(StrictModel):
    """The stored texts' sentiment over a range, optionally by period and segment."""

    range: DateRange
    by: list[Name] = Field([], max_length=MAX_BREAKDOWNS,
                           description="breakdowns: source, touchpoint, channel, a trait, properties.X or cohort:NAME")
    grain: str | None = Field(None, description="day, week, month or quarter: a series of periods")
    where: str | None = Field(None, description="filter, e.g. traits.country == 'BR'")
    cohort: Name | None = None
    week_start: WeekStart = DEFAULT_WEEK_START


class Mood(BaseModel):
    """The sentiment of a set of texts; no mean (and the reason) without scored texts."""

    texts: int = 0  # texts in the set
    scored: int = 0  # of which scored (the rest wait for `engagekit derive`)
    mean: float | None = None  # mean compound score, -1..1
    negative_share: float | None = None
    neutral_share: float | None = None
    positive_share: float | None = None
    reason: str | None = None


class SegmentMood(Mood):
    segment: dict[str, Any]


class PeriodMood(Mood):
    period: date


class RatingMood(Mood):
    rating: float  # review stars


class SentimentResult(Mood):
    start: date
    end: date
    by: list[str] = []
    sources: list[SegmentMood] = []
    segments: list[SegmentMood] = []
    series: list[PeriodMood] = []
    ratings: list[RatingMood] = []  # reviews by their rating
    rating_correlation: float | None = None  # Pearson's r of review rating and text compound
    names: dict[str, str] = {}
    notes: list[str] = []

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def to_frame(self) -> pd.DataFrame:
        rows = [{"segment": "all", **_columns(self)}]
        if SOURCE_FIELD not in self.by:
            rows += [{"segment": f"source={s.segment['source']}", **_columns(s)} for s in self.sources]
        rows += [{"segment": ", ".join(f"{k}={v}" for k, v in s.segment.items()), **_columns(s)} for s in self.segments]
        return pd.DataFrame(rows)


def _columns(mood: Mood) -> dict[str, Any]:
    return {"texts": mood.texts, "mean": mood.mean, "negative": mood.negative_share, "positive": mood.positive_share}


class _Counts:
    """Sums that make a Mood."""

    def __init__(self) -> None:
        self.texts = self.scored = 0
        self.total = 0.0
        self.labels: dict[str, int] = defaultdict(int)

    def add(self, row: dict) -> None:
        self.texts += row["texts"]
        self.scored += row["scored"]
        self.total += row["compound"] or 0.0
        for label in ("negative", "neutral", "positive"):
            self.labels[label] += row[label] or 0

    def mood(self, **extra: Any) -> dict[str, Any]:
        if not self.scored:
            reason = "no texts in the range" if not self.texts else "texts not scored yet: run `engagekit derive`"
            return {"texts": self.texts, "scored": 0, "reason": reason, **extra}
        return {"texts": self.texts, "scored": self.scored, "mean": self.total / self.scored,
                **{f"{label}_share": self.labels[label] / self.scored for label in ("negative", "neutral", "positive")},
                **extra}


def stored_range(store: Store) -> DateRange:
    """The days from the first to the last scored text (today alone when none is)."""
    scored = store.table("text_sentiment")
    row = scored.aggregate(first=scored.ts.min(), last=scored.ts.max()).to_pyarrow().to_pylist()[0]
    if row["first"] is None:
        today = date.today()
        return DateRange(start=today, end=today + timedelta(days=1))
    return DateRange(start=row["first"].date(), end=row["last"].date() + timedelta(days=1))


def run_sentiment(store: Store, query: SentimentQuery, project: Project) -> SentimentResult:
    check_grain(query.grain)
    check_series(query.range.start, query.range.end, query.grain)
    fields = tuple(survey_field(f) for f in query.by if f != SOURCE_FIELD)
    check_traits(store, fields)
    names = NameCheck(project.names)
    tree = names.tree(parse_filter(query.where)) if query.where else None
    people = cohort_people(store, query.cohort) if query.cohort else None
    scope = Scope(query.range.start, query.range.end, query.grain, fields, tree, people, query.week_start)
    rows = _counted(store, scope, project)
    overall, by_source, by_segment, by_period = _Counts(), defaultdict(_Counts), defaultdict(_Counts), defaultdict(_Counts)
    for row in rows:
        overall.add(row)
        by_source[row["_source"]].add(row)
        given = {f: row[f"_by{fields.index(survey_field(f))}"] if f != SOURCE_FIELD else row["_source"] for f in query.by}
        if query.by:
            by_segment[tuple(given.items())].add(row)
        if query.grain:
            by_period[row["_period"]].add(row)
    ratings, correlation = _ratings(store, scope, project)
    report = names.report(store)
    return SentimentResult(
        **overall.mood(), start=query.range.start, end=query.range.end, by=list(query.by),
        sources=[SegmentMood(**by_source[s].mood(segment={"source": s})) for s in SOURCES if s in by_source],
        segments=[SegmentMood(**counts.mood(segment=dict(segment)))
                  for segment, counts in sorted(by_segment.items(), key=lambda item: -item[1].texts)],
        series=[PeriodMood(**by_period.get(label, _Counts()).mood(period=label)) for label, _, _ in scope.periods()]
        if query.grain else [],
        ratings=ratings, rating_correlation=correlation, names={**names.mapped(), **report.names}, notes=list(report.notes))


def _scored_texts(store: Store, scope: Scope, project: Project) -> Any:
    """The scope's texts with their grouping keys, joined to their scores (null when not scored)."""
    table, ts = scoped_table(store, Source.EVENTS, scope)
    table = with_texts(table, project.names)
    table = table.mutate(**group_keys(table, ts, scope))
    scores = store.table("text_sentiment").select("event_id", "compound", "label")
    return table.left_join(scores, table.event_id == scores.event_id).select(table, scores.compound, scores.label)


def _counted(store: Store, scope: Scope, project: Project) -> list[dict]:
    texts = _scored_texts(store, scope, project)
    keys = [c for c in texts.columns if c == "_period" or c.startswith("_by")] + ["_source"]
    flag = {label: (texts.label == label).ifelse(1, 0).sum() for label in ("negative", "neutral", "positive")}
    expr = texts.group_by(keys).aggregate(texts=texts.count(), scored=texts.compound.count(),
                                          compound=texts.compound.sum(), **flag)
    return expr.to_pyarrow().to_pylist()


def _ratings(store: Store, scope: Scope, project: Project) -> tuple[list[RatingMood], float | None]:
    """Reviews by rating, and Pearson's r of rating and compound from the engine's sums."""
    texts = _scored_texts(store, scope, project)
    texts = texts.filter(texts._source == "review").mutate(_rating=json_number(texts.properties, "rating"))
    texts = texts.filter(texts._rating.notnull())
    flag = {label: (texts.label == label).ifelse(1, 0).sum() for label in ("negative", "neutral", "positive")}
    both = texts.compound.notnull()
    rows = texts.group_by("_rating").aggregate(
        texts=texts.count(), scored=texts.compound.count(), compound=texts.compound.sum(), **flag,
        rating_sq=both.ifelse(texts._rating * texts._rating, 0).sum(), compound_sq=(texts.compound * texts.compound).sum(),
        product=(texts._rating * texts.compound).sum(), rating_sum=both.ifelse(texts._rating, 0).sum(),
    ).order_by("_rating").to_pyarrow().to_pylist()
    moods = []
    for row in rows:
        counts = _Counts()
        counts.add(row)
        moods.append(RatingMood(**counts.mood(rating=row["_rating"])))
    return moods, _pearson(rows)


def _pearson(rows: list[dict]) -> float | None:
    n = sum(r["scored"] for r in rows)
    if n < 3:
        return None
    sx, sy = sum(r["rating_sum"] for r in rows), sum(r["compound"] or 0 for r in rows)
    sxx, syy = sum(r["rating_sq"] for r in rows), sum(r["compound_sq"] or 0 for r in rows)
    sxy = sum(r["product"] or 0 for r in rows)
    spread = (n * sxx - sx * sx) * (n * syy - sy * sy)
    return (n * sxy - sx * sy) / math.sqrt(spread) if spread > 0 else None


