"""Sessions: runs of a person's interactive events, split by inactivity and by a maximum length.

Definitions (docs/derived-tables.md has the full table):

- Only events of interactive channels (web, app) form sessions; email, billing, store and the
  rest are things that happen between visits, not visits.
- Events belong to the person (`person_id` from identity stitching), so a visitor's anonymous
  page views before sign-up share a session with the sign-up itself.
- A gap of at most `timeout_minutes` keeps the session going (exactly 30:00 stays; 30:00.000001
  starts a new one). The client's `session_id` is ignored: clients disagree about what a session
  is, and one rule for every source keeps session KPIs comparable across sources.
- A session never lasts more than `max_hours`: a run of activity with no long gap is cut into
  pieces of `max_hours` counted from the run's first event (an event exactly `max_hours` after it
  stays in the first piece). Pieces are aligned to the run's start, not restarted at each cut,
  so one window pass computes them on any engine; a restarted clock would need a recursive query.
  The two agree for runs shorter than twice the maximum.
- `active_seconds` adds the gaps between consecutive events of the session that are shorter than
  `idle_seconds`, so a tab left open does not count as attention.
- A session bounces when it has at most one page view, lasts less than `bounce_seconds` and
  converts nothing; every other session is engaged.
"""
from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from engagekit.config import DEFAULT_SESSION_TIMEOUT_MINUTES, Settings
from engagekit.derive.names import (
    CART_ADDS,
    CHECKOUTS,
    INTERACTIVE_CHANNELS,
    ORDERS,
    PAGE_VIEWS,
    PRODUCT_VIEWS,
    identified,
)
from engagekit.derive.timing import MICROSECONDS, micros_between, seconds_between
from engagekit.ingest.identity import resolved_events
from engagekit.json_fields import json_text
from engagekit.store import Store

DEFAULT_SESSION_MAX_HOURS = 24
DEFAULT_IDLE_SECONDS = 300
DEFAULT_BOUNCE_SECONDS = 10
CAMPAIGN = "campaign"  # the property naming a session's campaign

SESSION_COLUMNS = (
    "session_key", "person_id", "customer_id", "anonymous_id", "start_ts", "end_ts", "duration_seconds",
    "events", "page_views", "product_views", "carted", "checked_out", "converted", "bounced", "engaged", "active_seconds",
    "channel", "landing_path", "campaign",
)


@dataclass(frozen=True)
class SessionRules:
    """How events become sessions; every default is the common web-analytics value."""

    timeout_minutes: int = DEFAULT_SESSION_TIMEOUT_MINUTES
    max_hours: int = DEFAULT_SESSION_MAX_HOURS
    idle_seconds: int = DEFAULT_IDLE_SECONDS
    bounce_seconds: int = DEFAULT_BOUNCE_SECONDS
    channels: tuple[str, ...] = INTERACTIVE_CHANNELS

    @classmethod
    def from_settings(cls, settings: Settings) -> SessionRules:
        """The rules a project configured in engagekit.yaml."""
        return cls(timeout_minutes=settings.session_timeout_minutes, max_hours=settings.session_max_hours)


def sessions(store: Store, rules: SessionRules | None = None, events: ir.Table | None = None) -> ir.Table:
    """One row per session of the store's interactive events (columns: SESSION_COLUMNS).

    `events` (resolved events, see `resolved_events`) restricts the build to some people or to
    their events from the start of a run on, as the incremental build does; default: all events."""
    rules = rules or SessionRules()
    events = resolved_events(store) if events is None else events
    interactive = events.filter(events.channel.isin(rules.channels))
    return _summarise(_assign(interactive, rules), rules)


SESSION_INPUTS = ("person_id", "ts", "event_id", "event", "channel", "anonymous_id")


def _assign(events: ir.Table, rules: SessionRules) -> ir.Table:
    """Each event with its session (the `run_start` of its run of activity and the `piece` of the
    run) and the active part of its gap to the previous event (`active_us`).

    The window functions sort what they carry, so only the columns sessions read go through them
    (`known`, whether the person is identified, instead of `customer_id`), and they order by `ts`
    alone: sorting by `event_id` too would double the cost of each sort. Ties do not change the
    result: events of one instant have gaps of 0 between them, so whichever of them comes first
    takes the gap to the earlier event; the run's start is a running maximum over a `range` frame,
    which includes every event of the same instant; so all of them land in the same session and
    its sums are the same. What depends on the order of a tie (the first event's channel, say) is
    taken by `_summarise` as the minimum of (`ts`, `event_id`)."""
    by_person = ibis.window(group_by="person_id", order_by="ts")
    slim = events.select(*SESSION_INPUTS, known=identified(events), properties=_needed_properties(events))
    ordered = slim.mutate(prev_ts=slim.ts.lag().over(by_person))
    gap = micros_between(ordered.prev_ts, ordered.ts)
    new_run = ordered.prev_ts.isnull() | (gap > rules.timeout_minutes * 60 * MICROSECONDS)
    up_to_now = ibis.window(group_by="person_id", order_by="ts", range=(None, 0))
    runs = ordered.mutate(gap_us=gap, new_run=new_run,
                          run_start=ibis.ifelse(new_run, ordered.ts, ibis.null("timestamp")).max().over(up_to_now))
    max_us = rules.max_hours * 3600 * MICROSECONDS
    piece = _piece(runs.run_start, runs.ts, max_us)
    starts_session = runs.new_run | (piece != _piece(runs.run_start, runs.prev_ts, max_us))
    in_session_gap = ibis.ifelse(starts_session, ibis.null("int64"), runs.gap_us)
    active = ibis.ifelse(in_session_gap < rules.idle_seconds * MICROSECONDS, in_session_gap, 0)
    return runs.mutate(piece=piece, active_us=active)


def _needed_properties(events: ir.Table) -> ir.StringValue:
    """The properties sessions can read, else null: those of page views (for `landing_path`) and
    those that name a campaign (`campaign` of the first event; `json_text` finds no value without
    the quoted key). Most events carry neither, and every byte carried is sorted twice."""
    wanted = events.event.isin(PAGE_VIEWS) | events.properties.contains(f'"{CAMPAIGN}"')
    return ibis.ifelse(wanted, events.properties, ibis.null("string"))


def _piece(run_start: ir.TimestampValue, ts: ir.TimestampValue, max_us: int) -> ir.IntegerValue:
    """0 for events up to `max_us` after the run's start (inclusive), 1 for the next span, ..."""
    return ibis.greatest(micros_between(run_start, ts) - 1, 0) // max_us


def _summarise(e: ir.Table, rules: SessionRules) -> ir.Table:
    """One row per (person, run, piece) with the session's measures; "first" is the event of the
    smallest (`ts`, `event_id`), and the first event's channel and properties are taken together."""
    is_page_view = e.event.isin(PAGE_VIEWS)
    order = ibis.struct({"ts": e.ts, "event_id": e.event_id})
    first = ibis.struct({"channel": e.channel, "properties": e.properties}).argmin(order)
    grouped = e.group_by(["person_id", "run_start", "piece"]).aggregate(
        known=e.known.any(),
        anonymous_id=e.anonymous_id.argmin(order, where=e.anonymous_id.notnull()),
        start_ts=e.ts.min(),
        end_ts=e.ts.max(),
        events=e.count(),
        page_views=e.count(where=is_page_view),
        product_views=e.count(where=e.event.isin(PRODUCT_VIEWS)),
        carted=e.event.isin(CART_ADDS).any(),
        checked_out=e.event.isin(CHECKOUTS).any(),
        converted=e.event.isin(ORDERS).any(),
        active_us=e.active_us.sum(),
        first=first,
        landing_properties=e.properties.argmin(order, where=is_page_view),
    )
    s = grouped.mutate(duration_seconds=seconds_between(grouped.start_ts, grouped.end_ts))
    bounced = (s.page_views <= 1) & (s.duration_seconds < rules.bounce_seconds) & ~s.converted
    key = s.person_id.concat("@", s.start_ts.strftime("%Y-%m-%d %H:%M:%S.%f"))
    return s.mutate(
        session_key=key,
        customer_id=ibis.ifelse(s.known, s.person_id, ibis.null("string")),
        channel=s.first.channel,
        bounced=bounced,
        engaged=~bounced,
        active_seconds=s.active_us / MICROSECONDS,
        landing_path=json_text(s.landing_properties, "path"),
        campaign=json_text(s.first.properties, CAMPAIGN),
    ).select(*SESSION_COLUMNS)
