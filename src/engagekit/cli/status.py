"""`engagekit status`: what the store holds and what the last batches did."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from engagekit.cli.context import STATE, console, print_json
from engagekit.store.summary import store_summary


def register(app: typer.Typer) -> None:
    app.command("status")(status)


def status(as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False) -> None:
    """Tables, counts, date range, recent batches and quarantine of the store."""
    summary = store_summary(STATE.store())
    if as_json:
        print_json(summary)
        return
    print_summary(summary)


def print_summary(summary: dict[str, Any], batches: bool = True) -> None:
    """The summary as Rich tables (shared with `engagekit demo`, which shows its batches itself)."""
    console.print(f"[bold]{summary['store']}[/] ({summary['engine']}, schema v{summary['schema_version']})")
    overview = Table(title="Store", show_header=False)
    overview.add_column(justify="left")
    overview.add_column(justify="right")
    overview.add_row("events", f"{summary['events']:,}")
    overview.add_row("date range", f"{summary['first_event'] or '-'} .. {summary['last_event'] or '-'}")
    overview.add_row("customers", f"{summary['customers']:,}")
    overview.add_row("customers with events", f"{summary['customers_with_events']:,}")
    overview.add_row("revenue", f"{summary['revenue']:,.2f}")
    overview.add_row("quarantined rows", f"{summary['quarantined']:,}")
    for name, rows in summary["tables"].items():
        overview.add_row(f"table {name}", f"{rows:,}")
    console.print(overview)
    if summary["events_by_source"]:
        sources = Table(title="Events by source")
        sources.add_column("source")
        sources.add_column("rows", justify="right")
        for source, rows in summary["events_by_source"].items():
            sources.add_row(source, f"{rows:,}")
        console.print(sources)
    if batches and summary["recent_batches"]:
        batches = Table(title="Recent batches")
        for name in ("started", "file", "kind", "received", "stored", "duplicate", "quarantined"):
            batches.add_column(name, justify="right" if name in ("received", "stored", "duplicate", "quarantined") else "left")
        for b in summary["recent_batches"]:
            batches.add_row(f"{b['started_at']:%m-%d %H:%M}", Path(b["file"]).name, b["kind"], f"{b['received']:,}",
                            f"{b['stored']:,}", f"{b['duplicate']:,}", f"{b['quarantined']:,}")
        console.print(batches)
