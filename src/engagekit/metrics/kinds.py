"""Registered KPI kinds for what YAML cannot say (score formulas, period populations).

A kind is a function (store, scope) -> {(period, segment): (value, numerator, denominator)},
built from Ibis expressions like the rest of the engine. Catalog entries name it in `function`.
"""
from __future__ import annotations

import difflib
from collections.abc import Callable
from datetime import date

import ibis
import ibis.expr.types as ir
from dateutil.relativedelta import relativedelta

from engagekit.errors import ConfigError
from engagekit.json_fields import json_number, json_text
from engagekit.metrics.scope import Key, Scope, filtered_table, group_keys, key_of, scoped_table, timestamp_literal
from engagekit.metrics.spec import Source
from engagekit.store import Store

Values = tuple[float | None, float | None, float | None]
KindFunction = Callable[[Store, Scope], dict[Key, Values]]
REGISTRY: dict[str, KindFunction] = {}

NPS_PROMOTER_MIN = 9  # Reichheld (2003): promoters answer 9-10, detractors 0-6, passives 7-8
NPS_DETRACTOR_MAX = 6
SUBSCRIPTION_EVENTS = ("subscription_started", "subscription_renewed", "subscription_changed", "subscription_cancelled")


def register(name: str) -> Callable[[KindFunction], KindFunction]:
    def add(function: KindFunction) -> KindFunction:
        REGISTRY[name] = function
        return function

    return add


def check_registered(name: str) -> None:
    if name not in REGISTRY:
        close = difflib.get_close_matches(name, list(REGISTRY), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else f"; registered: {', '.join(sorted(REGISTRY))}"
        raise ConfigError(f"unknown KPI function {name!r}{hint}")


def run(name: str, store: Store, scope: Scope) -> dict[Key, Values]:
    check_registered(name)
    return REGISTRY[name](store, scope)


def _collect(expr: ir.Table, scope: Scope, value: Callable[[dict], Values]) -> dict[Key, Values]:
    return {key_of(record, scope): value(record) for record in expr.to_pyarrow().to_pylist()}


def _grouped(table: ir.Table, ts: str, scope: Scope, **aggregates: ir.Scalar) -> ir.Table:
    keys = group_keys(table, ts, scope)
    return table.group_by(**keys).aggregate(**aggregates) if keys else table.aggregate(**aggregates)


@register("nps")
def net_promoter_score(store: Store, scope: Scope) -> dict[Key, Values]:
    """NPS = %promoters (9-10) - %detractors (0-6) of NPS responses, passives in the denominator;
    no value without responses. numerator = promoters - detractors, denominator = responses."""
    table, ts = scoped_table(store, Source.EVENTS, scope)
    survey = json_text(table.properties, "survey")
    table = table.filter(table.event == "survey_responded", survey == "nps")
    score = json_number(table.properties, "score")
    expr = _grouped(table, ts, scope,
                    promoters=(score >= NPS_PROMOTER_MIN).ifelse(1, 0).sum(),
                    detractors=(score <= NPS_DETRACTOR_MAX).ifelse(1, 0).sum(),
                    responses=score.count())

    def value(r: dict) -> Values:
        net = (r["promoters"] or 0) - (r["detractors"] or 0)
        return (net / r["responses"] * 100 if r["responses"] else None, float(net), float(r["responses"] or 0))

    return _collect(expr, scope, value)


def _periods(scope: Scope) -> list[tuple[date | None, date, date]]:
    """(period label, start, end) of each period of the scope; one unlabelled period without grain."""
    if scope.grain is None:
        return [(None, scope.start, scope.end)]
    step = {"day": relativedelta(days=1), "week": relativedelta(weeks=1), "month": relativedelta(months=1),
            "quarter": relativedelta(months=3)}[scope.grain]
    first = _truncate(scope.start, scope.grain)
    periods, current = [], first
    while current < scope.end:
        periods.append((current, max(current, scope.start), min(current + step, scope.end)))
        current = current + step
    return periods


def _truncate(day: date, grain: str) -> date:
    if grain == "week":
        return day - relativedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return day


def subscriber_populations(store: Store, scope: Scope) -> dict[Key, dict[str, int]]:
    """Per period and segment: S subscribers at the start, E at the end, N new in the period,
    L lost (subscribers at the start who are not at the end). A person is a subscriber at time t
    when their last subscription event before t is not a cancellation."""
    events, _ = filtered_table(store, Source.EVENTS, scope)
    subs = events.filter(events.event.isin(list(SUBSCRIPTION_EVENTS)))
    results: dict[Key, dict[str, int]] = {}
    for label, start, end in _periods(scope):
        people = _segmented_people(subs, scope)
        at_start = _active_at(subs, start).rename(active_start="active")
        at_end = _active_at(subs, end).rename(active_end="active")
        first = subs.filter(subs.event == "subscription_started").group_by("person_id").aggregate(first_start=ibis._.ts.min())
        joined = (people.left_join(at_start, "person_id").select(people, at_start.active_start)
                  .left_join(at_end, "person_id").select(ibis._, at_end.active_end))
        joined = joined.left_join(first, "person_id").select(joined, first.first_start)
        new = (joined.first_start >= timestamp_literal(start)) & (joined.first_start < timestamp_literal(end))
        start_flag, end_flag = joined.active_start.fill_null(False), joined.active_end.fill_null(False)
        segment_keys = {f"_by{i}": joined[f"_by{i}"] for i in range(len(scope.by))}
        aggregates = dict(S=start_flag.ifelse(1, 0).sum(), E=end_flag.ifelse(1, 0).sum(),
                          N=new.fill_null(False).ifelse(1, 0).sum(), L=(start_flag & ~end_flag).ifelse(1, 0).sum())
        expr = joined.group_by(**segment_keys).aggregate(**aggregates) if segment_keys else joined.aggregate(**aggregates)
        for record in expr.to_pyarrow().to_pylist():
            segment = tuple((field, record[f"_by{i}"]) for i, field in enumerate(scope.by))
            results[(label, segment)] = {k: int(record[k] or 0) for k in "SENL"}
    return results


def _segmented_people(subs: ir.Table, scope: Scope) -> ir.Table:
    """Each person once, with their segment values (traits have one value per person)."""
    keys = group_keys(subs, "ts", Scope(scope.start, scope.end, None, scope.by, None))
    return subs.select(subs.person_id, **keys).distinct()


def _active_at(subs: ir.Table, moment: date) -> ir.Table:
    before = subs.filter(subs.ts < timestamp_literal(moment))
    latest = ibis.row_number().over(group_by="person_id", order_by=[ibis.desc("ts"), ibis.desc("event_id")])
    last = before.mutate(_n=latest).filter(ibis._._n == 0)
    return last.select("person_id", active=last.event != "subscription_cancelled")


@register("churn_rate")
def churn_rate(store: Store, scope: Scope) -> dict[Key, Values]:
    """Churn rate = customers lost in the period / customers at its start (L / S)."""
    return {key: (p["L"] / p["S"] if p["S"] else None, float(p["L"]), float(p["S"]))
            for key, p in subscriber_populations(store, scope).items()}


@register("retention_rate")
def retention_rate(store: Store, scope: Scope) -> dict[Key, Values]:
    """Retention rate = (E - N) / S: customers at the end less the new ones, over those at the start."""
    return {key: ((p["E"] - p["N"]) / p["S"] if p["S"] else None, float(p["E"] - p["N"]), float(p["S"]))
            for key, p in subscriber_populations(store, scope).items()}
