"""The event file contract and its writer.

Every source module returns :class:`EventBlock` objects (one event name each,
numeric id columns, pre-built JSON properties). :func:`write_events` merges the
blocks of a source, orders rows by time (ties keep block order) and writes one
Parquet file with exactly :data:`EVENT_SCHEMA`.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from .columns import id_strings, lookup

CHANNELS = ("web", "app", "email", "sms", "social", "support", "survey", "billing", "crm", "store", "call")

EVENT_NAMES = frozenset({
    "page_viewed", "product_viewed", "product_added", "checkout_started",
    "order_completed", "order_refunded",
    "email_sent", "email_delivered", "email_opened", "email_clicked", "newsletter_subscribed",
    "ad_impression", "ad_clicked", "lead_created", "signed_up",
    "trial_started", "welcome_call_booked", "onboarding_step_completed", "account_activated",
    "logged_in", "feature_used", "core_action", "content_viewed", "video_watched",
    "portal_login", "deliverable_reviewed",
    "ticket_opened", "ticket_replied", "ticket_escalated", "ticket_resolved",
    "survey_responded",
    "subscription_started", "subscription_renewed", "subscription_changed", "subscription_cancelled",
    "referral_sent", "referral_converted", "review_posted",
    "social_like", "social_comment", "social_share", "social_follow", "social_mention",
    "experiment_viewed",
    "appointment_scheduled", "appointment_attended", "appointment_missed",
    "medication_dose_taken", "medication_dose_missed",
})

UTC_US = pa.timestamp("us", tz="UTC")
EVENT_SCHEMA = pa.schema([
    ("event_id", pa.string()), ("ts", UTC_US), ("event", pa.string()),
    ("customer_id", pa.string()), ("anonymous_id", pa.string()), ("session_id", pa.string()),
    ("channel", pa.string()), ("revenue", pa.float64()), ("properties", pa.string()),
])

WRITE_OPTIONS = {"compression": "snappy",
                 "use_dictionary": ["event", "channel", "customer_id", "anonymous_id", "country", "plan", "industry"]}
"""Fixed writer settings: the same spec always gives byte-identical files."""
ROW_GROUP_ROWS = 1_000_000
CUSTOMER_ID = ("C", 7)
ANONYMOUS_ID = ("A", 8)
SESSION_ID = ("S", 10)
ACCOUNT_ID = ("ACC", 6)


@dataclass
class EventBlock:
    """Rows of one event name; id columns hold numbers, -1 meaning null."""

    event: str
    ts: np.ndarray
    channel: str
    properties: pa.Array
    customer: np.ndarray | None = None
    anonymous: np.ndarray | None = None
    session: np.ndarray | None = None
    revenue: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.ts)


def _column(blocks: list[EventBlock], name: str, fill: float) -> np.ndarray:
    parts = [getattr(b, name) if getattr(b, name) is not None else np.full(len(b), fill) for b in blocks]
    return np.concatenate(parts)


def write_events(source: str, blocks: list[EventBlock], path: Path) -> int:
    """Write ``blocks`` as one time-ordered event file; returns the row count.

    Rows are gathered into time order one row group at a time, so a source
    with more than 2 GB of property text still fits Arrow's 32-bit offsets.
    """
    blocks = [b for b in blocks if len(b)]
    for block in blocks:
        if block.event not in EVENT_NAMES or block.channel not in CHANNELS:
            raise ValueError(f"unknown event or channel: {block.event!r}, {block.channel!r}")
    with pq.ParquetWriter(path, EVENT_SCHEMA, **WRITE_OPTIONS) as writer:
        if not blocks:
            writer.write_table(EVENT_SCHEMA.empty_table())
            return 0
        ts = np.concatenate([b.ts for b in blocks]).astype(np.int64)
        order = np.argsort(ts, kind="stable")
        block_of = np.repeat(np.arange(len(blocks)), [len(b) for b in blocks])
        customer, anonymous, session = (_column(blocks, name, -1).astype(np.int64)
                                        for name in ("customer", "anonymous", "session"))
        revenue = _column(blocks, "revenue", np.nan).astype(np.float64)
        properties = pa.concat_arrays([b.properties.cast(pa.large_string()) for b in blocks])
        events, channels = [b.event for b in blocks], [b.channel for b in blocks]
        for start in range(0, len(ts), ROW_GROUP_ROWS):
            rows = order[start: start + ROW_GROUP_ROWS]
            code = block_of[rows]
            writer.write_table(pa.Table.from_arrays([
                id_strings(f"{source}-", np.arange(start, start + len(rows)), 12),
                pa.array(ts[rows], type=UTC_US),
                lookup(events, code),
                id_strings(CUSTOMER_ID[0], _one_based(customer[rows]), CUSTOMER_ID[1]),
                id_strings(ANONYMOUS_ID[0], _one_based(anonymous[rows]), ANONYMOUS_ID[1]),
                id_strings(SESSION_ID[0], _one_based(session[rows]), SESSION_ID[1]),
                lookup(channels, code),
                pa.array(revenue[rows], mask=np.isnan(revenue[rows]), type=pa.float64()),
                properties.take(pa.array(rows)).cast(pa.string()),
            ], schema=EVENT_SCHEMA))
    return len(ts)


def _one_based(index: np.ndarray) -> np.ndarray:
    """Zero-based indexes to the one-based numbers shown in ids; -1 (null) stays -1."""
    return index + (index >= 0)


def write_table(table: pa.Table, path: Path) -> None:
    """Write an entity table with the same fixed settings as the event files."""
    pq.write_table(table, path, row_group_size=ROW_GROUP_ROWS, **WRITE_OPTIONS)
