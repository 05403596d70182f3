"""Incremental derive: after every ingest, the updated tables equal a full rebuild of the same data.

The stories add what can move a session boundary: events that extend a visit, a late event that
bridges two visits, a late event just before a visit (moving its start and its 24 h cuts), an
event on a new day, a customer record, and an identity link that merges an anonymous visitor
into a customer. A seeded random history checks the same on many people and batches.
"""
from __future__ import annotations

import json
import random
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from engagekit.derive import DERIVED_TABLES, SessionRules, build_derived
from engagekit.derive.ledger import latest_build
from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.store import Store, connect
from tests.conftest import write

HEADER = "timestamp,event,userId,anonymousId,channel,path,campaign,revenue\n"
RULES = SessionRules(max_hours=2)  # short enough for the stories to cross the maximum
AS_OF = date(2024, 3, 31)


def ingest(store: Store, path: Path, text: str, kind: str = "events") -> None:
    ingest_file(store, write(path, text if kind == "customers" else HEADER + text), IngestOptions(kind=kind),
                Vocabulary())


def snapshot(store: Store) -> dict[str, list[str]]:
    """Every derived table's rows, as sorted text (row order is not part of the result)."""
    return {name: sorted(repr(sorted(row.items())) for row in store.table(name).to_pyarrow().to_pylist())
            for name in DERIVED_TABLES}


def assert_same_as_full(store: Store) -> None:
    """Update incrementally, then check a full rebuild of the same data gives the same tables."""
    build = latest_build(store)
    build_derived(store, RULES, as_of=AS_OF)
    assert latest_build(store) == build  # an update, not a new full build
    updated = snapshot(store)
    build_derived(store, RULES, as_of=AS_OF, full=True)
    assert snapshot(store) == updated


FIRST = """\
2024-03-01T10:00:00Z,page_viewed,u1,,web,/home,spring,
2024-03-01T10:20:00Z,page_viewed,u1,,web,/shoes,,
2024-03-01T11:00:00Z,page_viewed,u1,,web,/shoes,,
2024-03-01T12:30:00Z,page_viewed,u1,,web,/home,,
2024-03-01T09:00:00Z,page_viewed,,a1,web,/landing,spring,
2024-03-01T09:10:00Z,product_viewed,,a1,web,,,
2024-03-01T15:00:00Z,email_opened,u2,,email,,,
"""
# u1: visits at 10:00 (10:00, 10:20) and 11:00 (40 min after 10:20) and 12:30; a1: one visit
LATER = """\
2024-03-01T12:40:00Z,order_completed,u1,,web,,,20.25
2024-03-01T10:45:00Z,page_viewed,u1,,web,/late,,
2024-03-01T11:50:00.5Z,page_viewed,u1,,app,/late,,
2024-03-02T08:00:00Z,page_viewed,u1,,web,/home,,
2024-03-01T08:45:00Z,page_viewed,,a1,web,/earlier,,
2024-03-01T15:05:00Z,email_clicked,u2,,email,,,
"""
# 12:40 extends the 12:30 visit; 10:45 bridges 10:20 and 11:00 into one visit 10:00-11:00;
# 11:50:00.5 (50 min after 11:00, 39:59.5 before 12:30) is a visit of its own; 08:00 the next
# day is a new visit and a new day; a1's 08:45 comes 15 min before its 09:00 visit, which now
# starts at 08:45; u2's click changes no session, only a day and facts
LINK = """\
2024-03-01T09:20:00Z,signed_up,u2,a1,web,,,
"""
# a1 becomes u2: a1's sessions and days move to u2, a1 disappears, u2 gets sessions and facts
RECORDS = "customer_id,created_at,plan,country\nu1,2024-02-01T00:00:00Z,pro,DE\nu2,2024-02-20T00:00:00Z,free,FR\n"


def test_each_update_equals_a_full_rebuild(store: Store, tmp_path: Path) -> None:
    ingest(store, tmp_path / "first.csv", FIRST)
    build_derived(store, RULES, as_of=AS_OF)
    for name, text, kind in [("later.csv", LATER, "events"), ("records.csv", RECORDS, "customers"),
                             ("link.csv", LINK, "events")]:
        ingest(store, tmp_path / name, text, kind)
        assert_same_as_full(store)
    people = store.table("sessions").person_id.to_pyarrow().to_pylist()
    assert sorted(set(people)) == ["u1", "u2"]  # a1 was merged into u2


def test_a_late_event_moves_the_cuts_of_a_long_visit(store: Store, tmp_path: Path) -> None:
    # one run 10:00..13:30 (gaps of 30 min): 2 h pieces from 10:00 -> sessions at 10:00 and 12:30
    steps = "".join(f"2024-03-01T{10 + m // 60:02d}:{m % 60:02d}:00Z,page_viewed,u1,,web,,,\n" for m in range(0, 211, 30))
    ingest(store, tmp_path / "run.csv", steps)
    build_derived(store, RULES, as_of=AS_OF)
    # 09:40 joins the run and becomes its start: pieces now from 09:40 -> sessions at 09:40 and 12:00
    ingest(store, tmp_path / "early.csv", "2024-03-01T09:40:00Z,page_viewed,u1,,web,,,\n")
    assert_same_as_full(store)
    starts = sorted(store.table("sessions").start_ts.to_pyarrow().to_pylist())
    assert starts == [datetime(2024, 3, 1, 9, 40), datetime(2024, 3, 1, 12)]


def test_nothing_new_keeps_the_tables_and_remeasures_tenure(duckdb_store: Store, tmp_path: Path) -> None:
    ingest(duckdb_store, tmp_path / "records.csv", RECORDS, "customers")
    ingest(duckdb_store, tmp_path / "first.csv", FIRST)
    build_derived(duckdb_store, RULES, as_of=AS_OF)
    build_derived(duckdb_store, RULES, as_of=AS_OF + timedelta(days=10))
    facts = duckdb_store.table("customer_facts").order_by("customer_id").tenure_days.to_pyarrow().to_pylist()
    assert facts == [69, 50]  # u1 created 02-01: 29 + 30 + 10 days; u2 created 02-20: 10 + 30 + 10


def test_other_rules_or_rows_outside_a_batch_need_a_full_rebuild(duckdb_store: Store, tmp_path: Path) -> None:
    ingest(duckdb_store, tmp_path / "first.csv", FIRST)
    build_derived(duckdb_store, RULES, as_of=AS_OF)
    build_derived(duckdb_store, SessionRules(), as_of=AS_OF)
    assert latest_build(duckdb_store).number == 2  # other rules: a new full build
    events = duckdb_store.table("events")
    duckdb_store.insert("events", events.limit(1).mutate(event_id=events.event_id + "-copy", batch_id=None))
    build_derived(duckdb_store, SessionRules(), as_of=AS_OF)
    assert latest_build(duckdb_store).number == 3  # a row without a batch: a new full build


def random_history(seed: int, batches: int) -> list[str]:
    """Batches of random events of a few people over three days, in random (late) order, with
    identity links, fractional timestamps and gaps around the timeout."""
    rng = random.Random(seed)
    customers, visitors = [f"u{i}" for i in range(6)], [f"a{i}" for i in range(8)]
    rows = []
    for _ in range(240):
        ts = datetime(2024, 3, 1) + timedelta(seconds=rng.choice([rng.uniform(0, 3 * 86400), 1800 * rng.randint(0, 144)]))
        customer, visitor = rng.choice(customers + [""] * 6), rng.choice(visitors + [""] * 3)
        if not customer and not visitor:
            visitor = visitors[0]
        if customer and visitor and rng.random() < 0.7:
            visitor = ""  # links are rarer than identified events
        event = rng.choice(["page_viewed", "page_viewed", "product_viewed", "order_completed", "logged_in",
                            "email_opened", "email_sent"])
        channel = "email" if event.startswith("email") else rng.choice(["web", "web", "app"])
        revenue = f"{rng.randint(1, 40) * 0.25}" if event == "order_completed" else ""
        rows.append(f"{ts:%Y-%m-%dT%H:%M:%S.%f}Z,{event},{customer},{visitor},{channel},/p{rng.randint(0, 3)},,{revenue}\n")
    rng.shuffle(rows)
    size = len(rows) // batches
    return ["".join(rows[i * size:(i + 1) * size]) for i in range(batches)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_histories_update_like_a_full_rebuild(duckdb_store: Store, tmp_path: Path, seed: int) -> None:
    first, *rest = random_history(seed, batches=6)
    ingest(duckdb_store, tmp_path / "b0.csv", first)
    build_derived(duckdb_store, RULES, as_of=AS_OF)
    for index, text in enumerate(rest, start=1):
        ingest(duckdb_store, tmp_path / f"b{index}.csv", text)
        assert_same_as_full(duckdb_store)


def test_the_cli_updates_after_ingest_and_rebuilds_with_full(tmp_path: Path) -> None:
    store_url = f"duckdb:///{tmp_path / 'cli.duckdb'}"

    def run(*args: str) -> str:
        result = subprocess.run([sys.executable, "-m", "engagekit", "--store", store_url, *args],
                                check=False, capture_output=True, text=True, cwd=tmp_path, timeout=120)
        assert result.returncode == 0, result.stderr
        return result.stdout

    run("ingest", str(write(tmp_path / "first.csv", HEADER + FIRST)), "--json")  # ingest derives: a full build
    run("ingest", str(write(tmp_path / "later.csv", HEADER + LATER)), "--json")  # then an update
    # sessions: u1 10:00-11:00, 11:50:00.5, 12:30-12:40, 03-02 08:00; a1 08:45-09:10 (5)
    # days: u1 03-01 and 03-02, a1 03-01, u2 03-01 (emails); facts: u1, u2
    # no survey comment, review or mention: no text to score
    expected = {"sessions": 5, "customer_days": 4, "customer_facts": 2, "text_sentiment": 0}
    assert json.loads(run("derive", "--json")) == expected
    assert json.loads(run("derive", "--full", "--json")) == expected
    with connect(store_url) as store:
        assert latest_build(store).number == 2  # the first ingest's full build, then --full
