"""`engagekit derive`: bring sessions, customer-day activity and customer facts up to date."""
from __future__ import annotations

from typing import Annotated

import typer

from engagekit.cli.context import STATE, console, err_console, print_json
from engagekit.derive import SessionRules, build_derived
from engagekit.store import Store


def register(app: typer.Typer) -> None:
    app.command("derive")(derive)


def rebuild(store: Store, show: bool, full: bool = False) -> dict[str, int]:
    """Update (with `full`, rebuild) the derived tables with the project's session rules, with a
    status line."""
    rules = SessionRules.from_settings(STATE.settings)
    if not show:
        return build_derived(store, rules, full=full)
    with err_console.status("building sessions, customer days and customer facts"):
        return build_derived(store, rules, full=full)


def derive(
    full: Annotated[bool, typer.Option("--full", help="Rebuild every table from all events instead of "
                                                      "applying only the batches ingested since the last build.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the row counts as JSON.")] = False,
) -> None:
    """Update the derived tables with the batches ingested since the last build (ingest does this
    after every run); --full rebuilds them from all events."""
    counts = rebuild(STATE.store(), show=not as_json, full=full)
    if as_json:
        print_json(counts)
        return
    for name, rows in counts.items():
        console.print(f"{name:>15}  {rows:,} rows")
