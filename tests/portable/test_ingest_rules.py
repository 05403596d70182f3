"""Ingest rules on every engine: counts, quarantine reasons, dedupe, identity, time zones."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from engagekit.ingest import EventRules, IngestOptions, Vocabulary, ingest_file, resolved_events
from engagekit.store import Store
from tests.conftest import write

# Ten data rows; each comment says what must become of the row.
BAD_FILE = """\
timestamp,event,userId,anonymousId,revenue,plan
2024-01-01T10:00:00Z,Order Completed,u1,,10.5,gold
2024-01-01T10:00:00Z,Order Completed,u1,,10.5,gold
bad-ts,Page Viewed,u2,,,
2024-01-02 10:00:00,,u2,,,
2024-01-02 10:00:00,Page Viewed,,,,
2024-01-03 10:00:00,Order Completed,u3,,-4,
2024-01-03 10:00:00,Order Completed,u3,,abc,
x,1,2
2024-01-04 10:00:00,Signed Up,u4,a4,,
2024-01-03 09:00:00,Page Viewed,,a4,,
"""
# rows 1-2: identical purchases in one file -> two events
# row 3: unparseable timestamp; row 4: no event name; row 5: neither id; row 6: negative
# order revenue; row 7: revenue not a number; row 8: wrong number of fields
# row 9: sign-up carrying both ids; row 10: the visitor's earlier anonymous page view
EXPECTED_REJECTIONS = [
    (3, "timestamp", "unparseable timestamp 'bad-ts'"),
    (4, "event", "missing event name"),
    (5, "userId", "missing customer_id and anonymous_id"),
    (6, "revenue", "negative revenue -4.0 on an order"),
    (7, "revenue", "revenue is not a number: 'abc'"),
    (8, "*", "expected 6 fields separated by ','"),
]


def ingest(store: Store, path: Path, **options) -> object:
    rules = options.pop("rules", EventRules())
    return ingest_file(store, path, IngestOptions(rules=rules, **options), Vocabulary())


def test_bad_rows_are_quarantined_with_exact_counts(store: Store, tmp_path: Path) -> None:
    report = ingest(store, write(tmp_path / "bad.csv", BAD_FILE))
    assert (report.received, report.stored, report.duplicate, report.quarantined) == (10, 4, 0, 6)
    rows = store.table("quarantine").order_by("row").to_pyarrow().to_pylist()
    assert [(r["row"], r["field"], r["reason"]) for r in rows] == EXPECTED_REJECTIONS
    assert all(r["file"].endswith("bad.csv") and r["batch_id"] == report.batch_id for r in rows)
    assert json.loads(rows[0]["raw"])["timestamp"] == "bad-ts"
    assert rows[-1]["raw"] == "x,1,2"


def test_reingest_stores_nothing_new(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "bad.csv", BAD_FILE)
    ingest(store, path)
    again = ingest(store, path)
    assert (again.received, again.stored, again.duplicate, again.quarantined) == (10, 0, 4, 6)
    assert store.count("events") == 4
    batches = store.table("ingest_batches").to_pyarrow().to_pylist()
    assert all(b["received"] == b["stored"] + b["duplicate"] + b["quarantined"] for b in batches)


def test_identical_rows_in_one_file_are_two_events(store: Store, tmp_path: Path) -> None:
    ingest(store, write(tmp_path / "bad.csv", BAD_FILE))
    events = store.table("events")
    orders = events.filter(events.event == "order_completed").to_pyarrow().to_pylist()
    assert len(orders) == 2 and orders[0]["event_id"] != orders[1]["event_id"]
    assert {o["revenue"] for o in orders} == {10.5}
    assert {o["properties"] for o in orders} == {'{"plan":"gold"}'}


def test_derived_ids_are_the_same_on_every_engine(store: Store, tmp_path: Path) -> None:
    ingest(store, write(tmp_path / "bad.csv", BAD_FILE))
    ids = sorted(store.table("events").event_id.to_pyarrow().to_pylist())
    # md5 of the row's canonical fields and its occurrence number; fixed across engines and runs
    assert ids == [
        "145bf18b006eb3bb44ac087dc759ba4e",
        "9dfaef2bcd7ffed97da5547e772326ab",
        "d1d1dc129dd032a92470b2dbf2006ce5",
        "fc7fd112b1f3000c60d0720468589cb6",
    ]


def test_explicit_ids_dedupe_inside_and_across_files(store: Store, tmp_path: Path) -> None:
    first = write(tmp_path / "a.csv", "messageId,timestamp,event,userId\nm1,2024-01-01T00:00:00Z,page,u1\n"
                                       "m1,2024-01-01T00:00:00Z,page,u1\nm2,2024-01-01T00:01:00Z,page,u1\n")
    second = write(tmp_path / "b.csv", "messageId,timestamp,event,userId\nm2,2024-01-01T00:01:00Z,page,u1\n"
                                        "m3,2024-01-01T00:02:00Z,page,u1\n")
    one = ingest(store, first)
    two = ingest(store, second)
    assert (one.stored, one.duplicate, two.stored, two.duplicate) == (2, 1, 1, 1)
    assert sorted(store.table("events").event_id.to_pyarrow().to_pylist()) == ["m1", "m2", "m3"]


def test_identity_stitching_gives_pre_signup_activity_to_the_customer(store: Store, tmp_path: Path) -> None:
    ingest(store, write(tmp_path / "bad.csv", BAD_FILE))
    links = store.table("identities").to_pyarrow().to_pylist()
    assert [(l["anonymous_id"], l["customer_id"]) for l in links] == [("a4", "u4")]
    resolved = resolved_events(store)
    persons = resolved.filter(resolved.event == "page_viewed").person_id.to_pyarrow().to_pylist()
    assert persons == ["u4"]  # the anonymous page view before sign-up belongs to u4


def test_timestamps_with_offsets_become_utc_and_naive_ones_use_the_project_zone(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "tz.csv", "timestamp,event,userId\n"
                                      "2024-01-15T12:00:00+02:00,page,u1\n"   # 10:00 UTC
                                      "2024-01-15 12:00:00,page,u2\n"          # Berlin winter, UTC+1 -> 11:00
                                      "2024-07-15 12:00:00,page,u3\n"          # Berlin summer, UTC+2 -> 10:00
                                      "1705320000,page,u4\n")                  # epoch seconds: 2024-01-15 12:00 UTC
    ingest(store, path, rules=EventRules(timezone="Europe/Berlin"))
    rows = store.table("events").order_by("customer_id").to_pyarrow().to_pylist()
    assert [r["ts"] for r in rows] == [
        datetime(2024, 1, 15, 10), datetime(2024, 1, 15, 11), datetime(2024, 7, 15, 10), datetime(2024, 1, 15, 12),
    ]


def test_strict_mode_quarantines_unknown_events(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", "timestamp,event,userId\n2024-01-01,Order Completed,u1\n2024-01-01,frobnicated,u1\n")
    report = ingest(store, path, rules=EventRules(strict=True))
    assert (report.stored, report.quarantined) == (1, 1)
    row = store.table("quarantine").to_pyarrow().to_pylist()[0]
    assert (row["row"], row["field"], row["reason"]) == (2, "event", "unknown event 'frobnicated' (strict mode)")


def test_jsonl_keeps_nested_properties_and_quarantines_malformed_lines(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "e.jsonl",
                 '{"messageId":"j1","timestamp":"2024-01-01T00:00:00Z","event":"Product Viewed","userId":"u1",'
                 '"properties":{"product_id":"p1","price":9.5},"context":{"ip":"10.0.0.1"}}\n'
                 '{"messageId":"j2","timestamp":"2024-01-01T00:00:00Z","event":"Product Viewed",\n'
                 '{"messageId":"j3","timestamp":"2024-01-01T00:01:00Z","event":"Order Completed","userId":"u1","revenue":20}\n')
    report = ingest(store, path)
    assert (report.received, report.stored, report.quarantined) == (3, 2, 1)
    events = store.table("events").order_by("event_id").to_pyarrow().to_pylist()
    assert json.loads(events[0]["properties"]) == {"product_id": "p1", "price": 9.5, "context": {"ip": "10.0.0.1"}}
    assert events[1]["revenue"] == 20.0
    assert store.table("quarantine").row.to_pyarrow().to_pylist() == [2]


def test_customers_and_accounts_keep_traits_and_dedupe(store: Store, tmp_path: Path) -> None:
    customers = write(tmp_path / "c.csv", "customer_id,created_at,account_id,country,plan\n"
                                          "u1,2024-01-01,acme,DE,pro\nu2,2024-01-02,,FR,free\n,2024-01-03,,FR,free\n")
    first = ingest(store, customers, kind="customers")
    again = ingest(store, customers, kind="customers")
    assert (first.stored, first.quarantined, again.stored, again.duplicate) == (2, 1, 0, 2)
    changed = write(tmp_path / "c2.csv", "customer_id,created_at,account_id,country,plan\nu1,2024-01-01,acme,DE,enterprise\n")
    assert ingest(store, changed, kind="customers").stored == 1
    current = {r["customer_id"]: json.loads(r["traits"]) for r in store.customers_current().to_pyarrow().to_pylist()}
    assert current == {"u1": {"country": "DE", "plan": "enterprise"}, "u2": {"country": "FR", "plan": "free"}}
    accounts = write(tmp_path / "a.csv", "account_id,name,plan,licenses,mrr,industry\nacme,Acme,pro,25,1200.5,retail\n")
    assert ingest(store, accounts, kind="accounts").stored == 1
    row = store.table("accounts").to_pyarrow().to_pylist()[0]
    assert (row["licenses"], row["mrr"], json.loads(row["traits"])) == (25, 1200.5, {"industry": "retail"})


def test_parquet_and_gzip_inputs(store: Store, tmp_path: Path) -> None:
    import gzip

    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({
        "event_id": ["p1", "p2"],
        "ts": pa.array([datetime(2024, 1, 1, 8), datetime(2024, 1, 1, 9)], pa.timestamp("us", tz="UTC")),
        "event": ["logged_in", "feature_used"],
        "customer_id": ["u1", "u1"],
        "feature": [None, "export"],
        "interactive": [None, True],
    })
    pq.write_table(table, tmp_path / "e.parquet")
    with gzip.open(tmp_path / "f.csv.gz", "wt") as handle:
        handle.write("timestamp,event,userId\n2024-01-02T00:00:00Z,logged_in,u2\n")
    assert ingest(store, tmp_path / "e.parquet").stored == 2
    assert ingest(store, tmp_path / "f.csv.gz").stored == 1
    rows = store.table("events").order_by("ts").to_pyarrow().to_pylist()
    assert json.loads(rows[1]["properties"]) == {"feature": "export", "interactive": True}
    assert rows[0]["ts"] == datetime(2024, 1, 1, 8)


def test_missing_required_column_names_it_and_the_columns_found(store: Store, tmp_path: Path) -> None:
    from engagekit.errors import InputError

    path = write(tmp_path / "m.csv", "when,event,userId\n2024-01-01,page,u1\n")
    with pytest.raises(InputError, match=r"missing required column 'ts'.*columns found: when, event, userId"):
        ingest(store, path)
    assert store.count("ingest_batches") == 0


def test_times_outside_the_window_non_finite_revenue_and_nul_are_quarantined(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "w.csv", "timestamp,event,userId,revenue\n"
                 "2024-01-01T10:00:00Z,Order Completed,u1,10\n"        # row 1: stored
                 "1970-01-01T00:00:00Z,Order Completed,u2,10\n"        # row 2: before 1990
                 "9999-01-01T00:00:00Z,Order Completed,u3,10\n"        # row 3: after now + 1 day
                 "2024-01-01T10:00:00Z,Order Completed,u4,Infinity\n"  # row 4: revenue not finite
                 "2024-01-01T10:00:00Z,Order Completed,u\x005,10\n")   # row 5: NUL in the id
    report = ingest(store, path)
    assert (report.received, report.stored, report.duplicate, report.quarantined) == (5, 1, 0, 4)
    rows = store.table("quarantine").order_by("row").to_pyarrow().to_pylist()
    reasons = [(r["row"], r["field"], r["reason"]) for r in rows]
    assert reasons[0] == (2, "timestamp", "timestamp '1970-01-01T00:00:00Z' is before the earliest accepted time "
                                          "1990-01-01 00:00 UTC (setting events_earliest)")
    assert reasons[1][:2] == (3, "timestamp") and "is after the latest accepted time" in reasons[1][2]
    assert reasons[2:] == [(4, "revenue", "revenue is not a finite number: 'Infinity'"),
                           (5, "userId", "NUL character in field userId")]
    assert store.table("events").revenue.sum().to_pyarrow().as_py() == 10.0
