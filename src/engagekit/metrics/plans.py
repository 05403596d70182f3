"""Compiled KPI queries, reused across `compute` calls.

Turning an Ibis expression into SQL costs a few milliseconds of Python (rewrites, then sqlglot),
as much as running a simple KPI query on millions of rows. A plan is the compiled query of one
scan, kept per store under a key naming everything the expression depends on (the measures, the
source, the range, grain, segments and filter), so a KPI asked again (a dashboard refresh, the
same month for another view) is run, not rebuilt and recompiled. Results are never kept: a plan
reads the store's current rows each time.

A plan is what `Store.prepare` makes of the expression: on DuckDB the SQL Ibis compiled, on
other engines the expression itself (their query time dwarfs the compile).
"""
from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable

import ibis.expr.types as ir

from engagekit.store import Store

PLANS_PER_STORE = 512  # least recently used plans beyond this are dropped
Plan = Callable[[], list[dict]]

_PLANS: weakref.WeakKeyDictionary[Store, OrderedDict[Hashable, Plan]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def records(store: Store, key: Hashable | None, build: Callable[[], ir.Table]) -> list[dict]:
    """The rows of the query `build()` returns, compiled once per `key` (None: not reusable,
    built and run this time only)."""
    if key is None:
        return build().to_pyarrow().to_pylist()
    with _LOCK:  # the read API computes KPIs from several threads
        plans = _PLANS.setdefault(store, OrderedDict())
        plan = plans.get(key)
        if plan is not None:
            plans.move_to_end(key)
    if plan is None:
        plan = _compile(store, build())
        with _LOCK:
            plans[key] = plan
            if len(plans) > PLANS_PER_STORE:
                plans.popitem(last=False)
    return plan()


def _compile(store: Store, expr: ir.Table) -> Plan:
    run = store.prepare(expr)
    return lambda: run().to_pylist()
