"""The KPI engine as a registered analysis: catalog KPIs over a range, by period and segment,
against a comparison and their targets (engagekit.metrics.engine.compute).

The query names the KPIs of the project's catalog; the result is the engine's MetricResult,
which is also the read API's response schema (`POST /api/v1/metrics/compute`, and the GET route
of the same path that takes the query as URL parameters).
"""
from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field

from engagekit.analyses.protocol import Analysis, Project
from engagekit.config import DEFAULT_WEEK_START
from engagekit.metrics.engine import MAX_BREAKDOWNS, MAX_METRICS, compute
from engagekit.metrics.result import MetricResult
from engagekit.people.cohorts import cohort_people
from engagekit.people.periods import WeekStart
from engagekit.people.query import Name, StrictModel
from engagekit.people.ranges import DateRange
from engagekit.store import Store


class MetricsQuery(StrictModel):
    """KPIs of the catalog over a range of days, optionally as a series, broken down, filtered,
    compared and restricted to a saved cohort."""

    names: list[Name] = Field(min_length=1, description=f"KPI names of the catalog (at most {MAX_METRICS} distinct)")
    range: DateRange
    grain: str | None = Field(None, description="day, week, month or quarter: a series of periods")
    by: list[Name] = Field([], description=f"up to {MAX_BREAKDOWNS} breakdowns: a trait, properties.X or cohort:NAME")
    where: str | None = Field(None, description="filter, e.g. channel == 'email'")
    compare: str | None = Field(None, description="previous_period or previous_year")
    cohort: Name | None = None  # only the people of this saved cohort
    week_start: WeekStart = DEFAULT_WEEK_START


def run_metrics(store: Store, query: MetricsQuery, project: Project) -> MetricResult:
    """Compute the query's KPIs from the project's catalog, with its event names."""
    people = cohort_people(store, query.cohort) if query.cohort else None
    return compute(store, project.catalog, list(query.names), query.range.start, query.range.end, query.grain,
                   tuple(query.by), query.where, query.compare, people, project.names, query.week_start)


def project_kpis(store: Store, project: Project, names: list[str], start: date, end: date,
                 **options: Any) -> MetricResult:
    """The engine's compute of `names` with the project's catalog, event names and week start, for
    the pages and reports that choose their KPIs themselves; `options` are compute's (grain, by,
    compare, cohort as a people table)."""
    return compute(store, project.catalog, names, start, end, event_names=project.names,
                   week_start=project.week_start, **options)


ANALYSIS = Analysis(name="metrics", summary="Compute KPIs over a range, by period and segment, against the comparison and target.",
                    query=MetricsQuery, result=MetricResult, run=run_metrics, route="/metrics/compute")
