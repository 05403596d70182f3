"""`engagekit stickiness`: in how many days or weeks people were active, and DAU/WAU/MAU."""
from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Optional

import typer
from pydantic import ValidationError
from rich.table import Table

from engagekit.analyses.stickiness import (
    Criterion,
    StickinessQuery,
    StickinessResult,
    run_stickiness,
)
from engagekit.cli.context import STATE, console, print_json
from engagekit.cli.format import print_names
from engagekit.cli.lifecycle import activity_filter, activity_label
from engagekit.cli.options import CohortOption, date_range, query_error
from engagekit.errors import InputError
from engagekit.metrics.display import sparkline

BAR_WIDTH = 30


def criterion(min_events: int | None, max_events: int | None, exactly: int | None) -> Criterion:
    """At most one of --min-events, --max-events and --exactly; none means at least 1 event."""
    given = {"at_least": min_events, "at_most": max_events, "exactly": exactly}
    chosen = {name: n for name, n in given.items() if n is not None}
    if len(chosen) > 1:
        raise InputError("give only one of --min-events, --max-events and --exactly")
    compare, n = next(iter(chosen.items()), ("at_least", 1))
    try:
        return Criterion(compare=compare, n=n)
    except ValidationError as exc:
        raise query_error(exc) from exc


def print_distribution(result: StickinessResult) -> None:
    query = result.query
    total = result.distribution[0].cumulative if result.distribution else 0
    largest = max([b.people for b in result.distribution] + [1])
    table = Table(title=f"Stickiness of {activity_label(query.activity)}, {query.criterion.label()} per {query.period}"
                        f"\n{query.range.start} .. {query.range.end - timedelta(days=1)}: {result.period_count} {query.period}s")
    for name in (f"{query.period}s", "people", "share", "or more", ""):
        table.add_column(name, justify="left" if not name else "right")
    for bucket in result.distribution:
        share = f"{bucket.people / total:.1%}" if total else "-"
        table.add_row(str(bucket.periods), str(bucket.people), share, str(bucket.cumulative),
                      f"[cyan]{'█' * round(bucket.people / largest * BAR_WIDTH)}[/]")
    console.print(table)


def print_series(result: StickinessResult) -> None:
    series = result.series
    last = series[-1]
    ratios = [d.dau_mau for d in series]
    known = [r for r in ratios if r is not None]
    table = Table(title="Active people (WAU: 7 days, MAU: 30 days ending on each day)")
    for name in ("series", f"on {last.day}", "mean", "trend"):
        table.add_column(name, justify="left" if name in ("series", "trend") else "right")
    for name in ("dau", "wau", "mau"):
        values = [getattr(d, name) for d in series]
        table.add_row(name.upper(), str(values[-1]), f"{sum(values) / len(values):.1f}", sparkline(values))
    table.add_row("DAU/MAU", "-" if last.dau_mau is None else f"{last.dau_mau:.1%}",
                  f"{sum(known) / len(known):.1%}" if known else "-", sparkline(ratios))
    console.print(table)


def stickiness(
    event: Annotated[Optional[str], typer.Option(help="Activity event, e.g. logged_in or \"feature_used where properties.feature == 'export'\" (default: the active events of the DAU KPI).")] = None,
    period: Annotated[str, typer.Option(help="day or week.")] = "day",
    from_: Annotated[Optional[str], typer.Option("--from", help="First day, YYYY-MM-DD (inclusive).")] = None,
    to: Annotated[Optional[str], typer.Option("--to", help="Last day, YYYY-MM-DD (inclusive; default yesterday).")] = None,
    min_events: Annotated[Optional[int], typer.Option(help="A period counts with at least N events.")] = None,
    max_events: Annotated[Optional[int], typer.Option(help="A period counts with 1 to N events.")] = None,
    exactly: Annotated[Optional[int], typer.Option(help="A period counts with exactly N events.")] = None,
    week_start: Annotated[Optional[str], typer.Option(help="sunday or monday (default: week_start of engagekit.yaml).")] = None,
    cohort: CohortOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """People by the number of days (or weeks) they were active, and the DAU/WAU/MAU series."""
    try:
        query = StickinessQuery(range=date_range(None, from_, to), activity=activity_filter(event), period=period,
                                week_start=week_start or STATE.settings.week_start,
                                criterion=criterion(min_events, max_events, exactly), cohort=cohort)
    except ValidationError as exc:
        raise query_error(exc) from exc
    result = run_stickiness(STATE.store(), query, STATE.event_names())
    if as_json:
        print_json(result.to_dict())
        return
    print_distribution(result)
    print_series(result)
    print_names(result.names, result.notes)


def register(app: typer.Typer) -> None:
    """Add the `stickiness` command to the CLI."""
    app.command("stickiness")(stickiness)
