"""Row checks, vectorised: each check marks failing rows with the field and the reason.

The first failing check of a row is the one reported. Only failing rows are turned into
Python objects (to write their message and raw content), so clean files stay fast. The checks
shared by events, customers and accounts live here: text without NUL, times inside the
accepted window, finite numbers, and JSON bags within the depth bound.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engagekit.ingest.columns import numbers, text
from engagekit.ingest.jsontext import is_json_object_text, json_objects
from engagekit.ingest.limits import JSON_DEPTH_REASON, MAX_JSON_DEPTH, TimeBounds, json_text_exceeds
from engagekit.ingest.mapping import ColumnMap
from engagekit.ingest.quarantine import Rejection
from engagekit.ingest.readers import JSON_METADATA, ROW
from engagekit.ingest.timestamps import UTC_MICROS, to_utc

# JSON's escape of NUL, not preceded by an escaped backslash ("\\u0000" is the text \u0000)
_ESCAPED_NUL = r"(?:^|[^\\])(?:\\\\)*\\u0000"


@dataclass
class RowChecks:
    """Collects failing rows of one table; `ok` is the mask of rows that passed every check."""

    raw: pa.Table
    failed: np.ndarray = field(init=False)
    reasons: dict[int, tuple[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.failed = np.zeros(self.raw.num_rows, dtype=bool)

    def check(self, bad: pa.Array | np.ndarray, field_name: str, reason: str,
              values: Callable[[], pa.Array] | None = None) -> None:
        """Mark rows where `bad` is true; `reason` may hold {value}, filled from `values()`,
        which is only called when some row failed (formatting a whole column costs time)."""
        mask = to_mask(bad) & ~self.failed
        if not mask.any():
            return
        shown = values().to_pylist() if values is not None and "{value" in reason else None
        for index in np.flatnonzero(mask):
            text = reason.format(value=shown[index]) if shown is not None else reason
            self.reasons[int(index)] = (field_name, text)
        self.failed |= mask

    def check_rows(self, found: dict[int, tuple[str, str]]) -> None:
        """Mark rows by index, each with its own (field, reason), unless an earlier check failed it."""
        for index, (field_name, reason) in found.items():
            if not self.failed[index]:
                self.reasons[index] = (field_name, reason)
                self.failed[index] = True

    @property
    def ok(self) -> np.ndarray:
        return ~self.failed

    def rejections(self) -> list[Rejection]:
        if not self.reasons:
            return []
        indices = sorted(self.reasons)
        rows = _records(self.raw.take(pa.array(indices)))
        result = []
        for index, record in zip(indices, rows):
            row_number = int(record.pop(ROW))
            field_name, reason = self.reasons[index]
            result.append(Rejection(row_number, field_name, reason, json.dumps(record, default=str)))
        return result


def _records(rows: pa.Table) -> list[dict]:
    """Rows as Python dicts; times past Python's year 9999 as Arrow's text of them."""
    try:
        return rows.to_pylist()
    except (ValueError, OverflowError):  # a time Python's datetime cannot hold
        columns = [c.cast(pa.string()) if pa.types.is_temporal(c.type) else c for c in rows.columns]
        return pa.Table.from_arrays(columns, names=rows.column_names).to_pylist()


def to_mask(values: pa.Array | pa.ChunkedArray | np.ndarray) -> np.ndarray:
    if isinstance(values, np.ndarray):
        return values.astype(bool)
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    return values.fill_null(False).to_numpy(zero_copy_only=False).astype(bool)


def json_bag(raw: pa.Table, columns: ColumnMap, name: str, checks: RowChecks) -> pa.Array:
    """The JSON object column `name` (properties or traits): the file's own `name` column, which
    must hold JSON objects, merged with every column mapped into the bag."""
    merge = None
    if name in columns.fields:
        source = columns.fields[name]
        merge = text(raw[source])
        checks.check(pc.and_(pc.invert(pc.is_null(merge)), pc.invert(is_json_object_text(merge))),
                     source, f"{name} is not a JSON object: {{value!r}}", lambda: merge)
        checks.check(_too_deep(merge), source, JSON_DEPTH_REASON)
    bag = {key: (raw[column], raw.schema.field(column).metadata == JSON_METADATA) for key, column in columns.bag.items()}
    return json_objects(bag, merge, raw.num_rows)


def _too_deep(texts: pa.Array) -> np.ndarray:
    """Mask of JSON texts nested deeper than MAX_JSON_DEPTH. Such text holds more than that many
    opening and as many closing brackets, so a column of shorter texts is passed at once, and
    only texts with more opening brackets than the bound are parsed."""
    mask = np.zeros(len(texts), dtype=bool)
    if (pc.max(pc.binary_length(texts)).as_py() or 0) <= 2 * MAX_JSON_DEPTH:
        return mask
    brackets = pc.add(pc.count_substring(texts, "{"), pc.count_substring(texts, "["))
    for index in np.flatnonzero(to_mask(pc.greater(brackets, MAX_JSON_DEPTH))):
        mask[index] = json_text_exceeds(texts[int(index)].as_py())
    return mask


def check_text(checks: RowChecks, columns: ColumnMap, bag: str) -> None:
    """Mark rows holding NUL in any text column (SQL literals end at NUL, so the store could not
    be queried for such text), or its escape \\u0000 in JSON text: the `bag` column (properties
    or traits) and the columns a reader marked as JSON. A scan of each column's bytes passes
    clean columns without per-row work."""
    raw = checks.raw
    json_columns = {columns.fields.get(bag)} | {f.name for f in raw.schema if f.metadata == JSON_METADATA}
    for name in raw.column_names:
        values = raw[name]
        if not _is_text(values.type):
            continue
        values = values.cast(pa.string())
        found = pc.match_substring(values, "\x00") if _holds(values, b"\x00") else None
        if name in json_columns and _holds(values, b"\\u0000"):
            escaped = pc.match_substring_regex(values, _ESCAPED_NUL)
            found = escaped if found is None else pc.or_(found, escaped)
        if found is not None:
            checks.check(found, name, f"NUL character in field {name}")


def _is_text(kind: pa.DataType) -> bool:
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


def _holds(values: pa.ChunkedArray, needle: bytes) -> bool:
    """Whether the characters of a string column hold `needle`, each chunk's bytes searched at
    once (only its own rows' bytes: the chunks of a Parquet column share one buffer)."""
    for chunk in values.chunks:
        offsets, data = chunk.buffers()[1:3]
        if len(chunk) == 0 or data is None:
            continue
        bounds = np.frombuffer(offsets, np.int32)[[chunk.offset, chunk.offset + len(chunk)]]
        if data.slice(int(bounds[0]), int(bounds[1] - bounds[0])).to_pybytes().find(needle) >= 0:
            return True
    return False


def checked_times(checks: RowChecks, column: pa.ChunkedArray, field_name: str, label: str, timezone: str,
                  bounds: TimeBounds, fmt: str | None = None) -> pa.Array:
    """`column` as naive UTC times; marks the rows whose value does not parse (or no engine can
    hold it) and those outside `bounds`, whose reason names the bound and its setting."""
    times = to_utc(column, timezone, fmt)

    def shown() -> pa.Array:  # the value as the file has it
        return text(column)

    checks.check(pc.and_(pc.is_null(times), pc.invert(pc.is_null(column))), field_name,
                 "unparseable timestamp {value!r}", shown)
    checks.check(pc.less(times, pa.scalar(bounds.earliest, UTC_MICROS)), field_name,
                 f"{label} {{value!r}} {bounds.too_early()}", shown)
    latest = bounds.latest()
    checks.check(pc.greater(times, pa.scalar(latest, UTC_MICROS)), field_name,
                 f"{label} {{value!r}} {bounds.too_late(latest)}", shown)
    return times


def checked_number(checks: RowChecks, column: pa.ChunkedArray, field_name: str, name: str) -> pa.Array:
    """`column` as floats; marks the rows whose value is not a number, or not a finite one (NaN,
    Infinity in any spelling: stored, it would turn sums and averages into NaN or null)."""
    values, unparsed = numbers(column)
    checks.check(unparsed, field_name, f"{name} is not a number: {{value!r}}", lambda: text(column))
    checks.check(pc.invert(pc.is_finite(values)), field_name, f"{name} is not a finite number: {{value!r}}",
                 lambda: text(column))
    return values
