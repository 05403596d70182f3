"""Bring the derived tables up to date with some new ingest batches, recomputing only what they touched.

What a batch can change, and what is recomputed (docs/derived-tables.md says it in words):

- A person with new events: their sessions from the start of the *run* (activity without a gap
  over the timeout) that the earliest new interactive event joins, since a new event can merge
  runs or move a run's start, and so its 24 h cuts, but never changes a run that ended more than
  the timeout before it; their customer days from the earliest day of those sessions and of the
  new events; their customer facts, by merging the stored ones with those of the new events
  (minimums, maximums and sums merge; a new active day counts when no earlier event made that
  day active), so their history is not read again.
- A new identity link: the anonymous id and every customer it is linked to change their events
  (the link can re-attribute the anonymous id's activity), so all their sessions, days and facts
  are recomputed, and the rows of an id that is no longer a person of its own disappear.
- A new customer record: that customer's facts (traits, creation time, account).
- Tenure is measured to the as-of day, which moves with the latest event, so every customer's
  `tenure_days` is re-measured from the facts themselves (see `facts.with_tenure`).

The result equals a full rebuild (revenue sums up to floating-point rounding, as they are added
in another order): rows of untouched people and of times before each cut are
kept as they are, the rest is deleted and rebuilt from events by the same functions as the full
build (`Store.update_rows`, so on DuckDB only the changed rows are written).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc

from engagekit.derive.activity import DAY_COLUMNS, customer_days
from engagekit.derive.facts import (
    EVENT_FACTS,
    FACT_COLUMNS,
    event_facts,
    facts_of,
    merge_event_facts,
    with_tenure,
)
from engagekit.derive.names import PASSIVE
from engagekit.derive.sessions import SESSION_COLUMNS, SessionRules, sessions
from engagekit.derive.timing import MICROSECONDS, micros_between
from engagekit.ingest.identity import resolved_events
from engagekit.store import Store

CHANGE_SCHEMA = pa.schema([
    ("person_id", pa.string()),
    ("redo_sessions", pa.bool_()),  # the person's sessions are rebuilt ...
    ("session_from", pa.timestamp("us")),  # ... from this start on (null: all of them)
    ("day_from", pa.date32()),  # their customer days are rebuilt from this day on (null: all)
    ("relinked", pa.bool_()),  # a new identity link changes their events: everything is rebuilt
    ("first_day", pa.date32()),  # the day of their earliest new event (null when relinked)
])


def update_derived(store: Store, rules: SessionRules, batch_ids: list[str], as_of: date) -> None:
    """Apply the batches `batch_ids` to the derived tables (call inside a transaction)."""
    events = resolved_events(store)
    changes = changed_people(store, events, rules, batch_ids)
    records = store.table("customers")
    new_records = records.filter(records.batch_id.isin(batch_ids)).select(person_id=records.customer_id)
    with store.staged(changes) as changed:
        redo = changes.filter(changes["redo_sessions"])
        _update_sessions(store, rules, _since(events, earliest(redo["session_from"])), changed.filter(changed.redo_sessions))
        _update_days(store, _since(events, earliest(changes["day_from"])), changed)
        customers = changed.select("person_id").union(new_records, distinct=True)
        first_new = earliest(changes.filter(pc.invert(changes["relinked"]))["first_day"])
        _update_facts(store, events, batch_ids, changed, customers, as_of, first_new)


def earliest(column: pa.ChunkedArray) -> datetime | None:
    """The earliest time of a `session_from` or `day_from` column (a day as its midnight); None
    when one is null (that person's rows are all rebuilt) or the column is empty."""
    if column.null_count or not len(column):
        return None
    first = pc.min(column).as_py()
    return first if isinstance(first, datetime) else datetime.combine(first, time.min)


def _since(events: ir.Table, moment: datetime | None) -> ir.Table:
    """Events at or after `moment` (all when None): no person's rebuild reads earlier events, and
    the engine skips the stored row groups of earlier times instead of joining them."""
    return events if moment is None else events.filter(events.ts >= ibis.literal(moment, type="timestamp"))


def changed_people(store: Store, events: ir.Table, rules: SessionRules, batch_ids: list[str]) -> pa.Table:
    """Per touched person (columns: CHANGE_SCHEMA), from where their sessions and days are rebuilt.

    Computed from the derived tables as they were before the update and returned as Arrow, so
    that it stays fixed while those tables are replaced."""
    relinked = _relinked_people(store, batch_ids)
    new = events.filter(events.batch_id.isin(batch_ids)).anti_join(relinked, "person_id")
    first = new.group_by("person_id").aggregate(
        first_visit=new.ts.min(where=new.channel.isin(rules.channels)), first_day=new.ts.date().min())
    cuts = _run_starts(store, first, rules)
    joined = first.left_join(cuts, "person_id")
    visited, cut = joined.first_visit.notnull(), joined.cut
    touched = joined.select(
        person_id=joined.person_id,
        relinked=ibis.literal(False),
        first_day=joined.first_day,
        redo_sessions=visited,
        session_from=cut,
        day_from=ibis.ifelse(visited, ibis.ifelse(cut.isnull(), ibis.null("date"), ibis.least(joined.first_day, cut.date())),
                             joined.first_day),
    )
    ids = relinked.person_id.to_pyarrow()
    whole = pa.table([ids.cast(pa.string()), pa.repeat(True, len(ids)), pa.nulls(len(ids), pa.timestamp("us")),
                      pa.nulls(len(ids), pa.date32()), pa.repeat(True, len(ids)), pa.nulls(len(ids), pa.date32())],
                     schema=CHANGE_SCHEMA)
    return pa.concat_tables([touched.to_pyarrow().select(CHANGE_SCHEMA.names).cast(CHANGE_SCHEMA), whole])


def _relinked_people(store: Store, batch_ids: list[str]) -> ir.Table:
    """The people whose events a new identity link can re-attribute: each newly linked anonymous
    id and every customer it is linked to (the first link decides, and a new one may be earlier)."""
    links = store.table("identities")
    anonymous = links.filter(links.batch_id.isin(batch_ids)).select("anonymous_id").distinct()
    linked = links.semi_join(anonymous, "anonymous_id")
    return anonymous.select(person_id=anonymous.anonymous_id).union(
        linked.select(person_id=linked.customer_id), distinct=True)


def _run_starts(store: Store, first: ir.Table, rules: SessionRules) -> ir.Table:
    """Per person with new interactive events, `cut`: the start of their latest stored run that
    begins at or before the earliest new interactive event (null when none does: rebuild all).

    A stored session starts a run when the previous session of the person ended more than the
    timeout before it; sessions of one run are its 24 h pieces, less than the timeout apart."""
    visits = first.filter(first.first_visit.notnull())
    stored = store.table("sessions").semi_join(visits, "person_id")
    by_person = ibis.window(group_by="person_id", order_by="start_ts")
    previous_end = stored.end_ts.lag().over(by_person)
    gap = micros_between(previous_end, stored.start_ts)
    starts = stored.mutate(_run_start=previous_end.isnull() | (gap > rules.timeout_minutes * 60 * MICROSECONDS))
    joined = starts.inner_join(visits, "person_id")
    before = joined._run_start & (joined.start_ts <= joined.first_visit)
    return joined.group_by("person_id").aggregate(cut=joined.start_ts.max(where=before))


def _update_sessions(store: Store, rules: SessionRules, events: ir.Table, changed: ir.Table) -> None:
    """Replace each touched person's sessions from their cut on, rebuilt from their events."""
    old = store.table("sessions")
    stale = _touched(old, changed, lambda c: c.session_from.isnull() | (c.start_ts >= c.session_from))
    redo = _events_from(events, changed, lambda e: e.session_from.isnull() | (e.ts >= e.session_from))
    rebuilt = sessions(store, rules, events=redo).select(*SESSION_COLUMNS)
    store.update_rows("sessions", stale, ("session_key",), rebuilt.cast(old.schema()))


def _update_days(store: Store, events: ir.Table, changed: ir.Table) -> None:
    """Replace each touched person's customer days from their first changed day on."""
    old = store.table("customer_days")
    stale = _touched(old, changed, lambda c: c.day_from.isnull() | (c.day >= c.day_from))
    redo = _events_from(events, changed, lambda e: e.day_from.isnull() | (e.ts.date() >= e.day_from))
    stored = store.table("sessions")  # already brought up to date
    visits = stored.inner_join(changed, "person_id")
    visits = visits.filter(visits.day_from.isnull() | (visits.start_ts.date() >= visits.day_from)).select(*stored.columns)
    rebuilt = customer_days(store, visits, events=redo).select(*DAY_COLUMNS)
    store.update_rows("customer_days", stale, ("person_id", "day"), rebuilt.cast(old.schema()))


def _update_facts(store: Store, events: ir.Table, batch_ids: list[str], changed: ir.Table, customers: ir.Table,
                  as_of: date, first_new: datetime | None) -> None:
    """Rebuild the facts of the touched customers, keep the others, re-measure everyone's tenure.

    A relinked person's event aggregates are recomputed from all their events; anyone else's are
    their stored ones merged with those of the new events (new active days only counted when the
    person did nothing active that day before), so their history is not read again."""
    old = store.table("customer_facts")
    relinked = changed.filter(changed.relinked).select("person_id")
    merged = customers.anti_join(relinked, "person_id")
    stored = old.semi_join(merged, old.customer_id == merged.person_id)
    stored = stored.select(person_id=stored.customer_id, **{c: stored[c] for c in EVENT_FACTS})
    new = events.filter(events.batch_id.isin(batch_ids)).semi_join(merged, "person_id")
    schema = stored.schema()
    parts = [stored, event_facts(new).mutate(active_days=0), _new_active_days(_since(events, first_new), new, batch_ids)]
    merged_people = merge_event_facts(ibis.union(*[part.select(*schema.names).cast(schema) for part in parts]))
    relinked_people = event_facts(events.semi_join(relinked, "person_id"))
    people = ibis.union(*[part.select(*schema.names).cast(schema) for part in (merged_people, relinked_people)])
    records = store.customers_current()
    rebuilt = facts_of(people, records.semi_join(customers, records.customer_id == customers.person_id), as_of)
    kept = old.anti_join(customers, old.customer_id == customers.person_id)
    facts = kept.select(*FACT_COLUMNS).union(rebuilt.select(*FACT_COLUMNS).cast(old.schema()))
    store.replace_table("customer_facts", with_tenure(facts, as_of))


def _new_active_days(events: ir.Table, new: ir.Table, batch_ids: list[str]) -> ir.Table:
    """Per person, as `event_facts` rows with only `active_days` set, the days the `new` events
    made active that no earlier event of theirs (in `events`, outside the batches) already did."""
    identified_people = event_facts(new).select("person_id")
    active = new.filter(~new.event.isin(PASSIVE)).semi_join(identified_people, "person_id")
    days = active.select("person_id", day=active.ts.date()).distinct()
    earlier = events.filter(~events.batch_id.isin(batch_ids), ~events.event.isin(PASSIVE))
    earlier = earlier.select("person_id", day=earlier.ts.date()).semi_join(days, ["person_id", "day"])
    fresh = days.anti_join(earlier, ["person_id", "day"])
    return fresh.group_by("person_id").aggregate(
        first_seen=ibis.null("timestamp"), last_seen=ibis.null("timestamp"), orders=ibis.literal(0),
        revenue=ibis.literal(0.0), first_order_ts=ibis.null("timestamp"), last_order_ts=ibis.null("timestamp"),
        active_days=fresh.count())


def _touched(old: ir.Table, changed: ir.Table, stale: Callable[[ir.Table], ir.BooleanValue]) -> ir.Table:
    """The rows of `old` of touched people that `stale` selects (given the rows joined to their
    person's change): the rows the update replaces."""
    joined = old.inner_join(changed, "person_id")
    return joined.filter(stale(joined)).select(*old.columns)


def _events_from(events: ir.Table, changed: ir.Table, since: Callable[[ir.Table], ir.BooleanValue]) -> ir.Table:
    """The resolved events of the touched people that `since` selects (given the events joined to
    their person's change)."""
    joined = events.inner_join(changed, "person_id")
    return joined.filter(since(joined)).select(*events.columns)
