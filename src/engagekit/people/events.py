"""Events of people: identity-stitched, optionally only those of a saved cohort."""
from __future__ import annotations

import ibis.expr.types as ir

from engagekit.ingest.identity import resolved_events
from engagekit.people.cohorts import cohort_people, in_cohort
from engagekit.store import Store


def people_events(store: Store, cohort: str | None = None) -> ir.Table:
    """All events with `person_id` after identity stitching (see docs/data-model.md); with
    `cohort`, a saved cohort's name, only the events of its people."""
    events = resolved_events(store)
    if cohort is None:
        return events
    return in_cohort(events, cohort_people(store, cohort))
