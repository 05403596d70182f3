"""The segment of a view as people: for the KPI engine, and as a store seen through the segment
for the journey analyses.

A segment is a set of customers (see engagekit.dashboard.view): the trait filter is a traits
cohort (engagekit.people.cohorts.TraitsCohort), the saved cohort is read by name, and both
together are their intersection. KPIs take the people table directly (`compute(cohort=...)`).
The analyses take a saved cohort's name (passed through unchanged, so a page gives the same
numbers as `engagekit funnel --cohort NAME`); a trait filter reaches them through
`SegmentStore`, whose `events` table holds only the events of the segment's people (resolved
after identity stitching, so their anonymous visits before sign-up are kept).
"""
from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from engagekit.dashboard.view import View
from engagekit.errors import InputError
from engagekit.ingest.identity import identity_map
from engagekit.metrics.engine import check_traits
from engagekit.people.cohorts import TraitsCohort, cohort_people
from engagekit.people.filters import fields_of, parse_filter
from engagekit.store import Store

CUSTOMER_COLUMNS = ("customer_id", "created_at", "account_id")


def trait_people(store: Store, where: str) -> ir.Table:
    """Customers whose current record matches `where` (unknown traits are an InputError)."""
    fields = fields_of(parse_filter(where))
    elsewhere = sorted(f for f in fields if "." in f and not f.startswith("traits."))
    if elsewhere:
        raise InputError(f"where: a segment reads customer traits, not {', '.join(elsewhere)}")
    check_traits(store, sorted(f for f in fields if f not in CUSTOMER_COLUMNS))
    return cohort_people(store, TraitsCohort(where=where))


def segment_people(store: Store, view: View) -> ir.Table | None:
    """The people of the view's segment (one column, person_id), None for everyone."""
    tables = []
    if view.where:
        tables.append(trait_people(store, view.where))
    if view.cohort:
        tables.append(cohort_people(store, view.cohort))
    if not tables:
        return None
    return tables[0].intersect(*tables[1:]) if len(tables) > 1 else tables[0]


class SegmentStore:
    """A store whose `events` are those of the given people only; everything else is the store's."""

    def __init__(self, store: Store, people: ir.Table) -> None:
        self._store = store
        self._people = people

    def table(self, name: str) -> ir.Table:
        table = self._store.table(name)
        if name != "events":
            return table
        links = identity_map(self._store).rename(_linked="customer_id")
        joined = table.left_join(links, table.anonymous_id == links.anonymous_id).select(table, links._linked)
        person = ibis.coalesce(joined.customer_id, joined._linked, joined.anonymous_id)
        flagged = joined.mutate(_person=person)
        kept = flagged.semi_join(self._people, flagged._person == self._people.person_id)
        return kept.drop("_linked", "_person")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def analysis_store(store: Store, view: View) -> Store:
    """The store an analysis of this view runs on: seen through the trait filter when there is one
    (the saved cohort goes into the analysis' own `cohort` field)."""
    if view.where is None:
        return store
    return SegmentStore(store, trait_people(store, view.where))  # type: ignore[return-value]
