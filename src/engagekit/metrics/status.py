"""A KPI value against its target: on track, warning or critical, in the metric's direction."""
from __future__ import annotations

from engagekit.metrics.spec import Metric

DEFAULT_WARNING_BAND = 0.10  # within 10% of the target (on the wrong side) is a warning


def target_status(metric: Metric, value: float | None) -> str | None:
    """on_track when the target is met; warning within the warning band; critical beyond it."""
    if value is None or metric.target is None:
        return None
    target = metric.target.value
    higher = metric.direction == "higher"
    warning = metric.target.warning
    if warning is None:
        band = abs(target) * DEFAULT_WARNING_BAND
        warning = target - band if higher else target + band
    if (value >= target) if higher else (value <= target):
        return "on_track"
    if (value >= warning) if higher else (value <= warning):
        return "warning"
    return "critical"
