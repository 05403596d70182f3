"""The parts of a report that every renderer reads: KPI lines, tables, sections and the report."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta


@dataclass(frozen=True)
class KpiLine:
    """One KPI of the period against the previous period and its target, with its monthly series."""

    name: str
    label: str
    value: str
    previous: str
    change: str
    target: str
    status: str
    better: bool | None
    series: list[float | None]
    series_months: list[str]


@dataclass(frozen=True)
class Table:
    """A plain table of formatted cells."""

    title: str
    columns: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class Section:
    """A titled part of a report."""

    title: str
    kpis: list[KpiLine] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Report:
    """A whole report: the audience, the period [start, end) and its sections."""

    audience: str
    title: str
    start: date
    end: date
    sections: list[Section]
    empty: bool = False

    @property
    def period_label(self) -> str:
        last = self.end - timedelta(days=1)
        if self.start.day == 1 and self.end == self.start + relativedelta(months=1):
            return f"{self.start:%B %Y}"
        return f"{self.start.isoformat()} to {last.isoformat()}"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(start=self.start.isoformat(), end=(self.end - timedelta(days=1)).isoformat(),
                    period=self.period_label)
        return data
