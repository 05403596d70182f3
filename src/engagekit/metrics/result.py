"""The typed result of a KPI computation: one row per metric, period and segment.

Both are pydantic models: the read API's response schema is MetricResult itself. A row's segment
is held as (field, value) pairs, so rows can key dictionaries, and reads and writes as a mapping
of field to value in JSON.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, computed_field, field_serializer, field_validator

from engagekit.config import DEFAULT_WEEK_START
from engagekit.people.periods import WeekStart, partial_periods

Segment = tuple[tuple[str, Any], ...]


class MetricRow(BaseModel):
    """A KPI value with what it was computed from and how it reads against context."""

    model_config = ConfigDict(frozen=True)

    metric: str
    period: date | None
    segment: Segment
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    previous: float | None = None
    change: float | None = None  # value - previous
    relative_change: float | None = None  # (value - previous) / |previous|
    target: float | None = None
    status: str | None = None  # on_track | warning | critical
    sum_squares: float | None = None  # means only: sum of squared values, numerator = sum, denominator = n
    note: str | None = None  # why there is no value (metrics/reasons.py); None with a value

    @field_validator("segment", mode="before")
    @classmethod
    def _pairs(cls, segment: Any) -> Any:
        return tuple(segment.items()) if isinstance(segment, Mapping) else segment

    @field_serializer("segment")
    def _mapping(self, segment: Segment) -> dict[str, Any]:
        return dict(segment)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class PartialPeriod(BaseModel):
    """A period the range cuts short: its counts and sums cover only `days` of its `of` days."""

    period: date
    days: int
    of: int


class MetricResult(BaseModel):
    """All rows of one compute() call, with the query that produced them."""

    model_config = ConfigDict(frozen=True)

    start: date
    end: date
    grain: str | None
    by: tuple[str, ...]
    compare: str | None
    rows: list[MetricRow] = []
    names: dict[str, str] = {}  # event names as sent -> as stored, where they differ
    notes: tuple[str, ...] = ()  # names in the filter that the store has never seen, with close matches
    week_start: WeekStart = DEFAULT_WEEK_START  # the first day of a week period

    @computed_field  # type: ignore[prop-decorator]
    @property
    def partial_periods(self) -> list[PartialPeriod]:
        """Periods the range cuts short, in order."""
        return [PartialPeriod(period=label, days=days, of=whole) for label, (days, whole) in self.cut_short().items()]

    def cut_short(self) -> dict[date, tuple[int, int]]:
        """Periods the range cuts short: label -> (days in the range, days of the whole period)."""
        return partial_periods(self.start, self.end, self.grain, self.week_start)

    def for_metric(self, name: str) -> list[MetricRow]:
        return [row for row in self.rows if row.metric == name]

    def value(self, name: str, **segment: Any) -> float | None:
        """The value of a metric for one segment (or overall) when there is one period."""
        wanted = tuple(sorted(segment.items()))
        matches = [r.value for r in self.for_metric(name) if tuple(sorted(r.segment)) == wanted]
        if len(matches) != 1:
            raise KeyError(f"{name} {segment}: {len(matches)} rows")
        return matches[0]

    def segment_fields(self) -> list[str]:
        """The fields rows are segmented by: the `by` fields, then those a KPI's rows carry of their
        own (feature adoption's `feature`), in the order they first appear."""
        own = (name for row in self.rows for name, _ in row.segment if name not in self.by)
        return [*self.by, *dict.fromkeys(own)]

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def to_frame(self) -> pd.DataFrame:
        records = []
        for row in self.rows:
            record = row.to_dict()
            record.update({f"by_{k}": v for k, v in record.pop("segment").items()})
            records.append(record)
        return pd.DataFrame.from_records(records)
