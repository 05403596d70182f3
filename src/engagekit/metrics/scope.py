"""The scope of a KPI computation: range, grain, segments and filter, applied to a source."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import ibis
import ibis.expr.types as ir

from engagekit.config import DEFAULT_WEEK_START
from engagekit.metrics.sources import source_table
from engagekit.metrics.spec import Source
from engagekit.people.cohorts import COHORT_PREFIX, cohort_breakdowns, cohort_people, flag_cohort
from engagekit.people.filters import Filter, field_expr, fields_of, map_fields, resolve_field, to_ibis
from engagekit.people.periods import WeekStart, period_start, periods_of
from engagekit.store import Store

Key = tuple[date | None, tuple[tuple[str, Any], ...]]  # (period, segment)


@dataclass(frozen=True)
class Scope:
    """What every measure is restricted and grouped by."""

    start: date
    end: date
    grain: str | None
    by: tuple[str, ...]
    where: Filter | None
    cohort: ir.Table | None = None  # person_id of a saved cohort (engagekit.people.cohorts)
    week_start: WeekStart = DEFAULT_WEEK_START

    def periods(self) -> list[tuple[date | None, date, date]]:
        """(label, start, end) of each period of the range by grain (see people.periods.periods_of)."""
        return periods_of(self.start, self.end, self.grain, self.week_start)


def scoped_table(store: Store, source: Source, scope: Scope, extra_fields: list[str] = (),
                 to_date: bool = False, people: bool = True) -> tuple[ir.Table, str]:
    """A source restricted to the range (or, `to_date`, to everything before its end) and the
    user's filter, with traits joined when needed."""
    table, ts = filtered_table(store, source, scope, extra_fields, people)
    table = table.filter(table[ts] < timestamp_literal(scope.end))
    return (table if to_date else table.filter(table[ts] >= timestamp_literal(scope.start))), ts


def filtered_table(store: Store, source: Source, scope: Scope, extra_fields: list[str] = (),
                   people: bool = True) -> tuple[ir.Table, str]:
    """A source with the user's filter applied over all of history (for KPIs that need the past,
    such as who was a subscriber when the period began), with traits joined when needed."""
    src = source_table(store, source, people or scope.cohort is not None or bool(cohort_breakdowns(scope.by)))
    table = src.table
    fields = [f for f in scope.by if not f.startswith(COHORT_PREFIX)] + list(extra_fields)
    fields += sorted(fields_of(scope.where)) if scope.where else []
    if any(resolve_field(table, f).startswith("traits.") for f in fields if f) and "traits" not in table.columns:
        customers = store.customers_current().select("customer_id", "traits")
        table = table.left_join(customers, table[src.person] == customers.customer_id).select(table, customers.traits)
    if scope.where is not None:
        table = table.filter(to_ibis(map_fields(scope.where, lambda f: resolve_field(table, f)), table))
    if scope.cohort is not None:
        table = table.semi_join(scope.cohort, table[src.person] == scope.cohort.person_id)
    for name in cohort_breakdowns(scope.by):
        table = flag_cohort(table, cohort_people(store, name), on=src.person, column=f"{COHORT_PREFIX}{name}")
    return table, src.ts



def timestamp_literal(day: date) -> ir.TimestampScalar:
    """Midnight (UTC) of a day, as an Ibis timestamp literal."""
    return ibis.literal(datetime.combine(day, datetime.min.time()), type="timestamp")


def group_keys(table: ir.Table, ts: str, scope: Scope) -> dict[str, ir.Value]:
    keys: dict[str, ir.Value] = {}
    if scope.grain:
        keys["_period"] = period_start(table[ts], scope.grain, scope.week_start)
    for index, field in enumerate(scope.by):
        keys[f"_by{index}"] = field_expr(table, resolve_field(table, field)).cast("string")
    return keys


def key_of(record: dict, scope: Scope) -> Key:
    period = record.get("_period") if scope.grain else None
    segment = tuple((field, record[f"_by{i}"]) for i, field in enumerate(scope.by))
    return (period, segment)

