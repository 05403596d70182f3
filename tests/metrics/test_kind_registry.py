"""The registry of Python KPI kinds is built from the modules' KINDS lists, not by importing them."""
from __future__ import annotations

import pytest

from engagekit.metrics.kinds import MODULES, REGISTRY, check_registered
from engagekit.metrics.kinds.registry import register, registry_of


def test_the_registry_holds_exactly_what_the_modules_list() -> None:
    listed = {function.__qualname__ for module in MODULES for function in module.KINDS}
    assert {kind.function.__qualname__ for kind in REGISTRY.values()} == listed
    assert REGISTRY["nps"].function.__name__ == "net_promoter_score"


def test_a_function_marked_but_not_listed_is_not_registered() -> None:
    @register("toy_kind", params=("events",))
    def toy(store, scope, params):  # noqa: ANN001, ANN202 - never called
        return {}

    assert "toy_kind" not in REGISTRY
    assert registry_of([toy])["toy_kind"].params == frozenset({"events"})
    with pytest.raises(ValueError, match="unknown KPI function 'toy_kind'"):
        check_registered("toy_kind")


def test_an_unmarked_function_or_a_name_twice_is_refused() -> None:
    def plain(store, scope, params):  # noqa: ANN001, ANN202 - never called
        return {}

    with pytest.raises(RuntimeError, match="plain is listed as a KPI kind without @register"):
        registry_of([plain])
    twice = register("nps")(plain)
    with pytest.raises(RuntimeError, match="KPI kind 'nps' is registered twice"):
        registry_of([REGISTRY["nps"].function, twice])
