"""Exact durations between timestamps, the same on every engine.

Epoch-second conversions differ (Spark truncates the fraction, DuckDB keeps it), so durations
are whole microseconds from Ibis' `delta(..., unit="microsecond")`, which both engines compute
exactly, and seconds are derived from them.
"""
from __future__ import annotations

import ibis.expr.types as ir

MICROSECONDS = 1_000_000


def micros_between(start: ir.TimestampValue, end: ir.TimestampValue) -> ir.IntegerValue:
    """`end - start` in whole microseconds (null if either is null)."""
    return end.delta(start, unit="microsecond")


def seconds_between(start: ir.TimestampValue, end: ir.TimestampValue) -> ir.FloatingValue:
    """`end - start` in seconds, with the fraction (microsecond precision)."""
    return micros_between(start, end) / MICROSECONDS
