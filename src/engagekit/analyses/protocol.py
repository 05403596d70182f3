"""The Analysis protocol: what each journey analysis declares, so the CLI, the read API and the
dashboard are driven by one registry (engagekit.registry) instead of being wired by hand.

An analysis is a typed query (a strict pydantic model of its parameters), a runner that builds
Ibis expressions over the store and returns a typed result, and that result (a pydantic model
whose `to_dict()` is its JSON and `to_frame()` its table). The read API serves it at
`POST /api/v1/<route>` with the query as the body and the result model as the response schema;
the CLI gives it a command; the dashboard's data layer runs it by name. A runner reads the
project it runs for (its event vocabulary, KPI catalog and first day of the week) from `Project`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

import pandas as pd
from pydantic import BaseModel

from engagekit.config import DEFAULT_WEEK_START, Settings, SurveySettings
from engagekit.metrics.catalog import Catalog, load_catalog, project_catalog
from engagekit.people.names import SPEC_NAMES, EventNames
from engagekit.people.periods import WeekStart
from engagekit.people.ranges import DateRange, check_range
from engagekit.store import Store


@dataclass(frozen=True)
class Project:
    """What a run reads of the project besides the store: how it names events (event_mapping,
    strict_events), its KPI catalog, the first day of its weeks and how it reads survey answers.
    The defaults are the spec's names, the built-in catalog, Sunday weeks and the standard reading."""

    names: EventNames = SPEC_NAMES
    catalog: Catalog = field(default_factory=load_catalog)
    week_start: WeekStart = DEFAULT_WEEK_START
    surveys: SurveySettings = field(default_factory=SurveySettings)

    @classmethod
    def of(cls, settings: Settings) -> Project:
        return cls(EventNames.of(settings), project_catalog(settings), settings.week_start, settings.surveys)


class Result(Protocol):
    """What every analysis' result offers besides its fields."""

    def to_dict(self) -> dict[str, Any]: ...

    def to_frame(self) -> pd.DataFrame: ...


Q = TypeVar("Q", bound=BaseModel)
R = TypeVar("R", bound=BaseModel)


@dataclass(frozen=True)
class Analysis(Generic[Q, R]):
    """One analysis as the registry knows it."""

    name: str  # the CLI command and the registry key: "funnel", "retention", ...
    summary: str  # one line: the command's help and the route's summary
    query: type[Q]
    result: type[R]  # a pydantic model with to_dict()/to_frame(); the route's response model
    run: Callable[[Store, Q, Project], R]
    route: str  # the read API's path under /api/v1: "/funnels", "/paths", ...
    group: str | None = None  # the CLI group whose own commands run it ("voc"); None: a generated top-level command

    def answer(self, store: Store, query: Q, project: Project) -> R:
        """Check the query's ranges against the bounds every analysis shares, give a query that
        has a `week_start` the caller left unset the project's, then run it."""
        for days in date_ranges(query):
            check_range(days.start, days.end)
        if "week_start" in type(query).model_fields and "week_start" not in query.model_fields_set:
            query = query.model_copy(update={"week_start": project.week_start})
        return self.run(store, query, project)


def by_names(runner: Callable[[Store, Q, EventNames], R]) -> Callable[[Store, Q, Project], R]:
    """The registry's runner of an analysis that reads only the project's event names."""
    def run(store: Store, query: Q, project: Project) -> R:
        return runner(store, query, project.names)

    run.__doc__ = runner.__doc__
    return run


def date_ranges(model: BaseModel) -> list[DateRange]:
    """Every DateRange a query holds, at any depth (a cohort's window, a funnel's range)."""
    found: list[DateRange] = []
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, DateRange):
            found.append(value)
        elif isinstance(value, BaseModel):
            found.extend(date_ranges(value))
    return found
