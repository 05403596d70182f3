"""The `returning` kind: new, returning, retained, lapsed and repeat people of an activity
(spec.Returning). For orders they are a shop's first-time buyers, returning customer rate, buyer
retention and churn and repeat purchase rate, the customer KPIs of a business without sign-ups or
subscriptions (a transaction log such as CDNOW has neither)."""
from __future__ import annotations

from datetime import date

import ibis
import pyarrow as pa

from engagekit.metrics.kinds.activity import period_labels, segment_keys, segment_of
from engagekit.metrics.kinds.registry import Key, aggregate_by, collect, grouped, share, shared
from engagekit.metrics.kinds.timing import first_starts
from engagekit.metrics.needs import Needs, events_need
from engagekit.metrics.scope import Scope, filtered_table, group_keys, scoped_table, timestamp_literal
from engagekit.metrics.spec import REPEAT_MIN_COUNT, Returning, Source
from engagekit.metrics.values import NO_VALUES, Values
from engagekit.people.periods import comparison_range
from engagekit.store import Store


def returning(store: Store, scope: Scope, spec: Returning) -> dict[Key, Values]:
    """The values of a `returning` KPI, by who it counts."""
    events = list(spec.events)
    match spec.who:
        case "first_time":
            return first_timers(store, scope, events)
        case "returning":
            return returning_share(store, scope, events)
        case "retained" | "lapsed":
            return period_retention(store, scope, events, lapsed=spec.who == "lapsed")
        case "repeat":
            return repeat_share(store, scope, events, spec.min_count or REPEAT_MIN_COUNT)


def returning_needs(spec: Returning) -> Needs:
    """The events in the period (or, for retention, in the period before)."""
    match spec.who:
        case "retained" | "lapsed":
            return Needs(denominator=f"people who did {' or '.join(spec.events)} in the period before")
        case "first_time":
            return Needs((events_need(list(spec.events)),), denominator="people")
        case "returning" | "repeat":
            return Needs((events_need(list(spec.events)),), denominator="people who did them")


def first_timers(store: Store, scope: Scope, events: list[str]) -> dict[Key, Values]:
    """First-timers = people whose first `events` event ever falls in the period, each counted in
    the period and segment of that first event (for orders: first-time buyers, a shop's new
    customers when it has no sign-ups). value = numerator = people; every period reads 0 without
    first-timers, for every segment that has any of `events` in the range."""
    history, ts = filtered_table(store, Source.EVENTS, scope)
    firsts = first_starts(history.filter(history.event.isin(events)), ts, ["person_id"], scope)
    counts = collect(grouped(firsts, ts, scope, people=firsts.count()), scope,
                     lambda record: Values(float(record["people"]), float(record["people"])))
    segments = {segment for _, segment in counts} | (_segments_with(store, scope, events) if scope.by else {()})
    return {(label, segment): counts.get((label, segment), Values(0.0, 0.0))
            for label in period_labels(scope) for segment in segments}


def _segments_with(store: Store, scope: Scope, events: list[str]) -> set:
    """The segments that have any of `events` in the range (each reads 0 first-timers without any)."""
    in_range, ts = scoped_table(store, Source.EVENTS, scope)
    in_range = in_range.filter(in_range.event.isin(events))
    seen = collect(grouped(in_range, ts, scope, rows=in_range.count()), scope, lambda record: NO_VALUES)
    return {segment for _, segment in seen}


def returning_share(store: Store, scope: Scope, events: list[str]) -> dict[Key, Values]:
    """Returning rate = people who did `events` in the period and had done one before the period
    began / people who did `events` in the period (for orders: e-commerce's returning customer rate).
    numerator = returners, denominator = people; no value without people."""
    history, ts = filtered_table(store, Source.EVENTS, scope)
    history = history.filter(history.event.isin(events))
    firsts = history.group_by("person_id").aggregate(_first=history[ts].min())
    in_range, _ = scoped_table(store, Source.EVENTS, scope)
    in_range = in_range.filter(in_range.event.isin(events))
    groups = group_keys(in_range, ts, scope)
    people = in_range.select("person_id", **groups).distinct()
    began = people._period.cast("timestamp") if scope.grain else timestamp_literal(scope.start)
    people = people.join(firsts, "person_id").mutate(_returning=(ibis._._first < began).ifelse(1, 0))
    expr = aggregate_by(people, list(groups), returners=people._returning.sum(), people=people.count())
    return collect(expr, scope, share("returners", "people"))


def period_retention(store: Store, scope: Scope, events: list[str], lapsed: bool) -> dict[Key, Values]:
    """Period-over-period retention = people who did `events` in the period before (of the same
    length: the month before a month, the 30 days before 30 days) and again in this one / people
    who did them in the period before. With `lapsed`, the complement: the share who did not
    come back (churn of buyers, for orders). numerator = people who came back (or did not),
    denominator = people of the period before; no value without them. Segments are read from the
    events of the period before."""
    out: dict[Key, Values] = {}
    for key, (people, back) in _came_back(store, scope, events).items():
        out[key] = share("part", "people")({"part": people - back if lapsed else back, "people": people})
    for label in period_labels(scope) if not scope.by else ():  # without people of the period before, no value
        out.setdefault((label, ()), Values(None, 0.0, 0.0))
    return out


@shared
def _came_back(store: Store, scope: Scope, events: list[str]) -> dict[Key, tuple[int, int]]:
    """Per period and segment: (people who did `events` in the period before, those of them who
    did them again in the period), in one query for retention and churn alike."""
    calendar: dict[str, list] = {"cal_index": [], "base_start": [], "base_end": [], "start": [], "end": []}
    labels: list[date | None] = []
    for label, start, end in scope.periods():
        base_start, base_end = comparison_range(start, end, "previous_period")
        for column, value in zip(calendar, (len(labels), base_start, base_end, start, end), strict=True):
            calendar[column].append(value)
        labels.append(label)
    history, ts = filtered_table(store, Source.EVENTS, scope)
    history = history.filter(history.event.isin(events))
    history = history.mutate(_day=history[ts].date())
    with store.staged(pa.table(calendar)) as periods:
        before = history.join(periods, [history._day >= periods.base_start, history._day < periods.base_end])
        people = before.select("person_id", "cal_index", **segment_keys(before, ts, scope)).distinct()
        during = history.join(periods, [history._day >= periods.start, history._day < periods.end])
        back = during.select(back_id=during.person_id, back_index=during.cal_index).distinct()
        joined = people.left_join(back, [people.person_id == back.back_id, people.cal_index == back.back_index])
        segments = [f"_by{i}" for i in range(len(scope.by))]
        expr = joined.group_by(["cal_index", *segments]).aggregate(
            people=joined.count(), back=joined.back_id.notnull().ifelse(1, 0).sum())
        records = expr.to_pyarrow().to_pylist()
    return {(labels[record["cal_index"]], segment_of(record, scope)): (record["people"], record["back"])
            for record in records}


def repeat_share(store: Store, scope: Scope, events: list[str], min_count: int) -> dict[Key, Values]:
    """Repeat rate = people with at least `min_count` of `events` in the period / people with at
    least one, per period and segment (the seeds' repeat service rate: 25 of 40 clients returning
    = 62.5%). numerator = repeaters, denominator = people; no value without people."""
    table, ts = scoped_table(store, Source.EVENTS, scope)
    table = table.filter(table.event.isin(events))
    groups = group_keys(table, ts, scope)
    per_person = table.mutate(**groups).group_by([*groups, "person_id"]).aggregate(_n=ibis._.count())
    expr = aggregate_by(per_person, list(groups), repeaters=(per_person._n >= min_count).ifelse(1, 0).sum(),
                        people=per_person.count())
    return collect(expr, scope, share("repeaters", "people"))
