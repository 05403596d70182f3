"""Column coercions shared by the row preparers: text, numbers, nulls."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_NAN = r"^[+-]?(?i:nan)$"


def text(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Any column as text; empty text is null (readers of text formats trim whitespace)."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    as_text = column.cast(pa.string())
    empty = pc.equal(pc.utf8_length(as_text), 0)
    if not pc.any(empty).as_py():
        return as_text
    return pc.if_else(empty, pa.scalar(None, pa.string()), as_text)


def nulls(n: int) -> pa.Array:
    """A text column of n nulls."""
    return pa.nulls(n, pa.string())


def numbers(column: pa.ChunkedArray | pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Floats from a numeric or text column, and the mask of text that is not a number (NaN and
    infinities, which Arrow and pandas read in many spellings, are numbers: callers refuse them)."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if pa.types.is_integer(column.type) or pa.types.is_floating(column.type):
        return pc.cast(column, pa.float64()), np.zeros(len(column), dtype=bool)
    as_text = text(column)
    try:
        return pc.cast(as_text, pa.float64()), np.zeros(len(column), dtype=bool)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        values = pd.to_numeric(pd.Series(as_text.to_pandas(), dtype="object"), errors="coerce").to_numpy("float64")
        missing = pc.is_null(as_text).to_numpy(zero_copy_only=False)
        nan_text = pc.match_substring_regex(as_text, _NAN).fill_null(False).to_numpy(zero_copy_only=False)
        unparsed = np.isnan(values) & ~missing & ~nan_text  # "NaN" is a number, though not a finite one
        return pa.array(values, pa.float64(), mask=missing | unparsed), unparsed
