"""Derived tables on every engine: session rules at their edges, customer days, customer facts.

Each story's comments say why every expected number is what it is. Timestamps with a fraction
check that durations are exact on both engines (Spark's epoch seconds drop the fraction).
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import ibis.expr.types as ir

from engagekit.derive import SessionRules, build_derived, customer_days, customer_facts, sessions
from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.store import Store
from tests.conftest import write

HEADER = "timestamp,event,userId,anonymousId,channel,sessionId,path,campaign,revenue\n"


def ingest(store: Store, tmp_path: Path, rows: str, kind: str = "events") -> None:
    text = rows if kind == "customers" else HEADER + rows
    ingest_file(store, write(tmp_path / f"{kind}.csv", text), IngestOptions(kind=kind), Vocabulary())


def rows(table: ir.Table, *columns: str) -> list[tuple]:
    """The rows' `columns` as tuples, sorted by the first two columns."""
    ordered = table.select(*columns).order_by(list(columns[:2]))
    return [tuple(r.values()) for r in ordered.to_pyarrow().to_pylist()]


INACTIVITY = """\
2024-03-01T10:00:00Z,page,u1,,web,s1,,,
2024-03-01T10:30:00Z,page,u1,,web,s1,,,
2024-03-01T11:00:01Z,page,u1,,web,s1,,,
2024-03-01T11:25:00Z,email_opened,u1,,email,,,,
2024-03-01T11:50:00Z,page,u1,,app,s2,,,
2024-03-01T12:20:00.5Z,page,u1,,app,s2,,,
"""
# 10:00 starts session A; 10:30 is exactly 30:00 later and stays in A (the timeout is inclusive)
# 11:00:01 is 30:01 after 10:30: session B, although the client still says s1
# 11:25 is an email: it belongs to no session and does not bridge B and the next visit
# 11:50 is 49:59 after 11:00:01: session C (app)
# 12:20:00.5 is 30:00.5 after 11:50: over the timeout by half a second, session D


def test_inactivity_splits_after_the_timeout_not_at_it(store: Store, tmp_path: Path) -> None:
    ingest(store, tmp_path, INACTIVITY)
    got = rows(sessions(store), "start_ts", "session_key", "events", "duration_seconds", "channel")
    assert got == [
        (datetime(2024, 3, 1, 10), "u1@2024-03-01 10:00:00.000000", 2, 1800.0, "web"),
        (datetime(2024, 3, 1, 11, 0, 1), "u1@2024-03-01 11:00:01.000000", 1, 0.0, "web"),
        (datetime(2024, 3, 1, 11, 50), "u1@2024-03-01 11:50:00.000000", 1, 0.0, "app"),
        (datetime(2024, 3, 1, 12, 20, 0, 500000), "u1@2024-03-01 12:20:00.500000", 1, 0.0, "app"),
    ]


MAXIMUM = """\
2024-03-01T00:00:00Z,page,u1,,web,,,,
2024-03-01T10:00:00Z,page,u1,,web,,,,
2024-03-01T20:00:00Z,page,u1,,web,,,,
2024-03-02T00:00:00Z,page,u1,,web,,,,
2024-03-02T00:00:01Z,page,u1,,web,,,,
2024-03-02T10:00:00Z,page,u1,,web,,,,
2024-03-02T20:00:00Z,page,u1,,web,,,,
2024-03-03T00:00:01Z,page,u1,,web,,,,
"""
# With a 10 h timeout no gap ends the run (the longest gap is 10:00:00, inclusive).
# 03-02 00:00:00 is exactly 24 h after the start: stays in the first session (86400 s)
# 03-02 00:00:01 is 24 h 1 s after it: the second session (until 20:00, 71999 s)
# 03-03 00:00:01 is 48 h 1 s after the run's start: the third session (the cuts are every 24 h
#   from the run's start, not 24 h after the second session's start)
# The 1 s gap across the first cut is between sessions, so no session has active time.


def test_a_session_is_cut_at_the_maximum(store: Store, tmp_path: Path) -> None:
    ingest(store, tmp_path, MAXIMUM)
    got = rows(sessions(store, SessionRules(timeout_minutes=600)), "start_ts", "end_ts", "events",
               "duration_seconds", "active_seconds")
    assert got == [
        (datetime(2024, 3, 1), datetime(2024, 3, 2), 4, 86400.0, 0.0),
        (datetime(2024, 3, 2, 0, 0, 1), datetime(2024, 3, 2, 20), 3, 71999.0, 0.0),
        (datetime(2024, 3, 3, 0, 0, 1), datetime(2024, 3, 3, 0, 0, 1), 1, 0.0, 0.0),
    ]


BOUNCES = """\
2024-03-01T10:00:00Z,page,b1,,web,,,,
2024-03-01T10:00:09Z,product_viewed,b1,,web,,,,
2024-03-01T10:00:00Z,page,b2,,web,,,,
2024-03-01T10:00:10Z,product_viewed,b2,,web,,,,
2024-03-01T10:00:00Z,page,b3,,web,,,,
2024-03-01T10:00:01Z,page,b3,,web,,,,
2024-03-01T10:00:00Z,page,b4,,web,,,,
2024-03-01T10:00:01Z,order_completed,b4,,web,,,,15
2024-03-01T10:00:00Z,product_viewed,b5,,app,,,,
"""
# b1: one page view, 9 s: bounced.            b2: one page view, 10 s: not under 10 s, engaged
# b3: two page views: engaged.                b4: one page view and an order: converted, engaged
# b5: no page view at all, 0 s: bounced (at most one page view)


def test_bounce_edges(store: Store, tmp_path: Path) -> None:
    ingest(store, tmp_path, BOUNCES)
    got = rows(sessions(store), "person_id", "start_ts", "duration_seconds", "page_views", "product_views",
               "converted", "bounced", "engaged")
    assert got == [
        ("b1", datetime(2024, 3, 1, 10), 9.0, 1, 1, False, True, False),
        ("b2", datetime(2024, 3, 1, 10), 10.0, 1, 1, False, False, True),
        ("b3", datetime(2024, 3, 1, 10), 1.0, 2, 0, False, False, True),
        ("b4", datetime(2024, 3, 1, 10), 1.0, 1, 0, True, False, True),
        ("b5", datetime(2024, 3, 1, 10), 0.0, 0, 1, False, True, False),
    ]


ACTIVE = """\
2024-03-01T10:00:00Z,page,u1,,web,,,,
2024-03-01T10:01:00Z,page,u1,,web,,,,
2024-03-01T10:06:00Z,page,u1,,web,,,,
2024-03-01T10:10:59.5Z,page,u1,,web,,,,
2024-03-01T10:30:00Z,page,u1,,web,,,,
"""
# gaps: 60 s (active), 300 s (= the idle threshold: idle), 299.5 s (active), 1140.5 s (a tab
# left open: idle). active_seconds = 60 + 299.5 = 359.5 of a 1800 s session


def test_active_time_leaves_out_idle_gaps(store: Store, tmp_path: Path) -> None:
    ingest(store, tmp_path, ACTIVE)
    assert rows(sessions(store), "start_ts", "events", "duration_seconds", "active_seconds") == [
        (datetime(2024, 3, 1, 10), 5, 1800.0, 359.5),
    ]


STITCHING = """\
2024-03-01T09:59:00Z,email_clicked,u1,,email,,,spring,
2024-03-01T10:00:00Z,page,,a1,web,,/landing,spring,
2024-03-01T10:02:00Z,page,,a1,web,,/pricing,,
2024-03-01T10:05:00Z,signed_up,u1,a1,web,,,,
2024-03-01T10:07:00Z,page,u1,,web,,/welcome,,
2024-03-01T10:00:00Z,logged_in,,a2,web,,,,
2024-03-01T10:00:30Z,page,,a2,web,,/blog,,
"""
# a1 browses anonymously from the spring campaign, then signs up as u1 (the row with both ids
# links a1 -> u1): all four web events are one session of u1, landing on /landing, with the
# campaign of its first event; the email click before it is no part of it.
# a2 never identifies: a session of the visitor a2, no customer; its landing page is the first
# page view (/blog), not the login before it, and its first event has no campaign.


def test_anonymous_events_before_sign_up_join_the_customers_session(store: Store, tmp_path: Path) -> None:
    ingest(store, tmp_path, STITCHING)
    got = rows(sessions(store), "person_id", "start_ts", "customer_id", "anonymous_id", "events", "page_views",
               "landing_path", "campaign")
    assert got == [
        ("a2", datetime(2024, 3, 1, 10), None, "a2", 2, 1, "/blog", None),
        ("u1", datetime(2024, 3, 1, 10), "u1", "a1", 4, 3, "/landing", "spring"),
    ]


DAYS = """\
2024-03-01T23:50:00Z,logged_in,u1,,web,,,,
2024-03-01T23:55:00Z,page,u1,,web,,,,
2024-03-02T00:10:00Z,order_completed,u1,,web,,,,30
2024-03-02T00:10:30Z,page,u1,,web,,,,
2024-03-02T09:00:00Z,email_opened,u1,,email,,,,
2024-03-02T12:00:00Z,page,u1,,app,,,,
2024-03-02T12:01:00Z,order_completed,u1,,app,,,,20
2024-03-02T15:00:00Z,order_completed,u1,,store,,,,12.5
"""
# Session 1 runs 23:50 -> 00:10:30 across midnight; gaps 300 s and 900 s are idle, 30 s active.
# It counts on 03-01, the day it started, with its 30 active seconds.
# Session 2 (app) at 12:00 with a 60 s gap. The email and the store order are no sessions.
# 03-01: 2 events, 1 session, 1 page view, 1 login.
# 03-02: 6 events, 1 session, 2 page views, 3 orders worth 30 + 20 + 12.5 = 62.5, 60 active seconds


def test_customer_days(store: Store, tmp_path: Path) -> None:
    ingest(store, tmp_path, DAYS)
    days = customer_days(store, sessions(store))
    got = rows(days, "person_id", "day", "events", "sessions", "page_views", "orders", "revenue", "logins",
               "active_seconds")
    assert got == [
        ("u1", date(2024, 3, 1), 2, 1, 1, 0, 0.0, 1, 30.0),
        ("u1", date(2024, 3, 2), 6, 1, 2, 3, 62.5, 0, 60.0),
    ]


CUSTOMERS = """\
customer_id,created_at,account_id,plan,country,acquisition_channel,campaign
u1,2024-01-15T08:00:00Z,acme,pro,DE,paid_search,spring
u2,2024-03-10,,free,FR,,
u4,2024-04-02,,free,FR,,
"""
FACT_EVENTS = """\
2024-01-10T12:00:00Z,page,,a1,web,,,,
2024-01-15T08:00:00Z,signed_up,u1,a1,web,,,,
2024-02-01T10:00:00Z,order_completed,u1,,web,,,,40
2024-02-01T18:00:00Z,email_sent,u1,,email,,,,
2024-02-20T10:00:00Z,email_sent,u1,,email,,,,
2024-03-05T10:00:00Z,order_completed,u1,,store,,,,60
2024-03-01T10:00:00Z,logged_in,u3,,app,,,,
2024-03-01T10:00:00Z,page,,a9,web,,,,
"""
# As of 2024-03-31:
# u1: first seen on the anonymous visit of 01-10 (a1 is linked to u1); created 01-15, so tenure
#   16 + 29 (2024 is a leap year) + 31 = 76 days; 2 orders worth 100; active on 01-10, 01-15,
#   02-01, 03-05 = 4 days (02-20 only received an email, which is not activity).
# u2: a record without events; tenure from 03-10 = 21 days.
# u3: events without a record; tenure from the first event (03-01) = 30 days; no traits.
# u4: created after the as-of day: no tenure yet.     a9: an anonymous visitor, no row.


def test_customer_facts(store: Store, tmp_path: Path) -> None:
    ingest(store, tmp_path, CUSTOMERS, kind="customers")
    ingest(store, tmp_path, FACT_EVENTS)
    facts = customer_facts(store, date(2024, 3, 31))
    got = rows(facts, "customer_id", "first_seen", "last_seen", "created_at", "orders", "revenue",
               "first_order_ts", "last_order_ts", "tenure_days", "active_days")
    assert got == [
        ("u1", datetime(2024, 1, 10, 12), datetime(2024, 3, 5, 10), datetime(2024, 1, 15, 8), 2, 100.0,
         datetime(2024, 2, 1, 10), datetime(2024, 3, 5, 10), 76, 4),
        ("u2", None, None, datetime(2024, 3, 10), 0, 0.0, None, None, 21, 0),
        ("u3", datetime(2024, 3, 1, 10), datetime(2024, 3, 1, 10), None, 0, 0.0, None, None, 30, 1),
        ("u4", None, None, datetime(2024, 4, 2), 0, 0.0, None, None, None, 0),
    ]
    traits = rows(facts, "customer_id", "plan", "country", "acquisition_channel", "campaign", "account_id")
    assert traits[:2] == [("u1", "pro", "DE", "paid_search", "spring", "acme"), ("u2", "free", "FR", None, None, None)]


def test_build_writes_the_tables_and_a_rebuild_replaces_them(store: Store, tmp_path: Path) -> None:
    ingest(store, tmp_path, STITCHING)
    # 2 sessions (u1, a2); days: u1 on 03-01, a2 on 03-01; facts: u1 only (a2 never identified)
    assert build_derived(store, as_of=date(2024, 3, 31)) == {"sessions": 2, "customer_days": 2, "customer_facts": 1}
    write(tmp_path / "more.csv", HEADER + "2024-03-02T10:00:00Z,page,u1,,web,,/again,,\n")
    ingest_file(store, tmp_path / "more.csv", IngestOptions(), Vocabulary())
    # one more session and one more day of u1; nothing is appended twice
    assert build_derived(store, as_of=date(2024, 3, 31)) == {"sessions": 3, "customer_days": 3, "customer_facts": 1}
    stored = store.backend.table("sessions")
    assert rows(stored, "person_id", "start_ts", "landing_path")[-1] == ("u1", datetime(2024, 3, 2, 10), "/again")
