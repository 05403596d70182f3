"""The CDNOW master log (Fader, Hardie & Lee 2005) ingests exactly through its documented mapping."""
from __future__ import annotations

from collections import Counter

from engagekit.datasets import cdnow_options, cdnow_path
from engagekit.ingest import Vocabulary, ingest_file
from engagekit.store import Store

MASTER_ROWS = 69_659
MASTER_CUSTOMERS = 23_570
REPEATED_LINES = 215  # distinct lines that occur more than once (same customer, day, quantity, amount)
EXTRA_COPIES = 255  # rows beyond the first copy of those lines: separate purchases, stored separately
MASTER_REVENUE = 2_500_315.63  # sum of dollar_value over the file


def test_cdnow_master_ingests_every_transaction(store: Store) -> None:
    report = ingest_file(store, cdnow_path("master"), cdnow_options(), Vocabulary())
    assert (report.received, report.stored, report.duplicate, report.quarantined) == (MASTER_ROWS, MASTER_ROWS, 0, 0)
    events = store.table("events")
    totals = events.aggregate(
        rows=events.count(),
        customers=events.customer_id.nunique(),
        revenue=events.revenue.sum(),
        first=events.ts.min(),
        last=events.ts.max(),
        names=events.event.nunique(),
    ).to_pyarrow().to_pylist()[0]
    assert totals["rows"] == MASTER_ROWS and totals["customers"] == MASTER_CUSTOMERS
    assert round(totals["revenue"], 2) == MASTER_REVENUE
    assert (str(totals["first"].date()), str(totals["last"].date())) == ("1997-01-01", "1998-06-30")
    assert totals["names"] == 1
    again = ingest_file(store, cdnow_path("master"), cdnow_options(), Vocabulary())
    assert (again.stored, again.duplicate) == (0, MASTER_ROWS)


def test_cdnow_repeated_lines_are_counted_once_each(duckdb_store: Store) -> None:
    lines = cdnow_path("master").read_text().splitlines()[1:]
    copies = Counter(lines)
    assert sum(1 for n in copies.values() if n > 1) == REPEATED_LINES
    assert len(lines) - len(copies) == EXTRA_COPIES
    ingest_file(duckdb_store, cdnow_path("master"), cdnow_options(), Vocabulary())
    events = duckdb_store.table("events")
    distinct_content = events.select("ts", "customer_id", "revenue", "properties").distinct().count().to_pyarrow().as_py()
    assert duckdb_store.count("events") - distinct_content == EXTRA_COPIES
