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

from engagekit.ingest.quarantine import Rejection
from engagekit.ingest.readers import ROW


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
