"""Journey analyses for the Funnels, Retention and Engagement pages: the form's parameters read
into the analyses' typed queries (engagekit.analyses), run over the view's range and segment.
Every analysis runs through the registry (`run_analysis` by name; `analysis_query` reads any
registered analysis' query from form text), so a new analysis is in the data layer at once.

Form fields are only ever parsed into those query models, never into SQL. Each analysis holds
the store (lock) only while it runs.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from engagekit.analyses.funnel import FunnelQuery, FunnelResult, parse_window
from engagekit.analyses.lifecycle import LifecycleQuery, LifecycleResult
from engagekit.analyses.paths import PathsQuery, PathsResult
from engagekit.analyses.protocol import Project
from engagekit.analyses.retention import RetentionQuery, RetentionResult
from engagekit.analyses.stickiness import StickinessQuery, StickinessResult
from engagekit.analyses.text_query import query_from_text
from engagekit.dashboard.segment import analysis_store
from engagekit.dashboard.view import View, whole_number
from engagekit.errors import InputError, validation_message
from engagekit.people.query import EventFilter
from engagekit.people.ranges import DateRange
from engagekit.registry import get
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


def funnel(locked: Locked, view: View, query: FunnelQuery, project: Project) -> FunnelResult:
    return run_analysis(locked, view, "funnel", query, project)


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


def retention(locked: Locked, view: View, query: RetentionQuery, project: Project) -> RetentionResult:
    return run_analysis(locked, view, "retention", query, project)


@dataclass(frozen=True)
class Engagement:
    """DAU/WAU/MAU and stickiness, lifecycle per week, and the top paths of the view."""

    stickiness: StickinessResult
    lifecycle: LifecycleResult
    paths: PathsResult


def engagement(locked: Locked, view: View, project: Project) -> Engagement:
    """The three analyses of the Engagement page, each under the lock on its own, in the project's
    weeks and event names."""
    common: dict[str, Any] = {"range": _range(view), "cohort": view.cohort}
    sticky = run_analysis(locked, view, "stickiness", StickinessQuery(**common), project)
    life = run_analysis(locked, view, "lifecycle", LifecycleQuery(**common, period="week"), project)
    paths = run_analysis(locked, view, "paths", PathsQuery(**common, steps=PATH_STEPS, top=TOP_PATHS), project)
    return Engagement(sticky, life, paths)


def analysis_query(name: str, view: View, form: Mapping[str, Any]) -> BaseModel:
    """The query of any registered analysis from form fields by name (text, as on the CLI:
    engagekit.analyses.text_query), over the view's range and saved cohort where it has them."""
    query = get(name).query
    given = {field: value for field, value in (("range", _range(view)), ("cohort", view.cohort))
             if field in query.model_fields and (value is not None or field == "range")}
    return query_from_text(query, form, **given)


def run_analysis(locked: Locked, view: View, name: str, query: BaseModel, project: Project) -> Any:
    """Any registered analysis, by name, over the view's segment; the store is held only while it runs."""
    analysis = get(name)
    with locked() as store:
        return analysis.answer(analysis_store(store, view), query, project)


def _validated(build: Callable[[], Any]) -> Any:
    """A query model built from form values; validation errors become one readable InputError."""
    try:
        return build()
    except ValidationError as exc:
        raise InputError(validation_message(exc.errors())) from exc
