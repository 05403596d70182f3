"""How KPI changes and statuses read in a terminal: in the right colour (Rich markup)."""
from __future__ import annotations

from engagekit.metrics.result import MetricRow
from engagekit.metrics.spec import Metric

STATUS_STYLE = {"on_track": "[green]on track[/]", "warning": "[yellow]warning[/]", "critical": "[red]critical[/]"}


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
    """A target status in its colour."""
    return STATUS_STYLE.get(status or "", "")

