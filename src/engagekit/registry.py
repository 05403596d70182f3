"""The registered analyses of every family, by name: the CLI's commands, the read API's routes and
the dashboard's data layer are built from this list. It sits above the families (journey analyses,
voice of the customer, ...) and below the presentation layers. Registration is explicit: an
analysis module defines its `ANALYSIS` (a family may list several in `ANALYSES`) and is named in
`BUILT_IN`; `registered` adds one for a block (a test's toy analysis, a plug-in).
"""
from __future__ import annotations

import contextlib
import difflib
from collections.abc import Iterator
from typing import Any

from engagekit.analyses import funnel, kpis, lifecycle, paths, retention, stickiness
from engagekit.analyses.protocol import Analysis
from engagekit.errors import InputError
from engagekit.voc import analyses as voc

BUILT_IN: tuple[Analysis[Any, Any], ...] = (
    funnel.ANALYSIS, retention.ANALYSIS, lifecycle.ANALYSIS, stickiness.ANALYSIS, paths.ANALYSIS, kpis.ANALYSIS,
    *voc.ANALYSES,
)
_ANALYSES: dict[str, Analysis[Any, Any]] = {analysis.name: analysis for analysis in BUILT_IN}


def analyses() -> list[Analysis[Any, Any]]:
    """Every registered analysis, built-in ones first, in registration order."""
    return list(_ANALYSES.values())


def get(name: str) -> Analysis[Any, Any]:
    """The analysis called `name`; an InputError naming the close matches otherwise."""
    if name not in _ANALYSES:
        close = difflib.get_close_matches(name, list(_ANALYSES), n=3)
        raise InputError(f"unknown analysis {name!r}; " + (f"did you mean {', '.join(close)}?" if close
                                                            else f"analyses: {', '.join(_ANALYSES)}"))
    return _ANALYSES[name]


@contextlib.contextmanager
def registered(analysis: Analysis[Any, Any]) -> Iterator[None]:
    """`analysis` in the registry within the block (the CLI, API and dashboard built inside it see it)."""
    if analysis.name in _ANALYSES:
        raise ValueError(f"an analysis called {analysis.name!r} is already registered")
    _ANALYSES[analysis.name] = analysis
    try:
        yield
    finally:
        del _ANALYSES[analysis.name]
