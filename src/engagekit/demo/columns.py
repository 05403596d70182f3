"""Arrow string columns built without per-row Python: ids, vocabulary lookups and JSON objects.

Millions of rows need ids such as ``C0001234`` and JSON property texts. Python
string objects per row would dominate run time, so everything here is done by
Arrow compute kernels: ids by casting and padding numbers, JSON by an
element-wise string join of pre-encoded value columns.
"""
from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

JsonValue = pa.Array | str
"""A column of JSON-encoded values, or one JSON literal shared by every row."""


def _format(prefix: str, numbers: pa.Array, width: int) -> pa.StringArray:
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(pc.cast(numbers, pa.string()), width, "0"), "")


def id_strings(prefix: str, numbers: np.ndarray, width: int) -> pa.StringArray:
    """``prefix`` + zero-padded ``numbers``; negative numbers become nulls.

    When ids repeat (customers, sessions) each distinct id is formatted once
    and then gathered, which is an order of magnitude faster than formatting
    every row.
    """
    numbers = np.asarray(numbers, dtype=np.int64)
    missing = numbers < 0
    valid = numbers[~missing]
    if len(valid) and valid.max() - valid.min() < len(numbers) // 2:
        base = int(valid.min())
        table = _format(prefix, pa.array(np.arange(base, valid.max() + 1)), width)
        return table.take(pa.array(numbers - base, mask=missing))
    return _format(prefix, pa.array(numbers, mask=missing), width)


def lookup(vocab: Sequence[str], codes: np.ndarray) -> pa.StringArray:
    """Strings of ``vocab`` picked by integer ``codes``."""
    return pa.array(list(vocab), type=pa.string()).take(pa.array(np.asarray(codes, dtype=np.int64)))


def json_text(vocab: Sequence[str], codes: np.ndarray) -> pa.StringArray:
    """JSON string literals (quoted and escaped) of ``vocab`` picked by ``codes``."""
    return lookup([json.dumps(v) for v in vocab], codes)


def json_quoted(strings: pa.Array) -> pa.StringArray:
    """Quote strings that need no escaping (ids and other generated tokens)."""
    return pc.binary_join_element_wise('"', strings, '"', "")


def json_number(values: np.ndarray, decimals: int | None = None) -> pa.StringArray:
    """JSON numbers; floats are rounded to ``decimals`` first."""
    values = np.asarray(values)
    if decimals is not None:
        values = np.round(values.astype(np.float64), decimals)
    return pc.cast(pa.array(values), pa.string())


def json_bool(flags: np.ndarray) -> pa.StringArray:
    """JSON ``true``/``false`` literals."""
    return lookup(["false", "true"], np.asarray(flags, dtype=np.int64))


def json_object(n: int, fields: dict[str, JsonValue]) -> pa.StringArray:
    """A JSON object text per row from pre-encoded value columns (or shared literals)."""
    parts: list[JsonValue] = []
    literal = "{"
    for key, value in fields.items():
        literal += ("" if literal == "{" else ",") + json.dumps(key) + ":"
        if isinstance(value, str):
            literal += value
        else:
            parts.extend([literal, value])
            literal = ""
    literal += "}"
    if not parts:
        return pa.repeat(literal, n)
    parts.append(literal)
    return pc.binary_join_element_wise(*parts, "")
