"""Rejected input rows: what was wrong, where, and the row itself, so nothing is lost."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import ibis.expr.types as ir
import pyarrow as pa

from engagekit.store import Store


@dataclass(frozen=True)
class Rejection:
    """One rejected row: its 1-based row number in the file, the field at fault and why."""

    row: int
    field: str
    reason: str
    raw: str


def rejections_table(rejections: list[Rejection]) -> pa.Table:
    return pa.table(
        {
            "row": pa.array([r.row for r in rejections], pa.int64()),
            "field": pa.array([r.field for r in rejections], pa.string()),
            "reason": pa.array([r.reason for r in rejections], pa.string()),
            "raw": pa.array([r.raw for r in rejections], pa.string()),
        }
    )


def quarantined(store: Store, batch_id: str | None = None, file: str | None = None) -> ir.Table:
    """Quarantined rows, newest batch first, optionally of one batch or one file."""
    table = store.table("quarantine")
    if batch_id is not None:
        table = table.filter(table.batch_id == batch_id)
    if file is not None:
        table = table.filter(table.file == file)
    return table.order_by([table.received_at.desc(), table.file, table.row])


def export_quarantine(store: Store, out: Path, batch_id: str | None = None) -> int:
    """Write quarantined rows to CSV, Parquet or JSON Lines (by suffix); returns the row count."""
    data = quarantined(store, batch_id).to_pyarrow()
    suffix = out.suffix.lower()
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        pq.write_table(data, out)
    elif suffix in (".jsonl", ".ndjson", ".json"):
        with out.open("w", encoding="utf-8") as handle:
            for record in data.to_pylist():
                handle.write(json.dumps(record, default=str) + "\n")
    else:
        import pyarrow.csv as pacsv

        pacsv.write_csv(data, out)
    return data.num_rows
