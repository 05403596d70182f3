"""Customers at risk at the end of a period, defined simply:

* **Unresolved tickets.** Two or more tickets opened before the end that have no
  ``ticket_resolved`` before the end (the demo plants churn on exactly this).
* **Falling logins.** At least ``MIN_EARLIER_LOGINS`` logins in the 28 days before the last 28
  days, and at most half as many in the last 28 days.

Only customers with some activity in the last 56 days count: the others are already lost.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import ibis

from engagekit.json_fields import json_text
from engagekit.store import Store

UNRESOLVED_THRESHOLD = 2
WINDOW_DAYS = 28
MIN_EARLIER_LOGINS = 4
LOGIN_FALL = 0.5
LIMIT = 20
DEFINITION = (f"At risk: {UNRESOLVED_THRESHOLD} or more unresolved tickets, or logins in the last {WINDOW_DAYS} days "
              f"at most {LOGIN_FALL:.0%} of the {WINDOW_DAYS} days before (from at least {MIN_EARLIER_LOGINS}), "
              f"among customers active in the last {2 * WINDOW_DAYS} days.")


@dataclass(frozen=True)
class AtRisk:
    """A customer at risk and why."""

    customer_id: str
    unresolved_tickets: int
    recent_logins: int
    earlier_logins: int

    @property
    def reasons(self) -> str:
        reasons = []
        if self.unresolved_tickets >= UNRESOLVED_THRESHOLD:
            reasons.append(f"{self.unresolved_tickets} unresolved tickets")
        if self.earlier_logins >= MIN_EARLIER_LOGINS and self.recent_logins <= self.earlier_logins * LOGIN_FALL:
            reasons.append(f"logins fell from {self.earlier_logins} to {self.recent_logins}")
        return "; ".join(reasons)


def customers_at_risk(store: Store, end: date) -> tuple[int, list[AtRisk]]:
    """How many customers are at risk at `end`, and the first LIMIT of them (most tickets first)."""
    events = store.table("events")
    stop = datetime.combine(end, datetime.min.time())
    before = events.filter(events.customer_id.notnull(), events.ts < stop)
    tickets = before.filter(before.event.isin(["ticket_opened", "ticket_resolved"])).mutate(
        ticket=json_text(before.properties, "ticket_id"))
    per_ticket = tickets.group_by(["customer_id", "ticket"]).aggregate(
        opened=(tickets.event == "ticket_opened").any(), resolved=(tickets.event == "ticket_resolved").any())
    unresolved = per_ticket.filter(per_ticket.opened & ~per_ticket.resolved).group_by("customer_id").aggregate(
        unresolved=ibis._.count())
    recent_start = stop - timedelta(days=WINDOW_DAYS)
    earlier_start = recent_start - timedelta(days=WINDOW_DAYS)
    logins = before.filter(before.event == "logged_in", before.ts >= earlier_start)
    login_counts = logins.group_by("customer_id").aggregate(
        recent=(logins.ts >= recent_start).sum(), earlier=(logins.ts < recent_start).sum())
    falling = login_counts.filter(login_counts.earlier >= MIN_EARLIER_LOGINS,
                                  login_counts.recent <= login_counts.earlier * LOGIN_FALL)
    flagged = unresolved.filter(unresolved.unresolved >= UNRESOLVED_THRESHOLD).select("customer_id").union(
        falling.select("customer_id")).distinct()
    active = before.filter(before.ts >= earlier_start).select("customer_id").distinct()
    flagged = flagged.semi_join(active, "customer_id")
    joined = flagged.left_join(unresolved, "customer_id").left_join(login_counts, "customer_id")
    table = joined.select(
        customer_id=flagged.customer_id,
        unresolved=ibis.coalesce(unresolved.unresolved, 0),
        recent=ibis.coalesce(login_counts.recent, 0),
        earlier=ibis.coalesce(login_counts.earlier, 0),
    )
    # one query: the count of all flagged customers rides along each of the first LIMIT rows
    counted = table.mutate(total=table.customer_id.count().over(ibis.window()))
    top = counted.order_by([ibis.desc("unresolved"), ibis.desc("earlier"), "customer_id"]).limit(LIMIT)
    records = top.to_pyarrow().to_pylist()
    rows = [AtRisk(r["customer_id"], int(r["unresolved"]), int(r["recent"]), int(r["earlier"])) for r in records]
    return (int(records[0]["total"]) if records else 0), rows
