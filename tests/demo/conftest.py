"""Shared demo datasets: generated once per test session into temporary folders."""
from __future__ import annotations

from pathlib import Path

import pytest

from engagekit.demo.generate import generate
from tests.demo.demo_measures import EFFECTS, SMALL


@pytest.fixture(scope="session")
def small_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A small e-commerce demo for contract checks."""
    return generate(SMALL, tmp_path_factory.mktemp("demo_small"))


@pytest.fixture(scope="session")
def effect_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A demo large enough to measure every planted effect within tolerance."""
    return generate(EFFECTS, tmp_path_factory.mktemp("demo_effects"))
