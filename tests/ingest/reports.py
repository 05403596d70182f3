"""What the ingest tests read back: a batch's counts and the quarantine's rows."""
from __future__ import annotations

from engagekit.ingest import BatchReport
from engagekit.store import Store


def counts(report: BatchReport) -> tuple[int, int, int, int]:
    """received, stored, duplicate, quarantined."""
    return (report.received, report.stored, report.duplicate, report.quarantined)


def quarantine(store: Store) -> list[tuple[int, str, str]]:
    """(row, field, reason) of every quarantined row, in row order."""
    rows = store.table("quarantine").order_by("row").to_pyarrow().to_pylist()
    return [(r["row"], r["field"], r["reason"]) for r in rows]
