"""`engagekit derive`: bring sessions, customer-day activity, customer facts and the sentiment of
new texts up to date."""
from __future__ import annotations

import contextlib
from typing import Annotated

import typer

from engagekit.cli.context import STATE, console, err_console, print_json
from engagekit.cli.progress import progress_bar
from engagekit.derive import SessionRules, build_derived
from engagekit.store import Store
from engagekit.voc.sentiment import score_new_texts


def register(app: typer.Typer) -> None:
    app.command("derive")(derive)


def rebuild(store: Store, show: bool, full: bool = False) -> dict[str, int]:
    """Update (with `full`, rebuild) the derived tables with the project's session rules, then
    score the texts not scored yet, with a status line; the tables' row counts."""
    rules = SessionRules.from_settings(STATE.settings)
    with err_console.status("building sessions, customer days and customer facts") if show else contextlib.nullcontext():
        counts = build_derived(store, rules, full=full)
    with progress_bar(enabled=show) as progress:
        task = progress.add_task("scoring the sentiment of new texts", total=None)
        score_new_texts(store, STATE.event_names(), lambda done, total: progress.update(task, completed=done, total=total))
    return {**counts, "text_sentiment": store.count("text_sentiment")}


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
