"""What customers write about, and which of it drives detraction: the themes of the texts in a
range (the library's, engagekit.voc.library, then those found in the rest, engagekit.voc.topics),
each with its volume, the share of each NPS group's comments in it (detractor, passive, promoter),
its mean sentiment, example verbatims and its change against the previous period.

Themes are ranked as drivers of detraction: by how much more often detractors write about them than
promoters (detractor share minus promoter share), then by volume. Texts are read once per distinct
(text, source, answer): the model sees each distinct text with how often it was written, never one
row per event.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import ibis
import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from engagekit.analyses.protocol import Project
from engagekit.config import DEFAULT_WEEK_START
from engagekit.errors import InputError
from engagekit.json_fields import json_text
from engagekit.metrics.answers import nps_group, read_answer
from engagekit.metrics.scope import Scope, scoped_table
from engagekit.metrics.spec import Source
from engagekit.people.cohorts import cohort_people
from engagekit.people.filters import parse_filter
from engagekit.people.names import NameCheck
from engagekit.people.periods import WeekStart, comparison_range
from engagekit.people.query import Name, StrictModel
from engagekit.people.ranges import DateRange
from engagekit.store import Store
from engagekit.voc.library import LIBRARY, library_words
from engagekit.voc.texts import SOURCES, with_texts
from engagekit.voc.topics import MAX_THEMES, MIN_THEMES, find_topics

NPS_GROUPS = ("detractor", "passive", "promoter")
MAX_EXAMPLES = 10
MAX_TEXT_ROWS = 2_000_000  # distinct (text, source, answer) rows one query reads, at most


class ThemesQuery(StrictModel):
    """The themes of the texts written over a range."""

    range: DateRange
    sources: list[Literal["survey", "review", "social", "ticket"]] = Field(
        [], description="the texts' sources (default: all)")
    themes: int | None = Field(None, ge=MIN_THEMES, le=MAX_THEMES,
                               description="themes to find beyond the library's (default: the most coherent number)")
    examples: int = Field(3, ge=0, le=MAX_EXAMPLES, description="example verbatims per theme")
    compare: Literal["previous_period", "previous_year"] | None = "previous_period"
    where: str | None = Field(None, description="filter, e.g. traits.country == 'BR'")
    cohort: Name | None = None
    week_start: WeekStart = DEFAULT_WEEK_START


class GroupShares(BaseModel):
    """The share of each NPS group's comments that are about the theme (None: no comments)."""

    detractor: float | None = None
    passive: float | None = None
    promoter: float | None = None


class Theme(BaseModel):
    label: str
    keywords: list[str]
    origin: Literal["library", "found"]
    count: int  # texts about the theme in the range
    share: float  # of all texts in the range
    by_group: GroupShares
    group_counts: dict[str, int]  # NPS comments about the theme, by group
    detraction: float | None = None  # detractor share minus promoter share
    sentiment: float | None = None  # mean compound score of its scored texts
    negative_share: float | None = None
    sources: dict[str, int] = {}
    examples: list[str] = []
    previous_count: int | None = None
    previous_share: float | None = None
    change: float | None = None  # share minus previous share


class ThemesResult(BaseModel):
    start: date
    end: date
    texts: int  # texts in the range
    themed: int  # of which about at least one theme
    group_comments: dict[str, int]  # NPS comments in the range, by group
    themes: list[Theme]
    coherence: float | None = None  # of the found themes (mean NPMI)
    compare_start: date | None = None
    compare_end: date | None = None
    notes: list[str] = []

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"theme": t.label, "count": t.count, "share": t.share, **t.by_group.model_dump(),
                              "sentiment": t.sentiment, "change": t.change} for t in self.themes])


@dataclass
class _Text:
    """One distinct text: how often it was written, by NPS group and in each period."""

    text: str
    count: int = 0
    previous: int = 0
    groups: Counter = field(default_factory=Counter)
    sources: Counter = field(default_factory=Counter)
    compound: float = 0.0
    scored: int = 0
    negative: int = 0


def run_themes(store: Store, query: ThemesQuery, project: Project) -> ThemesResult:
    names = NameCheck(project.names)
    tree = names.tree(parse_filter(query.where)) if query.where else None
    people = cohort_people(store, query.cohort) if query.cohort else None
    start, end = query.range.start, query.range.end
    previous = comparison_range(start, end, query.compare) if query.compare else None
    texts = _distinct_texts(store, project, Scope(start, end, None, (), tree, people, query.week_start),
                            query.sources, previous and Scope(previous[0], previous[1], None, (), tree, people,
                                                              query.week_start))
    current = [t for t in texts.values() if t.count]
    themes, coherence = _themes(current, query.themes)
    total = sum(t.count for t in current)
    previous_total = sum(t.previous for t in texts.values())
    group_totals: Counter = Counter()
    for t in current:
        group_totals.update(t.groups)
    earlier = _previous_counts([t for t in texts.values() if t.previous], themes) if previous else [None] * len(themes)
    rows = [_theme(theme, total, group_totals, previous_total, before, query.examples)
            for theme, before in zip(themes, earlier)]
    rows.sort(key=lambda t: (-(t.detraction if t.detraction is not None else -2), -t.count))
    notes = [] if total else ["no texts in the range"]
    if total and not sum(group_totals.values()):
        notes.append("no NPS comments in the range: by_group is empty")
    return ThemesResult(start=start, end=end, texts=total, themed=sum({id(t): t.count for th in themes for t in th.members}.values()),
                        group_comments={g: group_totals[g] for g in NPS_GROUPS}, themes=rows, coherence=coherence,
                        compare_start=previous[0] if previous else None, compare_end=previous[1] if previous else None,
                        notes=notes)


@dataclass
class _Found:
    label: str
    keywords: list[str]
    origin: Literal["library", "found"]
    members: list[_Text]
    words: Counter = field(default_factory=Counter)
    matcher: Any = None  # how a text of another period is placed in the theme


def _themes(texts: list[_Text], count: int | None) -> tuple[list[_Found], float | None]:
    by_name = {theme.name: _Found(theme.label, [], "library", [], matcher=theme.pattern) for theme in LIBRARY}
    rest = []
    for text in texts:
        words = library_words(text.text)
        for name, said in words.items():
            by_name[name].members.append(text)
            by_name[name].words.update({w: text.count for w in said})
        if not words:
            rest.append(text)
    found = [theme for theme in by_name.values() if theme.members]
    for theme in found:
        theme.keywords = [w for w, _ in theme.words.most_common(8)]
    coherence = None
    if rest:
        topics = find_topics([t.text for t in rest], np.array([t.count for t in rest], dtype=float), count)
        coherence = topics.coherence if topics.keywords else None
        for number, keywords in enumerate(topics.keywords):
            members = [t for t, a in zip(rest, topics.assignment) if a == number]
            found.append(_Found(_label(keywords), keywords, "found", members, matcher=set(keywords)))
    return found, coherence


def _label(keywords: list[str]) -> str:
    """The first three distinct words of a found theme's keywords (a bigram's words count once)."""
    words = list(dict.fromkeys(word for keyword in keywords for word in keyword.split()))
    return " · ".join(words[:3])


def _previous_counts(texts: list[_Text], themes: list[_Found]) -> list[int]:
    """How many texts of the previous period each theme holds: a text also written in the range
    as it was placed there, any other by the library's pattern, or for a found theme by holding
    one of its keywords."""
    members = [{id(t) for t in theme.members} for theme in themes]
    counts = [0] * len(themes)
    for text in texts:
        lowered = text.text.lower()
        for number, theme in enumerate(themes):
            if text.count:
                hit = id(text) in members[number]
            elif theme.origin == "library":
                hit = theme.matcher.search(text.text) is not None
            else:
                hit = any(word in lowered for word in theme.matcher)
            if hit:
                counts[number] += text.previous
    return counts


def _theme(theme: _Found, total: int, group_totals: Counter, previous_total: int, previous: int | None,
           examples: int) -> Theme:
    count = sum(t.count for t in theme.members)
    groups: Counter = Counter()
    sources: Counter = Counter()
    for t in theme.members:
        groups.update(t.groups)
        sources.update(t.sources)
    shares = {g: groups[g] / group_totals[g] if group_totals[g] else None for g in NPS_GROUPS}
    detraction = (shares["detractor"] - shares["promoter"]
                  if shares["detractor"] is not None and shares["promoter"] is not None else shares["detractor"])
    scored = sum(t.scored for t in theme.members)
    ranked = sorted(theme.members, key=lambda t: (-t.count, t.text))
    return Theme(
        label=theme.label, keywords=theme.keywords, origin=theme.origin, count=count,
        share=count / total if total else 0.0, by_group=GroupShares(**shares),
        group_counts={g: groups[g] for g in NPS_GROUPS}, detraction=detraction,
        sentiment=sum(t.compound for t in theme.members) / scored if scored else None,
        negative_share=sum(t.negative for t in theme.members) / scored if scored else None,
        sources={s: sources[s] for s in SOURCES if sources[s]}, examples=[t.text for t in ranked[:examples]],
        previous_count=previous,
        previous_share=previous / previous_total if previous is not None and previous_total else None,
        change=(count / total - previous / previous_total) if previous is not None and previous_total and total else None,
    )


def _distinct_texts(store: Store, project: Project, scope: Scope, sources: list[str],
                    previous: Scope | None) -> dict[str, _Text]:
    texts: dict[str, _Text] = {}
    for row in _counted(store, project, scope, sources):
        _add(texts, row, True, project)
    if previous is not None:
        for row in _counted(store, project, previous, sources):
            _add(texts, row, False, project)
    return texts


def _add(texts: dict[str, _Text], row: dict, current: bool, project: Project) -> None:
    text = texts.setdefault(row["_text"], _Text(row["_text"]))
    if not current:
        text.previous += row["n"]
        return
    text.count += row["n"]
    text.sources[row["_source"]] += row["n"]
    text.scored += row["scored"]
    text.compound += row["compound"] or 0.0
    text.negative += row["negative"] or 0
    if row["_survey"] == "nps":
        answer = read_answer("nps", row["_scale"], row["_score"], None, project.surveys)
        if not isinstance(answer, str):
            text.groups[nps_group(answer[1])] += row["n"]


def _counted(store: Store, project: Project, scope: Scope, sources: list[str]) -> list[dict]:
    table, _ = scoped_table(store, Source.EVENTS, scope)
    table = with_texts(table, project.names)
    if sources:
        table = table.filter(table._source.isin(sources))
    scores = store.table("text_sentiment").select("event_id", "compound", "label")
    table = table.left_join(scores, table.event_id == scores.event_id).select(table, scores.compound, scores.label)
    survey = project.names.vocabulary.canonical("survey_responded")
    is_survey = table.event == survey
    table = table.mutate(
        _survey=is_survey.ifelse(json_text(table.properties, "survey"), ibis.null("string")),
        _scale=is_survey.ifelse(json_text(table.properties, "scale"), ibis.null("string")),
        _score=is_survey.ifelse(json_text(table.properties, "score"), ibis.null("string")))
    expr = table.group_by(["_text", "_source", "_survey", "_scale", "_score"]).aggregate(
        n=table.count(), scored=table.compound.count(), compound=table.compound.sum(),
        negative=(table.label == "negative").ifelse(1, 0).sum())
    rows = expr.limit(MAX_TEXT_ROWS + 1).to_pyarrow().to_pylist()
    if len(rows) > MAX_TEXT_ROWS:
        raise InputError(f"more than {MAX_TEXT_ROWS:,} distinct texts in the range: narrow --from/--to or --source")
    return rows
