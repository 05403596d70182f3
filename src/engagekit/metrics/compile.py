"""KPI spec -> Ibis: each measure becomes one filtered reduction, so every measure over the same
source is computed in one shared scan (one aggregate with many `where=` reductions)."""
from __future__ import annotations

from typing import assert_never

import ibis
import ibis.expr.types as ir

from engagekit.json_fields import json_number, json_text
from engagekit.metrics.spec import Agg, Kind, Measure, Metric
from engagekit.people.filters import parse_filter, to_ibis

NUMERATOR, DENOMINATOR, VALUE = "numerator", "denominator", "value"


def measures_of(metric: Metric) -> dict[str, Measure]:
    """The measures a metric needs, by role."""
    match metric.kind:
        case Kind.VALUE:
            return {VALUE: metric.measure}
        case Kind.RATIO:
            return {NUMERATOR: metric.numerator, DENOMINATOR: metric.denominator}
        case (Kind.TIME_BETWEEN | Kind.FOLLOWED_RATE | Kind.ACTIVE_PEOPLE | Kind.ACTIVE_SHARE | Kind.RETURNING
            | Kind.PERIOD_POPULATION | Kind.PYTHON):
            return {}
        case _ as unreachable:
            assert_never(unreachable)


def column_of(table: ir.Table, column: str, numeric: bool) -> ir.Value:
    """A column of the table, or a key of its JSON `properties`/`traits` (as number or text)."""
    head, _, key = column.partition(".")
    if key and head in ("properties", "traits"):
        return json_number(table[head], key) if numeric else json_text(table[head], key)
    return table[column]


def condition(table: ir.Table, measure: Measure) -> ir.BooleanValue | None:
    """The row filter of a measure: its events and its where clause. The where clause is only
    evaluated on the measure's events (a CASE, not an AND, which engines evaluate on every row
    of a shared scan): its JSON properties are read with regular expressions."""
    where = to_ibis(parse_filter(measure.where), table) if measure.where else None
    if not measure.events:
        return where
    events = table.event.isin(list(measure.events))
    return events if where is None else ibis.ifelse(events, where, False)


def measured_value(table: ir.Table, measure: Measure, numeric: bool) -> ir.Value:
    """The column a measure aggregates (distinct counts default to the person). A JSON property
    is read on the measure's events only: elsewhere the measure's filter drops the row anyway."""
    column = measure.column or "person_id"
    value = column_of(table, column, numeric)
    if not measure.events or column in table.columns:
        return value
    return ibis.ifelse(table.event.isin(list(measure.events)), value, ibis.null(value.type()))


def reduction(table: ir.Table, measure: Measure, ts_column: str) -> ir.Scalar:
    """The aggregate of one measure over the rows that pass its filter."""
    where = condition(table, measure)
    match measure.agg:
        case Agg.COUNT:
            return table[ts_column].count(where=where)
        case Agg.DISTINCT:
            return measured_value(table, measure, numeric=False).nunique(where=where)
        case Agg.SUM:
            return measured_value(table, measure, numeric=True).sum(where=where).fill_null(0)
        case Agg.MEAN:
            return measured_value(table, measure, numeric=True).mean(where=where)
        case Agg.MEDIAN:
            return measured_value(table, measure, numeric=True).quantile(0.5, where=where)
        case Agg.PERCENTILE:
            return measured_value(table, measure, numeric=True).quantile(measure.q, where=where)
        case Agg.MIN:
            return measured_value(table, measure, numeric=True).min(where=where)
        case Agg.MAX:
            return measured_value(table, measure, numeric=True).max(where=where)
        case _ as unreachable:
            assert_never(unreachable)


def moments(table: ir.Table, measure: Measure) -> dict[str, ir.Scalar]:
    """Count and sum of squares of a mean's values, so segments can be compared (Welch)."""
    values = measured_value(table, measure, numeric=True)
    where = condition(table, measure)
    return {"n": values.count(where=where), "sum_squares": (values * values).sum(where=where)}


def ratio(numerator: float | None, denominator: float | None, scale: float, complement: bool = False) -> float | None:
    """numerator / denominator x scale (or 1 - that); no value when the denominator is zero or missing."""
    if numerator is None or not denominator:
        return None
    share = float(numerator) / float(denominator)
    return (1.0 - share if complement else share) * scale

