"""Funnels on every engine, from one story of sign-ups, views and orders with hand-worked counts."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from engagekit.analyses.funnel import Exclusion, FunnelQuery, FunnelResult, run_funnel
from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.people.query import EventFilter
from engagekit.people.ranges import DateRange
from engagekit.store import Store, connect
from tests.conftest import write

STORY = """\
messageId,timestamp,event,userId,anonymousId,device
e11,2024-10-01T10:00:00Z,signed_up,u1,,web
e12,2024-10-01T12:00:00Z,product_viewed,u1,,
e13,2024-10-01T13:00:00Z,ticket_opened,u1,,
e14,2024-10-02T10:00:00Z,order_completed,u1,,
e21,2024-10-01T10:00:00Z,signed_up,u2,,web
e22,2024-10-01T11:00:00Z,product_viewed,u2,,
e23,2024-10-01T11:30:00Z,ticket_opened,u2,,
e24,2024-10-02T10:00:01Z,order_completed,u2,,
e31,2024-10-02T08:00:00Z,product_viewed,u3,,
e32,2024-10-02T09:00:00Z,signed_up,u3,,
e33,2024-10-02T10:00:00Z,order_completed,u3,,
e40,2024-10-03T09:00:00Z,ticket_opened,u4,,
e41,2024-10-03T10:00:00Z,signed_up,u4,,app
e42,2024-10-03T10:00:00Z,product_viewed,u4,,
e43,2024-10-03T10:00:00Z,order_completed,u4,,
e51,2024-10-04T09:00:00Z,signed_up,u5,,web
e52,2024-10-04T09:30:00Z,product_viewed,u5,,
e53,2024-10-04T10:00:00Z,ticket_opened,u5,,
e54,2024-10-10T09:00:00Z,signed_up,u5,,app
e55,2024-10-10T10:00:00Z,product_viewed,u5,,
e56,2024-10-10T11:00:00Z,order_completed,u5,,
e61,2024-09-30T23:00:00Z,signed_up,u6,,
e62,2024-10-01T01:00:00Z,product_viewed,u6,,
e63,2024-10-01T02:00:00Z,order_completed,u6,,
e71,2024-10-05T10:00:00Z,signed_up,,a7,web
e72,2024-10-05T10:30:00Z,ticket_opened,u7,,
e73,2024-10-05T11:00:00Z,product_viewed,u7,a7,
e74,2024-10-05T12:00:00Z,order_completed,u7,,
e81,2024-10-06T10:00:00Z,signed_up,u8,,
e82,2024-10-06T10:10:00Z,product_viewed,u8,,
e83,2024-10-06T10:20:00Z,product_viewed,u8,,
e84,2024-10-07T10:00:01Z,ticket_opened,u8,,
"""
# Funnel signed_up -> product_viewed -> order_completed, window 1 day, October; steps reached:
# u1: 3, the order at exactly sign-up + 1 day is inside the window; 7200 s then 79200 s.
# u2: 2, the order 1 s after the window is out; 3600 s.
# u3: 1, the product view before the sign-up does not count (no view after it).
# u4: 3, all three at 10:00:00, in event order e41 < e42 < e43; 0 s and 0 s.
# u5: 3, attempt 1 (Oct 4) reaches 2 steps (1800 s), attempt 2 (Oct 10) reaches 3: it counts,
#     with its own times 3600 s and 3600 s.
# u6: not counted, the sign-up is on 30 September (the range limits entry).
# u7: 3, the anonymous sign-up of a7 is u7's (e73 links a7 to u7); 3600 s and 3600 s.
# u8: 2 (two views, no order); 600 s.
# -> 7, 6, 4. From step 1: 7200, 3600, 0, 3600, 3600, 600: mean 3100, median 3600.
#    From step 2: 79200, 0, 3600, 3600: mean 21600, median 3600.
CUSTOMERS = """\
customer_id,created_at,plan
u1,2024-09-01T00:00:00Z,pro
u2,2024-09-01T00:00:00Z,free
u4,2024-09-01T00:00:00Z,pro
u5,2024-09-01T00:00:00Z,free
u7,2024-09-01T00:00:00Z,pro
"""
OCTOBER = DateRange(start=date(2024, 10, 1), end=date(2024, 11, 1))
STEPS = [EventFilter(event=e) for e in ("signed_up", "product_viewed", "order_completed")]
DAY = 86_400


def load(store: Store, tmp_path: Path) -> Store:
    vocabulary = Vocabulary()
    ingest_file(store, write(tmp_path / "customers.csv", CUSTOMERS), IngestOptions(kind="customers"), vocabulary)
    ingest_file(store, write(tmp_path / "events.csv", STORY), IngestOptions(), vocabulary)
    return store


def funnel(store: Store, **options: object) -> FunnelResult:
    return run_funnel(store, FunnelQuery(steps=options.pop("steps", STEPS), window=DAY, range=OCTOBER, **options))


def counts(result: FunnelResult) -> list[int]:
    return [s.count for s in result.steps]


def test_ordered_funnel(store: Store, tmp_path: Path) -> None:
    result = funnel(load(store, tmp_path))
    assert counts(result) == [7, 6, 4]
    first, second, third = result.steps
    assert (second.conversion_from_start, second.conversion_from_previous, second.dropped) == (6 / 7, 6 / 7, 1)
    assert (third.conversion_from_start, third.conversion_from_previous, third.dropped) == (4 / 7, 4 / 6, 2)
    assert first.avg_seconds_from_previous is None
    assert (second.avg_seconds_from_previous, second.median_seconds_from_previous) == (3100, 3600)
    assert (third.avg_seconds_from_previous, third.median_seconds_from_previous) == (21600, 3600)
    assert result.people(3) == ["u1", "u4", "u5", "u7"]
    assert result.people(3, dropped=True) == ["u2", "u8"]
    assert result.people(2, dropped=True) == ["u3"]


def test_strict_and_unordered_modes(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path)
    strict = funnel(store, mode="strict")
    # any other event between two steps breaks the chain: u1 (ticket e13) and u7 (ticket e72,
    # between sign-up and view) stop early; u4 (e40 is before entry) and u5 (attempt 2) go through
    assert counts(strict) == [7, 5, 2]
    assert strict.people(3) == ["u4", "u5"]
    assert strict.people(2, dropped=True) == ["u3", "u7"]
    unordered = funnel(store, mode="unordered")
    # u3's view, sign-up and order are within one day of the view (the anchor); u6 enters with the
    # view of 1 October (its sign-up is before the range) and orders: 2 steps
    assert counts(unordered) == [8, 8, 5]
    assert unordered.people(3) == ["u1", "u3", "u4", "u5", "u7"]
    # time from the first to the second step done: u1 7200, u2, u3, u5, u6, u7 3600, u4 0, u8 600
    assert unordered.steps[1].median_seconds_from_previous == 3600
    assert unordered.steps[1].avg_seconds_from_previous == pytest.approx((7200 + 5 * 3600 + 600) / 8)


def test_exclusions_and_repeated_steps(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path)
    ticket = EventFilter(event="ticket_opened")
    between_2_and_3 = funnel(store, exclusions=[Exclusion(event=ticket, from_step=2, to_step=3)])
    # removed: u1 (e13 between view and order), u2 (e23 after the view, no order, inside the
    # window). Kept: u4 (ticket before entry), u5 (e53 lies in the attempt that does not count),
    # u7 (its ticket is between steps 1 and 2), u8 (e84 is 1 s after the window)
    assert counts(between_2_and_3) == [5, 4, 3]
    assert between_2_and_3.people(1) == ["u3", "u4", "u5", "u7", "u8"]
    between_1_and_2 = funnel(store, exclusions=[Exclusion(event=ticket, from_step=1, to_step=2)])
    assert between_1_and_2.people(1) == ["u1", "u2", "u3", "u4", "u5", "u8"]
    views = EventFilter(event="product_viewed")
    repeated = funnel(store, steps=[STEPS[0], views, views])
    # a repeated step needs a repeated event: only u8 viewed twice after signing up
    assert counts(repeated) == [7, 6, 1]
    assert repeated.steps[2].median_seconds_from_previous == 600


def test_breakdowns(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path)
    by_plan = funnel(store, breakdown="plan")
    # pro: u1, u4, u7 go through; free: u2 (2 steps), u5 (3); no customer record: u3 (1), u8 (2)
    assert {value: [s.count for s in steps] for value, steps in by_plan.breakdown.items()} == {
        "pro": [3, 3, 3], "free": [2, 2, 1], "(none)": [2, 1, 0]}
    assert by_plan.people(2, dropped=True, breakdown="(none)") == ["u3"]
    by_device = funnel(store, breakdown="properties.device")
    # the device of the counted attempt's sign-up: u5 counts under app (attempt 2), u7 under the
    # anonymous sign-up's web
    assert {value: [s.count for s in steps] for value, steps in by_device.breakdown.items()} == {
        "web": [3, 3, 2], "app": [2, 2, 2], "(none)": [2, 1, 0]}
    frame = by_device.to_frame()
    assert len(frame) == 3 * 4 and list(frame["count"][:3]) == [7, 6, 4]


def test_cli_json(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path / 'engagekit.duckdb'}"
    with connect(url) as store:
        load(store, tmp_path)
    command = [sys.executable, "-m", "engagekit", "--store", url, "funnel", "signed_up", "product_viewed",
               "order_completed where revenue is null", "--window", "1d", "--from", "2024-10-01",
               "--to", "2024-10-31", "--exclude", "ticket_opened:2-3", "--json"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, check=False)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert [s["count"] for s in data["steps"]] == [5, 4, 3]
    assert data["window_seconds"] == DAY
