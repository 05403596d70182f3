"""The typed result of a funnel: per step (and per breakdown value) counts, conversion and times."""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

NO_VALUE = "(none)"


@dataclass(frozen=True)
class FunnelPerson:
    """The counted attempt of one person: steps reached and seconds from the previous step."""

    person_id: str
    depth: int
    gaps: tuple[float, ...]  # gaps[k - 1]: seconds from step k to step k + 1 (1-based steps)
    breakdown: str | None = None


@dataclass(frozen=True)
class FunnelStep:
    """One step of the funnel (1-based `step`) for everyone or one breakdown value."""

    step: int
    label: str
    count: int
    conversion_from_start: float | None
    conversion_from_previous: float | None
    dropped: int
    drop_off_rate: float | None
    avg_seconds_from_previous: float | None
    median_seconds_from_previous: float | None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def summarize(labels: list[str], people: list[FunnelPerson]) -> list[FunnelStep]:
    """Counts, conversions, drop-offs and times of every step over these people."""
    steps: list[FunnelStep] = []
    first = sum(1 for p in people if p.depth >= 1)
    for number, label in enumerate(labels, start=1):
        here = [p for p in people if p.depth >= number]
        previous = steps[-1].count if steps else len(here)
        times = [p.gaps[number - 2] for p in here] if number > 1 else []
        steps.append(FunnelStep(
            step=number, label=label, count=len(here),
            conversion_from_start=len(here) / first if first else None,
            conversion_from_previous=len(here) / previous if previous else None,
            dropped=previous - len(here),
            drop_off_rate=(previous - len(here)) / previous if previous else None,
            avg_seconds_from_previous=statistics.fmean(times) if times else None,
            median_seconds_from_previous=float(statistics.median(times)) if times else None,
        ))
    return steps


@dataclass(frozen=True)
class FunnelResult:
    """Steps for everyone, steps per breakdown value, and the counted attempt of each person."""

    labels: list[str]
    mode: str
    window_seconds: int
    breakdown_by: str | None
    persons: list[FunnelPerson] = field(repr=False)
    names: dict[str, str] = field(default_factory=dict)  # event names as sent -> as stored, where they differ
    notes: tuple[str, ...] = ()  # names the store has never seen, with close matches

    @property
    def steps(self) -> list[FunnelStep]:
        return summarize(self.labels, self.persons)

    @property
    def breakdown(self) -> dict[str, list[FunnelStep]]:
        """Steps per breakdown value ('(none)' for people without one), largest group first."""
        if self.breakdown_by is None:
            return {}
        groups: dict[str, list[FunnelPerson]] = {}
        for person in self.persons:
            groups.setdefault(person.breakdown if person.breakdown is not None else NO_VALUE, []).append(person)
        ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
        return {value: summarize(self.labels, members) for value, members in ordered}

    def people(self, step: int, dropped: bool = False, breakdown: str | None = None) -> list[str]:
        """Person ids that reached `step` (1-based), or with dropped=True that reached the step
        before it and not this one; optionally only those of one breakdown value."""
        if not 1 <= step <= len(self.labels):
            raise ValueError(f"step {step} is not between 1 and {len(self.labels)}")
        chosen = [
            p.person_id for p in self.persons
            if (p.depth == step - 1 if dropped else p.depth >= step)
            and (breakdown is None or (p.breakdown if p.breakdown is not None else NO_VALUE) == breakdown)
        ]
        return sorted(chosen)

    def to_frame(self) -> pd.DataFrame:
        """One row per step (and breakdown value, in column `breakdown`; null for everyone)."""
        rows = [{"breakdown": None, **s.to_dict()} for s in self.steps]
        for value, steps in self.breakdown.items():
            rows.extend({"breakdown": value, **s.to_dict()} for s in steps)
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "window_seconds": self.window_seconds,
            "breakdown_by": self.breakdown_by,
            "steps": [s.to_dict() for s in self.steps],
            "breakdown": {value: [s.to_dict() for s in steps] for value, steps in self.breakdown.items()},
            "names": dict(self.names),
            "notes": list(self.notes),
        }
