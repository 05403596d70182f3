"""The Customers page: a searchable list of customers with traits and lifetime KPIs, and one
customer's profile with a timeline.

The list reads the derived `customer_facts` table (one row per customer, rebuilt by
`engagekit derive` after an ingest; see docs/derived-tables.md), so it stays fast on a large
store; without it the facts are computed from events. Search matches a part of the customer id,
or a whole country, plan, channel or campaign value; the user's text is only a literal.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import ibis
import ibis.expr.types as ir

from engagekit.derive.facts import customer_facts
from engagekit.people.profile import customer_profile
from engagekit.store import Store

PAGE_SIZE = 50
LIST_COLUMNS = ("customer_id", "country", "plan", "acquisition_channel", "campaign", "created_at", "last_seen",
                "orders", "revenue", "active_days")
SEARCHED_TRAITS = ("country", "plan", "acquisition_channel", "campaign")
MAX_QUERY_CHARS = 100

__all__ = ["PAGE_SIZE", "customer_list", "customer_profile"]


def facts_table(store: Store) -> ir.Table:
    """The customer facts rollup, or the same facts computed now when it is not built."""
    if store.has_table("customer_facts"):
        return store.table("customer_facts")
    return customer_facts(store, datetime.now(UTC).date())


def customer_list(store: Store, people: ir.Table | None, search: str = "", page: int = 1) -> dict[str, Any]:
    """One page of customers, highest lifetime revenue first: rows, total and page numbers."""
    facts = facts_table(store)
    if people is not None:
        facts = facts.semi_join(people, facts.customer_id == people.person_id)
    text = search.strip()[:MAX_QUERY_CHARS]
    if text:
        lowered = ibis.literal(text.lower())
        matches = facts.customer_id.lower().contains(lowered)
        for trait in SEARCHED_TRAITS:
            matches |= facts[trait].lower() == lowered
        facts = facts.filter(matches)
    total = int(facts.count().to_pyarrow().as_py())
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    ordered = facts.order_by([facts.revenue.desc(), facts.customer_id]).select(*LIST_COLUMNS)
    rows = ordered.limit(PAGE_SIZE, offset=(page - 1) * PAGE_SIZE).to_pyarrow().to_pylist()
    return {"rows": rows, "total": total, "page": page, "pages": pages, "search": text}


def timeline(profile: dict[str, Any]) -> dict[str, list]:
    """The profile's latest events as a timeline: time, event name, channel and revenue."""
    events = sorted(profile["events"], key=lambda e: e["ts"])
    return {
        "ts": [e["ts"].isoformat() if isinstance(e["ts"], (date, datetime)) else e["ts"] for e in events],
        "event": [e["event"] for e in events],
        "channel": [e["channel"] or "-" for e in events],
        "revenue": [e["revenue"] for e in events],
    }
