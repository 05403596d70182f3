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
`since_event`, only start events within `within_days` days after the same person's first
`since_event` count (tickets of the onboarding stage: within 30 days of signing up).

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
from engagekit.people.filters import parse_filter, to_ibis
from engagekit.metrics.kinds.registry import (
    Key,
    Params,
    Values,
    aggregate_by,
    collect,
    register,
    requested,
    share,
    shared,
)
from engagekit.metrics.needs import Needs, NeedsOf, events_need
from engagekit.metrics.scope import Scope, filtered_table, group_keys, key_of, timestamp_literal
from engagekit.metrics.sources import source_table
from engagekit.metrics.spec import Source
from engagekit.store import Store

PERSON = "person"  # the key value naming the person (resolved person_id) instead of a property
MICROSECONDS_PER_UNIT = {"seconds": 1_000_000, "hours": 3_600_000_000, "days": 86_400_000_000}
AGGS = ("mean", "median")
PAIRING_PARAMS = ("start_event", "end_event", "key", "first_only", "start_where", "end_where", "since_event",
                  "within_days")
START_PARAMS = ("start_event", "key", "first_only", "start_where", "since_event", "within_days")  # which starts
PAIRING_KINDS = ("followed_rate", "time_between")


def paired_starts(store: Store, scope: Scope, params: Params) -> tuple[ir.Table, list[str]]:
    """The start events of the scope's range, each with `_start_ts`, the `_end_ts` of the end paired
    with it (null when none), and its group columns (period and segments), whose names are returned."""
    keys = _key_parts(params)
    starts, groups = _start_rows(store, scope, params, keys)
    starts = starts.mutate(_is_end=ibis.literal(False))
    ends = _end_rows(store, scope, params, keys)
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


def _start_rows(store: Store, scope: Scope, params: Params, keys: dict[str, str]) -> tuple[ir.Table, list[str]]:
    """The start events (keys, `_ts`, `_eid` and the group columns, whose names are returned)."""
    starts, ts = filtered_table(store, Source.EVENTS, scope)
    starts = _keyed(_events_of(starts, params["start_event"], params.get("start_where")), keys)
    if "since_event" in params:
        starts = _within_days_since(store, starts, params)
    if params.get("first_only", False):
        starts = first_starts(starts, ts, list(keys), scope)
    groups = group_keys(starts, ts, scope)
    return starts.select(*keys, _ts=starts[ts], _eid=starts.event_id, **groups), list(groups)


def _end_rows(store: Store, scope: Scope, params: Params, keys: dict[str, str]) -> ir.Table:
    """The end events from the start of the range on (keys, `_end_ts`, `_eid`), unfiltered by the scope."""
    everything = source_table(store, Source.EVENTS).table
    ends = _keyed(_events_of(everything, params["end_event"], params.get("end_where")), keys)
    ends = ends.filter(ends.ts >= timestamp_literal(scope.start))
    return ends.select(*keys, _end_ts=ends.ts, _eid=ends.event_id)


def first_pairs(store: Store, scope: Scope, kind: str, params: Params) -> dict[Key, dict]:
    """The aggregates of one first-only pairing KPI by period and segment, from the one query of
    all the pairing KPIs of the computation that share its starts (the KPIs of one start event,
    such as a ticket's first response, resolution and escalation, read its history once)."""
    members = pairing_members(kind, params)
    prefix = f"p{members.index([kind, params])}_"
    return {key: {name.removeprefix(prefix): value for name, value in record.items() if name.startswith(prefix)}
            for key, record in _first_pairs(store, scope, _start_params(params), members).items()}


def pairing_members(kind: str, params: Params) -> list[list]:
    """[kind, params] of the first-only pairing KPIs of the computation with `params`' starts, this one included."""
    same_starts = [[other_kind, other] for other_kind in PAIRING_KINDS for other in requested(other_kind)
                   if other.get("first_only", False) and _start_params(other) == _start_params(params)]
    return same_starts if [kind, params] in same_starts else [*same_starts, [kind, params]]


def _start_params(params: Params) -> dict:
    return {name: params[name] for name in START_PARAMS if name in params}


@shared
def _first_pairs(store: Store, scope: Scope, start: Params, members: list[list]) -> dict[Key, dict]:
    """With one start per key (first_only), the end paired with it is the earliest end of the key
    at or after the start (the row that follows it on the timeline), so every end event of the
    members is matched in one join and one grouped minimum (the starts are read once: a second
    reference would make the engine scan their history twice)."""
    keys = _key_parts(start)
    starts, groups = _start_rows(store, scope, start, keys)  # first starts, in the range
    specs = list(dict.fromkeys((p["end_event"], p.get("end_where")) for _, p in members))
    ends = [_end_rows(store, scope, {"end_event": event, "end_where": where}, keys).mutate(_end=ibis.literal(i))
            for i, (event, where) in enumerate(specs)]
    ends = ends[0].union(*ends[1:]) if len(ends) > 1 else ends[0]
    matched = starts.left_join(ends, [*keys, ends._end_ts >= starts._ts]).select(starts, ends._end_ts, ends._end)
    pairs = matched.group_by([*keys, "_ts", *groups]).aggregate(  # one row per start again
        **{f"_end{i}": matched._end_ts.min(where=matched._end == i) for i in range(len(specs))})
    aggregates: dict[str, ir.Scalar] = {}
    for index, (kind, params) in enumerate(members):
        end = pairs[f"_end{specs.index((params['end_event'], params.get('end_where')))}"]
        parts = (duration_aggregates(pairs._ts, end, params) if kind == "time_between"
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


def _key_parts(params: Params) -> dict[str, str]:
    """Key columns `_k0, _k1, ...` -> the key part each holds ("person" or a property name)."""
    key = params.get("key", PERSON)
    parts = [key] if isinstance(key, str) else list(key)
    if not parts:
        raise ConfigError("key: give 'person', a property name, or a list of them")
    return {f"_k{i}": part for i, part in enumerate(parts)}


def _events_of(table: ir.Table, event: str, where: str | None) -> ir.Table:
    rows = table.filter(table.event == event)
    return rows.filter(to_ibis(parse_filter(where), rows)) if where else rows


def _keyed(table: ir.Table, keys: dict[str, str]) -> ir.Table:
    """The table with its key columns, without the rows whose key is missing."""
    values = {name: table.person_id if part == PERSON else json_text(table.properties, part)
              for name, part in keys.items()}
    keyed = table.mutate(**values)
    return keyed.filter(*[keyed[name].notnull() for name in values])


def _within_days_since(store: Store, starts: ir.Table, params: Params) -> ir.Table:
    """Start events within `within_days` days after the person's first `since_event`."""
    if "within_days" not in params:
        raise ConfigError("since_event needs within_days (the length of the window in days)")
    events = source_table(store, Source.EVENTS).table
    anchors = (events.filter(events.event == params["since_event"]).group_by("person_id")
               .aggregate(_since=ibis._.ts.min()))
    joined = starts.inner_join(anchors, "person_id")
    elapsed = micros_between(joined._since, joined.ts)
    window = int(float(params["within_days"]) * MICROSECONDS_PER_UNIT["days"])
    return joined.filter(elapsed >= 0, elapsed < window).drop("_since")


def summarize_durations(table: ir.Table, groups: list[str], start: ir.TimestampValue, end: ir.TimestampValue,
                        params: Params) -> ir.Table:
    """Per group, the durations `end - start` (null ends skipped) in the params' `unit` (default
    seconds): `value` their `agg` (mean, the default, or median), `total` their sum, `pairs` their count."""
    return aggregate_by(table, groups, **duration_aggregates(start, end, params))


def duration_aggregates(start: ir.TimestampValue, end: ir.TimestampValue, params: Params) -> dict[str, ir.Scalar]:
    """The `summarize_durations` aggregates of the durations `end - start`."""
    agg, unit = params.get("agg", "mean"), params.get("unit", "seconds")
    if agg not in AGGS or unit not in MICROSECONDS_PER_UNIT:
        raise ConfigError(f"agg is one of {', '.join(AGGS)} and unit one of {', '.join(MICROSECONDS_PER_UNIT)}; "
                          f"got agg={agg!r}, unit={unit!r}")
    duration = micros_between(start, end) / MICROSECONDS_PER_UNIT[unit]
    return {"value": duration.mean() if agg == "mean" else duration.quantile(0.5), "total": duration.sum(),
            "pairs": duration.count()}


def duration_values(record: dict) -> Values:
    """(agg, sum, count) of a `summarize_durations` record; no value without durations."""
    pairs = float(record["pairs"] or 0)
    return (float(record["value"]) if pairs else None, float(record["total"] or 0), pairs)


def pairing_needs(denominator: str) -> NeedsOf:
    """Start events in the period; `denominator` in words, with the params' names ({start_event})."""
    def needs(params: Params) -> Needs:
        start = events_need([str(params["start_event"])], where=params.get("start_where"))
        return Needs((start,), denominator=denominator.format(**params))

    return needs


@register("time_between", params=(*PAIRING_PARAMS, "agg", "unit"),
          needs=pairing_needs("{start_event} events followed by {end_event}"))
def time_between(store: Store, scope: Scope, params: Params) -> dict[Key, Values]:
    """The mean or median time from each start event to the first end event after it for the same
    key (see the module docstring for the pairing). value = agg of the durations in `unit`,
    numerator = their sum, denominator = the number of pairs; no value without pairs."""
    if params.get("first_only", False):
        return {key: duration_values(record) for key, record in first_pairs(store, scope, "time_between", params).items()}
    pairs, groups = paired_starts(store, scope, params)
    return collect(summarize_durations(pairs, groups, pairs._start_ts, pairs._end_ts, params), scope, duration_values)


@register("followed_rate", params=PAIRING_PARAMS, needs=pairing_needs("{start_event} events"))
def followed_rate(store: Store, scope: Scope, params: Params) -> dict[Key, Values]:
    """Share of the start events of the period that an end event of the same key follows (at any
    time after); with first_only, of the keys whose first start falls in the period. numerator =
    starts followed, denominator = starts; no value without starts."""
    to_values = share("followed", "starts")
    if params.get("first_only", False):
        return {key: to_values(record) for key, record in first_pairs(store, scope, "followed_rate", params).items()}
    pairs, groups = paired_starts(store, scope, params)
    expr = aggregate_by(pairs, groups, followed=pairs._end_ts.notnull().ifelse(1, 0).sum(),
                        starts=pairs._start_ts.count())
    return collect(expr, scope, to_values)
