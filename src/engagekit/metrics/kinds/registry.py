"""The registry of KPI kinds written in Python, for what YAML cannot say.

A kind is a function (store, scope, params) -> {(period, segment): Values},
built from Ibis expressions like the rest of the engine. Catalog entries of `kind: python` (and
`period_population`) name it in `function`; the kinds with typed fields are dispatched in
metrics/kinds/__init__.py. `@register` marks a function with its name, params and needs; nothing
is registered by importing a module: metrics/kinds/__init__.py builds the registry from the
`KINDS` each module lists.
"""
from __future__ import annotations

import contextlib
import difflib
import functools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import ibis.expr.types as ir

from engagekit.metrics.needs import NeedsOf, no_needs
from engagekit.metrics.scope import Key, Scope, group_keys, key_of
from engagekit.metrics.values import Values
from engagekit.store import Store

if TYPE_CHECKING:
    from engagekit.metrics.spec import Metric

Params = dict[str, Any]
MARK = "registered_kind"  # the attribute @register sets on a kind's function
KindFunction = Callable[[Store, Scope, Params], dict[Key, Values]]


@dataclass(frozen=True)
class RegisteredKind:
    name: str
    function: KindFunction
    params: frozenset[str]  # the params a catalog entry may (or must) give
    needs: NeedsOf = no_needs  # what a value needs, from the params: read to say why a value is missing


_SHARED: ContextVar[dict | None] = ContextVar("engagekit_shared_kind_results", default=None)
_REQUESTED: ContextVar[tuple[Metric, ...]] = ContextVar("engagekit_requested_metrics", default=())
Result = TypeVar("Result")


def register(name: str, params: tuple[str, ...] = (), needs: NeedsOf = no_needs) -> Callable[[KindFunction], KindFunction]:
    """Mark a function as the kind `name`, accepting the given params from catalog entries; `needs`
    says what a value needs (metrics/needs.py), to explain the rows without one. The kind counts
    once its module lists the function in `KINDS`."""
    def mark(function: KindFunction) -> KindFunction:
        setattr(function, MARK, RegisteredKind(name, function, frozenset(params), needs))
        return function

    return mark


def registry_of(functions: Iterable[KindFunction]) -> dict[str, RegisteredKind]:
    """The kinds of marked functions by name; a function not marked, or a name twice, is an error."""
    registry: dict[str, RegisteredKind] = {}
    for function in functions:
        kind = getattr(function, MARK, None)
        if not isinstance(kind, RegisteredKind):
            raise RuntimeError(f"{function.__qualname__} is listed as a KPI kind without @register")
        if kind.name in registry:
            raise RuntimeError(f"KPI kind {kind.name!r} is registered twice")
        registry[kind.name] = kind
    return registry


def check_registered(registry: dict[str, RegisteredKind], name: str, params: Params | None = None) -> None:
    """A catalog entry names a registered kind and only params it accepts (a ValueError, so the
    catalog loader reports the file and line)."""
    if name not in registry:
        close = difflib.get_close_matches(name, list(registry), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else f"; registered: {', '.join(sorted(registry))}"
        raise ValueError(f"unknown KPI function {name!r}{hint}")
    unknown = set(params or {}) - registry[name].params
    if unknown:
        raise ValueError(f"function {name!r} takes params {sorted(registry[name].params) or 'none'}, not {sorted(unknown)}")


@contextlib.contextmanager
def sharing(metrics: Sequence[Metric] = ()) -> Iterator[None]:
    """Within the block, each `shared` function runs once per store, scope and arguments: kinds
    built on the same populations (DAU, MAU and stickiness; churn, retention and subscriber
    growth; the revenue movements) then query them once per computation, not once per KPI.
    `metrics` are the KPIs of the computation (see `requested`)."""
    token, requested = _SHARED.set({}), _REQUESTED.set(tuple(metrics))
    try:
        yield
    finally:
        _SHARED.reset(token)
        _REQUESTED.reset(requested)


def requested_metrics() -> tuple[Metric, ...]:
    """The KPIs of the current computation, so a kind can compute those alike in one query (the
    pairing KPIs that share their start events)."""
    return _REQUESTED.get()


def requested(function: str) -> list[Params]:
    """The params of the KPIs of the current computation that use the registered kind `function`
    (onboarding completion rate and time to complete share one query)."""
    return [dict(metric.params) for metric in requested_metrics() if metric.function == function]


def shared(function: Callable[..., Result]) -> Callable[..., Result]:
    """Reuse the result of `function(store, scope, *args)` inside a `sharing()` block; callers
    must not modify what it returns."""
    @functools.wraps(function)
    def reuse(store: Store, scope: Scope, *args: Any) -> Result:
        results = _SHARED.get()
        if results is None:
            return function(store, scope, *args)
        key = (function.__qualname__, id(store), scope.start, scope.end, scope.grain, scope.by, repr(scope.where),
               id(scope.cohort), json.dumps(args, sort_keys=True, default=str))
        if key not in results:
            results[key] = function(store, scope, *args)
        return results[key]

    return reuse


def collect(expr: ir.Table, scope: Scope, value: Callable[[dict], Values]) -> dict[Key, Values]:
    """Run a grouped expression and turn each record into the values of its (period, segment)."""
    return {key_of(record, scope): value(record) for record in expr.to_pyarrow().to_pylist()}


def grouped(table: ir.Table, ts: str, scope: Scope, **aggregates: ir.Scalar) -> ir.Table:
    """Aggregate a table by the scope's period and segments."""
    keys = group_keys(table, ts, scope)
    return table.group_by(**keys).aggregate(**aggregates) if keys else table.aggregate(**aggregates)


def aggregate_by(table: ir.Table, groups: list[str], **aggregates: ir.Scalar) -> ir.Table:
    """Aggregate by the group columns (period, segments), or overall when there are none."""
    return table.group_by(groups).aggregate(**aggregates) if groups else table.aggregate(**aggregates)


def share(part: str, whole: str) -> Callable[[dict], Values]:
    """Record -> (part / whole, part, whole); no value when the whole is zero."""
    def values(record: dict) -> Values:
        numerator, denominator = float(record[part] or 0), float(record[whole] or 0)
        return Values(numerator / denominator if denominator else None, numerator, denominator)

    return values
