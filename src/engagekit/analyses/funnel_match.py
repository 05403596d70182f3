"""The Ibis side of funnels: which attempt of each person counts and how far it got.

Builds one expression that yields one row per person who entered the funnel: `person_id`,
`depth` (steps reached, 1..n), `g1..g{n-1}` (ordered and strict: seconds from step k to step
k+1; unordered: seconds from the anchor event to the first event of each step) and `breakdown`.
The rules are written in engagekit.analyses.funnel.
"""
from __future__ import annotations

import ibis
import ibis.expr.types as ir

from engagekit.analyses.funnel_query import FunnelQuery
from engagekit.derive.timing import seconds_between
from engagekit.json_fields import json_text
from engagekit.people.cohorts import COHORT_PREFIX, cohort_people, flag_cohort
from engagekit.people.events import people_events
from engagekit.store import Store

PROPERTY_PREFIX = "properties."


def funnel_events(store: Store, query: FunnelQuery) -> ir.Table:
    """The events the steps can match, slimmed to what matching needs: person_id, event_id, ts,
    `_b` (a property breakdown), one flag `_m{i}` per step and, but in unordered mode, `_pos`: the
    event's number in the person's event order (ts, then event_id). Worth caching: every step reads it."""
    events = _people(store, query)
    read = _read(events, query)
    flags = {f"_m{i}": step.condition(read).fill_null(False) for i, step in enumerate(query.steps)}
    if query.mode != "unordered":
        flags["_pos"] = ibis.row_number().over(ibis.window(group_by="person_id", order_by=["ts", "event_id"]))
    return read.select("person_id", "event_id", "ts", _b=_property_breakdown(read, query.breakdown), **flags)


def person_rows(store: Store, query: FunnelQuery, slim: ir.Table) -> ir.Table:
    """One row per person who entered the funnel (see the module docstring), from `funnel_events`."""
    events = _people(store, query)
    if query.mode == "unordered":
        counted = _unordered(slim, query)
    else:
        counted = _ordered(slim, query)
    counted = _without_excluded(events, counted, query)
    if query.breakdown is not None and query.breakdown.startswith(COHORT_PREFIX):
        counted = _with_cohort(store, counted, query.breakdown.removeprefix(COHORT_PREFIX))
    elif query.breakdown is not None and not query.breakdown.startswith(PROPERTY_PREFIX):
        counted = _with_trait(store, counted, query.breakdown)
    gap_count = len(query.steps) if query.mode == "unordered" else len(query.steps) - 1
    gaps = [f"g{k}" for k in range(1, gap_count + 1)]
    return counted.select("person_id", "depth", *gaps, breakdown=counted._b)


def _people(store: Store, query: FunnelQuery) -> ir.Table:
    events = people_events(store, query.cohort)
    return events.filter(events.person_id.notnull())


def _read(events: ir.Table, query: FunnelQuery) -> ir.Table:
    """The only events a step can match: from the range's start to the last window's end, and,
    except in strict mode (where any event breaks a chain), only events that match some step."""
    read = events.filter(events.ts >= query.range.low(), events.ts <= _window_end(query.range.high(), query))
    if query.mode == "strict":
        return read
    return read.filter(ibis.or_(*[step.condition(read).fill_null(False) for step in query.steps]))


def _property_breakdown(events: ir.Table, breakdown: str | None) -> ir.StringValue:
    if breakdown is not None and breakdown.startswith(PROPERTY_PREFIX):
        return json_text(events.properties, breakdown.removeprefix(PROPERTY_PREFIX))
    return ibis.null("string")


def _window_end(start: ir.TimestampValue, query: FunnelQuery) -> ir.TimestampValue:
    return start + ibis.interval(seconds=query.window)


def _entries(slim: ir.Table, query: FunnelQuery, condition: ir.BooleanValue) -> ir.Table:
    """Attempts: the events in the range that can start the funnel."""
    low, high = query.range.low(), query.range.high()
    return slim.filter(condition, slim.ts >= low, slim.ts < high)


def _ordered(slim: ir.Table, query: FunnelQuery) -> ir.Table:
    """Ordered and strict modes: match the steps of every attempt, then keep the furthest.

    Each event gets `_n{i}`: the position (`_pos`, its number in the person's event order) of the
    event step i takes after it (ordered: the first later event matching step i; strict: the very
    next event, if it matches step i). Every attempt then follows these positions step by step,
    one left join per step, as long as the event is inside its window: the first matching event
    after the previous match is the earliest, so when it is outside the window, all are."""
    n = len(query.steps)
    if query.mode == "strict":
        order = ibis.window(group_by="person_id", order_by="_pos")
        nexts = {f"_n{i}": ibis.ifelse(slim[f"_m{i}"].lead().over(order), slim._pos + 1, ibis.null("int64"))
                 for i in range(1, n)}
    else:
        later = ibis.window(group_by="person_id", order_by="_pos", rows=(1, None))
        nexts = {f"_n{i}": ibis.ifelse(slim[f"_m{i}"], slim._pos, ibis.null("int64")).min().over(later)
                 for i in range(1, n)}
    numbered = slim.mutate(**nexts)
    entries = _entries(numbered, query, numbered._m0)
    attempts = entries.select("person_id", "_b", _start=entries.ts, ts0=entries.ts, id0=entries.event_id,
                              _c1=entries._n1)
    for i in range(1, n):
        step = numbered.select(**{f"_p{i}": numbered.person_id, f"_pos{i}": numbered._pos, f"ts{i}": numbered.ts,
                                  f"id{i}": numbered.event_id,
                                  f"_c{i + 1}": numbered[f"_n{i + 1}"] if i + 1 < n else ibis.null("int64")})
        joined = attempts.left_join(step, [attempts.person_id == step[f"_p{i}"], attempts[f"_c{i}"] == step[f"_pos{i}"],
                                           step[f"ts{i}"] <= _window_end(attempts._start, query)])
        attempts = joined.drop(f"_p{i}", f"_pos{i}", f"_c{i}")
    depth = 1 + sum(attempts[f"ts{i}"].notnull().cast("int64") for i in range(1, n))
    gaps = {f"g{k}": seconds_between(attempts[f"ts{k - 1}"], attempts[f"ts{k}"]) for k in range(1, n)}
    return _furthest(attempts.drop(f"_c{n}").mutate(depth=depth, **gaps))


def _later(ts: ir.TimestampValue, event_id: ir.StringValue, than_ts: ir.TimestampValue,
           than_id: ir.StringValue, or_same: bool = False) -> ir.BooleanValue:
    """True when the event (ts, event_id) comes after the other one in event order."""
    same = event_id >= than_id if or_same else event_id > than_id
    return (ts > than_ts) | ((ts == than_ts) & same)


def _unordered(slim: ir.Table, query: FunnelQuery) -> ir.Table:
    """Unordered mode: from each anchor, the first event of every step within the window."""
    any_step = ibis.or_(*[slim[f"_m{i}"] for i in range(len(query.steps))])
    entries = _entries(slim, query, any_step)
    anchors = entries.select("person_id", "_b", _start=entries.ts, id0=entries.event_id)
    result = anchors
    for i in range(len(query.steps)):
        cand = slim.filter(slim[f"_m{i}"]).select(_p=slim.person_id, _ts=slim.ts, _id=slim.event_id)
        after = _later(cand._ts, cand._id, anchors._start, anchors.id0, or_same=True)
        joined = anchors.join(cand, [anchors.person_id == cand._p, after, cand._ts <= _window_end(anchors._start, query)])
        firsts = joined.group_by(["person_id", "id0"]).aggregate(
            **{f"g{i + 1}": seconds_between(joined._start, joined._ts).min()})
        result = result.left_join(firsts, ["person_id", "id0"]).select(result, firsts[f"g{i + 1}"])
    done = sum(result[f"g{i + 1}"].notnull().cast("int64") for i in range(len(query.steps)))
    return _furthest(result.mutate(depth=done))


def _furthest(attempts: ir.Table) -> ir.Table:
    """Per person, the attempt that got furthest; ties go to the earliest attempt."""
    best = ibis.row_number().over(group_by="person_id", order_by=[ibis.desc("depth"), "_start", "id0"])
    return attempts.mutate(_best=best).filter(ibis._._best == 0).drop("_best")


def _without_excluded(events: ir.Table, counted: ir.Table, query: FunnelQuery) -> ir.Table:
    """Drop people with an excluded event between the given steps of their counted attempt."""
    for exclusion in query.exclusions:
        f, t = exclusion.from_step - 1, exclusion.to_step - 1
        ex = events.filter(exclusion.event.condition(events).fill_null(False))
        ex = ex.select(_p=ex.person_id, _ts=ex.ts, _id=ex.event_id)
        after = _later(ex._ts, ex._id, counted[f"ts{f}"], counted[f"id{f}"])
        before_to = _later(counted[f"ts{t}"], counted[f"id{t}"], ex._ts, ex._id)
        before = ibis.ifelse(counted.depth > t, before_to, ex._ts <= _window_end(counted._start, query))
        hits = counted.join(ex, [counted.person_id == ex._p, counted.depth > f, after, before])
        excluded = hits.select(_x=hits.person_id).distinct()
        counted = counted.anti_join(excluded, counted.person_id == excluded._x)
    return counted


def _with_cohort(store: Store, counted: ir.Table, name: str) -> ir.Table:
    """Break down by membership of a saved cohort: 'true' for its people, 'false' for the rest."""
    flagged = flag_cohort(counted, cohort_people(store, name), column="_in")
    return flagged.mutate(_b=flagged._in.cast("string")).drop("_in")


def _with_trait(store: Store, counted: ir.Table, trait: str) -> ir.Table:
    customers = store.customers_current()
    traits = customers.select(_c=customers.customer_id, _t=json_text(customers.traits, trait))
    joined = counted.left_join(traits, counted.person_id == traits._c)
    return joined.mutate(_b=joined._t).drop("_c", "_t")
