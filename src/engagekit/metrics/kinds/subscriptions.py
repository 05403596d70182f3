"""Period populations of subscribers: S at the start, E at the end, N new, L lost."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import ibis
import ibis.expr.types as ir

from engagekit.metrics.kinds.registry import Key, Params, register, shared
from engagekit.metrics.needs import Needs, events_need, fixed
from engagekit.metrics.scope import Scope, filtered_table, group_keys, timestamp_literal
from engagekit.metrics.spec import Source
from engagekit.metrics.values import Values
from engagekit.store import Store

SUBSCRIPTION_EVENTS = ("subscription_started", "subscription_renewed", "subscription_changed", "subscription_cancelled")
SUBSCRIPTIONS = events_need(SUBSCRIPTION_EVENTS, to_date=True, label="subscription events")
SUBSCRIBERS = fixed(Needs((SUBSCRIPTIONS,), denominator="subscribers at the start of the period"))


def subscriber_populations(store: Store, scope: Scope) -> dict[Key, dict[str, int]]:
    """Per period and segment: S subscribers at the start, E at the end, N new in the period and
    still subscribers at its end (one who joins and leaves within the period is in neither E nor
    N, so (E - N) / S is exactly the share of S retained),
    L lost (subscribers at the start who are not at the end). A person is a subscriber at time t
    when their last subscription event before t is not a cancellation."""
    results: dict[Key, dict[str, int]] = {}
    for label, start, end in scope.periods():
        for segment, populations in _period_populations(store, replace(scope, start=start, end=end, grain=None)).items():
            results[(label, segment)] = populations
    return results


@shared
def _period_populations(store: Store, scope: Scope) -> dict[tuple, dict[str, int]]:
    """The populations of the one period [scope.start, scope.end) by segment, queried once per
    computation for that range (churn and retention of a month, and the monthly churn behind
    annual churn and CLV)."""
    events, _ = filtered_table(store, Source.EVENTS, scope)
    subs = events.filter(events.event.isin(list(SUBSCRIPTION_EVENTS)))
    start, end = scope.start, scope.end
    people = _segmented_people(subs, scope)
    at_start = _active_at(subs, start).rename(active_start="active")
    at_end = _active_at(subs, end).rename(active_end="active")
    first = subs.filter(subs.event == "subscription_started").group_by("person_id").aggregate(first_start=ibis._.ts.min())
    joined = people.left_join(at_start, "person_id").select(people, at_start.active_start)
    joined = joined.left_join(at_end, "person_id").select(joined, at_end.active_end)
    joined = joined.left_join(first, "person_id").select(joined, first.first_start)
    new = (joined.first_start >= timestamp_literal(start)) & (joined.first_start < timestamp_literal(end))
    start_flag, end_flag = joined.active_start.fill_null(False), joined.active_end.fill_null(False)
    segment_keys = {f"_by{i}": joined[f"_by{i}"] for i in range(len(scope.by))}
    aggregates = {"S": start_flag.ifelse(1, 0).sum(), "E": end_flag.ifelse(1, 0).sum(),
                  "N": (new.fill_null(False) & end_flag).ifelse(1, 0).sum(), "L": (start_flag & ~end_flag).ifelse(1, 0).sum()}
    expr = joined.group_by(**segment_keys).aggregate(**aggregates) if segment_keys else joined.aggregate(**aggregates)
    return {tuple((field, record[f"_by{i}"]) for i, field in enumerate(scope.by)): {k: int(record[k] or 0) for k in "SENL"}
            for record in expr.to_pyarrow().to_pylist()}


def _segmented_people(subs: ir.Table, scope: Scope) -> ir.Table:
    """Each person once, with their segment values (traits have one value per person)."""
    keys = group_keys(subs, "ts", replace(scope, grain=None))
    return subs.select(subs.person_id, **keys).distinct()


def _active_at(subs: ir.Table, moment: date) -> ir.Table:
    before = subs.filter(subs.ts < timestamp_literal(moment))
    latest = ibis.row_number().over(group_by="person_id", order_by=[ibis.desc("ts"), ibis.desc("event_id")])
    last = before.mutate(_n=latest).filter(ibis._._n == 0)
    return last.select("person_id", active=last.event != "subscription_cancelled")


@register("churn_rate", needs=SUBSCRIBERS)
def churn_rate(store: Store, scope: Scope, params: Params) -> dict[Key, Values]:
    """Churn rate = customers lost in the period / customers at its start (L / S)."""
    return {key: Values(p["L"] / p["S"] if p["S"] else None, float(p["L"]), float(p["S"]))
            for key, p in subscriber_populations(store, scope).items()}


@register("retention_rate", needs=SUBSCRIBERS)
def retention_rate(store: Store, scope: Scope, params: Params) -> dict[Key, Values]:
    """Retention rate = (E - N) / S: customers at the end less the new ones, over those at the start."""
    return {key: Values((p["E"] - p["N"]) / p["S"] if p["S"] else None, float(p["E"] - p["N"]), float(p["S"]))
            for key, p in subscriber_populations(store, scope).items()}


KINDS = (churn_rate, retention_rate,)  # the registered kinds of this module (metrics/kinds/__init__.py)
