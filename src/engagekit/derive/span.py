"""The time span of stored events, read within the window intake accepts.

Every default that follows the data starts here: the headline's and the reports' last full
month, the dashboard's default view, retention's cohorts without a range, the derived tables'
as-of day. An event time outside `ingest.limits.TimeBounds` (1990-01-01 .. now + 1 day) is a
clock or parsing error: intake quarantines new ones, but a store may already hold some, and one
such row (a device set to 4052, a parse that gave 9999-12-31) must not move a default away from
the data or past the dates Python can hold. Such rows stay in the store; they are only not part
of the span.
"""
from __future__ import annotations

from datetime import datetime

import ibis
import ibis.expr.types as ir

from engagekit.ingest.limits import TimeBounds


def accepted_times(ts: ir.TimestampValue, bounds: TimeBounds | None = None,
                   now: datetime | None = None) -> ir.BooleanValue:
    """True where `ts` lies in the accepted window (both ends included; `now`, naive UTC, for a
    fixed clock)."""
    bounds = bounds or TimeBounds()
    earliest = ibis.literal(bounds.earliest, type="timestamp")
    latest = ibis.literal(bounds.latest(now), type="timestamp")
    return (ts >= earliest) & (ts <= latest)


def time_span(table: ir.Table, column: str = "ts", bounds: TimeBounds | None = None,
              now: datetime | None = None) -> tuple[datetime, datetime] | None:
    """(first, last) value of the timestamp `column` of `table` within the accepted window, in
    one aggregate query; None when no row lies inside."""
    ts = table[column]
    inside = accepted_times(ts, bounds, now)
    row = table.aggregate(first=ts.min(where=inside), last=ts.max(where=inside)).to_pyarrow().to_pylist()[0]
    return None if row["last"] is None else (row["first"], row["last"])
