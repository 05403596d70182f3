"""Risks and opportunities in plain sentences, each computed from the data: a finding that is
absent yields no sentence."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from engagekit.analyses.kpis import project_kpis
from engagekit.analyses.protocol import Project
from engagekit.analyses.retention import (
    NO_TRAIT,
    RetentionQuery,
    RetentionResult,
    run_retention,
)
from engagekit.errors import InputError
from engagekit.metrics.catalog import Catalog
from engagekit.metrics.display import change_text, format_value
from engagekit.metrics.result import MetricRow
from engagekit.metrics.segments import DEFAULT_ALPHA, find_differences, two_proportion_p
from engagekit.people.query import EventFilter
from engagekit.people.ranges import DateRange
from engagekit.store import Store

SEGMENT_KPIS = ("cart_abandonment_rate", "conversion_rate")
SEGMENT_TRAIT = "country"
MAX_SEGMENT_SENTENCES = 4
RETENTION_MONTH = 3
MIN_COHORT = 30
DIP_THRESHOLD = -0.10  # a month this far below the mean of its two neighbours is a dip
RISK, OPPORTUNITY = "risk", "opportunity"


@dataclass(frozen=True)
class Finding:
    """A sentence and whether it reads as a risk or an opportunity."""

    kind: str
    text: str


def segment_findings(store: Store, project: Project, start: date, end: date) -> list[Finding]:
    """Countries whose abandonment or conversion differs significantly from everyone else's."""
    catalog = project.catalog
    names = [n for n in SEGMENT_KPIS if n in catalog.metrics]
    try:
        result = project_kpis(store, project, names, start, end, by=(SEGMENT_TRAIT,))
    except InputError:
        return []
    found = []
    for finding in find_differences(result, catalog):
        if not finding.significant or len(found) == MAX_SEGMENT_SENTENCES:
            continue
        higher_is_better = catalog.get(finding.metric).direction == "higher"
        better = (finding.value > finding.rest_value) == higher_is_better
        found.append(Finding(OPPORTUNITY if better else RISK, finding.sentence))
    return found


def campaign_retention(store: Store, start: date, end: date) -> RetentionResult:
    """Monthly retention of sign-up cohorts by acquisition campaign, cohorts starting in [start, end)."""
    query = RetentionQuery(start_event=EventFilter.parse("signed_up"), period="month", periods=RETENTION_MONTH,
                           cohort_by="campaign", range=DateRange(start=start, end=end))
    return run_retention(store, query)


def best_campaign(result: RetentionResult) -> Finding | None:
    """The campaign whose cohort retains best at month 3, when it beats the rest significantly."""
    k = RETENTION_MONTH
    rows = [r for r in result.rows if r.cohort != NO_TRAIT and r.counts[k] is not None and r.eligible[k] >= MIN_COHORT]
    if len(rows) < 2 or result.average[k] is None:
        return None
    best = max(rows, key=lambda r: r.counts[k] / r.eligible[k])
    total = sum(r.counts[k] or 0 for r in result.rows)
    eligible = sum(r.eligible[k] for r in result.rows)
    rest_n = eligible - best.eligible[k]
    if rest_n <= 0:
        return None
    p = two_proportion_p(best.counts[k], best.eligible[k], total - best.counts[k], rest_n) * len(rows)
    rate = best.counts[k] / best.eligible[k]
    average = result.average[k] / 100
    if p >= DEFAULT_ALPHA or rate <= average:
        return None
    return Finding(OPPORTUNITY, f"Customers acquired by the campaign {best.cohort} retain best: {rate:.1%} are still "
                                f"active in month {k} after sign-up against {average:.1%} on average "
                                f"({best.eligible[k]:,} customers in the cohort).")


def largest_dip(label: str, series: list[tuple[date, float | None]], per_day: bool) -> Finding | None:
    """The month that falls furthest below the mean of the months either side of it; with
    `per_day`, monthly totals are compared per day so that short months are no dips."""
    daily = [(month, _per_day(month, value) if per_day and value is not None else value) for month, value in series]
    worst: tuple[float, date, float, float] | None = None
    for (_, before), (month, value), (_, after) in zip(daily, daily[1:], daily[2:]):
        if value is None or not before or not after:
            continue
        neighbours = (before + after) / 2
        change = value / neighbours - 1
        if change <= DIP_THRESHOLD and (worst is None or change < worst[0]):
            worst = (change, month, value, neighbours)
    if worst is None:
        return None
    change, month, value, neighbours = worst
    unit = " a day" if per_day else ""
    return Finding(RISK, f"{label} dipped in {month:%B %Y}: {value:,.1f}{unit} against {neighbours:,.1f}{unit} on "
                         f"average in the months either side ({change:+.0%}).")


def _per_day(month: date, value: float) -> float:
    return value / ((month + relativedelta(months=1)) - month).days


def critical_kpis(rows: list[MetricRow], catalog: Catalog) -> list[Finding]:
    """KPIs whose value is critical against their target."""
    found = []
    for row in rows:
        if row.status == "critical" and row.target is not None:
            metric = catalog.get(row.metric)
            found.append(Finding(RISK, f"{metric.label} is critical against its target: "
                                       f"{format_value(metric, row.value)} against a target of "
                                       f"{format_value(metric, row.target)}."))
    return found


def trend_sentence(row: MetricRow, catalog: Catalog) -> str | None:
    """How a KPI moved against the previous period, when both are known."""
    if row.value is None or row.previous is None or row.change is None:
        return None
    metric = catalog.get(row.metric)
    if row.change == 0:
        return f"{metric.label} held at {format_value(metric, row.value)}."
    verb = "rose" if row.change > 0 else "fell"
    better = "better" if (row.change > 0) == (metric.direction == "higher") else "worse"
    moved = change_text(row, metric.unit)
    return (f"{metric.label} {verb} from {format_value(metric, row.previous)} to {format_value(metric, row.value)} "
            f"({moved}, {better}).")
