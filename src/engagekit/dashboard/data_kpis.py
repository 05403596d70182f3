"""KPI cards for the Overview and Journey pages, from the KPI engine (engagekit.metrics.engine).

A card is one KPI over the view's range for the view's segment: its value, the previous period
of the same length (compare=previous_period), the change, the target and its status, and a
monthly series for the sparkline. Movers are the cards with the largest relative change.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date

import ibis.expr.types as ir
from dateutil.relativedelta import relativedelta

from engagekit.analyses.kpis import project_kpis
from engagekit.analyses.protocol import Project
from engagekit.metrics.catalog import Catalog
from engagekit.metrics.display import change_text, format_value
from engagekit.metrics.result import MetricRow
from engagekit.metrics.spec import Metric
from engagekit.store import Store

# The journey's stages as the seeds name them; advocacy KPIs read with retention.
JOURNEY_STAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("acquisition", ("acquisition",)),
    ("purchase", ("purchase",)),
    ("onboarding", ("onboarding",)),
    ("adoption", ("adoption",)),
    ("escalation", ("escalation",)),
    ("retention", ("retention", "advocacy")),
)
MOVERS = 5
SPARK_MONTHS = 6  # sparklines show the months up to the range's end

Locked = Callable[[], AbstractContextManager[Store]]


@dataclass(frozen=True)
class Card:
    """One KPI as a page shows it."""

    name: str
    label: str
    unit: str
    direction: str
    value: float | None
    text: str
    previous_text: str
    change: float | None
    relative_change: float | None
    change_text: str
    better: bool | None  # did it move in the better direction (None: no change to judge)
    target_text: str
    benchmark_text: str
    status: str | None
    warning_sign: str
    vanity: bool
    series: list[tuple[str, float | None]] = field(default_factory=list)


def card(metric: Metric, row: MetricRow | None, series: list[tuple[date, float | None]] = ()) -> Card:
    """A card from the KPI's overall row (None: no value in the range)."""
    value = row.value if row else None
    change = row.change if row else None
    better = None if not change else (change > 0) == (metric.direction == "higher")
    return Card(
        name=metric.name, label=metric.label, unit=metric.unit, direction=metric.direction, value=value,
        text=format_value(metric, value), previous_text=format_value(metric, row.previous if row else None),
        change=change, relative_change=row.relative_change if row else None,
        change_text=change_text(row, metric.unit) if row else "-", better=better,
        target_text=format_value(metric, metric.target.value) if metric.target else "-",
        benchmark_text=format_value(metric, metric.benchmark.value) if metric.benchmark else "-",
        status=row.status if row else None, warning_sign=warning_sign(metric), vanity=metric.vanity,
        series=[(period.isoformat(), v) for period, v in series],
    )


def warning_sign(metric: Metric) -> str:
    """The seeds' "warning sign" of a KPI: on the wrong side of its target (or, without one, moving
    the wrong way)."""
    side = "below" if metric.direction == "higher" else "above"
    if metric.target is not None:
        return f"{metric.label} {side} {format_value(metric, metric.target.value)}"
    return f"{metric.label} {'falling' if metric.direction == 'higher' else 'rising'}"


def kpi_cards(locked: Locked, project: Project, names: list[str], start: date, end: date,
              people: Callable[[Store], ir.Table | None], history: bool = True) -> list[Card]:
    """Cards of `names` over [start, end); with `history`, against the previous period and with
    sparklines of the SPARK_MONTHS months up to `end`. Each compute holds the store (lock) only
    while it runs. A range of one calendar month reads its value and the previous month's from
    the monthly series, which holds both: one computation instead of two (unless a month has no
    row there, e.g. no events at all in the segment: then the engine's comparison decides)."""
    catalog = project.catalog
    names = [n for n in names if n in catalog.metrics]
    if not history:
        with locked() as store:
            current = project_kpis(store, project, names, start, end, cohort=people(store))
        rows = {row.metric: row for row in current.rows if not row.segment}
        return [card(catalog.get(n), rows.get(n)) for n in names]
    first = end.replace(day=1) - relativedelta(months=SPARK_MONTHS - (0 if end.day == 1 else 1))
    with locked() as store:
        monthly = project_kpis(store, project, names, first, end, grain="month", cohort=people(store))
    by_metric: dict[str, dict[date, MetricRow]] = {}
    for row in monthly.rows:
        by_metric.setdefault(row.metric, {})[row.period] = row
    before = start - relativedelta(months=1)
    one_month = end == start + relativedelta(months=1) and start.day == 1
    if one_month and all(start in by_metric.get(n, {}) and before in by_metric[n] for n in names):
        rows = {n: _with_previous(months[start], months[before]) for n, months in by_metric.items()}
    else:
        with locked() as store:
            current = project_kpis(store, project, names, start, end, compare="previous_period", cohort=people(store))
        rows = {row.metric: row for row in current.rows if not row.segment}
    series = {n: sorted((period, row.value) for period, row in months.items()) for n, months in by_metric.items()}
    return [card(catalog.get(n), rows.get(n), series.get(n, [])) for n in names]


def _with_previous(row: MetricRow, previous: MetricRow) -> MetricRow:
    """A month's row compared with the month before, as compute(compare="previous_period") does."""
    before = previous.value
    change = row.value - before if row.value is not None and before is not None else None
    relative = change / abs(before) if change is not None and before else None
    return row.model_copy(update={"period": None, "previous": before, "change": change, "relative_change": relative})


def movers(cards: list[Card], count: int = MOVERS) -> list[Card]:
    """The cards that moved most since the previous period (by relative change, then change)."""
    moved = [c for c in cards if c.change]
    return sorted(moved, key=lambda c: abs(c.relative_change if c.relative_change is not None else c.change),
                  reverse=True)[:count]


def stage_metrics(catalog: Catalog, stages: tuple[str, ...]) -> list[Metric]:
    """Catalog KPIs of these stages (each KPI on the first journey stage it belongs to)."""
    return [m for m in catalog.metrics.values() if _journey_stage(m) in stages]


def _journey_stage(metric: Metric) -> str | None:
    for stage, members in JOURNEY_STAGES:
        if any(s in members for s in metric.stages):
            return stage
    return None


def journey(locked: Locked, project: Project, start: date, end: date,
            people: Callable[[Store], ir.Table | None]) -> Iterator[tuple[str, list[Card]]]:
    """(stage, cards) of every journey stage against targets, one KPI computation per stage (the
    whole catalog: without the previous period, which would double the work; the Overview
    compares the headline KPIs)."""
    for stage, _ in JOURNEY_STAGES:
        names = [m.name for m in stage_metrics(project.catalog, (stage,))]
        if names:
            yield stage, kpi_cards(locked, project, names, start, end, people, history=False)
