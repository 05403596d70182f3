"""Row checks, vectorised: each check marks failing rows with the field and the reason.

The first failing check of a row is the one reported. Only failing rows are turned into
Python objects (to write their message and raw content), so clean files stay fast.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engagekit.ingest.columns import text
from engagekit.ingest.jsontext import is_json_object_text, json_objects
from engagekit.ingest.mapping import ColumnMap
from engagekit.ingest.quarantine import Rejection
from engagekit.ingest.readers import JSON_METADATA, ROW


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
        mask = _to_numpy_mask(bad) & ~self.failed
        if not mask.any():
            return
        shown = values().to_pylist() if values is not None and "{value" in reason else None
        for index in np.flatnonzero(mask):
            text = reason.format(value=shown[index]) if shown is not None else reason
            self.reasons[int(index)] = (field_name, text)
        self.failed |= mask

    @property
    def ok(self) -> np.ndarray:
        return ~self.failed

    def rejections(self) -> list[Rejection]:
        if not self.reasons:
            return []
        indices = sorted(self.reasons)
        rows = self.raw.take(pa.array(indices)).to_pylist()
        result = []
        for index, record in zip(indices, rows):
            row_number = int(record.pop(ROW))
            field_name, reason = self.reasons[index]
            result.append(Rejection(row_number, field_name, reason, json.dumps(record, default=str)))
        return result


def _to_numpy_mask(values: pa.Array | pa.ChunkedArray | np.ndarray) -> np.ndarray:
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
    bag = {key: (raw[column], raw.schema.field(column).metadata == JSON_METADATA) for key, column in columns.bag.items()}
    return json_objects(bag, merge, raw.num_rows)
