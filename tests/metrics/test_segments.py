"""Segment tests: the z-test and Holm's adjustment against values worked out by hand."""
from __future__ import annotations

from datetime import date

import pytest

from engagekit.metrics.catalog import load_catalog
from engagekit.metrics.result import MetricResult, MetricRow
from engagekit.metrics.segments import find_differences, holm, two_proportion_p


def test_two_proportion_z_test() -> None:
    # 80/100 vs 55/100: pooled p = 0.675, se = sqrt(0.675 * 0.325 * (2/100)) = 0.06624,
    # z = 0.25 / 0.06624 = 3.774, two-sided p = erfc(3.774 / sqrt 2) = 0.00016
    assert two_proportion_p(80, 100, 55, 100) == pytest.approx(0.00016, abs=1e-5)
    assert two_proportion_p(50, 100, 50, 100) == pytest.approx(1.0)


def test_holm_step_down() -> None:
    # sorted: 0.005 x 4 = 0.02, 0.01 x 3 = 0.03, 0.03 x 2 = 0.06, 0.04 x 1 = 0.04 -> kept monotone at 0.06
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])


def test_the_high_abandonment_segment_is_flagged_in_words() -> None:
    def row(country: str, buyers: int, carts: int) -> MetricRow:
        return MetricRow(metric="cart_abandonment_rate", period=None, segment=(("country", country),),
                         value=1 - buyers / carts, numerator=buyers, denominator=carts)

    result = MetricResult(start=date(2024, 10, 1), end=date(2024, 11, 1), grain=None, by=("country",), compare=None,
                          rows=[row("DE", 20, 100), row("FR", 45, 100), row("US", 46, 100), row("UK", 44, 100),
                           row("ES", 45, 100), row("XX", 1, 5)])
    findings = find_differences(result, load_catalog())
    assert [f.segment for f in findings if f.significant] == [(("country", "DE"),)]
    de = findings[0]
    # DE: 80% abandon; the rest: 1 - (45 + 46 + 44 + 45 + 1) / 405 = 55.3%
    assert de.value == pytest.approx(0.80) and de.rest_value == pytest.approx(1 - 181 / 405)
    assert de.sentence.startswith("Cart abandonment rate is 80.0% for country = DE against 55.3% for everyone else")
    assert all(f.segment != (("country", "XX"),) for f in findings)  # 5 carts: too few to test


def test_welch_test_for_means() -> None:
    from engagekit.metrics.segments import welch_p

    # segment: 100 values with mean 12, variance 4 -> sum 1200, sum of squares = 99 * 4 + 100 * 144 = 14796
    # rest: 400 values with mean 10, variance 4 -> sum 4000, sum of squares = 399 * 4 + 400 * 100 = 41596
    # se = sqrt(4/100 + 4/400) = 0.2236, z = 2 / 0.2236 = 8.94 -> p far below 0.001
    assert welch_p(100, 1200, 14796, 400, 4000, 41596) < 1e-15
    # equal means: z = 0 -> p = 1
    assert welch_p(100, 1000, 10396, 400, 4000, 41596) == pytest.approx(1.0)


def test_mean_kpis_are_tested_by_segment() -> None:
    def row(country: str, n: int, mean: float, variance: float) -> MetricRow:
        return MetricRow(metric="avg_session_duration", period=None, segment=(("country", country),), value=mean,
                         numerator=mean * n, denominator=n, sum_squares=(n - 1) * variance + n * mean * mean)

    result = MetricResult(start=date(2024, 10, 1), end=date(2024, 11, 1), grain=None, by=("country",), compare=None,
                          rows=[row("DE", 200, 300.0, 900.0), row("FR", 200, 200.0, 900.0), row("US", 200, 201.0, 900.0)])
    findings = find_differences(result, load_catalog())
    assert [f.segment for f in findings if f.significant][0] == (("country", "DE"),)
    assert findings[0].rest_value == pytest.approx(200.5)
    assert "Average session duration is 300.00 for country = DE against 200.50" in findings[0].sentence
