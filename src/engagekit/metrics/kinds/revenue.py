"""Subscription revenue and subscriber movements: gross revenue churn, net revenue retention,
subscriber growth.

A person's MRR at a moment is 0 when their last subscription event before it is a cancellation,
else the properties.mrr of their last subscription event before it that states one (renewals
without an mrr keep the previous amount). Movements compare each customer's MRR at the start
and at the end of the period, for the customers paying at the start (the standard cohort view:
a downgrade undone within the period is no loss; new customers do not enter these KPIs).
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import ibis
import ibis.expr.types as ir

from engagekit.json_fields import json_number
from engagekit.metrics.kinds.registry import Key, Params, register, shared
from engagekit.metrics.kinds.subscriptions import (
    SUBSCRIBERS,
    SUBSCRIPTION_EVENTS,
    SUBSCRIPTIONS,
    subscriber_populations,
)
from engagekit.metrics.needs import Needs, fixed
from engagekit.metrics.scope import Scope, filtered_table, group_keys, timestamp_literal
from engagekit.metrics.spec import Source
from engagekit.metrics.values import Values
from engagekit.store import Store

CANCELLED = "subscription_cancelled"
MOVEMENTS = ("customers", "start", "end", "expansion", "contraction", "churned")
PAYING = fixed(Needs((SUBSCRIPTIONS,), denominator="MRR at the start of the period"))


def mrr_at(subs: ir.Table, moment: date, scope: Scope) -> ir.Table:
    """person_id, mrr and the `by` segments (read on the person's last subscription event)
    for everyone with a subscription event before `moment`."""
    before = subs.filter(subs.ts < timestamp_literal(moment))
    order = [ibis.desc("ts"), ibis.desc("event_id")]
    last = before.mutate(_n=ibis.row_number().over(group_by="person_id", order_by=order)).filter(ibis._._n == 0)
    priced = before.filter(before.event != CANCELLED).mutate(_mrr=json_number(before.properties, "mrr"))
    priced = priced.filter(priced._mrr.notnull())
    price = priced.mutate(_n=ibis.row_number().over(group_by="person_id", order_by=order)).filter(ibis._._n == 0)
    price = price.select(priced_person=price.person_id, price=price._mrr)
    joined = last.left_join(price, last.person_id == price.priced_person)
    mrr = ibis.ifelse(joined.event == CANCELLED, 0.0, joined.price.fill_null(0.0))
    segments = group_keys(joined, "ts", replace(scope, grain=None))
    return joined.select(person_id=joined.person_id, mrr=mrr, **segments)


@shared
def mrr_movements(store: Store, scope: Scope) -> dict[Key, dict[str, float]]:
    """Per period and segment (the customer's at the start): customers paying at the start,
    their MRR at the start and at the end, and its expansion, contraction and churn (MRR of
    those at 0 at the end)."""
    events, _ = filtered_table(store, Source.EVENTS, scope)
    subs = events.filter(events.event.isin(list(SUBSCRIPTION_EVENTS)))
    segment_columns = [f"_by{i}" for i in range(len(scope.by))]
    results: dict[Key, dict[str, float]] = {}
    for label, start, end in scope.periods():
        cohort = mrr_at(subs, start, scope)
        cohort = cohort.filter(cohort.mrr > 0)
        later = mrr_at(subs, end, replace(scope, by=())).rename(later_person="person_id", later_mrr="mrr")
        joined = cohort.left_join(later, cohort.person_id == later.later_person)
        first, last = joined.mrr, joined.later_mrr.fill_null(0.0)
        aggregates = dict(
            customers=joined.count(),
            start=first.sum(),
            end=last.sum(),
            expansion=ibis.ifelse(last > first, last - first, 0.0).sum(),
            contraction=ibis.ifelse((last > 0) & (last < first), first - last, 0.0).sum(),
            churned=ibis.ifelse(last == 0, first, 0.0).sum(),
        )
        expr = (joined.group_by(segment_columns).aggregate(**aggregates) if segment_columns
                else joined.aggregate(**aggregates))
        for record in expr.to_pyarrow().to_pylist():
            segment = tuple((field, record[f"_by{i}"]) for i, field in enumerate(scope.by))
            results[(label, segment)] = {name: float(record[name] or 0) for name in MOVEMENTS}
    return results


@register("gross_revenue_churn", needs=PAYING)
def gross_revenue_churn(store: Store, scope: Scope, params: Params) -> dict[Key, Values]:
    """Gross revenue churn = (churned MRR + contraction MRR) / MRR at start; no value without
    MRR at the start."""
    out: dict[Key, Values] = {}
    for key, m in mrr_movements(store, scope).items():
        lost = m["churned"] + m["contraction"]
        out[key] = Values(lost / m["start"] if m["start"] else None, lost, m["start"])
    return out


@register("net_revenue_retention", needs=PAYING)
def net_revenue_retention(store: Store, scope: Scope, params: Params) -> dict[Key, Values]:
    """NRR = (MRR at start + expansion - contraction - churned MRR) / MRR at start, over the
    customers paying at the start (numerator = their MRR at the end)."""
    out: dict[Key, Values] = {}
    for key, m in mrr_movements(store, scope).items():
        kept = m["start"] + m["expansion"] - m["contraction"] - m["churned"]
        out[key] = Values(kept / m["start"] if m["start"] else None, kept, m["start"])
    return out


@register("subscriber_growth", needs=SUBSCRIBERS)
def subscriber_growth(store: Store, scope: Scope, params: Params) -> dict[Key, Values]:
    """Subscriber growth = (subscribers gained - subscribers lost) / subscribers at start
    = (E - S) / S; gained counts subscribers at the end who were not at the start (first-time or
    returning), so someone who subscribes and cancels within the period counts in neither."""
    return {key: Values((p["E"] - p["S"]) / p["S"] if p["S"] else None, float(p["E"] - p["S"]), float(p["S"]))
            for key, p in subscriber_populations(store, scope).items()}


KINDS = (gross_revenue_churn, net_revenue_retention, subscriber_growth,)  # the registered kinds of this module (metrics/kinds/__init__.py)
