"""compute(): KPIs over a date range, by period and segment, against a comparison and a target.

Measures over the same source share scans: the engine groups the measures of all requested
metrics by source (and, for events, by whether they name their events) and runs one aggregate
per group with a filtered reduction per measure; each aggregate's compiled query is reused by
later calls (metrics/plans.py). Python-kind metrics (registered in metrics/kinds/) run their own
expressions, sharing queries within a computation (kinds.sharing). See docs/kpi-engine.md.
"""
from __future__ import annotations

import difflib
import json
from collections import defaultdict
from dataclasses import replace
from datetime import date
from typing import Any, assert_never

import ibis.expr.types as ir

from engagekit.config import DEFAULT_WEEK_START
from engagekit.errors import InputError
from engagekit.metrics import kinds, plans
from engagekit.metrics.catalog import Catalog
from engagekit.metrics.compile import (
    DENOMINATOR,
    NUMERATOR,
    VALUE,
    measures_of,
    moments,
    ratio,
    reduction,
)
from engagekit.metrics.naming import named_metric
from engagekit.metrics.reasons import explain
from engagekit.metrics.result import MetricResult, MetricRow
from engagekit.metrics.scope import Key, Scope, group_keys, key_of, scoped_table
from engagekit.metrics.spec import Agg, Kind, Measure, Metric, Source
from engagekit.metrics.status import target_status
from engagekit.metrics.values import NO_VALUES, Values
from engagekit.people.cohorts import COHORT_PREFIX, cohort_breakdowns
from engagekit.people.filters import fields_of, parse_filter
from engagekit.people.names import SPEC_NAMES, EventNames, NameCheck
from engagekit.people.periods import WeekStart, check_grain, check_series, comparison_range, shift_period
from engagekit.store import Store

# Bounds of one request (docs/kpi-engine.md), besides the range and the series' periods: metrics
# (the built-in catalog has 82) and breakdowns (PostHog's trends take up to three).
MAX_METRICS = 100
MAX_BREAKDOWNS = 3


def compute(store: Store, catalog: Catalog, names: list[str], start: date, end: date, grain: str | None = None,
            by: tuple[str, ...] = (), where: str | None = None, compare: str | None = None,
            cohort: ir.Table | None = None, event_names: EventNames = SPEC_NAMES,
            week_start: WeekStart = DEFAULT_WEEK_START) -> MetricResult:
    """The named KPIs over [start, end), per `grain` period and `by` segment, with comparison;
    `cohort` (a table of person_id, see engagekit.people.cohorts) keeps only its people. Event
    names in `where` and in the KPIs' definitions are mapped as ingest maps them (`event_names`:
    the project's vocabulary); the result records the mapping."""
    check_grain(grain)
    check_series(start, end, grain)
    names = list(dict.fromkeys(names))
    if len(names) > MAX_METRICS:
        raise InputError(f"names: at most {MAX_METRICS} metrics, not {len(names)}")
    if len(by) > MAX_BREAKDOWNS:
        raise InputError(f"by: at most {MAX_BREAKDOWNS} breakdowns, not {len(by)}")
    definitions = NameCheck(event_names)
    metrics = [named_metric(catalog.get(name), definitions) for name in names]
    check_traits(store, by)
    sent = NameCheck(event_names)
    tree = sent.tree(parse_filter(where)) if where else None
    report = sent.report(store)
    scope = Scope(start, end, grain, tuple(by), tree, cohort, week_start)
    with kinds.sharing(metrics):
        current = _with_overall(store, metrics, scope)
        previous: dict[tuple[str, Key], Values] = {}
        if compare:
            previous_start, previous_end = comparison_range(start, end, compare)
            previous = _with_overall(store, metrics, replace(scope, start=previous_start, end=previous_end))
    rows = []
    for (name, (period, segment)), values in sorted(current.items(), key=_sort_key):
        metric, value = catalog.get(name), values.value
        before = None
        if compare:
            previous_start, _ = comparison_range(start, end, compare)
            earlier_period = shift_period(period, start, compare, previous_start) if period else None
            before = previous.get((name, (earlier_period, segment)), NO_VALUES).value
        change = value - before if value is not None and before is not None else None
        relative = change / abs(before) if change is not None and before else None
        target = metric.target.value if metric.target else None
        rows.append(MetricRow(metric=name, period=period, segment=segment, value=value, numerator=values.numerator,
                              denominator=values.denominator, previous=before, change=change, relative_change=relative,
                              target=target, status=target_status(metric, value), sum_squares=values.spread))
    rows = explain(store, metrics, scope, rows)
    return MetricResult(start=start, end=end, grain=grain, by=tuple(by), compare=compare, rows=rows,
                        names={**definitions.mapped(), **report.names}, notes=report.notes, week_start=week_start)


TRAIT_SAMPLE = 1000  # customers read to learn which traits exist


def check_traits(store: Store, fields: tuple[str, ...] | list[str]) -> None:
    """Segment fields that name customer traits must exist; the error names the close matches."""
    wanted = [f.removeprefix("traits.") for f in fields
              if ("." not in f or f.startswith("traits.")) and not f.startswith(COHORT_PREFIX)]
    if not wanted:
        return
    sample = store.customers_current().select("traits").limit(TRAIT_SAMPLE).traits.to_pyarrow().to_pylist()
    known = sorted({key for text in sample if text for key in json.loads(text)})
    for trait in wanted:
        if trait not in known:
            close = difflib.get_close_matches(trait, known, n=3)
            hint = f"did you mean {', '.join(close)}?" if close else f"traits: {', '.join(known) or '(no customers loaded)'}"
            raise InputError(f"unknown trait {trait!r}; {hint} (event properties are properties.KEY)")


def _with_overall(store: Store, metrics: list[Metric], scope: Scope) -> dict[tuple[str, Key], Values]:
    """Segment rows and, when segmenting, the overall rows beside them (segment ())."""
    values = _compute_scope(store, metrics, scope)
    if scope.by:
        values.update(_compute_scope(store, metrics, replace(scope, by=())))
    return values


def _sort_key(item: tuple) -> tuple:
    (name, (period, segment)), _ = item
    return (name, period or date.min, tuple((k, str(v)) for k, v in segment))


def _compute_scope(store: Store, metrics: list[Metric], scope: Scope) -> dict[tuple[str, Key], Values]:
    """(metric, (period, segment)) -> its values."""
    by_scan: dict[tuple, list[tuple[str, str, Measure]]] = defaultdict(list)
    for metric in metrics:
        for role, measure in measures_of(metric).items():
            by_scan[_scan_group(measure)].append((metric.name, role, measure))
    found = {group: _scan(store, group[0], group[1], wanted, scope) for group, wanted in by_scan.items()}
    keys: dict[tuple, set[Key]] = defaultdict(set)  # the periods and segments of each source and window
    for group, results in found.items():
        keys[group[:2]].update(results)
    if scope.grain:
        for source_keys in keys.values():
            source_keys.update(_every_period(scope, source_keys))
    raw: dict[tuple[str, Key], dict[str, float | None]] = defaultdict(dict)
    for group, wanted in by_scan.items():
        for key in keys[group[:2]]:
            for (name, role), value in (found[group].get(key) or _no_rows(wanted)).items():
                raw[(name, key)][role] = value
    out: dict[tuple[str, Key], Values] = {}
    for metric in metrics:
        match metric.kind:
            case Kind.VALUE | Kind.RATIO:
                out.update({(name, key): _measured(metric, roles) for (name, key), roles in raw.items()
                            if name == metric.name})
            case (Kind.TIME_BETWEEN | Kind.FOLLOWED_RATE | Kind.ACTIVE_PEOPLE | Kind.ACTIVE_SHARE | Kind.RETURNING
                | Kind.PERIOD_POPULATION | Kind.PYTHON):
                found = kinds.run(metric, store, scope)
                for key in set(found) | _every_period(scope, set(found)):  # a period without rows: no value, a note
                    out[(metric.name, key)] = found.get(key, NO_VALUES)
            case _ as unreachable:
                assert_never(unreachable)
    return out


def _measured(metric: Metric, roles: dict[str, float | None]) -> Values:
    """The values of a YAML-measured KPI from its measures' results by role."""
    if metric.kind == Kind.RATIO:
        return Values(ratio(roles.get(NUMERATOR), roles.get(DENOMINATOR), metric.scale, metric.complement),
                      roles.get(NUMERATOR), roles.get(DENOMINATOR))
    value = roles.get(VALUE)
    if metric.measure.agg == Agg.MEAN:
        n = roles.get("n")
        total = value * n if value is not None and n else None
        return Values(None if value is None else value * metric.scale, total, n, roles.get("sum_squares"))
    return Values(None if value is None else float(value) * metric.scale)


def _every_period(scope: Scope, found: set[Key]) -> set[Key]:
    """Every period of the range for every segment found (the overall one when not segmenting):
    in a series, a period without rows reads zero for counts and sums, and as no value (with its
    reason) for Python kinds, not as a missing point."""
    segments = {segment for _, segment in found} or ({()} if not scope.by else set())
    return {(label, segment) for label, _, _ in scope.periods() for segment in segments}


def _no_rows(wanted: list[tuple[str, str, Measure]]) -> dict[tuple[str, str], float | None]:
    """The values of measures in a period or segment where their scan found none of their rows but
    another scan of the same source did: zero counts and sums, no means or quantiles, as one
    aggregate over both would give."""
    values: dict[tuple[str, str], float | None] = {}
    for name, role, measure in wanted:
        values[(name, role)] = 0.0 if measure.agg in (Agg.COUNT, Agg.DISTINCT, Agg.SUM) else None
        if measure.agg == Agg.MEAN:
            values.update({(name, "n"): 0.0, (name, "sum_squares"): None})
    return values


def _scan_group(measure: Measure) -> tuple[Source, str, bool]:
    """Which shared scan reads a measure: one per source and window, split further by whether
    the measure reads only named events (that scan filters to them before anything else, the
    identity join included). So a measure over every event does not make the counts of a few
    events read and join the whole range."""
    return (measure.source, measure.window, bool(measure.events))


def _scan(store: Store, source: Source, window: str, wanted: list[tuple[str, str, Measure]],
          scope: Scope) -> dict[Key, dict]:
    """One aggregate over a source for every measure that reads it. A to-date measure in a series
    reads everything before each period's end, so it runs once per period."""
    if window == "to_date" and scope.grain:
        results: dict[Key, dict] = {}
        for label, _, period_end in scope.periods():
            whole = replace(scope, end=period_end, grain=None)
            for (_, segment), values in _scan(store, source, window, wanted, whole).items():
                results[(label, segment)] = values
        return results
    measures = list(dict.fromkeys(measure for _, _, measure in wanted))  # the same measure is computed once
    column = {measure: f"m{i}" for i, measure in enumerate(measures)}
    results: dict[Key, dict] = {}
    for record in plans.records(store, _plan_key(source, window, measures, scope),
                                lambda: _scan_expr(store, source, window, measures, scope)):
        key = key_of(record, scope)
        results[key] = {(name, role): _number(record[column[measure]]) for name, role, measure in wanted}
        for name, _, measure in wanted:
            if measure.agg == Agg.MEAN:
                results[key].update({(name, part): _number(record[f"{column[measure]}_{part}"])
                                     for part in ("n", "sum_squares")})
    return results


def _scan_expr(store: Store, source: Source, window: str, measures: list[Measure], scope: Scope) -> ir.Table:
    """The aggregate of every measure (column `m{i}`, and the moments of means) by period and segment."""
    fields = [m.column or "" for m in measures]
    fields += [f for m in measures if m.where for f in fields_of(parse_filter(m.where))]
    table, ts = scoped_table(store, source, scope, extra_fields=fields, to_date=window == "to_date",
                             people=_needs_people(measures, scope))
    table = _only_wanted_events(table, measures)
    keys = group_keys(table, ts, scope)
    aggregates = {f"m{i}": reduction(table, measure, ts) for i, measure in enumerate(measures)}
    for i, measure in enumerate(measures):
        if measure.agg == Agg.MEAN:
            aggregates.update({f"m{i}_{part}": value for part, value in moments(table, measure).items()})
    return table.group_by(**keys).aggregate(**aggregates) if keys else table.aggregate(**aggregates)


def _plan_key(source: Source, window: str, measures: list[Measure], scope: Scope) -> tuple | None:
    """What a scan's query depends on, to reuse its compiled plan; None when it reads a cohort,
    whose definition may change between calls."""
    if scope.cohort is not None or cohort_breakdowns(scope.by):
        return None
    return (source, window, tuple(measures), scope.start, scope.end, scope.grain, scope.by, repr(scope.where),
            scope.week_start)


def _only_wanted_events(table: ir.Table, measures: list[Measure]) -> ir.Table:
    """The rows of the events any measure reads, when every measure names its events: each
    reduction filters its own rows anyway, and the engine then evaluates their conditions (JSON
    properties read with regular expressions) on those rows only, not on the whole range."""
    if not all(measure.events for measure in measures):
        return table
    events = sorted({name for measure in measures for name in measure.events})
    return table.filter(table.event.isin(events))


def _needs_people(measures: list[Measure], scope: Scope) -> bool:
    """Whether a scan must resolve people: a distinct count of people, or any segment or filter
    (traits are joined on the person)."""
    if scope.by or scope.where is not None or scope.cohort is not None:
        return True
    return any(m.agg == Agg.DISTINCT and m.column in (None, "person_id") for m in measures)


def _number(value: Any) -> float | None:
    return None if value is None else float(value)
