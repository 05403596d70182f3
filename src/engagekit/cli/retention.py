"""`engagekit retention`: the cohort retention matrix as a heatmap table, or JSON."""
from __future__ import annotations

from typing import Annotated, Optional

import typer
from pydantic import ValidationError
from rich.table import Table

from engagekit.analyses.retention import RetentionQuery, RetentionResult, run_retention
from engagekit.cli.context import STATE, console, print_json
from engagekit.cli.format import print_names
from engagekit.cli.options import CohortOption, date_range, query_error
from engagekit.people.query import EventFilter


def retention(
    start_event: Annotated[str, typer.Option(help="Start event: a name, '*' for any, or \"NAME where FILTER\".")] = "*",
    return_event: Annotated[str, typer.Option(help="Return event, in the same form.")] = "*",
    period: Annotated[str, typer.Option(help="day, week or month.")] = "week",
    periods: Annotated[int, typer.Option(help="Number of periods after the cohort period.")] = 8,
    from_: Annotated[Optional[str], typer.Option("--from", help="First cohort day, YYYY-MM-DD (with --to).")] = None,
    to: Annotated[Optional[str], typer.Option(help="Last cohort day, YYYY-MM-DD (inclusive).")] = None,
    mode: Annotated[str, typer.Option(help="recurring or first_time.")] = "recurring",
    cumulative: Annotated[bool, typer.Option("--cumulative", help="Count 'on or after' each period.")] = False,
    min_returns: Annotated[int, typer.Option(help="Return events needed in a period to count.")] = 1,
    by_trait: Annotated[Optional[str], typer.Option(help="Cohorts by a trait (e.g. campaign) instead of by period.")] = None,
    week_start: Annotated[Optional[str], typer.Option(help="sunday or monday (default: engagekit.yaml).")] = None,
    cohort: CohortOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Cohort retention: who comes back in each period after their start event."""
    try:
        query = RetentionQuery(
            start_event=EventFilter.parse(start_event), return_event=EventFilter.parse(return_event),
            period=period, periods=periods, range=date_range(None, from_, to, required=False), mode=mode, cumulative=cumulative,
            min_returns=min_returns, cohort_by=by_trait, cohort=cohort, week_start=week_start or STATE.settings.week_start,
        )
    except ValidationError as exc:
        raise query_error(exc) from exc
    result = run_retention(STATE.store(), query, STATE.event_names())
    if as_json:
        print_json(result.to_dict())
        return
    print_result(result)
    print_names(result.names, result.notes)


def _cell(percentage: float | None) -> str:
    """A percentage on a green background that deepens with the value; '-' when not observed."""
    if percentage is None:
        return "[dim]-[/]"
    green = 60 + int(percentage * 1.9)
    return f"[black on rgb(0,{green},0)] {percentage:5.1f}% [/]"


def print_result(result: RetentionResult) -> None:
    """The matrix as a heatmap-like table, then the average curve."""
    query = result.query
    kind = f"by {query.cohort_by}" if query.cohort_by else f"{query.period}ly cohorts ({query.mode})"
    title = (f"Retention {kind}: {query.start_event.label()} -> {query.return_event.label()}"
             f"{', cumulative' if query.cumulative else ''}")
    table = Table(title=title)
    table.add_column("cohort", no_wrap=True)
    table.add_column("size", justify="right")
    for k in range(1, query.periods + 1):
        table.add_column(f"{query.period[0]}{k}", justify="right")
    for row in result.rows:
        table.add_row(row.cohort, f"{row.size:,}", *(_cell(p) for p in row.percentages[1:]))
    table.add_section()
    table.add_row("[bold]average[/]", "", *(_cell(p) for p in result.average[1:]))
    console.print(table)
    console.print(f"[dim]last event day {result.last_event_day or '-'}; '-' marks periods not observed yet.[/]")


def register(app: typer.Typer) -> None:
    """Add the command(s) to the CLI."""
    app.command("retention")(retention)
