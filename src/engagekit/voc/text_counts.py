"""The stored texts of a scope read once per distinct text: how often each was written, by which
NPS group, from which source, with the sums of its sentiment scores. Two sides of a comparison (a
range and its previous period, or a segment and the rest) are kept apart on each text, so the
themes and their shifts are computed on a few thousand rows, never on one row per event."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import ibis

from engagekit.analyses.protocol import Project
from engagekit.errors import InputError
from engagekit.json_fields import json_text, plain_text
from engagekit.metrics.answers import nps_group, read_answer
from engagekit.metrics.scope import Scope, group_keys, scoped_table
from engagekit.metrics.spec import Source
from engagekit.metrics.texts import with_texts
from engagekit.store import Store

MAX_TEXT_ROWS = 2_000_000  # distinct (text, source, answer) rows one query reads, at most
SideName = Literal["focus", "base"]


@dataclass
class Side:
    """What one side of a comparison wrote of a text (or of many, added up)."""

    count: int = 0
    groups: Counter = field(default_factory=Counter)  # NPS comments by group
    sources: Counter = field(default_factory=Counter)
    scored: int = 0
    compound: float = 0.0  # sum of compound scores
    compound_sq: float = 0.0  # sum of their squares
    negative: int = 0

    def add(self, other: Side) -> None:
        self.count += other.count
        self.groups.update(other.groups)
        self.sources.update(other.sources)
        self.scored += other.scored
        self.compound += other.compound
        self.compound_sq += other.compound_sq
        self.negative += other.negative

    @property
    def mean(self) -> float | None:
        return self.compound / self.scored if self.scored else None

    @property
    def negative_share(self) -> float | None:
        return self.negative / self.scored if self.scored else None


@dataclass
class DistinctText:
    text: str
    focus: Side = field(default_factory=Side)
    base: Side = field(default_factory=Side)


def total(texts: list[DistinctText], side: SideName) -> Side:
    summed = Side()
    for text in texts:
        summed.add(getattr(text, side))
    return summed


def read_texts(store: Store, project: Project, scope: Scope, sources: list[str],
               side_of: Callable[[dict], SideName | None], into: dict[str, DistinctText]) -> None:
    """Add the scope's texts to `into`, each row on the side `side_of(row)` names (None: left out);
    rows carry `_by0`, `_by1`... when the scope has breakdowns."""
    for row in _counted(store, project, scope, sources):
        side = side_of(row)
        if side is None:
            continue
        written = plain_text(row["_text"])
        text = into.setdefault(written, DistinctText(written))
        _add(getattr(text, side), row, project)


def _add(side: Side, row: dict, project: Project) -> None:
    side.count += row["n"]
    side.sources[row["_source"]] += row["n"]
    side.scored += row["scored"]
    side.compound += row["compound"] or 0.0
    side.compound_sq += row["compound_sq"] or 0.0
    side.negative += row["negative"] or 0
    if row["_survey"] == "nps":
        answer = read_answer("nps", row["_scale"], row["_score"], None, project.surveys)
        if not isinstance(answer, str):
            side.groups[nps_group(answer[1])] += row["n"]


def _counted(store: Store, project: Project, scope: Scope, sources: list[str]) -> list[dict]:
    table, ts = scoped_table(store, Source.EVENTS, scope)
    table = with_texts(table, project.names)
    if sources:
        table = table.filter(table._source.isin(sources))
    scores = store.table("text_sentiment").select("event_id", "compound", "label")
    table = table.left_join(scores, table.event_id == scores.event_id).select(table, scores.compound, scores.label)
    is_survey = table.event == project.names.vocabulary.canonical("survey_responded")
    keys = {k: v for k, v in group_keys(table, ts, scope).items() if k.startswith("_by")}
    table = table.mutate(
        _survey=is_survey.ifelse(json_text(table.properties, "survey"), ibis.null("string")),
        _scale=is_survey.ifelse(json_text(table.properties, "scale"), ibis.null("string")),
        _score=is_survey.ifelse(json_text(table.properties, "score"), ibis.null("string")), **keys)
    expr = table.group_by(["_text", "_source", "_survey", "_scale", "_score", *keys]).aggregate(
        n=table.count(), scored=table.compound.count(), compound=table.compound.sum(),
        compound_sq=(table.compound * table.compound).sum(), negative=(table.label == "negative").ifelse(1, 0).sum())
    rows = expr.limit(MAX_TEXT_ROWS + 1).to_pyarrow().to_pylist()
    if len(rows) > MAX_TEXT_ROWS:
        raise InputError(f"more than {MAX_TEXT_ROWS:,} distinct texts in the range: narrow the range or the sources")
    return rows
