"""What follows what for the same key: the time from a start event to the end event that follows
it (`time_between`), and the share of start events that an end event follows (`followed_rate`).

Pairing is an as-of match done with an Ibis window function, so it runs the same on every
engine: the start and end events of one key form a timeline ordered by time (a start before an
end at the same instant), and a start is paired with the next row of its key when that row is an
end. Each start so takes the first end after it, and a start that another start of the same key
follows before any end stays unpaired: the later start owns the end (an abandoned checkout is not
timed to an order placed at a later checkout). With `first_only`, only each key's first start is
in the timeline, so it takes the first end after it whatever starts follow (time to activation
from the first sign-up; each (person, campaign) email once).

A pair belongs to the period and segment of its start; its end may fall after the period (a reply
on 1 November to a ticket of 31 October counts for October). The scope's filter selects the start
events; end events are looked up unfiltered. Events whose key is missing are left out. With
`since`, only start events within `within_days` days after the same person's first `since`
event count (tickets of the onboarding stage: within 30 days of signing up).

The catalog declares these KPIs with `kind: time_between` and `kind: followed_rate` and their
typed fields (`metrics.spec.Pairing`, `TimeBetween`).

Durations are whole microseconds from Ibis `delta(unit="microsecond")`, exact on DuckDB and Spark
alike, fractions of a second included. Epoch seconds are not portable: Spark truncates the
fraction, and DuckDB's fractional epoch does not fit the integer type Ibis gives it.
"""
from __future__ import annotations

import ibis
import ibis.expr.types as ir

from engagekit.derive.timing import micros_between
from engagekit.errors import ConfigError
from engagekit.json_fields import json_text
from engagekit.metrics.kinds.registry import (
    Key,
    aggregate_by,
    collect,
    requested_metrics,
    share,
    shared,
)
from engagekit.metrics.needs import Needs, events_need
from engagekit.metrics.scope import Scope, filtered_table, group_keys, key_of, timestamp_literal
from engagekit.metrics.sources import source_table
from engagekit.metrics.spec import EventRef, Kind, Metric, Pairing, Source, TimeBetween
from engagekit.metrics.values import Values
from engagekit.people.filters import parse_filter, to_ibis
from engagekit.store import Store

PERSON = "person"  # the key value naming the person (resolved person_id) instead of a property
MICROSECONDS_PER_UNIT = {"seconds": 1_000_000, "hours": 3_600_000_000, "days": 86_400_000_000}
AGGS = ("mean", "median")
Member = tuple[Kind, Pairing]  # a pairing KPI of the computation: its kind and its pairing


def paired_starts(store: Store, scope: Scope, pairing: Pairing) -> tuple[ir.Table, list[str]]:
    """The start events of the scope's range, each with `_start_ts`, the `_end_ts` of the end paired
    with it (null when none), and its group columns (period and segments), whose names are returned."""
    keys = _key_parts(pairing)
    starts, groups = _start_rows(store, scope, pairing, keys)
    starts = starts.mutate(_is_end=ibis.literal(False))
    ends = _end_rows(store, scope, pairing.end, keys)
    schema = starts.schema()
    ends = ends.select(*keys, _ts=ends._end_ts, _eid=ends._eid,
                       **{name: ibis.null(schema[name]) for name in groups}, _is_end=ibis.literal(True))

    # A start is paired with the row after it, so rows before the range (and first starts, already
    # chosen over all of history) never matter: the window only orders the range and what follows.
    timeline = starts.filter(starts._ts >= timestamp_literal(scope.start)).union(ends)
    order = ibis.window(group_by=list(keys), order_by=[timeline._ts, timeline._is_end, timeline._eid])
    timeline = timeline.mutate(_next_is_end=timeline._is_end.lead().over(order),
                               _next_ts=timeline._ts.lead().over(order))
    in_range = timeline.filter(~timeline._is_end, timeline._ts >= timestamp_literal(scope.start),
                               timeline._ts < timestamp_literal(scope.end))
    paired = in_range._next_is_end.fill_null(False)
    return (in_range.select(*groups, _start_ts=in_range._ts,
                            _end_ts=ibis.ifelse(paired, in_range._next_ts, ibis.null("timestamp"))), groups)


def _start_rows(store: Store, scope: Scope, pairing: Pairing, keys: dict[str, str]) -> tuple[ir.Table, list[str]]:
    """The start events (keys, `_ts`, `_eid` and the group columns, whose names are returned)."""
    starts, ts = filtered_table(store, Source.EVENTS, scope)
    starts = _keyed(_events_of(starts, pairing.start), keys)
    if pairing.since is not None:
        starts = _within_days_since(store, starts, pairing.since.event, pairing.since.within_days)
    if pairing.first_only:
        starts = first_starts(starts, ts, list(keys), scope)
    groups = group_keys(starts, ts, scope)
    return starts.select(*keys, _ts=starts[ts], _eid=starts.event_id, **groups), list(groups)


def _end_rows(store: Store, scope: Scope, end: EventRef, keys: dict[str, str]) -> ir.Table:
    """The end events from the start of the range on (keys, `_end_ts`, `_eid`), unfiltered by the scope."""
    everything = source_table(store, Source.EVENTS).table
    ends = _keyed(_events_of(everything, end), keys)
    ends = ends.filter(ends.ts >= timestamp_literal(scope.start))
    return ends.select(*keys, _end_ts=ends.ts, _eid=ends.event_id)


def first_pairs(store: Store, scope: Scope, kind: Kind, pairing: Pairing) -> dict[Key, dict]:
    """The aggregates of one first-only pairing KPI by period and segment, from the one query of
    all the pairing KPIs of the computation that share its starts (the KPIs of one start event,
    such as a ticket's first response, resolution and escalation, read its history once)."""
    members = pairing_members(kind, pairing)
    prefix = f"p{members.index((kind, pairing))}_"
    return {key: {name.removeprefix(prefix): value for name, value in record.items() if name.startswith(prefix)}
            for key, record in _first_pairs(store, scope, members).items()}


def pairing_members(kind: Kind, pairing: Pairing) -> list[Member]:
    """The first-only pairing KPIs of the computation with `pairing`'s starts, this one included."""
    same_starts = [member for member in map(_member, requested_metrics()) if member is not None
                   and member[1].first_only and member[1].starts() == pairing.starts()]
    return same_starts if (kind, pairing) in same_starts else [*same_starts, (kind, pairing)]


def _member(metric: Metric) -> Member | None:
    match metric.kind:
        case Kind.TIME_BETWEEN:
            return (metric.kind, metric.time_between)
        case Kind.FOLLOWED_RATE:
            return (metric.kind, metric.followed_rate)
        case _:
            return None


@shared
def _first_pairs(store: Store, scope: Scope, members: list[Member]) -> dict[Key, dict]:
    """With one start per key (first_only), the end paired with it is the earliest end of the key
    at or after the start (the row that follows it on the timeline), so every end event of the
    members is matched in one join and one grouped minimum (the starts are read once: a second
    reference would make the engine scan their history twice). The members share their starts."""
    start = members[0][1]
    keys = _key_parts(start)
    starts, groups = _start_rows(store, scope, start, keys)  # first starts, in the range
    specs = list(dict.fromkeys(pairing.end for _, pairing in members))
    ends = [_end_rows(store, scope, end, keys).mutate(_end=ibis.literal(i)) for i, end in enumerate(specs)]
    ends = ends[0].union(*ends[1:]) if len(ends) > 1 else ends[0]
    matched = starts.left_join(ends, [*keys, ends._end_ts >= starts._ts]).select(starts, ends._end_ts, ends._end)
    pairs = matched.group_by([*keys, "_ts", *groups]).aggregate(  # one row per start again
        **{f"_end{i}": matched._end_ts.min(where=matched._end == i) for i in range(len(specs))})
    aggregates: dict[str, ir.Scalar] = {}
    for index, (kind, pairing) in enumerate(members):
        end = pairs[f"_end{specs.index(pairing.end)}"]
        parts = (duration_aggregates(pairs._ts, end, pairing.agg, pairing.unit) if isinstance(pairing, TimeBetween)
                 else {"followed": end.notnull().ifelse(1, 0).sum(), "starts": pairs._ts.count()})
        aggregates.update({f"p{index}_{name}": value for name, value in parts.items()})
    expr = aggregate_by(pairs, groups, **aggregates)
    return {key_of(record, scope): record for record in expr.to_pyarrow().to_pylist()}


def first_starts(starts: ir.Table, ts: str, keys: list[str], scope: Scope) -> ir.Table:
    """Each key's first start (earliest, then lowest event id) when it falls in the scope's range.
    The first instant per key is a grouped minimum over all of history; only the starts in the
    range at that instant are ranked (a window over every start of history costs far more)."""
    firsts = starts.group_by(keys).aggregate(_first=starts[ts].min())
    firsts = firsts.filter(firsts._first >= timestamp_literal(scope.start), firsts._first < timestamp_literal(scope.end))
    in_range = starts.filter(starts[ts] >= timestamp_literal(scope.start), starts[ts] < timestamp_literal(scope.end))
    at_first = in_range.inner_join(firsts, [*keys, in_range[ts] == firsts._first]).drop("_first")
    rank = ibis.row_number().over(group_by=keys, order_by=[at_first.event_id])
    return at_first.mutate(_n=rank).filter(ibis._._n == 0).drop("_n")


def _key_parts(pairing: Pairing) -> dict[str, str]:
    """Key columns `_k0, _k1, ...` -> the key part each holds ("person" or a property name)."""
    parts = [pairing.key] if isinstance(pairing.key, str) else list(pairing.key)
    return {f"_k{i}": part for i, part in enumerate(parts)}


def _events_of(table: ir.Table, ref: EventRef) -> ir.Table:
    rows = table.filter(table.event == ref.event)
    return rows.filter(to_ibis(parse_filter(ref.where), rows)) if ref.where else rows


def _keyed(table: ir.Table, keys: dict[str, str]) -> ir.Table:
    """The table with its key columns, without the rows whose key is missing."""
    values = {name: table.person_id if part == PERSON else json_text(table.properties, part)
              for name, part in keys.items()}
    keyed = table.mutate(**values)
    return keyed.filter(*[keyed[name].notnull() for name in values])


def _within_days_since(store: Store, starts: ir.Table, event: str, within_days: float) -> ir.Table:
    """Start events within `within_days` days after the person's first `event`."""
    events = source_table(store, Source.EVENTS).table
    anchors = events.filter(events.event == event).group_by("person_id").aggregate(_since=ibis._.ts.min())
    joined = starts.inner_join(anchors, "person_id")
    elapsed = micros_between(joined._since, joined.ts)
    window = int(float(within_days) * MICROSECONDS_PER_UNIT["days"])
    return joined.filter(elapsed >= 0, elapsed < window).drop("_since")


def summarize_durations(table: ir.Table, groups: list[str], start: ir.TimestampValue, end: ir.TimestampValue,
                        agg: str, unit: str) -> ir.Table:
    """Per group, the durations `end - start` (null ends skipped) in `unit`: `value` their `agg`
    (mean or median), `total` their sum, `pairs` their count."""
    return aggregate_by(table, groups, **duration_aggregates(start, end, agg, unit))


def duration_aggregates(start: ir.TimestampValue, end: ir.TimestampValue, agg: str = "mean",
                        unit: str = "seconds") -> dict[str, ir.Scalar]:
    """The `summarize_durations` aggregates of the durations `end - start`."""
    if agg not in AGGS or unit not in MICROSECONDS_PER_UNIT:
        raise ConfigError(f"agg is one of {', '.join(AGGS)} and unit one of {', '.join(MICROSECONDS_PER_UNIT)}; "
                          f"got agg={agg!r}, unit={unit!r}")
    duration = micros_between(start, end) / MICROSECONDS_PER_UNIT[unit]
    return {"value": duration.mean() if agg == "mean" else duration.quantile(0.5), "total": duration.sum(),
            "pairs": duration.count()}


def duration_values(record: dict) -> Values:
    """(agg, sum, count) of a `summarize_durations` record; no value without durations."""
    pairs = float(record["pairs"] or 0)
    return Values(float(record["value"]) if pairs else None, float(record["total"] or 0), pairs)


def pairing_needs(pairing: Pairing, denominator: str) -> Needs:
    """Start events in the period; `denominator` in words."""
    return Needs((events_need([pairing.start.event], where=pairing.start.where),), denominator=denominator)


def time_between_needs(timing: TimeBetween) -> Needs:
    return pairing_needs(timing, f"{timing.start.event} events followed by {timing.end.event}")


def followed_rate_needs(pairing: Pairing) -> Needs:
    return pairing_needs(pairing, f"{pairing.start.event} events")


def time_between(store: Store, scope: Scope, timing: TimeBetween) -> dict[Key, Values]:
    """The mean or median time from each start event to the first end event after it for the same
    key (see the module docstring for the pairing). value = agg of the durations in `unit`,
    numerator = their sum, denominator = the number of pairs; no value without pairs."""
    if timing.first_only:
        return {key: duration_values(record)
                for key, record in first_pairs(store, scope, Kind.TIME_BETWEEN, timing).items()}
    pairs, groups = paired_starts(store, scope, timing)
    expr = summarize_durations(pairs, groups, pairs._start_ts, pairs._end_ts, timing.agg, timing.unit)
    return collect(expr, scope, duration_values)


def followed_rate(store: Store, scope: Scope, pairing: Pairing) -> dict[Key, Values]:
    """Share of the start events of the period that an end event of the same key follows (at any
    time after); with first_only, of the keys whose first start falls in the period. numerator =
    starts followed, denominator = starts; no value without starts."""
    to_values = share("followed", "starts")
    if pairing.first_only:
        return {key: to_values(record) for key, record in first_pairs(store, scope, Kind.FOLLOWED_RATE, pairing).items()}
    pairs, groups = paired_starts(store, scope, pairing)
    expr = aggregate_by(pairs, groups, followed=pairs._end_ts.notnull().ifelse(1, 0).sum(),
                        starts=pairs._start_ts.count())
    return collect(expr, scope, to_values)
