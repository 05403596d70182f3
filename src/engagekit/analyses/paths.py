"""Paths: the most common sequences of events (or pages) after a start point or before an end point.

Definitions (docs/analyses-paths-cohorts.md has a worked example):

- A *unit* is a session (`by="session"`: the person's web/app events between the start and end
  of one row of the derived `sessions` table) or a person (`by="person"`: all of the person's
  events in the range). People are counted after identity stitching.
- The *stream* of a unit is its events in the range, ordered by time (ties broken by event_id),
  labelled by event name; with `pages`, only `page_viewed` events, labelled by `properties.path`
  (`(no path)` when missing), plus the anchor event itself when it is not a page view.
- The *anchor* is the first event of the unit that matches `start` (the path is the anchor and
  the steps after it) or the last event that matches `end` (the path is the steps before it and
  the anchor, which is the last step). Units without an anchor take no part. Without either,
  the path starts at the unit's first event.
- With `collapse` (the default), consecutive repeats of one label count as one step
  (`/a /a /b` is `/a /b`); the anchor always stays in the path.
- Depth k is the k-th step counted from the anchor (for an end point: backwards, so depth 1 is
  the end event). A unit *reaches* depth k when its path has at least k steps; it *drops* at
  depth k when it has exactly k steps (for the last depth: no further step after it).
- With `cohort` (a saved cohort's name), only the cohort's people are followed.
- Sequences are the paths cut to `steps` steps; the `top` most frequent are listed (ties: in
  alphabetical order of their steps), the rest are summed as "other". Shares are of all units.
"""
from __future__ import annotations

from typing import Literal

import ibis
import ibis.expr.types as ir
import pandas as pd
from pydantic import BaseModel, Field, model_validator

from engagekit.analyses.protocol import Analysis, by_names
from engagekit.derive.names import INTERACTIVE_CHANNELS
from engagekit.derive.sessions import sessions as derive_sessions
from engagekit.json_fields import json_text
from engagekit.people.cohorts import cohort_people, in_cohort
from engagekit.people.events import people_events
from engagekit.people.names import SPEC_NAMES, EventNames
from engagekit.people.naming import Named, named
from engagekit.people.query import EventFilter, Name, StrictModel
from engagekit.people.ranges import DateRange
from engagekit.store import Store

PAGE_EVENT = "page_viewed"
NO_PATH = "(no path)"
OTHER = "other"
# Bounds (docs/analyses-paths-cohorts.md): steps deep (one column per depth) and sequences listed
MAX_PATH_STEPS = 20
MAX_PATHS_TOP = 100


class PathsQuery(StrictModel):
    """What to follow: from a start point or up to an end point, how deep, per session or person."""

    start: EventFilter | None = None
    end: EventFilter | None = None
    steps: int = Field(default=4, ge=1, le=MAX_PATH_STEPS)
    by: Literal["session", "person"] = "session"
    pages: bool = False
    range: DateRange | None = None
    collapse: bool = True
    top: int = Field(default=10, ge=1, le=MAX_PATHS_TOP)
    cohort: Name | None = None

    @model_validator(mode="after")
    def _one_anchor(self) -> PathsQuery:
        if self.start is not None and self.end is not None:
            raise ValueError("give a start point or an end point, not both")
        return self


class PathSequence(BaseModel):
    """One sequence of steps (in time order) and how many units took it."""

    steps: tuple[str, ...]
    count: int
    share: float


class PathDepth(BaseModel):
    """Units that reached depth k, and those whose path ended there."""

    depth: int
    reached: int
    dropped: int
    drop_rate: float


class PathNode(BaseModel):
    """One step label at one depth: units passing through it and those ending there."""

    depth: int
    step: str
    count: int
    dropped: int


class PathsResult(Named):
    """Top sequences, the rest as 'other', drop-offs per depth and the busiest nodes per depth."""

    query: PathsQuery
    unit: Literal["sessions", "people"]
    total: int
    sequences: list[PathSequence]
    other: int
    depths: list[PathDepth]
    nodes: list[PathNode]

    def to_frame(self) -> pd.DataFrame:
        """One row per listed sequence, plus 'other' when some units took another one."""
        rows = [{"path": " -> ".join(s.steps), "steps": len(s.steps), "count": s.count, "share": s.share}
                for s in self.sequences]
        if self.other:
            rows.append({"path": OTHER, "steps": None, "count": self.other, "share": self.other / self.total})
        return pd.DataFrame(rows, columns=["path", "steps", "count", "share"])

    def to_dict(self) -> dict:
        return self.model_dump(mode="json")


def run_paths(store: Store, query: PathsQuery, event_names: EventNames = SPEC_NAMES) -> PathsResult:
    """Compute the paths of a query: the steps are computed once and cached by the engine, then
    read by three aggregated queries (sequences, depths, nodes). The anchor's event names are
    first mapped as ingest maps them (`event_names`)."""
    query, report = named(store, query, event_names)
    with _steps(store, query).cache() as steps:
        depth_cols = [f"d{k}" for k in range(query.steps)]
        per_unit = steps.group_by("unit").aggregate(
            length=steps.count(),
            **{col: steps.label.max(where=steps.k == k) for k, col in enumerate(depth_cols)},
        )
        lengths = per_unit.group_by("length").aggregate(units=per_unit.count()).to_pyarrow().to_pylist()
        by_length = {int(r["length"]): int(r["units"]) for r in lengths}
        total = sum(by_length.values())
        sequences = _top_sequences(per_unit, depth_cols, query, total)
        listed = sum(s.count for s in sequences)
        nodes = _nodes(steps, query)
    return PathsResult(
        query=query,
        unit="sessions" if query.by == "session" else "people",
        total=total,
        sequences=sequences,
        other=total - listed,
        depths=_depths(by_length, query.steps),
        nodes=nodes,
        **report.fields(),
    )


def _steps(store: Store, query: PathsQuery) -> ir.Table:
    """unit, label and depth k (0-based, from the anchor) of each step, kept to `steps` + 1 steps
    so a unit that goes on after the last depth is told apart from one that ends there."""
    events = people_events(store)
    if query.range is not None:
        events = events.filter(events.ts >= query.range.low(), events.ts < query.range.high())
    if query.cohort is not None:
        events = in_cohort(events, cohort_people(store, query.cohort))
    anchor_filter = query.start or query.end
    units = _with_unit(store, events, query, anchor_filter)
    anchor = anchor_filter.condition(units) if anchor_filter is not None else ibis.literal(False)
    if query.pages:
        is_page = units.event == PAGE_EVENT
        path = json_text(units.properties, "path")
        page_label = ibis.coalesce(ibis.ifelse(path == "", ibis.null("string"), path), ibis.literal(NO_PATH))
        label = ibis.ifelse(is_page, page_label, units.event)
        keep = is_page | anchor
    else:
        label, keep = units.event, ibis.literal(True)
    rows = units.mutate(label=label, anchor=anchor).filter(keep).select("unit", "ts", "event_id", "label", "anchor")
    order = ibis.window(group_by="unit", order_by=["ts", "event_id"])
    if anchor_filter is not None:
        rows = rows.mutate(n=ibis.row_number().over(order))
        position = ibis.ifelse(rows.anchor, rows.n, ibis.null("int64"))
        whole_unit = ibis.window(group_by="unit")
        if query.start is not None:
            rows = rows.mutate(a=position.min().over(whole_unit))
            rows = rows.filter(rows.n >= rows.a)
        else:
            rows = rows.mutate(a=position.max().over(whole_unit))
            rows = rows.filter(rows.n <= rows.a)
    if query.collapse:
        rows = rows.mutate(prev=rows.label.lag().over(order))
        rows = rows.filter(rows.prev.isnull() | (rows.label != rows.prev))
    direction = ["ts", "event_id"] if query.end is None else [ibis.desc("ts"), ibis.desc("event_id")]
    rows = rows.mutate(k=ibis.row_number().over(group_by="unit", order_by=direction))
    return rows.filter(rows.k <= query.steps).select("unit", "label", "k")  # k is 0-based


def _with_unit(store: Store, events: ir.Table, query: PathsQuery, anchor: EventFilter | None) -> ir.Table:
    """Events with `unit`: the person, or the session (built table if derived, else on the fly).
    With an anchor, only the units that have an anchor event (the others take no part)."""
    if query.by == "person":
        units = events.mutate(unit=events.person_id)
        if anchor is None:
            return units
        anchored = units.filter(anchor.condition(units)).select(_u=units.unit).distinct()
        return units.semi_join(anchored, units.unit == anchored._u)
    sessions = store.table("sessions") if store.has_table("sessions") else derive_sessions(store)
    spans = sessions.select(s_person=sessions.person_id, unit=sessions.session_key,
                            s_start=sessions.start_ts, s_end=sessions.end_ts)
    if query.range is not None:  # only sessions that overlap the range hold its events
        spans = spans.filter(spans.s_end >= query.range.low(), spans.s_start < query.range.high())
    interactive = events.filter(events.channel.isin(INTERACTIVE_CHANNELS))
    if anchor is not None:
        spans = _spans_with(spans, interactive.filter(anchor.condition(interactive)))
    joined = interactive.join(spans, [interactive.person_id == spans.s_person,
                                      interactive.ts >= spans.s_start, interactive.ts <= spans.s_end])
    return joined.select(interactive, spans.unit)


def _spans_with(spans: ir.Table, hits: ir.Table) -> ir.Table:
    """The sessions (spans) that contain at least one of the `hits` events."""
    found = hits.join(spans, [hits.person_id == spans.s_person, hits.ts >= spans.s_start, hits.ts <= spans.s_end])
    return found.select(spans.s_person, spans.unit, spans.s_start, spans.s_end).distinct()


def _top_sequences(per_unit: ir.Table, depth_cols: list[str], query: PathsQuery, total: int) -> list[PathSequence]:
    counts = per_unit.group_by(depth_cols).aggregate(count=per_unit.count())
    ordering = [ibis.desc("count")] + [ibis.coalesce(counts[c], ibis.literal("")) for c in depth_cols]
    rows = counts.order_by(ordering).limit(query.top).to_pyarrow().to_pylist()
    result = []
    for row in rows:
        labels = tuple(row[c] for c in depth_cols if row[c] is not None)
        result.append(PathSequence(steps=labels[::-1] if query.end is not None else labels,
                                   count=int(row["count"]), share=int(row["count"]) / total))
    return result


def _depths(by_length: dict[int, int], steps: int) -> list[PathDepth]:
    result = []
    for depth in range(1, steps + 1):
        reached = sum(units for length, units in by_length.items() if length >= depth)
        dropped = by_length.get(depth, 0)
        result.append(PathDepth(depth=depth, reached=reached, dropped=dropped,
                                drop_rate=dropped / reached if reached else 0.0))
    return result


def _nodes(steps: ir.Table, query: PathsQuery) -> list[PathNode]:
    """The `top` busiest labels at each depth (k is 0-based: depth = k + 1)."""
    with_length = steps.mutate(length=steps.count().over(ibis.window(group_by="unit")))
    inside = with_length.filter(with_length.k < query.steps)
    nodes = inside.group_by(["k", "label"]).aggregate(
        count=inside.count(), dropped=(inside.length == inside.k + 1).cast("int64").sum()
    )
    ranked = nodes.mutate(r=ibis.row_number().over(group_by="k", order_by=[ibis.desc("count"), "label"]))
    rows = ranked.filter(ranked.r < query.top).order_by(["k", "r"]).to_pyarrow().to_pylist()
    return [PathNode(depth=int(r["k"]) + 1, step=r["label"], count=int(r["count"]), dropped=int(r["dropped"]))
            for r in rows]


ANALYSIS = Analysis(name="paths", summary="The most common event sequences after (or before) an anchor event, with drop-offs per depth.",
                    query=PathsQuery, result=PathsResult, run=by_names(run_paths), route="/paths")
