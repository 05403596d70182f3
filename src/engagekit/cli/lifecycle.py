"""`engagekit lifecycle`: new, returning, resurrecting and dormant people per period."""
from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Optional

import typer
from pydantic import ValidationError
from rich.table import Table

from engagekit.analyses.lifecycle import (
    LifecyclePeriod,
    LifecycleQuery,
    LifecycleResult,
    run_lifecycle,
)
from engagekit.cli.context import STATE, console, print_json
from engagekit.cli.format import print_names
from engagekit.cli.options import CohortOption, date_range, query_error
from engagekit.errors import InputError
from engagekit.people.names import ANY_EVENT
from engagekit.people.query import EventFilter

BAR_WIDTH = 24
STATUS_STYLES = {"new": "green", "returning": "blue", "resurrecting": "yellow", "dormant": "red"}


def activity_label(activity: EventFilter | None) -> str:
    if activity is None:
        return "active events"
    return "any event" if activity.label() == ANY_EVENT else activity.label()


def activity_filter(event: str | None) -> EventFilter | None:
    """--event 'name' or "name where field == value" as an EventFilter; None when not given."""
    if event is None:
        return None
    try:
        return EventFilter.parse(event)
    except ValidationError as exc:
        raise InputError(f"--event {event!r}: {query_error(exc)}") from exc


def bar(row: LifecyclePeriod, scale: float) -> str:
    """Dormant to the left of the axis, the active statuses stacked to its right."""
    left = "█" * round(-row.dormant * scale)
    right = "".join(f"[{STATUS_STYLES[name]}]{'█' * round(getattr(row, name) * scale)}[/]"
                    for name in ("new", "returning", "resurrecting"))
    return f"[red]{left:>{BAR_WIDTH}}[/]│{right}"


def print_lifecycle(result: LifecycleResult) -> None:
    query = result.query
    largest = max([max(p.active, -p.dormant) for p in result.periods] + [1])
    table = Table(title=f"Lifecycle of {activity_label(query.activity)} by {query.period}"
                        f" ({query.range.start} .. {query.range.end - timedelta(days=1)})")
    table.add_column(query.period)
    for name, style in STATUS_STYLES.items():
        table.add_column(name, justify="right", style=style)
    table.add_column("dormant ◀ │ ▶ new, returning, resurrecting")
    for row in result.periods:
        table.add_row(str(row.period), str(row.new), str(row.returning), str(row.resurrecting), str(row.dormant),
                      bar(row, BAR_WIDTH / largest))
    console.print(table)


def lifecycle(
    event: Annotated[Optional[str], typer.Option(help="Activity event, e.g. logged_in or \"page_viewed where properties.path == '/app'\" (default: any event).")] = None,
    period: Annotated[str, typer.Option(help="day, week or month.")] = "week",
    from_: Annotated[Optional[str], typer.Option("--from", help="First day, YYYY-MM-DD (inclusive).")] = None,
    to: Annotated[Optional[str], typer.Option("--to", help="Last day, YYYY-MM-DD (inclusive; default yesterday).")] = None,
    week_start: Annotated[Optional[str], typer.Option(help="sunday or monday (default: week_start of engagekit.yaml).")] = None,
    cohort: CohortOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """New, returning, resurrecting and dormant (negative) people per period."""
    try:
        query = LifecycleQuery(range=date_range(None, from_, to), period=period,
                               week_start=week_start or STATE.settings.week_start,
                               activity=activity_filter(event) or EventFilter(), cohort=cohort)
    except ValidationError as exc:
        raise query_error(exc) from exc
    result = run_lifecycle(STATE.store(), query, STATE.event_names())
    if as_json:
        print_json(result.to_dict())
    else:
        print_lifecycle(result)
        print_names(result.names, result.notes)


def register(app: typer.Typer) -> None:
    """Add the `lifecycle` command to the CLI."""
    app.command("lifecycle")(lifecycle)
