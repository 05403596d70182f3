"""Support tickets: opened, replied to, sometimes escalated, and (unless planted unresolved) resolved.

Ticket arrivals and which tickets stay unresolved come from the lifecycle
simulation, because unresolved tickets drive churn. This module adds the
conversation: first-response times by priority, back-and-forth replies,
escalations and resolution times.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from .columns import id_strings, json_number, json_object, json_quoted, json_text
from .events import EventBlock
from .timeline import US_PER_HOUR
from .world import World

PRIORITIES = ("low", "normal", "high", "urgent")
PRIORITY_SHARES = (0.3, 0.45, 0.2, 0.05)
FIRST_REPLY_HOURS = np.array([8.0, 4.0, 1.5, 0.5])
CATEGORIES = {
    "ecommerce": ("shipping", "returns", "payment", "product", "account"),
    "saas": ("bug", "billing", "how_to", "integration", "access"),
    "media": ("playback", "billing", "account", "content_request"),
    "healthcare": ("appointment", "prescription", "billing", "records"),
    "services": ("scope", "invoice", "deliverable", "access"),
}
REPLY_BY = ("agent", "customer")


@dataclass
class Resolutions:
    """Resolved tickets, for the CSAT survey that follows them."""

    customer: np.ndarray
    ts: np.ndarray
    hours: np.ndarray


def _replies(rng: np.random.Generator, opened: np.ndarray, priority: np.ndarray, extra: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Reply rows (ticket, position, time) and each ticket's first-reply row.

    An agent answers first (faster for higher priority), then customer and
    agent alternate.
    """
    count = 1 + extra
    ticket = np.repeat(np.arange(len(opened)), count)
    first = np.cumsum(count) - count
    position = np.arange(len(ticket)) - first[ticket]
    median = np.where(position == 0, FIRST_REPLY_HOURS[priority[ticket]], 6.0)
    gaps = (rng.lognormal(np.log(median), 0.8) * US_PER_HOUR).astype(np.int64)
    total = np.cumsum(gaps)
    return ticket, position, opened[ticket] + total - total[first][ticket] + gaps[first][ticket], first


def support_blocks(world: World, rng: np.random.Generator) -> tuple[list[EventBlock], Resolutions]:
    """Ticket rows for every simulated ticket, cut off at churn and at the period end."""
    life = world.life
    customer, opened, unresolved = life.ticket_customer, life.ticket_opened_us, life.ticket_unresolved
    n = len(opened)
    number = np.empty(n, dtype=np.int64)
    number[np.argsort(opened, kind="stable")] = np.arange(1, n + 1)
    ids = json_quoted(id_strings("T", number, 8))
    priority = rng.choice(len(PRIORITIES), size=n, p=PRIORITY_SHARES)
    categories = CATEGORIES[world.profile.name]
    weights = np.linspace(2.0, 1.0, len(categories))
    category = rng.choice(len(categories), size=n, p=weights / weights.sum())
    extra = rng.poisson(np.where(unresolved, 2.0, 0.8))
    ticket, position, replied, first = _replies(rng, opened, priority, extra)
    resolved_at = replied[first + extra] + (rng.lognormal(np.log(2.0), 0.7, n) * US_PER_HOUR).astype(np.int64)
    escalated = rng.random(n) < np.where(unresolved, 0.35, 0.08)
    escalated_at = replied[first] + (rng.lognormal(np.log(3.0), 0.6, n) * US_PER_HOUR).astype(np.int64)
    level = 2 + (rng.random(n) < 0.25)

    blocks = [EventBlock("ticket_opened", opened, "support", json_object(n, {
        "ticket_id": ids, "priority": json_text(PRIORITIES, priority), "category": json_text(categories, category),
    }), customer=customer)]
    keep = world.within_life(customer[ticket], replied)
    blocks.append(EventBlock("ticket_replied", replied[keep], "support", json_object(int(keep.sum()), {
        "ticket_id": ids.take(pa.array(ticket[keep])), "by": json_text(REPLY_BY, position[keep] % 2),
    }), customer=customer[ticket[keep]]))
    keep = escalated & world.within_life(customer, escalated_at)
    blocks.append(EventBlock("ticket_escalated", escalated_at[keep], "support", json_object(int(keep.sum()), {
        "ticket_id": ids.filter(pa.array(keep)), "level": json_number(level[keep]),
    }), customer=customer[keep]))
    done = ~unresolved & world.within_life(customer, resolved_at)
    hours = np.round((resolved_at - opened) / US_PER_HOUR, 1)
    blocks.append(EventBlock("ticket_resolved", resolved_at[done], "support", json_object(int(done.sum()), {
        "ticket_id": ids.filter(pa.array(done)), "contacts": json_number(1 + (1 + extra[done]) // 2),
        "resolution_hours": json_number(hours[done]),
    }), customer=customer[done]))
    return blocks, Resolutions(customer=customer[done], ts=resolved_at[done], hours=hours[done])
