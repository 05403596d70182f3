"""A/B tests on the website: exposure logging and the planted checkout lift.

Customers visiting during the enrolment window are split 50/50 per customer
and every visit in the window logs ``experiment_viewed``. For the planted
experiment, treatment conversion (an order within 14 days of the first
exposure) is set to exactly (1 + lift) x the control rate by turning the
first exposed visit of just enough treatment customers into a purchase (or, if
treatment is already ahead by chance, removing the final payment of a few).
A second experiment is logged the same way with no effect at all.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .columns import json_object, json_text
from .effects import (
    EXPERIMENT,
    EXPERIMENT_ENROL_DAYS,
    EXPERIMENT_LIFT,
    EXPERIMENT_VARIANTS,
    EXPERIMENT_WINDOW_DAYS,
    NULL_EXPERIMENT,
)
from .events import EventBlock
from .timeline import US_PER_DAY
from .world import World

ORDERED = 4
CHECKOUT = 3


@dataclass
class Exposures:
    """Visits that logged an experiment view, and the variant of each visit's customer."""

    experiment: str
    visit: np.ndarray
    variant: np.ndarray


def enrolment(world: World) -> tuple[int, int]:
    """Start and stop (µs) of the enrolment window: 60 days ending 14 days before the data ends."""
    stop = world.timeline.end_us - EXPERIMENT_WINDOW_DAYS * US_PER_DAY
    return max(world.timeline.start_us, stop - EXPERIMENT_ENROL_DAYS * US_PER_DAY), stop


def plant(world: World, rng: np.random.Generator, customer: np.ndarray, start: np.ndarray,
          stage: np.ndarray, order_ts: np.ndarray) -> list[Exposures]:
    """Assign variants, log exposures and adjust ``stage`` in place so the lift is exact."""
    n = world.pop.n
    lo, hi = enrolment(world)
    visit = np.flatnonzero((customer >= 0) & (start >= lo) & (start < hi))
    variant = (rng.random(n) < 0.5).astype(np.int64)
    null_variant = (rng.random(n) < 0.5).astype(np.int64)
    who = customer[visit]
    order = np.lexsort((start[visit], who))
    enrolled, first_pos = np.unique(who[order], return_index=True)
    first_visit = np.full(n, -1)
    first_visit[enrolled] = visit[order][first_pos]
    first_ts = np.full(n, np.iinfo(np.int64).max // 2)
    first_ts[enrolled] = start[first_visit[enrolled]]

    buyer = np.maximum(customer, 0)
    limit = world.life.limit_us[buyer]
    counts = (customer >= 0) & (order_ts < limit) & (order_ts >= first_ts[buyer])
    counts &= order_ts <= first_ts[buyer] + EXPERIMENT_WINDOW_DAYS * US_PER_DAY
    converted = np.zeros(n, dtype=bool)
    converted[customer[counts & (stage == ORDERED)]] = True

    is_enrolled = np.zeros(n, dtype=bool)
    is_enrolled[enrolled] = True
    control, treated = is_enrolled & (variant == 0), is_enrolled & (variant == 1)
    rate = converted[control].mean() if control.any() else 0.0
    gap = int(round(rate * (1.0 + EXPERIMENT_LIFT) * treated.sum())) - int(converted[treated].sum())
    if gap > 0:
        fv = np.maximum(first_visit, 0)
        ok = treated & ~converted & (order_ts[fv] < world.life.limit_us)
        chosen = rng.permutation(np.flatnonzero(ok))[:gap]
        stage[first_visit[chosen]] = ORDERED
    elif gap < 0:
        chosen = rng.permutation(np.flatnonzero(treated & converted))[:-gap]
        drop = np.zeros(n, dtype=bool)
        drop[chosen] = True
        stage[counts & (stage == ORDERED) & drop[buyer]] = CHECKOUT
    return [Exposures(EXPERIMENT, visit, variant[who]), Exposures(NULL_EXPERIMENT, visit, null_variant[who])]


def experiment_blocks(exposures: list[Exposures], customer: np.ndarray, start: np.ndarray,
                      session: np.ndarray) -> list[EventBlock]:
    """``experiment_viewed`` rows at the start of each exposed visit."""
    blocks = []
    for exp in exposures:
        props = json_object(len(exp.visit), {
            "experiment": f'"{exp.experiment}"', "variant": json_text(EXPERIMENT_VARIANTS, exp.variant),
        })
        blocks.append(EventBlock("experiment_viewed", start[exp.visit], "web", props,
                                 customer=customer[exp.visit], session=session[exp.visit]))
    return blocks
