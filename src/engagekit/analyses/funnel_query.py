"""The funnel's query: steps, mode, conversion window, entry range, exclusions, breakdown, with
their bounds (definitions in engagekit.analyses.funnel)."""
from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, model_validator

from engagekit.config import DEFAULT_CONVERSION_WINDOW_DAYS
from engagekit.errors import InputError
from engagekit.people.query import EventFilter, Name, StrictModel
from engagekit.people.ranges import DateRange

FunnelMode = Literal["ordered", "strict", "unordered"]
DAY = 86_400
WINDOW_UNITS = {"s": 1, "m": 60, "h": 3_600, "d": DAY, "mo": 30 * DAY}
# Bounds (docs/analyses-funnels.md): PostHog's funnels take up to 20 steps and a conversion window
# of up to a year (365 days, 53 weeks or 12 months); each step adds a join to the query.
MAX_FUNNEL_STEPS = 20
MAX_EXCLUSIONS = 10
MAX_WINDOW_DAYS = 366
MAX_WINDOW_SECONDS = MAX_WINDOW_DAYS * DAY


def parse_window(text: str) -> int:
    """'30s', '10m', '2h', '14d' or '1mo' (30 days) -> seconds, at most MAX_WINDOW_DAYS days."""
    match = re.fullmatch(r"\s*(\d{1,12})\s*(mo|s|m|h|d)\s*", text)
    if not match or int(match.group(1)) == 0:
        raise InputError(f"window {text[:40]!r}: expected a positive number with s, m, h, d or mo, e.g. 14d")
    seconds = int(match.group(1)) * WINDOW_UNITS[match.group(2)]
    if seconds > MAX_WINDOW_SECONDS:
        raise InputError(f"window {text!r}: at most {MAX_WINDOW_DAYS}d ({MAX_WINDOW_SECONDS} seconds)")
    return seconds


class Exclusion(StrictModel):
    """Remove people with this event between steps `from_step` and `to_step` (1-based)."""

    event: EventFilter
    from_step: int = Field(ge=1, lt=MAX_FUNNEL_STEPS)
    to_step: int = Field(ge=2, le=MAX_FUNNEL_STEPS)

    @model_validator(mode="after")
    def _ordered(self) -> Exclusion:
        if self.to_step <= self.from_step:
            raise ValueError(f"exclusion steps {self.from_step}-{self.to_step}: the second must be after the first")
        return self


class FunnelQuery(StrictModel):
    """What to measure: steps, mode, window in seconds, entry range, exclusions, breakdown."""

    steps: list[EventFilter] = Field(min_length=2, max_length=MAX_FUNNEL_STEPS)
    mode: FunnelMode = "ordered"
    window: int = Field(default=int(DEFAULT_CONVERSION_WINDOW_DAYS * DAY), gt=0, le=MAX_WINDOW_SECONDS)
    range: DateRange
    exclusions: list[Exclusion] = Field(default_factory=list, max_length=MAX_EXCLUSIONS)
    breakdown: Name | None = None
    cohort: Name | None = None  # only the people of this saved cohort

    @model_validator(mode="after")
    def _consistent(self) -> FunnelQuery:
        for exclusion in self.exclusions:
            if exclusion.to_step > len(self.steps):
                raise ValueError(f"exclusion to step {exclusion.to_step}: the funnel has {len(self.steps)} steps")
        if self.mode == "unordered":
            if self.exclusions:
                raise ValueError("exclusions need an order of steps: use ordered or strict mode")
            if len(set(self.steps)) < len(self.steps):
                raise ValueError("unordered steps must differ from each other")
        return self
