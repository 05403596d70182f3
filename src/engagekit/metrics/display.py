"""How KPI values read as plain text: the unit's format, changes, and sparklines for series."""
from __future__ import annotations

from engagekit.metrics.result import MetricRow
from engagekit.metrics.spec import Metric

SPARKS = "▁▂▃▄▅▆▇█"


def format_value(metric: Metric, value: float | None) -> str:
    """A value in its unit: 12.3%, 1,234.56, 1,234, 90 s, 1.5 h, 2.0 d; "-" for no value."""
    if value is None:
        return "-"
    match metric.unit:
        case "percent":
            return f"{value * 100:.1f}%"
        case "currency":
            return f"{value:,.2f}"
        case "count":
            return f"{value:,.0f}"
        case "seconds":
            return f"{value:,.0f} s"
        case "hours":
            return f"{value:,.1f} h"
        case "days":
            return f"{value:,.1f} d"
        case _:
            return f"{value:,.2f}"


def sparkline(values: list[float | None]) -> str:
    """A one-line chart of a series (gaps shown as spaces)."""
    present = [v for v in values if v is not None]
    if not present:
        return ""
    low, high = min(present), max(present)
    span = (high - low) or 1.0
    return "".join(" " if v is None else SPARKS[int((v - low) / span * (len(SPARKS) - 1))] for v in values)


def change_text(row: MetricRow, unit: str) -> str:
    """A change in points for rates, relative for counts and money, absolute otherwise."""
    if row.change is None:
        return "-"
    if unit == "percent":
        return f"{row.change * 100:+.1f} pt"
    if unit in ("count", "currency") and row.relative_change is not None:
        return f"{row.relative_change:+.1%}"
    return f"{row.change:+,.2f}"
