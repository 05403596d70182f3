"""Store.prepare: a query made ready once, run again and again, reads the current rows."""
from __future__ import annotations

from pathlib import Path

import ibis
import pyarrow as pa

from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.store import Store
from tests.conftest import write

ORDERS = "timestamp,event,userId,revenue\n2024-10-01T10:00:00Z,order_completed,u1,30\n"
MORE = "timestamp,event,userId,revenue\n2024-10-02T10:00:00Z,order_completed,u2,20\n"


def test_a_prepared_query_reads_the_rows_of_each_run(store: Store, tmp_path: Path) -> None:
    ingest_file(store, write(tmp_path / "orders.csv", ORDERS), IngestOptions(), Vocabulary())
    events = store.table("events")
    run = store.prepare(events.aggregate(orders=events.count(), revenue=events.revenue.sum()))
    assert run().to_pylist() == [{"orders": 1, "revenue": 30.0}]
    ingest_file(store, write(tmp_path / "more.csv", MORE), IngestOptions(), Vocabulary())
    assert run().to_pylist() == [{"orders": 2, "revenue": 50.0}]  # 30 + 20


def test_a_prepared_query_over_an_in_memory_table_runs(store: Store, tmp_path: Path) -> None:
    ingest_file(store, write(tmp_path / "orders.csv", ORDERS), IngestOptions(), Vocabulary())
    events = store.table("events")
    wanted = ibis.memtable(pa.table({"who": ["u1", "u9"]}))
    joined = wanted.left_join(events, wanted.who == events.customer_id)
    run = store.prepare(joined.group_by("who").aggregate(n=joined.event_id.count()).order_by("who"))
    assert run().to_pylist() == [{"who": "u1", "n": 1}, {"who": "u9", "n": 0}]
    assert run().to_pylist() == [{"who": "u1", "n": 1}, {"who": "u9", "n": 0}]
