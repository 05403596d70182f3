"""Visits: expanding sessions into timed steps and keeping visits of one person apart.

A session is a start time plus a number of steps separated by human-scale
gaps (seconds to a few minutes). Sessions of one person must be more than
30 minutes apart, otherwise a sessionizer would merge them, so candidates that
start too soon after a previous visit of the same person are dropped.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .timeline import US_PER_SECOND

SESSION_GAP_US = 30 * 60 * US_PER_SECOND
MAX_STEP_GAP_S = 600.0


@dataclass
class Steps:
    """The steps of a set of sessions: owning session, position and offset from the session start."""

    session: np.ndarray
    position: np.ndarray
    offset_us: np.ndarray
    first: np.ndarray

    def at(self, position: np.ndarray) -> np.ndarray:
        """Offset of the step at ``position`` in each session."""
        return self.offset_us[self.first + position]

    def subset(self, keep: np.ndarray) -> Steps:
        """The steps of the kept sessions, renumbered to the kept order."""
        mask = keep[self.session]
        renumber = np.cumsum(keep) - 1
        session = renumber[self.session[mask]]
        counts = np.bincount(session, minlength=int(keep.sum()))
        return Steps(session=session, position=self.position[mask], offset_us=self.offset_us[mask],
                     first=np.cumsum(counts) - counts)


def expand(rng: np.random.Generator, n_steps: np.ndarray, median_gap_s: float, sigma: float = 0.9) -> Steps:
    """Lay out ``n_steps`` steps per session with log-normal gaps (capped at 10 minutes)."""
    n_steps = np.asarray(n_steps, dtype=np.int64)
    session = np.repeat(np.arange(len(n_steps), dtype=np.int64), n_steps)
    first = np.cumsum(n_steps) - n_steps
    position = np.arange(len(session), dtype=np.int64) - first[session]
    gaps = np.minimum(rng.lognormal(np.log(median_gap_s), sigma, len(session)), MAX_STEP_GAP_S)
    gaps = (gaps * US_PER_SECOND).astype(np.int64)
    gaps[position == 0] = 0
    cumulative = np.cumsum(gaps)
    offset = cumulative - cumulative[first][session] if len(session) else cumulative
    return Steps(session=session, position=position, offset_us=offset, first=first)


def separated(person: np.ndarray, start: np.ndarray, end: np.ndarray, forced: np.ndarray,
              origin_us: int) -> np.ndarray:
    """Keep-mask: forced visits always, others only if they start > 30 min after every earlier visit ends.

    Works on whole seconds so ``person * span + seconds`` fits in int64 and a
    running maximum over the (person, start)-sorted array finds the latest end
    among each person's earlier visits.
    """
    order = np.lexsort((start, person))
    p = person[order].astype(np.int64)
    begin_s = (start[order] - origin_us) // US_PER_SECOND
    end_s = -((origin_us - end[order]) // US_PER_SECOND)
    gap_s = SESSION_GAP_US // US_PER_SECOND
    span = int(max(end_s.max(initial=0), begin_s.max(initial=0))) + 2 * gap_s + 1
    running = np.maximum.accumulate(p * span + end_s)
    previous = np.concatenate([[-2 * gap_s - 1], running[:-1]]) - p * span
    ok = forced[order] | (begin_s > previous + gap_s)
    keep = np.empty(len(person), dtype=bool)
    keep[order] = ok
    return keep
