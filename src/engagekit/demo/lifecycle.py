"""When customers churn, and the support tickets that push them to.

Churn is simulated week by week of each customer's age: a weekly hazard that
falls with tenure, scaled per campaign so month-3 retention hits its planted
value, and multiplied once a customer has enough unresolved tickets. Tickets
are drawn in the same loop because they feed the hazard.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .effects import (
    CHURN_HAZARD_RATIO_UNRESOLVED,
    DECLINE_FLOOR,
    DECLINE_WEEKS,
    MONTH3_RETENTION_BASE,
    MONTH3_RETENTION_CAMPAIGN,
    RETENTION_CAMPAIGN,
    UNRESOLVED_TICKET_SHARE,
    UNRESOLVED_TICKETS_THRESHOLD,
)
from .population import CAMPAIGNS, Population
from .timeline import US_PER_DAY, Timeline

US_PER_WEEK = 7 * US_PER_DAY
LATE_HAZARD_SHARE = 0.10
HAZARD_DECAY_WEEKS = 5.0
RETENTION_WEEKS = 13
MAX_WEEKLY_HAZARD = 0.95


def hazard_shape(week: np.ndarray | int) -> np.ndarray:
    """Relative weekly churn hazard by age week: high at first, settling to a floor."""
    return LATE_HAZARD_SHARE + (1.0 - LATE_HAZARD_SHARE) * np.exp(-np.asarray(week) / HAZARD_DECAY_WEEKS)


def survival(scale: float, unresolved_per_week: float, weeks: int = RETENTION_WEEKS) -> float:
    """Expected share alive after ``weeks``, tracking the unresolved-ticket state exactly."""
    k = np.arange(3)
    arrivals = np.exp(-unresolved_per_week) * unresolved_per_week ** k / np.array([1.0, 1.0, 2.0])
    arrivals[2] = 1.0 - arrivals[:2].sum()
    state = np.zeros((3, 3))
    state[0, 0] = 1.0
    for week in range(weeks):
        hazard = np.minimum(scale * hazard_shape(week) * np.array([1.0, 1.0, CHURN_HAZARD_RATIO_UNRESOLVED]),
                            MAX_WEEKLY_HAZARD)
        alive = state * (1.0 - hazard)[:, None]
        nxt = np.zeros((3, 3))
        for counted in range(3):
            for pending in range(3):
                nxt[min(2, counted + pending), :] += alive[counted, pending] * arrivals
        state = nxt
    return float(state.sum())


def calibrate(target: float, unresolved_per_week: float) -> float:
    """Hazard scale whose expected survival to the retention week equals ``target``."""
    lo, hi = 0.0, MAX_WEEKLY_HAZARD
    for _ in range(60):
        mid = (lo + hi) / 2.0
        lo, hi = (mid, hi) if survival(mid, unresolved_per_week) > target else (lo, mid)
    return (lo + hi) / 2.0


@dataclass
class Lifecycle:
    """Churn times and the ticket arrivals that shaped them."""

    churned: np.ndarray
    limit_us: np.ndarray
    ticket_customer: np.ndarray
    ticket_opened_us: np.ndarray
    ticket_unresolved: np.ndarray

    @property
    def churn_us(self) -> np.ndarray:
        """Churn time per customer (only meaningful where ``churned``)."""
        return self.limit_us - 1

    def keep(self, rng: np.random.Generator, customer: np.ndarray, ts: np.ndarray) -> np.ndarray:
        """Mask of customer activity to keep: before churn, thinned as churn approaches."""
        left = (self.limit_us[customer] - ts) / (DECLINE_WEEKS * US_PER_WEEK)
        factor = np.where(self.churned[customer], DECLINE_FLOOR + (1 - DECLINE_FLOOR) * np.clip(left, 0, 1), 1.0)
        return (ts < self.limit_us[customer]) & (rng.random(len(ts)) < factor)


def simulate(rng: np.random.Generator, pop: Population, tickets_per_month: float, timeline: Timeline) -> Lifecycle:
    """Run the weekly churn and ticket simulation for every customer at once."""
    rate = tickets_per_month * 12.0 / 365.25
    lam = rate * 7.0 * UNRESOLVED_TICKET_SHARE
    planted = pop.campaign == CAMPAIGNS.index(RETENTION_CAMPAIGN)
    scale = np.where(planted, calibrate(MONTH3_RETENTION_CAMPAIGN, lam), calibrate(MONTH3_RETENTION_BASE, lam))
    n = pop.n
    limit = np.full(n, timeline.end_us, dtype=np.int64)
    churned = np.zeros(n, dtype=bool)
    counted = np.zeros(n, dtype=np.int64)
    pending = np.zeros(n, dtype=np.int64)
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    week = 0
    while True:
        begin = pop.signup_us + week * US_PER_WEEK
        idx = np.flatnonzero(~churned & (begin < timeline.end_us))
        if not len(idx):
            break
        start = begin[idx]
        stop = np.minimum(start + US_PER_WEEK, timeline.end_us)
        hazard = scale[idx] * hazard_shape(week)
        hazard = np.where(counted[idx] >= UNRESOLVED_TICKETS_THRESHOLD, hazard * CHURN_HAZARD_RATIO_UNRESOLVED, hazard)
        hazard = 1.0 - (1.0 - np.minimum(hazard, MAX_WEEKLY_HAZARD)) ** ((stop - start) / US_PER_WEEK)
        dies = rng.random(len(idx)) < hazard
        when = start + (rng.random(len(idx)) * (stop - start)).astype(np.int64)
        stop = np.where(dies, when, stop)
        owner, opened = timeline.sample(rng, start, stop, rate)
        unresolved = rng.random(len(owner)) < UNRESOLVED_TICKET_SHARE
        parts.append((idx[owner], opened, unresolved))
        counted[idx] += pending[idx]
        pending[idx] = np.bincount(owner[unresolved], minlength=len(idx))
        churned[idx[dies]] = True
        limit[idx[dies]] = when[dies] + 1
        week += 1
    customer, opened, unresolved = (np.concatenate(p) for p in zip(*parts, strict=True))
    order = np.lexsort((opened, customer))
    return Lifecycle(churned=churned, limit_us=limit, ticket_customer=customer[order],
                     ticket_opened_us=opened[order], ticket_unresolved=unresolved[order])
