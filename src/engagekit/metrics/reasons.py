"""Why a KPI has no value, in words: the first need (metrics/needs.py) its period does not meet.

compute() calls `explain` only when some rows have no value. It gathers the needs of those rows'
KPIs and counts the rows of every need per period, in one query per table the needs read
(events, sessions, customers, accounts), under the query's filter and cohort. A row's note is
the first of:

- the period holds no whole week or month, and the KPI averages over whole ones (WAU, MAU);
- a need without rows in the period (or, for populations, before its end): "no survey
  responses with survey=nps in 2026-10"; for sessions also why, as sessions are built from web
  and app events only (events without a channel are not sessionized);
- the denominator is 0, with what it counts and the segment: "denominator is 0: no subscribers
  at the start of the period for plan=pro in 2026-10".

Needs are counted over everyone (not per segment): a segment without a need's rows reads as a
zero denominator of that segment.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from typing import assert_never

import ibis
import ibis.expr.types as ir
from dateutil.relativedelta import relativedelta

from engagekit.derive.names import INTERACTIVE_CHANNELS
from engagekit.metrics import kinds
from engagekit.metrics.needs import Need, Needs, Span, Table, measure_needs
from engagekit.metrics.result import MetricRow
from engagekit.metrics.scope import Scope, filtered_table, timestamp_literal
from engagekit.metrics.spec import Kind, Metric, Source
from engagekit.people.filters import fields_of, map_fields, parse_filter, resolve_field, to_ibis
from engagekit.people.periods import period_start
from engagekit.store import Store

Counts = dict[Need, dict[date | None, tuple[int, int]]]  # need -> period -> (rows in it, rows before its end)
WEB_APP = Need("web and app events", where=f"channel in {list(INTERACTIVE_CHANNELS)}")
NO_CHANNEL = Need("events without a channel", where="channel is null")
UNKNOWN = "(unknown)"  # a segment value that is missing, as the tables show it
SPANS: dict[Span, str] = {"week": "7-day week", "month": "month", "calendar month": "calendar month"}
SOURCES: dict[Table, Source] = {"events": Source.EVENTS, "sessions": Source.SESSIONS, "customers": Source.CUSTOMERS}


def explain(store: Store, metrics: list[Metric], scope: Scope, rows: list[MetricRow]) -> list[MetricRow]:
    """The rows, each row without a value with a note saying why."""
    missing = {row.metric for row in rows if row.value is None}
    if not missing:
        return rows
    needs = {metric.name: needs_of(metric) for metric in metrics if metric.name in missing}
    wanted = [need for of_metric in needs.values() for need in of_metric.rows]
    if any(need.table == "sessions" for need in wanted):
        wanted += [WEB_APP, NO_CHANNEL]
    counts = count_needs(store, scope, list(dict.fromkeys(wanted)))
    return [row if row.value is not None else row.model_copy(update={"note": reason(row, needs[row.metric], counts, scope)})
            for row in rows]


def needs_of(metric: Metric) -> Needs:
    """What a KPI's value needs: its measure's (value kinds) or its denominator's rows (ratios),
    else what its kind declares."""
    match metric.kind:
        case Kind.VALUE | Kind.RATIO:  # a mean's denominator is its count of values
            rows = measure_needs(metric.measure if metric.kind == Kind.VALUE else metric.denominator)
            return Needs(rows, denominator=rows[-1].what)
        case (Kind.TIME_BETWEEN | Kind.FOLLOWED_RATE | Kind.ACTIVE_PEOPLE | Kind.ACTIVE_SHARE | Kind.RETURNING
            | Kind.PERIOD_POPULATION | Kind.PYTHON):
            return kinds.needs_of(metric)
        case _ as unreachable:
            assert_never(unreachable)


def reason(row: MetricRow, needs: Needs, counts: Counts, scope: Scope) -> str:
    """Why a row has no value (see the module docstring)."""
    start, end = _bounds(row.period, scope)
    name = period_name(row.period, scope)
    if needs.span is not None and not _holds(needs.span, start, end):
        words = SPANS[needs.span]
        return f"{name} holds no whole {words}, and the KPI averages over whole ones"
    for need in needs.rows:
        inside, before_end = counts[need].get(row.period, (0, 0))
        if not (before_end if need.to_date else inside):
            return _no_rows(need, row.period, counts, scope)
    of_segment = f" for {', '.join(f'{k}={UNKNOWN if v is None else v}' for k, v in row.segment)}" if row.segment else ""
    if not row.denominator:
        what = f": no {needs.denominator}" if needs.denominator else ""
        return f"denominator is 0{what}{of_segment} {_in(row.period, scope)}"
    return f"no value{of_segment} {_in(row.period, scope)}"


def period_name(label: date | None, scope: Scope) -> str:
    """A period as people name it: 2026-10, 2026 Q4, the week of 2026-10-05, 2026-10-05, or the range."""
    start, end = _bounds(label, scope)
    grain = scope.grain if label is not None else ("month" if _whole_month(start, end) else None)
    match grain:
        case "month":
            return start.strftime("%Y-%m")
        case "quarter":
            return f"{start.year} Q{(start.month - 1) // 3 + 1}"
        case "week":
            return f"the week of {label}"
        case "day":
            return str(start)
    return f"{start} .. {end - timedelta(days=1)}"


def count_needs(store: Store, scope: Scope, needs: list[Need]) -> Counts:
    """The rows of each need per period of the scope: (in the period, before its end)."""
    by_table: dict[Table, list[Need]] = defaultdict(list)
    for need in needs:
        by_table[need.table].append(need)
    labels = [label for label, _, _ in scope.periods()]
    counts: Counts = {}
    for table, of_table in by_table.items():
        inside: dict[tuple[Need, date | None], int] = defaultdict(int)
        before = dict.fromkeys(of_table, 0)
        for record in _count_query(store, table, of_table, scope).to_pyarrow().to_pylist():
            label = record.get("_period") if scope.grain else None
            for i, need in enumerate(of_table):
                if record["_in"]:
                    inside[(need, label)] += int(record[f"n{i}"] or 0)
                else:
                    before[need] += int(record[f"n{i}"] or 0)
        for need in of_table:
            running, counts[need] = before[need], {}
            for label in labels:
                running += inside[(need, label)]
                counts[need][label] = (inside[(need, label)], running)
    return counts


def _count_query(store: Store, table: Table, needs: list[Need], scope: Scope) -> ir.Table:
    """One aggregate of a table: per period of the range (and `_in` false for the rows before it),
    the rows of each need (`n{i}`)."""
    overall = replace(scope, by=())
    if table == "accounts":
        rows, ts = _accounts(store), "received_at"
    else:
        fields = [f for need in needs if need.where for f in fields_of(parse_filter(need.where))]
        people = scope.where is not None or scope.cohort is not None
        rows, ts = filtered_table(store, SOURCES[table], overall, fields, people)
        history = any(need.to_date for need in needs)
        rows = rows.filter(rows[ts].isnull() | (rows[ts] < timestamp_literal(scope.end)) if history
                           else (rows[ts] >= timestamp_literal(scope.start)) & (rows[ts] < timestamp_literal(scope.end)))
    named = [event for need in needs for event in need.events]
    if table == "events" and all(need.events for need in needs):
        rows = rows.filter(rows.event.isin(list(dict.fromkeys(named))))
    inside = (rows[ts] >= timestamp_literal(scope.start)).fill_null(False) if table != "accounts" else ibis.literal(False)
    keys = {"_in": inside}
    if scope.grain and table != "accounts":
        keys["_period"] = ibis.ifelse(inside, period_start(rows[ts], scope.grain, scope.week_start), ibis.null("date"))
    counted = {f"n{i}": rows.count(where=_condition(rows, need)) for i, need in enumerate(needs)}
    return rows.group_by(**keys).aggregate(**counted)


def _condition(rows: ir.Table, need: Need) -> ir.BooleanValue | None:
    """The rows of a need: of its events, passing its filter; None for every row."""
    conditions = [rows.event.isin(list(need.events))] if need.events else []
    if need.where:
        tree = map_fields(parse_filter(need.where), lambda f: resolve_field(rows, f))
        conditions.append(to_ibis(tree, rows).fill_null(False))
    return ibis.and_(*conditions) if conditions else None


def _accounts(store: Store) -> ir.Table:
    """The latest record of every account."""
    accounts = store.table("accounts")
    latest = ibis.row_number().over(group_by="account_id", order_by=ibis.desc("received_at"))
    return accounts.mutate(_n=latest).filter(ibis._._n == 0).drop("_n")


def _no_rows(need: Need, label: date | None, counts: Counts, scope: Scope) -> str:
    """The note on a need without rows in the period (sessions: why there are none)."""
    filtered = " matching the filter" if scope.where is not None else ""
    among = " of the cohort's people" if scope.cohort is not None else ""
    when = f"up to the end of {period_name(label, scope)}" if need.to_date else _in(label, scope)
    if need.table != "sessions" or need.where:
        return f"no {need.what}{filtered}{among} {when}"
    interactive, unsessioned = counts[WEB_APP][label][0], counts[NO_CHANNEL][label][0]
    if interactive:
        return (f"no sessions{filtered}{among} {when}, though the store has {interactive} web and app events then: "
                "the sessions table is out of date (run `engagekit derive`)")
    hint = (f" ({unsessioned} events without a channel are not sessionized; set a channel with --channel at ingest)"
            if unsessioned else "")
    return f"no sessions: sessions are built from web and app events, and the store has none {when}{hint}"


def _in(label: date | None, scope: Scope) -> str:
    name = period_name(label, scope)
    return f"on {name}" if scope.grain == "day" and label is not None else f"in {name}"


def _bounds(label: date | None, scope: Scope) -> tuple[date, date]:
    """The first day and the day after the last of a period, within the range."""
    return next((start, end) for period, start, end in scope.periods()
                if period == label)


def _whole_month(start: date, end: date) -> bool:
    return start.day == 1 and end == start + relativedelta(months=1)


def _holds(span: Span, start: date, end: date) -> bool:
    """Whether [start, end) holds a whole span (a 7-day week, a month, a calendar month)."""
    match span:
        case "week":
            return start + timedelta(days=7) <= end
        case "month":
            return start + relativedelta(months=1) <= end
        case "calendar month":
            first = start if start.day == 1 else start.replace(day=1) + relativedelta(months=1)
            return first + relativedelta(months=1) <= end
        case _ as unreachable:
            assert_never(unreachable)
