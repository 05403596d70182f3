"""The completion of a set of distinct steps: people who reached `steps` distinct values of a
property, such as all the steps of an onboarding, and the time it took them.
"""
from __future__ import annotations

import ibis
import ibis.expr.types as ir

from engagekit.errors import ConfigError
from engagekit.json_fields import json_text
from engagekit.metrics.kinds.registry import (
    Key,
    Params,
    aggregate_by,
    collect,
    register,
    requested,
    share,
    shared,
)
from engagekit.metrics.kinds.timing import (
    duration_aggregates,
    duration_values,
    first_starts,
)
from engagekit.metrics.needs import Needs, events_need
from engagekit.metrics.scope import Scope, filtered_table, group_keys
from engagekit.metrics.spec import Source
from engagekit.metrics.values import Values
from engagekit.store import Store


def _progress(store: Store, scope: Scope, params: Params) -> tuple[ir.Table, list[str]]:
    """Per person whose first `event` falls in the range: `_started` (that first event's time), its
    group columns (whose names are returned), and `_completed`, the time the person first reached
    `steps` distinct values of property `distinct` (null when not yet)."""
    if "steps" not in params or "distinct" not in params:
        raise ConfigError("completion kinds need params 'distinct' (the step property) and 'steps' (how many)")
    steps = int(params["steps"])
    events, ts = filtered_table(store, Source.EVENTS, scope)
    events = events.filter(events.event == params["event"])

    valued = events.mutate(_value=json_text(events.properties, str(params["distinct"])))
    reached = (valued.filter(valued._value.notnull()).group_by(["person_id", "_value"])
               .aggregate(_at=ibis._[ts].min()))
    rank = ibis.row_number().over(group_by="person_id", order_by=[reached._at, reached._value])
    reached = reached.mutate(_rank=rank)
    completed = reached.filter(reached._rank == steps - 1).select("person_id", _completed=reached._at)

    first = first_starts(events, ts, ["person_id"], scope)
    groups = group_keys(first, ts, scope)
    first = first.select("person_id", _started=first[ts], **groups)
    joined = first.left_join(completed, "person_id").select(first, completed._completed)
    return joined, list(groups)


PROGRESS_PARAMS = ("event", "distinct", "steps")  # what defines the progress of people


@shared
def _progress_records(store: Store, scope: Scope, progress: Params, timings: list[Params]) -> dict[Key, dict]:
    """Per period and segment: `started` and `completed` people, and for each params of
    `timings` the `time_to_complete` aggregates (prefixed `t{i}_`), in one query over the progress."""
    people, groups = _progress(store, scope, progress)
    aggregates = {"completed": people._completed.notnull().ifelse(1, 0).sum(), "started": people.count()}
    for index, params in enumerate(timings):
        parts = duration_aggregates(people._started, people._completed, params.get("agg", "mean"),
                                    params.get("unit", "seconds"))
        aggregates.update({f"t{index}_{name}": value for name, value in parts.items()})
    return collect(aggregate_by(people, groups, **aggregates), scope, lambda record: record)


def _progress_of(store: Store, scope: Scope, params: Params, timing: bool) -> tuple[dict[Key, dict], list[Params]]:
    """The progress records of `params`' progress, with the timings of every `time_to_complete` KPI
    of the computation over the same progress (so completion rate and time share a query), and
    those of `params` when `timing`."""
    progress = {name: params[name] for name in PROGRESS_PARAMS if name in params}
    timings = [other for other in requested("time_to_complete")
               if {name: other[name] for name in PROGRESS_PARAMS if name in other} == progress]
    if timing and params not in timings:
        timings.append(params)
    return _progress_records(store, scope, progress, timings), timings


def _started_needs(params: Params) -> Needs:
    """People whose first `event` falls in the period."""
    event = params["event"]
    return Needs((events_need([event]),), denominator=f"people whose first {event} falls in the period")


def _completed_needs(params: Params) -> Needs:
    """People who started in the period and have completed."""
    started = _started_needs(params)
    return Needs(started.rows, denominator=f"people who started in the period and reached {params['steps']} steps")


@register("completion_rate", params=("event", "distinct", "steps"), needs=_started_needs)
def completion_rate(store: Store, scope: Scope, params: Params) -> dict[Key, Values]:
    """Completion rate = people who reached `steps` distinct `distinct` values of `event` (at any
    time) / people whose first `event` falls in the period (who started). numerator = completers,
    denominator = starters; no value without starters."""
    records, _ = _progress_of(store, scope, params, timing=False)
    return {key: share("completed", "started")(record) for key, record in records.items()}


@register("time_to_complete", params=("event", "distinct", "steps", "agg", "unit"), needs=_completed_needs)
def time_to_complete(store: Store, scope: Scope, params: Params) -> dict[Key, Values]:
    """Mean or median time from a person's first `event` to the moment they reached `steps`
    distinct values, over the people who started in the period and have completed. value = agg in
    `unit`, numerator = sum, denominator = completers; no value without completers."""
    records, timings = _progress_of(store, scope, params, timing=True)
    prefix = f"t{timings.index(params)}_"
    return {key: duration_values({name.removeprefix(prefix): value for name, value in record.items()
                                  if name.startswith(prefix)})
            for key, record in records.items()}


KINDS = (completion_rate, time_to_complete,)  # the registered kinds of this module (metrics/kinds/__init__.py)
