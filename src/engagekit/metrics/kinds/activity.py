"""Activity KPIs: active people per day, week and month, stickiness, activity and adoption
shares, license utilization and deliverable review time.

"Active" means doing one of the KPI's active events (default spec.ACTIVE_EVENTS: the things a
person does themselves on a website or in an app). People are resolved persons (`person_id`):
customers, and visitors who never identified.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta

import ibis
import ibis.expr.types as ir
import pyarrow as pa
from dateutil.relativedelta import relativedelta

from engagekit.json_fields import json_text
from engagekit.metrics.kinds.registry import (
    Key,
    Params,
    aggregate_by,
    collect,
    grouped,
    register,
    shared,
)
from engagekit.metrics.needs import Need, Needs, NeedsOf, Span, events_need, fixed
from engagekit.metrics.scope import Scope, filtered_table, group_keys, scoped_table, timestamp_literal
from engagekit.metrics.spec import ACTIVE_EVENTS, ActivePeople, ActiveShare, Source
from engagekit.metrics.values import NO_VALUES, Values
from engagekit.people.periods import period_start
from engagekit.store import Store

WINDOW_LENGTHS = {"day": relativedelta(days=1), "week": relativedelta(days=7), "month": relativedelta(months=1)}
MICROSECONDS_PER_HOUR = 3_600_000_000

Segment = tuple[tuple[str, object], ...]


def active_events(params: Params) -> list[str]:
    """The events that make a person active: the `active_events` param, else ACTIVE_EVENTS."""
    return list(params.get("active_events") or ACTIVE_EVENTS)


def active_needs(denominator: str, also: tuple[str, ...] = (), then: tuple[Need, ...] = ()) -> NeedsOf:
    """The needs of a KPI of active people: one of the active events (or of `also`) in the period,
    then `then`."""
    def needs(params: Params) -> Needs:
        active = events_need([*active_events(params), *also], label="active events")
        return Needs((active, *then), denominator=denominator)

    return needs


def segment_keys(table: ir.Table, ts: str, scope: Scope) -> dict[str, ir.Value]:
    """The `by` segment columns of a table (`_by0`, `_by1`, ...), without the period."""
    return group_keys(table, ts, replace(scope, grain=None))


def segment_of(record: dict, scope: Scope) -> Segment:
    return tuple((field, record[f"_by{i}"]) for i, field in enumerate(scope.by))


def period_labels(scope: Scope) -> list[date | None]:
    return [label for label, _, _ in scope.periods()]


def identified(events: ir.Table) -> ir.BooleanValue:
    """Resolved events of customers (their own id or a linked anonymous id), not of visitors."""
    return events.customer_id.notnull() | (events.person_id != events.anonymous_id)


def whole_windows(start: date, end: date, length: relativedelta) -> list[tuple[date, date]]:
    """Consecutive windows of `length` from `start` that end on or before `end`; a shorter
    remainder at the end is not a window."""
    windows, k = [], 0
    while start + length * (k + 1) <= end:
        windows.append((start + length * k, start + length * (k + 1)))
        k += 1
    return windows


@shared
def average_active(store: Store, scope: Scope, events_of_activity: list[str], window: str) -> dict[Key, Values]:
    """Average distinct active people per window (day, 7-day week or month) of each period.

    A period is cut into consecutive whole windows from its first day; a remainder shorter than
    a window is left out, and a period shorter than one window has no value. Windows without
    activity count as zero. numerator = the sum over windows of their active people (person-days
    for DAU), denominator = the number of windows."""
    calendar: dict[str, list] = {"cal_day": [], "cal_period": [], "cal_window": []}
    windows_in: dict[date, int] = {}
    labels: dict[date, date | None] = {}
    for label, start, end in scope.periods():
        windows = whole_windows(start, end, WINDOW_LENGTHS[window])
        windows_in[start], labels[start] = len(windows), label
        for index, (first, stop) in enumerate(windows):
            for offset in range((stop - first).days):
                calendar["cal_day"].append(first + timedelta(days=offset))
                calendar["cal_period"].append(start)
                calendar["cal_window"].append(index)
    table = pa.table({"cal_day": pa.array(calendar["cal_day"], pa.date32()),
                      "cal_period": pa.array(calendar["cal_period"], pa.date32()),
                      "cal_window": pa.array(calendar["cal_window"], pa.int64())})
    events, ts = scoped_table(store, Source.EVENTS, scope)
    active = events.filter(events.event.isin(events_of_activity))
    people = active.select(person_id=active.person_id, _day=active[ts].date(), **segment_keys(active, ts, scope))
    segment_columns = [f"_by{i}" for i in range(len(scope.by))]
    totals: dict[tuple[date, Segment], int] = defaultdict(int)
    segments: set[Segment] = set() if scope.by else {()}
    if table.num_rows:
        with store.staged(table) as days:
            joined = people.join(days, people._day == days.cal_day)
            expr = joined.group_by(["cal_period", "cal_window", *segment_columns]).aggregate(
                people=joined.person_id.nunique())
            for record in expr.to_pyarrow().to_pylist():
                segment = segment_of(record, scope)
                segments.add(segment)
                totals[(record["cal_period"], segment)] += record["people"]
    out: dict[Key, Values] = {}
    for start, windows in windows_in.items():
        for segment in segments:
            total = totals[(start, segment)]
            out[(labels[start], segment)] = (Values(total / windows, float(total), float(windows)) if windows
                                             else NO_VALUES)
    return out


WINDOW_SPANS: dict[str, Span | None] = {"day": None, "week": "week", "month": "month"}


def active_people(store: Store, scope: Scope, spec: ActivePeople) -> dict[Key, Values]:
    """DAU, WAU or MAU: the average of distinct active people over the period's whole windows
    (average_active). With `over` (stickiness = DAU / MAU): numerator the average per window,
    denominator the average per `over` window; no value without people active over it."""
    events = list(spec.active_events)
    shorter = average_active(store, scope, events, spec.window)
    if spec.over is None:
        return shorter
    out: dict[Key, Values] = {}
    for key, longer in average_active(store, scope, events, spec.over).items():
        average = shorter.get(key, NO_VALUES).value or 0.0
        out[key] = Values(average / longer.value if longer.value else None, average, longer.value)
    return out


def active_people_needs(spec: ActivePeople) -> Needs:
    """One of the active events in the period, which must hold a whole window (of `over` when given)."""
    span = WINDOW_SPANS[spec.over or spec.window]
    denominator = f"{spec.over}ly active people" if spec.over else None
    return Needs((events_need(list(spec.active_events), label="active events"),), span, denominator)


def active_share_of(store: Store, scope: Scope, spec: ActiveShare) -> dict[Key, Values]:
    """The share of the active people doing something, or of the customers to date being active."""
    if spec.among == "customers":
        return customer_activity(store, scope, list(spec.active_events))
    return doing_share(store, scope, list(spec.doing), list(spec.active_events), spec.customers_only)


def active_share_needs(spec: ActiveShare) -> Needs:
    """Customers to date; or the events done, or an active one, in the period."""
    if spec.among == "customers":
        return Needs((Need("customers", "customers", to_date=True),), denominator="customers")
    doing = events_need([*spec.doing, *spec.active_events], label="active events")
    return Needs((doing,), denominator="active people")


def customer_activity(store: Store, scope: Scope, events_of_activity: list[str]) -> dict[Key, Values]:
    """User activity rate = customers active in the period / customers to date.

    Customers are the customers table (latest record of each); "to date" means created before
    the period's end, or with no creation time. An active customer did one of
    `events_of_activity` in the period and is one of those customers. `by` and `where` read the customers' fields
    (traits); `where` applies to the activity too."""
    customers, created = filtered_table(store, Source.CUSTOMERS, scope)
    customers = customers.filter(customers[created].isnull() | (customers[created] < timestamp_literal(scope.end)))
    people = customers.select(
        customer_id=customers.customer_id,
        _created=period_start(customers[created], scope.grain, scope.week_start) if scope.grain else ibis.null("date"),
        **segment_keys(customers, created, scope),
    )
    segment_columns = [f"_by{i}" for i in range(len(scope.by))]
    created_counts = people.group_by(["_created", *segment_columns]).aggregate(customers=people.count())
    base: dict[Key, int] = {} if scope.by else {(label, ()): 0 for label in period_labels(scope)}
    for record in created_counts.to_pyarrow().to_pylist():
        for label in period_labels(scope):
            if record["_created"] is None or label is None or record["_created"] <= label:
                key = (label, segment_of(record, scope))
                base[key] = base.get(key, 0) + record["customers"]

    events, ts = scoped_table(store, Source.EVENTS, scope)
    active = events.filter(events.event.isin(events_of_activity))
    period = group_keys(active, ts, replace(scope, by=()))
    person_periods = active.select(person_id=active.person_id, _period=period["_period"] if scope.grain else ibis.null("date"))
    person_periods = person_periods.distinct()
    joined = person_periods.join(people, person_periods.person_id == people.customer_id)
    if scope.grain:
        joined = joined.filter(joined._created.isnull() | (joined._created <= joined._period))
    counted = joined.group_by(["_period", *segment_columns]).aggregate(active=joined.customer_id.nunique())
    active_counts = {(record["_period"] if scope.grain else None, segment_of(record, scope)): record["active"]
                     for record in counted.to_pyarrow().to_pylist()}
    return {key: Values(active_counts.get(key, 0) / total if total else None, float(active_counts.get(key, 0)),
                        float(total))
            for key, total in base.items()}


def doing_share(store: Store, scope: Scope, wanted: list[str], events_of_activity: list[str],
                customers_only: bool) -> dict[Key, Values]:
    """Share of active people who did one of `wanted`: people doing `wanted` / people doing
    `wanted` or `events_of_activity` in the period (doing `wanted` makes a person active, so the
    share never exceeds 1). With `customers_only`, visitors who never identified are left out."""
    events, ts = scoped_table(store, Source.EVENTS, scope)
    active = events.filter(events.event.isin(wanted + events_of_activity))
    if customers_only:
        active = active.filter(identified(active))
    expr = grouped(active, ts, scope, doers=active.person_id.nunique(where=active.event.isin(wanted)),
                   active=active.person_id.nunique())
    return collect(expr, scope, lambda r: Values(r["doers"] / r["active"] if r["active"] else None,
                                                 float(r["doers"] or 0), float(r["active"] or 0)))


@register("feature_adoption_rate", params=("active_events",),
          needs=active_needs(denominator="active people", also=("feature_used",),
                             then=(events_need(["feature_used"], where="properties.feature is not null"),)))
def feature_adoption_rate(store: Store, scope: Scope, params: Params) -> dict[Key, Values]:
    """Feature adoption rate, per feature: people who used the feature (feature_used with
    properties.feature) / active people of the period (eligible: anyone active).

    The feature is an extra segment, ("feature", name), after the `by` segments: without `by`
    there is one row per feature. Every feature used in the range gets a row in every period and
    segment with active people (0 where nobody used it)."""
    events, ts = scoped_table(store, Source.EVENTS, scope)
    active = events.filter(events.event.isin(active_events(params) + ["feature_used"]))
    keys = group_keys(active, ts, scope)
    keyed = active.mutate(_feature=json_text(active.properties, "feature"), **keys)
    anyone = keyed.select("person_id", *keys, _feature=ibis.null("string"))
    used = keyed.filter((keyed.event == "feature_used") & keyed._feature.notnull())
    users = used.select("person_id", *keys, "_feature")
    both = anyone.union(users)
    expr = both.group_by([*keys, "_feature"]).aggregate(people=both.person_id.nunique())
    active_people: dict[Key, int] = {}
    adopters: dict[tuple[Key, str], int] = {}
    for record in expr.to_pyarrow().to_pylist():
        key = (record["_period"] if scope.grain else None, segment_of(record, scope))
        if record["_feature"] is None:
            active_people[key] = record["people"]
        else:
            adopters[(key, record["_feature"])] = record["people"]
    features = sorted({name for _, name in adopters})
    return {(period, segment + (("feature", name),)): Values(adopters.get(((period, segment), name), 0) / total,
                                                             float(adopters.get(((period, segment), name), 0)),
                                                             float(total))
            for (period, segment), total in active_people.items() for name in features}


@register("license_utilization", params=("active_events",),
          needs=fixed(Needs((Need("accounts with licenses", "accounts", where="licenses > 0", to_date=True),),
                            denominator="licenses")))
def license_utilization(store: Store, scope: Scope, params: Params) -> dict[Key, Values]:
    """License utilization = distinct active users of licensed accounts / licenses of those accounts.

    Licensed accounts are accounts whose latest record has licenses > 0 (the accounts table keeps
    no license history, so every period uses the current licenses). A user belongs to the
    account of their customer record (customers.account_id). `where` filters the activity; `by`
    splits by the account's fields (plan, name, traits). More users than licenses gives a value
    above 1."""
    accounts = store.table("accounts")
    latest = ibis.row_number().over(group_by="account_id", order_by=ibis.desc("received_at"))
    accounts = accounts.mutate(_n=latest).filter(ibis._._n == 0)
    accounts = accounts.filter(accounts.licenses > 0)
    licensed = accounts.select(account_id=accounts.account_id, licenses=accounts.licenses,
                               **segment_keys(accounts, "received_at", scope))
    segment_columns = [f"_by{i}" for i in range(len(scope.by))]
    seats = (licensed.group_by(segment_columns).aggregate(licenses=licensed.licenses.sum()) if segment_columns
             else licensed.aggregate(licenses=licensed.licenses.sum()))
    licenses: dict[Segment, int] = {} if scope.by else {(): 0}
    licenses.update({segment_of(r, scope): r["licenses"] or 0 for r in seats.to_pyarrow().to_pylist()})

    events, ts = scoped_table(store, Source.EVENTS, scope)
    active = events.filter(events.event.isin(active_events(params)))
    period = group_keys(active, ts, replace(scope, by=()))
    users = active.select(person_id=active.person_id, **period).distinct()
    members = store.customers_current().select("customer_id", "account_id").filter(ibis._.account_id.notnull())
    joined = users.join(members, users.person_id == members.customer_id)
    joined = joined.join(licensed, joined.account_id == licensed.account_id)
    counted = aggregate_by(joined, list(period) + segment_columns, people=joined.person_id.nunique())
    active_users = {(r["_period"] if scope.grain else None, segment_of(r, scope)): r["people"]
                    for r in counted.to_pyarrow().to_pylist()}
    return {(label, segment): Values(active_users.get((label, segment), 0) / total if total else None,
                                     float(active_users.get((label, segment), 0)), float(total))
            for label in period_labels(scope) for segment, total in licenses.items()}


def iso_timestamp(text: ir.StringValue) -> tuple[ir.TimestampValue, ir.IntegerValue]:
    """ISO 8601 text (YYYY-MM-DD, optionally THH:MM[:SS][.fff], optionally Z or ±HH:MM) as the
    wall-clock timestamp it names and its UTC offset in microseconds (0 for Z or no offset);
    fractions of a second are dropped; anything else is a null timestamp."""
    day = text.re_extract(r"^\s*(\d{4}-\d{2}-\d{2})", 1)
    clock = text.re_extract(r"^\s*\d{4}-\d{2}-\d{2}[T ](\d{2}:\d{2}(?::\d{2})?)", 1)
    clock = ibis.cases((clock == "", "00:00:00"), (clock.length() == 5, clock.concat(":00")), else_=clock)
    wall = ibis.ifelse(day == "", ibis.null("string"), day.concat(" ", clock)).try_cast("timestamp")
    zone = r"\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*([+-])(\d{2}):?(\d{2})\s*$"
    sign = ibis.ifelse(text.re_extract(zone, 1) == "-", -1, 1)
    hours = text.re_extract(zone, 2).try_cast("int64").fill_null(0)
    minutes = text.re_extract(zone, 3).try_cast("int64").fill_null(0)
    return wall, sign * (hours * 60 + minutes) * 60_000_000


@register("deliverable_review_time",
          needs=fixed(Needs((events_need(["deliverable_reviewed"]),
                             events_need(["deliverable_reviewed"], where="properties.delivered_at is not null")),
                            denominator="reviews with a readable delivery time")))
def deliverable_review_time(store: Store, scope: Scope, params: Params) -> dict[Key, Values]:
    """Median hours from a deliverable's delivery to its review.

    The vocabulary has no delivery event, so each deliverable_reviewed carries the delivery
    time in properties.delivered_at (ISO 8601; UTC unless it has an offset). Reviews without a
    readable delivered_at, or stamped before their delivery, are left out. A review belongs to
    the period of its own time. denominator = the reviews measured."""
    events, ts = scoped_table(store, Source.EVENTS, scope)
    reviews = events.filter(events.event == "deliverable_reviewed")
    delivered, offset = iso_timestamp(json_text(reviews.properties, "delivered_at"))
    micros = reviews[ts].delta(delivered, unit="microsecond") + offset
    measured = reviews.mutate(_hours=micros / MICROSECONDS_PER_HOUR).filter(ibis._._hours >= 0)
    expr = grouped(measured, ts, scope, median=measured._hours.quantile(0.5), reviews=measured.count())
    return collect(expr, scope, lambda r: Values(r["median"], None, float(r["reviews"])))


KINDS = (feature_adoption_rate, license_utilization, deliverable_review_time,)  # the registered kinds of this module (metrics/kinds/__init__.py)
