"""How results read in a terminal: KPI changes and statuses in the right colour (Rich markup),
and the event names a query mapped."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.markup import escape

from engagekit.cli.context import console
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



def print_names(names: Mapping[str, str], notes: Sequence[str]) -> None:
    """One line on the event names the query mapped (as sent -> as stored), then a note on each
    name the store has never seen."""
    if names:
        mapped = ", ".join(f"{sent} → {stored}" for sent, stored in names.items())
        console.print(f"[dim]event names as stored: {escape(mapped)}[/]", highlight=False)
    for note in notes:
        console.print(f"[yellow]note:[/] {escape(note)}", highlight=False)
