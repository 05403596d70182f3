"""The typed result of a funnel: per step (and per breakdown value) counts, conversion and times."""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

NO_VALUE = "(none)"


@dataclass(frozen=True)
class FunnelPerson:
    """The counted attempt of one person: steps reached and seconds from the previous step."""

    person_id: str
    depth: int
    gaps: tuple[float, ...]  # gaps[k - 1]: seconds from step k to step k + 1 (1-based steps)
    breakdown: str | None = None


class FunnelStep(BaseModel):
    """One step of the funnel (1-based `step`) for everyone or one breakdown value."""

    model_config = ConfigDict(frozen=True)

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
        return self.model_dump()


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


class FunnelResult(BaseModel):
    """Steps for everyone and per breakdown value; `people` lists who reached or dropped at a step
    (from the counted attempt of each person, kept with the result but not in its JSON)."""

    model_config = ConfigDict(frozen=True)

    mode: str
    window_seconds: int
    breakdown_by: str | None
    steps: list[FunnelStep]
    breakdown: dict[str, list[FunnelStep]]  # per breakdown value ('(none)' for people without one), largest first
    names: dict[str, str] = Field(default_factory=dict)  # event names as sent -> as stored, where they differ
    notes: tuple[str, ...] = ()  # names the store has never seen, with close matches
    _persons: list[FunnelPerson] = PrivateAttr(default_factory=list)

    @classmethod
    def of(cls, labels: list[str], mode: str, window_seconds: int, breakdown_by: str | None,
           persons: list[FunnelPerson], names: dict[str, str] | None = None, notes: tuple[str, ...] = ()) -> FunnelResult:
        """The result of these people's counted attempts at the steps `labels`."""
        groups: dict[str, list[FunnelPerson]] = {}
        if breakdown_by is not None:
            for person in persons:
                groups.setdefault(person.breakdown if person.breakdown is not None else NO_VALUE, []).append(person)
        ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
        result = cls(mode=mode, window_seconds=window_seconds, breakdown_by=breakdown_by,
                     steps=summarize(labels, persons),
                     breakdown={value: summarize(labels, members) for value, members in ordered},
                     names=names or {}, notes=tuple(notes))
        result._persons = persons
        return result

    @property
    def labels(self) -> list[str]:
        """The steps' labels, in order."""
        return [step.label for step in self.steps]

    def people(self, step: int, dropped: bool = False, breakdown: str | None = None) -> list[str]:
        """Person ids that reached `step` (1-based), or with dropped=True that reached the step
        before it and not this one; optionally only those of one breakdown value."""
        if not 1 <= step <= len(self.steps):
            raise ValueError(f"step {step} is not between 1 and {len(self.steps)}")
        chosen = [
            p.person_id for p in self._persons
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
        return self.model_dump(mode="json")
