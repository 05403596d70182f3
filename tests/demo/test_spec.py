"""DemoSpec defaults and validation."""
from __future__ import annotations

from datetime import date

import pydantic
import pytest

from engagekit.demo.generate import DemoSpec
from engagekit.demo.timeline import period_bounds


def test_defaults():
    spec = DemoSpec()
    assert (spec.industry, spec.customers, spec.months, spec.seed, spec.end) == (
        "ecommerce", 5000, 12, 7, date(2026, 10, 31))


def test_rejects_unknown_industry_and_is_frozen():
    with pytest.raises(pydantic.ValidationError):
        DemoSpec(industry="mining")
    with pytest.raises(pydantic.ValidationError):
        DemoSpec(customers=0)
    with pytest.raises(pydantic.ValidationError):
        DemoSpec().seed = 3


@pytest.mark.parametrize(("end", "months", "first", "stop"), [
    (date(2026, 10, 31), 12, date(2025, 11, 1), date(2026, 11, 1)),
    (date(2026, 10, 31), 6, date(2026, 5, 1), date(2026, 11, 1)),
    (date(2026, 3, 30), 1, date(2026, 2, 28), date(2026, 3, 31)),
])
def test_period_covers_the_months_ending_on_end(end, months, first, stop):
    assert period_bounds(end, months) == (first, stop)
