"""`engagekit derive`: rebuild sessions, customer-day activity and customer facts."""
from __future__ import annotations

from typing import Annotated

import typer

from engagekit.cli.context import STATE, console, err_console, print_json
from engagekit.derive import SessionRules, build_derived
from engagekit.store import Store


def register(app: typer.Typer) -> None:
    app.command("derive")(derive)


def rebuild(store: Store, show: bool) -> dict[str, int]:
    """Rebuild the derived tables with the project's session rules, with a status line."""
    rules = SessionRules.from_settings(STATE.settings)
    if not show:
        return build_derived(store, rules)
    with err_console.status("building sessions, customer days and customer facts"):
        return build_derived(store, rules)


def derive(as_json: Annotated[bool, typer.Option("--json", help="Print the row counts as JSON.")] = False) -> None:
    """Rebuild the derived tables (ingest does this after every run)."""
    counts = rebuild(STATE.store(), show=not as_json)
    if as_json:
        print_json(counts)
        return
    for name, rows in counts.items():
        console.print(f"{name:>15}  {rows:,} rows")
