"""Saved cohorts on hand-made events: behaviour at the edges of the day window, traits, static
lists, identity stitching, replace and delete, filter and breakdown."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from engagekit.errors import InputError
from engagekit.people.cohorts import (
    BehaviourCohort,
    StaticCohort,
    TraitsCohort,
    cohort_people,
    delete_cohort,
    flag_cohort,
    get_cohort,
    in_cohort,
    list_cohorts,
    save_cohort,
)
from engagekit.people.events import people_events
from engagekit.people.ranges import DateRange
from engagekit.store import Store

# (ts, event, customer_id, anonymous_id, revenue)
EVENTS = [
    ("2024-01-02 00:00:00", "order_completed", "p1", None, 100.0),  # first instant of the 90-day window
    ("2024-02-15 12:00:00", "order_completed", "p1", None, 20.0),
    ("2024-03-31 23:59:59", "order_completed", "p1", None, 30.0),  # last second of the window
    ("2024-01-01 23:59:59", "order_completed", "p2", None, 10.0),  # one second before the window
    ("2024-02-01 10:00:00", "order_completed", "p2", None, 10.0),
    ("2024-03-01 10:00:00", "order_completed", "p2", None, 10.0),
    ("2024-04-01 00:00:00", "order_completed", "p2", None, 10.0),  # the day after as_of
    ("2024-03-10 10:00:00", "order_completed", None, "anon3", 10.0),  # anonymous, linked to p3
    ("2024-03-11 10:00:00", "order_completed", "p3", "anon3", 10.0),
    ("2024-03-12 10:00:00", "order_completed", "p3", None, 10.0),
    ("2024-03-05 10:00:00", "page_viewed", "p4", None, None),
]
# Last 90 days as of 2024-03-31 = [2024-01-02 00:00, 2024-04-01 00:00): orders p1 3, p2 2,
# p3 3 (one anonymous order stitched), p4 0, p5 0 (a customer without events).
CUSTOMERS = [  # (customer_id, received_at, traits)
    ("p1", "2024-01-01", {"country": "BR", "plan": "pro"}),
    ("p2", "2024-01-01", {"country": "BR", "plan": "free"}),
    ("p2", "2024-02-01", {"country": "BR", "plan": "pro"}),  # the current record of p2
    ("p3", "2024-01-01", {"country": "US", "plan": "pro"}),
    ("p5", "2024-01-01", {"country": "BR", "plan": "pro"}),
]
LAST_90 = {"event": "order_completed", "days": 90, "as_of": date(2024, 3, 31)}


def load(store: Store) -> None:
    store.insert("events", pa.table({
        "event_id": [f"e{i:02d}" for i in range(len(EVENTS))],
        "ts": pa.array([datetime.fromisoformat(e[0]) for e in EVENTS], pa.timestamp("us")),
        "event": [e[1] for e in EVENTS],
        "customer_id": [e[2] for e in EVENTS],
        "anonymous_id": [e[3] for e in EVENTS],
        "revenue": [e[4] for e in EVENTS],
        "channel": ["web"] * len(EVENTS),
        "properties": ["{}"] * len(EVENTS),
    }))
    store.insert("identities", pa.table({
        "anonymous_id": ["anon3"], "customer_id": ["p3"],
        "first_seen": pa.array([datetime(2024, 3, 11, 10)], pa.timestamp("us")),
    }))
    store.insert("customers", pa.table({
        "customer_id": [c[0] for c in CUSTOMERS],
        "created_at": pa.array([datetime(2024, 1, 1)] * len(CUSTOMERS), pa.timestamp("us")),
        "received_at": pa.array([datetime.fromisoformat(c[1]) for c in CUSTOMERS], pa.timestamp("us")),
        "traits": [json.dumps(c[2]) for c in CUSTOMERS],
    }))


def people(store: Store, cohort) -> list[str]:
    return sorted(cohort_people(store, cohort).person_id.to_pyarrow().to_pylist())


def test_cohort_kinds(store: Store) -> None:
    load(store)
    assert people(store, BehaviourCohort(**LAST_90, comparison="at_least", count=3)) == ["p1", "p3"]
    assert people(store, BehaviourCohort(**LAST_90, comparison="at_most", count=2)) == ["p2", "p4", "p5"]
    assert people(store, BehaviourCohort(**LAST_90, comparison="exactly", count=2)) == ["p2"]
    assert people(store, TraitsCohort(where="country == 'BR' and plan in ['pro']")) == ["p1", "p2", "p5"]
    save_cohort(store, "picked", StaticCohort(ids=("anon3", "p4", "x9")))
    assert people(store, "picked") == ["p3", "p4", "x9"]
    assert people(store, StaticCohort(ids=("anon3", "p1"))) == ["p1", "p3"]  # unsaved: read in place


def test_behaviour_windows(duckdb_store: Store) -> None:
    load(duckdb_store)
    assert people(duckdb_store, BehaviourCohort(**LAST_90, comparison="exactly", count=0)) == ["p4", "p5"]
    assert people(duckdb_store, BehaviourCohort(**LAST_90, comparison="at_least", count=0)) == [
        "p1", "p2", "p3", "p4", "p5"]
    new_year = DateRange(start=date(2024, 1, 1), end=date(2024, 1, 2))
    assert people(duckdb_store, BehaviourCohort(event="order_completed", range=new_year)) == ["p2"]
    big = BehaviourCohort(**LAST_90, where="revenue >= 100", comparison="exactly", count=1)
    assert people(duckdb_store, big) == ["p1"]
    # without as_of the window ends with `today`: as of Apr 1, p1 loses Jan 2 and p2 gains Apr 1
    moving = cohort_people(duckdb_store, BehaviourCohort(event="order_completed", days=90, count=3),
                           today=date(2024, 4, 1))
    assert sorted(moving.person_id.to_pyarrow().to_pylist()) == ["p2", "p3"]
    with pytest.raises(ValueError):
        BehaviourCohort(event="order_completed", days=90, range=new_year)


def test_save_replace_delete_and_use(duckdb_store: Store) -> None:
    load(duckdb_store)
    loyal = BehaviourCohort(**LAST_90, count=3)
    saved = save_cohort(duckdb_store, "loyal", loyal, "three orders in 90 days")
    assert get_cohort(duckdb_store, "loyal").definition == loyal == saved.definition
    with pytest.raises(InputError, match="exists"):
        save_cohort(duckdb_store, "loyal", TraitsCohort(where="plan == 'pro'"))
    with pytest.raises(InputError, match="snake_case"):
        save_cohort(duckdb_store, "Loyal-Buyers", loyal)
    save_cohort(duckdb_store, "vip", StaticCohort(ids=("p1", "p2")))
    save_cohort(duckdb_store, "vip", StaticCohort(ids=("p4",)), replace=True)
    assert people(duckdb_store, "vip") == ["p4"]  # the old list is not mixed in
    assert [c.name for c in list_cohorts(duckdb_store)] == ["loyal", "vip"]

    events = people_events(duckdb_store)
    orders = events.filter(events.event == "order_completed")
    assert in_cohort(orders, cohort_people(duckdb_store, "loyal")).count().to_pyarrow().as_py() == 6
    split = flag_cohort(orders, cohort_people(duckdb_store, "loyal"))
    counts = split.group_by("in_cohort").aggregate(n=split.count()).to_pyarrow().to_pylist()
    assert {r["in_cohort"]: r["n"] for r in counts} == {True: 6, False: 4}

    delete_cohort(duckdb_store, "vip")
    assert [c.name for c in list_cohorts(duckdb_store)] == ["loyal"]
    with pytest.raises(InputError, match="no cohort"):
        get_cohort(duckdb_store, "vip")
    with pytest.raises(InputError, match="no cohort"):
        delete_cohort(duckdb_store, "vip")
    save_cohort(duckdb_store, "vip", TraitsCohort(where="country == 'US'"))  # a deleted name is free again
    assert people(duckdb_store, "vip") == ["p3"]


def test_cli_cohorts(duckdb_store: Store, tmp_path: Path) -> None:
    load(duckdb_store)
    url = duckdb_store.url
    duckdb_store.close()

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "engagekit", "--store", url, "cohorts", *args],
                              capture_output=True, text=True, cwd=tmp_path,
                              env=os.environ | {"NO_COLOR": "1"}, check=False)

    created = cli("create", "buyers", "--did", "order_completed", "--at-least", "3", "--days", "90",
                  "--as-of", "2024-03-31", "--json")
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["size"] == 2
    (tmp_path / "ids.txt").write_text("p4\nanon3\n", encoding="utf-8")
    assert cli("create", "picked", "--file", str(tmp_path / "ids.txt")).returncode == 0
    assert cli("create", "picked", "--ids", "p1").returncode == 2  # exists; needs --replace
    shown = json.loads(cli("show", "picked", "--json").stdout)
    assert shown["definition"]["kind"] == "static" and shown["size"] == 2
    assert json.loads(cli("members", "picked", "--json").stdout)["members"] == ["p3", "p4"]
    assert [c["name"] for c in json.loads(cli("list", "--json").stdout)] == ["buyers", "picked"]
    assert cli("delete", "picked").returncode == 0
    assert cli("show", "picked").returncode == 2
