"""Saved cohorts: named groups of people, defined by behaviour, by traits or as a static list.

Definitions (docs/analyses-paths-cohorts.md has worked examples):

- **People** are counted after identity stitching (`person_id`): a customer's anonymous events
  count for the customer, and a static list naming an anonymous id that is linked to a customer
  means the customer.
- **Behaviour**: people who did `event` (optionally `where` a filter on the event's fields)
  at least / at most / exactly `count` times in a window. The window is either the last `days`
  calendar days up to and including `as_of` (default: today in the project timezone, when the cohort is read), i.e.
  from midnight of `as_of - (days - 1)` to midnight after `as_of`; or a range [start, end) of
  days. "At most" and "exactly" include people with no such event (count 0): every person seen in
  any event, plus every customer on record.
- **Traits**: customers whose current traits match a filter (`country == 'BR' and plan in ['pro']`;
  bare names are traits). Anonymous visitors have no traits and are never in a trait cohort.
- **Static**: a fixed list of person ids, stored in `cohort_members`.

Storage is append-only (Parquet on Spark has no DELETE): every save appends a row to `cohorts`,
and the latest row of a name (by `created_at`) is the cohort; deleting appends a tombstone row of
kind `deleted`. A static list is stored in `cohort_members` under a key of its own version
(`name@created_at`), so replacing a list never mixes old and new members.
"""
from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from typing import Annotated, Literal, Union

import ibis
import ibis.expr.types as ir
import pyarrow as pa
from pydantic import Field, TypeAdapter, field_validator, model_validator

from engagekit.clock import local_today, utc_now
from engagekit.errors import InputError
from engagekit.ingest.identity import identity_map, resolved_events
from engagekit.people.filters import map_fields, parse_filter, resolve_field, to_ibis
from engagekit.people.names import SPEC_NAMES, EventNames, NameCheck
from engagekit.people.naming import Named
from engagekit.people.query import MAX_EVENT_COUNT, MAX_NAME_CHARS, EventFilter, Name, StrictModel
from engagekit.people.ranges import MAX_RANGE_DAYS, DateRange
from engagekit.store import Store

NAME = re.compile(r"^[a-z][a-z0-9_]*$")
DELETED = "deleted"
Comparison = Literal["at_least", "at_most", "exactly"]
COHORT_PREFIX = "cohort:"  # `--by cohort:NAME` segments people into in (true) and out of (false) a saved cohort


def cohort_breakdowns(fields: tuple[str, ...] | list[str]) -> list[str]:
    """Names of the saved cohorts a breakdown asks for."""
    return [f.removeprefix(COHORT_PREFIX) for f in fields if f.startswith(COHORT_PREFIX)]


class BehaviourCohort(StrictModel):
    """People who did an event at least / at most / exactly N times in a window."""

    kind: Literal["behaviour"] = "behaviour"
    event: Name
    where: str | None = None
    comparison: Comparison = "at_least"
    count: int = Field(default=1, ge=0, le=MAX_EVENT_COUNT)
    days: int | None = Field(default=None, ge=1, le=MAX_RANGE_DAYS)
    as_of: date | None = None
    range: DateRange | None = None

    @model_validator(mode="after")
    def _one_window(self) -> BehaviourCohort:
        if (self.days is None) == (self.range is None):
            raise ValueError("give either `days` (the last N days) or a `range`")
        if self.as_of is not None and self.days is None:
            raise ValueError("`as_of` goes with `days`")
        EventFilter(event=self.event, where=self.where)  # validates the filter
        return self

    def window(self, today: date) -> DateRange:
        """The days counted: the last `days` days up to and including `as_of` (or today), or the range."""
        if self.range is not None:
            return self.range
        last = self.as_of or today
        return DateRange(start=last - timedelta(days=self.days - 1), end=last + timedelta(days=1))

    def describe(self) -> str:
        words = {"at_least": "at least", "at_most": "at most", "exactly": "exactly"}[self.comparison]
        what = EventFilter(event=self.event, where=self.where).label()
        if self.range is not None:
            when = f"from {self.range.start} to before {self.range.end}"
        else:
            when = f"in the last {self.days} days" + (f" as of {self.as_of}" if self.as_of else "")
        return f"did {what} {words} {self.count} times {when}"


class TraitsCohort(StrictModel):
    """Customers whose current traits match a filter."""

    kind: Literal["traits"] = "traits"
    where: str

    @field_validator("where")
    @classmethod
    def _parses(cls, value: str) -> str:
        try:
            parse_filter(value)
        except InputError as exc:
            raise ValueError(str(exc)) from exc
        return value

    def describe(self) -> str:
        return f"customers where {self.where}"


class StaticCohort(StrictModel):
    """A fixed list of person ids; once saved, `list_key` names its rows in `cohort_members`."""

    kind: Literal["static"] = "static"
    ids: tuple[str, ...] = ()
    list_key: str | None = None

    @field_validator("ids")
    @classmethod
    def _clean(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(i.strip() for i in value if i.strip()))

    def describe(self) -> str:
        return "a static list of people"


Definition = Annotated[Union[BehaviourCohort, TraitsCohort, StaticCohort], Field(discriminator="kind")]
_DEFINITION = TypeAdapter(Definition)


class SavedCohort(Named):
    """A cohort as stored: its name, definition, description and when it was saved; as saved, also
    the event names its definition maps (`names`, `notes`)."""

    name: str
    definition: Definition
    description: str = ""
    created_at: datetime

    def to_dict(self) -> dict:
        return self.model_dump(mode="json", exclude={"definition": {"ids", "list_key"}})


def validate_name(name: str) -> str:
    """Cohort names are snake_case: a lowercase letter, then lowercase letters, digits, _; at most
    MAX_NAME_CHARS of them."""
    if len(name) > MAX_NAME_CHARS:
        raise InputError(f"cohort name: at most {MAX_NAME_CHARS} characters, not {len(name)}")
    if not NAME.match(name):
        raise InputError(f"cohort name {name!r} must be snake_case (e.g. loyal_buyers)")
    return name


def save_cohort(store: Store, name: str, definition: Definition, description: str = "",
                replace: bool = False, event_names: EventNames = SPEC_NAMES) -> SavedCohort:
    """Save a cohort; an existing name is refused unless `replace`. A behaviour's event names are
    saved as stored, mapped as ingest maps them (`event_names`: the project's vocabulary)."""
    validate_name(name)
    check = NameCheck(event_names)
    if isinstance(definition, BehaviourCohort):
        definition = definition.model_copy(update={"event": check.event(definition.event),
                                                   "where": check.where(definition.where)})
    report = check.report(store)
    previous = _latest(store, name)
    if previous is not None and previous["kind"] != DELETED and not replace:
        raise InputError(f"cohort {name!r} exists; pass replace=True (--replace) to overwrite it")
    created_at = _next_time(previous)
    if isinstance(definition, StaticCohort):
        if not definition.ids:
            raise InputError(f"cohort {name!r}: a static cohort needs at least one id")
        key = f"{name}@{created_at.isoformat()}"
        store.insert("cohort_members", pa.table({"name": [key] * len(definition.ids), "person_id": list(definition.ids)}))
        stored = definition.model_dump(mode="json", exclude={"ids"}) | {"list_key": key}
    else:
        stored = definition.model_dump(mode="json", exclude_none=True)
    _append(store, name, definition.kind, json.dumps(stored), description, created_at)
    return SavedCohort(name=name, definition=_DEFINITION.validate_python(stored),
                       description=description, created_at=created_at, **report.fields())


def delete_cohort(store: Store, name: str) -> None:
    """Delete a cohort (appends a tombstone row: the store is append-only)."""
    previous = _latest(store, name)
    if previous is None or previous["kind"] == DELETED:
        raise InputError(f"no cohort named {name!r}")
    _append(store, name, DELETED, "{}", "", _next_time(previous))


def list_cohorts(store: Store) -> list[SavedCohort]:
    """Every cohort that exists now, by name."""
    rows = _current(store).to_pyarrow().to_pylist()
    return sorted((_saved(row) for row in rows if row["kind"] != DELETED), key=lambda c: c.name)


def get_cohort(store: Store, name: str) -> SavedCohort:
    """The cohort saved under `name`."""
    row = _latest(store, name)
    if row is None or row["kind"] == DELETED:
        known = ", ".join(c.name for c in list_cohorts(store)) or "none"
        raise InputError(f"no cohort named {name!r}; cohorts: {known}")
    return _saved(row)


def cohort_people(store: Store, cohort: str | Definition, today: date | None = None) -> ir.Table:
    """The cohort's people as an Ibis table with one column, `person_id` (distinct).

    `cohort` is a saved name or a definition; `today` (default: today in the project timezone) anchors
    behaviour windows given in days without `as_of`.
    """
    definition = get_cohort(store, cohort).definition if isinstance(cohort, str) else cohort
    if isinstance(definition, BehaviourCohort):
        return _behaviour(store, definition, today or local_today(store.timezone))
    if isinstance(definition, TraitsCohort):
        customers = store.customers_current()
        tree = map_fields(parse_filter(definition.where), lambda f: resolve_field(customers, f))
        return customers.filter(to_ibis(tree, customers)).select(person_id=customers.customer_id).distinct()
    if definition.list_key is not None:
        members = store.table("cohort_members")
        ids = members.filter(members.name == definition.list_key).select("person_id")
    else:
        ids = ibis.memtable({"person_id": list(definition.ids)}, schema={"person_id": "string"})
    return _stitch(store, ids)


def cohort_size(store: Store, cohort: str | Definition, today: date | None = None) -> int:
    """How many people the cohort has now."""
    return int(cohort_people(store, cohort, today).count().to_pyarrow().as_py())


def in_cohort(table: ir.Table, people: ir.Table, on: str = "person_id") -> ir.Table:
    """The rows of `table` whose person is in the cohort (a semi-join; use as a filter)."""
    return table.semi_join(people, table[on] == people.person_id)


def flag_cohort(table: ir.Table, people: ir.Table, on: str = "person_id", column: str = "in_cohort") -> ir.Table:
    """`table` with a boolean `column`: is the row's person in the cohort (for a breakdown)."""
    members = people.select(_cohort_person=people.person_id)
    joined = table.left_join(members, table[on] == members._cohort_person)
    return joined.mutate(**{column: joined._cohort_person.notnull()}).drop("_cohort_person")


def _behaviour(store: Store, definition: BehaviourCohort, today: date) -> ir.Table:
    window = definition.window(today)
    events = resolved_events(store)
    done = events.filter(
        EventFilter(event=definition.event, where=definition.where).condition(events),
        events.ts >= window.low(), events.ts < window.high(),
    )
    counts = done.group_by("person_id").aggregate(n=done.count())
    if definition.comparison == "at_least" and definition.count >= 1:
        return counts.filter(counts.n >= definition.count).select("person_id")
    everyone = _everyone(store)
    joined = everyone.left_join(counts, everyone.person_id == counts.person_id).select(
        everyone.person_id, n=ibis.coalesce(counts.n, 0)
    )
    compare = {"at_least": joined.n >= definition.count, "at_most": joined.n <= definition.count,
               "exactly": joined.n == definition.count}[definition.comparison]
    return joined.filter(compare).select("person_id")


def _everyone(store: Store) -> ir.Table:
    """Every person: anyone seen in an event, and every customer on record."""
    seen = resolved_events(store).select("person_id")
    customers = store.customers_current().select(person_id=ibis._.customer_id)
    return seen.union(customers, distinct=True).filter(ibis._.person_id.notnull())


def _stitch(store: Store, ids: ir.Table) -> ir.Table:
    """Listed ids as people: an anonymous id linked to a customer becomes the customer."""
    links = identity_map(store)
    joined = ids.left_join(links, ids.person_id == links.anonymous_id).select(
        person_id=ibis.coalesce(links.customer_id, ids.person_id)
    )
    return joined.distinct()


def _current(store: Store) -> ir.Table:
    """The latest row of every cohort name (tombstones included)."""
    cohorts = store.table("cohorts")
    latest = ibis.row_number().over(group_by="name", order_by=ibis.desc("created_at"))
    return cohorts.mutate(_n=latest).filter(ibis._._n == 0).drop("_n")


def _latest(store: Store, name: str) -> dict | None:
    cohorts = store.table("cohorts")
    rows = cohorts.filter(cohorts.name == name).order_by(ibis.desc("created_at")).limit(1).to_pyarrow().to_pylist()
    return rows[0] if rows else None


def _next_time(previous: dict | None) -> datetime:
    """Now (UTC, naive), strictly after the name's latest row so that row order is never a tie."""
    now = utc_now()
    if previous is not None and previous["created_at"] >= now:
        return previous["created_at"] + timedelta(microseconds=1)
    return now


def _append(store: Store, name: str, kind: str, definition: str, description: str, created_at: datetime) -> None:
    store.insert("cohorts", pa.table({
        "name": [name], "kind": [kind], "definition": [definition],
        "description": [description], "created_at": pa.array([created_at], pa.timestamp("us")),
    }))


def _saved(row: dict) -> SavedCohort:
    return SavedCohort(name=row["name"], definition=_DEFINITION.validate_json(row["definition"]),
                       description=row["description"] or "", created_at=row["created_at"])
