"""KPI kinds written in Python. Importing this package imports (and so registers) every module
in it: a new kind is a new module here with `@register(...)` functions."""
from __future__ import annotations

import importlib
import pkgutil

from engagekit.metrics.kinds.registry import REGISTRY, check_registered, run, sharing

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "registry":
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["REGISTRY", "check_registered", "run", "sharing"]
