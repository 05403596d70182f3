"""KPI kinds written in Python: the kinds with typed catalog fields (time_between, followed_rate,
active_people, active_share, returning), dispatched here on the KPI's kind, and the registered
functions of `kind: python`. REGISTRY is built here from the `KINDS` of each module of MODULES
(functions marked with `@register(...)`): a new module is added to MODULES, so what is
registered reads here."""
from __future__ import annotations

from typing import assert_never

from engagekit.metrics.kinds import (
    activity,
    completion,
    lifetime_value,
    pages,
    registry,
    returning,
    revenue,
    subscriptions,
    surveys,
    texts,
    timing,
)
from engagekit.metrics.kinds.registry import RegisteredKind, sharing
from engagekit.metrics.needs import Needs
from engagekit.metrics.scope import Key, Scope
from engagekit.metrics.spec import Kind, Metric
from engagekit.metrics.values import Values
from engagekit.store import Store

MODULES = (activity, completion, lifetime_value, pages, revenue, subscriptions, surveys, texts)  # those with KINDS
REGISTRY: dict[str, RegisteredKind] = registry.registry_of(kind for module in MODULES for kind in module.KINDS)


def check_registered(name: str, params: registry.Params | None = None) -> None:
    """A catalog entry names a registered kind and only params it accepts (a ValueError)."""
    registry.check_registered(REGISTRY, name, params)


def run(metric: Metric, store: Store, scope: Scope) -> dict[Key, Values]:
    """The values of a KPI computed in Python, by period and segment."""
    match metric.kind:
        case Kind.TIME_BETWEEN:
            return timing.time_between(store, scope, metric.time_between)
        case Kind.FOLLOWED_RATE:
            return timing.followed_rate(store, scope, metric.followed_rate)
        case Kind.ACTIVE_PEOPLE:
            return activity.active_people(store, scope, metric.active_people)
        case Kind.ACTIVE_SHARE:
            return activity.active_share_of(store, scope, metric.active_share)
        case Kind.RETURNING:
            return returning.returning(store, scope, metric.returning)
        case Kind.PERIOD_POPULATION | Kind.PYTHON:
            return REGISTRY[metric.function].function(store, scope, dict(metric.params))
        case Kind.VALUE | Kind.RATIO:
            raise ValueError(f"{metric.name}: kind '{metric.kind.value}' is computed by the engine's scans")
        case _ as unreachable:
            assert_never(unreachable)


def needs_of(metric: Metric) -> Needs:
    """What a value of a KPI computed in Python needs, in words (metrics/needs.py)."""
    match metric.kind:
        case Kind.TIME_BETWEEN:
            return timing.time_between_needs(metric.time_between)
        case Kind.FOLLOWED_RATE:
            return timing.followed_rate_needs(metric.followed_rate)
        case Kind.ACTIVE_PEOPLE:
            return activity.active_people_needs(metric.active_people)
        case Kind.ACTIVE_SHARE:
            return activity.active_share_needs(metric.active_share)
        case Kind.RETURNING:
            return returning.returning_needs(metric.returning)
        case Kind.PERIOD_POPULATION | Kind.PYTHON:
            return REGISTRY[metric.function].needs(dict(metric.params))
        case Kind.VALUE | Kind.RATIO:
            raise ValueError(f"{metric.name}: kind '{metric.kind.value}' needs what its measures read")
        case _ as unreachable:
            assert_never(unreachable)


__all__ = ["MODULES", "REGISTRY", "check_registered", "needs_of", "run", "sharing"]
