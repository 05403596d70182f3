"""Customers at risk, from a small story with the reason for each verdict."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.report.at_risk import customers_at_risk
from engagekit.store import Store
from tests.conftest import write

END = date(2026, 3, 1)  # last 28 days: Feb 1 .. Feb 28; the 28 days before: Jan 4 .. Jan 31
STORY = [
    # a: two tickets opened, none resolved -> at risk (2 unresolved tickets)
    ("a", "ticket_opened", "2026-01-10", "t1"), ("a", "ticket_opened", "2026-02-05", "t2"),
    # b: t3 resolved, t4 open -> 1 unresolved; logins 4 earlier, 2 recent (2 <= 4 x 0.5) -> at risk
    ("b", "ticket_opened", "2026-01-10", "t3"), ("b", "ticket_resolved", "2026-01-11", "t3"),
    ("b", "ticket_opened", "2026-02-10", "t4"),
    *(("b", "logged_in", f"2026-01-0{d}", None) for d in (5, 6, 7, 8)),
    ("b", "logged_in", "2026-02-02", None), ("b", "logged_in", "2026-02-03", None),
    # c: logins 4 earlier, 3 recent (3 > 2) -> not at risk
    *(("c", "logged_in", f"2026-01-1{d}", None) for d in (1, 2, 3, 4)),
    *(("c", "logged_in", f"2026-02-1{d}", None) for d in (1, 2, 3)),
    # d: three unresolved tickets but nothing since Jan 4 -> already lost, not counted
    *(("d", "ticket_opened", f"2025-11-1{d}", f"d{d}") for d in (1, 2, 3)),
    # e: t5 resolved only after the end, t6 open -> 2 unresolved at the end -> at risk
    ("e", "ticket_opened", "2026-01-10", "t5"), ("e", "ticket_resolved", "2026-03-02", "t5"),
    ("e", "ticket_opened", "2026-02-20", "t6"),
    # f: 3 earlier logins (fewer than 4) and none recent -> not at risk
    *(("f", "logged_in", f"2026-01-2{d}", None) for d in (1, 2, 3)),
]


def test_who_is_at_risk_and_why(store: Store, tmp_path: Path) -> None:
    lines = [json.dumps({"messageId": f"m{i}", "timestamp": f"{day}T12:00:00Z", "event": event, "userId": who,
                         "properties": {"ticket_id": ticket} if ticket else {}})
             for i, (who, event, day, ticket) in enumerate(STORY)]
    ingest_file(store, write(tmp_path / "story.jsonl", "\n".join(lines) + "\n"), IngestOptions(), Vocabulary())
    total, rows = customers_at_risk(store, END)
    assert total == 3
    # most unresolved tickets first, then most earlier logins, then id
    assert [(r.customer_id, r.unresolved_tickets, r.earlier_logins, r.recent_logins) for r in rows] == [
        ("a", 2, 0, 0), ("e", 2, 0, 0), ("b", 1, 4, 2)]
    assert [r.reasons for r in rows] == ["2 unresolved tickets", "2 unresolved tickets", "logins fell from 4 to 2"]


def test_nobody_at_risk_is_a_count_of_zero(store: Store) -> None:
    assert customers_at_risk(store, END) == (0, [])
