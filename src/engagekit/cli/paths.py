"""`engagekit paths`: the most common sequences after a start point or before an end point."""
from __future__ import annotations

from typing import Annotated, Optional

import typer
from pydantic import ValidationError
from rich.table import Table

from engagekit.analyses.paths import OTHER, PathsQuery, PathsResult, run_paths
from engagekit.cli.context import STATE, console, print_json
from engagekit.cli.format import print_names
from engagekit.cli.options import CohortOption, date_range, query_error
from engagekit.people.query import EventFilter


def paths(
    start: Annotated[Optional[str], typer.Option("--start", help="Start point, e.g. signed_up or \"page_viewed where properties.path == '/pricing'\".")] = None,
    end: Annotated[Optional[str], typer.Option("--end", help="End point (the path leads up to it).")] = None,
    steps: Annotated[int, typer.Option(help="Steps deep.")] = 4,
    by: Annotated[str, typer.Option(help="session or person.")] = "session",
    pages: Annotated[bool, typer.Option("--pages", help="Follow page views by properties.path instead of event names.")] = False,
    from_: Annotated[Optional[str], typer.Option("--from", help="First day, YYYY-MM-DD (inclusive).")] = None,
    to: Annotated[Optional[str], typer.Option("--to", help="Last day, YYYY-MM-DD (inclusive).")] = None,
    top: Annotated[int, typer.Option(help="Sequences listed; the rest are summed as 'other'.")] = 10,
    collapse: Annotated[bool, typer.Option("--collapse/--no-collapse", help="Count consecutive repeats of a step once.")] = True,
    cohort: CohortOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """The most common paths, with counts, shares and drop-offs per step."""
    try:
        query = PathsQuery(
            start=EventFilter.parse(start) if start else None,
            end=EventFilter.parse(end) if end else None,
            steps=steps, by=by, pages=pages, range=date_range(None, from_, to, required=False), collapse=collapse, top=top,
            cohort=cohort,
        )
    except ValidationError as exc:
        raise query_error(exc) from exc
    result = run_paths(STATE.store(), query, STATE.event_names())
    if as_json:
        print_json(result.to_dict())
        return
    _print(result)
    print_names(result.names, result.notes)


def _print(result: PathsResult) -> None:
    anchor = result.query.start or result.query.end
    where = f" {'after' if result.query.start else 'before'} {anchor.label()}" if anchor else ""
    among = f" of cohort {result.query.cohort}" if result.query.cohort else ""
    table = Table(title=f"Top paths{where}{among} ({result.total} {result.unit})")
    for name in ("#", "path", result.unit, "share"):
        table.add_column(name, justify="right" if name != "path" else "left")
    for rank, seq in enumerate(result.sequences, start=1):
        table.add_row(str(rank), " → ".join(seq.steps), str(seq.count), f"{seq.share:.1%}")
    if result.other:
        table.add_row("", OTHER, str(result.other), f"{result.other / result.total:.1%}")
    console.print(table)
    drops = Table(title="Drop-off by step")
    for name in ("step", "reached", "stopped here", "drop-off"):
        drops.add_column(name, justify="right")
    for depth in result.depths:
        drops.add_row(str(depth.depth), str(depth.reached), str(depth.dropped), f"{depth.drop_rate:.1%}")
    console.print(drops)


def register(app: typer.Typer) -> None:
    """Add the command(s) to the CLI."""
    app.command("paths")(paths)
