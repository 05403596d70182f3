"""Values the store must not hold: non-finite numbers (they turn revenue KPIs into NaN or null)
and NUL characters (SQL literals end at NUL, so such text could not be queried)."""
from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest

from engagekit.ingest import EventRules, IngestOptions, Vocabulary, ingest_file
from engagekit.ingest.batch import ingest_table
from engagekit.ingest.readers import ROW
from engagekit.store import Store
from tests.conftest import write
from tests.ingest.reports import counts, quarantine

ORDERS = """\
timestamp,event,userId,revenue
2026-11-20T10:00:00Z,Order Completed,u1,10
2026-11-20T10:00:00Z,Order Completed,u2,Infinity
2026-11-20T10:00:00Z,Order Completed,u3,-inf
2026-11-20T10:00:00Z,Order Completed,u4,INF
2026-11-20T10:00:00Z,Order Completed,u5,NaN
2026-11-20T10:00:00Z,Order Completed,u6,1e999
"""
# row 1 is stored; rows 2-6 are infinities or NaN in the spellings Arrow and pandas read
# (1e999 overflows to infinity); -inf used to be reported as a negative revenue, NaN and
# Infinity used to be stored and make revenue sums NaN or null
NOT_FINITE = [
    (2, "revenue", "revenue is not a finite number: 'Infinity'"),
    (3, "revenue", "revenue is not a finite number: '-inf'"),
    (4, "revenue", "revenue is not a finite number: 'INF'"),
    (5, "revenue", "revenue is not a finite number: 'NaN'"),
    (6, "revenue", "revenue is not a finite number: '1e999'"),
]


@pytest.mark.parametrize("extra", ["", "2026-11-20T10:00:00Z,Order Completed,u7,abc\n"])
def test_non_finite_revenue_is_quarantined_naming_the_field(duckdb_store: Store, tmp_path: Path, extra: str) -> None:
    # with a row 7 that is not a number at all, the column is read by pandas instead of Arrow:
    # the same rows are refused for the same reasons
    report = ingest_file(duckdb_store, write(tmp_path / "o.csv", ORDERS + extra), IngestOptions(), Vocabulary())
    expected = NOT_FINITE + ([(7, "revenue", "revenue is not a number: 'abc'")] if extra else [])
    assert counts(report) == (6 + bool(extra), 1, 0, len(expected))
    assert quarantine(duckdb_store) == expected


def test_non_finite_licenses_and_mrr_are_quarantined(duckdb_store: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "account_id,name,licenses,mrr\n"
                 "a1,Acme,25,1200.5\n"       # row 1: stored
                 "a2,Beta,nan,100\n"         # row 2: licenses NaN
                 "a3,Gamma,3,+Infinity\n")   # row 3: mrr infinite
    report = ingest_file(duckdb_store, path, IngestOptions(kind="accounts"), Vocabulary())
    assert counts(report) == (3, 1, 0, 2)
    assert quarantine(duckdb_store) == [(2, "licenses", "licenses is not a finite number: 'nan'"),
                                        (3, "mrr", "mrr is not a finite number: '+Infinity'")]


def test_nul_in_any_text_field_is_quarantined_naming_it(duckdb_store: Store, tmp_path: Path) -> None:
    lines = ["timestamp,event,userId,channel,note,properties",
             '2026-11-20T10:00:00Z,page,u1,web,hi,"{""a"":1}"',           # row 1: stored
             "2026-11-20T10:00:00Z,page,u\x002,web,hi,",                  # row 2: NUL in the id
             "2026-11-20T10:00:00Z,pa\x00ge,u3,web,hi,",                  # row 3: in the event name
             "2026-11-20T10:00:00Z,page,u4,w\x00eb,hi,",                  # row 4: in the channel
             "2026-11-20T10:00:00Z,page,u5,web,h\x00i,",                  # row 5: in a column of properties
             '2026-11-20T10:00:00Z,page,u6,web,hi,"{""a"":""x\\u0000""}"',  # row 6: JSON's escape of NUL
             '2026-11-20T10:00:00Z,page,u7,web,hi,"{""a"":""x\\\\u0000""}"']  # row 7: the text \u0000: stored
    report = ingest_file(duckdb_store, write(tmp_path / "n.csv", "\n".join(lines) + "\n"), IngestOptions(), Vocabulary())
    assert counts(report) == (7, 2, 0, 5)
    assert quarantine(duckdb_store) == [
        (2, "userId", "NUL character in field userId"),
        (3, "event", "NUL character in field event"),
        (4, "channel", "NUL character in field channel"),
        (5, "note", "NUL character in field note"),
        (6, "properties", "NUL character in field properties"),
    ]
    stored = duckdb_store.table("events").order_by("customer_id").properties.to_pyarrow().to_pylist()
    assert [json.loads(p) for p in stored] == [{"a": 1, "note": "hi"}, {"a": "x\\u0000", "note": "hi"}]


def test_nul_in_json_lines_and_customer_traits(duckdb_store: Store, tmp_path: Path) -> None:
    events = write(tmp_path / "e.jsonl",
                   '{"timestamp":"2026-11-20T10:00:00Z","event":"page","userId":"u1","context":{"ip":"1"}}\n'
                   '{"timestamp":"2026-11-20T10:00:00Z","event":"page","userId":"u\\u00002"}\n'  # a top-level string
                   '{"timestamp":"2026-11-20T10:00:00Z","event":"page","userId":"u3","context":{"ip":"\\u0000"}}\n')
    report = ingest_file(duckdb_store, events, IngestOptions(), Vocabulary())
    assert counts(report) == (3, 1, 0, 2)
    assert quarantine(duckdb_store) == [(2, "userId", "NUL character in field userId"),
                                        (3, "context", "NUL character in field context")]
    customers = write(tmp_path / "c.csv", "customer_id,country\nc1,DE\nc2,F\x00R\n")
    assert counts(ingest_file(duckdb_store, customers, IngestOptions(kind="customers"), Vocabulary())) == (2, 1, 0, 1)
    rows = duckdb_store.table("quarantine").filter(lambda t: t.file.endswith("c.csv")).to_pyarrow().to_pylist()
    assert [(r["row"], r["field"], r["reason"]) for r in rows] == [(2, "country", "NUL character in field country")]


def test_the_collector_path_quarantines_nul_and_non_finite_revenue(duckdb_store: Store) -> None:
    # as the collector hands messages over: revenue as text, properties as JSON text
    raw = pa.table({
        "event_id": ["m1", "m2", "m3"], "ts": ["2026-11-20T10:00:00+00:00"] * 3, "event": ["Order Completed"] * 3,
        "customer_id": ["u1", "u2", "u3"], "anonymous_id": pa.nulls(3, pa.string()), "channel": pa.nulls(3, pa.string()),
        "revenue": ["5", "Infinity", "5"], "properties": ['{"revenue":5}', '{"revenue":"Infinity"}', '{"note":"\\u0000"}'],
        ROW: [1, 2, 3],
    })
    with duckdb_store.transaction():
        report = ingest_table(duckdb_store, raw, "key:k1", "spool/s1", Vocabulary(), EventRules())
    assert counts(report) == (3, 1, 0, 2)
    assert quarantine(duckdb_store) == [(2, "revenue", "revenue is not a finite number: 'Infinity'"),
                                        (3, "properties", "NUL character in field properties")]


def test_nul_in_parquet_text_of_any_string_type(duckdb_store: Store, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    table = pa.table({
        "ts": pa.array(["2026-11-20T10:00:00Z"] * 3, pa.large_string()),
        "event": pa.array(["page", "page", "pa\x00ge"]).dictionary_encode(),  # row 3: NUL in a dictionary column
        "customer_id": pa.array(["u1", "u\x002", "u3"], pa.large_string()),  # row 2: NUL in a large string
    })
    pq.write_table(table, tmp_path / "e.parquet")
    report = ingest_file(duckdb_store, tmp_path / "e.parquet", IngestOptions(), Vocabulary())
    assert counts(report) == (3, 1, 0, 2)
    assert quarantine(duckdb_store) == [(2, "customer_id", "NUL character in field customer_id"),
                                        (3, "event", "NUL character in field event")]


def test_nul_is_searched_in_each_chunk_of_a_column_and_only_in_its_rows() -> None:
    from engagekit.ingest.validate import _holds

    shared = pa.array(["x\x00", "y", "z"])  # Parquet's chunks are slices of one buffer like these
    assert not _holds(pa.chunked_array([shared.slice(1)]), b"\x00")  # the NUL lies outside the slice's rows
    assert _holds(pa.chunked_array([shared.slice(1), shared.slice(0, 1)]), b"\x00")
    assert _holds(pa.chunked_array([pa.array(["a", "b"]), pa.array(["c\x00"])]), b"\x00")
    assert not _holds(pa.chunked_array([pa.array([], pa.string()), pa.array([None], pa.string())]), b"\x00")
