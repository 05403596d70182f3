"""The period a demo covers, its weekly and hourly rhythm, and an activity clock.

The activity clock maps real time to "activity units" whose density follows the
day weights (weekday pattern, peak months, the planted seasonal dip) and the
hour-of-day profile. Drawing uniform points in activity units and mapping them
back gives timestamps of an inhomogeneous Poisson process without any per-event
Python loop.
"""
from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta

import numpy as np

from .effects import DIP_MONTH, DIP_SIZE
from .industries import IndustryProfile

US_PER_SECOND = 1_000_000
US_PER_MINUTE = 60 * US_PER_SECOND
US_PER_HOUR = 60 * US_PER_MINUTE
US_PER_DAY = 24 * US_PER_HOUR
PEAK_MONTH_BOOST = 1.15


def period_bounds(end: date, months: int) -> tuple[date, date]:
    """First day and the exclusive stop day of the ``months`` months ending on ``end``."""
    stop = end + timedelta(days=1)
    year, month0 = divmod(stop.year * 12 + stop.month - 1 - months, 12)
    day = min(stop.day, calendar.monthrange(year, month0 + 1)[1])
    return date(year, month0 + 1, day), stop


def epoch_us(day: date) -> int:
    """Microseconds since the Unix epoch at midnight UTC of ``day``."""
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()) * US_PER_SECOND


class Timeline:
    """Period bounds, day weights and the activity clock for one demo spec."""

    def __init__(self, end: date, months: int, profile: IndustryProfile) -> None:
        first, stop = period_bounds(end, months)
        self.start_us = epoch_us(first)
        self.end_us = epoch_us(stop)
        days = np.arange(np.datetime64(first, "D"), np.datetime64(stop, "D"))
        self.n_days = len(days)
        self.weekday = (days.astype(np.int64) + 3) % 7
        self.month = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
        week = np.asarray(profile.weekday_weights, dtype=np.float64)
        rhythm = (week / week.mean())[self.weekday]
        rhythm = rhythm * np.where(np.isin(self.month, profile.peak_months), PEAK_MONTH_BOOST, 1.0)
        self.acquisition_weight = rhythm
        self.activity_weight = rhythm * np.where(self.month == DIP_MONTH, 1.0 - DIP_SIZE, 1.0)
        self._cum = np.concatenate([[0.0], np.cumsum(self.activity_weight)])
        hours = np.asarray(profile.hour_weights, dtype=np.float64)
        self._hour_cdf = np.concatenate([[0.0], np.cumsum(hours) / hours.sum()])
        self._hour_grid = np.arange(25, dtype=np.float64)

    def clock(self, ts: np.ndarray) -> np.ndarray:
        """Activity units elapsed from the period start to each timestamp."""
        rel = np.clip(np.asarray(ts, dtype=np.int64) - self.start_us, 0, self.n_days * US_PER_DAY)
        day = np.minimum(rel // US_PER_DAY, self.n_days - 1)
        hours = (rel - day * US_PER_DAY) / US_PER_HOUR
        return self._cum[day] + self.activity_weight[day] * np.interp(hours, self._hour_grid, self._hour_cdf)

    def unclock(self, units: np.ndarray) -> np.ndarray:
        """Timestamps (µs) at the given activity units; inverse of :meth:`clock`."""
        day = np.clip(np.searchsorted(self._cum, units, side="right") - 1, 0, self.n_days - 1)
        frac = np.clip((units - self._cum[day]) / self.activity_weight[day], 0.0, 1.0)
        hours = np.interp(frac, self._hour_cdf, self._hour_grid)
        ts = self.start_us + day * US_PER_DAY + (hours * US_PER_HOUR).astype(np.int64)
        return np.minimum(ts, self.end_us - 1)

    def sample(
        self, rng: np.random.Generator, start: np.ndarray, stop: np.ndarray, rate_per_day: np.ndarray | float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Poisson events for each owner over [start, stop) at ``rate_per_day`` average-day rate.

        Returns (owner index, timestamp) with owners in ascending order.
        """
        a0 = self.clock(start)
        span = np.maximum(self.clock(stop) - a0, 0.0)
        counts = rng.poisson(span * rate_per_day)
        owner = np.repeat(np.arange(len(a0), dtype=np.int64), counts)
        units = a0[owner] + rng.random(len(owner)) * span[owner]
        return owner, self.unclock(units)

    def sample_days(self, rng: np.random.Generator, n: int, weights: np.ndarray) -> np.ndarray:
        """``n`` timestamps on days drawn with ``weights`` at hours drawn from the hour profile."""
        day = rng.choice(self.n_days, size=n, p=weights / weights.sum())
        hours = np.interp(rng.random(n), self._hour_cdf, self._hour_grid)
        return self.start_us + day * US_PER_DAY + (hours * US_PER_HOUR).astype(np.int64)

    def dip(self, ts: np.ndarray) -> np.ndarray:
        """Seasonal-dip multiplier (1 - DIP_SIZE in the dip month, else 1) for activity not drawn from the clock."""
        day = np.clip((np.asarray(ts, dtype=np.int64) - self.start_us) // US_PER_DAY, 0, self.n_days - 1)
        return np.where(self.month[day] == DIP_MONTH, 1.0 - DIP_SIZE, 1.0)
