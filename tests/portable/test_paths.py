"""Paths on hand-made visits: depth, collapse of repeats, start vs end point, per session vs per
person, top K with 'other', drop-offs, identity stitching."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from engagekit.analyses.paths import PathsQuery, run_paths
from engagekit.people.cohorts import StaticCohort, save_cohort
from engagekit.people.query import EventFilter
from engagekit.people.ranges import DateRange
from engagekit.store import Store

# (ts, event, customer_id, anonymous_id, path)
VISITS = [
    # a: anonymous browsing, then sign-up (links anon1 -> a); session 1 on Mar 1
    ("2024-03-01 10:00", "page_viewed", None, "anon1", "/home"),
    ("2024-03-01 10:01", "page_viewed", None, "anon1", "/home"),
    ("2024-03-01 10:02", "page_viewed", None, "anon1", "/pricing"),
    ("2024-03-01 10:03", "signed_up", "a", "anon1", None),
    ("2024-03-01 10:04", "page_viewed", "a", None, "/docs"),
    # a, session 2 on Mar 2
    ("2024-03-02 09:00", "page_viewed", "a", None, "/pricing"),
    ("2024-03-02 09:01", "order_completed", "a", None, None),
    # b, c, d: one session each on Mar 1
    ("2024-03-01 11:00", "page_viewed", "b", None, "/home"),
    ("2024-03-01 11:01", "page_viewed", "b", None, "/pricing"),
    ("2024-03-01 11:02", "signed_up", "b", None, None),
    ("2024-03-01 12:00", "page_viewed", "c", None, "/home"),
    ("2024-03-01 12:05", "page_viewed", "c", None, "/blog"),
    ("2024-03-01 13:00", "page_viewed", "d", None, "/blog"),
]
# Pages per session, repeats collapsed: a1 /home /pricing /docs; a2 /pricing; b /home /pricing;
# c /home /blog; d /blog. Not collapsed, a1 is /home /home /pricing (and goes on: /docs).
# After signed_up, per person, events: a signed_up page_viewed order_completed (two page views
# collapsed); b signed_up. Per session: a1 signed_up page_viewed; b signed_up.
# Before signed_up (end point), pages: a /home /pricing signed_up; b /home /pricing signed_up.


def load(store: Store) -> None:
    stamps = [datetime.fromisoformat(v[0]) for v in VISITS]
    store.insert("events", pa.table({
        "event_id": [f"e{i:02d}" for i in range(len(VISITS))],
        "ts": pa.array(stamps, pa.timestamp("us")),
        "event": [v[1] for v in VISITS],
        "customer_id": [v[2] for v in VISITS],
        "anonymous_id": [v[3] for v in VISITS],
        "channel": ["web"] * len(VISITS),
        "properties": [json.dumps({"path": v[4]}) if v[4] else "{}" for v in VISITS],
    }))
    store.insert("identities", pa.table({
        "anonymous_id": ["anon1"], "customer_id": ["a"],
        "first_seen": pa.array([datetime(2024, 3, 1, 10, 3)], pa.timestamp("us")),
    }))


def sequences(result) -> list[tuple[tuple[str, ...], int]]:
    return [(s.steps, s.count) for s in result.sequences]


def drops(result) -> list[tuple[int, int, int]]:
    return [(d.depth, d.reached, d.dropped) for d in result.depths]


def test_pages_per_session_and_start_per_person(store: Store) -> None:
    load(store)
    pages = run_paths(store, PathsQuery(pages=True, steps=3, top=2, by="session"))
    assert pages.total == 5 and pages.unit == "sessions"
    # every sequence is taken once: ties are listed in alphabetical order of their steps
    assert sequences(pages) == [(("/blog",), 1), (("/home", "/blog"), 1)]
    assert pages.other == 3
    assert drops(pages) == [(1, 5, 2), (2, 3, 2), (3, 1, 1)]
    assert [(n.depth, n.step, n.count, n.dropped) for n in pages.nodes if n.depth == 1] == [
        (1, "/home", 3, 0), (1, "/blog", 1, 1)]
    frame = pages.to_frame()
    assert list(frame["path"]) == ["/blog", "/home -> /blog", "other"]
    assert frame["share"].tolist() == pytest.approx([0.2, 0.2, 0.6])

    after = run_paths(store, PathsQuery(start=EventFilter(event="signed_up"), steps=3, by="person"))
    assert after.total == 2 and after.unit == "people"
    assert sequences(after) == [
        (("signed_up",), 1), (("signed_up", "page_viewed", "order_completed"), 1)]
    assert drops(after) == [(1, 2, 1), (2, 1, 0), (3, 1, 1)]


def test_collapse_flag(duckdb_store: Store) -> None:
    load(duckdb_store)
    query = PathsQuery(pages=True, steps=3, top=10, collapse=False, by="session")
    result = run_paths(duckdb_store, query)
    assert (("/home", "/home", "/pricing"), 1) in sequences(result)
    # a1 goes on after its third step, so nobody drops at depth 3
    assert drops(result)[2] == (3, 1, 0)
    collapsed = run_paths(duckdb_store, query.model_copy(update={"collapse": True}))
    assert (("/home", "/pricing", "/docs"), 1) in sequences(collapsed)


def test_end_point_and_session_scope(duckdb_store: Store) -> None:
    load(duckdb_store)
    before = run_paths(duckdb_store, PathsQuery(end=EventFilter(event="signed_up"), pages=True, steps=3, by="person"))
    assert sequences(before) == [(("/home", "/pricing", "signed_up"), 2)]
    assert before.sequences[0].share == 1.0
    assert drops(before) == [(1, 2, 0), (2, 2, 0), (3, 2, 2)]
    session = run_paths(duckdb_store, PathsQuery(start=EventFilter(event="signed_up"), steps=3, by="session"))
    assert sequences(session) == [(("signed_up",), 1), (("signed_up", "page_viewed"), 1)]
    depth_one = run_paths(duckdb_store, PathsQuery(start=EventFilter(event="page_viewed", where="properties.path == '/pricing'"),
                                             steps=1, by="person"))
    assert sequences(depth_one) == [(("page_viewed",), 2)]
    assert drops(depth_one) == [(1, 2, 0)]


def test_range_limits_events(duckdb_store: Store) -> None:
    load(duckdb_store)
    march_2 = DateRange(start=date(2024, 3, 2), end=date(2024, 3, 3))
    result = run_paths(duckdb_store, PathsQuery(range=march_2, by="person", steps=4))
    assert sequences(result) == [(("page_viewed", "order_completed"), 1)]


def test_cohort_filter(duckdb_store: Store) -> None:
    load(duckdb_store)
    save_cohort(duckdb_store, "early", StaticCohort(ids=("anon1", "d")))  # anon1 is a
    result = run_paths(duckdb_store, PathsQuery(pages=True, steps=2, by="person", cohort="early"))
    assert result.total == 2
    assert sequences(result) == [(("/blog",), 1), (("/home", "/pricing"), 1)]


def test_cli_paths_json(duckdb_store: Store, tmp_path: Path) -> None:
    load(duckdb_store)
    url = duckdb_store.url
    duckdb_store.close()
    out = subprocess.run(
        [sys.executable, "-m", "engagekit", "--store", url, "paths", "--pages", "--steps", "2", "--by", "person",
         "--from", "2024-03-01", "--to", "2024-03-31", "--json"],
        capture_output=True, text=True, cwd=tmp_path, env=os.environ | {"NO_COLOR": "1"}, check=False,
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["total"] == 4 and data["unit"] == "people"
    assert data["sequences"][0] == {"steps": ["/home", "/pricing"], "count": 2, "share": 0.5}
