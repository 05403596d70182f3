"""95% intervals of the survey metrics and the tests that compare two of them.

- Proportions (CSAT, CES agreement, shares): Wilson's score interval (Wilson 1927, JASA 22:209),
  which stays inside [0, 1] and is sound for small n and shares near 0 or 1.
- NPS: the net of two shares of one multinomial sample, p - d, has variance
  (p + d - (p - d)^2) / n; on the -100..100 scale SE = 100 * sqrt((p + d - (p - d)^2) / n) and the
  interval is NPS +/- z * SE (normal approximation), clipped to -100..100.
- Means (CES): mean +/- t(0.975, n - 1) * s / sqrt(n), s the sample standard deviation.
Two NPS values (a segment and the rest, two periods) are compared by z = (a - b) / sqrt(SEa^2 +
SEb^2), two-sided.
"""
from __future__ import annotations

import math

from scipy import stats

Z_95 = 1.959963984540054  # the standard normal's 0.975 quantile


def wilson(successes: float, n: float, z: float = Z_95) -> tuple[float, float] | tuple[None, None]:
    """Wilson score interval of successes / n; (None, None) without answers."""
    if n <= 0:
        return None, None
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def nps_standard_error(promoters: float, detractors: float, n: float) -> float | None:
    """SE of NPS on -100..100 from the counts of promoters and detractors of n answers."""
    if n <= 0:
        return None
    p, d = promoters / n, detractors / n
    return 100 * math.sqrt(max(p + d - (p - d) ** 2, 0.0) / n)


def nps_interval(promoters: float, detractors: float, n: float, z: float = Z_95) -> tuple[float, float] | tuple[None, None]:
    se = nps_standard_error(promoters, detractors, n)
    if se is None:
        return None, None
    value = 100 * (promoters - detractors) / n
    return max(-100.0, value - z * se), min(100.0, value + z * se)


def mean_interval(n: float, total: float, squares: float) -> tuple[float, float] | tuple[None, None]:
    """t interval of a mean from the count, sum and sum of squares; (None, None) below two answers."""
    if n < 2:
        return None, None
    mean = total / n
    variance = max((squares - n * mean * mean) / (n - 1), 0.0)
    half = stats.t.ppf(0.975, n - 1) * math.sqrt(variance / n)
    return mean - half, mean + half


def z_p_value(difference: float, standard_error: float) -> float:
    """Two-sided p-value of a normal statistic difference / standard_error."""
    if standard_error <= 0:
        return 1.0
    return math.erfc(abs(difference / standard_error) / math.sqrt(2))
