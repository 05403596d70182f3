"""NPS, CSAT and CES as analyses: the standard reading of every answer on its scale, the 95%
interval, the size and share of each group, the answers left out with their reason, breakdowns
tested against the rest, and the change against the previous period.

Definitions: engagekit.voc.bands (what an answer means), engagekit.voc.intervals (intervals and
tests). A segment is compared with all other segments pooled (answers whose segment is unknown
are left out of the comparison), by the test that fits the metric: NPS by the z statistic of the
difference of two NPS values, CSAT by the pooled two-proportion z test, CES by Welch's test
(engagekit.metrics.segments); segments with fewer than MIN_SEGMENT_SIZE answers are not tested,
and the p-values of one breakdown are adjusted by Holm's method.
"""
from __future__ import annotations

import math
from collections import defaultdict
from datetime import date
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, Field

from engagekit.analyses.protocol import Project
from engagekit.config import DEFAULT_WEEK_START
from engagekit.errors import InputError
from engagekit.ingest.surveys import SURVEY_EVENT
from engagekit.metrics.answers import SurveyType, answer_counts
from engagekit.metrics.engine import MAX_BREAKDOWNS, check_traits
from engagekit.metrics.scope import Key, Scope
from engagekit.metrics.segments import DEFAULT_ALPHA, MIN_SEGMENT_SIZE, holm, two_proportion_p, welch_p
from engagekit.people.cohorts import cohort_people
from engagekit.people.filters import parse_filter
from engagekit.people.names import NameCheck
from engagekit.people.periods import WeekStart, check_grain, check_series, comparison_range
from engagekit.people.query import Name, StrictModel
from engagekit.people.ranges import DateRange
from engagekit.store import Store
from engagekit.voc.intervals import nps_standard_error, z_p_value
from engagekit.voc.tally import Summary, Tallies, Tally, by_scale, headline

SURVEY_FIELDS = {"touchpoint": "properties.touchpoint", "survey_name": "properties.survey_name"}


def survey_field(field: str) -> str:
    """A breakdown of answers: the answer's own properties by their bare names (touchpoint), else
    as the KPI engine reads fields (a column, properties.KEY, a trait, cohort:NAME)."""
    return SURVEY_FIELDS.get(field, field)


class SurveyQuery(StrictModel):
    """A survey type's answers over a range of days, optionally by period and segment."""

    range: DateRange
    by: list[Name] = Field([], max_length=MAX_BREAKDOWNS,
                           description="breakdowns: touchpoint, channel, a trait, properties.X or cohort:NAME")
    grain: str | None = Field(None, description="day, week, month or quarter: a series of periods")
    where: str | None = Field(None, description="filter, e.g. traits.country == 'BR'")
    compare: Literal["previous_period", "previous_year"] | None = "previous_period"
    cohort: Name | None = None
    scale: str | None = Field(None, description="CES: the scale whose mean is the value (default: the most answered)")
    week_start: WeekStart = DEFAULT_WEEK_START


class Excluded(BaseModel):
    """Answers in the range that cannot be read, by reason (never averaged in)."""

    count: float = 0
    reasons: dict[str, float] = {}


class Comparison(Summary):
    """The same metric over the comparison range, and how the range differs from it."""

    start: date
    end: date
    change: float | None = None
    p_value: float | None = None


class SegmentSummary(Summary):
    """One segment's metric against all other segments pooled."""

    segment: dict[str, Any]
    rest_value: float | None = None
    p_value: float | None = None
    adjusted_p: float | None = None
    significant: bool = False


class PeriodSummary(Summary):
    period: date


class SurveyResult(Summary):
    """A survey metric over the range: the headline summary, then by scale, segment and period."""

    survey: SurveyType
    start: date
    end: date
    by: list[str] = []
    scales: list[Summary] = []
    excluded: Excluded = Excluded()
    previous: Comparison | None = None
    segments: list[SegmentSummary] = []
    series: list[PeriodSummary] = []
    names: dict[str, str] = {}
    notes: list[str] = []

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def to_frame(self) -> pd.DataFrame:
        rows = [{"segment": "all", **_columns(self)}]
        rows += [{"segment": ", ".join(f"{k}={v}" for k, v in s.segment.items()), **_columns(s),
                  "p_value": s.adjusted_p} for s in self.segments]
        return pd.DataFrame(rows)


def _columns(summary: Summary) -> dict[str, Any]:
    shares = {name: group.share for name, group in summary.groups.items()}
    return {"value": summary.value, "n": summary.n, "ci_low": summary.ci_low, "ci_high": summary.ci_high, **shares}


def survey_result(store: Store, survey: SurveyType, query: SurveyQuery, project: Project) -> SurveyResult:
    """The metric of one survey type (nps, csat, ces) from the project's answers and its reading of them."""
    check_grain(query.grain)
    check_series(query.range.start, query.range.end, query.grain)
    if query.scale is not None and survey != "ces":
        raise InputError("scale: only CES means are read on one scale")
    fields = tuple(survey_field(f) for f in query.by)
    check_traits(store, fields)
    names = NameCheck(project.names)
    tree = names.tree(parse_filter(query.where)) if query.where else None
    people = cohort_people(store, query.cohort) if query.cohort else None
    scope = Scope(query.range.start, query.range.end, query.grain, fields, tree, people, query.week_start)
    current = _tallies(store, scope, survey, query, project)
    overall = _sum(current.values())
    lead = headline(survey, overall, query.scale)
    report = names.report(store)
    return SurveyResult(
        survey=survey, start=query.range.start, end=query.range.end, by=list(query.by),
        **lead.model_dump(), scales=by_scale(survey, overall),
        excluded=Excluded(count=sum(overall.excluded.values()), reasons=dict(overall.excluded)),
        previous=_previous(store, scope, survey, query, project, overall, lead.scale),
        segments=_segments(survey, query, current, lead.scale), series=_series(survey, query, scope, current, lead.scale),
        names={**names.mapped(), **report.names}, notes=list(report.notes))


def _tallies(store: Store, scope: Scope, survey: SurveyType, query: SurveyQuery, project: Project) -> dict[Key, Tallies]:
    """Tallies per (period, segment) key of the scope."""
    found: dict[Key, Tallies] = defaultdict(Tallies)
    for row in answer_counts(store, scope, survey, project.names.vocabulary.canonical(SURVEY_EVENT)):
        period = row.get("_period") if scope.grain else None
        segment = tuple((name, row[f"_by{i}"]) for i, name in enumerate(query.by))
        found[(period, segment)].add(row, survey, project.surveys)
    return found


def _sum(tallies: Any) -> Tallies:
    total = Tallies()
    for tally in tallies:
        total.merge(tally)
    return total


def _chosen(survey: SurveyType, tallies: Tallies, scale: str | None) -> Tally:
    """The answers a headline reads: every scale's (NPS, CSAT) or the one scale's (CES)."""
    if survey == "ces":
        return tallies.scales.get(scale, Tally()) if scale else Tally()
    total = Tally()
    for tally in tallies.scales.values():
        total.merge(tally)
    return total


def difference_p(survey: SurveyType, a: Tally, b: Tally) -> float | None:
    """Two-sided p-value of the difference between two sets of answers (see the module docstring)."""
    if a.n < 2 or b.n < 2:
        return None
    if survey == "nps":
        se_a = nps_standard_error(a.groups["promoters"], a.groups["detractors"], a.n)
        se_b = nps_standard_error(b.groups["promoters"], b.groups["detractors"], b.n)
        net = 100 * ((a.groups["promoters"] - a.groups["detractors"]) / a.n
                     - (b.groups["promoters"] - b.groups["detractors"]) / b.n)
        return z_p_value(net, math.sqrt(se_a ** 2 + se_b ** 2)) if se_a or se_b else (1.0 if net == 0 else 0.0)
    if survey == "csat":
        return two_proportion_p(a.groups["satisfied"], a.n, b.groups["satisfied"], b.n)
    return welch_p(a.n, a.total, a.squares, b.n, b.total, b.squares)


def _previous(store: Store, scope: Scope, survey: SurveyType, query: SurveyQuery, project: Project, overall: Tallies,
              scale: str | None) -> Comparison | None:
    if query.compare is None:
        return None
    start, end = comparison_range(query.range.start, query.range.end, query.compare)
    earlier = Scope(start, end, None, (), scope.where, scope.cohort, scope.week_start)
    tallies = _sum(_tallies(store, earlier, survey, query.model_copy(update={"by": []}), project).values())
    before = headline(survey, tallies, scale if survey == "ces" else None)
    now = headline(survey, overall, scale if survey == "ces" else None)
    change = now.value - before.value if now.value is not None and before.value is not None else None
    p = difference_p(survey, _chosen(survey, overall, scale), _chosen(survey, tallies, scale))
    return Comparison(**before.model_dump(), start=start, end=end, change=change, p_value=p)


def _segments(survey: SurveyType, query: SurveyQuery, current: dict[Key, Tallies], scale: str | None) -> list[SegmentSummary]:
    if not query.by:
        return []
    by_segment: dict[tuple, Tallies] = defaultdict(Tallies)
    for (_, segment), tallies in current.items():
        by_segment[segment].merge(tallies)
    known = {segment: _chosen(survey, tallies, scale) for segment, tallies in by_segment.items()
             if all(value is not None for _, value in segment)}
    everyone = Tally()
    for tally in known.values():
        everyone.merge(tally)
    rests = {segment: _minus(everyone, tally) for segment, tally in known.items()}
    tested = [s for s, tally in known.items() if tally.n >= MIN_SEGMENT_SIZE and rests[s].n >= MIN_SEGMENT_SIZE]
    raw = [difference_p(survey, known[s], rests[s]) or 1.0 for s in tested]
    adjusted = dict(zip(tested, holm(raw)))
    p_values = dict(zip(tested, raw))
    found = []
    for segment, tallies in sorted(by_segment.items(), key=lambda item: -_chosen(survey, item[1], scale).n):
        summary = headline(survey, tallies, scale if survey == "ces" else None)
        rest = rests.get(segment)
        rest_value = headline(survey, _as_tallies(rest, scale), scale).value if rest is not None else None
        found.append(SegmentSummary(**summary.model_dump(), segment=dict(segment), rest_value=rest_value,
                                    p_value=p_values.get(segment), adjusted_p=adjusted.get(segment),
                                    significant=adjusted.get(segment, 1.0) < DEFAULT_ALPHA))
    return found


def _series(survey: SurveyType, query: SurveyQuery, scope: Scope, current: dict[Key, Tallies], scale: str | None) -> list[PeriodSummary]:
    """Every period of the range in order, those without answers with no value and the reason."""
    if not query.grain:
        return []
    by_period: dict[date, Tallies] = defaultdict(Tallies)
    for (period, _), tallies in current.items():
        by_period[period].merge(tallies)
    return [PeriodSummary(**headline(survey, by_period.get(label, Tallies()),
                                     scale if survey == "ces" else None).model_dump(), period=label)
            for label, _, _ in scope.periods()]


def _minus(total: Tally, part: Tally) -> Tally:
    rest = Tally(total.n - part.n, total.total - part.total, total.squares - part.squares)
    rest.groups.update(total.groups)
    rest.groups.subtract(part.groups)
    return rest


def _as_tallies(tally: Tally, scale: str | None) -> Tallies:
    return Tallies(scales={scale or "all": tally})
