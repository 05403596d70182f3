"""Build JSON object text from Arrow columns, vectorised (no Python loop over rows).

Each column becomes a `"key":value` piece per row (null values leave the key out); pieces are
joined with commas. Columns marked as JSON text (see readers.JSON_METADATA) are embedded as
JSON; a column named `properties`/`traits` holding JSON objects is merged in, not nested.
"""
from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.compute as pc

_ESCAPES = (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"))
_OTHER_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"


def json_string_values(values: pa.Array) -> pa.Array:
    """Arrow strings -> JSON string literals (quoted and escaped)."""
    values = values.cast(pa.string())
    if pc.any(pc.match_substring_regex(values, _OTHER_CONTROL)).as_py():
        return pa.array([None if v is None else json.dumps(v) for v in values.to_pylist()], pa.string())
    for raw, escaped in _ESCAPES:
        values = pc.replace_substring(values, raw, escaped)
    return pc.binary_join_element_wise('"', values, '"', "")


def json_values(column: pa.ChunkedArray | pa.Array, is_json: bool = False) -> pa.Array:
    """Any Arrow column -> JSON literal text per row (null stays null)."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    kind = column.type
    if is_json:
        return column.cast(pa.string())
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_dictionary(kind):
        return json_string_values(column.cast(pa.string()))
    if pa.types.is_boolean(kind):
        return pc.if_else(column, "true", "false")
    if pa.types.is_integer(kind):
        return column.cast(pa.string())
    if pa.types.is_floating(kind):
        finite = pc.is_finite(column)
        return pc.if_else(finite, column.cast(pa.string()), pa.scalar(None, pa.string()))
    if pa.types.is_timestamp(kind) or pa.types.is_date(kind):
        return json_string_values(pc.strftime(column, format="%Y-%m-%dT%H:%M:%S"))
    # nested and other types: per value, rare in engagement exports
    return pa.array([None if v is None else json.dumps(v, default=str, sort_keys=True) for v in column.to_pylist()], pa.string())


def json_objects(columns: dict[str, tuple[pa.Array, bool]], merge: pa.Array | None, rows: int) -> pa.Array:
    """One JSON object text per row from `columns` (name -> (values, is_json)) and `merge`,
    an optional column of JSON object texts whose members are included as they are."""
    if merge is not None and not columns:
        return pc.if_else(pc.is_null(merge), pa.scalar("{}", pa.string()), merge.cast(pa.string()))
    pieces: list[pa.Array] = []
    if merge is not None:
        inner = pc.utf8_slice_codeunits(pc.utf8_trim_whitespace(merge.cast(pa.string())), 1, -1)
        inner = pc.if_else(pc.equal(pc.utf8_trim_whitespace(inner), ""), pa.scalar(None, pa.string()), inner)
        pieces.append(pc.binary_join_element_wise(",", inner, ""))
    for name, (values, is_json) in columns.items():
        literal = json_values(values, is_json)
        pieces.append(pc.binary_join_element_wise("," + json.dumps(name) + ":", literal, ""))
    if not pieces:
        return pa.array(["{}"] * rows, pa.string())
    # Each present piece starts with a comma; absent ones (null) join as "". (Joining with a
    # separator and null_handling="skip" loses all-null rows in pyarrow, so it is avoided.)
    body = pc.binary_join_element_wise(*pieces, "", null_handling="replace", null_replacement="")
    body = pc.utf8_slice_codeunits(body, 1)
    return pc.binary_join_element_wise("{", body, "}", "")


def is_json_object_text(values: pa.Array) -> pa.Array:
    """True where the text looks like a JSON object (starts with { and ends with })."""
    text = values.cast(pa.string())
    return pc.and_(pc.starts_with(text, "{"), pc.ends_with(text, "}"))
