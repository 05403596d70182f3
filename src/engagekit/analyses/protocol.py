"""The Analysis protocol: what each journey analysis declares, so the CLI, the read API and the
dashboard are driven by one registry (engagekit.analyses.registry) instead of being wired by hand.

An analysis is a typed query (a strict pydantic model of its parameters), a runner that builds
Ibis expressions over the store and returns a typed result, and that result (a pydantic model
whose `to_dict()` is its JSON and `to_frame()` its table). The read API serves it at
`POST /api/v1/<route>` with the query as the body and the result model as the response schema;
the CLI gives it a command; the dashboard's data layer runs it by name.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

import pandas as pd
from pydantic import BaseModel

from engagekit.people.names import EventNames
from engagekit.people.ranges import DateRange, check_range
from engagekit.store import Store


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
    run: Callable[[Store, Q, EventNames], R]
    route: str  # the read API's path under /api/v1: "/funnels", "/paths", ...

    def answer(self, store: Store, query: Q, names: EventNames) -> R:
        """Check the query's ranges against the bounds every analysis shares, then run it."""
        for days in date_ranges(query):
            check_range(days.start, days.end)
        return self.run(store, query, names)


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
