"""Survey answers as the KPI engine and the voice-of-the-customer analyses read them: counted in
the engine by scale and score (one row per period, segment, scale and score, so the reading below
runs on a few dozen rows, on DuckDB and Spark alike), then each answer read on its own scale.

- NPS (Reichheld 2003, "The One Number You Need to Grow"): on 0-10, promoters answer 9-10,
  passives 7-8, detractors 0-6.
- CSAT: the top-2-box share on a 1-5 scale (4-5 satisfied), the top-box share on any other scale;
  a project states its own lowest satisfied answer per scale (`surveys.csat_satisfied_from`).
- CES: CES 2.0 asks on 1-7 how much one agrees that the company made it easy; the answers above
  the scale's midpoint agree (5-7 on 1-7). The older "how much effort" questions on 1-5 or 1-10
  run the other way: there a survey that says so (`properties.lower_is_better`, or the scale in
  `surveys.ces_lower_is_better`) counts the answers below the midpoint as low effort.
An answer that cannot be read (no scale, a score off its scale: rows stored before ingest checked
them) is never averaged in; its reason is returned instead.
"""
from __future__ import annotations

from typing import Literal

import ibis.expr.types as ir

from engagekit.config import SurveySettings
from engagekit.ingest.surveys import NPS_SCALES, SURVEY_EVENT, Scale, parse_scale
from engagekit.json_fields import json_text
from engagekit.metrics.plans import records
from engagekit.metrics.scope import Scope, cohort_breakdowns, group_keys, scoped_table
from engagekit.metrics.spec import Source
from engagekit.store import Store

SurveyType = Literal["nps", "csat", "ces"]
GROUPS: dict[str, tuple[str, ...]] = {"nps": ("promoters", "passives", "detractors"), "csat": ("satisfied", "unsatisfied"),
                                      "ces": ("agree", "neutral", "disagree")}
NpsGroup = Literal["promoter", "passive", "detractor"]
NPS_PROMOTER_MIN = 9
NPS_DETRACTOR_MAX = 6
TOP_2_BOX_SCALE = Scale(1, 5)


def nps_group(score: float) -> NpsGroup:
    """The NPS group of an answer on 0-10 (or 1-10)."""
    if score >= NPS_PROMOTER_MIN:
        return "promoter"
    return "detractor" if score <= NPS_DETRACTOR_MAX else "passive"


def satisfied_from(scale: Scale, settings: SurveySettings) -> float:
    """The lowest answer that counts as satisfied on `scale`."""
    if scale.text in settings.csat_satisfied_from:
        return settings.csat_satisfied_from[scale.text]
    return scale.high - 1 if scale == TOP_2_BOX_SCALE else scale.high


def is_satisfied(score: float, scale: Scale, settings: SurveySettings) -> bool:
    return score >= satisfied_from(scale, settings)


def lower_is_better(scale: Scale, said: bool, settings: SurveySettings) -> bool:
    """Whether a CES answer on `scale` means effort (lower is better): the answer said so, or the
    project reads that scale so."""
    return said or scale.text in settings.ces_lower_is_better


def agrees(score: float, scale: Scale, lower: bool) -> bool:
    """A CES answer on the good side of the midpoint: easy (higher-is-better scales) or low effort."""
    return score < scale.midpoint if lower else score > scale.midpoint


def answers_table(store: Store, scope: Scope, survey: str, event: str = SURVEY_EVENT,
                  touchpoint: str | None = None, people: bool = False) -> tuple[ir.Table, str]:
    """The answers of one survey type in the scope (optionally of one touchpoint), with `_scale`,
    `_score` (text, as stored) and `_lower` (the answer says lower is better) beside the scope's
    grouping keys; `event` is the answers' event name as stored. Answers are stitched to people
    (`person_id`) when asked, or when a breakdown or filter may read a person's traits."""
    stitched = people or bool(scope.by) or scope.where is not None
    table, ts = scoped_table(store, Source.EVENTS, scope, people=stitched)
    table = table.filter(table.event == event, json_text(table.properties, "survey") == survey)
    if touchpoint is not None:
        table = table.filter(json_text(table.properties, "touchpoint") == touchpoint)
    return table.mutate(_scale=json_text(table.properties, "scale"), _score=json_text(table.properties, "score"),
                        _lower=json_text(table.properties, "lower_is_better"), **group_keys(table, ts, scope)), ts


def answer_counts(store: Store, scope: Scope, survey: str, event: str = SURVEY_EVENT,
                  touchpoint: str | None = None) -> list[dict]:
    """Rows of (grouping keys, _scale, _score, _lower, answers). The compiled query is reused for
    the same survey, event and scope (engagekit.metrics.plans), unless it reads a cohort."""
    def build() -> ir.Table:
        table, _ = answers_table(store, scope, survey, event, touchpoint)
        keys = [c for c in table.columns if c == "_period" or c.startswith("_by")]
        return table.group_by([*keys, "_scale", "_score", "_lower"]).aggregate(answers=table.count())

    reusable = scope.cohort is None and not cohort_breakdowns(scope.by)
    key = ("answers", survey, event, touchpoint, scope.start, scope.end, scope.grain, scope.by, repr(scope.where),
           scope.week_start)
    return records(store, key if reusable else None, build)


def read_answer(survey: SurveyType, scale_text: str | None, score_text: str | None, said_lower: str | None,
                settings: SurveySettings) -> tuple[str, float, str, bool] | str:
    """(scale, score, group, lower is better) of a counted answer, or the reason it cannot be read."""
    if scale_text is None:
        return "missing scale"
    scale = parse_scale(scale_text, survey)
    if scale is None or (survey == "nps" and scale.text not in NPS_SCALES):
        return f"scale {scale_text!r} is not a {survey} scale"
    try:
        score = float(score_text) if score_text is not None else None
    except ValueError:
        score = None
    if score is None or score != score:
        return "score is not a number"
    if not scale.holds(score):
        return f"score outside the scale {scale.text}"
    lower = survey == "ces" and lower_is_better(scale, said_lower == "true", settings)
    return scale.text, score, _group(survey, score, scale, lower, settings), lower


def _group(survey: SurveyType, score: float, scale: Scale, lower: bool, settings: SurveySettings) -> str:
    if survey == "nps":
        return nps_group(score) + "s"
    if survey == "csat":
        return "satisfied" if is_satisfied(score, scale, settings) else "unsatisfied"
    if agrees(score, scale, lower):
        return "agree"
    return "neutral" if score == scale.midpoint else "disagree"
