"""The event names of an analysis' query, mapped to the names the store holds (the runners' first step).

Every runner starts with `named`: each `EventFilter` the query holds (funnel steps and
exclusions, retention's start and return events, the activity of lifecycle and stickiness, the
anchor of paths) gets its event name and the `event` comparisons of its filter mapped through
the project's vocabulary, as ingest maps them (engagekit.people.names). The query is then
validated again (an unordered funnel whose steps `pageview` and `page_viewed` are one event is
refused), and the result records the mapping (`names`) and the names the store has never seen
(`notes`), so the answer says which stored name was meant.
"""
from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, Field, ValidationError

from engagekit.errors import InputError, validation_message
from engagekit.people.names import EventNames, NameCheck, NameReport
from engagekit.people.query import EventFilter
from engagekit.store import Store

Query = TypeVar("Query", bound=BaseModel)


class Named(BaseModel):
    """What a result says about the event names of its query."""

    names: dict[str, str] = Field(default_factory=dict)  # as sent -> as stored, where they differ
    notes: list[str] = Field(default_factory=list)  # names the store has never seen, with close matches


def named(store: Store, query: Query, names: EventNames) -> tuple[Query, NameReport]:
    """The query with every event name it holds as stored, and the report of what was mapped."""
    check = NameCheck(names)
    try:
        mapped = _mapped(query, check)
    except ValidationError as exc:
        raise InputError(f"with the event names as stored ({_arrows(check.mapped())}): "
                         f"{validation_message(exc.errors())}") from exc
    return mapped, check.report(store)


def _mapped(value: Any, check: NameCheck) -> Any:
    if isinstance(value, EventFilter):
        return EventFilter(event=check.event(value.event), where=check.where(value.where))
    if isinstance(value, BaseModel):
        return type(value)(**{name: _mapped(getattr(value, name), check) for name in type(value).model_fields})
    if isinstance(value, (list, tuple)):
        return type(value)(_mapped(item, check) for item in value)
    return value


def _arrows(mapping: dict[str, str]) -> str:
    return ", ".join(f"{sent} -> {stored}" for sent, stored in mapping.items())
