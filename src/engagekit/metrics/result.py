"""The typed result of a KPI computation: one row per metric, period and segment."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from engagekit.config import DEFAULT_WEEK_START
from engagekit.people.periods import WeekStart, partial_periods


@dataclass(frozen=True)
class MetricRow:
    """A KPI value with what it was computed from and how it reads against context."""

    metric: str
    period: date | None
    segment: tuple[tuple[str, Any], ...]
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

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["segment"] = dict(self.segment)
        data["period"] = self.period.isoformat() if self.period else None
        return data


@dataclass(frozen=True)
class MetricResult:
    """All rows of one compute() call, with the query that produced them."""

    start: date
    end: date
    grain: str | None
    by: tuple[str, ...]
    compare: str | None
    rows: list[MetricRow] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # event names as sent -> as stored, where they differ
    notes: tuple[str, ...] = ()  # names in the filter that the store has never seen, with close matches
    week_start: WeekStart = DEFAULT_WEEK_START  # the first day of a week period

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

    def partial_periods(self) -> dict[date, tuple[int, int]]:
        """Periods the range cuts short: label -> (days in the range, days of the whole period)."""
        return partial_periods(self.start, self.end, self.grain, self.week_start)

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "grain": self.grain,
            "partial_periods": [{"period": label.isoformat(), "days": days, "of": whole}
                                for label, (days, whole) in self.partial_periods().items()],
            "by": list(self.by),
            "compare": self.compare,
            "rows": [row.to_dict() for row in self.rows],
            "names": dict(self.names),
            "notes": list(self.notes),
        }

    def to_frame(self) -> pd.DataFrame:
        records = []
        for row in self.rows:
            record = row.to_dict()
            record.update({f"by_{k}": v for k, v in record.pop("segment").items()})
            records.append(record)
        return pd.DataFrame.from_records(records)
