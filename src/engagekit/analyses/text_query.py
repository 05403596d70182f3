"""An analysis' query from text values (the CLI's options, the dashboard's form fields), typed by
its fields: the one reading both presentations share, so a new analysis takes text input in
either without code of its own.

Each field has a kind: `range` (a DateRange: the caller supplies it, from --from/--to or the
view), `filter` (an EventFilter: `NAME` or `NAME where FILTER`), `filters` (a list of them),
`flag` (a bool), `text` (numbers, names, dates and choices: the query model parses and
validates the text) or `json` (anything else, as JSON).
"""
from __future__ import annotations

import datetime
import json
import types
import typing
from collections.abc import Mapping
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from engagekit.errors import InputError, validation_message
from engagekit.people.query import EventFilter
from engagekit.people.ranges import DateRange

FieldKind = Literal["range", "filter", "filters", "flag", "text", "json"]
Q = TypeVar("Q", bound=BaseModel)


def field_kind(annotation: Any) -> FieldKind:
    """How a query field is read from text."""
    base = _without_none(annotation)
    if base is DateRange:
        return "range"
    if base is EventFilter:
        return "filter"
    if typing.get_origin(base) in (list, tuple) and EventFilter in typing.get_args(base):
        return "filters"
    if base is bool:
        return "flag"
    return "text" if _plain(base) else "json"


def query_from_text(query: type[Q], texts: Mapping[str, Any], **given: Any) -> Q:
    """`query` from text values by field name (None or missing: the field's default) and values
    `given` as they are (ranges, a cohort chosen elsewhere); an InputError naming each bad field."""
    values: dict[str, Any] = {}
    for name, field in query.model_fields.items():
        text = texts.get(name)
        if name in given or text is None or text == [] or text == "":
            continue
        kind = field_kind(field.annotation)
        if kind == "filters":
            values[name] = [EventFilter.parse(item) for item in ([text] if isinstance(text, str) else text)]
        elif kind == "filter":
            values[name] = EventFilter.parse(text)
        elif kind == "json":
            try:
                values[name] = json.loads(text)
            except ValueError as exc:
                raise InputError(f"{name}: not JSON: {exc}") from exc
        elif kind != "range":
            values[name] = text
    try:
        return query(**values, **given)
    except ValidationError as exc:
        raise InputError(validation_message(exc.errors())) from exc


def _without_none(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        others = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return others[0] if len(others) == 1 else annotation
    return annotation


def _plain(kind: Any) -> bool:
    """Numbers, strings, dates and choices: the query model parses their text."""
    if typing.get_origin(kind) is Literal:
        return True
    if typing.get_origin(kind) is Annotated:
        return _plain(typing.get_args(kind)[0])
    return isinstance(kind, type) and issubclass(kind, (int, float, str, datetime.date))
