"""Events of one person at the same instant: sessions order them by `event_id`, on every engine.

The window functions of `derive.sessions` sort by time alone, so these stories check that what
depends on the order of a tie (first channel, campaign, landing path, first anonymous id) still
follows (`ts`, `event_id`), and that sums and session boundaries do not depend on it at all.
"""
from __future__ import annotations

from pathlib import Path

from engagekit.derive import sessions
from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.store import Store
from tests.conftest import write

HEADER = "messageId,timestamp,event,userId,anonymousId,channel,path,campaign\n"
TIES = """\
m2,2024-03-01T10:00:00Z,page_viewed,u1,x2,web,/second,spring
m1,2024-03-01T10:00:00Z,logged_in,u1,,app,,winter
m3,2024-03-01T10:00:00Z,page_viewed,u1,x1,web,/third,
m0,2024-03-01T10:00:04.5Z,page_viewed,u1,,web,/later,
k9,2024-03-01T12:00:00Z,page_viewed,u2,,web,/a,
k8,2024-03-01T12:00:00Z,product_viewed,u2,,app,,
k7,2024-03-01T12:40:00Z,page_viewed,u2,,web,/b,
k6,2024-03-01T12:40:00Z,page_viewed,u2,,web,/c,
"""
# u1: m1, m2, m3 share 10:00:00; by event_id the first is m1 (logged_in, app, campaign winter),
#     the first page view m2 (/second), the first anonymous id that of m2 (x2; m1 has none).
#     m0 comes 4.5 s later: one session of 4 events, 3 page views, 4.5 s long, and the gaps
#     0 + 0 + 4.5 s are all active: 4.5 s; 3 page views, so not a bounce.
# u2: two visits 40 min apart (over the 30 min timeout), each of two tied events:
#     12:00 -> first k8 (product_viewed, app), landing k9 (/a), 1 page view, 0 s: a bounce;
#     12:40 -> first k6 (web), landing k6 (/c), 2 page views, 0 s: engaged.


def test_ties_are_ordered_by_event_id_and_change_no_sum(store: Store, tmp_path: Path) -> None:
    ingest_file(store, write(tmp_path / "ties.csv", HEADER + TIES), IngestOptions(), Vocabulary())
    columns = ("person_id", "start_ts", "events", "page_views", "duration_seconds", "active_seconds", "channel",
               "campaign", "landing_path", "anonymous_id", "bounced")
    got = [tuple(row[c] for c in columns)
           for row in sessions(store).order_by(["person_id", "start_ts"]).to_pyarrow().to_pylist()]
    assert [(p, e, pv, d, a, ch, ca, lp, an, b) for p, _, e, pv, d, a, ch, ca, lp, an, b in got] == [
        ("u1", 4, 3, 4.5, 4.5, "app", "winter", "/second", "x2", False),
        ("u2", 2, 1, 0.0, 0.0, "app", None, "/a", None, True),
        ("u2", 2, 2, 0.0, 0.0, "web", None, "/c", None, False),
    ]
    assert [row[1].strftime("%H:%M") for row in got] == ["10:00", "12:00", "12:40"]
