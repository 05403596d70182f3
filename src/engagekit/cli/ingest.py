"""`engagekit ingest PATH...`: files into the store, one atomic batch per file."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from engagekit.cli.context import STATE, console, print_json
from engagekit.cli.derive import rebuild
from engagekit.cli.progress import progress_bar
from engagekit.errors import InputError
from engagekit.ingest import (
    BatchReport,
    EventRules,
    IngestOptions,
    Vocabulary,
    ingest_file,
)
from engagekit.ingest.mapping import parse_map_options
from engagekit.ingest.readers import FORMATS
from engagekit.ingest.textfile import check_encoding


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="CSV, TSV, whitespace .txt, Parquet or JSON Lines files (optionally .gz).")],
    kind: Annotated[str, typer.Option(help="events, customers or accounts.")] = "events",
    map_: Annotated[Optional[list[str]], typer.Option("--map", help="COLUMN=FIELD (or properties.KEY / traits.KEY); repeatable.")] = None,
    source: Annotated[Optional[str], typer.Option(help="Source name recorded on every row (default: the file name).")] = None,
    event: Annotated[Optional[str], typer.Option(help="Event name for every row of a file of one event type.")] = None,
    channel: Annotated[Optional[str], typer.Option(help="Channel for every row (web, app, email, billing, ...).")] = None,
    ts_format: Annotated[Optional[str], typer.Option(help="strptime format of the timestamp column, e.g. %Y%m%d.")] = None,
    fmt: Annotated[Optional[str], typer.Option("--format", help=f"File format: {', '.join(FORMATS)} (default: from the suffix).")] = None,
    columns: Annotated[Optional[str], typer.Option(help="Comma-separated column names of a file without a header row.")] = None,
    encoding: Annotated[Optional[str], typer.Option(help="Text encoding of the files, any Python codec (latin-1, cp1252, utf-16, ...); default UTF-8, or what a byte-order mark says.")] = None,
    strict: Annotated[Optional[bool], typer.Option("--strict/--no-strict", help="Quarantine unknown event names (default: from config).")] = None,
    derive: Annotated[bool, typer.Option("--derive/--no-derive", help="Rebuild the derived tables afterwards.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the batch counts as JSON.")] = False,
) -> None:
    """Ingest files; every row is stored, reported as a duplicate, or quarantined with its reason."""
    settings = STATE.settings
    if fmt is not None and fmt not in FORMATS:
        raise InputError(f"--format {fmt!r}: formats are {', '.join(FORMATS)}")
    if encoding is not None:
        check_encoding(encoding)
    options = IngestOptions(
        kind=kind,
        source=source,
        mapping=parse_map_options(map_ or []),
        fmt=fmt,
        columns=[c.strip() for c in columns.split(",")] if columns else None,
        encoding=encoding,
        rules=EventRules.for_settings(settings, ts_format=ts_format, event=event, channel=channel,
                                      strict=settings.strict_events if strict is None else strict),
    )
    store = STATE.store()
    vocabulary = Vocabulary(settings.event_mapping)
    reports: list[BatchReport] = []
    with progress_bar(enabled=not as_json) as progress:
        task = progress.add_task("ingesting", total=len(paths))
        for path in paths:
            progress.update(task, description=f"ingesting {path.name}")
            reports.append(ingest_file(store, path, options, vocabulary))
            progress.advance(task)
    if derive and options.kind == "events" and any(r.stored for r in reports):
        rebuild(store, show=not as_json)
    if as_json:
        print_json([r.to_dict() for r in reports])
        return
    console.print(batch_table(reports))
    if any(r.quarantined for r in reports):
        console.print("Quarantined rows: [bold]engagekit quarantine list[/]")


def batch_table(reports: list[BatchReport]) -> Table:
    """One line per batch: where it came from and what became of its rows."""
    table = Table(title="Ingest batches")
    for name in ("file", "kind", "received", "stored", "duplicate", "quarantined", "seconds"):
        table.add_column(name, justify="left" if name in ("file", "kind") else "right")
    for r in reports:
        table.add_row(Path(r.file).name, r.kind, f"{r.received:,}", f"{r.stored:,}", f"{r.duplicate:,}",
                      f"[red]{r.quarantined:,}[/]" if r.quarantined else "0", f"{r.seconds:.2f}")
    return table
