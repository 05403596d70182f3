"""The worked example of docs/analyses-retention.md and the module docstring, on DuckDB."""
from __future__ import annotations

from pathlib import Path

from engagekit.analyses.retention import RetentionQuery, run_retention
from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.people.query import EventFilter
from engagekit.store import Store
from tests.conftest import write

EXAMPLE = """\
timestamp,event,userId,channel
2024-01-02T09:00:00Z,signed_up,a,web
2024-01-03T09:00:00Z,page_viewed,a,web
2024-01-12T09:00:00Z,page_viewed,a,web
2024-01-06T09:00:00Z,signed_up,b,web
2024-01-21T09:00:00Z,page_viewed,b,web
2024-01-22T09:00:00Z,page_viewed,z,web
"""


def test_worked_example(duckdb_store: Store, tmp_path: Path) -> None:
    ingest_file(duckdb_store, write(tmp_path / "example.csv", EXAMPLE), IngestOptions(), Vocabulary())
    query = dict(start_event=EventFilter(event="signed_up"), period="week", periods=2)
    plain = run_retention(duckdb_store, RetentionQuery(**query))
    assert [(r.cohort, r.counts, r.percentages) for r in plain.rows] == [
        ("2023-12-31", [2, 1, 0], [100.0, 50.0, 0.0])]
    cumulative = run_retention(duckdb_store, RetentionQuery(**query, cumulative=True))
    assert cumulative.rows[0].counts == [2, 2, 1]
    frame = cumulative.to_frame()
    assert list(frame["count"]) == [2, 2, 1] and list(frame["k"]) == [0, 1, 2]
    assert cumulative.to_dict()["rows"][0]["start"] == "2023-12-31"
