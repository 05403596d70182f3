"""`engagekit quarantine list|export`: the rejected rows and why."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from engagekit.cli.context import STATE, console, print_json
from engagekit.ingest.quarantine import export_quarantine, quarantined

app = typer.Typer(help="Rows that were rejected at ingest, with file, row, field and reason.", no_args_is_help=True)


@app.command("list")
def list_rows(
    batch: Annotated[Optional[str], typer.Option(help="Only this batch id.")] = None,
    file: Annotated[Optional[str], typer.Option(help="Only rows of this file (as recorded).")] = None,
    limit: Annotated[int, typer.Option(help="At most this many rows.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """List quarantined rows, newest first."""
    rows = quarantined(STATE.store(), batch, file).limit(limit).to_pyarrow().to_pylist()
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"Quarantine ({len(rows)} shown)")
    for name in ("file", "row", "field", "reason", "raw"):
        table.add_column(name, overflow="fold")
    for r in rows:
        table.add_row(Path(r["file"]).name, str(r["row"]), r["field"], r["reason"], (r["raw"] or "")[:80])
    console.print(table)


@app.command("export")
def export(
    out: Annotated[Path, typer.Argument(help="Output file: .csv, .parquet or .jsonl.")],
    batch: Annotated[Optional[str], typer.Option(help="Only this batch id.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Write quarantined rows to a file to fix and ingest again."""
    count = export_quarantine(STATE.store(), out, batch)
    if as_json:
        print_json({"file": str(out), "rows": count})
    else:
        console.print(f"wrote {count:,} quarantined rows to {out}")
