"""The customers whose latest NPS answer in a range is a detractor's: who to call back, with
what they said. A customer who answered again and is no longer a detractor is not listed."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import ibis

from engagekit.analyses.protocol import Project
from engagekit.config import DEFAULT_WEEK_START
from engagekit.ingest.surveys import SURVEY_EVENT
from engagekit.json_fields import json_text, plain_text
from engagekit.metrics.answers import answers_table, read_answer
from engagekit.metrics.scope import Scope
from engagekit.metrics.texts import TEXT_KEYS
from engagekit.store import Store

DETRACTORS = "detractors"  # the group read_answer names


@dataclass(frozen=True)
class Detractor:
    """A customer's latest NPS answer of the range, a detractor's."""

    customer_id: str
    answered: date
    score: float
    comment: str | None
    touchpoint: str | None


def latest_detractors(store: Store, project: Project, start: date, end: date) -> list[Detractor]:
    """Customers whose latest NPS answer in [start, end) is 0-6, lowest score first, then the most
    recent. One row per customer who answered is read into Python, never one per event."""
    scope = Scope(start, end, None, (), None, None, DEFAULT_WEEK_START)
    table, ts = answers_table(store, scope, "nps", project.names.vocabulary.canonical(SURVEY_EVENT),
                              people=True)
    table = table.filter(table.person_id.notnull())
    latest = table.mutate(_rank=ibis.row_number().over(group_by=table.person_id, order_by=ibis.desc(table[ts])))
    latest = latest.filter(latest._rank == 0)
    rows = latest.select(
        customer_id=latest.person_id, answered=latest[ts].date(), scale=latest._scale, score=latest._score,
        lower=latest._lower, touchpoint=json_text(latest.properties, "touchpoint"),
        comment=ibis.coalesce(*(json_text(latest.properties, key) for key in TEXT_KEYS)),
    ).to_pyarrow().to_pylist()
    found = []
    for row in rows:
        answer = read_answer("nps", row["scale"], row["score"], row["lower"], project.surveys)
        if isinstance(answer, tuple) and answer[2] == DETRACTORS:
            comment = plain_text(row["comment"] or "").strip() or None
            found.append(Detractor(row["customer_id"], row["answered"], answer[1], comment, row["touchpoint"]))
    found.sort(key=lambda d: (d.score, -d.answered.toordinal(), d.customer_id))
    return found
