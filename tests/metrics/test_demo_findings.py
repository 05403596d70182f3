"""On the demo company, the KPI engine finds the planted effects."""
from __future__ import annotations

from datetime import date

import pytest

from engagekit.demo import effects
from engagekit.metrics.catalog import load_catalog
from engagekit.metrics.engine import compute
from engagekit.metrics.segments import find_differences
from engagekit.store import Store

def test_the_high_abandonment_segment_is_flagged(demo_store: Store) -> None:
    catalog = load_catalog()
    result = compute(demo_store, catalog, ["cart_abandonment_rate"], date(2026, 5, 1), date(2026, 11, 1), by=("country",))
    findings = find_differences(result, catalog)
    top = findings[0]
    assert top.significant and top.segment == (("country", effects.ABANDONMENT_COUNTRY),)
    # The generator's rates count signed-in visits only; the KPI counts every visit of a person,
    # including visits before sign-up (linked by identity stitching), whose carts cannot check out,
    # so both read a few points higher than the planted sizes; the gap between them stays.
    assert top.value == pytest.approx(effects.CART_ABANDONMENT_SEGMENT, abs=0.06)
    assert top.rest_value == pytest.approx(effects.CART_ABANDONMENT_BASE, abs=0.08)
    assert top.value - top.rest_value > 0.15
    assert "differs significantly" in top.sentence


def test_an_unknown_trait_names_the_close_matches(demo_store: Store) -> None:
    from engagekit.errors import InputError

    with pytest.raises(InputError, match=r"unknown trait 'contry'; did you mean country\?"):
        compute(demo_store, load_catalog(), ["orders"], date(2026, 10, 1), date(2026, 11, 1), by=("contry",))
