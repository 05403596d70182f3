"""The public surface is small, explicit and sorted."""
from __future__ import annotations

import inspect

import engagekit


def test_all_is_sorted_and_names_every_public_object() -> None:
    assert engagekit.__all__ == sorted(engagekit.__all__)
    exported = {name for name in dir(engagekit)
                if not name.startswith("_") and not inspect.ismodule(getattr(engagekit, name))}
    assert exported - {"annotations"} == set(engagekit.__all__)
