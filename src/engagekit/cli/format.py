"""How KPI values read in a terminal: units, changes in the right colour, sparklines."""
from __future__ import annotations

from engagekit.metrics.result import MetricRow
from engagekit.metrics.spec import Metric

SPARKS = "▁▂▃▄▅▆▇█"
STATUS_STYLE = {"on_track": "[green]on track[/]", "warning": "[yellow]warning[/]", "critical": "[red]critical[/]"}


def format_value(metric: Metric, value: float | None) -> str:
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


def format_change(metric: Metric, row: MetricRow) -> str:
    """The change since the comparison period, green when it moved in the better direction."""
    if row.change is None:
        return "-"
    better = (row.change > 0) == (metric.direction == "higher")
    colour = "green" if better else "red"
    if row.change == 0:
        colour = "white"
    if metric.unit == "percent":
        text = f"{row.change * 100:+.1f} pt"
    elif metric.unit == "count":
        text = f"{row.change:+,.0f}"
    else:
        text = f"{row.change:+,.2f}"
    if row.relative_change is not None and metric.unit not in ("percent", "currency"):
        text += f" ({row.relative_change * 100:+.0f}%)"
    return f"[{colour}]{text}[/]"


def status_markup(status: str | None) -> str:
    return STATUS_STYLE.get(status or "", "")


def sparkline(values: list[float | None]) -> str:
    """A one-line chart of a series (gaps shown as spaces)."""
    present = [v for v in values if v is not None]
    if not present:
        return ""
    low, high = min(present), max(present)
    span = (high - low) or 1.0
    return "".join(" " if v is None else SPARKS[int((v - low) / span * (len(SPARKS) - 1))] for v in values)
