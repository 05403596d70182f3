"""Journey analyses for the Funnels, Retention and Engagement pages: the form's parameters read
into the analyses' typed queries (engagekit.analyses), run over the view's range and segment.

Form fields are only ever parsed into those query models, never into SQL. Each analysis holds
the store (lock) only while it runs.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from engagekit.people.query import EventFilter
from engagekit.people.ranges import DateRange
from engagekit.analyses.funnel import (
    FunnelQuery,
    FunnelResult,
    parse_window,
    run_funnel,
)
from engagekit.analyses.lifecycle import LifecycleQuery, LifecycleResult, run_lifecycle
from engagekit.analyses.paths import PathsQuery, PathsResult, run_paths
from engagekit.analyses.retention import RetentionQuery, RetentionResult, run_retention
from engagekit.analyses.stickiness import (
    StickinessQuery,
    StickinessResult,
    run_stickiness,
)
from engagekit.dashboard.segment import analysis_store
from engagekit.dashboard.view import View, whole_number
from engagekit.errors import InputError, validation_message
from engagekit.people.names import EventNames
from engagekit.store import Store

DEFAULT_FUNNEL = ("product_viewed", "product_added", "checkout_started", "order_completed")
DEFAULT_RETENTION = {"start_event": "signed_up", "return_event": "*", "period": "week", "periods": "8",
                     "mode": "first_time"}
TOP_PATHS = 10
PATH_STEPS = 4

Locked = Callable[[], AbstractContextManager[Store]]


def _range(view: View) -> DateRange:
    return DateRange(start=view.start, end=view.end)


def funnel_query(view: View, steps: Sequence[str], window: str, mode: str, breakdown: str | None) -> FunnelQuery:
    """The funnel of the form: steps as on the CLI (`NAME` or `NAME where FILTER`), a window such as
    14d, a mode and an optional breakdown, over the view's range and saved cohort."""
    chosen = [s.strip() for s in steps if s.strip()]
    if len(chosen) < 2:
        raise InputError("steps: a funnel needs at least two steps")
    seconds = parse_window(window)
    return _validated(lambda: FunnelQuery(
        steps=[EventFilter.parse(s) for s in chosen], mode=mode, window=seconds, range=_range(view),
        breakdown=breakdown.strip() if breakdown and breakdown.strip() else None, cohort=view.cohort,
    ))


def funnel(locked: Locked, view: View, query: FunnelQuery, event_names: EventNames) -> FunnelResult:
    with locked() as store:
        return run_funnel(analysis_store(store, view), query, event_names)


def retention_query(view: View, form: Mapping[str, str]) -> RetentionQuery:
    """The retention matrix of the form (start and return events, period, periods, mode,
    cumulative), cohorts starting in the view's range."""
    values = {**DEFAULT_RETENTION, **{k: v for k, v in form.items() if v}}
    periods = whole_number(str(values["periods"]), "periods")
    return _validated(lambda: RetentionQuery(
        start_event=EventFilter.parse(values["start_event"]), return_event=EventFilter.parse(values["return_event"]),
        period=values["period"], periods=periods, mode=values["mode"],
        cumulative=values.get("cumulative") in ("on", "true", "1"), range=_range(view), cohort=view.cohort,
    ))


def retention(locked: Locked, view: View, query: RetentionQuery, event_names: EventNames) -> RetentionResult:
    with locked() as store:
        return run_retention(analysis_store(store, view), query, event_names)


@dataclass(frozen=True)
class Engagement:
    """DAU/WAU/MAU and stickiness, lifecycle per week, and the top paths of the view."""

    stickiness: StickinessResult
    lifecycle: LifecycleResult
    paths: PathsResult


def engagement(locked: Locked, view: View) -> Engagement:
    """The three analyses of the Engagement page, each under the lock on its own."""
    common: dict[str, Any] = {"range": _range(view), "cohort": view.cohort}
    with locked() as store:
        sticky = run_stickiness(analysis_store(store, view), StickinessQuery(**common))
    with locked() as store:
        life = run_lifecycle(analysis_store(store, view), LifecycleQuery(**common, period="week"))
    with locked() as store:
        paths = run_paths(analysis_store(store, view), PathsQuery(**common, steps=PATH_STEPS, top=TOP_PATHS))
    return Engagement(sticky, life, paths)


def _validated(build: Callable[[], Any]) -> Any:
    """A query model built from form values; validation errors become one readable InputError."""
    try:
        return build()
    except ValidationError as exc:
        raise InputError(validation_message(exc.errors())) from exc
