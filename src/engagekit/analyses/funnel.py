"""Funnels: how many people go through a sequence of steps, where they drop out, and how long
each step takes. See docs/analyses-funnels.md for a worked example.

Definitions (people are counted after identity stitching: an anonymous id linked to a customer
is that customer, so anonymous step-1 events and identified later steps are one person):

- Step: an event name (or '*') with an optional filter (`EventFilter`). Steps are 1-based.
- Event order: events are ordered by (ts, event_id). "After" an event means later in this order,
  so a step at the same timestamp as the previous step counts when its event comes after it in
  that order, and one event never matches two steps.
- Attempt: every step-1 event whose ts is in the date range [start, end) starts one attempt. The
  range limits entry only; later steps may fall after its end.
- Window: the seconds allowed from the step-1 event of the attempt; an event at exactly
  step-1 ts + window is inside, one second later is outside. CLI units: s, m, h, d, mo (30 days).
- Ordered mode (default): step k+1 is the first event (in event order) after the event matched
  for step k that matches step k+1 and is inside the window. Events before the entering event
  never count, and a step repeated in the funnel needs a repeated event.
- Strict mode: step k+1 must be the very next event of the person after the event matched for
  step k (any other event in between, of any name, breaks the chain there).
- Unordered mode: an attempt starts at every event in the range that matches any step (the
  anchor). A step is done when the person has an event matching it at or after the anchor (in
  event order) and inside the window from the anchor; one event may do several steps when it
  matches several filters. The depth is the number of distinct steps done; a person is counted at
  step k when the depth is >= k. Steps must be distinct filters.
- Counted attempt: per person, the attempt that reached the most steps; ties go to the earliest
  attempt (by its step-1/anchor event). Its timings are the person's times to convert.
- Time from the previous step: ordered/strict, seconds between the events matched for steps k-1
  and k; unordered, between the first events of the (k-1)-th and k-th steps done, sorted by time.
  Average and median are over the people who reached step k.
- Exclusion (EVENT, from, to): the person is removed from the whole funnel when their counted
  attempt reached step `from` and an excluded event lies after its step-`from` event and before its
  step-`to` event (or, when step `to` was not reached, at or before the window end). Not allowed
  in unordered mode (its steps have no order).
- Breakdown: a bare name is a customer trait (the current customer record; anonymous people and
  customers without it are "(none)"); `properties.X` is the property of the attempt's step-1
  (unordered: anchor) event.
- Output per step: count; conversion from step 1 (count / count of step 1); conversion from the
  previous step; dropped (previous count - count) and drop-off rate; average and median time from
  the previous step. `people(k)` are the people who reached step k, `people(k, dropped=True)`
  those who reached step k-1 and not step k.
"""
from __future__ import annotations

from itertools import pairwise

from engagekit.analyses.funnel_match import funnel_events, person_rows
from engagekit.analyses.funnel_query import Exclusion, FunnelQuery, parse_window
from engagekit.analyses.funnel_result import FunnelPerson, FunnelResult, FunnelStep
from engagekit.analyses.protocol import Analysis, by_names
from engagekit.people.names import SPEC_NAMES, EventNames
from engagekit.people.naming import named
from engagekit.store import Store

__all__ = ["ANALYSIS", "Exclusion", "FunnelQuery", "FunnelResult", "FunnelStep", "parse_window", "run_funnel"]

def run_funnel(store: Store, query: FunnelQuery, event_names: EventNames = SPEC_NAMES) -> FunnelResult:
    """Run the funnel on the store; only one row per entering person leaves the engine. The
    events the steps can match are read once and held by the engine while the steps are matched.
    Event names are first mapped as ingest maps them (`event_names`: the project's vocabulary)."""
    query, report = named(store, query, event_names)
    with funnel_events(store, query).cache() as slim:
        rows = person_rows(store, query, slim).to_pyarrow().to_pylist()
    gap_count = len(query.steps) - 1
    persons = []
    for row in rows:
        if query.mode == "unordered":
            offsets = sorted(row[f"g{k}"] for k in range(1, len(query.steps) + 1) if row[f"g{k}"] is not None)
            gaps = tuple(round(later - earlier, 6) for earlier, later in pairwise(offsets))  # whole µs
        else:
            gaps = tuple(row[f"g{k}"] for k in range(1, row["depth"]))
        persons.append(FunnelPerson(str(row["person_id"]), int(row["depth"]), gaps[:gap_count], row["breakdown"]))
    return FunnelResult.of(
        labels=[step.label() for step in query.steps], mode=query.mode, window_seconds=query.window,
        breakdown_by=query.breakdown, persons=persons, names=report.names, notes=report.notes,
    )


ANALYSIS = Analysis(name="funnel", summary="Run a funnel: steps, mode, window (seconds), range, exclusions, breakdown.",
                    query=FunnelQuery, result=FunnelResult, run=by_names(run_funnel), route="/funnels")
