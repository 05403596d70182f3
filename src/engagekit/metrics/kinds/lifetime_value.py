"""Annual churn from monthly churn, and customer lifetime value by the seeds' formula:
CLV = (annual customer revenue x length of relationship) - cost of acquisition and service."""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import replace
from datetime import date

from dateutil.relativedelta import relativedelta

from engagekit.errors import InputError
from engagekit.metrics.kinds.registry import Key, Params, grouped, register
from engagekit.metrics.kinds.revenue import mrr_movements
from engagekit.metrics.kinds.subscriptions import SUBSCRIPTIONS, subscriber_populations
from engagekit.metrics.needs import Needs, events_need, fixed
from engagekit.metrics.scope import Scope, key_of, scoped_table
from engagekit.metrics.spec import Source
from engagekit.metrics.values import Values
from engagekit.store import Store

MONTH = relativedelta(months=1)
MONTHS_PER_YEAR = 12
DAYS_PER_YEAR = 365.25
REVENUE_SOURCES = ("subscriptions", "orders")
MONTHLY_CHURN = Needs((SUBSCRIPTIONS,), "calendar month", "subscribers at the start of a whole month of the period")


def whole_months(start: date, end: date) -> list[date]:
    """First days of the calendar months that lie wholly inside [start, end)."""
    month = start if start.day == 1 else start.replace(day=1) + MONTH
    months = []
    while month + MONTH <= end:
        months.append(month)
        month += MONTH
    return months


def monthly_churn(store: Store, scope: Scope) -> dict[Key, list[tuple[int, int]]]:
    """Per period and segment: (lost, subscribers at start) of each whole calendar month inside
    the period (the churn_rate populations, month by month)."""
    months = whole_months(scope.start, scope.end)
    if not months:
        return {}
    populations = subscriber_populations(store, replace(scope, start=months[0], end=months[-1] + MONTH, grain="month"))
    segments = {segment for _, segment in populations}
    out: dict[Key, list[tuple[int, int]]] = defaultdict(list)
    for label, start, end in scope.periods():
        for segment in segments:
            out[(label, segment)] = [(populations[(m, segment)]["L"], populations[(m, segment)]["S"])
                                     for m in whole_months(start, end) if (m, segment) in populations]
    return out


def annual_churn(months: list[tuple[int, int]]) -> float | None:
    """1 - (1 - m)^12, m the monthly churn: with several months, m is their geometric mean
    1 - (prod(1 - m_i))^(1/n), so annual churn = 1 - prod(1 - m_i)^(12/n). Months without
    subscribers at the start are skipped; no value without any month."""
    rates = [lost / at_start for lost, at_start in months if at_start]
    if not rates:
        return None
    survival = math.prod(1.0 - rate for rate in rates)
    return 1.0 - survival ** (MONTHS_PER_YEAR / len(rates))


@register("annual_churn_rate", needs=fixed(MONTHLY_CHURN))
def annual_churn_rate(store: Store, scope: Scope, params: Params) -> dict[Key, Values]:
    """Annual churn = 1 - (1 - m)^12 from the monthly churn m of the whole calendar months of the
    period (never 12 x m); numerator and denominator are the months' lost and starting
    subscribers summed. A period without a whole month has no value."""
    return {key: Values(annual_churn(months), float(sum(lost for lost, _ in months)), float(sum(s for _, s in months)))
            for key, months in monthly_churn(store, scope).items()}


def years_of(start: date, end: date) -> float:
    """The length of [start, end) in years: whole months / 12, else days / 365.25."""
    if start.day == 1 and end.day == 1:
        delta = relativedelta(end, start)
        return (delta.years * MONTHS_PER_YEAR + delta.months) / MONTHS_PER_YEAR
    return (end - start).days / DAYS_PER_YEAR


def annual_revenue_per_customer(store: Store, scope: Scope, source: str) -> dict[Key, float | None]:
    """subscriptions: 12 x MRR at the period's start / customers paying then (ARPA x 12);
    orders: order revenue of the period / buyers, divided by the period's length in years."""
    if source == "subscriptions":
        return {key: MONTHS_PER_YEAR * m["start"] / m["customers"] if m["customers"] else None
                for key, m in mrr_movements(store, scope).items()}
    years = {label: years_of(start, end) for label, start, end in scope.periods()}
    table, ts = scoped_table(store, Source.EVENTS, scope)
    orders = table.filter(table.event == "order_completed")
    expr = grouped(orders, ts, scope, revenue=orders.revenue.sum(), buyers=orders.person_id.nunique())
    out: dict[Key, float | None] = {}
    for record in expr.to_pyarrow().to_pylist():
        label, segment = key_of(record, scope)
        revenue, buyers = record["revenue"] or 0.0, record["buyers"]
        out[(label, segment)] = revenue / buyers / years[label] if buyers else None
    return out


def _clv_needs(params: Params) -> Needs:
    """Revenue (orders, or subscriptions), and a lifespan: the param, else from the monthly churn."""
    revenue = events_need(["order_completed"]) if params.get("revenue_source") == "orders" else SUBSCRIPTIONS
    if params.get("lifespan_years") is not None:
        return Needs((revenue,), denominator="lifespan")
    return Needs(tuple(dict.fromkeys((revenue, SUBSCRIPTIONS))), "calendar month",
                 "lifespan: the annual churn is 0 or unknown (give the param lifespan_years)")


@register("clv", params=("revenue_source", "lifespan_years", "acquisition_cost", "service_cost_per_year"),
          needs=_clv_needs)
def customer_lifetime_value(store: Store, scope: Scope, params: Params) -> dict[Key, Values]:
    """CLV = annual revenue per customer x lifespan in years - acquisition_cost
    - service_cost_per_year x lifespan (the seeds' formula; costs default 0).

    Lifespan = the `lifespan_years` param, else 1 / annual churn rate of the period (no value
    when annual churn is 0 or unknown). Annual revenue per customer: see
    annual_revenue_per_customer (`revenue_source`, default subscriptions).
    numerator = annual revenue per customer, denominator = lifespan in years."""
    source = str(params.get("revenue_source", "subscriptions"))
    if source not in REVENUE_SOURCES:
        raise InputError(f"clv: revenue_source {source!r}; use {' or '.join(REVENUE_SOURCES)}")
    acquisition = float(params.get("acquisition_cost", 0))
    service = float(params.get("service_cost_per_year", 0))
    fixed = params.get("lifespan_years")
    churn = {} if fixed is not None else monthly_churn(store, scope)
    out: dict[Key, Values] = {}
    for key, revenue in annual_revenue_per_customer(store, scope, source).items():
        annual = None if fixed is not None else annual_churn(churn.get(key, []))
        years = float(fixed) if fixed is not None else (1.0 / annual if annual else None)
        value = revenue * years - acquisition - service * years if revenue is not None and years is not None else None
        out[key] = Values(value, revenue, years)
    return out


KINDS = (annual_churn_rate, customer_lifetime_value,)  # the registered kinds of this module (metrics/kinds/__init__.py)
