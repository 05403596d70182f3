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
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from engagekit.analyses.protocol import Project
from engagekit.config import DEFAULT_WEEK_START
from engagekit.metrics.scope import Scope
from engagekit.metrics.texts import SOURCES
from engagekit.people.cohorts import cohort_people
from engagekit.people.filters import parse_filter
from engagekit.people.names import NameCheck
from engagekit.people.periods import WeekStart, comparison_range
from engagekit.people.query import Name, StrictModel
from engagekit.people.ranges import DateRange
from engagekit.store import Store
from engagekit.voc.library import LIBRARY, library_words
from engagekit.voc.text_counts import DistinctText, Side, read_texts, total
from engagekit.voc.topics import MAX_THEMES, MIN_THEMES, find_topics

NPS_GROUPS = ("detractor", "passive", "promoter")
MAX_EXAMPLES = 10


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


def run_themes(store: Store, query: ThemesQuery, project: Project) -> ThemesResult:
    names = NameCheck(project.names)
    tree = names.tree(parse_filter(query.where)) if query.where else None
    people = cohort_people(store, query.cohort) if query.cohort else None
    start, end = query.range.start, query.range.end
    previous = comparison_range(start, end, query.compare) if query.compare else None
    texts: dict[str, DistinctText] = {}
    read_texts(store, project, Scope(start, end, None, (), tree, people, query.week_start), query.sources,
               lambda row: "focus", texts)
    if previous:
        read_texts(store, project, Scope(previous[0], previous[1], None, (), tree, people, query.week_start),
                   query.sources, lambda row: "base", texts)
    current = [t for t in texts.values() if t.focus.count]
    themes, coherence = find_themes(current, query.themes, lambda t: t.focus.count)
    focus, base = total(current, "focus"), total(list(texts.values()), "base")
    earlier = _previous_counts([t for t in texts.values() if t.base.count], themes) if previous else [None] * len(themes)
    rows = [_theme(theme, focus, base.count, before, query.examples) for theme, before in zip(themes, earlier)]
    rows.sort(key=lambda t: (-(t.detraction if t.detraction is not None else -2), -t.count))
    notes = [] if focus.count else ["no texts in the range"]
    if focus.count and not sum(focus.groups.values()):
        notes.append("no NPS comments in the range: by_group is empty")
    themed = sum({id(t): t.focus.count for theme in themes for t in theme.members}.values())
    return ThemesResult(start=start, end=end, texts=focus.count, themed=themed,
                        group_comments={g: focus.groups[g] for g in NPS_GROUPS}, themes=rows, coherence=coherence,
                        compare_start=previous[0] if previous else None, compare_end=previous[1] if previous else None,
                        notes=notes)


@dataclass
class FoundTheme:
    """A theme and the distinct texts about it."""

    label: str
    keywords: list[str]
    origin: Literal["library", "found"]
    members: list[DistinctText]
    words: Counter = field(default_factory=Counter)
    matcher: Any = None  # how a text of another period is placed in the theme


def find_themes(texts: list[DistinctText], count: int | None,
                weight: Callable[[DistinctText], int]) -> tuple[list[FoundTheme], float | None]:
    """The library's themes the texts are about, then `count` themes (None: the most coherent
    number) found in the texts about none of them, each text weighing `weight(text)`; and the found
    themes' coherence."""
    by_name = {theme.name: FoundTheme(theme.label, [], "library", [], matcher=theme.pattern) for theme in LIBRARY}
    rest = []
    for text in texts:
        words = library_words(text.text)
        for name, said in words.items():
            by_name[name].members.append(text)
            by_name[name].words.update({w: weight(text) for w in said})
        if not words:
            rest.append(text)
    found = [theme for theme in by_name.values() if theme.members]
    for theme in found:
        theme.keywords = [w for w, _ in theme.words.most_common(8)]
    coherence = None
    if rest:
        topics = find_topics([t.text for t in rest], np.array([weight(t) for t in rest], dtype=float), count)
        coherence = topics.coherence if topics.keywords else None
        for number, keywords in enumerate(topics.keywords):
            members = [t for t, a in zip(rest, topics.assignment) if a == number]
            found.append(FoundTheme(_label(keywords), keywords, "found", members, matcher=set(keywords)))
    return found, coherence


def _label(keywords: list[str]) -> str:
    """The first three distinct words of a found theme's keywords (a bigram's words count once)."""
    words = list(dict.fromkeys(word for keyword in keywords for word in keyword.split()))
    return " · ".join(words[:3])


def _previous_counts(texts: list[DistinctText], themes: list[FoundTheme]) -> list[int]:
    """How many texts of the previous period each theme holds: a text also written in the range
    as it was placed there, any other by the library's pattern, or for a found theme by holding
    one of its keywords."""
    members = [{id(t) for t in theme.members} for theme in themes]
    counts = [0] * len(themes)
    for text in texts:
        lowered = text.text.lower()
        for number, theme in enumerate(themes):
            if text.focus.count:
                hit = id(text) in members[number]
            elif theme.origin == "library":
                hit = theme.matcher.search(text.text) is not None
            else:
                hit = any(word in lowered for word in theme.matcher)
            if hit:
                counts[number] += text.base.count
    return counts


def _theme(theme: FoundTheme, focus: Side, previous_total: int, previous: int | None, examples: int) -> Theme:
    said = total(theme.members, "focus")
    shares = {g: said.groups[g] / focus.groups[g] if focus.groups[g] else None for g in NPS_GROUPS}
    detraction = (shares["detractor"] - shares["promoter"]
                  if shares["detractor"] is not None and shares["promoter"] is not None else shares["detractor"])
    share = said.count / focus.count if focus.count else 0.0
    previous_share = previous / previous_total if previous is not None and previous_total else None
    return Theme(
        label=theme.label, keywords=theme.keywords, origin=theme.origin, count=said.count, share=share,
        by_group=GroupShares(**shares), group_counts={g: said.groups[g] for g in NPS_GROUPS}, detraction=detraction,
        sentiment=said.mean, negative_share=said.negative_share,
        sources={s: said.sources[s] for s in SOURCES if said.sources[s]},
        examples=verbatims(theme.members, examples, lambda t: t.focus.count), previous_count=previous,
        previous_share=previous_share,
        change=share - previous_share if previous_share is not None and focus.count else None,
    )


def verbatims(texts: list[DistinctText], count: int, weight: Callable[[DistinctText], float]) -> list[str]:
    """The `count` texts of the highest weight (the most written, say)."""
    return [t.text for t in sorted(texts, key=lambda t: (-weight(t), t.text))[:count]]
