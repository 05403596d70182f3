"""What to generate and the shared state every source module reads.

:class:`DemoSpec` is validated once; :func:`build_world` then draws the people
and their lifecycles and hands every source its own child random generator,
spawned in a fixed order so the files are reproducible per seed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from .industries import PROFILES, IndustryProfile
from .lifecycle import Lifecycle, simulate
from .population import Population, build_population
from .timeline import Timeline

STREAMS = ("population", "lifecycle", "catalog", "email", "web", "orders", "ads", "signups", "product",
           "support", "surveys", "subscriptions", "social", "appointments")
"""Random streams, one per drawing step; never reorder (it would change every file)."""

Industry = Literal["ecommerce", "saas", "media", "healthcare", "services"]


class DemoSpec(BaseModel):
    """A demo company: its trade, size, span and random seed.

    The data covers the ``months`` whole months that end on ``end`` (inclusive).
    The same spec always produces byte-identical files.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    industry: Industry = "ecommerce"
    customers: int = Field(default=5000, ge=50, le=500_000)
    months: int = Field(default=12, ge=1, le=36)
    seed: int = Field(default=7, ge=0)
    end: date = date(2026, 10, 31)


@dataclass
class World:
    """Everything drawn before events: who exists, when they sign up and when they churn."""

    spec: DemoSpec
    profile: IndustryProfile
    timeline: Timeline
    pop: Population
    life: Lifecycle
    _sessions: int = field(default=0, repr=False)

    def session_numbers(self, count: int) -> np.ndarray:
        """Reserve ``count`` globally unique session numbers."""
        numbers = np.arange(self._sessions, self._sessions + count, dtype=np.int64)
        self._sessions += count
        return numbers

    def within_life(self, customer: np.ndarray, ts: np.ndarray) -> np.ndarray:
        """Mask of customer events at or after sign-up and before churn (and the period end)."""
        return (ts >= self.pop.signup_us[customer]) & (ts < self.life.limit_us[customer])

    def daily_rate(self, rate_per_week: float) -> np.ndarray:
        """Per-customer daily rate: the profile rate scaled by personal engagement."""
        return rate_per_week / 7.0 * self.pop.engagement


def build_world(spec: DemoSpec) -> tuple[World, dict[str, np.random.Generator]]:
    """Draw the population and lifecycles for ``spec``; return them with the per-source generators."""
    seeds = np.random.SeedSequence(spec.seed).spawn(len(STREAMS))
    rngs = {name: np.random.default_rng(seed) for name, seed in zip(STREAMS, seeds, strict=True)}
    profile = PROFILES[spec.industry]
    timeline = Timeline(spec.end, spec.months, profile)
    pop = build_population(rngs["population"], spec.customers, profile, timeline)
    life = simulate(rngs["lifecycle"], pop, profile.tickets_per_month, timeline)
    return World(spec=spec, profile=profile, timeline=timeline, pop=pop, life=life), rngs
