"""Timestamps of any source -> naive UTC microseconds.

Values with an offset (or Z) are converted to UTC; naive values are read in the project
timezone; numbers are Unix epochs (seconds, or milliseconds when above 1e11). Unparseable
values, and values beyond what 64-bit microseconds hold (huge epochs, seconds of the year
31 million), become null and are reported by the caller; a time the store can hold but that
is absurd (the year 9999) is left for the caller's window (limits.TimeBounds) to refuse.
"""
from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

UTC_MICROS = pa.timestamp("us")
_OFFSET = r"\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|z|[+-]\d{2}(?::?\d{2})?)$"
_EPOCH = r"^\s*-?\d+(?:\.\d+)?\s*$"
_MILLIS_THRESHOLD = 1e11
_MAX_MICROS = 2.0**63  # 64-bit microseconds: about 292,000 years either side of 1970
_PER_SECOND = {"s": 1, "ms": 1_000}  # the units coarser than microseconds
# Naive times are localized inside Python's datetime range (a day of margin for any offset);
# pandas cannot localize beyond it, and such times lie far outside any accepted window anyway.
_LOCALIZABLE = (pa.scalar(datetime(1, 1, 2), UTC_MICROS), pa.scalar(datetime(9999, 12, 30), UTC_MICROS))


def to_utc(column: pa.ChunkedArray | pa.Array, timezone: str, fmt: str | None = None) -> pa.Array:
    """Convert a column of timestamps, dates, epoch numbers or text to naive UTC."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    kind = column.type
    if pa.types.is_timestamp(kind):
        micros = _as_micros(column)
        return micros if kind.tz is not None else _localize(micros, timezone)
    if pa.types.is_date(kind):
        days = pc.cast(pc.cast(column, pa.date32()), pa.int32())
        return _localize(_from_epoch(pc.multiply(pc.cast(days, pa.float64()), 86400.0), millis=False), timezone)
    if pa.types.is_integer(kind) or pa.types.is_floating(kind):
        return _from_epoch(pc.cast(column, pa.float64(), safe=False))
    text = pc.utf8_trim_whitespace(column.cast(pa.string()))
    if fmt:
        return _from_format(text, fmt, timezone)
    return _from_text(text, timezone)


def _as_micros(column: pa.Array) -> pa.Array:
    """A timestamp column as naive microseconds of its instants (UTC when it has a zone): finer
    units are truncated; seconds or milliseconds past 64-bit microseconds become null."""
    scale = _PER_SECOND.get(column.type.unit)
    if scale is None:
        return pc.cast(column, UTC_MICROS, safe=False)
    factor = 1_000_000 // scale
    counts = pc.cast(column, pa.int64())
    fits = pc.less(pc.abs(counts), int(_MAX_MICROS) // factor)
    return pc.cast(pc.multiply(pc.if_else(fits, counts, None), factor), UTC_MICROS)


def _localize(naive: pa.Array, timezone: str) -> pa.Array:
    if timezone == "UTC":
        return naive
    inside = pc.and_(pc.greater_equal(naive, _LOCALIZABLE[0]), pc.less_equal(naive, _LOCALIZABLE[1]))
    series = pd.Series(pc.if_else(inside, naive, None).to_pandas(), copy=False)
    local = series.dt.tz_localize(timezone, ambiguous="NaT", nonexistent="shift_forward")
    return pc.if_else(inside, pa.array(local.dt.tz_convert("UTC").dt.tz_localize(None), UTC_MICROS), naive)


def _from_epoch(seconds: pa.Array, millis: bool = True) -> pa.Array:
    """Epoch numbers -> timestamps (values above 1e11 read as milliseconds unless `millis` is
    False); NaN, infinities and values past 64-bit microseconds become null."""
    values = seconds.to_numpy(zero_copy_only=False)
    if millis:
        values = np.where(np.abs(values) > _MILLIS_THRESHOLD, values / 1000.0, values)
    micros = np.round(values * 1e6)
    mask = ~(np.abs(micros) < _MAX_MICROS)
    return pa.array(np.where(mask, 0, micros).astype("int64"), pa.int64(), mask=mask).cast(UTC_MICROS)


def _from_format(text: pa.Array, fmt: str, timezone: str) -> pa.Array:
    parsed = pc.strptime(text, format=fmt, unit="us", error_is_null=True)
    if parsed.type.tz is not None:
        return pc.cast(pc.cast(parsed, pa.timestamp("us", tz="UTC")), UTC_MICROS)
    return _localize(parsed, timezone)


def _cast_all(text: pa.Array, target: pa.DataType) -> pa.Array | None:
    """Arrow's cast when every value parses (it is all or nothing), else None."""
    try:
        return pc.cast(text, target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _from_text(text: pa.Array, timezone: str) -> pa.Array:
    """ISO 8601 text (with or without offset) and epoch numbers written as text."""
    naive = _cast_all(text, UTC_MICROS)  # fast path: all naive ISO 8601
    if naive is not None:
        return _localize(naive, timezone)
    aware = _cast_all(text, pa.timestamp("us", tz="UTC"))  # fast path: all with Z or an offset
    if aware is not None:
        return pc.cast(aware, UTC_MICROS)
    series = pd.Series(text.to_pandas(), dtype="object")
    has_offset = series.str.contains(_OFFSET, regex=True, na=False).to_numpy()
    is_epoch = series.str.match(_EPOCH, na=False).to_numpy()
    result = pd.Series(pd.NaT, index=series.index, dtype="datetime64[us]")
    if has_offset.any():
        aware = pd.to_datetime(series[has_offset], utc=True, format="ISO8601", errors="coerce")
        result[has_offset] = aware.dt.tz_localize(None).astype("datetime64[us]")
    naive_mask = ~has_offset & ~is_epoch
    if naive_mask.any():
        naive = pd.to_datetime(series[naive_mask], format="ISO8601", errors="coerce")
        localized = _localize(pa.array(naive.astype("datetime64[us]"), UTC_MICROS), timezone)
        result[naive_mask] = localized.to_pandas().to_numpy()
    if is_epoch.any():
        epoch = _from_epoch(pa.array(pd.to_numeric(series[is_epoch], errors="coerce").astype("float64"), pa.float64()))
        result[is_epoch] = epoch.to_pandas().to_numpy()
    return pa.array(result, UTC_MICROS)
