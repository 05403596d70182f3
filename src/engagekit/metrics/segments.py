"""Hidden patterns: which segments differ significantly from the rest of the population.

Broad averages hide patterns (the seeds' shirt that sells to women but not to men), so every
`--by` result is tested segment by segment. Rows whose segment value is unknown (null) are left out of the comparison.
For rate KPIs (numerator and denominator are counts
of people or events), each segment is compared with all other segments pooled by a two-proportion
z-test (pooled variance; Agresti, *Categorical Data Analysis*, 3rd ed., sec. 2.1.3). For mean KPIs
(a mean of values, with each segment's count and sum of squares), each segment's mean is compared
with the mean of all other segments by Welch's unequal-variance test in its large-sample normal
form (Welch 1947), trusted from MIN_SEGMENT_SIZE values per side. The p-values
of one KPI's segments are adjusted with Holm's step-down method (Holm 1979) so that testing many
segments does not manufacture findings.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from engagekit.metrics.catalog import Catalog
from engagekit.metrics.result import MetricResult, MetricRow
from engagekit.metrics.spec import Agg, Kind, Metric

DEFAULT_ALPHA = 0.05
MIN_SEGMENT_SIZE = 30  # below this, the normal approximation of the z-test is not trusted


@dataclass(frozen=True)
class SegmentFinding:
    """One segment of one KPI against the rest, with its adjusted p-value."""

    metric: str
    segment: tuple[tuple[str, object], ...]
    value: float
    rest_value: float
    size: float
    p_value: float
    adjusted_p: float
    significant: bool
    sentence: str

    def to_dict(self) -> dict:
        return {"metric": self.metric, "segment": dict(self.segment), "value": self.value,
                "rest_value": self.rest_value, "size": self.size, "p_value": self.p_value,
                "adjusted_p": self.adjusted_p, "significant": self.significant, "sentence": self.sentence}


def two_proportion_p(x1: float, n1: float, x2: float, n2: float) -> float:
    """Two-sided p-value of H0: p1 = p2, pooled two-proportion z-test."""
    pooled = (x1 + x2) / (n1 + n2)
    variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if variance <= 0:
        return 1.0
    z = (x1 / n1 - x2 / n2) / math.sqrt(variance)
    return math.erfc(abs(z) / math.sqrt(2))


def welch_p(n1: float, sum1: float, squares1: float, n2: float, sum2: float, squares2: float) -> float:
    """Two-sided p-value of H0: mean1 = mean2 from counts, sums and sums of squares (Welch, normal
    approximation for large samples)."""
    if n1 < 2 or n2 < 2:
        return 1.0
    mean1, mean2 = sum1 / n1, sum2 / n2
    var1 = max((squares1 - n1 * mean1 * mean1) / (n1 - 1), 0.0)
    var2 = max((squares2 - n2 * mean2 * mean2) / (n2 - 1), 0.0)
    se = math.sqrt(var1 / n1 + var2 / n2)
    if se == 0:
        return 1.0 if mean1 == mean2 else 0.0
    return math.erfc(abs(mean1 - mean2) / se / math.sqrt(2))


def holm(p_values: list[float]) -> list[float]:
    """Holm (1979) step-down adjusted p-values, in the order given."""
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    adjusted = [0.0] * len(p_values)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (len(p_values) - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted


def find_differences(result: MetricResult, catalog: Catalog, alpha: float = DEFAULT_ALPHA) -> list[SegmentFinding]:
    """Test each segment of each rate or mean KPI against the rest; significant ones first."""
    findings: list[SegmentFinding] = []
    for name in dict.fromkeys(row.metric for row in result.rows):
        metric = catalog.get(name)
        is_rate = metric.kind == Kind.RATIO and metric.unit == "percent"
        is_mean = metric.kind == Kind.VALUE and metric.measure.agg == Agg.MEAN
        if not (is_rate or is_mean):
            continue
        rows = [r for r in result.for_metric(name)
                if r.segment and r.numerator is not None and r.denominator and _known(r)
                and (is_rate or r.sum_squares is not None)]
        tested = [r for r in rows if r.denominator >= MIN_SEGMENT_SIZE]
        if len(tested) < 2:
            continue
        total_x = sum(r.numerator for r in rows)
        total_n = sum(r.denominator for r in rows)
        total_squares = sum(r.sum_squares or 0.0 for r in rows)
        raw = []
        for r in tested:
            rest_x, rest_n = total_x - r.numerator, total_n - r.denominator
            if is_rate:
                raw.append(two_proportion_p(r.numerator, r.denominator, rest_x, rest_n))
            else:
                raw.append(welch_p(r.denominator, r.numerator, r.sum_squares, rest_n, rest_x,
                                   total_squares - r.sum_squares))
        for row, p, adjusted in zip(tested, raw, holm(raw)):
            rest_x, rest_n = total_x - row.numerator, total_n - row.denominator
            rest = _rest_value(rest_x, rest_n, metric.complement) if is_rate else (rest_x / rest_n if rest_n else 0.0)
            significant = adjusted < alpha
            findings.append(SegmentFinding(name, row.segment, row.value, rest, row.denominator, p, adjusted,
                                           significant, _sentence(metric, row, rest, adjusted, significant)))
    return sorted(findings, key=lambda f: (not f.significant, f.adjusted_p))


def _known(row: MetricRow) -> bool:
    """Rows whose segment values are all known: people without the trait (anonymous visitors,
    say) are not a segment to compare with, and would distort everyone else's value."""
    return all(value is not None for _, value in row.segment)


def _rest_value(x: float, n: float, complement: bool) -> float:
    share = x / n if n else 0.0
    return 1 - share if complement else share


def _sentence(metric: Metric, row: MetricRow, rest: float, adjusted_p: float, significant: bool) -> str:
    segment = ", ".join(f"{k} = {v}" for k, v in row.segment)
    p_text = "p < 0.001" if adjusted_p < 0.001 else f"p = {adjusted_p:.3f}"
    verdict = "differs significantly" if significant else "does not differ significantly"
    shown = (f"{row.value:.1%}", f"{rest:.1%}") if metric.unit == "percent" else (f"{row.value:,.2f}", f"{rest:,.2f}")
    return (f"{metric.label} is {shown[0]} for {segment} against {shown[1]} for everyone else: it {verdict} "
            f"({p_text}, Holm-adjusted, {int(row.denominator):,} in the segment).")
