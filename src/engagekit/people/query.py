"""What every query is built from: strict models, bounded names and counts, and event filters."""
from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import ibis
import ibis.expr.types as ir
from pydantic import BaseModel, ConfigDict, Field, field_validator

from engagekit.people.filters import check_filter_text, parse_filter, to_ibis
from engagekit.people.names import ANY_EVENT

# Bounds every query shares (docs/analyses.md lists them all): the length of a name (an event,
# trait, property or cohort; Mixpanel takes 255 characters) and a count of events a person must
# do in a period (returns, criteria), which the engines compare as 64-bit integers.
MAX_NAME_CHARS = 255
MAX_EVENT_COUNT = 1_000_000
Name = Annotated[str, Field(max_length=MAX_NAME_CHARS)]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EventFilter(StrictModel):
    """An event (a name, or '*' for any event) with an optional filter on its fields, e.g.
    `product_viewed where properties.category == 'shoes'`."""

    event: Name = ANY_EVENT
    where: str | None = None

    @field_validator("where")
    @classmethod
    def _parses(cls, value: str | None) -> str | None:
        return check_filter_text(value)

    @classmethod
    def parse(cls, text: str) -> EventFilter:
        """'order_completed' or "order_completed where properties.revenue > 50" -> EventFilter."""
        name, sep, condition = text.partition(" where ")
        return cls(event=name.strip() or ANY_EVENT, where=condition.strip() if sep else None)

    def condition(self, events: ir.Table) -> ir.BooleanValue:
        """True on the rows this filter selects."""
        matched = ibis.literal(True) if self.event == ANY_EVENT else events.event == self.event
        if self.where is not None:
            matched = matched & to_ibis(parse_filter(self.where), events)
        return matched

    def label(self) -> str:
        return self.event + (f" where {self.where}" if self.where else "")

    def selector(self) -> Callable[[ir.Table], ir.BooleanValue] | None:
        """`condition`, or None when this filter takes every event (see analyses.activity)."""
        return None if self.event == ANY_EVENT and self.where is None else self.condition
