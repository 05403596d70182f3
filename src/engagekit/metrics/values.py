"""The numbers of one KPI in one period and segment, as kinds hand them to the engine."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Values:
    """A KPI's value and what it is computed from; `spread` is the sum of squares of a mean's
    values (segments compare means with Welch's test), for means only."""

    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    spread: float | None = None


NO_VALUES = Values()
