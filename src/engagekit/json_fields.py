"""Read one key of a JSON object stored as text, portably (a regular expression both engines run
natively; Spark's JSON path in Ibis goes through a slow Python UDF).

Top-level keys of flat objects are what engagekit writes (`properties`, `traits`); a nested
object with a key of the same name could match too, which is why keys are kept distinct.
"""
from __future__ import annotations

import re

import ibis
import ibis.expr.types as ir

_STRING = r'"((?:[^"\\]|\\.)*)"'
_SCALAR = r"(-?[0-9][0-9.eE+-]*|true|false)"


def json_text(column: ir.StringValue, key: str) -> ir.StringValue:
    """The value of `key` as text (strings unquoted, numbers and booleans as written), else null."""
    name = re.escape(key)
    as_string = column.re_extract(rf'"{name}"\s*:\s*{_STRING}', 1)
    as_scalar = column.re_extract(rf'"{name}"\s*:\s*{_SCALAR}', 1)
    string_or_null = ibis.ifelse(as_string == "", ibis.null("string"), as_string)
    scalar_or_null = ibis.ifelse(as_scalar == "", ibis.null("string"), as_scalar)
    present = column.re_search(rf'"{name}"\s*:\s*""')
    return ibis.ifelse(present, ibis.literal(""), ibis.coalesce(string_or_null, scalar_or_null))


def json_number(column: ir.StringValue, key: str) -> ir.FloatingValue:
    """The value of `key` as a number, null when absent or not numeric."""
    return json_text(column, key).try_cast("float64")
